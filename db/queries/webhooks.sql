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
SELECT * FROM webhook_logs
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('event')::text IS NULL OR event = sqlc.narg('event'))
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: CountWebhookLogs :one
SELECT count(*) FROM webhook_logs
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('event')::text IS NULL OR event = sqlc.narg('event'));

-- name: ListUnsentEvents :many
-- Events never attempted although older than the cutoff: their delivery was never started.
SELECT id, merchant_id, payment_id FROM webhook_logs
WHERE status = 'pending' AND attempts = 0 AND created_at < $1
ORDER BY created_at
LIMIT $2;

-- name: ListUnsentOutcomeEvents :many
-- A final payment's or refund's outcome events (payment.success/failed, refund.processed/failed)
-- that were recorded but never attempted: a worker crashed between recording the outcome and
-- sending it. A re-run of the workflow sends them; events already attempted are not listed.
SELECT id FROM webhook_logs
WHERE status = 'pending' AND attempts = 0
  AND event = ANY (@events::text[])
  AND (payment_id = sqlc.narg('payment_id') AND refund_id IS NULL OR refund_id = sqlc.narg('refund_id'))
ORDER BY created_at, id;
