import { useState, type FormEvent } from "react";
import { api, errorMessage } from "../api/client";
import type { Replay, WebhookEndpoint } from "../api/types";
import {
  deliveriesSummary,
  endpointsChanged,
  isAutoDisabled,
  parseEventFilters,
  successRateText,
  successRateTone,
} from "../lib/endpoints";
import type { Resource } from "../lib/useResource";
import { Card } from "./Card";
import { ConfirmDialog } from "./ConfirmDialog";
import { EndpointDialog } from "./EndpointDialog";
import { ErrorNotice } from "./ErrorNotice";
import { Modal } from "./Modal";
import { ReplayDialog } from "./ReplayDialog";
import { ReplayProgress } from "./ReplayProgress";
import { SecretReveal } from "./SecretReveal";
import { LoadingBlock } from "./Spinner";
import { StatusBadge } from "./StatusBadge";
import { TableMessage } from "./TableMessage";
import { useToast } from "./Toast";

const COLUMNS = 5;

interface Props {
  endpoints: Resource<WebhookEndpoint[]>;
  selected: string | undefined; // the endpoint whose deliveries the log shows
  onSelect: (endpoint: WebhookEndpoint) => void;
}

// What a dialog of the card is doing, for which endpoint.
type Step =
  | { kind: "edit"; endpoint: WebhookEndpoint }
  | { kind: "delete"; endpoint: WebhookEndpoint }
  | { kind: "roll"; endpoint: WebhookEndpoint }
  | { kind: "replay"; endpoint: WebhookEndpoint }
  | { kind: "secret"; endpoint: WebhookEndpoint; secret: string };

