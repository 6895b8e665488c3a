import { describe, expect, it } from "vitest";
import {
  detectNetwork,
  formatCardNumber,
  formatExpiryInput,
  isExpired,
  parseExpiry,
  passesLuhn,
  validateCard,
} from "./card";

describe("detectNetwork", () => {
  it.each([
    ["4111 1111 1111 1111", "visa"],
    ["4", "visa"],
    ["5105105105105100", "mastercard"],
    ["5500", "mastercard"],
    ["2221000000000009", "mastercard"],
    ["2720990000000000", "mastercard"],
    ["378282246310005", "amex"],
    ["34", "amex"],
    ["6011000000000000", "rupay"],
    ["6521", "rupay"],
    ["8112", "rupay"],
    ["8212", "rupay"],
    ["5081", "rupay"],
  ] as const)("%s → %s", (number, network) => {
    expect(detectNetwork(number)).toBe(network);
  });

  it("returns unknown outside the known ranges", () => {
    for (const number of ["", "5", "50", "56", "2220999", "2721000", "3530", "9999"]) {
      expect(detectNetwork(number)).toBe("unknown");
    }
  });
});

describe("Luhn", () => {
  it("accepts valid numbers and rejects altered ones", () => {
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("4000000000000002")).toBe(true);
    expect(passesLuhn("378282246310005")).toBe(true);
    expect(passesLuhn("4111111111111112")).toBe(false);
    expect(passesLuhn("")).toBe(false);
  });
  it("requires 13–19 digits for a valid card number", () => {
    const now = new Date(2026, 10, 25);
    const card = (number: string) =>
      validateCard({ number, expiry: "12/30", cvv: "123", holderName: "Asha" }, now).number;
    expect(card("4222222222222")).toBeUndefined(); // 13 digits
    expect(card("4111 1111 1111 1111")).toBeUndefined();
    expect(card("0")).toBe("Enter the 13–19 digit card number");
    expect(card("00000000000000000000")).toBe("Enter the 13–19 digit card number"); // 20 digits
    expect(card("4111 1111 1111 1112")).toBe("This card number is not valid");
  });
});

describe("formatCardNumber", () => {
  it("groups by four as the person types", () => {
    expect(formatCardNumber("41111")).toBe("4111 1");
    expect(formatCardNumber("4111-1111 1111x1111")).toBe("4111 1111 1111 1111");
    expect(formatCardNumber("41111111111111111111111")).toBe("4111 1111 1111 1111 111");
  });
  it("groups Amex as 4-6-5", () => {
    expect(formatCardNumber("378282246310005")).toBe("3782 822463 10005");
  });
});

describe("expiry", () => {
  it("inserts the slash after the month", () => {
    expect(formatExpiryInput("1")).toBe("1");
    expect(formatExpiryInput("12")).toBe("12");
    expect(formatExpiryInput("123")).toBe("12/3");
    expect(formatExpiryInput("12/345")).toBe("12/34");
  });
  it("parses MM/YY into month and four-digit year", () => {
    expect(parseExpiry("12/27")).toEqual({ month: 12, year: 2027 });
    expect(parseExpiry("1/30")).toEqual({ month: 1, year: 2030 });
    expect(parseExpiry("00/27")).toBeNull();
    expect(parseExpiry("13/27")).toBeNull();
    expect(parseExpiry("1227")).toBeNull();
    expect(parseExpiry("12/2027")).toBeNull();
  });
  it("treats the current month as not yet expired", () => {
    const now = new Date(2026, 10, 25); // November 2026
    expect(isExpired({ month: 11, year: 2026 }, now)).toBe(false);
    expect(isExpired({ month: 10, year: 2026 }, now)).toBe(true);
    expect(isExpired({ month: 1, year: 2027 }, now)).toBe(false);
    expect(isExpired({ month: 12, year: 2025 }, now)).toBe(true);
  });
});

describe("validateCard", () => {
  const now = new Date(2026, 10, 25);
  const valid = { number: "4111 1111 1111 1111", expiry: "12/28", cvv: "123", holderName: "Asha Rao" };

  it("returns no errors for a valid card", () => {
    expect(validateCard(valid, now)).toEqual({});
  });
  it("reports each invalid field", () => {
    const errors = validateCard({ number: "4111 1111 1111 1112", expiry: "10/26", cvv: "12", holderName: " " }, now);
    expect(Object.keys(errors).sort()).toEqual(["cvv", "expiry", "holderName", "number"]);
    expect(errors.expiry).toBe("This card has expired");
  });
  it("accepts a 3- or 4-digit CVV when the network is unknown", () => {
    const other = { ...valid, number: "9999 9999 9999 9995" };
    expect(validateCard({ ...other, cvv: "1234" }, now)).toEqual({});
    expect(validateCard({ ...other, cvv: "12" }, now).cvv).toBe("Enter the CVV");
  });
  it("requires a 4-digit CVV for Amex", () => {
    const amex = { ...valid, number: "378282246310005" };
    expect(validateCard({ ...amex, cvv: "123" }, now).cvv).toBeDefined();
    expect(validateCard({ ...amex, cvv: "1234" }, now)).toEqual({});
  });
});
