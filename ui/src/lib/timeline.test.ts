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
});
