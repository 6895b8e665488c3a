import { useEffect, useState, type FormEvent } from "react";
import { api, errorMessage } from "../api/client";
import { endpointsChanged, onEndpointsChanged } from "../lib/endpoints";
import { useResource } from "../lib/useResource";
import { Card } from "./Card";
import { ConfirmDialog } from "./ConfirmDialog";
import { CopyButton } from "./CopyButton";
import { ErrorNotice } from "./ErrorNotice";
import { Field } from "./Field";
import { LoadingBlock, Spinner } from "./Spinner";
import { useToast } from "./Toast";

function urlProblem(url: string): string | undefined {
  if (url === "") return undefined;
  try {
    const { protocol } = new URL(url);
    return protocol === "https:" || protocol === "http:" ? undefined : "Use an http:// or https:// URL";
  } catch {
    return "Enter a full URL, e.g. https://example.com/webhooks";
  }
}

// Where events are sent, the secret that signs them, and a way to send a test event.
export function WebhookSettingsCard({ onTestSent }: { onTestSent: () => void }) {
  const config = useResource("webhook-config", (signal) => api.webhooks.config(signal));
  const toast = useToast();
  const [url, setUrl] = useState("");
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [confirmRegenerate, setConfirmRegenerate] = useState(false);
  // The primary endpoint is this URL and secret: a change made in the endpoints table shows here.
  const { reload } = config;
  useEffect(() => onEndpointsChanged(reload), [reload]);

  const savedUrl = config.data?.webhook_url ?? "";
  useEffect(() => setUrl(savedUrl), [savedUrl]);
  const problem = urlProblem(url.trim());

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (problem) return;
    setSaving(true);
    setSaveError(undefined);
    try {
      await api.webhooks.saveUrl(url.trim());
      toast("Webhook URL saved");
      endpointsChanged();
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const sendTest = async () => {
    setTesting(true);
    try {
      await api.webhooks.sendTest();
      toast("Test event queued — watch the delivery log below");
      onTestSent();
    } catch (error) {
      toast(errorMessage(error), "error");
    } finally {
      setTesting(false);
    }
  };

  const regenerate = async () => {
    await api.webhooks.regenerateSecret();
    setConfirmRegenerate(false);
    toast("New webhook secret generated");
    endpointsChanged();
  };

  if (config.loading) {
    return (
      <Card title="Endpoint">
        <LoadingBlock label="Loading webhook settings…" />
      </Card>
    );
  }

  return (
    <Card
      title="Endpoint"
      description="We POST a JSON event to this URL when a payment or refund changes, signed with your webhook secret."
    >
      {config.error !== undefined && <ErrorNotice error={config.error} onRetry={config.reload} />}
      <form onSubmit={save} noValidate>
        <Field label="Webhook URL" htmlFor="webhook-url" error={problem}>
          <div className="input-row">
            <input
              id="webhook-url"
              className="input"
              type="url"
              placeholder="https://example.com/webhooks/paygate"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              aria-invalid={Boolean(problem)}
              data-test-id="webhook-url-input"
            />
            <button
              type="submit"
              className="button button-primary"
              disabled={saving || Boolean(problem)}
              data-test-id="save-webhook-button"
            >
              {saving && <Spinner label="Saving" />}
              {saving ? "Saving…" : "Save"}
            </button>
          </div>
        </Field>
      </form>
      {saveError !== undefined && <ErrorNotice error={saveError} />}

      <div className="webhook-secret">
        <div className="field-label">Signing secret</div>
        <div className="secret-row">
          <code className="mono secret-value" data-test-id="webhook-secret">
            {config.data?.webhook_secret ?? "—"}
          </code>
          {config.data && <CopyButton value={config.data.webhook_secret} />}
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setConfirmRegenerate(true)}
          >
            Regenerate
          </button>
        </div>
        <p className="field-hint">
          Each delivery is signed with HMAC-SHA256 of the raw request body using this secret.
        </p>
      </div>

      <div className="card-footer">
        <span className="muted small">
          {savedUrl ? `Sending to ${savedUrl}` : "Save a URL to start receiving events."}
        </span>
        <button
          type="button"
          className="button button-secondary"
          onClick={sendTest}
          disabled={testing || !savedUrl}
          data-test-id="test-webhook-button"
        >
          {testing && <Spinner label="Sending" />}
          Send test event
        </button>
      </div>

      {confirmRegenerate && (
        <ConfirmDialog
          title="Regenerate signing secret?"
          confirmLabel="Regenerate"
          danger
          onConfirm={regenerate}
          onClose={() => setConfirmRegenerate(false)}
        >
          <p>
            Events are signed with the new secret from now on. Signatures checked with the old secret will stop
            matching.
          </p>
        </ConfirmDialog>
      )}
    </Card>
  );
}
