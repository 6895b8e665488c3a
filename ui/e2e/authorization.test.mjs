// Browser test of an authorization's life in the transaction drawer: an authorized payment shows
// "Authorized, capture by …" with a countdown and its expiry in the timeline; it is captured for
// less than its amount from the prefilled form, and another is voided behind a confirmation.
//
//   BASE_URL=http://127.0.0.1:8000 node --test e2e/authorization.test.mjs
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, BASE_URL, createOrder, launch, MERCHANT, PROCESSING_TIMEOUT, TEST_TIMEOUT } from "./support.mjs";

let browser;
let page;

async function authorizedPayment(amount) {
  const order = await createOrder(amount);
  const payment = await api("/payments", {
    method: "POST",
    body: { order_id: order.id, method: "upi", vpa: "authorized@okaxis" },
  });
  const deadline = Date.now() + PROCESSING_TIMEOUT;
  for (;;) {
    const now = await api(`/payments/${payment.id}`);
    if (now.status !== "pending") {
      assert.equal(now.status, "success");
      assert.equal(now.captured, false);
      assert.ok(now.capture_expires_at, "an authorized payment shows capture_expires_at");
      return now;
    }
    assert.ok(Date.now() < deadline, "the payment stayed pending");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function openDrawer(payment) {
  await page.goto(`${BASE_URL}/dashboard/transactions?payment=${payment.id}`);
  const drawer = page.locator("[data-test-id=payment-drawer]");
  await drawer.locator("[data-test-id=payment-timeline]").waitFor();
  return drawer;
}

before(async () => {
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${BASE_URL}/login`);
  await page.fill("[data-test-id=email-input]", MERCHANT.email);
  await page.fill("[data-test-id=password-input]", MERCHANT.password);
  await page.click("[data-test-id=login-button]");
  await page.waitForURL(/\/dashboard$/);
});

after(async () => {
  await browser?.close();
});

test("capture part of an authorized payment from the drawer", { timeout: TEST_TIMEOUT }, async () => {
  const payment = await authorizedPayment(45000);
  const drawer = await openDrawer(payment);

  const notice = drawer.locator("[data-test-id=authorization-notice]");
  assert.match(await notice.textContent(), /^Authorized, capture by .+\(\d+d \d+h left\)$/);
  await drawer.getByText("Authorization expires", { exact: true }).waitFor();

  const amount = drawer.locator("[data-test-id=capture-amount-input]");
  assert.equal(await amount.inputValue(), "450.00", "the capture form is prefilled with the full amount");
  await amount.fill("300");
  await drawer.locator("[data-test-id=capture-button]").click();
  const dialog = page.getByRole("dialog", { name: "Capture payment?" });
  await dialog.getByText("The remaining ₹150.00 of the authorization is released.", { exact: false }).waitFor();
  await dialog.getByRole("button", { name: "Capture ₹300.00" }).click();

  await drawer.getByText("₹300.00 of ₹450.00; the rest released").waitFor();
  await notice.waitFor({ state: "detached" });
  assert.equal(await drawer.locator("[data-test-id=void-button]").count(), 0);
  const captured = await api(`/payments/${payment.id}`);
  assert.equal(captured.captured, true);
  assert.equal(captured.amount_captured, 30000);
  // Refunds are limited to what was captured.
  assert.equal(await drawer.locator("[data-test-id=refund-amount-input]").inputValue(), "300.00");
});

test("void an authorized payment behind a confirmation", { timeout: TEST_TIMEOUT }, async () => {
  const payment = await authorizedPayment(21000);
  const drawer = await openDrawer(payment);

  await drawer.locator("[data-test-id=void-button]").click();
  const dialog = page.getByRole("dialog", { name: "Void payment?" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  assert.equal((await api(`/payments/${payment.id}`)).status, "success", "cancelling voids nothing");

  await drawer.locator("[data-test-id=void-button]").click();
  await dialog.getByRole("button", { name: "Void payment" }).click();
  await drawer.locator("[data-test-id=voided-notice]").waitFor();
  await drawer.getByText("Authorization released", { exact: true }).waitFor();
  assert.equal(await drawer.locator("[data-test-id=capture-form]").count(), 0);
  assert.equal(await drawer.locator("[data-test-id=refund-form]").count(), 0);
  const voided = await api(`/payments/${payment.id}`);
  assert.equal(voided.status, "voided");
  assert.equal(voided.void_reason, "requested");

  // The transactions filter finds it among the voided ones.
  await page.keyboard.press("Escape");
  await page.goto(`${BASE_URL}/dashboard/transactions?capture_state=voided`);
  await page.locator(`[data-test-id=transaction-row][data-payment-id="${payment.id}"]`).waitFor();
  assert.equal(await page.locator("[data-test-id=capture-filter]").inputValue(), "voided");
});

test("an expired authorization shows in the timeline (test clock)", { timeout: TEST_TIMEOUT }, async () => {
  const payment = await authorizedPayment(12000);
  const expired = await api(`/test/payments/${payment.id}/advance`, { method: "POST", body: { by: "120h" } });
  assert.equal(expired.status, "voided");
  assert.equal(expired.void_reason, "expired");
  const drawer = await openDrawer(payment);
  await drawer.getByText("Authorization expired", { exact: true }).waitFor();
  await drawer.locator("[data-test-id=voided-notice]").waitFor();
});
