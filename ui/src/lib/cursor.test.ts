import { describe, expect, it } from "vitest";
import { cursorFromParams, pageLinks, withCursor } from "./cursor";

const items = [{ id: "c" }, { id: "b" }, { id: "a" }];

describe("pageLinks", () => {
  it("on the newest page offers only older items, when there are more", () => {
    expect(pageLinks({}, items, true)).toEqual({ previous: null, next: { starting_after: "a" } });
    expect(pageLinks({}, items, false)).toEqual({ previous: null, next: null });
  });

  it("after a cursor goes back before the first item and on after the last", () => {
    expect(pageLinks({ starting_after: "d" }, items, true)).toEqual({
      previous: { ending_before: "c" },
      next: { starting_after: "a" },
    });
    expect(pageLinks({ starting_after: "d" }, items, false)).toEqual({ previous: { ending_before: "c" }, next: null });
  });

  it("before a cursor offers newer items only while has_more says there are", () => {
    expect(pageLinks({ ending_before: "z" }, items, true)).toEqual({
      previous: { ending_before: "c" },
      next: { starting_after: "a" },
    });
    expect(pageLinks({ ending_before: "z" }, items, false)).toEqual({ previous: null, next: { starting_after: "a" } });
  });

  it("turns numeric ids (audit log entries) into cursors", () => {
    expect(pageLinks({}, [{ id: 9 }, { id: 7 }], true).next).toEqual({ starting_after: "7" });
  });

  it("from an empty page past an end goes back to the newest page", () => {
    expect(pageLinks({ starting_after: "a" }, [], false)).toEqual({ previous: {}, next: null });
    expect(pageLinks({}, [], false)).toEqual({ previous: null, next: null });
  });
});

describe("cursor in the URL", () => {
  it("round-trips and replaces the other cursor and the old page number", () => {
    const params = withCursor(new URLSearchParams("status=success&page=3&before=x"), { starting_after: "pay_1" });
    expect(params.toString()).toBe("status=success&after=pay_1");
    expect(cursorFromParams(params)).toEqual({ starting_after: "pay_1" });
    expect(cursorFromParams(withCursor(params, { ending_before: "pay_2" }))).toEqual({ ending_before: "pay_2" });
    expect(cursorFromParams(withCursor(params, {}))).toEqual({});
  });
});
