import { useSearchParams } from "react-router-dom";
import { api } from "../api/client";
import type { CaptureState, PaymentFilters as Filters, PaymentMethod, PaymentStatus } from "../api/types";
import { Card } from "../components/Card";
import { PageHeader } from "../components/PageHeader";
import { Pagination } from "../components/Pagination";
import { PaymentDrawer } from "../components/PaymentDrawer";
import { PaymentFilters } from "../components/PaymentFilters";
import { PaymentsTable } from "../components/PaymentsTable";
import { cursorFromParams, pageLinks, withCursor } from "../lib/cursor";
import { useResource } from "../lib/useResource";

const PAGE_SIZE = 20;

// Filters, the page cursor and the open payment live in the URL so a view can be shared or reloaded.
export function TransactionsPage() {
  const [params, setParams] = useSearchParams();
  const filters: Filters = {
    status: (params.get("status") ?? "") as PaymentStatus | "",
    method: (params.get("method") ?? "") as PaymentMethod | "",
    capture_state: (params.get("capture_state") ?? "") as CaptureState | "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
  };
  const cursor = cursorFromParams(params);
  const openId = params.get("payment");

  const payments = useResource(
    JSON.stringify({ filters, cursor }),
    (signal) => api.payments.list({ limit: PAGE_SIZE, ...cursor }, filters, signal),
    { pollMs: 3000 },
  );

  const update = (changes: Record<string, string | number | null>) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === "" || value === 0) next.delete(name);
        else next.set(name, String(value));
      }
      return next;
    });
  };

  return (
    <>
      <PageHeader
        title="Transactions"
        description="Every payment attempt, live. Select one to see its history, capture or refund it."
      />
      <Card>
        <PaymentFilters
          filters={filters}
          onChange={(f) =>
            update({
              status: f.status ?? "",
              method: f.method ?? "",
              capture_state: f.capture_state ?? "",
              from: f.from ?? "",
              to: f.to ?? "",
              after: null,
              before: null,
              page: null,
            })
          }
        />
        <PaymentsTable
          payments={payments.data?.items}
          loading={payments.loading}
          error={payments.error}
          onRetry={payments.reload}
          onOpen={(payment) => update({ payment: payment.id })}
          filtered={Boolean(filters.status || filters.method || filters.capture_state || filters.from || filters.to)}
        />
        <Pagination
          shown={payments.data?.items.length ?? 0}
          total={payments.data?.total ?? 0}
          links={pageLinks(cursor, payments.data?.items ?? [], payments.data?.hasMore ?? false)}
          onPage={(c) => setParams((current) => withCursor(current, c))}
        />
      </Card>
      {openId && (
        <PaymentDrawer paymentId={openId} onClose={() => update({ payment: null })} onChanged={payments.reload} />
      )}
    </>
  );
}
