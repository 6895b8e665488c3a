-- name: CreateSession :exec
INSERT INTO sessions (token_hash, merchant_id, expires_at) VALUES ($1, $2, $3);

-- name: TouchSession :one
-- Returns the session's merchant when the session is live (not revoked, not past its absolute
-- expiry, not idle longer than the given interval) and records the activity.
UPDATE sessions SET last_seen_at = now()
WHERE token_hash = $1
  AND revoked_at IS NULL
  AND expires_at > now()
  AND last_seen_at > now() - make_interval(secs => sqlc.arg(idle_seconds)::float8)
RETURNING merchant_id;

-- name: RevokeSession :one
UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING merchant_id;
