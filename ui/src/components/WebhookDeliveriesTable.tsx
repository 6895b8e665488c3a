import { Fragment, useState } from "react";
import { api, errorMessage } from "../api/client";
import type { WebhookDelivery } from "../api/types";
import { formatDateTime } from "../lib/dates";
import { ErrorNotice } from "./ErrorNotice";
import { ExpandButton } from "./ExpandButton";
import { LoadingBlock, Spinner } from "./Spinner";
import { StatusBadge } from "./StatusBadge";
import { TableMessage } from "./TableMessage";
import { useToast } from "./Toast";


const COLUMNS = 8;

interface Props {
  deliveries: WebhookDelivery[] | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  onRetried: () => void;
  filtered: boolean; // whether a filter (status, endpoint) is narrowing the list, for the empty state
  emptyText?: string; // the empty state when not filtered
  // When given, each delivery names the endpoint it went to under its event (URL by endpoint id;
  // a deleted endpoint shows its id).
  endpointUrls?: Record<string, string>;
}

function pretty(payload: unknown): string {
  return typeof payload === "string" ? payload : JSON.stringify(payload, null, 2);
}

export function WebhookDeliveriesTable({
  deliveries,
  loading,
  error,
  onRetry,
  onRetried,
  filtered,
  emptyText,
  endpointUrls,
}: Props) {
  const [expanded, setExpanded] = useState<string>();
  const [retrying, setRetrying] = useState<string>();
  const toast = useToast();

  const retry = async (delivery: WebhookDelivery) => {
    setRetrying(delivery.id);
    try {
      const result = await api.webhooks.retry(delivery.id);
      toast(result.message || "Delivery scheduled for retry");
      onRetried();
    } catch (err) {
      toast(errorMessage(err), "error");
    } finally {
      setRetrying(undefined);
    }
  };

  return (
    <div className="table-wrap">
      <table className="table" data-test-id="webhook-logs-table">
        <thead>
          <tr>
            <th aria-label="Details" />
            <th>{endpointUrls ? "Event and endpoint" : "Event"}</th>
            <th>Status</th>
            <th className="num">Attempts</th>
            <th className="num">Response</th>
            <th>Next retry</th>
            <th>Created</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {error !== undefined && (
            <TableMessage colSpan={COLUMNS}>
              <ErrorNotice error={error} onRetry={onRetry} />
            </TableMessage>
          )}
          {loading && (
            <TableMessage colSpan={COLUMNS}>
              <LoadingBlock label="Loading deliveries…" />
            </TableMessage>
          )}
          {deliveries?.length === 0 && (
            <TableMessage colSpan={COLUMNS}>
              <p className="empty">
                {filtered
                  ? "No deliveries match these filters."
                  : (emptyText ?? "No deliveries yet. Send a test event to see one here.")}
              </p>
            </TableMessage>
          )}
          {deliveries?.map((delivery) => {
            const open = expanded === delivery.id;
            return (
              <Fragment key={delivery.id}>
                <tr data-test-id="webhook-log-row" data-webhook-id={delivery.id} className={open ? "row-open" : ""}>
                  <td>
                    <ExpandButton open={open} what="details" onToggle={() => setExpanded(open ? undefined : delivery.id)} />
                  </td>
                  <td className="mono">
                    {delivery.event}
                    {endpointUrls && (
                      <div
                        className="small muted delivery-endpoint"
                        title={delivery.endpoint_id ? (endpointUrls[delivery.endpoint_id] ?? delivery.endpoint_id) : undefined}
                        data-test-id="delivery-endpoint"
                      >
                        {delivery.endpoint_id ? (endpointUrls[delivery.endpoint_id] ?? delivery.endpoint_id) : "—"}
                      </div>
                    )}
                  </td>
                  <td>
                    <StatusBadge status={delivery.status} testId="webhook-status" />
                  </td>
                  <td className="num">{delivery.attempts}</td>
                  <td className="num mono">{delivery.response_code ?? "—"}</td>
                  <td className="muted nowrap">
                    {delivery.status === "pending" ? formatDateTime(delivery.next_retry_at) : "—"}
                  </td>
                  <td className="muted nowrap">{formatDateTime(delivery.created_at)}</td>
                  <td className="num">
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      onClick={() => retry(delivery)}
                      disabled={retrying === delivery.id}
                      data-test-id="retry-webhook-button"
                    >
                      {retrying === delivery.id && <Spinner label="Retrying" />}
                      Retry
                    </button>
                  </td>
                </tr>
                {open && (
                  <tr className="row-details">
                    <td colSpan={COLUMNS}>
                      <div className="delivery-details">
                        <div>
                          <h4>Payload</h4>
                          <pre className="code-block">{pretty(delivery.payload)}</pre>
                        </div>
                        <div>
                          <h4>Response {delivery.response_code ? `(${delivery.response_code})` : ""}</h4>
                          {delivery.error && <p className="notice notice-error">{delivery.error}</p>}
                          <pre className="code-block">{delivery.response_body || "No response body"}</pre>
                          <p className="muted small">Last attempt: {formatDateTime(delivery.last_attempt_at)}</p>
                        </div>
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
