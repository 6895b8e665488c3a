// Browser tests of the dashboard, the hosted checkout and checkout.js against a
// running gateway (API, worker, Temporal, database with the seeded test merchant).
//
//   BASE_URL=http://127.0.0.1:8000 npm run test:e2e
//
// Uses Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium) through
// playwright-core; no browser is downloaded. Screenshots of every page are
// written only when SCREENSHOTS_DIR names a directory (absolute, or relative to
// the working directory): `npm run screenshots` writes them to docs/screenshots/.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdir } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { api, BASE_URL, createOrder, launch, MERCHANT, PROCESSING_TIMEOUT, TEST_TIMEOUT } from "./support.mjs";

const SCREENSHOTS = process.env.SCREENSHOTS_DIR ? path.resolve(process.env.SCREENSHOTS_DIR) : null;

let browser;
let dashboard; // a signed-in page
let webhookReceiver;
let merchantSite;

// --- helpers ---------------------------------------------------------------

// A UPI payment made by the merchant's server, not through any page the browser has open.
async function payViaApi(amount, vpa = "live.update@okaxis") {
  const order = await createOrder(amount);
  return api("/payments", { method: "POST", body: { order_id: order.id, method: "upi", vpa } });
}

const checkoutUrl = (orderId) =>
  `${BASE_URL}/checkout?order_id=${encodeURIComponent(orderId)}&key=${encodeURIComponent(MERCHANT.key)}`;

// "₹1,23,456.78" → 12345678 paise
const paiseFromText = (text) => Math.round(Number(text.replace(/[₹,\s]/g, "")) * 100);

// Saves <SCREENSHOTS_DIR>/<name>.png; without SCREENSHOTS_DIR it does nothing, so that test
// runs leave the tree clean. Dialogs and drawers cover only the viewport, so they are taken
// with `fullPage: false`; `fitDrawer` first makes the viewport tall enough for the whole drawer.
async function shot(page, name, { fullPage = true, fitDrawer = false } = {}) {
  if (!SCREENSHOTS) return;
  const viewport = page.viewportSize();
  if (fitDrawer) {
    const height = await page.evaluate(() => {
      const panel = document.querySelector(".drawer-panel");
      const body = panel.querySelector(".drawer-body");
      return panel.offsetHeight - body.clientHeight + body.scrollHeight;
    });
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.ceil(height)) });
  }
  await page.mouse.move(0, 0); // no hover effects from the last click
  await page.waitForFunction(() => !document.querySelector(".toast"), null, { timeout: 10_000 });
  await page.waitForTimeout(300); // let transitions settle
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: fullPage && !fitDrawer });
  if (fitDrawer) await page.setViewportSize(viewport);
}

// Marks a page so that assertNotReloaded can later prove it updated by itself.
const markPage = (page) => page.evaluate(() => (window.__e2eNotReloaded = true));
const assertNotReloaded = async (page) =>
  assert.equal(await page.evaluate(() => window.__e2eNotReloaded), true, "the page was reloaded");

// Polls `check` until it stops throwing, like Playwright Test's expect.poll.
async function eventually(check, { timeout = 15_000, interval = 500 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}

function listen(server) {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)),
  );
}

// A webhook receiver on a free port answering 200, recording each delivery (path, headers and
// parsed body).
async function receiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ url: req.url, headers: req.headers, raw: body, body: JSON.parse(body) });
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    });
  });
  return { received, server, url: `${await listen(server)}/endpoint` };
}

