-- name: RecordAudit :exec
INSERT INTO audit_log (merchant_id, actor, action, target, source_address, details)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: ListAudit :many
SELECT * FROM audit_log
WHERE merchant_id = @merchant_id
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: CountAudit :one
SELECT count(*) FROM audit_log WHERE merchant_id = $1;
