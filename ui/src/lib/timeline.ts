import type { Payment, Refund } from "../api/types";
import { formatMoney } from "./money";

export type TimelineTone = "done" | "current" | "success" | "failure" | "neutral";

export interface TimelineEvent {
  key: string;
  title: string;
  detail?: string;
  time?: string; // ISO timestamp, when the API tells us one
  tone: TimelineTone;
}

// Builds the payment's history from the payment and its refunds: created →
// pending → success/failed → captured, voided or the coming expiry → each refund. The API keeps no separate
// timestamp for the outcome, so it is shown with `updated_at` only while nothing
// later (a capture or a refund) has moved that timestamp on.
export function paymentTimeline(payment: Payment, refunds: Refund[]): TimelineEvent[] {
  const money = (amount: number) => formatMoney(amount, payment.currency);
  const method = payment.method === "upi" ? "UPI" : "card";
  const events: TimelineEvent[] = [
    {
      key: "created",
      title: "Payment created",
      detail: `${money(payment.amount)} by ${method}`,
      time: payment.created_at,
      tone: "done",
    },
  ];

  if (payment.status === "pending") {
    events.push({ key: "pending", title: "Processing", detail: "Waiting for the bank to confirm", tone: "current" });
    return events;
  }
  events.push({ key: "pending", title: "Sent to the bank", tone: "done" });

  const laterEvents = payment.captured || payment.status === "voided" || refunds.length > 0;
  const outcomeTime = laterEvents ? undefined : payment.updated_at;
  if (payment.status === "failed") {
    events.push({
      key: "failed",
      title: "Payment failed",
      detail: payment.error_description ?? payment.error_code ?? undefined,
      time: outcomeTime,
      tone: "failure",
    });
    return events;
  }
  events.push({ key: "success", title: "Payment succeeded", time: outcomeTime, tone: "success" });

  if (payment.captured) {
    const captured = payment.amount_captured ?? payment.amount;
    events.push({
      key: "captured",
      title: "Captured",
      detail: captured < payment.amount ? `${money(captured)} of ${money(payment.amount)}; the rest released` : undefined,
      time: payment.captured_at ?? undefined,
      tone: "success",
    });
  } else if (payment.status === "voided") {
    const expired = payment.void_reason === "expired";
    events.push({
      key: "voided",
      title: expired ? "Authorization expired" : "Voided",
      detail: expired ? "Not captured in time: released" : "Authorization released",
      time: payment.voided_at,
      tone: "neutral",
    });
  } else if (payment.status === "success" && payment.capture_expires_at) {
    // The next step, unless a capture or void comes first.
    events.push({
      key: "expiry",
      title: "Authorization expires",
      detail: "Voided if not captured by then",
      time: payment.capture_expires_at,
      tone: "current",
    });
  }

  const byCreation = [...refunds].sort((a, b) => a.created_at.localeCompare(b.created_at));
  for (const refund of byCreation) {
    const tone: TimelineTone =
      refund.status === "processed" ? "neutral" : refund.status === "failed" ? "failure" : "current";
    const detail =
      refund.status === "failed" ? (refund.error_description ?? "The refund failed") : refund.reason || undefined;
    events.push({
      key: refund.id,
      title: `Refund of ${money(refund.amount)} ${refund.status}`,
      detail,
      time: refund.processed_at ?? refund.created_at,
      tone,
    });
  }
  return events;
}