// Whether a delivery's signature (Standard Webhooks: webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>", keyed with the secret's base64 after whsec_) is the secret's.
function verifies(delivery, secret) {
  const { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signatures } = delivery.headers;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${delivery.raw}`).digest("base64");
  return signatures.split(" ").some((s) => s === `v1,${expected}`);
}

// A public page to pay from: fresh context, no dashboard session.
async function newCustomerPage() {
  const context = await browser.newContext({ viewport: { width: 1024, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

async function payByCard(page, number) {
  await page.click("[data-test-id=method-card]");
  await page.waitForSelector("[data-test-id=card-form]");
  await page.fill("[data-test-id=card-number-input]", number);
  await page.fill("[data-test-id=expiry-input]", "12/30");
  await page.fill("[data-test-id=cvv-input]", "123");
  await page.fill("[data-test-id=cardholder-name-input]", "Asha Rao");
}

// --- setup -----------------------------------------------------------------

before(async () => {
  if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  dashboard = await context.newPage();
  dashboard.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  webhookReceiver?.server.close();
  merchantSite?.close();
});

// --- tests -----------------------------------------------------------------

test("sign in and see the overview stats from the API", { timeout: TEST_TIMEOUT }, async () => {
  await dashboard.goto(`${BASE_URL}/dashboard`);
  await dashboard.waitForURL(/\/login$/); // no session yet
  await dashboard.waitForSelector("[data-test-id=login-form]");
  await shot(dashboard, "login");

  await dashboard.fill("[data-test-id=email-input]", MERCHANT.email);
  await dashboard.fill("[data-test-id=password-input]", MERCHANT.password);
  await dashboard.click("[data-test-id=login-button]");
  await dashboard.waitForURL(/\/dashboard$/);

  const credentials = dashboard.locator("[data-test-id=api-credentials]");
  assert.equal(await credentials.locator("[data-test-id=api-key]").textContent(), MERCHANT.key);
  const maskedSecret = await credentials.locator("[data-test-id=api-secret]").textContent();
  assert.match(maskedSecret, /^secret_•+$/);
  assert.ok(!(await dashboard.content()).includes(MERCHANT.secret), "the secret must never be on the page");

  await dashboard.waitForSelector("[data-test-id=stats-container]");
  await eventually(async () => {
    const stats = await api("/stats");
    const text = (id) => dashboard.locator(`[data-test-id=${id}]`).textContent();
    assert.equal(Number((await text("total-transactions")).replace(/,/g, "")), stats.total_transactions);
    assert.equal(paiseFromText(await text("total-amount")), stats.total_amount);
    assert.ok(Math.abs(parseFloat(await text("success-rate")) - stats.success_rate) <= 0.05);
  });
  if ((await api("/stats")).total_amount === 0) {
    // A new merchant: the chart says there is nothing yet instead of drawing an empty scale.
    await dashboard.locator("[data-test-id=volume-chart-empty]").waitFor();
    assert.equal(await dashboard.locator("[data-test-id=volume-chart] .chart-y-label").count(), 0);
  }
  // The overview's screenshot is taken at the end, once there are payments to show.
});

let upiPayment;

test("hosted checkout: UPI payment succeeds and shows in transactions", { timeout: TEST_TIMEOUT }, async () => {
  const order = await createOrder(50000);
  const page = await newCustomerPage();
  await page.goto(checkoutUrl(order.id));

  await page.waitForSelector("[data-test-id=order-summary]");
  assert.equal(await page.locator("[data-test-id=order-amount]").textContent(), "₹500.00");
  assert.equal(await page.locator("[data-test-id=order-summary] [data-test-id=order-id]").textContent(), order.id);

  await page.click("[data-test-id=method-upi]");
  await page.fill("[data-test-id=vpa-input]", "not a vpa");
  await page.click("[data-test-id=pay-button]");
  await page.getByText("Enter a UPI ID like name@bank").waitFor(); // inline validation, nothing sent
  await page.fill("[data-test-id=vpa-input]", "asha.rao@okhdfc");
  await shot(page, "checkout-upi");
  await page.click("[data-test-id=pay-button]");

  await page.waitForSelector("[data-test-id=processing-state]");
  assert.ok((await page.locator("[data-test-id=processing-message]").textContent()).length > 0);
  await shot(page, "checkout-processing");

  await page.waitForSelector("[data-test-id=success-state]", { timeout: PROCESSING_TIMEOUT });
  const paymentId = await page.locator("[data-test-id=success-state] [data-test-id=payment-id]").textContent();
  assert.match(await page.locator("[data-test-id=success-message]").textContent(), /successful/);
  await shot(page, "checkout-success");
  await page.context().close();

  upiPayment = await api(`/payments/${paymentId}`);
  assert.equal(upiPayment.status, "success");
  assert.equal(upiPayment.amount, 50000);

  await dashboard.goto(`${BASE_URL}/dashboard/transactions`);
  const row = dashboard.locator(`[data-test-id=transaction-row][data-payment-id="${paymentId}"]`);
  await row.waitFor();
  const cell = (id) => row.locator(`[data-test-id=${id}]`).textContent();
  assert.equal(await cell("payment-id"), paymentId);
  assert.equal(await cell("order-id"), order.id);
  assert.equal(await cell("amount"), "₹500.00");
  assert.equal(await cell("method"), "upi");
  assert.equal(await cell("status"), "success");
  assert.ok((await cell("created-at")).length > 0);
});

test("hosted checkout fits a 390 px wide phone", { timeout: TEST_TIMEOUT }, async () => {
  const order = await createOrder(129900);
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const sidewaysScroll = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  await page.goto(checkoutUrl(order.id));
  await page.waitForSelector("[data-test-id=order-summary]");
  await payByCard(page, "4111111111111111");
  assert.equal(await sidewaysScroll(), 0, "the form fits the width");
  await shot(page, "checkout-mobile");

  await page.click("[data-test-id=pay-button]");
  await page.waitForSelector("[data-test-id=success-state]", { timeout: PROCESSING_TIMEOUT });
  assert.equal(await sidewaysScroll(), 0, "the payment id fits the width");
  await shot(page, "checkout-mobile-success");
  await context.close();
});

test("hosted checkout: card 4111… succeeds, 4000…0002 is declined", { timeout: TEST_TIMEOUT }, async () => {
  const page = await newCustomerPage();

  const paid = await createOrder(129900);
  await page.goto(checkoutUrl(paid.id));
  await page.waitForSelector("[data-test-id=order-summary]");
  await page.click("[data-test-id=method-card]");
  await page.fill("[data-test-id=card-number-input]", "4111111111111111");
  assert.equal(await page.inputValue("[data-test-id=card-number-input]"), "4111 1111 1111 1111");
  await page.getByText("Visa", { exact: true }).waitFor();
  await payByCard(page, "4111111111111111");
  await shot(page, "checkout-card");
  await page.click("[data-test-id=pay-button]");
  await page.waitForSelector("[data-test-id=success-state]", { timeout: PROCESSING_TIMEOUT });

  const declined = await createOrder(50000);
  await page.goto(checkoutUrl(declined.id));
  await page.waitForSelector("[data-test-id=order-summary]");
  await payByCard(page, "4000000000000002");
  await page.click("[data-test-id=pay-button]");
  await page.waitForSelector("[data-test-id=error-state]", { timeout: PROCESSING_TIMEOUT });
  assert.ok((await page.locator("[data-test-id=error-message]").textContent()).trim().length > 0);
  await shot(page, "checkout-error");

  await page.click("[data-test-id=retry-button]");
  await page.waitForSelector("[data-test-id=card-form]");
  assert.equal(await page.inputValue("[data-test-id=card-number-input]"), "4000 0000 0000 0002");
  await page.context().close();
});

test("transactions show a payment made through the API without a reload", { timeout: TEST_TIMEOUT }, async () => {
  await dashboard.goto(`${BASE_URL}/dashboard/transactions`);
  await dashboard.locator("[data-test-id=transaction-row]").first().waitFor();
  await markPage(dashboard);

  const payment = await payViaApi(32000);
  const row = dashboard.locator(`[data-test-id=transaction-row][data-payment-id="${payment.id}"]`);
  await row.waitFor({ timeout: 15_000 }); // the list polls every few seconds
  assert.equal(await row.locator("[data-test-id=amount]").textContent(), "₹320.00");
  await eventually(async () => assert.equal(await row.locator("[data-test-id=status]").textContent(), "success"), {
    timeout: PROCESSING_TIMEOUT,
  });
  await assertNotReloaded(dashboard);
  await shot(dashboard, "transactions");
});

test("refund a payment from the transaction drawer", { timeout: TEST_TIMEOUT }, async () => {
  assert.ok(upiPayment, "needs the UPI payment from the earlier test");
  await dashboard.goto(`${BASE_URL}/dashboard/transactions`);
  await dashboard.click(`[data-test-id=transaction-row][data-payment-id="${upiPayment.id}"]`);
  const drawer = dashboard.locator("[data-test-id=payment-drawer]");
  await drawer.locator("[data-test-id=payment-timeline]").waitFor();

  const link = drawer.getByRole("link", { name: /View workflow in Temporal/ });
  assert.match(await link.getAttribute("href"), new RegExp(`/namespaces/[^/]+/workflows/${upiPayment.id}$`));

  const capture = drawer.locator("[data-test-id=capture-button]");
  if (await capture.isVisible()) {
    await capture.click();
    await dashboard
      .getByRole("dialog", { name: "Capture payment?" })
      .getByRole("button", { name: /^Capture/ })
      .click();
    await capture.waitFor({ state: "detached" });
  }

  await drawer.locator("[data-test-id=refund-amount-input]").fill("100");
  await drawer.locator("[data-test-id=refund-reason-input]").fill("Customer returned one item");
  await shot(dashboard, "transaction-drawer", { fitDrawer: true });
  await drawer.locator("[data-test-id=refund-button]").click();
  await dashboard
    .getByRole("dialog", { name: "Refund payment?" })
    .getByRole("button", { name: "Refund ₹100.00" })
    .click();
  await drawer.getByText(/Refund of ₹100\.00 (pending|processed)/).waitFor();

  const refunds = await api(`/refunds?payment_id=${upiPayment.id}`);
  assert.equal(refunds.refunds.length, 1);
  assert.equal(refunds.refunds[0].amount, 10000);
  await drawer.getByText("Refund of ₹100.00 processed").waitFor({ timeout: PROCESSING_TIMEOUT });
  await shot(dashboard, "transaction-drawer-refunded", { fitDrawer: true });

  await dashboard.keyboard.press("Escape");
  await dashboard.goto(`${BASE_URL}/dashboard/refunds`);
  await dashboard.locator(`[data-refund-id="${refunds.refunds[0].id}"]`).waitFor();
  await shot(dashboard, "refunds");
  await dashboard.goto(`${BASE_URL}/dashboard/orders`);
  await dashboard.locator(`[data-order-id="${upiPayment.order_id}"]`).waitFor();
  await shot(dashboard, "orders");
});

test("configure a webhook, send a test event and retry it", { timeout: TEST_TIMEOUT }, async () => {
  // The receiver fails the first delivery so that there is something to retry.
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      if (received.length === 1) res.writeHead(500, { "Content-Type": "text/plain" }).end("receiver not ready");
      else res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    });
  });
  webhookReceiver = { server, url: `${await listen(server)}/webhooks` };

  await dashboard.goto(`${BASE_URL}/dashboard/webhooks`);
  await dashboard.fill("[data-test-id=webhook-url-input]", webhookReceiver.url);
  await dashboard.click("[data-test-id=save-webhook-button]");
  await dashboard.getByText("Webhook URL saved").waitFor();
  assert.equal((await api("/webhooks/config")).webhook_url, webhookReceiver.url);
  assert.ok((await dashboard.locator("[data-test-id=webhook-secret]").textContent()).trim().length > 8);

  const before = (await api("/webhooks?limit=1")).total;
  await dashboard.click("[data-test-id=test-webhook-button]:not([disabled])");
  await eventually(async () => assert.ok((await api("/webhooks?limit=1")).total > before));
  await eventually(() => assert.ok(received.length > 0, "the test event reached the receiver"), {
    timeout: PROCESSING_TIMEOUT,
  });

  const testDelivery = (await api("/webhooks?event=webhook.test&limit=1")).data[0];
  const table = dashboard.locator("[data-test-id=webhook-logs-table]");
  const row = (delivery) => table.locator(`[data-test-id=webhook-log-row][data-webhook-id="${delivery.id}"]`);
  const status = (delivery) => row(delivery).locator("[data-test-id=webhook-status]").textContent();
  await row(testDelivery).waitFor();

  // The log refreshes by itself: the deliveries for a payment made through the API appear,
  // and turn successful, with nothing clicked or reloaded.
  await markPage(dashboard);
  const payment = await payViaApi(42000);
  const paymentDelivery = await eventually(
    async () => {
      const { data } = await api("/webhooks?event=payment.success&limit=100");
      const found = data.find((d) => JSON.stringify(d.payload).includes(payment.id));
      assert.ok(found, "a payment.success delivery for the new payment");
      return found;
    },
    { timeout: PROCESSING_TIMEOUT },
  );
  await row(paymentDelivery).waitFor({ timeout: 15_000 });
  await eventually(async () => assert.equal(await status(paymentDelivery), "success"), { timeout: PROCESSING_TIMEOUT });
  await assertNotReloaded(dashboard);

  await row(testDelivery).getByRole("button", { name: "Show details" }).click();
  await shot(dashboard, "webhooks");

  const attempts = received.length;
  await row(testDelivery).locator("[data-test-id=retry-webhook-button]").click();
  await eventually(() => assert.ok(received.length > attempts, "the retry was delivered"), {
    timeout: PROCESSING_TIMEOUT,
  });
  await eventually(async () => assert.equal(await status(testDelivery), "success"), { timeout: PROCESSING_TIMEOUT });
});

test("checkout.js on another origin pays in its modal and calls onSuccess", { timeout: TEST_TIMEOUT }, async () => {
  const order = await createOrder(75000);
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>Acme shop</title></head>
<body style="font-family:system-ui;padding:40px">
  <h1>Acme shop</h1><p>Blue mug — ₹750.00</p>
  <button id="buy">Buy now</button>
  <script src="${BASE_URL}/checkout.js"></script>
  <script>
    window.events = [];
    document.getElementById("buy").onclick = function () {
      new PaymentGateway({
        key: ${JSON.stringify(MERCHANT.key)},
        orderId: new URLSearchParams(location.search).get("order"),
        onSuccess: function (r) { window.events.push({ type: "success", r: r }); },
        onFailure: function (r) { window.events.push({ type: "failure", r: r }); },
        onClose: function () { window.events.push({ type: "close" }); },
      }).open();
    };
  </script>
</body></html>`;
  merchantSite = http.createServer((_, res) =>
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page),
  );
  const shopUrl = await listen(merchantSite);
  assert.notEqual(new URL(shopUrl).origin, new URL(BASE_URL).origin);

  const customer = await newCustomerPage();
  await customer.goto(`${shopUrl}/?order=${encodeURIComponent(order.id)}`);

  // Escape closes the modal and calls onClose.
  await customer.click("#buy");
  await customer.waitForSelector("[data-test-id=payment-modal]");
  await customer.keyboard.press("Escape");
  await customer.waitForSelector("[data-test-id=payment-modal]", { state: "detached" });
  assert.deepEqual(await customer.evaluate(() => window.events), [{ type: "close" }]);

  await customer.click("#buy");
  const iframe = customer.locator("[data-test-id=payment-iframe]");
  const src = new URL(await iframe.getAttribute("src"));
  assert.equal(src.origin, new URL(BASE_URL).origin);
  assert.equal(src.searchParams.get("parent_origin"), new URL(shopUrl).origin);
  assert.equal(src.searchParams.get("embedded"), "1");
  assert.ok(await customer.locator("[data-test-id=close-modal-button]").isVisible());

  const frame = customer.frameLocator("[data-test-id=payment-iframe]");
  await frame.locator("[data-test-id=order-amount]").waitFor();
  assert.equal(await frame.locator("[data-test-id=order-amount]").textContent(), "₹750.00");
  await frame.locator("[data-test-id=method-upi]").click();
  await frame.locator("[data-test-id=vpa-input]").fill("asha@okicici");
  // The modal fits the checkout's height: no blank space under it.
  await eventually(async () => {
    const iframeHeight = (await iframe.boundingBox()).height;
    const checkoutHeight = await frame.locator(".checkout-frame").evaluate((el) => el.offsetHeight);
    assert.ok(Math.abs(iframeHeight - checkoutHeight) <= 1, `iframe ${iframeHeight}px, checkout ${checkoutHeight}px`);
  });
  await shot(customer, "checkout-js-modal");
  await frame.locator("[data-test-id=pay-button]").click();

  await customer.waitForFunction(() => window.events.some((e) => e.type === "success"), null, {
    timeout: PROCESSING_TIMEOUT,
  });
  const success = (await customer.evaluate(() => window.events)).find((e) => e.type === "success").r;
  assert.equal(success.orderId, order.id);
  assert.match(success.paymentId, /\S/);
  await customer.waitForSelector("[data-test-id=payment-modal]", { state: "detached" });
  assert.equal((await api(`/payments/${success.paymentId}`)).status, "success");
  await customer.context().close();
});

