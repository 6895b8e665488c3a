import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, errorMessage } from "../api/client";
import type { Replay, WebhookEndpoint } from "../api/types";
import { formatDateTime } from "../lib/dates";
import { endpointsChanged, isAutoDisabled, onEndpointsChanged } from "../lib/endpoints";
import { useResource } from "../lib/useResource";
import { ReplayProgress } from "./ReplayProgress";
import { Spinner } from "./Spinner";
import { useToast } from "./Toast";

const POLL_MS = 10_000;

// An endpoint re-enabled here: the replay of what it missed is offered, then followed.
interface Offer {
  endpoint: WebhookEndpoint;
  since: string; // its disabled_at
  replay?: Replay;
}

// Shown above every dashboard page while an endpoint of the merchant is disabled because every
// delivery to it failed (auto-disable): re-enabling it here offers a replay of the events it
// missed since it was disabled.
export function DisabledEndpointsBanner() {
  const endpoints = useResource("banner-endpoints", (signal) => api.endpoints.list(signal), { pollMs: POLL_MS });
  const toast = useToast();
  const [busy, setBusy] = useState<string>();
  const [offers, setOffers] = useState<Offer[]>([]);
  const { reload } = endpoints;
  useEffect(() => onEndpointsChanged(reload), [reload]);

  const disabled = (endpoints.data ?? []).filter(isAutoDisabled);
  if (disabled.length === 0 && offers.length === 0) return null;

  const enable = async (e: WebhookEndpoint) => {
    setBusy(e.id);
    try {
      await api.endpoints.setStatus(e.id, "enabled");
      setOffers((all) => [...all.filter((o) => o.endpoint.id !== e.id), { endpoint: e, since: e.disabled_at ?? e.created_at }]);
      endpointsChanged();
    } catch (err) {
      toast(errorMessage(err), "error");
    } finally {
      setBusy(undefined);
    }
  };
  const replay = async (offer: Offer) => {
    setBusy(offer.endpoint.id);
    try {
      const started = await api.endpoints.replay(offer.endpoint.id, { gte: offer.since });
      setOffers((all) => all.map((o) => (o.endpoint.id === offer.endpoint.id ? { ...o, replay: started } : o)));
    } catch (err) {
      toast(errorMessage(err), "error");
    } finally {
      setBusy(undefined);
    }
  };
  const dismiss = (offer: Offer) => setOffers((all) => all.filter((o) => o !== offer));

  return (
    <div className="banners" role="region" aria-label="Webhook endpoint alerts">
      {disabled.map((e) => (
        <div key={e.id} className="notice notice-error banner" role="alert" data-test-id="endpoint-disabled-banner" data-endpoint-id={e.id}>
          <span>
            <strong>Webhook endpoint disabled.</strong> Every delivery to <code className="mono">{e.url}</code> failed
            ({e.failed_events} events), so it was disabled on {formatDateTime(e.disabled_at)}. Events since then have not
            been sent to it.
          </span>
          <span className="banner-actions">
            <Link to={`/dashboard/webhooks?endpoint=${encodeURIComponent(e.id)}`}>See deliveries</Link>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => enable(e)}
              disabled={busy === e.id}
              aria-label={`Re-enable ${e.url}`}
              data-test-id="reenable-endpoint-button"
            >
              {busy === e.id && <Spinner label="Enabling" />}
              Re-enable
            </button>
          </span>
        </div>
      ))}
      {offers.map((offer) => (
        <div
          key={offer.endpoint.id}
          className="notice notice-success banner"
          role="status"
          data-test-id="endpoint-replay-offer"
          data-endpoint-id={offer.endpoint.id}
        >
          <span>
            <code className="mono">{offer.endpoint.url}</code> is enabled again.{" "}
            {offer.replay
              ? "Replaying the events it missed:"
              : `Replay the events it missed since ${formatDateTime(offer.since)}? Each keeps its id, so receivers can skip any they already have.`}
            {offer.replay && <ReplayProgress key={offer.replay.id} replay={offer.replay} />}
          </span>
          <span className="banner-actions">
            {!offer.replay && (
              <button
                type="button"
                className="button button-primary button-small"
                onClick={() => replay(offer)}
                disabled={busy === offer.endpoint.id}
                data-test-id="replay-missed-button"
              >
                {busy === offer.endpoint.id && <Spinner label="Starting" />}
                Replay missed events
              </button>
            )}
            <button type="button" className="button button-secondary button-small" onClick={() => dismiss(offer)}>
              {offer.replay ? "Close" : "Not now"}
            </button>
          </span>
        </div>
      ))}
    </div>
  );
}
