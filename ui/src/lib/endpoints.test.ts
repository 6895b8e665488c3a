import { describe, expect, it } from "vitest";
import type { WebhookEndpoint } from "../api/types";
import {
  deliveriesSummary,
  endpointsChanged,
  endpointUrlsOf,
  isAutoDisabled,
  onEndpointsChanged,
  parseEventFilters,
  successRateText,
  successRateTone,
} from "./endpoints";

const endpoint = (changes: Partial<WebhookEndpoint>): WebhookEndpoint => ({
  id: "we_1",
  url: "https://example.com/hook",
  enabled_events: ["*"],
  description: "",
  status: "enabled",
  primary: false,
  disabled_at: null,
  disabled_reason: null,
  failing_since: null,
  failed_events: 0,
  created_at: "2026-12-01T00:00:00Z",
  ...changes,
});

describe("isAutoDisabled", () => {
  it("is true only for an endpoint the gateway disabled for failing", () => {
    expect(isAutoDisabled(endpoint({ status: "disabled", disabled_reason: "every delivery failed for 72h0m0s" }))).toBe(true);
    expect(isAutoDisabled(endpoint({ status: "disabled", disabled_reason: "disabled by the merchant" }))).toBe(false);
    expect(isAutoDisabled(endpoint({ status: "disabled", disabled_reason: "webhook_url cleared" }))).toBe(false);
    expect(isAutoDisabled(endpoint({ status: "disabled", disabled_reason: null }))).toBe(false);
    // Re-enabled: the reason is cleared, but an enabled endpoint never counts.
    expect(isAutoDisabled(endpoint({ status: "enabled", disabled_reason: "every delivery failed for 1m0s" }))).toBe(false);
  });
});

describe("parseEventFilters", () => {
  it("splits on commas and spaces, dropping blanks and repeats", () => {
    expect(parseEventFilters("payment.success, refund.*")).toEqual(["payment.success", "refund.*"]);
    expect(parseEventFilters(" payment.* ,, payment.*  refund.processed ")).toEqual(["payment.*", "refund.processed"]);
    expect(parseEventFilters("  ")).toEqual([]);
  });
});

describe("success rate", () => {
  const counts = { succeeded: 39, failed: 0, retrying: 1, pending: 2, success_rate: 97.5 };
  it("shows the rate and the counts, without zeros", () => {
    expect(successRateText(counts)).toBe("97.5%");
    expect(deliveriesSummary(counts)).toBe("39 succeeded · 1 failing · 2 pending");
    expect(deliveriesSummary({ ...counts, succeeded: 0, retrying: 0, failed: 3, pending: 0 })).toBe("3 failing");
  });
  it("has no rate until a delivery was attempted, or from an older gateway", () => {
    const none = { succeeded: 0, failed: 0, retrying: 0, pending: 0, success_rate: null };
    expect(successRateText(none)).toBe("—");
    expect(deliveriesSummary(none)).toBe("No deliveries");
    expect(successRateText(undefined)).toBe("—");
    expect(successRateTone(undefined)).toBe("neutral");
  });
  it("is coloured by how healthy the endpoint is", () => {
    expect(successRateTone(counts)).toBe("success");
    expect(successRateTone({ ...counts, success_rate: 80 })).toBe("warning");
    expect(successRateTone({ ...counts, success_rate: 0 })).toBe("danger");
  });
});

describe("endpointsChanged", () => {
  it("reaches each listener until it unsubscribes", () => {
    let calls = 0;
    const off = onEndpointsChanged(() => calls++);
    endpointsChanged();
    off();
    endpointsChanged();
    expect(calls).toBe(1);
  });
});

describe("endpointUrlsOf", () => {
  it("maps each endpoint's id to its URL", () => {
    expect(endpointUrlsOf([endpoint({ id: "we_1", url: "https://a.example/h" }), endpoint({ id: "we_2", url: "https://b.example/h" })])).toEqual({
      we_1: "https://a.example/h",
      we_2: "https://b.example/h",
    });
    expect(endpointUrlsOf(undefined)).toEqual({});
  });
});
