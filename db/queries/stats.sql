-- name: PaymentStats :one
-- The merchant's payments in one currency, from the running totals (totals_merchant_live): a handful
-- of rows however many payments there are. Sums are numeric: no total of bigint amounts can overflow.
SELECT coalesce(sum(n), 0)::bigint AS total_transactions,
       coalesce(sum(n) FILTER (WHERE status IN ('success', 'refunded')), 0)::bigint AS successful_transactions,
       coalesce(sum(n) FILTER (WHERE status <> 'pending'), 0)::bigint AS finished_transactions,
       coalesce(sum(amount) FILTER (WHERE status IN ('success', 'refunded')), 0)::numeric AS total_amount
FROM totals_merchant_live
WHERE merchant_id = $1 AND kind = 'payments' AND currency = $2;

-- name: RefundedAmount :one
-- The amount of the merchant's processed refunds in one currency, from the running totals.
SELECT coalesce(sum(amount), 0)::numeric FROM totals_merchant_live
WHERE merchant_id = $1 AND kind = 'refunds' AND currency = $2 AND status = 'processed';

-- name: DailyVolume :many
-- Payments and the amount succeeded per UTC day from a day on, from the running totals
-- (totals_daily_live); days without payments are left out.
SELECT day,
       sum(n)::bigint AS payments,
       coalesce(sum(amount) FILTER (WHERE status IN ('success', 'refunded')), 0)::numeric AS amount
FROM totals_daily_live
WHERE merchant_id = @merchant_id AND kind = 'payments' AND currency = @currency AND day >= @since::date
GROUP BY day
HAVING sum(n) <> 0
ORDER BY day;

-- name: RecountTotals :exec
-- Rebuilds every running total from the rows (after a bulk load with triggers off, or a repair);
-- writers of the counted tables wait until the caller's transaction ends.
SELECT totals_recount();


-- name: FoldTotals :one
-- Moves the running totals' pending changes into their levels (one fold at a time: 0 when another
-- is under way); returns how many changes it moved.
SELECT totals_fold()::bigint AS folded;
