import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Payment } from "../api/types";
import { formatMoney, paiseToRupeesInput, rupeesToPaise } from "../lib/money";
import { ConfirmDialog } from "./ConfirmDialog";
import { Field } from "./Field";
import { useToast } from "./Toast";

// The smallest capture the gateway takes, in paise (₹1.00).
const MIN_CAPTURE = 100;

// Captures an authorized payment for an amount, prefilled with the whole of it; less releases the
// rest of the authorization.
export function CaptureButton({ payment, onCaptured }: { payment: Payment; onCaptured: () => void }) {
  const [amountText, setAmountText] = useState(paiseToRupeesInput(payment.amount));
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const toast = useToast();

  const amount = rupeesToPaise(amountText);
  const amountError =
    amount === null
      ? "Enter an amount in rupees, e.g. 250 or 99.50"
      : amount > payment.amount
        ? `You can capture at most ${formatMoney(payment.amount, payment.currency)}`
        : amount < MIN_CAPTURE
          ? `Capture at least ${formatMoney(MIN_CAPTURE, payment.currency)}`
          : undefined;
  const label = amount === null ? "" : formatMoney(amount, payment.currency);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!amountError) setConfirming(true);
  };

  const capture = async () => {
    if (amount === null) return;
    await api.payments.capture(payment.id, amount);
    setConfirming(false);
    toast(`Captured ${label}`);
    onCaptured();
  };

  const partial = amount !== null && amount < payment.amount;
  return (
    <form className="refund-form" onSubmit={submit} noValidate data-test-id="capture-form">
      <div className="refund-fields">
        <Field
          label="Capture amount (₹)"
          htmlFor="capture-amount"
          error={touched ? amountError : undefined}
          hint={`Up to ${formatMoney(payment.amount, payment.currency)}`}
        >
          <input
            id="capture-amount"
            className="input"
            inputMode="decimal"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={touched && Boolean(amountError)}
            data-test-id="capture-amount-input"
          />
        </Field>
      </div>
      <button type="submit" className="button button-primary" data-test-id="capture-button">
        Capture {label}
      </button>
      {confirming && amount !== null && (
        <ConfirmDialog
          title="Capture payment?"
          confirmLabel={`Capture ${label}`}
          onConfirm={capture}
          onClose={() => setConfirming(false)}
        >
          <p>
            {label} will be captured and settled to your account.
            {partial &&
              ` The remaining ${formatMoney(payment.amount - amount, payment.currency)} of the authorization is released.`}{" "}
            This cannot be undone, but you can refund the payment later.
          </p>
        </ConfirmDialog>
      )}
    </form>
  );
}
