import { describe, expect, it } from "vitest";
import outboxSource from "../../../outbox/outbox.go?raw";
import { EVENT_TYPES, eventsQuery, validTypeFilter } from "./events";

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
  it("takes known names, prefix wildcards of them and *", () => {
    for (const t of ["", "*", "payment.success", " payment.* ", "webhook_endpoint.disabled", "refund.*", "webhook.*"]) {
      expect(validTypeFilter(t), t).toBe(true);
    }
    // Half typed, or no such event.
    for (const t of ["payment", "payment.", "payment.succ", "payment*", "Payment.success", ".*", "*.*", "order.*", "a b"]) {
      expect(validTypeFilter(t), t).toBe(false);
    }
  });
});

describe("EVENT_TYPES", () => {
  it("are the gateway's event types (outbox.Types), in its order", () => {
    const names = [...outboxSource.matchAll(/^\s+\w+\s+= "([a-z_]+\.[a-z_]+)"$/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(5);
    expect(EVENT_TYPES).toEqual(names);
  });
});
