// Screenshots of the Temporal Web UI for docs/operations.md, taken against a whole gateway:
//
//   make build && ./scripts/with-stack.sh node scripts/operations-screenshots.mjs
//
// with-stack.sh exports BASE_URL (the API) and DEV_TEMPORAL_UI_PORT (the Web UI); TEMPORAL_UI_URL
// overrides the latter. The script makes traffic through the API (a UPI payment and a refund, a
// declined card and a declined UPI payment, and a webhook endpoint on 127.0.0.1 that answers 500 to
// card payments' payment.failed), checks what the runbook says about it (a reset repeats no side
// effect, a manual retry replaces a delivery's schedule), and writes PNGs to
// docs/screenshots/operations/. It uses playwright-core from ui/node_modules and Debian's Chromium
// (CHROMIUM_PATH, default /usr/bin/chromium); no browser is downloaded.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { chromium } = createRequire(path.join(root, "ui", "package.json"))("playwright-core");

const BASE_URL = (process.env.BASE_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
const UI_URL = (
  process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${process.env.DEV_TEMPORAL_UI_PORT ?? 8233}`
).replace(/\/+$/, "");
const OUT = path.join(root, "docs", "screenshots", "operations");
const NS = `${UI_URL}/namespaces/default`;
const MERCHANT_ID = "550e8400-e29b-41d4-a716-446655440000";
const KEY = { "X-Api-Key": "key_test_abc123", "X-Api-Secret": "secret_test_xyz789" };

const log = (...args) => console.log("[ops-screenshots]", ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(p, { method = "GET", body, headers = {} } = {}) {
  const response = await fetch(`${BASE_URL}/api/v1${p}`, {
    method,
    headers: { ...KEY, ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${p} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function eventually(what, fn, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const finalStatus = (p) =>
  eventually(`${p} to be final`, async () => {
    const r = await api(p);
    return r.status !== "pending" && r;
  });

async function pay(amount, method, details, requestId) {
  const order = await api("/orders", {
    method: "POST",
    body: { amount, currency: "INR", receipt: `ops-${Date.now()}` },
  });
  const payment = await api("/payments", {
    method: "POST",
    body: { order_id: order.id, method, ...details },
    headers: requestId ? { "X-Request-Id": requestId } : {},
  });
  return finalStatus(`/payments/${payment.id}`);
}

const card = (number) => ({
  card: { number, expiry_month: "12", expiry_year: "2030", cvv: "123", holder_name: "Asha Rao" },
});

// --- the merchant's webhook endpoint -------------------------------------------------------

const received = []; // { id, event, paymentMethod, status }
let failCardFailures = true; // answer 500 to card payments' payment.failed
const receiver = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const e = JSON.parse(body);
    const fail = failCardFailures && e.event === "payment.failed" && e.data?.payment?.method === "card";
    const status = fail ? 500 : 200;
    received.push({ id: e.id, event: e.event, paymentId: e.data?.payment?.id, status });
    res.writeHead(status, { "Content-Type": "text/plain" }).end(fail ? "temporarily broken" : "ok");
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/webhooks`;
const deliveriesOf = (id) => received.filter((d) => d.id === id);

// --- the browser ---------------------------------------------------------------------------

const browser = await chromium.launch({
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
const VIEWPORT = { width: 1280, height: 800 };
const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: "UTC" });
// The lists show the columns an operator would pick with the column picker at the bottom of a
// list; the Web UI keeps that choice in local storage.
const PAYMENT_COLUMNS = ["Status", "Workflow ID", "Type", "PaymentMethod", "Amount", "PaymentStatus"];
const RUN_COLUMNS = ["Status", "Workflow ID", "Start", "End"];
await context.addInitScript(() => {
  const col = (label) => ({ label });
  localStorage.setItem(
    "namespace-schedules-table-columns",
    JSON.stringify({ default: ["Status", "Schedule ID", "Workflow Type", "Schedule Spec", "Recent Runs"].map(col) }),
  );
});
const page = await context.newPage();
page.setDefaultTimeout(30_000);

// Saves OUT/<name>.png. With fit, the viewport grows to the height of the page's scrolling
// content, so a whole event history is in the picture.
async function shot(name, { fit = false } = {}) {
  await page.mouse.move(0, 0);
  if (fit) {
    const extra = await page.evaluate(() => {
      const c = document.querySelector("#content-wrapper");
      return c ? c.scrollHeight - c.clientHeight : 0;
    });
    await page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + Math.max(0, extra) });
    await sleep(500);
  }
  await sleep(300);
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  await page.setViewportSize(VIEWPORT);
  log("wrote", path.relative(root, file));
}

