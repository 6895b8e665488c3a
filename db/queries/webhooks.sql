-- name: RecordEvents :many
-- Records events (a JSON array of payloads, each with its id and event) and one delivery of each
-- for every enabled endpoint of the merchant whose filter (enabled_events: exact names, prefix
-- wildcards such as payment.*, or *) matches it, in one statement; returns the deliveries (the
-- primary endpoint's has the event's id, another endpoint's <event id>_<endpoint id without we_>).
WITH ev AS (
    INSERT INTO events (id, merchant_id, type, payment_id, refund_id, payload)
    SELECT e.payload ->> 'id', sqlc.arg(merchant_id)::uuid, e.payload ->> 'event', sqlc.narg('payment_id')::text, sqlc.narg('refund_id')::text, e.payload
    FROM jsonb_array_elements(@payloads::jsonb) AS e (payload)
    RETURNING id, merchant_id, type, payment_id, refund_id, payload
)
INSERT INTO webhook_logs (id, event_id, endpoint_id, merchant_id, event, payment_id, refund_id, payload)
SELECT CASE WHEN w.is_primary THEN ev.id ELSE ev.id || '_' || substr(w.id, 4) END, ev.id, w.id,
       ev.merchant_id, ev.type, ev.payment_id, ev.refund_id, ev.payload
FROM ev JOIN webhook_endpoints w ON w.merchant_id = ev.merchant_id AND w.status = 'enabled'
  AND ('*' = ANY (w.enabled_events) OR ev.type = ANY (w.enabled_events) OR EXISTS (
      SELECT 1 FROM unnest(w.enabled_events) AS f (pattern)
      WHERE right(f.pattern, 2) = '.*' AND starts_with(ev.type, left(f.pattern, -1))))
RETURNING id, event_id, endpoint_id;

-- name: GetDeliveries :many
-- What delivery attempts need, in the order of the ids given: each delivery, its event id (sent
-- as webhook-id), and its endpoint's current URL (empty: no endpoint, or disabled) and secret
-- (the primary endpoint's is the merchant's webhook secret). A delivery recorded before
-- endpoints existed, of a merchant with no endpoint then, goes to the primary endpoint.
SELECT l.id, coalesce(l.event_id, l.id)::text AS event_id, l.event, l.payload::text AS payload, l.status, l.attempts,
       coalesce(w.id, '')::text AS endpoint_id,
       coalesce(CASE WHEN w.status = 'enabled' THEN w.url END, '')::text AS webhook_url,
       coalesce(w.secret, m.webhook_secret)::text AS webhook_secret
FROM webhook_logs l JOIN merchants m ON m.id = l.merchant_id
LEFT JOIN webhook_endpoints w ON w.id = l.endpoint_id OR (l.endpoint_id IS NULL AND w.merchant_id = l.merchant_id AND w.is_primary)
WHERE l.id = ANY (@ids::text[])
ORDER BY array_position(@ids::text[], l.id);

-- name: RecordAttempt :batchexec
-- Records attempt number @attempt once: a repeat of the same attempt (after a crash) changes
-- nothing. A batch records several events' attempts in one round trip. The same statement keeps
-- the endpoint's failure count for auto-disable: a failed attempt sets failing_since (if unset)
-- and a first attempt that failed counts its event in failed_events; a success resets both. A
-- healthy endpoint's row is not written.
WITH l AS (
    UPDATE webhook_logs
    SET attempts = @attempt, status = @status, last_attempt_at = now(), next_retry_at = sqlc.narg('next_retry_at'),
        response_code = sqlc.narg('response_code'), response_body = sqlc.narg('response_body'),
        error = sqlc.narg('error'), updated_at = now()
    WHERE webhook_logs.id = @id AND webhook_logs.attempts < @attempt
    RETURNING webhook_logs.endpoint_id, webhook_logs.status, webhook_logs.attempts
)
UPDATE webhook_endpoints w
SET failing_since = CASE WHEN l.status = 'success' THEN NULL ELSE coalesce(w.failing_since, now()) END,
    failed_events = CASE WHEN l.status = 'success' THEN 0 WHEN l.attempts = 1 THEN w.failed_events + 1 ELSE w.failed_events END
FROM l
WHERE w.id = l.endpoint_id AND (l.status <> 'success' OR w.failing_since IS NOT NULL OR w.failed_events > 0);

-- name: ResetDelivery :one
-- A manual retry: the log starts a new schedule from attempt 1.
UPDATE webhook_logs
SET status = 'pending', attempts = 0, next_retry_at = NULL, updated_at = now()
WHERE id = $1 AND merchant_id = $2
RETURNING *;

-- name: GetWebhookLog :one
SELECT * FROM webhook_logs WHERE id = $1 AND merchant_id = $2;

-- name: ListWebhookLogs :many
-- The merchant's webhook deliveries, filtered, newest first within [@created_gte, @created_lt), a page older than the cursor
-- (@cursor_created_at, @cursor_id); the first page's cursor is (far future, empty id), so the row
-- comparison is always there for the index.
SELECT * FROM webhook_logs
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('event')::text IS NULL OR event = sqlc.narg('event'))
  AND (sqlc.narg('endpoint_id')::text IS NULL OR endpoint_id = sqlc.narg('endpoint_id'))
  AND (sqlc.narg('event_id')::text IS NULL OR event_id = sqlc.narg('event_id'))
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) < (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: ListWebhookLogsNewer :many
-- The merchant's webhook deliveries, filtered, just newer than the cursor, oldest first (for ending_before; the API reverses
-- the page), with the same filters as ListWebhookLogs.
SELECT * FROM webhook_logs
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('event')::text IS NULL OR event = sqlc.narg('event'))
  AND (sqlc.narg('endpoint_id')::text IS NULL OR endpoint_id = sqlc.narg('endpoint_id'))
  AND (sqlc.narg('event_id')::text IS NULL OR event_id = sqlc.narg('event_id'))
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) > (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at, id
LIMIT @row_limit OFFSET @row_offset;

-- name: CountWebhookLogs :one
-- How many of the merchant's webhook deliveries match, at a cost that does not grow with their number: with
-- no creation range (@whole) from the all-time running totals; else the whole UTC days of the
-- range [@first_day, @end_day) from the daily totals, and the rows of the partial days at either
-- end, [@head_gte, @head_lt) and [@tail_gte, @tail_lt), counted through the list's index (at
-- most two days of rows). The API splits the range (api/list.go, totalSpan).
SELECT ((
    SELECT coalesce(sum(t.n), 0) FROM totals_merchant_live t
    WHERE sqlc.arg(whole)::boolean AND t.merchant_id = @merchant_id AND t.kind = 'webhook_logs'
      AND (sqlc.narg('status')::text IS NULL OR t.status = sqlc.narg('status'))
      AND (sqlc.narg('event')::text IS NULL OR t.detail = sqlc.narg('event'))
) + (
    SELECT coalesce(sum(t.n), 0) FROM totals_daily_live t
    WHERE t.merchant_id = @merchant_id AND t.kind = 'webhook_logs'
      AND t.day >= sqlc.arg(first_day)::date AND t.day < sqlc.arg(end_day)::date
      AND (sqlc.narg('status')::text IS NULL OR t.status = sqlc.narg('status'))
      AND (sqlc.narg('event')::text IS NULL OR t.detail = sqlc.narg('event'))
) + (
    SELECT count(*) FROM webhook_logs r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(head_gte)::timestamptz AND r.created_at < sqlc.arg(head_lt)::timestamptz
      AND (sqlc.narg('status')::text IS NULL OR r.status = sqlc.narg('status'))
      AND (sqlc.narg('event')::text IS NULL OR r.event = sqlc.narg('event'))
) + (
    SELECT count(*) FROM webhook_logs r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(tail_gte)::timestamptz AND r.created_at < sqlc.arg(tail_lt)::timestamptz
      AND (sqlc.narg('status')::text IS NULL OR r.status = sqlc.narg('status'))
      AND (sqlc.narg('event')::text IS NULL OR r.event = sqlc.narg('event'))
))::bigint AS total;

