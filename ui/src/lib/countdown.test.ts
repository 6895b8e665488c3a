import { describe, expect, it } from "vitest";
import { countdown } from "./countdown";

describe("countdown", () => {
  const now = Date.parse("2026-11-25T10:00:00Z");
  it("shows days and hours, hours and minutes, or seconds", () => {
    expect(countdown("2026-11-30T09:00:00Z", now)).toBe("4d 23h left");
    expect(countdown("2026-11-25T15:02:30Z", now)).toBe("5h 02m left");
    expect(countdown("2026-11-25T10:03:05Z", now)).toBe("3m 05s left");
    expect(countdown("2026-11-25T10:00:42Z", now)).toBe("42s left");
  });
  it("says expiring once the time has passed", () => {
    expect(countdown("2026-11-25T09:59:59Z", now)).toBe("expiring");
  });
});
