import { useState } from "react";
import { api } from "../api/client";
import { useSession } from "../session";
import { Card } from "./Card";
import { ConfirmDialog } from "./ConfirmDialog";
import { CopyButton } from "./CopyButton";
import { Modal } from "./Modal";
import { SecretReveal } from "./SecretReveal";

// The merchant's API key and a masked secret. The secret cannot be read back;
// rolling it issues a new one that is shown exactly once.
export function CredentialsCard() {
  const { merchant, setMerchant } = useSession();
  const [step, setStep] = useState<"idle" | "confirm" | { newSecret: string }>("idle");

  const roll = async () => {
    const credentials = await api.auth.rollSecret();
    setMerchant({ ...merchant, apiKey: credentials.apiKey });
    setStep({ newSecret: credentials.apiSecret });
  };

  return (
    <Card
      title="API credentials"
      description="Use these to call the API from your server. Never expose the secret in a browser or app."
      testId="api-credentials"
      actions={
        <button type="button" className="button button-secondary" onClick={() => setStep("confirm")}>
          Roll secret
        </button>
      }
    >
      <dl className="credentials">
        <div>
          <dt>Key ID</dt>
          <dd>
            <code className="mono" data-test-id="api-key">
              {merchant.apiKey}
            </code>
            <CopyButton value={merchant.apiKey} />
          </dd>
        </div>
        <div>
          <dt>Secret</dt>
          <dd>
            <code className="mono" data-test-id="api-secret">
              secret_••••••••••••
            </code>
            <span className="muted small">Shown only when issued</span>
          </dd>
        </div>
      </dl>

      {step === "confirm" && (
        <ConfirmDialog
          title="Roll API secret?"
          confirmLabel="Roll secret"
          danger
          onConfirm={roll}
          onClose={() => setStep("idle")}
        >
          <p>
            A new secret is issued and <strong>the current secret stops working immediately</strong>. Update every
            server that uses it.
          </p>
        </ConfirmDialog>
      )}
      {typeof step === "object" && (
        <Modal
          title="Your new API secret"
          onClose={() => setStep("idle")}
          footer={
            <button type="button" className="button button-primary" onClick={() => setStep("idle")}>
              Done
            </button>
          }
        >
          <SecretReveal label="API secret" secret={step.newSecret} />
        </Modal>
      )}
    </Card>
  );
}
