// Shared by the browser tests: the gateway under test, its seeded test merchant, Chromium, and a
// watcher of the console errors and Content-Security-Policy violations of a page.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

export const BASE_URL = (process.env.BASE_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
export const MERCHANT = {
  email: "test@example.com",
  password: "test123",
  key: "key_test_abc123",
  secret: "secret_test_xyz789",
};
export const PROCESSING_TIMEOUT = 45_000; // the simulated bank answers in 5–10 s
export const TEST_TIMEOUT = 180_000;

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// Calls the API as the test merchant's server does.
export async function api(path, { method = "GET", body, headers } = {}) {
  const response = await fetch(`${BASE_URL}/api/v1${path}`, {
    method,
    headers: headers ?? {
      "X-Api-Key": MERCHANT.key,
      "X-Api-Secret": MERCHANT.secret,
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export const createOrder = (amount) =>
  api("/orders", { method: "POST", body: { amount, currency: "INR", receipt: `e2e-${Date.now()}` } });

// Records what the browser reports as errors on a page and in its frames: console errors
// (failed requests, uncaught exceptions, blocked content) and CSP violations, which
// `securitypolicyviolation` events report with the directive that blocked them.
export async function watchErrors(page) {
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  await page.exposeBinding("__reportViolation", ({ frame }, violation) =>
    errors.push(`CSP violation in ${frame.url()}: ${violation}`),
  );
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (event) =>
      window.__reportViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "inline content"}`),
    ),
  );
  return errors;
}
