import { useState } from "react";
import { api } from "../api/client";
import type { WebhookStatus } from "../api/types";
import { Card } from "../components/Card";
import { PageHeader } from "../components/PageHeader";
import { Pagination } from "../components/Pagination";
import { WebhookDeliveriesTable } from "../components/WebhookDeliveriesTable";
import { WebhookEndpointsCard } from "../components/WebhookEndpointsCard";
import { WebhookSettingsCard } from "../components/WebhookSettingsCard";
import { pageLinks } from "../lib/cursor";
import { useCursor } from "../lib/useCursor";
import { useResource } from "../lib/useResource";

const PAGE_SIZE = 20;

export function WebhooksPage() {
  const [cursor, setCursor] = useCursor();
  const [status, setStatus] = useState<WebhookStatus | "">("");
  const deliveries = useResource(
    `webhooks:${JSON.stringify(cursor)}:${status}`,
    (signal) => api.webhooks.list({ limit: PAGE_SIZE, ...cursor, status }, signal),
    { pollMs: 3000 },
  );

  return (
    <>
      <PageHeader title="Webhooks" description="Get notified on your server when payments and refunds change." />
      <div className="stack-lg">
        <WebhookSettingsCard onTestSent={deliveries.reload} />
        <WebhookEndpointsCard />
        <Card
          title="Delivery log"
          description="Failed deliveries are retried automatically with backoff. Updates live."
          actions={
            <select
              className="input input-compact"
              aria-label="Filter by status"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as WebhookStatus | "");
                setCursor({});
              }}
            >
              <option value="">All statuses</option>
              <option value="pending">Pending</option>
              <option value="success">Success</option>
              <option value="failed">Failed</option>
            </select>
          }
        >
          <WebhookDeliveriesTable
            deliveries={deliveries.data?.items}
            loading={deliveries.loading}
            error={deliveries.error}
            onRetry={deliveries.reload}
            onRetried={deliveries.reload}
            filtered={status !== ""}
          />
          <Pagination
          shown={deliveries.data?.items.length ?? 0}
          total={deliveries.data?.total ?? 0}
          links={pageLinks(cursor, deliveries.data?.items ?? [], deliveries.data?.hasMore ?? false)}
          onPage={setCursor}
        />
        </Card>
      </div>
    </>
  );
}
