import type { AuditAction } from "../api/types";
import { formatMoney } from "./money";

const ACTION_LABELS: Record<AuditAction, string> = {
  login: "Signed in",
  login_failed: "Failed sign-in",
  logout: "Signed out",
  api_secret_rolled: "API secret rolled",
  webhook_url_changed: "Webhook URL changed",
  webhook_secret_regenerated: "Webhook secret regenerated",
  refund_created: "Refund created",
  webhook_retried: "Webhook delivery retried",
};

// "login_failed" → "Failed sign-in"; an action this UI does not know yet is shown as sent.
export function auditActionLabel(action: string): string {
  return Object.hasOwn(ACTION_LABELS, action) ? ACTION_LABELS[action as AuditAction] : action;
}

// "dashboard:asha@example.com" → { who: "asha@example.com", via: "Dashboard" };
// "api_key:key_live_1" → { who: "key_live_1", via: "API key" }.
export function auditActor(actor: string): { who: string; via?: string } {
  const [channel, ...rest] = actor.split(":");
  const who = rest.join(":");
  if (channel === "dashboard") return who ? { who, via: "Dashboard" } : { who: "Dashboard" };
  if (channel === "api_key" && who) return { who, via: "API key" };
  return { who: actor };
}

// { payment_id: "pay_1", amount: 10000, currency: "INR" } → "payment_id: pay_1, amount: ₹100.00".
// An amount in minor units is shown as money in its currency (which is not repeated); other
// strings are shown bare, anything else as JSON; no details ({}) is "".
export function auditDetails(details: Record<string, unknown>): string {
  const currency = typeof details.currency === "string" ? details.currency : undefined;
  return Object.entries(details)
    .filter(([key]) => !(key === "currency" && typeof details.amount === "number"))
    .map(([key, value]) => {
      if (key === "amount" && typeof value === "number" && currency) return `${key}: ${formatMoney(value, currency)}`;
      return `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`;
    })
    .join(", ");
}

// Cuts text to at most `max` characters, ending with "…" when something was cut.
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
