// @paygate/node: a client for the PayGate API and verification of its webhooks and checkout
// signatures. No runtime dependencies: fetch for HTTP (Node 20+, browsers, edge runtimes) and
// node:crypto for HMAC where it exists (a plain-JavaScript HMAC elsewhere).
import { ErrorCodes, PaymentGatewayConnectionError, errorFor } from "./errors.js";

export {
  ErrorCodes,
  PaymentGatewayError,
  InvalidRequestError,
  AuthenticationError,
  NotFoundError,
  IdempotencyError,
  RateLimitError,
  ServerError,
  PaymentGatewayConnectionError,
} from "./errors.js";
export {
  verifyWebhook,
  verifyLegacySignature,
  verifyCheckoutSignature,
  WebhookVerificationError,
  DEFAULT_TOLERANCE_SECONDS,
} from "./webhooks.js";

/** Where a client points when no baseUrl is given: a gateway started locally with `make dev`. */
export const DEFAULT_BASE_URL = "http://127.0.0.1:8000";

/** This package's version, sent in the User-Agent header. */
export const VERSION = "0.1.0";

const ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * A client of the PayGate API for one merchant. Objects are returned as the API's JSON
 * (snake_case fields, amounts in minor units, ISO 8601 UTC timestamps), and request parameters
 * use the same field names.
 */
export class PaymentGateway {
  #apiKey;
  #apiSecret;
  #baseUrl;
  #timeoutMs;
  #fetch;

  /**
   * @param {object} options
   * @param {string} options.apiKey the merchant's API key
   * @param {string} options.apiSecret the merchant's API secret (keep it on the server)
   * @param {string} [options.baseUrl] the gateway's URL, without /api/v1 (default http://127.0.0.1:8000)
   * @param {number} [options.timeoutMs] per-request timeout (default 30000; 0 for none)
   * @param {typeof fetch} [options.fetch] a fetch implementation (default globalThis.fetch)
   */
  constructor({ apiKey, apiSecret, baseUrl = DEFAULT_BASE_URL, timeoutMs = 30_000, fetch: fetchImpl } = {}) {
    if (typeof apiKey !== "string" || apiKey === "") throw new TypeError("apiKey is required");
    if (typeof apiSecret !== "string" || apiSecret === "") throw new TypeError("apiSecret is required");
    fetchImpl ??= globalThis.fetch;
    if (typeof fetchImpl !== "function") throw new TypeError("no fetch: pass options.fetch");
    this.#apiKey = apiKey;
    this.#apiSecret = apiSecret;
    this.#baseUrl = String(baseUrl).replace(/\/+$/, "");
    this.#timeoutMs = timeoutMs;
    this.#fetch = fetchImpl;

    /** The events API: every event, kept 30 days, newest first. */
    this.events = Object.freeze({
      /** Lists events: { type (name or "payment.*"), limit, starting_after, ending_before, created }. */
      list: ({ type, ...page } = {}, options = {}) => this.#request("GET", "/events", { ...options, query: { ...pageQuery(page), type } }),
      /** Iterates over every event from the page list(params) gives on, a page at a time. */
      all: (params = {}, options = {}) => this.#all((p) => this.events.list(p, options), params, "data"),
      /** Fetches an event by id. */
      get: (id, options = {}) => this.#request("GET", `/events/${checkId(id)}`, options),
    });

    /** Webhook endpoints: each receives the events its enabled_events match, signed with its secret. */
    this.webhookEndpoints = Object.freeze({
      /** Creates an endpoint: { url, enabled_events: ["payment.success", "refund.*"] | ["*"], description }; the answer shows its secret. */
      create: ({ url, enabled_events, description } = {}, options = {}) =>
        this.#request("POST", "/webhook_endpoints", { ...options, body: { url, enabled_events, description } }),
      /** Lists every endpoint: { object: "list", data, has_more }. */
      list: (options = {}) => this.#request("GET", "/webhook_endpoints", options),
      /** Fetches an endpoint (without its secret). */
      get: (id, options = {}) => this.#request("GET", `/webhook_endpoints/${checkId(id)}`, options),
      /** Changes { url, enabled_events, description, status: "enabled" | "disabled" }. */
      update: (id, changes = {}, options = {}) => this.#request("PATCH", `/webhook_endpoints/${checkId(id)}`, { ...options, body: changes }),
      /** Deletes an endpoint: { id, object, deleted: true }. */
      del: (id, options = {}) => this.#request("DELETE", `/webhook_endpoints/${checkId(id)}`, options),
      /** Gives the endpoint a new signing secret, returned in secret. */
      rollSecret: (id, options = {}) => this.#request("POST", `/webhook_endpoints/${checkId(id)}/roll-secret`, options),
      /** Starts a replay: { created: { gte, lte }, types }; 409 REPLAY_IN_PROGRESS while one runs. */
      replay: (id, { created, types } = {}, options = {}) =>
        this.#request("POST", `/webhook_endpoints/${checkId(id)}/replay`, { ...options, body: { created: dates(created), types } }),
      /** The endpoint's latest replays. */
      listReplays: (id, options = {}) => this.#request("GET", `/webhook_endpoints/${checkId(id)}/replays`, options),
    });

    /** Replays of events to an endpoint, run by a workflow: { status, total, sent, failed }. */
    this.replays = Object.freeze({
      get: (id, options = {}) => this.#request("GET", `/replays/${checkId(id)}`, options),
      cancel: (id, options = {}) => this.#request("POST", `/replays/${checkId(id)}/cancel`, options),
    });
  }

