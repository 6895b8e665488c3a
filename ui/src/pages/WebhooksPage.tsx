import { useState } from "react";
import { api } from "../api/client";
import type { WebhookStatus } from "../api/types";
import { Card } from "../components/Card";
import { PageHeader } from "../components/PageHeader";
import { Pagination } from "../components/Pagination";
import { WebhookDeliveriesTable } from "../components/WebhookDeliveriesTable";
import { WebhookSettingsCard } from "../components/WebhookSettingsCard";
import { usePage } from "../lib/usePage";
import { useResource } from "../lib/useResource";

const PAGE_SIZE = 20;

export function WebhooksPage() {
  const [page, setPage] = usePage();
  const [status, setStatus] = useState<WebhookStatus | "">("");
  const deliveries = useResource(
    `webhooks:${page}:${status}`,
    (signal) => api.webhooks.list({ limit: PAGE_SIZE, skip: page * PAGE_SIZE, status }, signal),
    { pollMs: 3000 },
  );

  return (
    <>
      <PageHeader title="Webhooks" description="Get notified on your server when payments and refunds change." />
      <div className="stack-lg">
        <WebhookSettingsCard onTestSent={deliveries.reload} />
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
                setPage(0);
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
          <Pagination page={page} pageSize={PAGE_SIZE} total={deliveries.data?.total ?? 0} onPage={setPage} />
        </Card>
      </div>
    </>
  );
}
