// The one module that talks to the gateway API. Every request goes to the same
// origin that served the UI; the dashboard session is an HttpOnly cookie the
// browser attaches by itself, so no credential is ever handled here.
import type {
  AuditEntry,
  Credentials,
  EndpointChanges,
  EventFilters,
  GatewayEvent,
  Merchant,
  NewPayment,
  Order,
  Payment,
  PaymentFilters,
  PublicConfig,
  PublicOrder,
  PublicPayment,
  Refund,
  Stats,
  WebhookConfig,
  WebhookDelivery,
  WebhookEndpoint,
  Replay,
} from "./types";
import type { Cursor } from "../lib/cursor";
import { eventsQuery } from "../lib/events";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, description: string) {
    super(description);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

const unauthorizedListeners = new Set<() => void>();

// The dashboard subscribes while it is shown so that any 401 sends the person
// to the sign-in page. Public pages (login, hosted checkout) do not subscribe,
// so a 401 there is shown as an ordinary error.
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== "") params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; description?: string } };
    if (body.error?.description) {
      return new ApiError(response.status, body.error.code ?? "ERROR", body.error.description);
    }
  } catch {
    // Not JSON (e.g. a proxy error page): fall through to a generic message.
  }
  return new ApiError(
    response.status,
    "HTTP_ERROR",
    `The server answered with HTTP ${response.status}. Please try again.`,
  );
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    signal: options.signal ?? null,
  };
  if (options.body !== undefined) {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(withQuery(`/api/v1${path}`, options.query), init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, "NETWORK_ERROR", "Could not reach the payment gateway. Check your connection and try again.");
  }

  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401) unauthorizedListeners.forEach((listener) => listener());
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

// A page of a list, newest first: hasMore says whether more items lie in the direction of paging
// (older, or newer when read with ending_before). total is every matching item, for the lists that
// count them (not events).
export interface Page<T> {
  items: T[];
  total?: number;
  hasMore: boolean;
}

// A page size and at most one cursor (an item id of the list).
type PageQuery = { limit: number } & Cursor;

let publicConfig: Promise<PublicConfig> | undefined;

