import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { EndpointChanges, WebhookEndpoint } from "../api/types";
import { parseEventFilters } from "../lib/endpoints";
import { EVENT_TYPES } from "../lib/events";
import { ErrorNotice } from "./ErrorNotice";
import { Field } from "./Field";
import { Modal } from "./Modal";
import { Spinner } from "./Spinner";

interface Props {
  endpoint: WebhookEndpoint;
  onSaved: (endpoint: WebhookEndpoint) => void;
  onClose: () => void;
}

// Edits an endpoint's URL, subscribed events and description; only what changed is sent.
export function EndpointDialog({ endpoint, onSaved, onClose }: Props) {
  const [url, setUrl] = useState(endpoint.url);
  const [events, setEvents] = useState(endpoint.enabled_events.join(", "));
  const [description, setDescription] = useState(endpoint.description);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const filters = parseEventFilters(events);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const changes: EndpointChanges = {};
    if (url.trim() !== endpoint.url) changes.url = url.trim();
    if (filters.join(",") !== endpoint.enabled_events.join(",")) changes.enabled_events = filters;
    if (description !== endpoint.description) changes.description = description;
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    setSaving(true);
    setError(undefined);
    try {
      onSaved(await api.endpoints.update(endpoint.id, changes));
    } catch (err) {
      setError(err);
      setSaving(false);
    }
  };

  const formId = `endpoint-form-${endpoint.id}`;
  return (
    <Modal
      title="Edit endpoint"
      onClose={saving ? () => undefined : onClose}
      testId="endpoint-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button
            type="submit"
            form={formId}
            className="button button-primary"
            disabled={saving || url.trim() === "" || filters.length === 0}
            data-test-id="save-endpoint-button"
          >
            {saving && <Spinner label="Saving" />}
            Save
          </button>
        </>
      }
    >
      <form id={formId} className="stack" onSubmit={save} noValidate>
        <Field label="Endpoint URL" htmlFor={`${formId}-url`}>
          <input
            id={`${formId}-url`}
            className="input"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            data-test-id="edit-endpoint-url-input"
          />
        </Field>
        <Field
          label="Events"
          htmlFor={`${formId}-events`}
          hint="Event names or prefix wildcards, separated by commas: payment.success, refund.*, or * for every event."
        >
          <input
            id={`${formId}-events`}
            className="input mono"
            list={`${formId}-types`}
            value={events}
            onChange={(e) => setEvents(e.target.value)}
            data-test-id="edit-endpoint-events-input"
          />
          <datalist id={`${formId}-types`}>
            {["*", ...EVENT_TYPES].map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </Field>
        <Field label="Description" htmlFor={`${formId}-description`}>
          <input
            id={`${formId}-description`}
            className="input"
            maxLength={500}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            data-test-id="edit-endpoint-description-input"
          />
        </Field>
        {endpoint.primary && (
          <p className="field-hint">This is the primary endpoint: its URL is the Webhook URL above.</p>
        )}
        {error !== undefined && <ErrorNotice error={error} />}
      </form>
    </Modal>
  );
}
