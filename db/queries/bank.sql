-- name: RecordBankOperation :one
-- Records the simulated bank's answer for an idempotency key; a repeat keeps the first answer and
-- counts the call.
INSERT INTO bank_operations (idempotency_key, kind, amount, approved, decline_code, decline_reason)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (idempotency_key) DO UPDATE SET calls = bank_operations.calls + 1
RETURNING *;
