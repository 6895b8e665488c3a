-- name: CountByStatus :many
-- Payments, refunds and webhook deliveries by status, for the metrics endpoint.
SELECT 'payments'::text AS kind, status, count(*) AS n FROM payments GROUP BY status
UNION ALL
SELECT 'refunds', status, count(*) FROM refunds GROUP BY status
UNION ALL
SELECT 'webhook_deliveries', status, count(*) FROM webhook_logs GROUP BY status;
