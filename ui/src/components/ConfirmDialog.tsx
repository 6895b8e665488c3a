import { useState, type ReactNode } from "react";
import { ErrorNotice } from "./ErrorNotice";
import { Modal } from "./Modal";
import { Spinner } from "./Spinner";

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  // Performs the action; the caller closes the dialog when it succeeds.
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger = false, onConfirm, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={title}
      onClose={busy ? () => undefined : onClose}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${danger ? "button-danger" : "button-primary"}`}
            onClick={confirm}
            disabled={busy}
          >
            {busy && <Spinner label="Working" />}
            {confirmLabel}
          </button>
        </>
      }
    >
      <div className="stack">
        {children}
        {error !== undefined && <ErrorNotice error={error} />}
      </div>
    </Modal>
  );
}
