// Integration tests against a running gateway with the seeded test merchant, in test mode (the
// simulated bank approves, except the test card 4000 0000 0000 0002 and the VPA failure@upi).
//
//   BASE_URL=http://127.0.0.1:8000 npm run test:live
//   ./scripts/with-stack.sh bash -c 'cd sdk/js && npm run test:live'   (from the repository root)
//
// The webhook test points the merchant's webhook URL at a local receiver and restores the
// previous URL afterwards.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { after, before, describe, test } from "node:test";

import {
  AuthenticationError,
  IdempotencyError,
  InvalidRequestError,
  NotFoundError,
  PaymentGateway,
  PaymentGatewayError,
  WebhookVerificationError,
  verifyCheckoutSignature,
  verifyLegacySignature,
  verifyWebhook,
} from "../src/index.js";

const BASE_URL = (process.env.BASE_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
const API_KEY = process.env.PAYGATE_API_KEY ?? "key_test_abc123";
const API_SECRET = process.env.PAYGATE_API_SECRET ?? "secret_test_xyz789";

const gateway = new PaymentGateway({ apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: BASE_URL });
const run = randomUUID().slice(0, 8); // keeps idempotency keys fresh against a long-lived gateway
const nextYear = new Date().getUTCFullYear() + 1;
const card = (number) => ({ number, expiry_month: 12, expiry_year: nextYear, cvv: "123", holder_name: "Asha Rao" });

async function paidPayment(amount) {
  const order = await gateway.createOrder({ amount });
  const created = await gateway.createPayment({ order_id: order.id, method: "upi", vpa: "buyer@okicici" });
  const payment = await gateway.waitForPayment(created.id);
  assert.equal(payment.status, "success", JSON.stringify(payment));
  return payment;
}

describe(`live gateway at ${BASE_URL}`, { timeout: 120_000 }, () => {
  before(async () => {
    const health = await fetch(`${BASE_URL}/health`).catch((err) => err);
    assert.ok(health.ok, `no gateway at ${BASE_URL} (${health.message ?? health.status}); start one or set BASE_URL`);
  });

  test("order → UPI payment → success → capture → partial refund → processed", async () => {
    const receipt = `live-${run}`;
    const order = await gateway.createOrder({ amount: 50000, currency: "INR", receipt, notes: { run } });
    assert.match(order.id, /^order_[A-Za-z0-9]{16}$/);
    assert.equal(order.status, "created");
    assert.equal(order.receipt, receipt);
    assert.deepEqual(order.notes, { run });
    assert.equal((await gateway.getOrder(order.id)).id, order.id);

    const created = await gateway.createPayment({ order_id: order.id, method: "upi", vpa: "user@paytm" });
    assert.match(created.id, /^pay_[A-Za-z0-9]{16}$/);
    assert.equal(created.status, "pending");
    assert.equal(created.amount, 50000);
    assert.equal(created.vpa, "user@paytm");

    const payment = await gateway.waitForPayment(created.id);
    assert.equal(payment.status, "success");
    assert.equal((await gateway.getOrder(order.id)).status, "paid");

    const captured = await gateway.capturePayment(payment.id, { amount: 50000 });
    assert.equal(captured.captured, true);
    assert.ok(captured.captured_at);

    const refund = await gateway.createRefund(payment.id, { amount: 20000, reason: "Customer request" });
    assert.match(refund.id, /^rfnd_[A-Za-z0-9]{16}$/);
    assert.equal(refund.status, "pending");
    assert.equal(refund.amount, 20000);
    const processed = await gateway.waitForRefund(refund.id);
    assert.equal(processed.status, "processed");
    assert.ok(processed.processed_at);
    assert.equal((await gateway.getPayment(payment.id)).amount_refunded, 20000);

    const refunds = await gateway.listRefunds({ payment_id: payment.id });
    assert.deepEqual(refunds.refunds.map((r) => r.id), [refund.id]);
    assert.equal(refunds.total, 1);
    const payments = await gateway.listPayments({ status: "success", method: "upi", from: new Date(), limit: 100 });
    assert.ok(payments.payments.some((p) => p.id === payment.id));
    const orders = await gateway.listOrders({ limit: 5 });
    assert.ok(orders.total >= 1 && orders.orders.length <= 5);
  });

  test("a declined card fails with CARD_DECLINED", async () => {
    const order = await gateway.createOrder({ amount: 1000 });
    const created = await gateway.createPayment({ order_id: order.id, card: card("4000 0000 0000 0002") });
    assert.equal(created.method, "card");
    assert.equal(created.card_last4, "0002");
    const payment = await gateway.waitForPayment(created.id);
    assert.equal(payment.status, "failed");
    assert.equal(payment.error_code, "CARD_DECLINED");
    await assert.rejects(gateway.createRefund(payment.id), InvalidRequestError);
  });

  test("an idempotency key replays the first payment", async () => {
    const order = await gateway.createOrder({ amount: 2500 }, { idempotencyKey: `order-${run}` });
    const orderAgain = await gateway.createOrder({ amount: 2500 }, { idempotencyKey: `order-${run}` });
    assert.equal(orderAgain.id, order.id);
    assert.equal(orderAgain.replayed, true);

    const params = { order_id: order.id, method: "upi", vpa: "a@upi" };
    const first = await gateway.createPayment(params, { idempotencyKey: `pay-${run}` });
    const again = await gateway.createPayment(params, { idempotencyKey: `pay-${run}` });
    assert.equal(first.replayed, false);
    assert.equal(again.replayed, true);
    assert.deepEqual(again, first);

    const err = await gateway.createPayment({ ...params, vpa: "b@upi" }, { idempotencyKey: `pay-${run}` }).catch((e) => e);
    assert.ok(err instanceof IdempotencyError, String(err));
    assert.equal(err.status, 422);
    assert.equal(err.code, "IDEMPOTENCY_ERROR");

    await gateway.waitForPayment(first.id);
    const r1 = await gateway.createRefund(first.id, { amount: 100 }, { idempotencyKey: `refund-${run}` });
    const r2 = await gateway.createRefund(first.id, { amount: 100 }, { idempotencyKey: `refund-${run}` });
    assert.equal(r2.id, r1.id);
    assert.equal(r2.replayed, true);
    assert.equal((await gateway.listRefunds({ payment_id: first.id })).total, 1);
  });

  test("errors carry the API's status and code", async () => {
    const order = await gateway.createOrder({ amount: 1000 });
    const badVpa = await gateway.createPayment({ order_id: order.id, method: "upi", vpa: "not-a-vpa" }).catch((e) => e);
    assert.ok(badVpa instanceof InvalidRequestError, String(badVpa));
    assert.equal(badVpa.status, 400);
    assert.equal(badVpa.code, "INVALID_VPA");
    assert.ok(badVpa.requestId);

    const expired = { ...card("4111111111111111"), expiry_year: 2020 };
    await assert.rejects(gateway.createPayment({ order_id: order.id, card: expired }), { code: "EXPIRED_CARD", status: 400 });
    await assert.rejects(gateway.createPayment({ order_id: order.id, card: card("4111111111111112") }), { code: "INVALID_CARD" });
    await assert.rejects(gateway.createOrder({ amount: 5 }), { code: "BAD_REQUEST_ERROR", status: 400 });

    for (const call of [
      () => gateway.getOrder("order_0000000000000000"),
      () => gateway.getPayment("pay_0000000000000000"),
      () => gateway.getRefund("rfnd_0000000000000000"),
      () => gateway.createPayment({ order_id: "order_0000000000000000", vpa: "a@upi" }),
      () => gateway.createRefund("pay_0000000000000000"),
    ]) {
      const err = await call().catch((e) => e);
      assert.ok(err instanceof NotFoundError, String(err));
      assert.equal(err.status, 404);
      assert.equal(err.code, "NOT_FOUND_ERROR");
    }

    const wrong = new PaymentGateway({ apiKey: API_KEY, apiSecret: "wrong", baseUrl: BASE_URL });
    const auth = await wrong.listOrders().catch((e) => e);
    assert.ok(auth instanceof AuthenticationError && auth instanceof PaymentGatewayError);
    assert.equal(auth.status, 401);
    assert.equal(auth.code, "AUTHENTICATION_ERROR");
  });

  describe("webhooks", () => {
    let receiver;
    let receiverUrl;
    let previousUrl;
    const deliveries = [];

    before(async () => {
      receiver = http.createServer((req, res) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
          deliveries.push({ headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(200, { "Content-Type": "application/json" }).end('{"received":true}');
        });
      });
      await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      receiverUrl = `http://127.0.0.1:${receiver.address().port}/webhooks`;
      previousUrl = (await gateway.getWebhookConfig()).webhook_url;
    });

    after(async () => {
      await gateway.setWebhookUrl(previousUrl ?? "").catch(() => {});
      receiver.closeAllConnections();
      receiver.close();
    });

    async function delivery(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = deliveries.find(match);
        if (found) return found;
        if (Date.now() > deadline) assert.fail(`no matching delivery after ${timeoutMs} ms (${deliveries.length} received)`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    test("a real delivery verifies; a tampered one does not", async () => {
      const config = await gateway.setWebhookUrl(receiverUrl);
      assert.equal(config.webhook_url, receiverUrl);
      const secret = config.webhook_secret;

      const payment = await paidPayment(50000);
      const d = await delivery((d) => d.body.includes(payment.id) && d.body.includes('"payment.success"'));

      const event = verifyWebhook(d.body, d.headers, secret);
      assert.equal(event.event, "payment.success");
      assert.equal(event.id, d.headers["webhook-id"]);
      assert.equal(event.data.payment.id, payment.id);
      assert.equal(event.data.payment.status, "success");
      assert.equal(verifyWebhook(d.body.toString("utf8"), new Headers(d.headers), secret).id, event.id);
      assert.equal(verifyLegacySignature(d.body, d.headers["x-webhook-signature"], secret), true);

      const tampered = Buffer.from(d.body.toString("utf8").replace("50000", "50001"));
      assert.notDeepEqual(tampered, d.body);
      assert.throws(() => verifyWebhook(tampered, d.headers, secret), (err) => err instanceof WebhookVerificationError && err.reason === "bad_signature");
      assert.equal(verifyLegacySignature(tampered, d.headers["x-webhook-signature"], secret), false);
      assert.throws(() => verifyWebhook(d.body, d.headers, `${secret}x`), WebhookVerificationError);

      const logs = await gateway.listWebhookLogs({ event: "payment.success", limit: 100 });
      assert.ok(logs.data.some((l) => l.id === event.id));
    });

    test("the checkout signature verifies with the webhook secret", async () => {
      const { webhook_secret: secret } = await gateway.getWebhookConfig();
      const payment = await paidPayment(1000);
      const response = await fetch(`${BASE_URL}/api/v1/payments/${payment.id}/public?key=${encodeURIComponent(API_KEY)}`);
      const view = await response.json();
      assert.equal(response.status, 200, JSON.stringify(view));
      const outcome = { orderId: payment.order_id, paymentId: payment.id, signature: view.signature };
      assert.equal(verifyCheckoutSignature(outcome, secret), true);
      assert.equal(verifyCheckoutSignature({ ...outcome, paymentId: "pay_0000000000000000" }, secret), false);
    });
  });
});
