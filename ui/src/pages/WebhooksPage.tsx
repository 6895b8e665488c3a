import { useEffect, useRef } from "react";
import { useSearchParams } from "react-router-dom";
import { api } from "../api/client";
import type { WebhookStatus } from "../api/types";
import { Card } from "../components/Card";
import { PageHeader } from "../components/PageHeader";
import { Pagination } from "../components/Pagination";
import { WebhookDeliveriesTable } from "../components/WebhookDeliveriesTable";
import { WebhookEndpointsCard } from "../components/WebhookEndpointsCard";
import { WebhookSettingsCard } from "../components/WebhookSettingsCard";
import { cursorFromParams, pageLinks, withCursor } from "../lib/cursor";
import { endpointUrlsOf, onEndpointsChanged } from "../lib/endpoints";
import { useResource } from "../lib/useResource";

const PAGE_SIZE = 20;

// The endpoints, and the delivery log of all of them or of one (?endpoint=), filtered by status
// (?status=) and paged by cursor, all in the URL so that a view can be shared or reloaded.
export function WebhooksPage() {
  const [params, setParams] = useSearchParams();
  const cursor = cursorFromParams(params);
  const status = (params.get("status") ?? "") as WebhookStatus | "";
  const endpointId = params.get("endpoint") ?? "";
  const log = useRef<HTMLDivElement>(null);

  const endpoints = useResource("webhook-endpoints", (signal) => api.endpoints.list(signal), { pollMs: 5000 });
  const { reload: reloadEndpoints } = endpoints;
  useEffect(() => onEndpointsChanged(reloadEndpoints), [reloadEndpoints]);
  const deliveries = useResource(
    `webhooks:${JSON.stringify(cursor)}:${status}:${endpointId}`,
    (signal) => api.webhooks.list({ limit: PAGE_SIZE, ...cursor, status, endpoint_id: endpointId }, signal),
    { pollMs: 3000 },
  );
  const endpoint = endpoints.data?.find((e) => e.id === endpointId);

  // Changes filters and starts the log from its newest page.
  const filter = (changes: Record<string, string>) =>
    setParams((current) => {
      const next = withCursor(current, {});
      for (const [name, value] of Object.entries(changes)) {
        if (value === "") next.delete(name);
        else next.set(name, value);
      }
      return next;
    });

  return (
    <>
      <PageHeader title="Webhooks" description="Get notified on your server when payments and refunds change." />
      <div className="stack-lg">
        <WebhookSettingsCard onTestSent={deliveries.reload} />
        <WebhookEndpointsCard
          endpoints={endpoints}
          selected={endpointId || undefined}
          onSelect={(e) => {
            filter({ endpoint: e.id });
            log.current?.scrollIntoView({ behavior: "smooth", block: "start" });
          }}
        />
        <div ref={log} data-test-id="delivery-log" data-endpoint-id={endpointId}>
          <Card
            title={endpointId ? "Endpoint deliveries" : "Delivery log"}
            description={
              endpointId
                ? `Deliveries to ${endpoint?.url ?? endpointId}. Failed deliveries are retried automatically with backoff. Updates live.`
                : "Failed deliveries are retried automatically with backoff. Updates live."
            }
            actions={
              <>
                <select
                  className="input input-compact"
                  aria-label="Filter by endpoint"
                  value={endpointId}
                  onChange={(e) => filter({ endpoint: e.target.value })}
                  data-test-id="endpoint-filter"
                >
                  <option value="">All endpoints</option>
                  {endpointId && !endpoint && <option value={endpointId}>{endpointId}</option>}
                  {(endpoints.data ?? []).map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.url}
                    </option>
                  ))}
                </select>
                <select
                  className="input input-compact"
                  aria-label="Filter by status"
                  value={status}
                  onChange={(e) => filter({ status: e.target.value })}
                >
                  <option value="">All statuses</option>
                  <option value="pending">Pending</option>
                  <option value="success">Success</option>
                  <option value="failed">Failed</option>
                </select>
              </>
            }
          >
            <WebhookDeliveriesTable
              deliveries={deliveries.data?.items}
              loading={deliveries.loading}
              error={deliveries.error}
              onRetry={deliveries.reload}
              onRetried={deliveries.reload}
              filtered={status !== "" || endpointId !== ""}
              endpointUrls={endpointId ? undefined : endpointUrlsOf(endpoints.data)}
            />
            <Pagination
              shown={deliveries.data?.items.length ?? 0}
              total={deliveries.data?.total ?? 0}
              links={pageLinks(cursor, deliveries.data?.items ?? [], deliveries.data?.hasMore ?? false)}
              onPage={(c) => setParams((current) => withCursor(current, c))}
            />
          </Card>
        </div>
      </div>
    </>
  );
}
