import { describe, expect, it } from "vitest";
import { formatCompactMoney } from "./money";
import { fillDays, niceScale } from "./volume";

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

describe("niceScale", () => {
  it("gives an empty or tiny series a ₹0–₹1 axis", () => {
    expect(niceScale(0)).toEqual({ max: 100, ticks: [0, 100] });
    expect(niceScale(-5)).toEqual({ max: 100, ticks: [0, 100] });
    expect(niceScale(Number.NaN)).toEqual({ max: 100, ticks: [0, 100] });
    expect(niceScale(1)).toEqual({ max: 100, ticks: [0, 100] });
    expect(niceScale(350)).toEqual({ max: 400, ticks: [0, 100, 200, 300, 400] });
  });

  it("spaces ticks 1, 2 or 5 × a power of ten and covers the maximum", () => {
    expect(niceScale(50000).ticks).toEqual([0, 20000, 40000, 60000]); // ₹500
    expect(niceScale(279850).ticks).toEqual([0, 100000, 200000, 300000]); // ₹2,798.50
    expect(niceScale(100000).ticks).toEqual([0, 50000, 100000]); // exactly ₹1,000
  });

  it("never repeats an axis label, from paise to crores", () => {
    for (let value = 1; value < 1e12; value = Math.ceil(value * 1.37)) {
      const { max, ticks } = niceScale(value);
      expect(max).toBeGreaterThanOrEqual(value);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(5);
      const labels = ticks.map((t) => formatCompactMoney(t));
      expect(new Set(labels).size, `${value}: ${labels.join(" ")}`).toBe(labels.length);
    }
  });
});
