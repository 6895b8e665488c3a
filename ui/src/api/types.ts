// Shapes of the gateway's /api/v1 JSON. Amounts are integer minor units (paise);
// timestamps are ISO 8601 UTC strings.

export interface Merchant {
  id: string;
  name: string;
  email: string;
  apiKey: string;
}

export interface Credentials {
  apiKey: string;
  apiSecret: string;
}

export interface PublicConfig {
  temporal_ui_url: string;
  namespace: string;
}

export interface DailyVolume {
  date: string; // YYYY-MM-DD
  count: number;
  amount: number;
}

export interface Stats {
  total_transactions: number;
  successful_transactions: number;
  total_amount: number;
  success_rate: number; // 0–100
  refunded_amount: number;
  currency: string;
  volume_by_day: DailyVolume[];
}

export type OrderStatus = "created" | "paid";

export interface Order {
  id: string;
  merchant_id: string;
  amount: number;
  currency: string;
  receipt: string | null;
  notes: Record<string, string> | null;
  status: OrderStatus;
  created_at: string;
  updated_at: string;
}

export interface PublicOrder {
  id: string;
  amount: number;
  currency: string;
  status: OrderStatus;
  merchant_name: string;
}

export type PaymentMethod = "upi" | "card";
export type PaymentStatus = "pending" | "success" | "failed" | "refunded" | "voided";
// manual: authorized until captured, voided or expired; automatic: captured once approved.
export type CaptureMode = "manual" | "automatic";
// The transactions filter over the authorization: authorized = successful and uncaptured.
export type CaptureState = "authorized" | "captured" | "voided";

export interface Payment {
  id: string;
  order_id: string;
  merchant_id: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
  status: PaymentStatus;
  vpa?: string | null;
  card_network?: string | null;
  card_last4?: string | null;
  error_code?: string | null;
  error_description?: string | null;
  captured: boolean;
  captured_at?: string | null;
  amount_refunded: number;
  capture?: CaptureMode;
  amount_captured?: number | null;
  // Successful, uncaptured payments only: when the authorization is voided.
  capture_expires_at?: string;
  voided_at?: string;
  void_reason?: "requested" | "expired";
  created_at: string;
  updated_at: string;
}

export interface PublicPayment {
  id: string;
  order_id: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
  status: PaymentStatus;
  error_code?: string | null;
  error_description?: string | null;
  signature?: string | null;
}

export type RefundStatus = "pending" | "processed" | "failed";

export interface Refund {
  id: string;
  payment_id: string;
  order_id: string;
  amount: number;
  currency: string;
  reason: string | null;
  status: RefundStatus;
  error_code?: string | null;
  error_description?: string | null;
  processed_at?: string | null;
  created_at: string;
}

export interface WebhookConfig {
  webhook_url: string | null;
  webhook_secret: string;
}

export type WebhookStatus = "pending" | "success" | "failed";

export interface WebhookDelivery {
  id: string;
  event_id?: string;
  endpoint_id?: string | null;
  event: string;
  status: WebhookStatus;
  attempts: number;
  last_attempt_at: string | null;
  next_retry_at: string | null;
  response_code: number | null;
  response_body: string | null;
  error: string | null;
  payload: unknown;
  created_at: string;
}

// The actions the gateway records today.
export type AuditAction =
  | "login"
  | "login_failed"
  | "logout"
  | "api_secret_rolled"
  | "webhook_url_changed"
  | "webhook_secret_regenerated"
  | "refund_created"
  | "webhook_retried";

export interface AuditEntry {
  id: number;
  actor: string; // "dashboard:<email>" or "api_key:<key>"
  action: string; // an AuditAction, or one a newer server added
  target: string | null;
  source_address: string;
  details: Record<string, unknown>;
  created_at: string;
}

export interface PaymentFilters {
  status?: PaymentStatus | "";
  method?: PaymentMethod | "";
  capture_state?: CaptureState | "";
  from?: string; // YYYY-MM-DD
  to?: string;
}

export type NewPayment =
  | { method: "upi"; vpa: string }
  | {
      method: "card";
      card: { number: string; expiry_month: string; expiry_year: string; cvv: string; holder_name: string };
    };

// A webhook endpoint (GET /webhook_endpoints); secret only right after creation or a roll.
export interface WebhookEndpoint {
  id: string;
  url: string;
  enabled_events: string[];
  description: string;
  status: "enabled" | "disabled";
  primary: boolean;
  secret?: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  failing_since: string | null;
  failed_events: number;
  created_at: string;
  // Older gateways leave it out.
  deliveries_24h?: EndpointDeliveries;
}

// An endpoint's deliveries of the last 24 hours by outcome so far; success_rate is in percent of
// those attempted (succeeded, failed, retrying), null when none was.
export interface EndpointDeliveries {
  succeeded: number;
  failed: number;
  retrying: number;
  pending: number;
  success_rate: number | null;
}

// The fields of an endpoint a merchant can change (PATCH /webhook_endpoints/{id}).
export interface EndpointChanges {
  url?: string;
  enabled_events?: string[];
  description?: string;
  status?: "enabled" | "disabled";
}

// A recorded event (GET /events): the envelope deliveries carry, with pending_webhooks the number
// of its deliveries not yet successful.
export interface GatewayEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  payment_id: string | null;
  refund_id: string | null;
  pending_webhooks: number;
  created_at: string;
}

// The Events page's filters: an event name or prefix wildcard (payment.*), and UTC days.
export interface EventFilters {
  type?: string;
  from?: string; // YYYY-MM-DD
  to?: string;
}

// A replay of an endpoint's events, run by a workflow on the gateway.
export interface Replay {
  id: string;
  endpoint_id: string;
  status: "running" | "succeeded" | "canceled" | "failed";
  total: number;
  sent: number;
  failed: number;
}
