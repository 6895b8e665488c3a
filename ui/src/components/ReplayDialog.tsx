import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Replay, WebhookEndpoint } from "../api/types";
import { instantOfLocalInput, localInputValue } from "../lib/dates";
import { parseEventFilters } from "../lib/endpoints";
import { ErrorNotice } from "./ErrorNotice";
import { Field } from "./Field";
import { Modal } from "./Modal";
import { Spinner } from "./Spinner";

const DAY_MS = 24 * 60 * 60 * 1000;

interface Props {
  endpoint: WebhookEndpoint;
  onStarted: (replay: Replay) => void;
  onClose: () => void;
}

// Where a replay starts by default: when the endpoint was disabled or began failing, else a day ago.
function defaultFrom(endpoint: WebhookEndpoint): string {
  return endpoint.disabled_at ?? endpoint.failing_since ?? new Date(Date.now() - DAY_MS).toISOString();
}

// Asks what to re-send to an endpoint (a creation range and event types) and starts the replay.
export function ReplayDialog({ endpoint, onStarted, onClose }: Props) {
  const [from, setFrom] = useState(localInputValue(defaultFrom(endpoint)));
  const [to, setTo] = useState("");
  const [types, setTypes] = useState("");
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>();
  const formId = `replay-form-${endpoint.id}`;

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setStarting(true);
    setError(undefined);
    try {
      onStarted(
        await api.endpoints.replay(endpoint.id, {
          gte: instantOfLocalInput(from),
          lte: instantOfLocalInput(to),
          types: parseEventFilters(types),
        }),
      );
    } catch (err) {
      setError(err);
      setStarting(false);
    }
  };

  return (
    <Modal
      title="Replay events"
      onClose={starting ? () => undefined : onClose}
      testId="replay-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={starting}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={starting} data-test-id="start-replay-button">
            {starting && <Spinner label="Starting" />}
            Start replay
          </button>
        </>
      }
    >
      <form id={formId} className="stack" onSubmit={start} noValidate>
        <p className="muted">
          Re-sends the events to <code className="mono">{endpoint.url}</code> that it subscribes to, oldest first. Each
          keeps its id, so your server can skip any it already has.
        </p>
        <div className="form-row">
          <Field label="From" htmlFor={`${formId}-from`} hint="Empty: the oldest event kept (30 days).">
            <input
              id={`${formId}-from`}
              className="input"
              type="datetime-local"
              value={from}
              max={to || undefined}
              onChange={(e) => setFrom(e.target.value)}
            />
          </Field>
          <Field label="To" htmlFor={`${formId}-to`} hint="Empty: now.">
            <input
              id={`${formId}-to`}
              className="input"
              type="datetime-local"
              value={to}
              min={from || undefined}
              onChange={(e) => setTo(e.target.value)}
            />
          </Field>
        </div>
        <Field
          label="Event types"
          htmlFor={`${formId}-types`}
          hint="Names or prefix wildcards, separated by commas. Empty: every event the endpoint subscribes to."
        >
          <input
            id={`${formId}-types`}
            className="input mono"
            placeholder={endpoint.enabled_events.join(", ")}
            value={types}
            onChange={(e) => setTypes(e.target.value)}
          />
        </Field>
        {error !== undefined && <ErrorNotice error={error} />}
      </form>
    </Modal>
  );
}
