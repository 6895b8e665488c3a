import { useState } from "react";
import { api } from "../api/client";
import type { Payment } from "../api/types";
import { formatMoney } from "../lib/money";
import { ConfirmDialog } from "./ConfirmDialog";
import { useToast } from "./Toast";

export function CaptureButton({ payment, onCaptured }: { payment: Payment; onCaptured: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const toast = useToast();
  const amount = formatMoney(payment.amount, payment.currency);

  const capture = async () => {
    await api.payments.capture(payment.id, payment.amount);
    setConfirming(false);
    toast(`Captured ${amount}`);
    onCaptured();
  };

  return (
    <>
      <button
        type="button"
        className="button button-primary"
        onClick={() => setConfirming(true)}
        data-test-id="capture-button"
      >
        Capture {amount}
      </button>
      {confirming && (
        <ConfirmDialog
          title="Capture payment?"
          confirmLabel={`Capture ${amount}`}
          onConfirm={capture}
          onClose={() => setConfirming(false)}
        >
          <p>
            {amount} will be captured and settled to your account. This cannot be undone, but you can refund the payment
            later.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
