import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { api } from "../api/client";
import type { Order } from "../api/types";
import { Checkout } from "../checkout/Checkout";
import { Card } from "../components/Card";
import { ErrorNotice } from "../components/ErrorNotice";
import { Field } from "../components/Field";
import { PageHeader } from "../components/PageHeader";
import { Spinner } from "../components/Spinner";
import { formatMoney, rupeesToPaise } from "../lib/money";
import { useSession } from "../session";

// Create a test order and pay it right here with the same checkout customers see.
export function CheckoutDemoPage() {
  const { merchant } = useSession();
  const [order, setOrder] = useState<Order>();

  return (
    <>
      <PageHeader
        title="Checkout"
        description="Create an order and pay it with the same checkout your customers see — hosted, or embedded with checkout.js."
      />
      <div className="checkout-demo">
        <div className="stack-lg">
          <CreateOrderCard order={order} onCreated={setOrder} onReset={() => setOrder(undefined)} />
          <EmbedSnippetCard apiKey={merchant.apiKey} orderId={order?.id} />
        </div>
        <Card title="Customer view" description={order ? undefined : "Create an order to see the checkout."}>
          {order ? (
            <div className="checkout-preview">
              <Checkout key={order.id} orderId={order.id} apiKey={merchant.apiKey} />
            </div>
          ) : (
            <div className="placeholder">Your checkout will appear here.</div>
          )}
        </Card>
      </div>
    </>
  );
}

function CreateOrderCard({
  order,
  onCreated,
  onReset,
}: {
  order?: Order;
  onCreated: (order: Order) => void;
  onReset: () => void;
}) {
  const [amountText, setAmountText] = useState("500");
  const [receipt, setReceipt] = useState("");
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>();
  const amount = rupeesToPaise(amountText);
  const amountError = amount === null ? "Enter an amount in rupees, e.g. 500 or 99.50" : undefined;

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (amount === null) return;
    setBusy(true);
    setError(undefined);
    try {
      const trimmed = receipt.trim();
      onCreated(
        await api.orders.create(trimmed ? { amount, currency: "INR", receipt: trimmed } : { amount, currency: "INR" }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (order) {
    return (
      <Card
        title="Order created"
        actions={
          <button type="button" className="button button-secondary button-small" onClick={onReset}>
            New order
          </button>
        }
      >
        <dl className="details">
          <dt>Order ID</dt>
          <dd className="mono">{order.id}</dd>
          <dt>Amount</dt>
          <dd>{formatMoney(order.amount, order.currency)}</dd>
        </dl>
        <p className="muted small">
          Test with any UPI ID (e.g. <code>user@paytm</code>) or card <code>4111 1111 1111 1111</code>; card{" "}
          <code>4000 0000 0000 0002</code> is declined. Then find the payment in{" "}
          <Link to="/dashboard/transactions">Transactions</Link>.
        </p>
      </Card>
    );
  }

  return (
    <Card title="Create an order" description="A test order, as your server would create it.">
      <form className="stack" onSubmit={create} noValidate>
        {error !== undefined && <ErrorNotice error={error} />}
        <Field label="Amount (₹)" htmlFor="order-amount" error={touched ? amountError : undefined}>
          <input
            id="order-amount"
            className="input"
            inputMode="decimal"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
            onBlur={() => setTouched(true)}
            data-test-id="order-amount-input"
          />
        </Field>
        <Field label="Receipt (optional)" htmlFor="order-receipt" hint="Your own reference, e.g. an invoice number">
          <input
            id="order-receipt"
            className="input"
            maxLength={40}
            value={receipt}
            onChange={(e) => setReceipt(e.target.value)}
          />
        </Field>
        <button type="submit" className="button button-primary" disabled={busy} data-test-id="create-order-button">
          {busy && <Spinner label="Creating order" />}
          {busy ? "Creating…" : "Create order"}
        </button>
      </form>
    </Card>
  );
}

function EmbedSnippetCard({ apiKey, orderId }: { apiKey: string; orderId: string | undefined }) {
  const origin = window.location.origin;
  const snippet = `<script src="${origin}/checkout.js"></script>
<script>
  new PaymentGateway({
    key: "${apiKey}",
    orderId: ${orderId ? `"${orderId}",` : `"order_…", // create the order on your server`}
    onSuccess: (r) => console.log("paid", r.paymentId),
    onFailure: (r) => console.log("failed", r.error.description),
    onClose: () => console.log("closed"),
  }).open();
</script>`;

  return (
    <Card title="Embed on your site" description="Only your key ID goes in the page — never the secret.">
      <pre className="code-block">{snippet}</pre>
      {orderId && (
        <a
          className="external-link"
          href={`/checkout?order_id=${encodeURIComponent(orderId)}`}
          target="_blank"
          rel="noopener noreferrer"
        >
          Open hosted checkout ↗
        </a>
      )}
    </Card>
  );
}
