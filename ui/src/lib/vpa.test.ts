import { describe, expect, it } from "vitest";
import { isValidVpa } from "./vpa";

describe("isValidVpa", () => {
  it("accepts handle@provider addresses", () => {
    for (const ok of ["user@paytm", "first.last@okhdfcbank", "a_b-c.9@ybl", " user@upi "]) {
      expect(isValidVpa(ok)).toBe(true);
    }
  });
  it("rejects malformed addresses", () => {
    for (const bad of ["", "user", "@paytm", "user@", "user@pay.tm", "us er@paytm", "user@@paytm", "user@pay-tm"]) {
      expect(isValidVpa(bad)).toBe(false);
    }
  });
});
