// Types of @paygate/node. Objects are the API's JSON: snake_case fields, amounts in the
// currency's minor unit (paise, cents), timestamps as ISO 8601 UTC strings.

export const DEFAULT_BASE_URL: string;
export const VERSION: string;
export const DEFAULT_TOLERANCE_SECONDS: number;

// --- objects ---------------------------------------------------------------------------------

export type Currency = "INR" | "USD" | "EUR" | "GBP";
export type OrderStatus = "created" | "paid";
export type PaymentMethod = "upi" | "card";
export type PaymentStatus = "pending" | "success" | "failed" | "refunded" | "voided";
export type CaptureMode = "manual" | "automatic";
export type CaptureState = "authorized" | "captured" | "voided";
export type RefundStatus = "pending" | "processed" | "failed";
export type WebhookDeliveryStatus = "pending" | "success" | "failed";
export type WebhookEventName =
  | "payment.created"
  | "payment.pending"
  | "payment.success"
  | "payment.failed"
  | "payment.captured"
  | "payment.voided"
  | "refund.created"
  | "refund.processed"
  | "refund.failed"
  | "webhook.test";

export interface Order {
  id: string;
  merchant_id: string;
  amount: number;
  currency: Currency | string;
  receipt: string | null;
  notes: Record<string, unknown>;
  status: OrderStatus;
  /** How its payments are captured unless they say otherwise. */
  capture: CaptureMode;
  created_at: string;
  updated_at: string;
}

export interface Payment {
  id: string;
  order_id: string;
  merchant_id: string;
  amount: number;
  currency: Currency | string;
  method: PaymentMethod;
  status: PaymentStatus;
  /** UPI payments only. */
  vpa?: string;
  /** Card payments only: visa, mastercard, amex, rupay, ... */
  card_network?: string;
  /** Card payments only. */
  card_last4?: string;
  /** Failed payments only, e.g. CARD_DECLINED, UPI_FAILED. */
  error_code?: string;
  error_description?: string;
  captured: boolean;
  captured_at: string | null;
  amount_refunded: number;
  /** manual: captured by capture(), voided by void() or at capture_expires_at; automatic: captured once approved. */
  capture: CaptureMode;
  /** What the capture took; null until captured. */
  amount_captured: number | null;
  /** Successful, uncaptured payments only: when the authorization is voided. */
  capture_expires_at?: string;
  voided_at?: string;
  void_reason?: "requested" | "expired";
  created_at: string;
  updated_at: string;
}