test("dashboard checkout: create an order and pay it in the page", { timeout: TEST_TIMEOUT }, async () => {
  await dashboard.goto(`${BASE_URL}/dashboard/checkout`);
  await dashboard.fill("[data-test-id=order-amount-input]", "249.50");
  await dashboard.click("[data-test-id=create-order-button]");
  await dashboard.waitForSelector("[data-test-id=order-summary]");
  assert.equal(await dashboard.locator("[data-test-id=order-amount]").textContent(), "₹249.50");
  await payByCard(dashboard, "5555555555554444");
  await shot(dashboard, "dashboard-checkout");
  await dashboard.click("[data-test-id=pay-button]");
  await dashboard.waitForSelector("[data-test-id=success-state]", { timeout: PROCESSING_TIMEOUT });
});

test("the overview updates live and charts the volume", { timeout: TEST_TIMEOUT }, async () => {
  await dashboard.goto(`${BASE_URL}/dashboard`);
  const text = (id) => dashboard.locator(`[data-test-id=${id}]`).textContent();
  const count = async () => Number((await text("total-transactions")).replace(/,/g, ""));
  await dashboard.waitForSelector("[data-test-id=stats-container]");
  await eventually(async () => assert.equal(await count(), (await api("/stats")).total_transactions));
  const before = await count();
  await markPage(dashboard);

  const payment = await payViaApi(60000);
  await eventually(async () => assert.equal(await count(), before + 1));
  await eventually(async () => assert.equal((await api(`/payments/${payment.id}`)).status, "success"), {
    timeout: PROCESSING_TIMEOUT,
  });
  await eventually(async () => {
    const stats = await api("/stats");
    assert.equal(paiseFromText(await text("total-amount")), stats.total_amount);
    assert.ok(Math.abs(parseFloat(await text("success-rate")) - stats.success_rate) <= 0.05);
  });
  await assertNotReloaded(dashboard);

  // Bars for the volume, on an axis of distinct round labels from ₹0.
  const chart = dashboard.locator("[data-test-id=volume-chart]");
  assert.equal(await dashboard.locator("[data-test-id=volume-chart-empty]").count(), 0);
  assert.ok((await chart.locator(".chart-fill").count()) >= 1);
  const labels = await chart.locator(".chart-y-label").allTextContents();
  assert.equal(labels[0], "₹0");
  assert.equal(new Set(labels).size, labels.length, `axis labels ${labels.join(", ")}`);
  await shot(dashboard, "dashboard");

  // Rolling the secret asks for confirmation first (cancelled: the seeded secret must keep working).
  await dashboard.getByRole("button", { name: "Roll secret" }).click();
  await dashboard.getByRole("dialog", { name: "Roll API secret?" }).waitFor();
  await shot(dashboard, "roll-secret-confirm", { fullPage: false });
  await dashboard.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
});

