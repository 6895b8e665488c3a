-- name: CreateRefund :one
INSERT INTO refunds (id, payment_id, order_id, merchant_id, amount, currency, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetRefund :one
SELECT * FROM refunds WHERE id = $1 AND merchant_id = $2;

-- name: GetRefundByID :one
SELECT * FROM refunds WHERE id = $1;

-- name: ListRefunds :many
-- The merchant's refunds, optionally of one payment, newest first within [@created_gte, @created_lt), a page older than the cursor
-- (@cursor_created_at, @cursor_id); the first page's cursor is (far future, empty id), so the row
-- comparison is always there for the index.
SELECT * FROM refunds
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('payment_id')::text IS NULL OR payment_id = sqlc.narg('payment_id'))
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) < (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: ListRefundsNewer :many
-- The merchant's refunds, optionally of one payment, just newer than the cursor, oldest first (for ending_before; the API reverses
-- the page), with the same filters as ListRefunds.
SELECT * FROM refunds
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('payment_id')::text IS NULL OR payment_id = sqlc.narg('payment_id'))
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) > (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at, id
LIMIT @row_limit OFFSET @row_offset;

-- name: CountRefunds :one
SELECT count(*) FROM refunds
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('payment_id')::text IS NULL OR payment_id = sqlc.narg('payment_id'))
  AND created_at >= @created_gte AND created_at < @created_lt;

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
