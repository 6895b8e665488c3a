-- name: GetPrimaryEndpoint :one
-- The merchant's primary endpoint: the one /api/v1/webhooks/config reads and writes.
SELECT * FROM webhook_endpoints WHERE merchant_id = $1 AND is_primary;

-- name: SetPrimaryEndpoint :one
-- Creates the merchant's primary endpoint (subscribed to *) or points it at a new URL and enables
-- it, and keeps merchants.webhook_url in step.
WITH m AS (
    UPDATE merchants SET webhook_url = sqlc.arg(url)::text, updated_at = now() WHERE merchants.id = sqlc.arg(merchant_id)::uuid RETURNING merchants.id
)
INSERT INTO webhook_endpoints (id, merchant_id, url, enabled_events, is_primary)
SELECT sqlc.arg(id)::text, m.id, sqlc.arg(url)::text, '{*}', true FROM m
ON CONFLICT (merchant_id) WHERE is_primary
DO UPDATE SET url = excluded.url, status = 'enabled', disabled_at = NULL, disabled_reason = NULL,
    failing_since = NULL, failed_events = 0, updated_at = now()
RETURNING *;

-- name: DisablePrimaryEndpoint :exec
-- An empty webhook_url in /webhooks/config: the primary endpoint stops receiving events.
WITH m AS (
    UPDATE merchants SET webhook_url = NULL, updated_at = now() WHERE merchants.id = $1 RETURNING merchants.id
)
UPDATE webhook_endpoints w SET status = 'disabled', disabled_at = now(), disabled_reason = 'webhook_url cleared', updated_at = now()
FROM m WHERE w.merchant_id = m.id AND w.is_primary;

-- name: CountEndpoints :one
SELECT count(*) FROM webhook_endpoints WHERE merchant_id = $1;

-- name: LockMerchantEndpoints :exec
-- Serialises changes to a merchant's set of endpoints for the rest of the transaction (the
-- limit of 16 per merchant).
SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoints:' || sqlc.arg(merchant_id)::uuid::text, 0));

-- name: CreateEndpoint :one
INSERT INTO webhook_endpoints (id, merchant_id, url, secret, enabled_events, description)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: GetEndpoint :one
SELECT * FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2;

-- name: ListEndpoints :many
-- Every endpoint of the merchant (16 at most), newest first.
SELECT * FROM webhook_endpoints WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC;

-- name: UpdateEndpoint :one
-- Changes what is given (NULL: unchanged). Enabling clears the failure count; the primary
-- endpoint's URL is kept in merchants.webhook_url.
WITH w AS (
    UPDATE webhook_endpoints e SET
        url = coalesce(sqlc.narg('url')::text, e.url),
        enabled_events = coalesce(sqlc.narg('enabled_events')::text[], e.enabled_events),
        description = coalesce(sqlc.narg('description')::text, e.description),
        status = coalesce(sqlc.narg('status')::text, e.status),
        disabled_at = CASE WHEN sqlc.narg('status')::text = 'disabled' AND e.status = 'enabled' THEN now()
                           WHEN sqlc.narg('status')::text = 'enabled' THEN NULL ELSE e.disabled_at END,
        disabled_reason = CASE WHEN sqlc.narg('status')::text = 'disabled' AND e.status = 'enabled' THEN 'disabled by the merchant'
                               WHEN sqlc.narg('status')::text = 'enabled' THEN NULL ELSE e.disabled_reason END,
        failing_since = CASE WHEN sqlc.narg('status')::text = 'enabled' THEN NULL ELSE e.failing_since END,
        failed_events = CASE WHEN sqlc.narg('status')::text = 'enabled' THEN 0 ELSE e.failed_events END,
        updated_at = now()
    WHERE e.id = sqlc.arg(id) AND e.merchant_id = sqlc.arg(merchant_id)
    RETURNING e.*
), m AS (
    UPDATE merchants SET webhook_url = CASE WHEN w.status = 'enabled' THEN w.url END, updated_at = now()
    FROM w WHERE merchants.id = w.merchant_id AND w.is_primary
)
SELECT * FROM w;

-- name: SetEndpointSecret :exec
UPDATE webhook_endpoints SET secret = $3, updated_at = now() WHERE id = $1 AND merchant_id = $2 AND NOT is_primary;

-- name: DeleteEndpoint :one
-- Deletes an endpoint; its deliveries stay in the log. Deleting the primary endpoint clears
-- merchants.webhook_url.
WITH w AS (
    DELETE FROM webhook_endpoints WHERE webhook_endpoints.id = $1 AND webhook_endpoints.merchant_id = $2 RETURNING *
), m AS (
    UPDATE merchants SET webhook_url = NULL, updated_at = now() FROM w WHERE merchants.id = w.merchant_id AND w.is_primary
)
SELECT * FROM w;

-- name: CountEnabledEndpoints :one
-- How many of the merchant's enabled endpoints an event of @type would go to.
SELECT count(*) FROM webhook_endpoints w
WHERE w.merchant_id = @merchant_id AND w.status = 'enabled'
  AND ('*' = ANY (w.enabled_events) OR @type::text = ANY (w.enabled_events) OR EXISTS (
      SELECT 1 FROM unnest(w.enabled_events) AS f (pattern)
      WHERE right(f.pattern, 2) = '.*' AND starts_with(@type::text, left(f.pattern, -1))));

-- name: DisableFailingEndpoints :many
-- Disables the enabled endpoints every delivery to which has failed since before @failing_before
-- with at least @min_failed failed events (auto-disable); a primary endpoint's URL leaves
-- merchants.webhook_url, as when the merchant clears it.
WITH w AS (
    UPDATE webhook_endpoints e
    SET status = 'disabled', disabled_at = now(), disabled_reason = sqlc.arg(reason)::text, updated_at = now()
    WHERE e.status = 'enabled' AND e.failing_since < sqlc.arg(failing_before)::timestamptz AND e.failed_events >= sqlc.arg(min_failed)::integer
    RETURNING e.*
), m AS (
    UPDATE merchants SET webhook_url = NULL, updated_at = now() FROM w WHERE merchants.id = w.merchant_id AND w.is_primary
)
SELECT * FROM w;

-- name: EndpointDeliveries :many
-- The outcome so far of the deliveries made to each of the given endpoints of the merchant since
-- @since (the dashboard's last 24 hours): succeeded; failed (retries exhausted); retrying (the
-- last attempt failed, another is scheduled); pending (not attempted yet). Reads the rows of that
-- window through idx_webhook_logs_endpoint_created_id, so its cost is the window's deliveries.
SELECT endpoint_id::text AS endpoint_id,
       count(*) FILTER (WHERE status = 'success') AS succeeded,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS retrying,
       count(*) FILTER (WHERE status = 'pending' AND attempts = 0) AS pending
FROM webhook_logs
WHERE endpoint_id = ANY (@endpoint_ids::text[]) AND merchant_id = @merchant_id AND created_at >= @since
GROUP BY endpoint_id;
