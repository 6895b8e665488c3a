import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Payment } from "../api/types";
import { formatMoney, paiseToRupeesInput, rupeesToPaise } from "../lib/money";
import { ConfirmDialog } from "./ConfirmDialog";
import { Field } from "./Field";
import { useToast } from "./Toast";

export function RefundForm({ payment, onRefunded }: { payment: Payment; onRefunded: () => void }) {
  // A captured payment gives back at most what was captured.
  const refundable = (payment.amount_captured ?? payment.amount) - payment.amount_refunded;
  const [amountText, setAmountText] = useState(paiseToRupeesInput(refundable));
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const toast = useToast();

  const amount = rupeesToPaise(amountText);
  const amountError =
    amount === null
      ? "Enter an amount in rupees, e.g. 250 or 99.50"
      : amount > refundable
        ? `You can refund at most ${formatMoney(refundable, payment.currency)}`
        : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!amountError) setConfirming(true);
  };

  const refund = async () => {
    if (amount === null) return;
    const trimmed = reason.trim();
    await api.payments.refund(payment.id, trimmed ? { amount, reason: trimmed } : { amount });
    setConfirming(false);
    setReason("");
    toast(`Refund of ${formatMoney(amount, payment.currency)} started`);
    onRefunded();
  };

  return (
    <form className="refund-form" onSubmit={submit} noValidate data-test-id="refund-form">
      <div className="refund-fields">
        <Field
          label="Amount (₹)"
          htmlFor="refund-amount"
          error={touched ? amountError : undefined}
          hint={`Up to ${formatMoney(refundable, payment.currency)}`}
        >
          <input
            id="refund-amount"
            className="input"
            inputMode="decimal"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={touched && Boolean(amountError)}
            data-test-id="refund-amount-input"
          />
        </Field>
        <Field label="Reason (optional)" htmlFor="refund-reason">
          <input
            id="refund-reason"
            className="input"
            maxLength={255}
            placeholder="e.g. Customer returned the item"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-test-id="refund-reason-input"
          />
        </Field>
      </div>
      <button type="submit" className="button button-secondary" data-test-id="refund-button">
        Refund
      </button>
      {confirming && amount !== null && (
        <ConfirmDialog
          title="Refund payment?"
          confirmLabel={`Refund ${formatMoney(amount, payment.currency)}`}
          danger
          onConfirm={refund}
          onClose={() => setConfirming(false)}
        >
          <p>
            {formatMoney(amount, payment.currency)} will be returned to the customer's{" "}
            {payment.method === "upi" ? "UPI account" : "card"}. Refunds cannot be cancelled.
          </p>
        </ConfirmDialog>
      )}
    </form>
  );
}
