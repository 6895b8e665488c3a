import { describe, expect, it } from "vitest";
import { auditActionLabel, auditActor, auditDetails, truncate } from "./audit";

describe("auditActionLabel", () => {
  it("names the actions the server records", () => {
    expect(auditActionLabel("login")).toBe("Signed in");
    expect(auditActionLabel("login_failed")).toBe("Failed sign-in");
    expect(auditActionLabel("logout")).toBe("Signed out");
    expect(auditActionLabel("api_secret_rolled")).toBe("API secret rolled");
    expect(auditActionLabel("webhook_url_changed")).toBe("Webhook URL changed");
    expect(auditActionLabel("webhook_secret_regenerated")).toBe("Webhook secret regenerated");
    expect(auditActionLabel("refund_created")).toBe("Refund created");
    expect(auditActionLabel("webhook_retried")).toBe("Webhook delivery retried");
  });

  it("shows an unknown action as sent", () => {
    expect(auditActionLabel("merchant_deleted")).toBe("merchant_deleted");
    expect(auditActionLabel("toString")).toBe("toString");
  });
});

describe("auditActor", () => {
  it("splits the channel from who acted", () => {
    expect(auditActor("dashboard:asha@example.com")).toEqual({ who: "asha@example.com", via: "Dashboard" });
    expect(auditActor("api_key:key_test_abc123")).toEqual({ who: "key_test_abc123", via: "API key" });
  });

  it("handles a bare dashboard and unknown actors", () => {
    expect(auditActor("dashboard")).toEqual({ who: "Dashboard" });
    expect(auditActor("system")).toEqual({ who: "system" });
    expect(auditActor("worker:retry:1")).toEqual({ who: "worker:retry:1" });
  });
});

describe("auditDetails", () => {
  it("lists keys and values compactly", () => {
    expect(auditDetails({ payment_id: "pay_1", amount: 10000 })).toBe("payment_id: pay_1, amount: 10000");
    expect(auditDetails({ payment_id: "pay_1", amount: 10000, currency: "INR" })).toBe("payment_id: pay_1, amount: ₹100.00");
  });

  it("shows non-strings as JSON", () => {
    expect(auditDetails({ webhook_url: null, retry: true, tags: ["a", "b"], meta: { n: 1 } })).toBe(
      'webhook_url: null, retry: true, tags: ["a","b"], meta: {"n":1}',
    );
  });

  it("is empty without details", () => {
    expect(auditDetails({})).toBe("");
  });
});

describe("truncate", () => {
  it("keeps short text and cuts long text with an ellipsis", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("exactly10!", 10)).toBe("exactly10!");
    expect(truncate("webhook_url: https://example.com/hooks", 14)).toBe("webhook_url:…");
    expect(truncate("webhook_url: https://example.com/hooks", 20)).toHaveLength(20);
  });
});
