-- name: CountByStatus :many
-- Payments, refunds and webhook deliveries by status, for the metrics endpoint: from the running
-- totals of every merchant (totals_global_live), a few rows, never the tables themselves.
SELECT CASE kind WHEN 'webhook_logs' THEN 'webhook_deliveries' ELSE kind END::text AS kind,
       status, sum(n)::bigint AS n
FROM totals_global_live
WHERE kind IN ('payments', 'refunds', 'webhook_logs')
GROUP BY kind, status
ORDER BY kind, status;