export interface Refund {
  id: string;
  payment_id: string;
  order_id: string;
  amount: number;
  currency: Currency | string;
  reason: string | null;
  status: RefundStatus;
  error_code?: string;
  error_description?: string;
  processed_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The result of a create call; `replayed` is not enumerable, so the JSON stays the API's. */
export type Created<T> = T & {
  /** True when the gateway answered with the stored answer of an earlier request with the same idempotency key. */
  readonly replayed: boolean;
};

export interface OrderList {
  count: number;
  total: number;
  orders: Order[];
  /** More items lie beyond this page: older ones, or with ending_before newer ones. */
  has_more: boolean;
}

export interface PaymentList {
  count: number;
  total: number;
  payments: Payment[];
  /** More items lie beyond this page: older ones, or with ending_before newer ones. */
  has_more: boolean;
}

export interface RefundList {
  count: number;
  total: number;
  refunds: Refund[];
  /** More items lie beyond this page: older ones, or with ending_before newer ones. */
  has_more: boolean;
}

export interface WebhookConfig {
  webhook_url: string | null;
  webhook_secret: string;
}

export interface WebhookLog {
  id: string;
  event: WebhookEventName | string;
  status: WebhookDeliveryStatus;
  attempts: number;
  payment_id: string | null;
  refund_id: string | null;
  last_attempt_at: string | null;
  next_retry_at: string | null;
  response_code: number | null;
  response_body: string | null;
  error: string | null;
  payload: WebhookEvent;
  created_at: string;
}

export interface WebhookLogList {
  data: WebhookLog[];
  total: number;
  limit: number;
  offset: number;
  /** More deliveries lie beyond this page: older ones, or with ending_before newer ones. */
  has_more: boolean;
}

/** The body of a webhook delivery. */
export interface WebhookEvent {
  /** Equal to the webhook-id header; deduplicate on it. */
  id: string;
  event: WebhookEventName | string;
  timestamp: string;
  data: {
    payment?: Payment;
    refund?: Refund;
    message?: string;
  };
}

// --- parameters ------------------------------------------------------------------------------

export interface RequestOptions {
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this request (0 for none). */
  timeoutMs?: number;
}

export interface CreateOptions extends RequestOptions {
  /**
   * Makes the request safe to retry: a repeat with the same key and body returns the first
   * answer (replayed: true) and creates nothing. 1-255 printable ASCII characters, kept 24 hours.
   */
  idempotencyKey?: string;
}

export interface PageParams {
  /** 1-100; the gateway's default is 10. */
  limit?: number;
  /** Items to skip, at most 10 000 (slow for deep pages); not with a cursor. */
  offset?: number;
  /** An id of this list: the page of the items older than it (pass the last id of your page). */
  starting_after?: string;
  /** An id of this list: the page of the items just newer than it (pass the first id of your page). */
  ending_before?: string;
  /** Bounds on the creation time: Unix seconds, ISO 8601 strings or Dates. */
  created?: { gte?: ListTime; gt?: ListTime; lte?: ListTime; lt?: ListTime };
}

export type ListTime = number | string | Date;

export interface CreateOrderParams {
  /** Minor units, at least 100. */
  amount: number;
  /** Default INR. */
  currency?: Currency;
  /** At most 40 characters. */
  receipt?: string;
  /** At most 15 keys and 4 KiB. */
  notes?: Record<string, unknown>;
  /** How its payments are captured unless they say otherwise; default manual. */
  capture?: CaptureMode;
}

export interface CardParams {
  number: string;
  expiry_month: number | string;
  /** Four digits, or two meaning 20xx. */
  expiry_year: number | string;
  /** 3 digits, 4 for Amex. */
  cvv: string;
  holder_name: string;
}

export type CreatePaymentParams =
  | { order_id: string; method?: "upi"; vpa: string; card?: undefined; capture?: CaptureMode }
  | { order_id: string; method?: "card"; card: CardParams; vpa?: undefined; capture?: CaptureMode };

export interface ListPaymentsParams extends PageParams {
  status?: PaymentStatus;
  method?: PaymentMethod;
  capture_state?: CaptureState;
  /** First creation day, inclusive: "YYYY-MM-DD" or a Date (its UTC day). */
  from?: string | Date;
  /** Last creation day, inclusive. */
  to?: string | Date;
}

export interface CaptureParams {
  /** At most the payment's amount, at least 100; the rest of the authorization is released. */
  amount: number;
}

export interface CreateRefundParams {
  /** Minor units; everything not yet refunded when omitted. */
  amount?: number;
  /** At most 255 characters. */
  reason?: string;
}

export interface ListRefundsParams extends PageParams {
  payment_id?: string;
}

export interface ListWebhookLogsParams extends PageParams {
  status?: WebhookDeliveryStatus;
  event?: WebhookEventName;
}

export interface WaitOptions {
  /** Default 60000; then the promise rejects with a DOMException named "TimeoutError". */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PaymentGatewayOptions {
  apiKey: string;
  apiSecret: string;
  /** The gateway's URL without /api/v1; default http://127.0.0.1:8000. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds; default 30000, 0 for none. */
  timeoutMs?: number;
  /** A fetch implementation; default globalThis.fetch. */
  fetch?: typeof fetch;
}

// --- client ----------------------------------------------------------------------------------

export class PaymentGateway {
  constructor(options: PaymentGatewayOptions);
  readonly baseUrl: string;

  createOrder(params: CreateOrderParams, options?: CreateOptions): Promise<Created<Order>>;
  getOrder(id: string, options?: RequestOptions): Promise<Order>;
  listOrders(params?: PageParams, options?: RequestOptions): Promise<OrderList>;
  /** Every item from the page the params ask for on, fetched a page at a time by starting_after. */
  allOrders(params?: PageParams, options?: RequestOptions): AsyncGenerator<Order>;

  createPayment(params: CreatePaymentParams, options?: CreateOptions): Promise<Created<Payment>>;
  getPayment(id: string, options?: RequestOptions): Promise<Payment>;
  listPayments(params?: ListPaymentsParams, options?: RequestOptions): Promise<PaymentList>;
  /** Every item from the page the params ask for on, fetched a page at a time by starting_after. */
  allPayments(params?: ListPaymentsParams, options?: RequestOptions): AsyncGenerator<Payment>;
  capturePayment(id: string, params: CaptureParams, options?: CreateOptions): Promise<Created<Payment>>;
  capture(id: string, amount: number, options?: CreateOptions): Promise<Created<Payment>>;
  void(id: string, options?: CreateOptions): Promise<Created<Payment>>;
  /** Test mode only: fires the payment's timers due within `by` (e.g. "120h") now. */
  advancePayment(id: string, by: string, options?: RequestOptions): Promise<Payment>;
  waitForPayment(id: string, options?: WaitOptions): Promise<Payment>;