test("add a webhook endpoint and watch a replay finish", { timeout: TEST_TIMEOUT }, async () => {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    });
  });
  const url = `${await listen(server)}/endpoint`;
  try {
    await dashboard.goto(`${BASE_URL}/dashboard/webhooks`);
    await dashboard.fill("[data-test-id=endpoint-url-input]", url);
    await dashboard.fill("[data-test-id=endpoint-events-input]", "payment.*");
    await dashboard.click("[data-test-id=add-endpoint-button]");
    assert.match(await dashboard.locator("[data-test-id=new-endpoint-secret] code").textContent(), /^whsec_/);
    const endpoint = (await api("/webhook_endpoints")).data.find((e) => e.url === url);
    assert.deepEqual(endpoint.enabled_events, ["payment.*"]);
    const row = dashboard.locator(`[data-test-id=endpoint-row][data-endpoint-id="${endpoint.id}"]`);
    await row.waitFor();

    const events = (await api("/events?type=payment.*&limit=100")).data;
    assert.ok(events.length > 0, "earlier tests made payment events");
    // The replay form starts a day back by default: every event of this run.
    await row.locator("[data-test-id=replay-endpoint-button]").click();
    const form = dashboard.getByRole("dialog", { name: "Replay events" });
    assert.ok((await form.getByLabel("From").inputValue()) !== "");
    await shot(dashboard, "webhook-replay-form", { fullPage: false });
    await form.getByRole("button", { name: "Start replay" }).click();
    await form.waitFor({ state: "detached" });
    await row.locator("[data-test-id=replay-progress][data-status=succeeded]").waitFor({ timeout: PROCESSING_TIMEOUT });
    const text = await row.locator("[data-test-id=replay-progress-text]").textContent();
    const [, sent, total] = text.match(/(\d+) sent, 0 failed of (\d+)/);
    assert.equal(sent, total);
    assert.ok(Number(total) >= events.length);
    await eventually(() => assert.ok(received.length >= Number(total), "the replayed events reached the endpoint"));
    assert.ok(received.every((e) => e.event.startsWith("payment.")));
    await shot(dashboard, "webhook-endpoints");
    await api(`/webhook_endpoints/${endpoint.id}`, { method: "DELETE" });
  } finally {
    server.close();
  }
});

