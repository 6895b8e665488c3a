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
const COLUMNS = 5;

export function OrdersPage() {
  const [cursor, setCursor] = useCursor();
  const orders = useResource(`orders:${JSON.stringify(cursor)}`, (signal) =>
    api.orders.list({ limit: PAGE_SIZE, ...cursor }, signal),
  );

  return (
    <>
      <PageHeader
        title="Orders"
        description="An order is what a customer pays for. Create them from your server, or try one on the Checkout page."
        actions={
          <Link to="/dashboard/checkout" className="button button-primary">
            New test order
          </Link>
        }
      />
      <Card>
        <div className="table-wrap">
          <table className="table" data-test-id="orders-table">
            <thead>
              <tr>
                <th>Order ID</th>
                <th className="num">Amount</th>
                <th>Status</th>
                <th>Receipt</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {orders.error !== undefined && (
                <TableMessage colSpan={COLUMNS}>
                  <ErrorNotice error={orders.error} onRetry={orders.reload} />
                </TableMessage>
              )}
              {orders.loading && (
                <TableMessage colSpan={COLUMNS}>
                  <LoadingBlock label="Loading orders…" />
                </TableMessage>
              )}
              {orders.data?.items.length === 0 && (
                <TableMessage colSpan={COLUMNS}>
                  <p className="empty">No orders yet. Create one from your server, or a test order here.</p>
                </TableMessage>
              )}
              {orders.data?.items.map((order) => (
                <tr key={order.id} data-test-id="order-row" data-order-id={order.id}>
                  <td className="mono">{order.id}</td>
                  <td className="num strong">{formatMoney(order.amount, order.currency)}</td>
                  <td>
                    <StatusBadge status={order.status} />
                  </td>
                  <td className="muted">{order.receipt || "—"}</td>
                  <td className="muted nowrap">{formatDateTime(order.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          shown={orders.data?.items.length ?? 0}
          total={orders.data?.total ?? 0}
          links={pageLinks(cursor, orders.data?.items ?? [], orders.data?.hasMore ?? false)}
          onPage={setCursor}
        />
      </Card>
    </>
  );
}
