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
-- How many of the merchant's refunds match, at a cost that does not grow with their number: with
-- no creation range (@whole) from the all-time running totals; else the whole UTC days of the
-- range [@first_day, @end_day) from the daily totals, and the rows of the partial days at either
-- end, [@head_gte, @head_lt) and [@tail_gte, @tail_lt), counted through the list's index (at
-- most two days of rows). The API splits the range (api/list.go, totalSpan).
SELECT ((
    SELECT coalesce(sum(t.n), 0) FROM totals_merchant_live t
    WHERE sqlc.arg(whole)::boolean AND t.merchant_id = @merchant_id AND t.kind = 'refunds'
) + (
    SELECT coalesce(sum(t.n), 0) FROM totals_daily_live t
    WHERE t.merchant_id = @merchant_id AND t.kind = 'refunds'
      AND t.day >= sqlc.arg(first_day)::date AND t.day < sqlc.arg(end_day)::date
) + (
    SELECT count(*) FROM refunds r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(head_gte)::timestamptz AND r.created_at < sqlc.arg(head_lt)::timestamptz
) + (
    SELECT count(*) FROM refunds r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(tail_gte)::timestamptz AND r.created_at < sqlc.arg(tail_lt)::timestamptz
))::bigint AS total;

-- name: CountPaymentRefunds :one
-- How many of the merchant's refunds of one payment were created within [@created_gte, @created_lt):
-- a payment's refunds, through idx_refunds_payment_id.
SELECT count(*) FROM refunds
WHERE payment_id = @payment_id AND merchant_id = @merchant_id
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
