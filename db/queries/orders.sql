-- name: CreateOrder :one
INSERT INTO orders (id, merchant_id, amount, currency, receipt, notes)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: GetOrder :one
SELECT * FROM orders WHERE id = $1 AND merchant_id = $2;

-- name: GetPublicOrder :one
SELECT o.id, o.amount, o.currency, o.status, o.merchant_id, m.name AS merchant_name
FROM orders o JOIN merchants m ON m.id = o.merchant_id
WHERE o.id = $1;

-- name: ListOrders :many
SELECT * FROM orders
WHERE merchant_id = $1
ORDER BY created_at DESC, id DESC
LIMIT $2 OFFSET $3;

-- name: CountOrders :one
SELECT count(*) FROM orders WHERE merchant_id = $1;

-- name: MarkOrderPaid :exec
UPDATE orders SET status = 'paid', updated_at = now() WHERE id = $1 AND status <> 'paid';
