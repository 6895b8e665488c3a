-- name: PaymentStats :one
-- Sums are numeric: no total of bigint amounts can overflow.
SELECT count(*) AS total_transactions,
       count(*) FILTER (WHERE status IN ('success', 'refunded')) AS successful_transactions,
       count(*) FILTER (WHERE status <> 'pending') AS finished_transactions,
       coalesce(sum(amount) FILTER (WHERE status IN ('success', 'refunded')), 0)::numeric AS total_amount
FROM payments
WHERE merchant_id = $1 AND currency = $2;

-- name: RefundedAmount :one
SELECT coalesce(sum(amount), 0)::numeric FROM refunds
WHERE merchant_id = $1 AND currency = $2 AND status = 'processed';

-- name: DailyVolume :many
-- Payments and the amount succeeded per UTC day since a time.
SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS payments,
       coalesce(sum(amount) FILTER (WHERE status IN ('success', 'refunded')), 0)::numeric AS amount
FROM payments
WHERE merchant_id = $1 AND currency = $2 AND created_at >= $3
GROUP BY day
ORDER BY day;
