import { useEffect, useState, type FormEvent } from "react";
import { api, errorMessage } from "../api/client";
import type { Replay, WebhookEndpoint } from "../api/types";
import { useResource } from "../lib/useResource";
import { Card } from "./Card";
import { ErrorNotice } from "./ErrorNotice";
import { useToast } from "./Toast";

// Follows a replay until it ends: a progress bar of sent (and failed) over total.
function ReplayProgress({ replay: started }: { replay: Replay }) {
  const [replay, setReplay] = useState(started);
  useEffect(() => {
    if (replay.status !== "running") return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.endpoints.getReplay(replay.id, controller.signal).then(setReplay, () => undefined);
    }, 700);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [replay]);
  const done = replay.sent + replay.failed;
  const percent = replay.total > 0 ? Math.round((100 * done) / replay.total) : replay.status === "running" ? 0 : 100;
  return (
    <div className="replay-progress" data-test-id="replay-progress" data-status={replay.status}>
      <progress max={100} value={percent} aria-label="Replay progress" />
      <span data-test-id="replay-progress-text">
        {replay.status}: {replay.sent} sent, {replay.failed} failed of {replay.total}
      </span>
    </div>
  );
}

// Every endpoint of the merchant: add, enable or disable, delete, and replay what it missed.
export function WebhookEndpointsCard() {
  const endpoints = useResource("webhook-endpoints", (signal) => api.endpoints.list(signal), { pollMs: 5000 });
  const toast = useToast();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [error, setError] = useState<unknown>();
  const [secret, setSecret] = useState<string>();
  const [replays, setReplays] = useState<Record<string, Replay>>({});

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const created = await api.endpoints.create(
        url.trim(),
        events.split(",").map((e) => e.trim()).filter((e) => e !== ""),
      );
      setSecret(created.secret);
      setUrl("");
      endpoints.reload();
    } catch (err) {
      setError(err);
    }
  };
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      toast(done);
      endpoints.reload();
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  };
  const replay = async (e: WebhookEndpoint) => {
    try {
      const r = await api.endpoints.replay(e.id, e.disabled_at);
      setReplays((all) => ({ ...all, [e.id]: r }));
    } catch (err) {
      toast(errorMessage(err), "error");
    }
  };

  const disabled = (endpoints.data ?? []).filter((e) => e.status === "disabled" && e.disabled_reason?.startsWith("every delivery failed"));
  return (
    <Card title="Endpoints" description="Each endpoint receives the events it subscribes to, signed with its own secret." testId="endpoints-card">
      {disabled.length > 0 && (
        <div className="notice notice-error" role="alert" data-test-id="endpoint-disabled-banner">
          {disabled.map((e) => e.url).join(", ")} {disabled.length === 1 ? "was" : "were"} disabled after failing; re-enable and replay
          what was missed.
        </div>
      )}
      <form className="form-row" onSubmit={add}>
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
            <th />
          </tr>
        </thead>
        <tbody>
          {(endpoints.data ?? []).map((e) => {
            const running = replays[e.id];
            return (
            <tr key={e.id} data-test-id="endpoint-row" data-endpoint-id={e.id}>
              <td>
                {e.url} {e.primary && <span className="badge">primary</span>}
                {running && <ReplayProgress key={running.id} replay={running} />}
              </td>
              <td>{e.enabled_events.join(", ")}</td>
              <td data-test-id="endpoint-status">{e.status}</td>
              <td className="row-actions">
                <button
                  className="button button-secondary button-small"
                  data-test-id="toggle-endpoint-button"
                  onClick={() =>
                    act(() => api.endpoints.setStatus(e.id, e.status === "enabled" ? "disabled" : "enabled"), "Endpoint updated")
                  }
                >
                  {e.status === "enabled" ? "Disable" : "Enable"}
                </button>
                <button className="button button-secondary button-small" data-test-id="replay-endpoint-button" disabled={e.status !== "enabled"} onClick={() => replay(e)}>
                  Replay
                </button>
                <button className="button button-secondary button-small" data-test-id="delete-endpoint-button" onClick={() => act(() => api.endpoints.remove(e.id), "Endpoint deleted")}>
                  Delete
                </button>
              </td>
            </tr>
            );
          })}
        </tbody>
      </table>
      </div>
    </Card>
  );
}