// Every endpoint of the merchant with its last 24 hours of deliveries: add, edit, enable or
// disable, roll its secret, delete, replay what it missed, and pick one to see its deliveries.
export function WebhookEndpointsCard({ endpoints, selected, onSelect }: Props) {
  const toast = useToast();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [error, setError] = useState<unknown>();
  const [secret, setSecret] = useState<string>();
  const [replays, setReplays] = useState<Record<string, Replay>>({});
  const [step, setStep] = useState<Step>();

  const changed = () => {
    endpoints.reload();
    endpointsChanged();
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const created = await api.endpoints.create(url.trim(), parseEventFilters(events));
      setSecret(created.secret);
      setUrl("");
      changed();
    } catch (err) {
      setError(err);
    }
  };
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      toast(done);
      changed();
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  };
  const remove = async (e: WebhookEndpoint) => {
    await api.endpoints.remove(e.id);
    setStep(undefined);
    toast("Endpoint deleted");
    changed();
  };
  const roll = async (e: WebhookEndpoint) => {
    const rolled = await api.endpoints.rollSecret(e.id);
    setStep({ kind: "secret", endpoint: e, secret: rolled.secret ?? "" });
    changed();
  };

  return (
    <Card
      title="Endpoints"
      description="Each endpoint receives the events it subscribes to, signed with its own secret. Select one to see its deliveries."
      testId="endpoints-card"
    >
      <form className="form-row endpoint-add" onSubmit={add}>
        <input
          className="input"
          aria-label="Endpoint URL"
          placeholder="https://example.com/webhooks"
          data-test-id="endpoint-url-input"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <input
          className="input"
          aria-label="Events"
          placeholder="payment.success, refund.*"
          data-test-id="endpoint-events-input"
          value={events}
          onChange={(e) => setEvents(e.target.value)}
        />
        <button className="button button-primary" type="submit" data-test-id="add-endpoint-button" disabled={url.trim() === ""}>
          Add endpoint
        </button>
      </form>
      {error !== undefined && <ErrorNotice error={error} />}
      {secret && (
        <p className="notice" data-test-id="new-endpoint-secret">
          Signing secret (shown once): <code>{secret}</code>
        </p>
      )}
      <div className="table-wrap">
        <table className="table" data-test-id="endpoints-table">
          <thead>
            <tr>
              <th>URL</th>
              <th>Events</th>
              <th>Status</th>
              <th className="num">Success, last 24 h</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {endpoints.error !== undefined && (
              <TableMessage colSpan={COLUMNS}>
                <ErrorNotice error={endpoints.error} onRetry={endpoints.reload} />
              </TableMessage>
            )}
            {endpoints.loading && (
              <TableMessage colSpan={COLUMNS}>
                <LoadingBlock label="Loading endpoints…" />
              </TableMessage>
            )}
            {endpoints.data?.length === 0 && (
              <TableMessage colSpan={COLUMNS}>
                <p className="empty">No endpoints yet. Add one above, or save a Webhook URL.</p>
              </TableMessage>
            )}
            {(endpoints.data ?? []).map((e) => {
              const running = replays[e.id];
              const isSelected = selected === e.id;
              return (
                <tr
                  key={e.id}
                  data-test-id="endpoint-row"
                  data-endpoint-id={e.id}
                  className={isSelected ? "row-selected" : undefined}
                  aria-selected={isSelected}
                >
                  <td className="endpoint-url">
                    <button
                      type="button"
                      className="link-button mono"
                      onClick={() => onSelect(e)}
                      aria-label={`Show deliveries to ${e.url}`}
                      data-test-id="endpoint-log-button"
                    >
                      {e.url}
                    </button>{" "}
                    {e.primary && <span className="badge badge-info">primary</span>}
                    {e.description && <div className="muted small">{e.description}</div>}
                    {running && <ReplayProgress key={running.id} replay={running} />}
                  </td>
                  <td className="mono small" data-test-id="endpoint-events">
                    {e.enabled_events.join(", ")}
                  </td>
                  <td>
                    <StatusBadge status={e.status} testId="endpoint-status" />
                    {e.status === "disabled" && e.disabled_reason && (
                      <div className={isAutoDisabled(e) ? "small text-danger" : "muted small"}>{e.disabled_reason}</div>
                    )}
                  </td>
                  <td className="num nowrap">
                    <span className={`rate rate-${successRateTone(e.deliveries_24h)}`} data-test-id="endpoint-success-rate">
                      {successRateText(e.deliveries_24h)}
                    </span>
                    <div className="muted small">{deliveriesSummary(e.deliveries_24h)}</div>
                  </td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        data-test-id="edit-endpoint-button"
                        aria-label={`Edit ${e.url}`}
                        onClick={() => setStep({ kind: "edit", endpoint: e })}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        data-test-id="toggle-endpoint-button"
                        aria-label={`${e.status === "enabled" ? "Disable" : "Enable"} ${e.url}`}
                        onClick={() =>
                          act(
                            () => api.endpoints.setStatus(e.id, e.status === "enabled" ? "disabled" : "enabled"),
                            e.status === "enabled" ? "Endpoint disabled" : "Endpoint enabled",
                          )
                        }
                      >
                        {e.status === "enabled" ? "Disable" : "Enable"}
                      </button>
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        data-test-id="replay-endpoint-button"
                        aria-label={`Replay events to ${e.url}`}
                        disabled={e.status !== "enabled"}
                        onClick={() => setStep({ kind: "replay", endpoint: e })}
                      >
                        Replay
                      </button>
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        data-test-id="roll-endpoint-secret-button"
                        aria-label={`Roll the signing secret of ${e.url}`}
                        onClick={() => setStep({ kind: "roll", endpoint: e })}
                      >
                        Roll secret
                      </button>
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        data-test-id="delete-endpoint-button"
                        aria-label={`Delete ${e.url}`}
                        onClick={() => setStep({ kind: "delete", endpoint: e })}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      {step?.kind === "edit" && (
        <EndpointDialog
          endpoint={step.endpoint}
          onClose={() => setStep(undefined)}
          onSaved={() => {
            setStep(undefined);
            toast("Endpoint updated");
            changed();
          }}
        />
      )}
      {step?.kind === "replay" && (
        <ReplayDialog
          endpoint={step.endpoint}
          onClose={() => setStep(undefined)}
          onStarted={(r) => {
            setReplays((all) => ({ ...all, [step.endpoint.id]: r }));
            setStep(undefined);
          }}
        />
      )}
      {step?.kind === "delete" && (
        <ConfirmDialog
          title="Delete endpoint?"
          confirmLabel="Delete endpoint"
          danger
          onConfirm={() => remove(step.endpoint)}
          onClose={() => setStep(undefined)}
        >
          <p>
            Events stop going to <code className="mono">{step.endpoint.url}</code>. Its past deliveries stay in the
            log.
            {step.endpoint.primary && " It is the primary endpoint: the Webhook URL above is cleared."}
          </p>
        </ConfirmDialog>
      )}
      {step?.kind === "roll" && (
        <ConfirmDialog
          title="Roll signing secret?"
          confirmLabel="Roll secret"
          danger
          onConfirm={() => roll(step.endpoint)}
          onClose={() => setStep(undefined)}
        >
          <p>
            Deliveries to <code className="mono">{step.endpoint.url}</code> are signed with a new secret from now on;
            signatures checked with the old one stop matching.
            {step.endpoint.primary && " It is the primary endpoint: this is also your webhook secret above."}
          </p>
        </ConfirmDialog>
      )}
      {step?.kind === "secret" && (
        <Modal
          title="New signing secret"
          onClose={() => setStep(undefined)}
          footer={
            <button type="button" className="button button-primary" onClick={() => setStep(undefined)}>
              Done
            </button>
          }
        >
          <SecretReveal label={`Signing secret of ${step.endpoint.url}`} secret={step.secret} />
        </Modal>
      )}
    </Card>
  );
}
