import { describe, expect, it } from "vitest";
import { instantOfLocalInput, localInputValue } from "./dates";

describe("datetime-local values", () => {
  it("round-trip an instant to the minute in the viewer's time zone", () => {
    const value = localInputValue("2026-11-25T08:30:45Z");
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(instantOfLocalInput(value)).toBe("2026-11-25T08:30:00.000Z");
  });
  it("read a local date-time as local time", () => {
    const local = new Date(2026, 0, 31, 23, 5);
    expect(instantOfLocalInput("2026-01-31T23:05")).toBe(local.toISOString());
    expect(localInputValue(local.toISOString())).toBe("2026-01-31T23:05");
  });
  it("leave out what is empty or not a time", () => {
    expect(localInputValue(null)).toBe("");
    expect(localInputValue("soon")).toBe("");
    expect(instantOfLocalInput("")).toBeUndefined();
    expect(instantOfLocalInput("2026-13-45T99:99")).toBeUndefined();
  });
});