test("edit an endpoint, see its own deliveries, roll its secret and delete it", { timeout: TEST_TIMEOUT }, async () => {
  const { received, server, url } = await receiver();
  const endpoint = await api("/webhook_endpoints", {
    method: "POST",
    body: { url: `${url}/before`, enabled_events: ["refund.failed"], description: "" },
  });
  try {
    await dashboard.goto(`${BASE_URL}/dashboard/webhooks`);
    const row = dashboard.locator(`[data-test-id=endpoint-row][data-endpoint-id="${endpoint.id}"]`);
    await row.waitFor();
    assert.equal(await row.locator("[data-test-id=endpoint-success-rate]").textContent(), "—");

    // Edit: URL, events and description, sent as a PATCH.
    await row.getByRole("button", { name: `Edit ${endpoint.url}` }).click();
    const dialog = dashboard.getByRole("dialog", { name: "Edit endpoint" });
    await dialog.getByLabel("Endpoint URL").fill(`${url}/after`);
    await dialog.getByLabel("Events").fill("webhook.test, refund.*");
    await dialog.getByLabel("Description").fill("Refunds service");
    await shot(dashboard, "webhook-endpoint-edit", { fullPage: false });
    await dialog.getByRole("button", { name: "Save" }).click();
    await dashboard.getByText("Endpoint updated").waitFor();
    await dialog.waitFor({ state: "detached" });
    const edited = await api(`/webhook_endpoints/${endpoint.id}`);
    assert.equal(edited.url, `${url}/after`);
    assert.deepEqual(edited.enabled_events, ["webhook.test", "refund.*"]);
    assert.equal(edited.description, "Refunds service");
    await eventually(async () => assert.equal(await row.locator("[data-test-id=endpoint-events]").textContent(), "webhook.test, refund.*"));
    assert.match(await row.textContent(), /Refunds service/);

    // A test event reaches it at its new URL; its success rate over 24 h shows.
    const { id: eventId } = await api("/webhooks/test", { method: "POST" });
    await eventually(() => assert.ok(received.some((r) => r.url === "/endpoint/after" && r.body.id === eventId)), {
      timeout: PROCESSING_TIMEOUT,
    });
    await eventually(async () => assert.equal(await row.locator("[data-test-id=endpoint-success-rate]").textContent(), "100%"), {
      timeout: 20_000,
    });

    // Selecting it shows only its deliveries in the log, from the URL.
    await row.getByRole("button", { name: `Show deliveries to ${url}/after` }).click();
    await dashboard.waitForURL(new RegExp(`endpoint=${endpoint.id}`));
    const log = dashboard.locator(`[data-test-id=delivery-log][data-endpoint-id="${endpoint.id}"]`);
    const logIds = () =>
      log.locator("[data-test-id=webhook-log-row]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-webhook-id")));
    const own = (await api(`/webhooks?endpoint_id=${endpoint.id}`)).data.map((d) => d.id);
    assert.equal(own.length, 1);
    await eventually(async () => assert.deepEqual(await logIds(), own));
    assert.ok(((await api(`/webhooks?event_id=${eventId}`)).data.length) > 1, "the primary endpoint got the event too");
    assert.equal(await log.getByLabel("Filter by endpoint").inputValue(), endpoint.id);
    await log.locator("[data-test-id=webhook-status]").first().getByText("success").waitFor();
    await shot(dashboard, "webhook-endpoint-log");
    await log.getByLabel("Filter by endpoint").selectOption("");
    await dashboard.waitForURL((u) => !u.searchParams.has("endpoint"));
    const all = dashboard.locator('[data-test-id=delivery-log][data-endpoint-id=""] [data-test-id=webhook-log-row]');
    await eventually(async () => assert.ok((await all.count()) > 1));

    // Roll its secret: confirmed first, then shown once.
    await row.getByRole("button", { name: `Roll the signing secret of ${url}/after` }).click();
    await dashboard.getByRole("dialog", { name: "Roll signing secret?" }).getByRole("button", { name: "Roll secret" }).click();
    const reveal = dashboard.getByRole("dialog", { name: "New signing secret" });
    const secret = await reveal.locator("[data-test-id=new-secret]").textContent();
    assert.match(secret, /^whsec_/);
    assert.notEqual(secret, endpoint.secret);
    await reveal.getByRole("button", { name: "Done" }).click();
    const before = received.length;
    const { id: signedId } = await api("/webhooks/test", { method: "POST" });
    await eventually(() => assert.ok(received.length > before), { timeout: PROCESSING_TIMEOUT });
    const signed = received.find((r) => r.body.id === signedId);
    assert.ok(verifies(signed, secret), "the next delivery is signed with the new secret");

    // Delete, once confirmed.
    await row.getByRole("button", { name: `Delete ${url}/after` }).click();
    await dashboard.getByRole("dialog", { name: "Delete endpoint?" }).getByRole("button", { name: "Delete endpoint" }).click();
    await row.waitFor({ state: "detached" });
    assert.ok(!(await api("/webhook_endpoints")).data.some((e) => e.id === endpoint.id));
  } finally {
    server.close();
    // Left behind by a failure, its closed receiver would fail until auto-disable.
    await fetch(`${BASE_URL}/api/v1/webhook_endpoints/${endpoint.id}`, {
      method: "DELETE",
      headers: { "X-Api-Key": MERCHANT.key, "X-Api-Secret": MERCHANT.secret },
    });
  }
});

