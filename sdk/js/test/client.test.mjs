// Unit tests of the API client against a scripted local HTTP server: request shape, error
// classes, idempotency, timeouts and polling. The live tests (test/live.test.mjs) run it against
// a real gateway.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";

import PaymentGatewayDefault, {
  AuthenticationError,
  DEFAULT_BASE_URL,
  ErrorCodes,
  IdempotencyError,
  InvalidRequestError,
  NotFoundError,
  PaymentGateway,
  PaymentGatewayConnectionError,
  PaymentGatewayError,
  RateLimitError,
  ServerError,
} from "../src/index.js";

let server;
let baseUrl;
let requests; // what the server received
let answer; // (req, body) => { status, body, headers, delayMs }

before(async () => {
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      const got = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
      requests.push(got);
      const { status = 200, body = {}, headers = {}, delayMs = 0 } = answer(got) ?? {};
      setTimeout(() => {
        res.writeHead(status, { "Content-Type": "application/json", "X-Request-Id": "req-1", ...headers });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
      }, delayMs);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  requests = [];
  answer = () => ({ status: 200, body: { id: "order_1", status: "created" } });
});

const client = (options = {}) => new PaymentGateway({ apiKey: "key_1", apiSecret: "secret_1", baseUrl: `${baseUrl}/`, ...options });
const apiError = (status, code, description) => ({ status, body: { error: { code, description } } });

