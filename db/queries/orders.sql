-- name: CreateOrder :one
INSERT INTO orders (id, merchant_id, amount, currency, receipt, notes, capture)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetOrder :one
SELECT * FROM orders WHERE id = $1 AND merchant_id = $2;

-- name: GetPublicOrder :one
SELECT o.id, o.amount, o.currency, o.status, o.merchant_id, m.name AS merchant_name
FROM orders o JOIN merchants m ON m.id = o.merchant_id
WHERE o.id = $1;

-- name: ListOrders :many
-- The merchant's orders newest first within [@created_gte, @created_lt), a page older than the cursor
-- (@cursor_created_at, @cursor_id); the first page's cursor is (far future, empty id), so the row
-- comparison is always there for the index.
SELECT * FROM orders
WHERE merchant_id = @merchant_id
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) < (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: ListOrdersNewer :many
-- The merchant's orders just newer than the cursor, oldest first (for ending_before; the API reverses
-- the page), with the same filters as ListOrders.
SELECT * FROM orders
WHERE merchant_id = @merchant_id
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) > (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at, id
LIMIT @row_limit OFFSET @row_offset;

-- name: CountOrders :one
-- How many of the merchant's orders match, at a cost that does not grow with their number: with
-- no creation range (@whole) from the all-time running totals; else the whole UTC days of the
-- range [@first_day, @end_day) from the daily totals, and the rows of the partial days at either
-- end, [@head_gte, @head_lt) and [@tail_gte, @tail_lt), counted through the list's index (at
-- most two days of rows). The API splits the range (api/list.go, totalSpan).
SELECT ((
    SELECT coalesce(sum(t.n), 0) FROM totals_merchant_live t
    WHERE sqlc.arg(whole)::boolean AND t.merchant_id = @merchant_id AND t.kind = 'orders'
) + (
    SELECT coalesce(sum(t.n), 0) FROM totals_daily_live t
    WHERE t.merchant_id = @merchant_id AND t.kind = 'orders'
      AND t.day >= sqlc.arg(first_day)::date AND t.day < sqlc.arg(end_day)::date
) + (
    SELECT count(*) FROM orders r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(head_gte)::timestamptz AND r.created_at < sqlc.arg(head_lt)::timestamptz
) + (
    SELECT count(*) FROM orders r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(tail_gte)::timestamptz AND r.created_at < sqlc.arg(tail_lt)::timestamptz
))::bigint AS total;

-- name: MarkOrderPaid :exec
UPDATE orders SET status = 'paid', updated_at = now() WHERE id = $1 AND status <> 'paid';
