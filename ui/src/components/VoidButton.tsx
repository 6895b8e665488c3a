import { useState } from "react";
import { api } from "../api/client";
import type { Payment } from "../api/types";
import { formatMoney } from "../lib/money";
import { ConfirmDialog } from "./ConfirmDialog";
import { useToast } from "./Toast";

// Releases an authorized payment uncaptured, behind a confirmation.
export function VoidButton({ payment, onVoided }: { payment: Payment; onVoided: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const toast = useToast();
  const amount = formatMoney(payment.amount, payment.currency);

  const voidPayment = async () => {
    await api.payments.void(payment.id);
    setConfirming(false);
    toast(`Voided ${amount}`);
    onVoided();
  };

  return (
    <>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => setConfirming(true)}
        data-test-id="void-button"
      >
        Void authorization
      </button>
      {confirming && (
        <ConfirmDialog
          title="Void payment?"
          confirmLabel="Void payment"
          danger
          onConfirm={voidPayment}
          onClose={() => setConfirming(false)}
        >
          <p>
            The {amount} authorization is released to the customer. A voided payment can be neither captured nor
            refunded.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