test("the Events page filters events by type and shows each one's deliveries", { timeout: TEST_TIMEOUT }, async () => {
  const [newest] = (await api("/events?type=payment.success&limit=1")).data;
  assert.ok(newest, "earlier tests made payments");
  const deliveries = (await api(`/webhooks?event_id=${newest.id}`)).data;
  assert.ok(deliveries.length >= 1, "the primary endpoint got it");

  await dashboard.goto(`${BASE_URL}/dashboard`);
  await dashboard.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Events" }).click();
  await dashboard.waitForURL(/\/dashboard\/events$/);
  const rows = dashboard.locator("[data-test-id=events-table] [data-test-id=event-row]");
  const types = () => rows.evaluateAll((all) => all.map((r) => r.querySelector("td:nth-child(2)").textContent));
  await rows.first().waitFor();

  // A prefix wildcard, then an exact name.
  await dashboard.getByLabel("Type", { exact: true }).fill("payment.*");
  await dashboard.waitForURL(/type=payment\.\*/);
  await eventually(async () => {
    const shown = await types();
    assert.ok(shown.length > 0);
    assert.ok(shown.every((t) => t.startsWith("payment.")), shown.join(", "));
    assert.ok(new Set(shown).size > 1, shown.join(", "));
  });
  await dashboard.getByLabel("Type", { exact: true }).fill("payment.success");
  await eventually(async () => assert.ok((await types()).every((t) => t === "payment.success")));
  const row = rows.and(dashboard.locator(`[data-event-id="${newest.id}"]`));
  await row.waitFor();
  await eventually(async () =>
    assert.equal(
      await row.locator("[data-test-id=event-pending-webhooks]").textContent(),
      String((await api(`/events/${newest.id}`)).pending_webhooks),
    ),
  );

  // Its deliveries, one per endpoint it went to.
  await row.getByRole("button", { name: "Show deliveries" }).click();
  await dashboard.waitForURL(new RegExp(`event=${newest.id}`));
  const shown = dashboard.locator("[data-test-id=event-deliveries] [data-test-id=webhook-log-row]");
  await eventually(async () =>
    assert.deepEqual(
      await shown.evaluateAll((all) => all.map((r) => r.getAttribute("data-webhook-id"))),
      deliveries.map((d) => d.id),
    ),
  );
  // Each names the endpoint it went to.
  const urls = Object.fromEntries((await api("/webhook_endpoints")).data.map((e) => [e.id, e.url]));
  assert.deepEqual(
    await dashboard.locator("[data-test-id=event-deliveries] [data-test-id=delivery-endpoint]").allTextContents(),
    deliveries.map((d) => urls[d.endpoint_id] ?? d.endpoint_id),
  );
  await shot(dashboard, "events");

  // The next page is older, by cursor; a day with no events shows none.
  const pagination = dashboard.getByRole("navigation", { name: "Pagination" });
  const firstPage = await rows.evaluateAll((all) => all.map((r) => r.getAttribute("data-event-id")));
  if ((await api("/events?type=payment.success&limit=20")).has_more) {
    await pagination.getByRole("button", { name: "Next" }).click();
    await dashboard.waitForURL(new RegExp(`after=${firstPage[19]}`));
    await eventually(async () => assert.notEqual(await rows.first().getAttribute("data-event-id"), firstPage[0]));
  }
  await dashboard.getByLabel("To", { exact: true }).fill("2001-01-01");
  await dashboard.getByText("No events match these filters.").waitFor();
});