  /** The gateway URL requests go to. */
  get baseUrl() {
    return this.#baseUrl;
  }

  // --- orders ----------------------------------------------------------------------------

  /**
   * Creates an order: { amount (minor units, at least 100), currency? ("INR" default, "USD",
   * "EUR", "GBP"), receipt?, notes? }.
   */
  async createOrder(params, options = {}) {
    return this.#request("POST", "/orders", { body: params, ...options, create: true });
  }

  /** Fetches an order by id; an unknown id throws NotFoundError. */
  async getOrder(id, options = {}) {
    return this.#request("GET", `/orders/${checkId(id)}`, options);
  }

  /**
   * Lists orders, newest first: { count, total, orders, has_more }. Every list takes limit,
   * starting_after or ending_before (an id of the list: the page older than it, or just newer),
   * created ({ gte, gt, lte, lt }: Unix seconds, ISO 8601 strings or Dates) and, for
   * compatibility, offset (at most 10 000).
   */
  async listOrders(params = {}, options = {}) {
    return this.#request("GET", "/orders", { ...options, query: pageQuery(params) });
  }

  /** Iterates over every order from the page listOrders(params) gives on, a page at a time. */
  allOrders(params = {}, options = {}) {
    return this.#all((p) => this.listOrders(p, options), params, "orders");
  }

  // --- payments --------------------------------------------------------------------------

  /**
   * Starts a payment of an order: { order_id, method: "upi", vpa } or { order_id, method: "card",
   * card: { number, expiry_month, expiry_year, cvv, holder_name } }. method may be left out when
   * vpa or card says it. The payment is returned pending; poll getPayment (or waitForPayment) or
   * listen for the payment.success / payment.failed webhooks.
   */
  async createPayment(params, options = {}) {
    const body = { ...params };
    if (body.method === undefined) {
      if (body.vpa !== undefined) body.method = "upi";
      else if (body.card !== undefined) body.method = "card";
    }
    return this.#request("POST", "/payments", { body, ...options, create: true });
  }

  /** Fetches a payment by id. */
  async getPayment(id, options = {}) {
    return this.#request("GET", `/payments/${checkId(id)}`, options);
  }

  /**
   * Lists payments, newest first, optionally filtered: { limit, offset, status, method, from,
   * to } and the list parameters of listOrders. from and to are inclusive creation days, as
   * "YYYY-MM-DD" or a Date (its UTC day). Returns { count, total, payments, has_more }.
   */
  async listPayments({ status, method, capture_state, from, to, ...page } = {}, options = {}) {
    return this.#request("GET", "/payments", { ...options, query: { ...pageQuery(page), status, method, capture_state, from: day(from), to: day(to) } });
  }

  /** Iterates over every payment from the page listPayments(params) gives on, a page at a time. */
  allPayments(params = {}, options = {}) {
    return this.#all((p) => this.listPayments(p, options), params, "payments");
  }