-- name: CountWebhookLogsByDelivery :one
-- How many of the merchant's webhook deliveries match a filter by endpoint or event id, in
-- [@created_gte, @created_lt). The running totals are not kept by endpoint or event, so this
-- counts rows through their index.
SELECT count(*) FROM webhook_logs
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('event')::text IS NULL OR event = sqlc.narg('event'))
  AND (sqlc.narg('endpoint_id')::text IS NULL OR endpoint_id = sqlc.narg('endpoint_id'))
  AND (sqlc.narg('event_id')::text IS NULL OR event_id = sqlc.narg('event_id'))
  AND created_at >= @created_gte AND created_at < @created_lt;

-- name: ListUnsentEvents :many
-- Events never attempted although older than the cutoff: their delivery was never started.
-- Left out: the events a payment or refund recorded when it was created (@payment_events,
-- @refund_events) while it is pending or changed since the cutoff, because its own workflow sends
-- them before its outcome (the sweep restarts a stalled one with them; see
-- ListUnsentCreationEvents). A delivery workflow of their own could send them after the outcome,
-- or a second time. Newest first, a page after the cursor, as ListStalePendingPayments.
SELECT l.id, l.merchant_id, l.payment_id, l.created_at FROM webhook_logs l
WHERE l.status = 'pending' AND l.attempts = 0 AND l.created_at < @created_before
  AND (l.created_at, l.id) < (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::text)
  AND NOT (l.refund_id IS NULL AND l.event = ANY (@payment_events::text[]) AND EXISTS (
        SELECT 1 FROM payments p WHERE p.id = l.payment_id AND (p.status = 'pending' OR p.updated_at >= @created_before)))
  AND NOT (l.event = ANY (@refund_events::text[]) AND EXISTS (
        SELECT 1 FROM refunds r WHERE r.id = l.refund_id AND (r.status = 'pending' OR r.updated_at >= @created_before)))
