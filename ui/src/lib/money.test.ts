import { describe, expect, it } from "vitest";
import { formatCompactMoney, formatMoney, formatPercent, paiseToRupeesInput, rupeesToPaise } from "./money";

describe("formatMoney", () => {
  it("formats paise as rupees with two decimals", () => {
    expect(formatMoney(50000)).toBe("₹500.00");
    expect(formatMoney(0)).toBe("₹0.00");
    expect(formatMoney(5)).toBe("₹0.05");
    expect(formatMoney(150050)).toBe("₹1,500.50");
  });
  it("uses Indian digit grouping", () => {
    expect(formatMoney(10000000)).toBe("₹1,00,000.00");
    expect(formatMoney(123456789)).toBe("₹12,34,567.89");
  });
  it("handles negatives and other currencies", () => {
    expect(formatMoney(-2500)).toBe("-₹25.00");
    expect(formatMoney(1999, "USD")).toBe("USD 19.99");
  });
});

describe("formatCompactMoney", () => {
  it("abbreviates thousands, lakhs and crores", () => {
    expect(formatCompactMoney(95000)).toBe("₹950");
    expect(formatCompactMoney(1250000)).toBe("₹12.5K");
    expect(formatCompactMoney(32000000)).toBe("₹3.2L");
    expect(formatCompactMoney(1100000000)).toBe("₹1.1Cr");
  });
});

describe("rupeesToPaise", () => {
  it("converts rupee text to integer paise", () => {
    expect(rupeesToPaise("500")).toBe(50000);
    expect(rupeesToPaise("500.5")).toBe(50050);
    expect(rupeesToPaise(" 0.10 ")).toBe(10);
    expect(rupeesToPaise("1,000.25")).toBe(100025);
    expect(rupeesToPaise("19.99")).toBe(1999);
  });
  it("rejects invalid, zero and over-precise amounts", () => {
    for (const bad of ["", "abc", "0", "0.00", "-5", "1.234", "1e3", "12."]) {
      expect(rupeesToPaise(bad)).toBeNull();
    }
  });
});

describe("paiseToRupeesInput / formatPercent", () => {
  it("round-trips with rupeesToPaise", () => {
    expect(paiseToRupeesInput(50050)).toBe("500.50");
    expect(rupeesToPaise(paiseToRupeesInput(7))).toBe(7);
  });
  it("formats percentages with at most one decimal", () => {
    expect(formatPercent(66.6666)).toBe("66.7%");
    expect(formatPercent(100)).toBe("100%");
    expect(formatPercent(0)).toBe("0%");
  });
});
