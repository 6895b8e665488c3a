import { describe, expect, it } from "vitest";
import { parseParentOrigin } from "./bridge";

describe("parseParentOrigin", () => {
  it("accepts exact http(s) origins", () => {
    expect(parseParentOrigin("https://shop.example")).toBe("https://shop.example");
    expect(parseParentOrigin("http://127.0.0.1:5050")).toBe("http://127.0.0.1:5050");
  });
  it("rejects anything that is not exactly an origin", () => {
    for (const bad of [
      null,
      "",
      "*",
      "null",
      "https://shop.example/",
      "https://shop.example/path",
      "javascript:alert(1)",
      "shop.example",
    ]) {
      expect(parseParentOrigin(bad)).toBeNull();
    }
  });
});
