-- name: CreatePayment :one
INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, card_network, card_bin, card_last4)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING *;

-- name: GetPayment :one
SELECT * FROM payments WHERE id = $1 AND merchant_id = $2;

-- name: GetPaymentByID :one
SELECT * FROM payments WHERE id = $1;

-- name: ListPayments :many
SELECT * FROM payments
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('method')::text IS NULL OR method = sqlc.narg('method'))
  AND (sqlc.narg('created_from')::timestamptz IS NULL OR created_at >= sqlc.narg('created_from'))
  AND (sqlc.narg('created_before')::timestamptz IS NULL OR created_at < sqlc.narg('created_before'))
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: CountPayments :one
SELECT count(*) FROM payments
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('method')::text IS NULL OR method = sqlc.narg('method'))
  AND (sqlc.narg('created_from')::timestamptz IS NULL OR created_at >= sqlc.narg('created_from'))
  AND (sqlc.narg('created_before')::timestamptz IS NULL OR created_at < sqlc.narg('created_before'));

-- name: FinishPayment :one
-- Moves a pending payment to its final status; a payment that is already final is left alone
-- (no row comes back), so recording an outcome twice changes nothing.
UPDATE payments
SET status = $2, error_code = $3, error_description = $4, updated_at = now()
WHERE id = $1 AND status = 'pending'
RETURNING *;

-- name: ListStalePendingPayments :many
-- Pending payments older than the cutoff: candidates whose workflow may never have started.
SELECT id, merchant_id, order_id, amount, currency, method FROM payments
WHERE status = 'pending' AND created_at < $1
ORDER BY created_at
LIMIT $2;