test("the audit log records sign-ins and webhook changes, and updates live", { timeout: TEST_TIMEOUT }, async () => {
  // Another browser context: a wrong password, then the right one, which leads back to the page asked for.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${BASE_URL}/dashboard/webhooks`);
  await page.waitForURL(/\/login$/);
  await page.fill("[data-test-id=email-input]", MERCHANT.email);
  await page.fill("[data-test-id=password-input]", "not-the-password");
  await page.click("[data-test-id=login-button]");
  await page.getByRole("alert").getByText("Invalid email or password").waitFor();
  await page.fill("[data-test-id=password-input]", MERCHANT.password);
  await page.click("[data-test-id=login-button]");
  await page.waitForURL(/\/dashboard\/webhooks$/);

  await page.getByRole("button", { name: "Regenerate" }).click();
  await page
    .getByRole("dialog", { name: "Regenerate signing secret?" })
    .getByRole("button", { name: "Regenerate" })
    .click();
  await page.getByText("New webhook secret generated").waitFor();

  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Audit log" }).click();
  await page.waitForURL(/\/dashboard\/audit-log$/);
  const rows = page.locator("[data-test-id=audit-log-table] [data-test-id=audit-log-row]");
  const row = (entry) => rows.and(page.locator(`[data-entry-id="${entry.id}"]`));
  const text = (entry) => row(entry).textContent();

  const { entries } = await api("/audit-log?limit=3");
  const [regenerated, login, failed] = entries;
  assert.deepEqual(entries.map((e) => e.action), ["webhook_secret_regenerated", "login", "login_failed"]);
  for (const entry of entries) {
    await row(entry).waitFor();
    assert.equal(await row(entry).getAttribute("data-action"), entry.action);
    assert.ok((await text(entry)).includes(`${MERCHANT.email}Dashboard`), await text(entry));
  }
  assert.match(await text(failed), /Failed sign-in/);
  assert.match(await text(login), /Signed in/);
  assert.match(await text(regenerated), /Webhook secret regenerated/);
  assert.equal(await rows.first().getAttribute("data-entry-id"), String(regenerated.id), "newest first");

  // A change made through the API while the page is open appears without a reload.
  await markPage(page);
  const { webhook_url: url } = await api("/webhooks/config");
  await api("/webhooks/config", { method: "PUT", body: { webhook_url: url ?? "" } });
  const [changed] = (await api("/audit-log?limit=1")).entries;
  assert.equal(changed.action, "webhook_url_changed");
  await row(changed).waitFor({ timeout: 15_000 }); // the log polls every few seconds
  assert.equal(await rows.first().getAttribute("data-entry-id"), String(changed.id));
  assert.match(await text(changed), /Webhook URL changed/);
  assert.ok((await text(changed)).includes(`${MERCHANT.key}API key`), await text(changed));
  assert.ok((await text(changed)).includes(`webhook_url: ${url ?? "null"}`), await text(changed));
  await assertNotReloaded(page);
  await shot(page, "audit-log");
  await context.close();
});