  createRefund(paymentId: string, params?: CreateRefundParams, options?: CreateOptions): Promise<Created<Refund>>;
  getRefund(id: string, options?: RequestOptions): Promise<Refund>;
  listRefunds(params?: ListRefundsParams, options?: RequestOptions): Promise<RefundList>;
  /** Every item from the page the params ask for on, fetched a page at a time by starting_after. */
  allRefunds(params?: ListRefundsParams, options?: RequestOptions): AsyncGenerator<Refund>;
  waitForRefund(id: string, options?: WaitOptions): Promise<Refund>;

  getWebhookConfig(options?: RequestOptions): Promise<WebhookConfig>;
  setWebhookUrl(url: string, options?: RequestOptions): Promise<WebhookConfig>;
  regenerateWebhookSecret(options?: RequestOptions): Promise<WebhookConfig>;
  sendTestWebhook(options?: CreateOptions): Promise<{ id: string; status: "pending" }>;
  listWebhookLogs(params?: ListWebhookLogsParams, options?: RequestOptions): Promise<WebhookLogList>;
  /** Every item from the page the params ask for on, fetched a page at a time by starting_after. */
  allWebhookLogs(params?: ListWebhookLogsParams, options?: RequestOptions): AsyncGenerator<WebhookLog>;
  getWebhookLog(id: string, options?: RequestOptions): Promise<WebhookLog>;
  retryWebhook(id: string, options?: RequestOptions): Promise<{ id: string; status: "pending"; message: string }>;
  readonly events: {
    list(params?: ListEventsParams, options?: RequestOptions): Promise<{ object: "list"; data: GatewayEvent[]; has_more: boolean }>;
    /** Every event from the page the params ask for on, fetched a page at a time by starting_after. */
    all(params?: ListEventsParams, options?: RequestOptions): AsyncGenerator<GatewayEvent>;
    get(id: string, options?: RequestOptions): Promise<GatewayEvent>;
  };
  readonly webhookEndpoints: {
    create(params: { url: string; enabled_events: string[]; description?: string }, options?: RequestOptions): Promise<WebhookEndpoint>;
    list(options?: RequestOptions): Promise<{ object: "list"; data: WebhookEndpoint[]; has_more: false }>;
    get(id: string, options?: RequestOptions): Promise<WebhookEndpoint>;
    update(id: string, changes: { url?: string; enabled_events?: string[]; description?: string; status?: "enabled" | "disabled" }, options?: RequestOptions): Promise<WebhookEndpoint>;
    del(id: string, options?: RequestOptions): Promise<{ id: string; object: "webhook_endpoint"; deleted: true }>;
    rollSecret(id: string, options?: RequestOptions): Promise<WebhookEndpoint>;
    replay(id: string, params?: { created?: { gte?: string | number | Date; lte?: string | number | Date }; types?: string[] }, options?: RequestOptions): Promise<Replay>;
    listReplays(id: string, options?: RequestOptions): Promise<{ object: "list"; data: Replay[]; has_more: false }>;
  };
  readonly replays: {
    get(id: string, options?: RequestOptions): Promise<Replay>;
    cancel(id: string, options?: RequestOptions): Promise<Replay>;
  };
}
export default PaymentGateway;

export interface ListEventsParams {
  /** An event name or a prefix wildcard such as "payment.*". */
  type?: string;
  limit?: number;
  starting_after?: string;
  ending_before?: string;
  created?: { gte?: string | number | Date; gt?: string | number | Date; lte?: string | number | Date; lt?: string | number | Date };
}

/** A recorded event (the events API): the delivered envelope plus type and pending_webhooks. */
export interface GatewayEvent {
  id: string;
  object: "event";
  type: string;
  event: string;
  timestamp: string;
  data: Record<string, unknown>;
  payment_id: string | null;
  refund_id: string | null;
  pending_webhooks: number;
  created_at: string;
}

export interface WebhookEndpoint {
  id: string;
  object: "webhook_endpoint";
  url: string;
  enabled_events: string[];
  description: string;
  status: "enabled" | "disabled";
  primary: boolean;
  /** Only in the answers of create and rollSecret. */
  secret?: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  failing_since: string | null;
  failed_events: number;
  created_at: string;
  updated_at: string;
  /** How the deliveries of the last 24 hours have fared. */
  deliveries_24h: EndpointDeliveries;
}

/** An endpoint's deliveries of the last 24 hours by outcome so far. */
export interface EndpointDeliveries {
  succeeded: number;
  /** Retries exhausted. */
  failed: number;
  /** The last attempt failed; another is scheduled. */
  retrying: number;
  /** Not attempted yet. */
  pending: number;
  /** succeeded / (succeeded + failed + retrying) in percent, one decimal; null when none was attempted. */
  success_rate: number | null;
}

export interface Replay {
  id: string;
  object: "webhook_replay";
  endpoint_id: string;
  status: "running" | "succeeded" | "canceled" | "failed";
  total: number;
  sent: number;
  failed: number;
  created_gte: string;
  created_lt: string;
  types: string[];
  created_at: string;
  finished_at: string | null;
}

// --- errors ----------------------------------------------------------------------------------

export const ErrorCodes: Readonly<{
  BAD_REQUEST: "BAD_REQUEST_ERROR";
  INVALID_VPA: "INVALID_VPA";
  INVALID_CARD: "INVALID_CARD";
  EXPIRED_CARD: "EXPIRED_CARD";
  AUTHENTICATION: "AUTHENTICATION_ERROR";
  NOT_FOUND: "NOT_FOUND_ERROR";
  IDEMPOTENCY: "IDEMPOTENCY_ERROR";
  RATE_LIMIT: "RATE_LIMIT_ERROR";
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE";
  SERVER: "SERVER_ERROR";
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED";
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE";
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE";
  TOO_MANY_ATTEMPTS: "TOO_MANY_ATTEMPTS";
  REPLAY_IN_PROGRESS: "REPLAY_IN_PROGRESS";
}>;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error answer of the API. */
export class PaymentGatewayError extends Error {
  constructor(fields: { status: number; code: string | null; description: string; requestId?: string | null });
  /** HTTP status. */
  readonly status: number;
  /** The API's error code, or null when the body was not the API's error shape. */
  readonly code: ErrorCode | string | null;
  readonly description: string;
  /** X-Request-Id of the request. */
  readonly requestId: string | null;
  /** Whether repeating the request later may succeed (429, 409 idempotency, 5xx). */
  readonly retryable: boolean;
}
/** 400 (including INVALID_VPA, INVALID_CARD and EXPIRED_CARD), 405 METHOD_NOT_ALLOWED, 413 PAYLOAD_TOO_LARGE. */
export class InvalidRequestError extends PaymentGatewayError {}
/** 401 or 403. */
export class AuthenticationError extends PaymentGatewayError {}
/** 404. */
export class NotFoundError extends PaymentGatewayError {}
/** 409 or 422 with IDEMPOTENCY_ERROR. */
export class IdempotencyError extends PaymentGatewayError {}
/** 429. */
export class RateLimitError extends PaymentGatewayError {}
/** 5xx. */
export class ServerError extends PaymentGatewayError {}
/** No answer: unreachable gateway, broken connection or timeout. The cause is in `cause`. */
export class PaymentGatewayConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown });
}

