import { describe, expect, it } from "vitest";
import type { Payment, Refund } from "../api/types";
import { paymentTimeline } from "./timeline";

const payment: Payment = {
  id: "pay_1",
  order_id: "order_1",
  merchant_id: "m_1",
  amount: 50000,
  currency: "INR",
  method: "upi",
  status: "success",
  vpa: "user@paytm",
  captured: false,
  amount_refunded: 0,
  created_at: "2026-11-25T10:00:00Z",
  updated_at: "2026-11-25T10:00:08Z",
};

const refund = (id: string, status: Refund["status"], created_at: string): Refund => ({
  id,
  payment_id: "pay_1",
  order_id: "order_1",
  amount: 10000,
  currency: "INR",
  reason: "Damaged item",
  status,
  processed_at: status === "processed" ? "2026-11-25T12:00:05Z" : null,
  created_at,
});

describe("paymentTimeline", () => {
  it("shows a pending payment as processing", () => {
    const events = paymentTimeline({ ...payment, status: "pending" }, []);
    expect(events.map((e) => e.key)).toEqual(["created", "pending"]);
    expect(events[1]?.tone).toBe("current");
  });

  it("ends a failed payment with the error description", () => {
    const events = paymentTimeline({ ...payment, status: "failed", error_description: "Card declined" }, []);
    expect(events.map((e) => e.key)).toEqual(["created", "pending", "failed"]);
    expect(events[2]).toMatchObject({ detail: "Card declined", time: payment.updated_at, tone: "failure" });
  });

  it("lists capture and refunds in order after success", () => {
    const events = paymentTimeline({ ...payment, captured: true, captured_at: "2026-11-25T11:00:00Z" }, [
      refund("rfnd_2", "pending", "2026-11-25T13:00:00Z"),
      refund("rfnd_1", "processed", "2026-11-25T12:00:00Z"),
    ]);
    expect(events.map((e) => e.key)).toEqual(["created", "pending", "success", "captured", "rfnd_1", "rfnd_2"]);
    expect(events[2]?.time).toBeUndefined();
    expect(events[4]).toMatchObject({ title: "Refund of ₹100.00 processed", time: "2026-11-25T12:00:05Z" });
    expect(events[5]).toMatchObject({ title: "Refund of ₹100.00 pending", tone: "current" });
  });

  it("shows an authorized payment's expiry as the next step", () => {
    const events = paymentTimeline({ ...payment, capture_expires_at: "2026-11-30T10:00:00Z" }, []);
    expect(events.map((e) => e.key)).toEqual(["created", "pending", "success", "expiry"]);
    expect(events[3]).toMatchObject({ title: "Authorization expires", time: "2026-11-30T10:00:00Z", tone: "current" });
  });

  it("says how much of the amount a partial capture took", () => {
    const events = paymentTimeline(
      { ...payment, captured: true, amount_captured: 30000, captured_at: "2026-11-25T11:00:00Z", capture_expires_at: "2026-11-30T10:00:00Z" },
      [],
    );
    expect(events.map((e) => e.key)).toEqual(["created", "pending", "success", "captured"]);
    expect(events[3]?.detail).toBe("₹300.00 of ₹500.00; the rest released");
  });

  it("ends a voided or expired authorization with its release", () => {
    const voided = paymentTimeline({ ...payment, status: "voided", void_reason: "requested", voided_at: "2026-11-26T09:00:00Z" }, []);
    expect(voided.map((e) => e.key)).toEqual(["created", "pending", "success", "voided"]);
    expect(voided[3]).toMatchObject({ title: "Voided", time: "2026-11-26T09:00:00Z" });
    expect(voided[2]?.time).toBeUndefined();
    const expired = paymentTimeline({ ...payment, status: "voided", void_reason: "expired", voided_at: "2026-11-30T10:00:00Z" }, []);
    expect(expired[3]?.title).toBe("Authorization expired");
  });
});