  /**
   * Captures a successful payment for amount: at most its amount, at least 100; the rest of the
   * authorization is released.
   */
  async capturePayment(id, { amount } = {}, options = {}) {
    return this.#request("POST", `/payments/${checkId(id)}/capture`, { body: { amount }, ...options, create: true });
  }

  /** capturePayment(id, { amount }) in short. */
  async capture(id, amount, options = {}) {
    return this.capturePayment(id, { amount }, options);
  }

  /** Releases a successful, uncaptured payment's authorization: it becomes voided (payment.voided). */
  async void(id, options = {}) {
    return this.#request("POST", `/payments/${checkId(id)}/void`, { body: {}, ...options, create: true });
  }

  /**
   * Test mode only: moves a payment's test clock by `by` (a Go duration such as "120h"): its
   * timers due within it fire now, so an authorization expires without waiting. Returns the
   * payment afterwards.
   */
  async advancePayment(id, by, options = {}) {
    return this.#request("POST", `/test/payments/${checkId(id)}/advance`, { body: { by }, ...options });
  }

  /**
   * Polls a payment until it is no longer pending and returns it. Rejects with a DOMException
   * named "TimeoutError" when it is still pending after timeoutMs (default 60000).
   */
  async waitForPayment(id, { timeoutMs = 60_000, signal } = {}) {
    return this.#poll(() => this.getPayment(id, { signal }), timeoutMs, signal);
  }

  // --- refunds ---------------------------------------------------------------------------

  /**
   * Refunds a successful payment: { amount? (minor units; everything left when omitted),
   * reason? }. The refund is returned pending.
   */
  async createRefund(paymentId, { amount, reason } = {}, options = {}) {
    return this.#request("POST", `/payments/${checkId(paymentId)}/refunds`, { body: { amount, reason }, ...options, create: true });
  }

  /** Fetches a refund by id. */
  async getRefund(id, options = {}) {
    return this.#request("GET", `/refunds/${checkId(id)}`, options);
  }

  /** Lists refunds, newest first, optionally of one payment: { count, total, refunds, has_more }. */
  async listRefunds({ payment_id, ...page } = {}, options = {}) {
    return this.#request("GET", "/refunds", { ...options, query: { ...pageQuery(page), payment_id } });
  }

  /** Iterates over every refund from the page listRefunds(params) gives on, a page at a time. */
  allRefunds(params = {}, options = {}) {
    return this.#all((p) => this.listRefunds(p, options), params, "refunds");
  }

  /** Polls a refund until it is no longer pending and returns it. */
  async waitForRefund(id, { timeoutMs = 60_000, signal } = {}) {
    return this.#poll(() => this.getRefund(id, { signal }), timeoutMs, signal);
  }

  // --- webhooks --------------------------------------------------------------------------

  /** The webhook endpoint and signing secret: { webhook_url, webhook_secret }. */
  async getWebhookConfig(options = {}) {
    return this.#request("GET", "/webhooks/config", options);
  }

  /** Sets the webhook endpoint; "" disables delivery. Returns { webhook_url, webhook_secret }. */
  async setWebhookUrl(url, options = {}) {
    return this.#request("PUT", "/webhooks/config", { ...options, body: { webhook_url: url } });
  }

  /** Replaces the webhook signing secret; returns the new { webhook_url, webhook_secret }. */
  async regenerateWebhookSecret(options = {}) {
    return this.#request("POST", "/webhooks/regenerate-secret", options);
  }

  /** Sends a webhook.test event to the configured endpoint: { id, status }. */
  async sendTestWebhook(options = {}) {
    return this.#request("POST", "/webhooks/test", options);
  }

  /** Lists webhook deliveries, newest first: { data, total, limit, offset, has_more }. */
  async listWebhookLogs({ status, event, ...page } = {}, options = {}) {
    return this.#request("GET", "/webhooks", { ...options, query: { ...pageQuery(page), status, event } });
  }

  /** Iterates over every delivery from the page listWebhookLogs(params) gives on, a page at a time. */
  allWebhookLogs(params = {}, options = {}) {
    return this.#all((p) => this.listWebhookLogs(p, options), params, "data");
  }

  /** Fetches one event's delivery record. */
  async getWebhookLog(id, options = {}) {
    return this.#request("GET", `/webhooks/${checkId(id)}`, options);
  }