const visible = (selector) => page.locator(selector).locator("visible=true").first();

async function openHistory(workflowId, waitForText) {
  await page.goto(`${NS}/workflows/${encodeURIComponent(workflowId)}`);
  await visible("text=Event History").click();
  await page.getByRole("button", { name: "Descending" }).click(); // read it top to bottom
  await page.getByRole("button", { name: "Ascending" }).waitFor();
  if (waitForText) await visible(`text=${waitForText}`).waitFor();
}

async function openList(query, waitForText, columns = PAYMENT_COLUMNS) {
  await page.goto(UI_URL);
  await page.evaluate((labels) => {
    const value = { default: labels.map((label) => ({ label })) };
    localStorage.setItem("namespace-workflow-table-columns", JSON.stringify(value));
  }, columns);
  await page.goto(`${NS}/workflows?query=${encodeURIComponent(query)}`);
  await page.getByTestId("toggle-manual-query").click(); // show the query as typed
  await visible(`text=${waitForText}`).waitFor();
}

// --- traffic -------------------------------------------------------------------------------

try {
  await mkdir(OUT, { recursive: true });
  await api("/webhooks/config", { method: "PUT", body: { webhook_url: receiverUrl } });

  const upi = await pay(50000, "upi", { vpa: "asha@okaxis" }, "ops-runbook-upi");
  const declinedCard = await pay(70000, "card", card("4000000000000002"), "ops-runbook-card");
  const declinedUpi = await pay(12900, "upi", { vpa: "failure@upi" });
  const paidCard = await pay(120000, "card", card("4111111111111111"));
  assert.equal(upi.status, "success");
  assert.equal(declinedCard.status, "failed");
  assert.equal(declinedCard.error_code, "CARD_DECLINED");
  assert.equal(declinedUpi.status, "failed");
  assert.equal(paidCard.status, "success");
  const refund = await api(`/payments/${upi.id}/refunds`, {
    method: "POST",
    body: { amount: 10000, reason: "Customer request" },
  });
  assert.equal((await finalStatus(`/refunds/${refund.id}`)).status, "processed");
  log("payments", upi.id, declinedCard.id, declinedUpi.id, paidCard.id, "refund", refund.id);

  // The declined card's payment.failed: first attempt inline (500), then its own delivery workflow.
  const failedEvent = await eventually("the card's payment.failed to be attempted", () =>
    Promise.resolve(received.find((d) => d.event === "payment.failed" && d.paymentId === declinedCard.id)),
  );
  const upiEvents = () => received.filter((d) => d.paymentId === upi.id && !d.event.startsWith("refund."));
  await eventually("the UPI payment's three webhooks", async () => upiEvents().length === 3);

  // 1. The workflow list, filtered by search attributes.
  await openList(`MerchantId="${MERCHANT_ID}" AND PaymentStatus="failed"`, declinedCard.id);
  await visible(`text=${declinedUpi.id}`).waitFor();
  await shot("workflow-list-search");
  await openList(`PaymentId="${upi.id}"`, refund.id); // a payment and its refunds
  await visible(`text=${upi.id}`).waitFor();

  // 2. A healthy payment: one workflow, local-activity markers, no child workflow.
  await openHistory(upi.id, "RecordPaymentOutcome");
  await shot("payment-history", { fit: true });
  await visible("text=User Metadata").click(); // the static summary
  await visible("text=UPI ₹500.00 for order_").waitFor();
  await shot("payment-summary");

  // 3. The declined card payment: its payment.failed's first attempt failed, so it started a
  //    delivery workflow (a child, abandoned to outlive the payment).
  await openHistory(declinedCard.id, "Child Workflow Execution Started");
  await shot("payment-declined-history", { fit: true });

  // 4. That delivery workflow between attempts, on a durable timer. with-stack.sh sets the test
  //    schedule (5, 10, 15, 20 s), so catch it right after its third attempt (a 15 s timer).
  await eventually("the third attempt of " + failedEvent.id, async () => deliveriesOf(failedEvent.id).length >= 3, 60_000);
  await openHistory(failedEvent.id, "Timer Started");
  await visible("text=RUNNING").waitFor();
  await shot("delivery-waiting-on-timer", { fit: true });
  const attemptsBefore = deliveriesOf(failedEvent.id).length;
  const logEntry = await api(`/webhooks/${failedEvent.id}`);
  assert.equal(logEntry.status, "pending");
  assert.equal(logEntry.response_code, 500);

  // 5. A manual retry (the dashboard's button) replaces the running schedule: the old run is
  //    terminated, a new one starts at attempt 1 and delivers.
  failCardFailures = false;
  await api(`/webhooks/${failedEvent.id}/retry`, { method: "POST" });
  await eventually("the retried delivery", async () => (await api(`/webhooks/${failedEvent.id}`)).status === "success");
  assert.equal(deliveriesOf(failedEvent.id).at(-1).status, 200);
  await openList(`WorkflowId="${failedEvent.id}"`, "Terminated", RUN_COLUMNS);
  await visible("text=Completed").waitFor();
  await shot("delivery-retried");
  log(`delivery ${failedEvent.id}: ${attemptsBefore} failed attempts, then delivered by the manual retry`);

  // 6. Reset the UPI payment's workflow to its first workflow task from the Web UI.
  const before = { deliveries: upiEvents().length, refunded: (await api(`/payments/${upi.id}`)).amount_refunded };
  await page.goto(`${NS}/workflows/${upi.id}`);
  await visible('button:text-is("Reset")').click();
  await visible("[data-testid=workflow-reset-event-id-select-button]").click();
  await visible('[role=option]:has-text("4 - WorkflowTaskCompleted")').click();
  await visible("[data-testid=reset-reason]").fill("operator retry: re-run the payment's steps");
  await shot("reset-dialog");
  await visible("[data-testid=confirm-modal-button]").click();
  await visible("text=This Workflow has been reset").waitFor();

  // The new run: the payment is found final, so neither the bank nor a webhook is repeated.
  await eventually("the reset run to complete", async () => {
    await page.goto(`${NS}/workflows?query=${encodeURIComponent(`WorkflowId="${upi.id}"`)}`);
    await visible("text=2 COMPLETED").waitFor({ timeout: 5000 }); // the first run and the reset run
    return true;
  });
  await sleep(1000); // a repeated delivery would arrive about now
  assert.equal(upiEvents().length, before.deliveries, "a reset sent no webhook again");
  const after = await api(`/payments/${upi.id}`);
  assert.equal(after.status, "success");
  assert.equal(after.amount_refunded, before.refunded);
  if (process.env.STACK_PG_PORT) {
    // The bank's ledger: one row per payment, and `calls` counts how often it was asked.
    const url = `postgres://postgres@127.0.0.1:${process.env.STACK_PG_PORT}/gateway?sslmode=disable`;
    const calls = execFileSync("psql", [url, "-Atc", `SELECT calls FROM bank_operations WHERE idempotency_key = '${upi.id}'`]);
    assert.equal(String(calls).trim(), "1", "a reset did not ask the bank again");
  }
  await openHistory(upi.id, "ValidatePayment");
  await visible("text=Workflow Execution Completed").waitFor();
  await shot("payment-after-reset", { fit: true });

  // 7. The Schedules: the pending sweep (every minute) and the idempotency-key cleanup (hourly).
  await page.goto(`${NS}/schedules`);
  await visible("text=idempotency-keys-cleanup").waitFor();
  await visible("text=pending-sweep").waitFor();
  await shot("schedules");
  await page.goto(`${NS}/schedules/pending-sweep`);
  await visible("text=PendingSweepWorkflow").waitFor();
  await visible('button:text-is("Pause")').waitFor();
  await page.locator('button[aria-haspopup]:right-of(:text("Pause"))').locator("visible=true").first().click();
  await visible("text=Trigger").waitFor();
  await shot("schedule-pending-sweep");

  // What the runbook quotes, from this stack.
  log("queue status", JSON.stringify(await api("/queue/status")));
  log("jobs status", JSON.stringify(await api("/test/jobs/status")));
  const metrics = await (await fetch(`${BASE_URL}/metrics`)).text();
  log("metrics\n" + metrics.split("\n").filter((l) => /^gateway_(payments|refunds|webhook_deliveries|database_up)/.test(l)).join("\n"));
  if (process.env.DATA_DIR) {
    const lines = (await readFile(path.join(process.env.DATA_DIR, "gateway.log"), "utf8"))
      .split("\n")
      .filter((l) => l.includes('"request_id":"ops-runbook-card"'));
    log("log lines of request ops-runbook-card\n" + lines.join("\n"));
  }
} finally {
  await browser.close();
  receiver.close();
}