describe("requests", () => {
  test("authenticate with the key and secret, and send JSON", async () => {
    answer = () => ({ status: 201, body: { id: "order_1", amount: 50000 } });
    const order = await client().createOrder({ amount: 50000, currency: "INR", notes: { sku: "tea" } });
    assert.deepEqual(order, { id: "order_1", amount: 50000 });
    const [r] = requests;
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/api/v1/orders");
    assert.equal(r.headers["x-api-key"], "key_1");
    assert.equal(r.headers["x-api-secret"], "secret_1");
    assert.equal(r.headers["content-type"], "application/json");
    assert.match(r.headers["user-agent"], /^paygate-node\//);
    assert.equal(r.headers["idempotency-key"], undefined);
    assert.deepEqual(r.body, { amount: 50000, currency: "INR", notes: { sku: "tea" } });
  });

  test("send cursors and the created range, and page through a list by starting_after", async () => {
    const pages = { "": ["pay_5", "pay_4"], pay_4: ["pay_3", "pay_2"], pay_2: ["pay_1"] };
    answer = (req) => {
      const ids = pages[req.query.starting_after ?? ""];
      return { body: { count: ids.length, total: 5, payments: ids.map((id) => ({ id })), has_more: req.query.starting_after !== "pay_2" } };
    };
    const c = client();
    await c.listPayments({ limit: 2, ending_before: "pay_9", created: { gte: 1767225600, lt: new Date("2026-02-01T00:00:00Z") } });
    assert.deepEqual(requests[0].query, {
      limit: "2",
      ending_before: "pay_9",
      "created[gte]": "1767225600",
      "created[lt]": "2026-02-01T00:00:00.000Z",
    });
    requests = [];
    const seen = [];
    for await (const p of c.allPayments({ limit: 2, status: "success", ending_before: "ignored" })) seen.push(p.id);
    assert.deepEqual(seen, ["pay_5", "pay_4", "pay_3", "pay_2", "pay_1"]);
    assert.deepEqual(
      requests.map((r) => r.query),
      [
        { limit: "2", status: "success" },
        { limit: "2", status: "success", starting_after: "pay_4" },
        { limit: "2", status: "success", starting_after: "pay_2" },
      ],
    );
  });

  test("map every method to its route", async () => {
    answer = () => ({ body: { id: "x", status: "success" } });
    const c = client();
    await c.getOrder("order_1");
    await c.listOrders({ limit: 5, offset: 10 });
    await c.createPayment({ order_id: "order_1", vpa: "a@upi" });
    await c.createPayment({ order_id: "order_1", card: { number: "4111111111111111" } });
    await c.createPayment({ order_id: "order_1", method: "card", vpa: "ignored@upi" });
    await c.getPayment("pay_1");
    await c.listPayments({ status: "success", method: "upi", from: "2026-01-01", to: new Date("2026-01-31T23:00:00Z"), limit: 2 });
    await c.capturePayment("pay_1", { amount: 50000 });
    await c.capture("pay_1", 30000);
    await c.void("pay_2");
    await c.advancePayment("pay_3", "120h");
    await c.listPayments({ capture_state: "authorized" });
    await c.createRefund("pay_1", { amount: 100, reason: "r" });
    await c.createRefund("pay_1");
    await c.getRefund("rfnd_1");
    await c.listRefunds({ payment_id: "pay_1" });
    await c.getWebhookConfig();
    await c.setWebhookUrl("https://example.com/hook");
    await c.regenerateWebhookSecret();
    await c.sendTestWebhook();
    await c.listWebhookLogs({ status: "failed", event: "payment.success" });
    await c.getWebhookLog("evt_1");
    await c.retryWebhook("evt_1");
    const seen = requests.map((r) => [r.method, r.path, r.query, r.body]);
    assert.deepEqual(seen, [
      ["GET", "/api/v1/orders/order_1", {}, undefined],
      ["GET", "/api/v1/orders", { limit: "5", offset: "10" }, undefined],
      ["POST", "/api/v1/payments", {}, { order_id: "order_1", vpa: "a@upi", method: "upi" }],
      ["POST", "/api/v1/payments", {}, { order_id: "order_1", card: { number: "4111111111111111" }, method: "card" }],
      ["POST", "/api/v1/payments", {}, { order_id: "order_1", method: "card", vpa: "ignored@upi" }],
      ["GET", "/api/v1/payments/pay_1", {}, undefined],
      ["GET", "/api/v1/payments", { status: "success", method: "upi", from: "2026-01-01", to: "2026-01-31", limit: "2" }, undefined],
      ["POST", "/api/v1/payments/pay_1/capture", {}, { amount: 50000 }],
      ["POST", "/api/v1/payments/pay_1/capture", {}, { amount: 30000 }],
      ["POST", "/api/v1/payments/pay_2/void", {}, {}],
      ["POST", "/api/v1/test/payments/pay_3/advance", {}, { by: "120h" }],
      ["GET", "/api/v1/payments", { capture_state: "authorized" }, undefined],
      ["POST", "/api/v1/payments/pay_1/refunds", {}, { amount: 100, reason: "r" }],
      ["POST", "/api/v1/payments/pay_1/refunds", {}, {}],
      ["GET", "/api/v1/refunds/rfnd_1", {}, undefined],
      ["GET", "/api/v1/refunds", { payment_id: "pay_1" }, undefined],
      ["GET", "/api/v1/webhooks/config", {}, undefined],
      ["PUT", "/api/v1/webhooks/config", {}, { webhook_url: "https://example.com/hook" }],
      ["POST", "/api/v1/webhooks/regenerate-secret", {}, undefined],
      ["POST", "/api/v1/webhooks/test", {}, undefined],
      ["GET", "/api/v1/webhooks", { status: "failed", event: "payment.success" }, undefined],
      ["GET", "/api/v1/webhooks/evt_1", {}, undefined],
      ["POST", "/api/v1/webhooks/evt_1/retry", {}, undefined],
    ]);
  });

  test("refuse ids that could change the path, without a request", async () => {
    const c = client();
    for (const id of ["", "../payments", "pay_1/capture", "order?x=1", undefined, 42]) {
      await assert.rejects(c.getOrder(id), TypeError, String(id));
      await assert.rejects(c.createRefund(id, {}), TypeError);
    }
    assert.equal(requests.length, 0);
  });

  test("need credentials and use the default base URL", () => {
    assert.throws(() => new PaymentGateway({ apiSecret: "s" }), TypeError);
    assert.throws(() => new PaymentGateway({ apiKey: "k" }), TypeError);
    assert.equal(new PaymentGateway({ apiKey: "k", apiSecret: "s" }).baseUrl, DEFAULT_BASE_URL);
    assert.equal(DEFAULT_BASE_URL, "http://127.0.0.1:8000");
    assert.equal(PaymentGatewayDefault, PaymentGateway);
  });

  test("use an injected fetch", async () => {
    const calls = [];
    const fetch = async (url, init) => {
      calls.push([url, init.method]);
      return new Response(JSON.stringify({ id: "pay_1" }), { status: 200 });
    };
    const p = await new PaymentGateway({ apiKey: "k", apiSecret: "s", baseUrl: "https://gw.example", fetch }).getPayment("pay_1");
    assert.equal(p.id, "pay_1");
    assert.deepEqual(calls, [["https://gw.example/api/v1/payments/pay_1", "GET"]]);
  });
});

describe("idempotency", () => {
  test("send the key and report a replay without changing the object's JSON", async () => {
    let n = 0;
    answer = () => ({ status: 201, body: { id: "pay_1", status: "pending" }, headers: n++ ? { "Idempotent-Replayed": "true" } : {} });
    const c = client();
    const first = await c.createPayment({ order_id: "order_1", vpa: "a@upi" }, { idempotencyKey: "k-1" });
    const again = await c.createPayment({ order_id: "order_1", vpa: "a@upi" }, { idempotencyKey: "k-1" });
    assert.deepEqual(requests.map((r) => r.headers["idempotency-key"]), ["k-1", "k-1"]);
    assert.equal(first.replayed, false);
    assert.equal(again.replayed, true);
    assert.equal(JSON.stringify(again), JSON.stringify({ id: "pay_1", status: "pending" }));
    assert.deepEqual(Object.keys(again), ["id", "status"]);
  });

  test("send the key on every create call", async () => {
    answer = () => ({ status: 201, body: { id: "x" } });
    const c = client();
    await c.createOrder({ amount: 100 }, { idempotencyKey: "o" });
    await c.capturePayment("pay_1", { amount: 100 }, { idempotencyKey: "c" });
    await c.createRefund("pay_1", { amount: 1 }, { idempotencyKey: "r" });
    await c.sendTestWebhook({ idempotencyKey: "t" });
    assert.deepEqual(requests.map((r) => r.headers["idempotency-key"]), ["o", "c", "r", "t"]);
  });
});

describe("errors", () => {
  const cases = [
    [apiError(400, "INVALID_VPA", "vpa is not a valid UPI address"), InvalidRequestError, false],
    [apiError(400, "BAD_REQUEST_ERROR", "amount must be an integer"), InvalidRequestError, false],
    [apiError(401, "AUTHENTICATION_ERROR", "Invalid API credentials"), AuthenticationError, false],
    [apiError(403, "AUTHENTICATION_ERROR", "Cross-origin request refused"), AuthenticationError, false],
    [apiError(404, "NOT_FOUND_ERROR", "Order not found"), NotFoundError, false],
    [apiError(409, "IDEMPOTENCY_ERROR", "still being processed"), IdempotencyError, true],
    [apiError(422, "IDEMPOTENCY_ERROR", "used with a different request"), IdempotencyError, false],
    [apiError(405, "METHOD_NOT_ALLOWED", "Method not allowed on this route"), InvalidRequestError, false],
    [apiError(413, "PAYLOAD_TOO_LARGE", "Request body is larger than 1 MiB"), InvalidRequestError, false],
    [apiError(429, "RATE_LIMIT_ERROR", "slow down"), RateLimitError, true],
    [apiError(500, "SERVER_ERROR", "Something went wrong on our side"), ServerError, true],
    [apiError(503, "SERVICE_UNAVAILABLE", "retry shortly"), ServerError, true],
  ];
  for (const [reply, Class, retryable] of cases) {
    test(`${reply.status} ${reply.body.error.code} is a ${Class.name}`, async () => {
      answer = () => reply;
      const err = await client().getOrder("order_1").then(() => assert.fail("resolved"), (e) => e);
      assert.ok(err instanceof Class && err instanceof PaymentGatewayError && err instanceof Error);
      assert.equal(err.name, Class.name);
      assert.equal(err.status, reply.status);
      assert.equal(err.code, reply.body.error.code);
      assert.equal(err.description, reply.body.error.description);
      assert.equal(err.requestId, "req-1");
      assert.equal(err.retryable, retryable);
      assert.match(err.message, new RegExp(`^${reply.status} ${reply.body.error.code}: `));
    });
  }

  test("a body that is not the API's shape still gives a PaymentGatewayError", async () => {
    answer = () => ({ status: 502, body: "<html>Bad Gateway</html>", headers: { "Content-Type": "text/html" } });
    const err = await client().getOrder("order_1").catch((e) => e);
    assert.ok(err instanceof ServerError);
    assert.equal(err.code, null);
    assert.equal(err.description, "<html>Bad Gateway</html>");
    assert.equal(err.retryable, true);
  });

  test("a redirect is not followed (it would carry the secret)", async () => {
    answer = () => ({ status: 301, body: "", headers: { Location: "https://elsewhere.example/api/v1/orders/order_1" } });
    const err = await client().getOrder("order_1").catch((e) => e);
    assert.ok(err instanceof PaymentGatewayError);
    assert.equal(err.status, 301);
    assert.match(err.description, /elsewhere\.example/);
    assert.equal(requests.length, 1);
  });

  test("ErrorCodes lists the API's codes", () => {
    assert.equal(ErrorCodes.INVALID_VPA, "INVALID_VPA");
    assert.equal(ErrorCodes.NOT_FOUND, "NOT_FOUND_ERROR");
    assert.equal(ErrorCodes.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
    assert.equal(ErrorCodes.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
    assert.ok(Object.isFrozen(ErrorCodes));
  });

  test("no answer is a PaymentGatewayConnectionError", async () => {
    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await new PaymentGateway({ apiKey: "k", apiSecret: "s", baseUrl: `http://127.0.0.1:${port}` }).getOrder("order_1").catch((e) => e);
    assert.ok(err instanceof PaymentGatewayConnectionError, String(err));
    assert.ok(!(err instanceof PaymentGatewayError));
    assert.ok(err.cause);
  });

  test("a timeout is a PaymentGatewayConnectionError; the caller's abort is its own reason", async () => {
    answer = () => ({ body: { id: "order_1" }, delayMs: 300 });
    const err = await client({ timeoutMs: 50 }).getOrder("order_1").catch((e) => e);
    assert.ok(err instanceof PaymentGatewayConnectionError);
    assert.match(err.message, /timed out after 50 ms/);

    const controller = new AbortController();
    const pending = client().getOrder("order_1", { signal: controller.signal });
    controller.abort(new Error("user gave up"));
    await assert.rejects(pending, { message: "user gave up" });
    await assert.rejects(client().getOrder("order_1", { signal: AbortSignal.abort() }), { name: "AbortError" });
  });
});

describe("polling", () => {
  test("waitForPayment polls until the payment is final", async () => {
    let n = 0;
    answer = () => ({ body: { id: "pay_1", status: ++n < 3 ? "pending" : "success" } });
    const p = await client().waitForPayment("pay_1");
    assert.equal(p.status, "success");
    assert.equal(requests.length, 3);
  });

  test("waitForRefund gives up after timeoutMs", async () => {
    answer = () => ({ body: { id: "rfnd_1", status: "pending" } });
    await assert.rejects(client().waitForRefund("rfnd_1", { timeoutMs: 300 }), { name: "TimeoutError" });
  });

  test("polling surfaces API errors", async () => {
    answer = () => apiError(404, "NOT_FOUND_ERROR", "Payment not found");
    await assert.rejects(client().waitForPayment("pay_1"), NotFoundError);
  });
});

describe("events, webhook endpoints and replays", () => {
  beforeEach(() => {
    requests = [];
  });

  test("map to their routes", async () => {
    answer = () => ({ body: { id: "x" } });
    const c = new PaymentGateway({ apiKey: "k", apiSecret: "s", baseUrl });
    await c.events.list({ type: "payment.*", limit: 2, created: { gte: new Date("2026-01-01T00:00:00Z") } });
    await c.events.get("evt_1");
    await c.webhookEndpoints.create({ url: "https://example.com/h", enabled_events: ["refund.*"] });
    await c.webhookEndpoints.list();
    await c.webhookEndpoints.get("we_1");
    await c.webhookEndpoints.update("we_1", { status: "disabled" });
    await c.webhookEndpoints.del("we_1");
    await c.webhookEndpoints.rollSecret("we_1");
    await c.webhookEndpoints.replay("we_1", { created: { gte: 1767225600 }, types: ["payment.*"] });
    await c.replays.get("rpl_1");
    await c.replays.cancel("rpl_1");
    assert.deepEqual(requests.map((r) => [r.method, r.path, r.query, r.body]), [
      ["GET", "/api/v1/events", { type: "payment.*", limit: "2", "created[gte]": "2026-01-01T00:00:00.000Z" }, undefined],
      ["GET", "/api/v1/events/evt_1", {}, undefined],
      ["POST", "/api/v1/webhook_endpoints", {}, { url: "https://example.com/h", enabled_events: ["refund.*"] }],
      ["GET", "/api/v1/webhook_endpoints", {}, undefined],
      ["GET", "/api/v1/webhook_endpoints/we_1", {}, undefined],
      ["PATCH", "/api/v1/webhook_endpoints/we_1", {}, { status: "disabled" }],
      ["DELETE", "/api/v1/webhook_endpoints/we_1", {}, undefined],
      ["POST", "/api/v1/webhook_endpoints/we_1/roll-secret", {}, undefined],
      ["POST", "/api/v1/webhook_endpoints/we_1/replay", {}, { created: { gte: 1767225600 }, types: ["payment.*"] }],
      ["GET", "/api/v1/replays/rpl_1", {}, undefined],
      ["POST", "/api/v1/replays/rpl_1/cancel", {}, undefined],
    ]);
  });

  test("events.all pages by starting_after", async () => {
    const pages = [
      { object: "list", data: [{ id: "evt_3" }, { id: "evt_2" }], has_more: true },
      { object: "list", data: [{ id: "evt_1" }], has_more: false },
    ];
    answer = () => ({ body: pages.shift() });
    const c = new PaymentGateway({ apiKey: "k", apiSecret: "s", baseUrl });
    const ids = [];
    for await (const e of c.events.all({ limit: 2, type: "refund.*" })) ids.push(e.id);
    assert.deepEqual(ids, ["evt_3", "evt_2", "evt_1"]);
    assert.deepEqual(requests.map((r) => r.query), [
      { limit: "2", type: "refund.*" },
      { limit: "2", type: "refund.*", starting_after: "evt_2" },
    ]);
  });
});