ORDER BY l.created_at DESC, l.id DESC
LIMIT @row_limit;

-- name: ListUnsentCreationEvents :many
-- The never attempted events recorded with the given payments or refunds when they were created
-- (@events, in the order they are sent): the sweep restarts a stalled payment's or refund's
-- workflow with them, so that they go out first, as they would have.
SELECT coalesce(refund_id, payment_id)::text AS owner_id, id FROM webhook_logs
WHERE status = 'pending' AND attempts = 0 AND created_at < @created_before
  AND coalesce(refund_id, payment_id) = ANY (@owner_ids::text[]) AND event = ANY (@events::text[])
ORDER BY created_at, array_position(@events::text[], event), id;

-- name: ListUndeliveredOutcomeEvents :many
-- A final payment's or refund's outcome events (payment.success/failed, refund.processed/failed)
-- not yet delivered, for a re-run of its workflow: one never attempted (a worker crashed between
-- recording the outcome and sending it) is sent; one whose first attempt ran but whose workflow
-- task was lost before it started the retries (a worker or the Temporal server stopped in
-- between) gets its delivery workflow from the next attempt on (AttemptWebhooks skips an attempt
-- that ran; a delivery workflow already running is found).
SELECT id FROM webhook_logs
WHERE status = 'pending'
  AND event = ANY (@events::text[])
  AND (payment_id = sqlc.narg('payment_id') AND refund_id IS NULL OR refund_id = sqlc.narg('refund_id'))
ORDER BY created_at, id;

-- name: ListUnsentQueuedEvents :many
-- Never attempted events created before the cutoff, of the kinds (@events) that a delivery
-- workflow of their own sends from the start (a capture's payment.captured, a test event) rather
-- than a payment's or refund's workflow: starting that workflow again finds it if it runs, so the
-- recovery sweep takes them however new. Newest first, a page after the cursor, as
-- ListStalePendingPayments.
SELECT l.id, l.merchant_id, l.payment_id, l.created_at FROM webhook_logs l
WHERE l.status = 'pending' AND l.attempts = 0 AND l.created_at < @created_before AND l.event = ANY (@events::text[])
  AND (l.created_at, l.id) < (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::text)
ORDER BY l.created_at DESC, l.id DESC
LIMIT @row_limit;
