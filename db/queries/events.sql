-- name: ListEvents :many
-- The merchant's events, of one type (@type) or of a type prefix (@type_prefix, for payment.*),
-- newest first within [@created_gte, @created_lt), a page older than the cursor
-- (@cursor_created_at, @cursor_id), as the other lists; with the number of their deliveries not
-- yet successful.
SELECT e.id, e.type, e.payment_id, e.refund_id, e.payload, e.created_at,
       (SELECT count(*) FROM webhook_logs l WHERE l.event_id = e.id AND l.status <> 'success')::integer AS pending_webhooks
FROM events e
WHERE e.merchant_id = @merchant_id
  AND (sqlc.narg('type')::text IS NULL OR e.type = sqlc.narg('type'))
  AND (sqlc.narg('type_prefix')::text IS NULL OR starts_with(e.type, sqlc.narg('type_prefix')))
  AND e.created_at >= @created_gte AND e.created_at < @created_lt
  AND (e.created_at, e.id) < (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY e.created_at DESC, e.id DESC
LIMIT @row_limit;

-- name: ListEventsNewer :many
-- The merchant's events just newer than the cursor, oldest first (for ending_before; the API
-- reverses the page), with the same filters as ListEvents.
SELECT e.id, e.type, e.payment_id, e.refund_id, e.payload, e.created_at,
       (SELECT count(*) FROM webhook_logs l WHERE l.event_id = e.id AND l.status <> 'success')::integer AS pending_webhooks
FROM events e
WHERE e.merchant_id = @merchant_id
  AND (sqlc.narg('type')::text IS NULL OR e.type = sqlc.narg('type'))
  AND (sqlc.narg('type_prefix')::text IS NULL OR starts_with(e.type, sqlc.narg('type_prefix')))
  AND e.created_at >= @created_gte AND e.created_at < @created_lt
  AND (e.created_at, e.id) > (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY e.created_at, e.id
LIMIT @row_limit;

-- name: GetEvent :one
SELECT e.id, e.type, e.payment_id, e.refund_id, e.payload, e.created_at,
       (SELECT count(*) FROM webhook_logs l WHERE l.event_id = e.id AND l.status <> 'success')::integer AS pending_webhooks
FROM events e
WHERE e.id = $1 AND e.merchant_id = $2;

-- name: GetEventCreatedAt :one
SELECT created_at FROM events WHERE id = $1 AND merchant_id = $2;

-- name: DeleteExpiredEvents :execrows
-- Deletes up to @batch events created before @before (EVENT_RETENTION); the pruning workflow
-- repeats it until none is left. Their deliveries stay in the log.
DELETE FROM events WHERE id IN (
    SELECT old.id FROM events old WHERE old.created_at < sqlc.arg(before)::timestamptz ORDER BY old.created_at LIMIT sqlc.arg(batch)::integer
);
