import { api } from "../api/client";
import type { Payment, PublicConfig, Refund } from "../api/types";
import { formatDateTime } from "../lib/dates";
import { paymentInstrument } from "../lib/instrument";
import { formatMoney } from "../lib/money";
import { paymentTimeline } from "../lib/timeline";
import { useResource } from "../lib/useResource";
import { AuthorizationNotice } from "./AuthorizationNotice";
import { CaptureButton } from "./CaptureButton";
import { CopyButton } from "./CopyButton";
import { ErrorNotice } from "./ErrorNotice";
import { Modal } from "./Modal";
import { PaymentTimeline } from "./PaymentTimeline";
import { RefundForm } from "./RefundForm";
import { LoadingBlock } from "./Spinner";
import { StatusBadge } from "./StatusBadge";
import { VoidButton } from "./VoidButton";

interface Details {
  payment: Payment;
  refunds: Refund[];
  config: PublicConfig;
}

async function loadDetails(paymentId: string, signal: AbortSignal): Promise<Details> {
  const [payment, refunds, config] = await Promise.all([
    api.payments.get(paymentId, signal),
    api.refunds.list({ payment_id: paymentId, limit: 100 }, signal),
    api.publicConfig(),
  ]);
  return { payment, refunds: refunds.items, config };
}

function workflowUrl(config: PublicConfig, paymentId: string): string {
  const base = config.temporal_ui_url.replace(/\/+$/, "");
  return `${base}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(paymentId)}`;
}

// Everything about one payment: its fields, history and the actions it allows.
export function PaymentDrawer({
  paymentId,
  onClose,
  onChanged,
}: {
  paymentId: string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const details = useResource(`payment:${paymentId}`, (signal) => loadDetails(paymentId, signal), { pollMs: 3000 });
  const changed = () => {
    details.reload();
    onChanged();
  };

  return (
    <Modal title="Payment" variant="drawer" onClose={onClose} testId="payment-drawer">
      {details.error !== undefined && <ErrorNotice error={details.error} onRetry={details.reload} />}
      {details.loading && <LoadingBlock label="Loading payment…" />}
      {details.data && <PaymentDetails {...details.data} onChanged={changed} />}
    </Modal>
  );
}

function PaymentDetails({ payment, refunds, config, onChanged }: Details & { onChanged: () => void }) {
  const money = (amount: number) => formatMoney(amount, payment.currency);
  const canCapture = payment.status === "success" && !payment.captured;
  const canVoid = canCapture && payment.amount_refunded === 0;
  const refundable = payment.amount_captured ?? payment.amount;
  const canRefund = payment.status === "success" && payment.amount_refunded < refundable;

  return (
    <div className="stack-lg">
      <div className="drawer-summary">
        <span className="drawer-amount">{money(payment.amount)}</span>
        <StatusBadge status={payment.status} />
      </div>

      {canCapture && <AuthorizationNotice payment={payment} />}

      {payment.status === "voided" && (
        <div className="notice" data-test-id="voided-notice">
          {payment.void_reason === "expired"
            ? "The authorization expired uncaptured and was released."
            : "The authorization was voided and released."}
        </div>
      )}

      {payment.status === "failed" && (
        <div className="notice notice-error">
          {payment.error_description ?? "The payment failed."}
          {payment.error_code && <span className="mono small"> ({payment.error_code})</span>}
        </div>
      )}

      <dl className="details">
        <dt>Payment ID</dt>
        <dd className="with-action">
          <span className="mono">{payment.id}</span>
          <CopyButton value={payment.id} />
        </dd>
        <dt>Order ID</dt>
        <dd className="mono">{payment.order_id}</dd>
        <dt>Method</dt>
        <dd>
          <span className={`method method-${payment.method}`}>{payment.method}</span>{" "}
          <span className="muted">{paymentInstrument(payment)}</span>
        </dd>
        <dt>Captured</dt>
        <dd data-test-id="captured-field">
          {payment.captured
            ? `${money(payment.amount_captured ?? payment.amount)}, ${formatDateTime(payment.captured_at)}`
            : "No"}
        </dd>
        <dt>Refunded</dt>
        <dd>{money(payment.amount_refunded)}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(payment.created_at)}</dd>
        <dt>Updated</dt>
        <dd>{formatDateTime(payment.updated_at)}</dd>
      </dl>

      {(canCapture || canRefund) && (
        <section className="drawer-section">
          <h3>Actions</h3>
          {canCapture && <CaptureButton payment={payment} onCaptured={onChanged} />}
          {canVoid && <VoidButton payment={payment} onVoided={onChanged} />}
          {canRefund && <RefundForm
              key={`${payment.amount_refunded}/${payment.amount_captured ?? ""}`}
              payment={payment}
              onRefunded={onChanged}
            />}
        </section>
      )}

      <section className="drawer-section">
        <h3>Timeline</h3>
        <PaymentTimeline events={paymentTimeline(payment, refunds)} />
      </section>

      <a className="external-link" href={workflowUrl(config, payment.id)} target="_blank" rel="noopener noreferrer">
        View workflow in Temporal ↗
      </a>
    </div>
  );
}
