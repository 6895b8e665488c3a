-- name: CreateRefund :one
INSERT INTO refunds (id, payment_id, order_id, merchant_id, amount, currency, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetRefund :one
SELECT * FROM refunds WHERE id = $1 AND merchant_id = $2;

-- name: GetRefundByID :one
SELECT * FROM refunds WHERE id = $1;

-- name: ListRefunds :many
SELECT * FROM refunds
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('payment_id')::text IS NULL OR payment_id = sqlc.narg('payment_id'))
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: CountRefunds :one
SELECT count(*) FROM refunds
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('payment_id')::text IS NULL OR payment_id = sqlc.narg('payment_id'));

-- name: FinishRefund :one
-- Moves a pending refund to processed or failed; a refund that is already final is left alone.
UPDATE refunds
SET status = $2, error_code = $3, error_description = $4,
    processed_at = CASE WHEN $2 = 'processed' THEN now() END, updated_at = now()
WHERE id = $1 AND status = 'pending'
RETURNING *;

-- name: ListStalePendingRefunds :many
-- Pending refunds created before the cutoff, a page at a time, as ListStalePendingPayments.
SELECT id, payment_id, merchant_id, amount, currency, created_at FROM refunds
WHERE status = 'pending' AND created_at < @created_before
  AND (created_at, id) < (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::text)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;