// --- verification ----------------------------------------------------------------------------

export type RawBody = string | Uint8Array | ArrayBuffer;
export type HeadersLike =
  | Headers
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>;

export class WebhookVerificationError extends Error {
  constructor(reason: WebhookVerificationError["reason"], message: string);
  readonly reason: "missing_headers" | "bad_timestamp" | "bad_signature" | "bad_body";
}

/**
 * Checks a delivery's Standard Webhooks signature (webhook-id, webhook-timestamp,
 * webhook-signature) against the raw body and returns the parsed event; throws a
 * WebhookVerificationError when it does not verify.
 */
export function verifyWebhook(
  rawBody: RawBody,
  headers: HeadersLike | null | undefined,
  secret: string,
  options?: { toleranceSeconds?: number; now?: Date | number },
): WebhookEvent;

/** Checks the older X-Webhook-Signature header (hex HMAC-SHA256 of the body). */
export function verifyLegacySignature(rawBody: RawBody, signature: string | null | undefined, secret: string): boolean;

/** Checks checkout.js's onSuccess signature: hex HMAC-SHA256 of "orderId|paymentId" keyed with the webhook secret. */
export function verifyCheckoutSignature(
  payment: { orderId: string; paymentId: string; signature: string | null | undefined },
  webhookSecret: string,
): boolean;