test("orders page by cursor, and a page stays put while orders are created", { timeout: TEST_TIMEOUT }, async () => {
  for (let i = 0; i < 21; i++) await createOrder(1000 + i);
  const ids = async () =>
    dashboard.locator("[data-test-id=orders-table] [data-test-id=order-row]").evaluateAll((rows) =>
      rows.map((row) => row.getAttribute("data-order-id")),
    );
  const firstPage = (await api("/orders?limit=20")).orders.map((o) => o.id);
  const [twentyFirst] = (await api(`/orders?limit=1&starting_after=${firstPage[19]}`)).orders;

  await dashboard.goto(`${BASE_URL}/dashboard/orders`);
  await eventually(async () => assert.deepEqual(await ids(), firstPage));
  const pagination = dashboard.getByRole("navigation", { name: "Pagination" });
  assert.ok(await pagination.getByRole("button", { name: "Previous" }).isDisabled());

  await pagination.getByRole("button", { name: "Next" }).click();
  await dashboard.waitForURL(new RegExp(`after=${firstPage[19]}`));
  await eventually(async () => assert.equal((await ids())[0], twentyFirst.id));
  const secondPage = await ids();

  // New orders are newer than every order shown: the second page does not shift.
  const created = await createOrder(2000);
  await dashboard.reload();
  await eventually(async () => assert.deepEqual(await ids(), secondPage));

  await pagination.getByRole("button", { name: "Previous" }).click();
  await dashboard.waitForURL(new RegExp(`before=${twentyFirst.id}`));
  await eventually(async () => assert.deepEqual(await ids(), firstPage));
  assert.ok(!(await ids()).includes(created.id));
  // has_more: the order created since is newer still.
  assert.ok(await pagination.getByRole("button", { name: "Previous" }).isEnabled());
});

// Auto-disable takes WEBHOOK_DISABLE_AFTER (60 s with WEBHOOK_RETRY_INTERVALS_TEST) of failures
// and then the endpoint health sweep, which runs every minute.
test("a banner on every page while an endpoint is auto-disabled; re-enabling replays what it missed", { timeout: 300_000 }, async () => {
  const { received, server, url } = await receiver();
  let healthy = false;
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (!healthy) return res.writeHead(503).end("down");
      received.push({ url: req.url, headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    });
  });
  const endpoint = await api("/webhook_endpoints", {
    method: "POST",
    body: { url: `${url}/flaky`, enabled_events: ["webhook.test"], description: "auto-disable e2e" },
  });
  try {
    for (let i = 0; i < 5; i++) await api("/webhooks/test", { method: "POST" });
    const disabled = await eventually(
      async () => {
        const e = await api(`/webhook_endpoints/${endpoint.id}`);
        assert.equal(e.status, "disabled", `failed_events ${e.failed_events}, failing since ${e.failing_since}`);
        return e;
      },
      { timeout: 240_000, interval: 2000 },
    );
    assert.match(disabled.disabled_reason, /^every delivery failed/);
    // Missed while disabled: replayed after re-enabling.
    const { id: missed } = await api("/webhooks/test", { method: "POST" });

    // Not the Webhooks page: the banner is in the layout.
    await dashboard.goto(`${BASE_URL}/dashboard/orders`);
    const banner = dashboard.locator(`[data-test-id=endpoint-disabled-banner][data-endpoint-id="${endpoint.id}"]`);
    await banner.waitFor();
    assert.match(await banner.textContent(), new RegExp(`${url}/flaky`));
    await shot(dashboard, "endpoint-disabled-banner");
    await dashboard.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Refunds" }).click();
    await dashboard.waitForURL(/\/dashboard\/refunds$/);
    await banner.waitFor();

    healthy = true;
    await banner.getByRole("button", { name: `Re-enable ${url}/flaky` }).click();
    await banner.waitFor({ state: "detached" });
    assert.equal((await api(`/webhook_endpoints/${endpoint.id}`)).status, "enabled");
    const offer = dashboard.locator(`[data-test-id=endpoint-replay-offer][data-endpoint-id="${endpoint.id}"]`);
    await offer.getByRole("button", { name: "Replay missed events" }).click();
    await offer.locator("[data-test-id=replay-progress][data-status=succeeded]").waitFor({ timeout: PROCESSING_TIMEOUT });
    await eventually(() => assert.ok(received.some((r) => r.body.id === missed), "the missed event was replayed"));
    await offer.getByRole("button", { name: "Close" }).click();
    await offer.waitFor({ state: "detached" });

    // Gone from every page.
    await dashboard.goto(`${BASE_URL}/dashboard`);
    await dashboard.waitForSelector("[data-test-id=stats-container]");
    assert.equal(await banner.count(), 0);
  } finally {
    await api(`/webhook_endpoints/${endpoint.id}`, { method: "DELETE" });
    server.close();
  }
});

test("logging out returns to the sign-in page", { timeout: TEST_TIMEOUT }, async () => {
  await dashboard.goto(`${BASE_URL}/dashboard`);
  await dashboard.getByRole("button", { name: "Log out" }).click();
  await dashboard.waitForURL(/\/login$/);
  await dashboard.goto(`${BASE_URL}/dashboard/transactions`);
  await dashboard.waitForURL(/\/login$/);
  await dashboard.goto(`${BASE_URL}/register`);
  await shot(dashboard, "register");
});
