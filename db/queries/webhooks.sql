-- name: RecordEvents :many
-- Records events (a JSON array of payloads, each with its id and event) for the merchant's webhook endpoint, if it has one; returns the ids recorded.
INSERT INTO webhook_logs (id, merchant_id, event, payment_id, refund_id, payload)
SELECT e.payload ->> 'id', m.id, e.payload ->> 'event', sqlc.narg('payment_id')::text, sqlc.narg('refund_id')::text, e.payload
FROM merchants m
CROSS JOIN jsonb_array_elements(@payloads::jsonb) AS e (payload)
WHERE m.id = @merchant_id AND coalesce(m.webhook_url, '') <> ''
RETURNING id;

-- name: GetDeliveries :many
-- What delivery attempts need, in the order of the ids given: each event, and its merchant's
-- current endpoint and secret.
SELECT l.id, l.event, l.payload::text AS payload, l.status, l.attempts,
       coalesce(m.webhook_url, '') AS webhook_url, m.webhook_secret
FROM webhook_logs l JOIN merchants m ON m.id = l.merchant_id
WHERE l.id = ANY (@ids::text[])
ORDER BY array_position(@ids::text[], l.id);

-- name: RecordAttempt :batchexec
-- Records attempt number @attempt once: a repeat of the same attempt (after a crash) changes
-- nothing. A batch records several events' attempts in one round trip.
UPDATE webhook_logs
SET attempts = @attempt, status = @status, last_attempt_at = now(), next_retry_at = sqlc.narg('next_retry_at'),
    response_code = sqlc.narg('response_code'), response_body = sqlc.narg('response_body'),
    error = sqlc.narg('error'), updated_at = now()
WHERE id = @id AND attempts < @attempt;

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
    SELECT coalesce(sum(t.n), 0) FROM totals_merchant t
    WHERE sqlc.arg(whole)::boolean AND t.merchant_id = @merchant_id AND t.kind = 'webhook_logs'
      AND (sqlc.narg('status')::text IS NULL OR t.status = sqlc.narg('status'))
      AND (sqlc.narg('event')::text IS NULL OR t.detail = sqlc.narg('event'))
) + (
    SELECT coalesce(sum(t.n), 0) FROM totals_daily t
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
