import { describe, expect, it } from "vitest";
import { fillDays, niceCeiling } from "./volume";

describe("fillDays", () => {
  it("returns one entry per day ending today, keeping known days", () => {
    const today = new Date("2026-11-25T10:00:00Z");
    const days = fillDays([{ date: "2026-11-24", count: 2, amount: 1500 }], 3, today);
    expect(days).toEqual([
      { date: "2026-11-23", count: 0, amount: 0 },
      { date: "2026-11-24", count: 2, amount: 1500 },
      { date: "2026-11-25", count: 0, amount: 0 },
    ]);
  });
});

describe("niceCeiling", () => {
  it("rounds up to 1, 2 or 5 times a power of ten", () => {
    expect(niceCeiling(0)).toBe(100);
    expect(niceCeiling(87)).toBe(100);
    expect(niceCeiling(120)).toBe(200);
    expect(niceCeiling(450000)).toBe(500000);
    expect(niceCeiling(500000)).toBe(500000);
  });
});