  /** Schedules a delivery again from its first attempt: { id, status, message }. */
  async retryWebhook(id, options = {}) {
    return this.#request("POST", `/webhooks/${checkId(id)}/retry`, options);
  }

  // --- plumbing --------------------------------------------------------------------------

  async #request(method, path, { body, query, idempotencyKey, signal, timeoutMs = this.#timeoutMs, create = false } = {}) {
    let url = `${this.#baseUrl}/api/v1${path}`;
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
    }
    if (search.toString() !== "") url += `?${search}`;
    const headers = {
      Accept: "application/json",
      "User-Agent": `paygate-node/${VERSION}`,
      "X-Api-Key": this.#apiKey,
      "X-Api-Secret": this.#apiSecret,
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey !== undefined && idempotencyKey !== null) headers["Idempotency-Key"] = String(idempotencyKey);

    const controller = new AbortController();
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs) : undefined;
    const forward = () => controller.abort(signal.reason);
    if (signal?.aborted) forward();
    signal?.addEventListener("abort", forward, { once: true });
    let response;
    let text;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        redirect: "manual",
      });
      text = await response.text();
    } catch (err) {
      if (signal?.aborted && !timedOut) throw signal.reason ?? err;
      const why = timedOut ? `timed out after ${timeoutMs} ms` : (err?.cause?.message ?? err?.message ?? String(err));
      throw new PaymentGatewayConnectionError(`${method} ${path}: ${why}`, { cause: err });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }

    const requestId = response.headers.get("x-request-id");
    if (response.status < 200 || response.status > 299) {
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        // Not followed: that would send the API secret wherever the redirect points.
        text = `Redirected to ${location}; set baseUrl to the gateway's final URL`;
      }
      throw errorFrom(response.status, text, requestId);
    }
    let data = null;
    if (text !== "") {
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new Error(`${method} ${path}: the ${response.status} answer is not JSON`, { cause: err });
      }
    }
    if (create && data !== null && typeof data === "object") {
      // Not enumerable: the object stays the API's JSON when serialised or spread.
      Object.defineProperty(data, "replayed", { value: response.headers.get("idempotent-replayed") === "true", enumerable: false });
    }
    return data;
  }

  // Pages through a list by starting_after from the page params ask for (ending_before ignored)
  // while has_more says there are more, yielding each item.
  async *#all(list, { ending_before, ...params }, key) {
    for (;;) {
      const page = await list(params);
      const items = page[key];
      yield* items;
      if (!page.has_more || items.length === 0) return;
      params = { ...params, offset: undefined, starting_after: items[items.length - 1].id };
    }
  }

  async #poll(get, timeoutMs, signal) {
    const deadline = Date.now() + timeoutMs;
    let pause = 200;
    for (;;) {
      const object = await get();
      if (object.status !== "pending") return object;
      if (Date.now() + pause > deadline) {
        throw new DOMException(`${object.id} is still pending after ${timeoutMs} ms`, "TimeoutError");
      }
      await sleep(pause, signal);
      pause = Math.min(Math.round(pause * 1.5), 2000);
    }
  }
}

function errorFrom(status, text, requestId) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not the API's error shape
  }
  const e = parsed?.error;
  if (e && typeof e.code === "string") {
    return errorFor({ status, code: e.code, description: String(e.description ?? ""), requestId });
  }
  const description = text.trim().slice(0, 200) || `HTTP ${status}`;
  return errorFor({ status, code: null, description, requestId });
}

function checkId(id) {
  if (typeof id !== "string" || !ID.test(id)) {
    throw new TypeError(`invalid id ${JSON.stringify(id)}: ids are letters, digits, "_" and "-"`);
  }
  return id;
}

// The query of a list's page: limit, offset, a cursor and the created range.
function pageQuery({ limit, offset, starting_after, ending_before, created = {} }) {
  const query = { limit, offset, starting_after, ending_before };
  for (const bound of ["gte", "gt", "lte", "lt"]) {
    const value = created[bound];
    query[`created[${bound}]`] = value instanceof Date ? value.toISOString() : value;
  }
  return query;
}

function dates(created) {
  if (created === undefined) return undefined;
  const out = {};
  for (const [bound, value] of Object.entries(created)) out[bound] = value instanceof Date ? value.toISOString() : value;
  return out;
}

function day(value) {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return value;
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export default PaymentGateway;
