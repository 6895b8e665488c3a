import { Link } from "react-router-dom";
import type { Payment } from "../api/types";
import { formatDateTime } from "../lib/dates";
import { formatMoney } from "../lib/money";
import { ErrorNotice } from "./ErrorNotice";
import { LoadingBlock } from "./Spinner";
import { StatusBadge } from "./StatusBadge";
import { TableMessage } from "./TableMessage";

interface Props {
  payments: Payment[] | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  onOpen: (payment: Payment) => void;
  filtered: boolean; // whether filters are narrowing the list, for the empty state
}

const COLUMNS = 6;

export function PaymentsTable({ payments, loading, error, onRetry, onOpen, filtered }: Props) {
  return (
    <div className="table-wrap">
      <table className="table" data-test-id="transactions-table">
        <thead>
          <tr>
            <th>Payment ID</th>
            <th>Order ID</th>
            <th className="num">Amount</th>
            <th>Method</th>
            <th>Status</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {error !== undefined && (
            <TableMessage colSpan={COLUMNS}>
              <ErrorNotice error={error} onRetry={onRetry} />
            </TableMessage>
          )}
          {loading && (
            <TableMessage colSpan={COLUMNS}>
              <LoadingBlock label="Loading payments…" />
            </TableMessage>
          )}
          {!loading && payments?.length === 0 && (
            <TableMessage colSpan={COLUMNS}>
              <p className="empty">
                {filtered ? (
                  "No payments match these filters."
                ) : (
                  <>
                    No payments yet. Try one from the <Link to="/dashboard/checkout">Checkout</Link> page.
                  </>
                )}
              </p>
            </TableMessage>
          )}
          {payments?.map((payment) => (
            <tr
              key={payment.id}
              className="row-link"
              data-test-id="transaction-row"
              data-payment-id={payment.id}
              tabIndex={0}
              onClick={() => onOpen(payment)}
              onKeyDown={(e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  onOpen(payment);
                }
              }}
            >
              <td className="mono" data-test-id="payment-id">
                {payment.id}
              </td>
              <td className="mono muted" data-test-id="order-id">
                {payment.order_id}
              </td>
              <td className="num strong" data-test-id="amount">
                {formatMoney(payment.amount, payment.currency)}
              </td>
              <td>
                <span className={`method method-${payment.method}`} data-test-id="method">
                  {payment.method}
                </span>
              </td>
              <td>
                <StatusBadge status={payment.status} testId="status" />
              </td>
              <td className="muted nowrap" data-test-id="created-at" title={payment.created_at}>
                {formatDateTime(payment.created_at)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
