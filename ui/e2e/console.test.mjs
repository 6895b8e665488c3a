// The dashboard loads without a console error, signed out (it sends the person to sign in) and
// signed in (every page), and without a Content-Security-Policy violation.
//
//   BASE_URL=http://127.0.0.1:8000 node --test e2e/console.test.mjs
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE_URL, launch, MERCHANT, TEST_TIMEOUT, watchErrors } from "./support.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("the dashboard logs no console error, signed out or in", { timeout: TEST_TIMEOUT }, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors = await watchErrors(page);

  // Signed out: the dashboard probes the session and sends the person to sign in.
  const response = await page.goto(`${BASE_URL}/dashboard`);
  assert.match(response.headers()["content-security-policy"] ?? "", /script-src 'self'.*frame-ancestors 'none'/);
  await page.waitForURL(/\/login$/);
  await page.waitForSelector("[data-test-id=login-form]");
  await page.waitForLoadState("networkidle");
  assert.deepEqual(errors, [], "signed out");

  await page.fill("[data-test-id=email-input]", MERCHANT.email);
  await page.fill("[data-test-id=password-input]", MERCHANT.password);
  await page.click("[data-test-id=login-button]");
  await page.waitForURL(/\/dashboard$/);
  await page.waitForSelector("[data-test-id=stats-container]");

  // Signed in: each page loaded afresh, as from a bookmark.
  for (const path of ["", "/transactions", "/refunds", "/orders", "/webhooks", "/audit-log", "/checkout"]) {
    await page.goto(`${BASE_URL}/dashboard${path}`);
    await page.locator("main.content").waitFor();
    await page.waitForLoadState("networkidle");
    assert.equal(new URL(page.url()).pathname, `/dashboard${path}`, "still signed in");
  }
  assert.deepEqual(errors, [], "signed in");

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login$/);
  await page.goto(`${BASE_URL}/dashboard/transactions`);
  await page.waitForURL(/\/login$/);
  await page.waitForLoadState("networkidle");
  assert.deepEqual(errors, [], "after logging out");
  await context.close();
});
