// Browser tests of the hosted checkout opened from an order id alone (no publishable key), under
// its Content-Security-Policy, directly and framed by checkout.js on another origin.
//
//   BASE_URL=http://127.0.0.1:8000 node --test e2e/checkout.test.mjs
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { api, BASE_URL, createOrder, launch, MERCHANT, PROCESSING_TIMEOUT, TEST_TIMEOUT, watchErrors } from "./support.mjs";

let browser;
let merchantSite;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
  merchantSite?.close();
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1024, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

// The checkout's calls to the public API, to show that none of them carried a key.
function watchPublicCalls(page) {
  const calls = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/v1/") && request.url().includes("public")) {
      calls.push({ url: request.url(), body: request.postData() });
    }
  });
  return calls;
}

function assertNoKey(calls) {
  assert.ok(calls.length >= 3, `the checkout read the order, paid and polled: ${JSON.stringify(calls)}`);
  for (const call of calls) {
    assert.equal(new URL(call.url).searchParams.has("key"), false, call.url);
    if (call.body) assert.equal("key" in JSON.parse(call.body), false, call.body);
  }
}

test("hosted checkout opens from order_id alone, pays by card, under its CSP", { timeout: TEST_TIMEOUT }, async () => {
  const order = await createOrder(129900);
  const page = await newPage();
  const errors = await watchErrors(page);
  const calls = watchPublicCalls(page);

  const response = await page.goto(`${BASE_URL}/checkout?order_id=${encodeURIComponent(order.id)}`);
  const csp = response.headers()["content-security-policy"] ?? "";
  for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
    "object-src 'none'", "base-uri 'self'", "frame-ancestors *"]) {
    assert.ok(csp.split(/;\s*/).includes(directive), `CSP ${JSON.stringify(csp)} lacks ${directive}`);
  }
  assert.equal(response.headers()["x-frame-options"], undefined);

  await page.waitForSelector("[data-test-id=order-summary]");
  assert.equal(await page.locator("[data-test-id=order-amount]").textContent(), "₹1,299.00");
  await page.click("[data-test-id=method-card]");
  await page.fill("[data-test-id=card-number-input]", "4111111111111111");
  await page.fill("[data-test-id=expiry-input]", "12/30");
  await page.fill("[data-test-id=cvv-input]", "123");
  await page.fill("[data-test-id=cardholder-name-input]", "Asha Rao");
  await page.click("[data-test-id=pay-button]");
  await page.waitForSelector("[data-test-id=success-state]", { timeout: PROCESSING_TIMEOUT });
  const paymentId = await page.locator("[data-test-id=success-state] [data-test-id=payment-id]").textContent();

  const payment = await api(`/payments/${paymentId}`);
  assert.equal(payment.status, "success");
  assert.equal(payment.order_id, order.id);
  assertNoKey(calls);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("checkout.js without a key, on another origin, pays in its frame", { timeout: TEST_TIMEOUT }, async () => {
  const order = await createOrder(75000);
  const shop = `<!doctype html><html><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><button id="buy">Buy now</button>
  <script src="${BASE_URL}/checkout.js"></script>
  <script>
    window.events = [];
    document.getElementById("buy").onclick = function () {
      new PaymentGateway({
        orderId: new URLSearchParams(location.search).get("order"),
        onSuccess: function (r) { window.events.push({ type: "success", r: r }); },
        onFailure: function (r) { window.events.push({ type: "failure", r: r }); },
      }).open();
    };
  </script>
</body></html>`;
  merchantSite = http.createServer((_, res) => res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(shop));
  const shopUrl = await new Promise((resolve) =>
    merchantSite.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${merchantSite.address().port}`)),
  );

  const page = await newPage();
  const errors = await watchErrors(page);
  const calls = watchPublicCalls(page);
  await page.goto(`${shopUrl}/?order=${encodeURIComponent(order.id)}`);
  await page.click("#buy");
  const iframe = page.locator("[data-test-id=payment-iframe]");
  assert.equal(new URL(await iframe.getAttribute("src")).searchParams.has("key"), false);
  const frame = page.frameLocator("[data-test-id=payment-iframe]");
  await frame.locator("[data-test-id=method-upi]").click();
  await frame.locator("[data-test-id=vpa-input]").fill("asha@okicici");
  await frame.locator("[data-test-id=pay-button]").click();
  await page.waitForFunction(() => window.events.some((e) => e.type === "success"), null, {
    timeout: PROCESSING_TIMEOUT,
  });
  const success = (await page.evaluate(() => window.events)).find((e) => e.type === "success").r;
  assert.equal(success.orderId, order.id);
  assert.match(success.signature, /^[0-9a-f]{64}$/);
  assert.equal((await api(`/payments/${success.paymentId}`)).status, "success");
  assertNoKey(calls);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("hosted checkout refuses another merchant's key", { timeout: TEST_TIMEOUT }, async () => {
  const order = await createOrder(5000);
  const other = await api("/auth/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: { name: "Other shop", email: `other-${Date.now()}@example.com`, password: "s3cret-pass", confirmPassword: "s3cret-pass" },
  });
  assert.notEqual(other.merchant.apiKey, MERCHANT.key);
  const page = await newPage();
  await page.goto(`${BASE_URL}/checkout?order_id=${encodeURIComponent(order.id)}&key=${encodeURIComponent(other.merchant.apiKey)}`);
  await page.getByRole("alert").getByText("Order not found").waitFor();
  assert.equal(await page.locator("[data-test-id=order-summary]").count(), 0);
  await page.context().close();
});
