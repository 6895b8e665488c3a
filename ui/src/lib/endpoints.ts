import type { EndpointDeliveries, WebhookEndpoint } from "../api/types";

// The start of disabled_reason when the gateway disabled an endpoint because every delivery to
// it failed (auto-disable): "every delivery failed for 72h0m0s".
const AUTO_DISABLED = "every delivery failed";

// Whether the gateway disabled the endpoint for failing (not the merchant).
export function isAutoDisabled(endpoint: WebhookEndpoint): boolean {
  return endpoint.status === "disabled" && (endpoint.disabled_reason ?? "").startsWith(AUTO_DISABLED);
}

// The event filters typed in a field ("payment.success, refund.*"): split on commas and spaces,
// without blanks or repeats.
export function parseEventFilters(text: string): string[] {
  const filters = text
    .split(/[\s,]+/)
    .map((f) => f.trim())
    .filter((f) => f !== "");
  return [...new Set(filters)];
}

// The success rate column: "97.5%", or "—" with no attempted delivery.
export function successRateText(deliveries: EndpointDeliveries | undefined): string {
  if (!deliveries || deliveries.success_rate === null) return "—";
  return `${deliveries.success_rate}%`;
}

// The counts under the rate: "39 succeeded · 1 failing · 2 pending", leaving out zeros.
export function deliveriesSummary(deliveries: EndpointDeliveries | undefined): string {
  if (!deliveries) return "";
  const failing = deliveries.failed + deliveries.retrying;
  const parts = [
    deliveries.succeeded > 0 ? `${deliveries.succeeded} succeeded` : "",
    failing > 0 ? `${failing} failing` : "",
    deliveries.pending > 0 ? `${deliveries.pending} pending` : "",
  ].filter((p) => p !== "");
  return parts.length > 0 ? parts.join(" · ") : "No deliveries";
}

// The tone of a success rate: good from 95 %, poor under 50 %.
export function successRateTone(deliveries: EndpointDeliveries | undefined): "success" | "warning" | "danger" | "neutral" {
  const rate = deliveries?.success_rate;
  if (rate === null || rate === undefined) return "neutral";
  if (rate >= 95) return "success";
  return rate >= 50 ? "warning" : "danger";
}

// The endpoints' URLs by id, for showing where a delivery went.
export function endpointUrlsOf(endpoints: WebhookEndpoint[] | undefined): Record<string, string> {
  return Object.fromEntries((endpoints ?? []).map((e) => [e.id, e.url]));
}

type Listener = () => void;
const listeners = new Set<Listener>();

// Tells every view of the merchant's endpoints (the Webhooks page, the layout's banner) that they
// changed here, so that they reload at once rather than at their next poll.
export function endpointsChanged(): void {
  listeners.forEach((listener) => listener());
}

// Calls listener whenever endpointsChanged is; returns the unsubscribe.
export function onEndpointsChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
