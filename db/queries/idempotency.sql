-- name: TryIdempotencyLock :one
-- Takes the transaction-scoped lock of one (merchant, key); false while another request holds it.
SELECT pg_try_advisory_xact_lock(sqlc.arg(lock_id)::bigint);

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE merchant_id = $1 AND scope = $2 AND key = $3 AND expires_at > now();

-- name: SaveIdempotencyKey :exec
-- Stores a response for replay. An expired record of the same key (not yet swept) is replaced.
INSERT INTO idempotency_keys (merchant_id, scope, key, route, request_hash, response_status, response_body, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (merchant_id, scope, key) DO UPDATE
SET route = EXCLUDED.route, request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
    response_body = EXCLUDED.response_body, created_at = now(), expires_at = EXCLUDED.expires_at
WHERE idempotency_keys.expires_at <= now();

-- name: DeleteExpiredIdempotencyKeys :execrows
DELETE FROM idempotency_keys WHERE expires_at <= now();
