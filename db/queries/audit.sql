-- name: RecordAudit :exec
INSERT INTO audit_log (merchant_id, actor, action, target, source_address, details)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: ListAudit :many
-- The merchant's audit log entries newest first within [@created_gte, @created_lt), a page older than the cursor
-- (@cursor_created_at, @cursor_id); the first page's cursor is (far future, 0), so the row
-- comparison is always there for the index.
SELECT * FROM audit_log
WHERE merchant_id = @merchant_id
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) < (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::bigint)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: ListAuditNewer :many
-- The merchant's audit log entries just newer than the cursor, oldest first (for ending_before; the API reverses
-- the page), with the same filters as ListAudit.
SELECT * FROM audit_log
WHERE merchant_id = @merchant_id
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) > (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::bigint)
ORDER BY created_at, id
LIMIT @row_limit OFFSET @row_offset;

-- name: CountAudit :one
-- How many of the merchant's audit log entries match, at a cost that does not grow with their number: with
-- no creation range (@whole) from the all-time running totals; else the whole UTC days of the
-- range [@first_day, @end_day) from the daily totals, and the rows of the partial days at either
-- end, [@head_gte, @head_lt) and [@tail_gte, @tail_lt), counted through the list's index (at
-- most two days of rows). The API splits the range (api/list.go, totalSpan).
SELECT ((
    SELECT coalesce(sum(t.n), 0) FROM totals_merchant_live t
    WHERE sqlc.arg(whole)::boolean AND t.merchant_id = @merchant_id AND t.kind = 'audit_log'
) + (
    SELECT coalesce(sum(t.n), 0) FROM totals_daily_live t
    WHERE t.merchant_id = @merchant_id AND t.kind = 'audit_log'
      AND t.day >= sqlc.arg(first_day)::date AND t.day < sqlc.arg(end_day)::date
) + (
    SELECT count(*) FROM audit_log r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(head_gte)::timestamptz AND r.created_at < sqlc.arg(head_lt)::timestamptz
) + (
    SELECT count(*) FROM audit_log r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(tail_gte)::timestamptz AND r.created_at < sqlc.arg(tail_lt)::timestamptz
))::bigint AS total;

-- name: GetAuditCreatedAt :one
-- When the merchant's audit log entry was recorded: the position of a list cursor.
SELECT created_at FROM audit_log WHERE id = $1 AND merchant_id = $2;
