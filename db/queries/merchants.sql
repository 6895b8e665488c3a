-- name: CreateMerchant :one
INSERT INTO merchants (id, name, email, password_hash, api_key, api_secret_hash, webhook_secret)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: SeedMerchant :one
-- Creates a merchant with fixed credentials (the test merchant) unless it exists: a merchant's
-- rolled secret or changed password is never reset. No row: it exists already.
INSERT INTO merchants (id, name, email, password_hash, api_key, api_secret_hash, webhook_secret)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO NOTHING
RETURNING *;

-- name: GetMerchant :one
SELECT * FROM merchants WHERE id = $1;

-- name: GetMerchantByAPIKey :one
SELECT * FROM merchants WHERE api_key = $1 AND is_active;

-- name: GetMerchantByEmail :one
SELECT * FROM merchants WHERE email = $1;

-- name: SetAPISecret :one
UPDATE merchants SET api_secret_hash = $2, updated_at = now() WHERE id = $1 RETURNING *;

-- name: SetWebhookURL :one
UPDATE merchants SET webhook_url = $2, updated_at = now() WHERE id = $1 RETURNING *;

-- name: SetWebhookSecret :one
UPDATE merchants SET webhook_secret = $2, updated_at = now() WHERE id = $1 RETURNING *;
