import { Link } from "react-router-dom";
import { api } from "../api/client";
import { Card } from "../components/Card";
import { ErrorNotice } from "../components/ErrorNotice";
import { PageHeader } from "../components/PageHeader";
import { Pagination } from "../components/Pagination";
import { LoadingBlock } from "../components/Spinner";
import { StatusBadge } from "../components/StatusBadge";
import { TableMessage } from "../components/TableMessage";
import { formatDateTime } from "../lib/dates";
import { formatMoney } from "../lib/money";
import { pageLinks } from "../lib/cursor";
import { useCursor } from "../lib/useCursor";
import { useResource } from "../lib/useResource";

const PAGE_SIZE = 20;
const COLUMNS = 6;

export function RefundsPage() {
  const [cursor, setCursor] = useCursor();
  const refunds = useResource(
    `refunds:${JSON.stringify(cursor)}`,
    (signal) => api.refunds.list({ limit: PAGE_SIZE, ...cursor }, signal),
    {
      pollMs: 3000,
    },
  );

  return (
    <>
      <PageHeader
        title="Refunds"
        description="Money returned to customers. Refunds are processed asynchronously; their status updates live."
      />
      <Card>
        <div className="table-wrap">
          <table className="table" data-test-id="refunds-table">
            <thead>
              <tr>
                <th>Refund ID</th>
                <th>Payment ID</th>
                <th className="num">Amount</th>
                <th>Status</th>
                <th>Reason</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {refunds.error !== undefined && (
                <TableMessage colSpan={COLUMNS}>
                  <ErrorNotice error={refunds.error} onRetry={refunds.reload} />
                </TableMessage>
              )}
              {refunds.loading && (
                <TableMessage colSpan={COLUMNS}>
                  <LoadingBlock label="Loading refunds…" />
                </TableMessage>
              )}
              {refunds.data?.items.length === 0 && (
                <TableMessage colSpan={COLUMNS}>
                  <p className="empty">No refunds yet. Refund a payment from its details on the Transactions page.</p>
                </TableMessage>
              )}
              {refunds.data?.items.map((refund) => (
                <tr key={refund.id} data-test-id="refund-row" data-refund-id={refund.id}>
                  <td className="mono">{refund.id}</td>
                  <td className="mono">
                    <Link to={`/dashboard/transactions?payment=${encodeURIComponent(refund.payment_id)}`}>
                      {refund.payment_id}
                    </Link>
                  </td>
                  <td className="num strong">{formatMoney(refund.amount, refund.currency)}</td>
                  <td>
                    <StatusBadge status={refund.status} />
                  </td>
                  <td className="muted" title={refund.error_description ?? undefined}>
                    {refund.status === "failed" ? (refund.error_description ?? "Failed") : (refund.reason ?? "—")}
                  </td>
                  <td className="muted nowrap">{formatDateTime(refund.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          shown={refunds.data?.items.length ?? 0}
          total={refunds.data?.total ?? 0}
          links={pageLinks(cursor, refunds.data?.items ?? [], refunds.data?.hasMore ?? false)}
          onPage={setCursor}
        />
      </Card>
    </>
  );
}
