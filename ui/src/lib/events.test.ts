import { describe, expect, it } from "vitest";
import { eventsQuery, validTypeFilter } from "./events";

describe("eventsQuery", () => {
  it("sends the type as typed and whole UTC days as a half-open range", () => {
    expect(eventsQuery({ type: " payment.* ", from: "2026-11-30", to: "2026-12-31" })).toEqual({
      type: "payment.*",
      "created[gte]": "2026-11-30",
      "created[lt]": "2027-01-01",
    });
  });
  it("leaves out what is not set", () => {
    expect(eventsQuery({})).toEqual({ type: undefined, "created[gte]": undefined, "created[lt]": undefined });
    expect(eventsQuery({ type: "", to: "2026-02-28" })["created[lt]"]).toBe("2026-03-01");
  });
});

describe("validTypeFilter", () => {
  it("takes names, prefix wildcards and *", () => {
    for (const t of ["", "*", "payment.success", "payment.*", "webhook_endpoint.disabled", "refund.*"]) {
      expect(validTypeFilter(t), t).toBe(true);
    }
    for (const t of ["payment*", "Payment.success", "payment.", ".*", "payment.*.x", "a b"]) {
      expect(validTypeFilter(t), t).toBe(false);
    }
  });
});
