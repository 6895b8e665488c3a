import type { PublicOrder } from "../api/types";
import { formatMoney } from "../lib/money";

export function OrderSummary({ order }: { order: PublicOrder }) {
  return (
    <div className="order-summary" data-test-id="order-summary">
      <div className="order-merchant">
        <span className="avatar" aria-hidden="true">
          {order.merchant_name.slice(0, 1).toUpperCase()}
        </span>
        <span>{order.merchant_name}</span>
      </div>
      <div className="order-amount" data-test-id="order-amount">
        {formatMoney(order.amount, order.currency)}
      </div>
      <div className="order-meta">
        Order{" "}
        <span className="mono" data-test-id="order-id">
          {order.id}
        </span>
      </div>
    </div>
  );
}
