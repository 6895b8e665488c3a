-- name: CreateReplay :one
-- A replay of an endpoint's events; the unique index webhook_replays_one_running refuses a second
-- running one for the endpoint.
INSERT INTO webhook_replays (id, merchant_id, endpoint_id, created_gte, created_lt, types)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: GetReplay :one
SELECT * FROM webhook_replays WHERE id = $1 AND merchant_id = $2;

-- name: GetReplayByID :one
SELECT * FROM webhook_replays WHERE id = $1;

-- name: ListEndpointReplays :many
-- An endpoint's latest replays, newest first.
SELECT * FROM webhook_replays WHERE endpoint_id = $1 AND merchant_id = $2 ORDER BY created_at DESC, id DESC LIMIT 10;

-- name: CountReplayEvents :one
-- How many events a replay re-sends: the merchant's events in its range whose type matches both
-- its filters and its endpoint's enabled_events (exact names, prefix wildcards, *).
SELECT count(*)::integer FROM events e, webhook_replays r, webhook_endpoints w
WHERE r.id = @replay_id AND w.id = r.endpoint_id
  AND e.merchant_id = r.merchant_id AND e.created_at >= r.created_gte AND e.created_at < r.created_lt
  AND ('*' = ANY (r.types) OR e.type = ANY (r.types) OR EXISTS (
      SELECT 1 FROM unnest(r.types) AS f (pattern)
      WHERE right(f.pattern, 2) = '.*' AND starts_with(e.type, left(f.pattern, -1))))
  AND ('*' = ANY (w.enabled_events) OR e.type = ANY (w.enabled_events) OR EXISTS (
      SELECT 1 FROM unnest(w.enabled_events) AS f (pattern)
      WHERE right(f.pattern, 2) = '.*' AND starts_with(e.type, left(f.pattern, -1))));

-- name: SetReplayTotal :exec
UPDATE webhook_replays SET total = $2, updated_at = now() WHERE id = $1;

-- name: PrepareReplayPage :many
-- The next page of a replay, oldest first after the cursor (@after_created_at, @after_id), of the
-- events matching both its filters and its endpoint's enabled_events: each
-- event gets a delivery to the replay's endpoint, ready for a first attempt (a delivery that
-- exists and is not pending starts again from attempt 1; one still pending is left to its own
-- schedule, and comes back with its attempts). Returns the deliveries in event order.
WITH page AS (
    SELECT e.id, e.merchant_id, e.type, e.payment_id, e.refund_id, e.payload, e.created_at, w.id AS endpoint_id,
           CASE WHEN w.is_primary THEN e.id ELSE e.id || '_' || substr(w.id, 4) END AS delivery_id
    FROM webhook_replays r
    JOIN webhook_endpoints w ON w.id = r.endpoint_id
    JOIN events e ON e.merchant_id = r.merchant_id AND e.created_at >= r.created_gte AND e.created_at < r.created_lt
    WHERE r.id = @replay_id
      AND (e.created_at, e.id) > (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::text)
      AND ('*' = ANY (r.types) OR e.type = ANY (r.types) OR EXISTS (
          SELECT 1 FROM unnest(r.types) AS f (pattern)
          WHERE right(f.pattern, 2) = '.*' AND starts_with(e.type, left(f.pattern, -1))))
      AND ('*' = ANY (w.enabled_events) OR e.type = ANY (w.enabled_events) OR EXISTS (
          SELECT 1 FROM unnest(w.enabled_events) AS f (pattern)
          WHERE right(f.pattern, 2) = '.*' AND starts_with(e.type, left(f.pattern, -1))))
    ORDER BY e.created_at, e.id
    LIMIT @row_limit
), upserted AS (
    INSERT INTO webhook_logs (id, event_id, endpoint_id, merchant_id, event, payment_id, refund_id, payload, created_at)
    SELECT delivery_id, id, endpoint_id, merchant_id, type, payment_id, refund_id, payload, created_at FROM page
    ON CONFLICT (id) DO UPDATE SET status = 'pending', attempts = 0, next_retry_at = NULL, updated_at = now()
    WHERE webhook_logs.status <> 'pending'
    RETURNING webhook_logs.id
)
SELECT page.delivery_id::text AS delivery_id, page.id AS event_id, page.created_at,
       EXISTS (SELECT 1 FROM upserted u WHERE u.id = page.delivery_id) AS ready
FROM page ORDER BY page.created_at, page.id;

-- name: RecordReplayProgress :one
-- Adds a page's sent and failed counts; the replay's status changes only from running (a cancel
-- is kept).
UPDATE webhook_replays SET sent = sent + @sent, failed = failed + @failed, updated_at = now()
WHERE id = @id
RETURNING status;

-- name: FinishReplay :exec
UPDATE webhook_replays SET status = @status, finished_at = now(), updated_at = now()
WHERE id = @id AND status = 'running';

-- name: CancelReplay :one
UPDATE webhook_replays SET status = 'canceled', finished_at = now(), updated_at = now()
WHERE id = $1 AND merchant_id = $2 AND status = 'running'
RETURNING *;