export const api = {
  auth: {
    register: (body: { name: string; email: string; password: string; confirmPassword: string }) =>
      request<{ message: string; merchant: Merchant & { apiSecret: string } }>("POST", "/auth/register", { body }),
    login: (body: { email: string; password: string }) =>
      request<{ message: string; merchant: Merchant }>("POST", "/auth/login", { body }),
    logout: () => request<void>("POST", "/auth/logout"),
    // The session probe: merchant is null when signed out (not a 401, which browsers log as an error).
    session: (signal?: AbortSignal) => request<{ merchant: Merchant | null }>("GET", "/auth/session", { signal }),
    rollSecret: () => request<Credentials>("POST", "/auth/roll-secret"),
  },

  // Fetched once per page load: it only changes when the server is redeployed.
  publicConfig: (): Promise<PublicConfig> => {
    publicConfig ??= request<PublicConfig>("GET", "/public/config").catch((error: unknown) => {
      publicConfig = undefined;
      throw error;
    });
    return publicConfig;
  },

  stats: (signal?: AbortSignal) => request<Stats>("GET", "/stats", { signal }),

  orders: {
    create: (body: { amount: number; currency?: string; receipt?: string }) =>
      request<Order>("POST", "/orders", { body }),
    list: async (page: PageQuery, signal?: AbortSignal): Promise<Page<Order>> => {
      const res = await request<{ total: number; has_more: boolean; orders: Order[] }>("GET", "/orders", {
        query: { ...page },
        signal,
      });
      return { items: res.orders, total: res.total, hasMore: res.has_more };
    },
    // The publishable key is optional (the order names its merchant); when given, the gateway
    // checks that the order is that merchant's.
    getPublic: (orderId: string, key?: string, signal?: AbortSignal) =>
      request<PublicOrder>("GET", `/orders/${encodeURIComponent(orderId)}/public`, { query: { key }, signal }),
  },

  payments: {
    list: async (page: PageQuery, filters: PaymentFilters, signal?: AbortSignal): Promise<Page<Payment>> => {
      const res = await request<{ total: number; has_more: boolean; payments: Payment[] }>("GET", "/payments", {
        query: { ...page, ...filters },
        signal,
      });
      return { items: res.payments, total: res.total, hasMore: res.has_more };
    },
    get: (id: string, signal?: AbortSignal) =>
      request<Payment>("GET", `/payments/${encodeURIComponent(id)}`, { signal }),
    capture: (id: string, amount: number) =>
      request<Payment>("POST", `/payments/${encodeURIComponent(id)}/capture`, { body: { amount } }),
    void: (id: string) => request<Payment>("POST", `/payments/${encodeURIComponent(id)}/void`, { body: {} }),
    refund: (id: string, body: { amount: number; reason?: string }) =>
      request<Refund>("POST", `/payments/${encodeURIComponent(id)}/refunds`, { body }),
    createPublic: (key: string | undefined, orderId: string, payment: NewPayment) =>
      request<PublicPayment>("POST", "/payments/public", { body: { key, order_id: orderId, ...payment } }),
    getPublic: (id: string, key: string | undefined, signal?: AbortSignal) =>
      request<PublicPayment>("GET", `/payments/${encodeURIComponent(id)}/public`, { query: { key }, signal }),
  },

  refunds: {
    list: async (page: PageQuery & { payment_id?: string }, signal?: AbortSignal): Promise<Page<Refund>> => {
      const res = await request<{ total: number; has_more: boolean; refunds: Refund[] }>("GET", "/refunds", {
        query: { ...page },
        signal,
      });
      return { items: res.refunds, total: res.total, hasMore: res.has_more };
    },
  },

  auditLog: {
    list: async (page: PageQuery, signal?: AbortSignal): Promise<Page<AuditEntry>> => {
      const res = await request<{ total: number; has_more: boolean; entries: AuditEntry[] }>("GET", "/audit-log", {
        query: { ...page },
        signal,
      });
      return { items: res.entries, total: res.total, hasMore: res.has_more };
    },
  },

  webhooks: {
    config: (signal?: AbortSignal) => request<WebhookConfig>("GET", "/webhooks/config", { signal }),
    saveUrl: (webhookUrl: string) =>
      request<WebhookConfig>("PUT", "/webhooks/config", { body: { webhook_url: webhookUrl } }),
    regenerateSecret: () => request<WebhookConfig>("POST", "/webhooks/regenerate-secret"),
    sendTest: () => request<{ id: string; status: string }>("POST", "/webhooks/test"),
    list: async (
      page: PageQuery & { status?: string; endpoint_id?: string; event_id?: string },
      signal?: AbortSignal,
    ): Promise<Page<WebhookDelivery>> => {
      const res = await request<{ data: WebhookDelivery[]; total: number; has_more: boolean }>("GET", "/webhooks", {
        query: { ...page },
        signal,
      });
      return { items: res.data, total: res.total, hasMore: res.has_more };
    },
    retry: (id: string) =>
      request<{ id: string; status: string; message: string }>("POST", `/webhooks/${encodeURIComponent(id)}/retry`),
  },

  // Events newest first; the list has no total, only has_more.
  events: {
    list: async (page: PageQuery, filters: EventFilters, signal?: AbortSignal): Promise<Page<GatewayEvent>> => {
      const res = await request<{ data: GatewayEvent[]; has_more: boolean }>("GET", "/events", {
        query: { ...page, ...eventsQuery(filters) },
        signal,
      });
      return { items: res.data, hasMore: res.has_more };
    },
  },

  endpoints: {
    list: async (signal?: AbortSignal): Promise<WebhookEndpoint[]> =>
      (await request<{ data: WebhookEndpoint[] }>("GET", "/webhook_endpoints", { signal })).data,
    create: (url: string, enabledEvents: string[]) =>
      request<WebhookEndpoint>("POST", "/webhook_endpoints", { body: { url, enabled_events: enabledEvents } }),
    setStatus: (id: string, status: "enabled" | "disabled") =>
      request<WebhookEndpoint>("PATCH", `/webhook_endpoints/${encodeURIComponent(id)}`, { body: { status } }),
    update: (id: string, changes: EndpointChanges) =>
      request<WebhookEndpoint>("PATCH", `/webhook_endpoints/${encodeURIComponent(id)}`, { body: changes }),
    rollSecret: (id: string) =>
      request<WebhookEndpoint>("POST", `/webhook_endpoints/${encodeURIComponent(id)}/roll-secret`),
    remove: (id: string) => request<{ deleted: boolean }>("DELETE", `/webhook_endpoints/${encodeURIComponent(id)}`),
    // Replays the endpoint's events created in [gte, lte] (unset: from the oldest kept, to now)
    // whose type matches types (unset: *).
    replay: (id: string, range: { gte?: string | null; lte?: string; types?: string[] } = {}) =>
      request<Replay>("POST", `/webhook_endpoints/${encodeURIComponent(id)}/replay`, {
        body: {
          ...(range.gte || range.lte ? { created: { gte: range.gte ?? undefined, lte: range.lte } } : {}),
          ...(range.types && range.types.length > 0 ? { types: range.types } : {}),
        },
      }),
    getReplay: (id: string, signal?: AbortSignal) => request<Replay>("GET", `/replays/${encodeURIComponent(id)}`, { signal }),
    cancelReplay: (id: string) => request<Replay>("POST", `/replays/${encodeURIComponent(id)}/cancel`),
  },
};

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong. Please try again.";
}
