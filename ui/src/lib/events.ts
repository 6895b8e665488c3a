import type { EventFilters } from "../api/types";

// The day after a YYYY-MM-DD day, as YYYY-MM-DD (UTC calendar).
function dayAfter(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

// The query of GET /events for the Events page's filters: type as typed (an exact name or a
// prefix wildcard such as payment.*), and the UTC days from..to, both whole.
export function eventsQuery(filters: EventFilters): Record<string, string | undefined> {
  const type = filters.type?.trim();
  return {
    type: type ? type : undefined,
    "created[gte]": filters.from || undefined,
    "created[lt]": filters.to ? dayAfter(filters.to) : undefined,
  };
}

// Whether a type filter is one the API takes (as outbox.ValidFilter): "", "*", a known event
// name, or a prefix wildcard such as payment.* that some known name matches. Anything else (a
// name half typed) is not sent.
export function validTypeFilter(type: string): boolean {
  const t = type.trim();
  if (t === "" || t === "*" || EVENT_TYPES.includes(t)) return true;
  if (!t.endsWith(".*") || t.length <= 2) return false;
  const prefix = t.slice(0, -1); // "payment."
  return EVENT_TYPES.some((name) => name.startsWith(prefix));
}

// The event types the gateway emits (outbox.Types), offered as suggestions in type fields.
export const EVENT_TYPES = [
  "payment.created",
  "payment.pending",
  "payment.success",
  "payment.failed",
  "payment.captured",
  "payment.voided",
  "refund.created",
  "refund.processed",
  "refund.failed",
  "webhook.test",
  "webhook_endpoint.disabled",
];
