import { Fragment, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api } from "../api/client";
import type { EventFilters, GatewayEvent } from "../api/types";
import { Card } from "../components/Card";
import { DateRangeFilter } from "../components/DateRangeFilter";
import { ErrorNotice } from "../components/ErrorNotice";
import { ExpandButton } from "../components/ExpandButton";
import { PageHeader } from "../components/PageHeader";
import { Pagination } from "../components/Pagination";
import { LoadingBlock } from "../components/Spinner";
import { TableMessage } from "../components/TableMessage";
import { WebhookDeliveriesTable } from "../components/WebhookDeliveriesTable";
import { cursorFromParams, pageLinks, withCursor } from "../lib/cursor";
import { endpointUrlsOf } from "../lib/endpoints";
import { formatDateTime } from "../lib/dates";
import { EVENT_TYPES, validTypeFilter } from "../lib/events";
import { useResource } from "../lib/useResource";

const PAGE_SIZE = 20;
const COLUMNS = 6;
// An event goes to at most 16 endpoints: one page holds every delivery of it.
const DELIVERIES_LIMIT = 20;

// One event's deliveries (one per endpoint it went to), live.
function EventDeliveries({ event, endpointUrls }: { event: GatewayEvent; endpointUrls: Record<string, string> }) {
  const deliveries = useResource(
    `event-deliveries:${event.id}`,
    (signal) => api.webhooks.list({ limit: DELIVERIES_LIMIT, event_id: event.id }, signal),
    { pollMs: 3000 },
  );
  return (
    <div className="stack event-deliveries" data-test-id="event-deliveries">
      <h4>Deliveries</h4>
      <WebhookDeliveriesTable
        deliveries={deliveries.data?.items}
        loading={deliveries.loading}
        error={deliveries.error}
        onRetry={deliveries.reload}
        onRetried={deliveries.reload}
        filtered={false}
        emptyText="No endpoint was subscribed to this event when it happened."
        endpointUrls={endpointUrls}
      />
      <details>
        <summary>Event data</summary>
        <pre className="code-block">{JSON.stringify(event.data, null, 2)}</pre>
      </details>
    </div>
  );
}

// The type filter's field: it applies what is typed once it is a whole name or prefix wildcard.
function TypeFilter({ value, onChange }: { value: string; onChange: (type: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const valid = validTypeFilter(text);
  return (
    <label className="filter">
      <span>Type</span>
      <input
        className="input mono"
        list="event-types"
        placeholder="payment.* or payment.success"
        value={text}
        aria-invalid={!valid}
        onChange={(e) => {
          setText(e.target.value);
          if (validTypeFilter(e.target.value)) onChange(e.target.value.trim());
        }}
        data-test-id="event-type-filter"
      />
      <datalist id="event-types">
        {["payment.*", "refund.*", ...EVENT_TYPES].map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </label>
  );
}

// Every event of the merchant, newest first, whether or not an endpoint received it: filtered by
// type and creation day, paged by cursor, and each with its deliveries. Filters, cursor and the
// open event live in the URL.
export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filters: EventFilters = { type: params.get("type") ?? "", from: params.get("from") ?? "", to: params.get("to") ?? "" };
  const cursor = cursorFromParams(params);
  const openId = params.get("event");

  const events = useResource(
    JSON.stringify({ filters, cursor }),
    (signal) => api.events.list({ limit: PAGE_SIZE, ...cursor }, filters, signal),
    { pollMs: 3000 },
  );

  // Where each delivery went: the endpoints' URLs by id (they change rarely).
  const endpoints = useResource("event-endpoints", (signal) => api.endpoints.list(signal), { pollMs: 30_000 });
  const endpointUrls = endpointUrlsOf(endpoints.data);

  const update = (changes: Record<string, string | null>, keepCursor = false) =>
    setParams((current) => {
      const next = keepCursor ? new URLSearchParams(current) : withCursor(current, {});
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === "") next.delete(name);
        else next.set(name, value);
      }
      return next;
    });
  const active = Boolean(filters.type || filters.from || filters.to);

  return (
    <>
      <PageHeader
        title="Events"
        description="Everything that happened on your account, kept 30 days whether or not an endpoint received it. Select one to see its deliveries."
      />
      <Card>
        <div className="filters" role="group" aria-label="Filter events">
          <TypeFilter value={filters.type ?? ""} onChange={(type) => update({ type })} />
          <DateRangeFilter from={filters.from} to={filters.to} onChange={update} testIdPrefix="event" />
          {active && (
            <button type="button" className="link-button filter-clear" onClick={() => update({ type: null, from: null, to: null })}>
              Clear filters
            </button>
          )}
        </div>
        <div className="table-wrap">
          <table className="table" data-test-id="events-table">
            <thead>
              <tr>
                <th aria-label="Details" />
                <th>Type</th>
                <th>Event ID</th>
                <th>Object</th>
                <th className="num">Pending webhooks</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {events.error !== undefined && (
                <TableMessage colSpan={COLUMNS}>
                  <ErrorNotice error={events.error} onRetry={events.reload} />
                </TableMessage>
              )}
              {events.loading && (
                <TableMessage colSpan={COLUMNS}>
                  <LoadingBlock label="Loading events…" />
                </TableMessage>
              )}
              {events.data?.items.length === 0 && (
                <TableMessage colSpan={COLUMNS}>
                  <p className="empty">
                    {active ? "No events match these filters." : "No events yet. Payments and refunds make them."}
                  </p>
                </TableMessage>
              )}
              {events.data?.items.map((event) => {
                const open = openId === event.id;
                return (
                  <Fragment key={event.id}>
                    <tr data-test-id="event-row" data-event-id={event.id} className={open ? "row-open" : ""}>
                      <td>
                        <ExpandButton open={open} what="deliveries" onToggle={() => update({ event: open ? null : event.id }, true)} />
                      </td>
                      <td className="mono strong">{event.type}</td>
                      <td className="mono small">{event.id}</td>
                      <td className="mono small">
                        {event.payment_id ? (
                          <Link to={`/dashboard/transactions?payment=${encodeURIComponent(event.payment_id)}`}>
                            {event.refund_id ?? event.payment_id}
                          </Link>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td className="num">
                        <span
                          className={`badge ${event.pending_webhooks > 0 ? "badge-warning" : "badge-neutral"}`}
                          data-test-id="event-pending-webhooks"
                        >
                          {event.pending_webhooks}
                        </span>
                      </td>
                      <td className="muted nowrap">{formatDateTime(event.created_at)}</td>
                    </tr>
                    {open && (
                      <tr className="row-details">
                        <td colSpan={COLUMNS}>
                          <EventDeliveries event={event} endpointUrls={endpointUrls} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
        <Pagination
          shown={events.data?.items.length ?? 0}
          links={pageLinks(cursor, events.data?.items ?? [], events.data?.hasMore ?? false)}
          onPage={(c) => setParams((current) => withCursor(current, c))}
        />
      </Card>
    </>
  );
}
