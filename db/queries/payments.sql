-- name: CreatePayment :one
-- Pays the merchant's unpaid order, for its amount and currency, and records the events of its
-- creation (@events: a JSON array of payloads, each with its id and event, rendered from the
-- payment but for the order's amount and currency and the capture mode, which are set here) with
-- one delivery per event for each of the merchant's enabled endpoints whose filter matches, all in
-- one statement, with one creation time; deliveries are the delivery (webhook_logs) ids, in no
-- particular order. The payment captures as @capture says (manual or automatic), or as its order
-- does when that is null; @capture_expires_at is when its workflow voids it if uncaptured.
-- No row: the order is not the merchant's, or it is paid, or it has had @max_failed failed
-- payments updated after @failed_since (card testing; 0: no such limit); then no event is
-- recorded either. The count reads idx_payments_order_id: nothing for an order's first payment.
WITH o AS (
    SELECT ord.id, ord.merchant_id, ord.amount, ord.currency, ord.capture FROM orders ord
    WHERE ord.id = sqlc.arg(order_id) AND ord.merchant_id = sqlc.arg(merchant_id) AND ord.status <> 'paid'
      AND (sqlc.arg(max_failed)::bigint = 0 OR (
          SELECT count(*) FROM payments f
          WHERE f.order_id = ord.id AND f.status = 'failed' AND f.updated_at > sqlc.arg(failed_since)::timestamptz
      ) < sqlc.arg(max_failed)::bigint)
), ev AS (
    INSERT INTO events (id, merchant_id, type, payment_id, payload, created_at)
    SELECT e.payload ->> 'id', o.merchant_id, e.payload ->> 'event', sqlc.arg(id)::text,
           jsonb_set(jsonb_set(jsonb_set(e.payload, '{data,payment,amount}', to_jsonb(o.amount)), '{data,payment,currency}', to_jsonb(o.currency)),
                     '{data,payment,capture}', to_jsonb(coalesce(sqlc.narg(capture)::text, o.capture))),
           sqlc.arg(created_at)
    FROM o CROSS JOIN jsonb_array_elements(sqlc.arg(events)::jsonb) AS e (payload)
    RETURNING id, merchant_id, type, payload
), recorded AS (
    INSERT INTO webhook_logs (id, event_id, endpoint_id, merchant_id, event, payment_id, payload, created_at, updated_at)
    SELECT CASE WHEN w.is_primary THEN ev.id ELSE ev.id || '_' || substr(w.id, 4) END, ev.id, w.id,
           ev.merchant_id, ev.type, sqlc.arg(id)::text, ev.payload, sqlc.arg(created_at), sqlc.arg(created_at)
    FROM ev JOIN webhook_endpoints w ON w.merchant_id = ev.merchant_id AND w.status = 'enabled'
      AND ('*' = ANY (w.enabled_events) OR ev.type = ANY (w.enabled_events) OR EXISTS (
          SELECT 1 FROM unnest(w.enabled_events) AS f (pattern)
          WHERE right(f.pattern, 2) = '.*' AND starts_with(ev.type, left(f.pattern, -1))))
    RETURNING id
)
INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, card_network, card_bin, card_last4, created_at, updated_at,
                      capture, capture_expires_at)
SELECT sqlc.arg(id), o.id, o.merchant_id, o.amount, o.currency,
       sqlc.arg(method), sqlc.narg(vpa), sqlc.narg(card_network), sqlc.narg(card_bin), sqlc.narg(card_last4),
       sqlc.arg(created_at), sqlc.arg(created_at),
       coalesce(sqlc.narg(capture)::text, o.capture), sqlc.arg(capture_expires_at)::timestamptz
FROM o
RETURNING *, (SELECT coalesce(array_agg(recorded.id), '{}') FROM recorded)::text[] AS deliveries;

-- name: NthRecentFailedPayment :one
-- When the nth most recent failed payment of an order, among those updated after a time, was
-- updated: once it is older than the window, the order takes payments again.
SELECT updated_at FROM payments
WHERE order_id = sqlc.arg(order_id) AND status = 'failed' AND updated_at > sqlc.arg(failed_since)::timestamptz
ORDER BY updated_at DESC
OFFSET sqlc.arg(n)::bigint - 1 LIMIT 1;

-- name: GetPayment :one
SELECT * FROM payments WHERE id = $1 AND merchant_id = $2;

-- name: GetPaymentByID :one
SELECT * FROM payments WHERE id = $1;

-- name: ListPayments :many
-- The merchant's payments, filtered, newest first within [@created_gte, @created_lt), a page older than the cursor
-- (@cursor_created_at, @cursor_id); the first page's cursor is (far future, empty id), so the row
-- comparison is always there for the index.
SELECT * FROM payments
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('method')::text IS NULL OR method = sqlc.narg('method'))
  AND (sqlc.narg('capture_state')::text IS NULL
       OR (sqlc.narg('capture_state') = 'authorized' AND status = 'success' AND NOT captured)
       OR (sqlc.narg('capture_state') = 'captured' AND captured)
       OR (sqlc.narg('capture_state') = 'voided' AND status = 'voided'))
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) < (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: ListPaymentsNewer :many
-- The merchant's payments, filtered, just newer than the cursor, oldest first (for ending_before; the API reverses
-- the page), with the same filters as ListPayments.
SELECT * FROM payments
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('method')::text IS NULL OR method = sqlc.narg('method'))
  AND (sqlc.narg('capture_state')::text IS NULL
       OR (sqlc.narg('capture_state') = 'authorized' AND status = 'success' AND NOT captured)
       OR (sqlc.narg('capture_state') = 'captured' AND captured)
       OR (sqlc.narg('capture_state') = 'voided' AND status = 'voided'))
  AND created_at >= @created_gte AND created_at < @created_lt
  AND (created_at, id) > (sqlc.arg(cursor_created_at)::timestamptz, sqlc.arg(cursor_id)::text)
ORDER BY created_at, id
LIMIT @row_limit OFFSET @row_offset;

-- name: CountPayments :one
-- How many of the merchant's payments match, at a cost that does not grow with their number: with
-- no creation range (@whole) from the all-time running totals; else the whole UTC days of the
-- range [@first_day, @end_day) from the daily totals, and the rows of the partial days at either
-- end, [@head_gte, @head_lt) and [@tail_gte, @tail_lt), counted through the list's index (at
-- most two days of rows). The API splits the range (api/list.go, totalSpan).
SELECT ((
    SELECT coalesce(sum(t.n), 0) FROM totals_merchant_live t
    WHERE sqlc.arg(whole)::boolean AND t.merchant_id = @merchant_id AND t.kind = 'payments'
      AND (sqlc.narg('status')::text IS NULL OR t.status = sqlc.narg('status'))
      AND (sqlc.narg('method')::text IS NULL OR t.detail = sqlc.narg('method'))
) + (
    SELECT coalesce(sum(t.n), 0) FROM totals_daily_live t
    WHERE t.merchant_id = @merchant_id AND t.kind = 'payments'
      AND t.day >= sqlc.arg(first_day)::date AND t.day < sqlc.arg(end_day)::date
      AND (sqlc.narg('status')::text IS NULL OR t.status = sqlc.narg('status'))
      AND (sqlc.narg('method')::text IS NULL OR t.detail = sqlc.narg('method'))
) + (
    SELECT count(*) FROM payments r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(head_gte)::timestamptz AND r.created_at < sqlc.arg(head_lt)::timestamptz
      AND (sqlc.narg('status')::text IS NULL OR r.status = sqlc.narg('status'))
      AND (sqlc.narg('method')::text IS NULL OR r.method = sqlc.narg('method'))
) + (
    SELECT count(*) FROM payments r
    WHERE r.merchant_id = @merchant_id AND r.created_at >= sqlc.arg(tail_gte)::timestamptz AND r.created_at < sqlc.arg(tail_lt)::timestamptz
      AND (sqlc.narg('status')::text IS NULL OR r.status = sqlc.narg('status'))
      AND (sqlc.narg('method')::text IS NULL OR r.method = sqlc.narg('method'))
))::bigint AS total;

-- name: CountPaymentsByCaptureState :one
-- How many of the merchant's payments in [@created_gte, @created_lt) are in a capture state
-- (authorized: successful and uncaptured; captured; voided). The running totals are not kept by
-- capture state, so this counts rows through the list's index: its cost grows with the
-- merchant's payments in the range.
SELECT count(*) FROM payments
WHERE merchant_id = @merchant_id
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status'))
  AND (sqlc.narg('method')::text IS NULL OR method = sqlc.narg('method'))
  AND (sqlc.narg('capture_state')::text IS NULL
       OR (sqlc.narg('capture_state') = 'authorized' AND status = 'success' AND NOT captured)
       OR (sqlc.narg('capture_state') = 'captured' AND captured)
       OR (sqlc.narg('capture_state') = 'voided' AND status = 'voided'))
  AND created_at >= @created_gte AND created_at < @created_lt;

-- name: FinishPayment :one
-- Moves a pending payment to its final status; a payment that is already final is left alone
-- (no row comes back), so recording an outcome twice changes nothing. With @capture a successful
-- payment is captured for its whole amount in the same statement (automatic capture).
UPDATE payments
SET status = @status, error_code = sqlc.narg(error_code), error_description = sqlc.narg(error_description), updated_at = now(),
    captured = (@capture::boolean AND @status = 'success'),
    captured_at = CASE WHEN @capture::boolean AND @status = 'success' THEN now() END,
    amount_captured = CASE WHEN @capture::boolean AND @status = 'success' THEN amount END
WHERE id = @id AND status = 'pending'
RETURNING *;

-- name: ListStalePendingPayments :many
-- Pending payments created before the cutoff, candidates whose workflow may never have started:
-- newest first, one page after the cursor (@after_created_at, @after_id); the first page's cursor
-- is (cutoff, ''). Newest first, so a backlog of long-pending payments (whose workflows run) never
-- hides a newer one that lost its start.
SELECT id, merchant_id, order_id, amount, currency, method, created_at, capture, capture_expires_at FROM payments
WHERE status = 'pending' AND created_at < @created_before
  AND (created_at, id) < (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::text)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: GetPaymentForUpdate :one
-- Locks the payment row for the rest of the transaction: refunds of one payment queue here.
SELECT * FROM payments WHERE id = $1 AND merchant_id = $2 FOR UPDATE;

-- name: CapturePayment :one
-- Captures @amount of a successful, uncaptured payment (the rest of the authorization is
-- released); no row when it is not capturable, or when more than @amount is already committed to
-- refunds. Payments' refunds lock the same row, so a capture and a refund see each other.
UPDATE payments SET captured = true, captured_at = now(), amount_captured = @amount::bigint, updated_at = now()
WHERE id = @id AND status = 'success' AND NOT captured AND amount_refunded <= @amount::bigint
RETURNING *;

-- name: VoidPayment :one
-- Releases a successful, uncaptured payment's authorization (@reason: requested or expired); no
-- row when it is captured, voided, not successful or partly refunded.
UPDATE payments SET status = 'voided', voided_at = now(), void_reason = @reason::text, updated_at = now()
WHERE id = @id AND status = 'success' AND NOT captured AND amount_refunded = 0
RETURNING *;

-- name: AddRefundedAmount :one
-- Reserves (positive delta) or releases (negative delta) refunded amount; the table's CHECK
-- keeps it within the payment's amount.
UPDATE payments SET amount_refunded = amount_refunded + sqlc.arg(delta)::bigint, updated_at = now()
WHERE id = $1
RETURNING *;

-- name: LockRefundedPayment :one
-- Locks the payment of a refund for the rest of the transaction, so that the outcomes of its
-- refunds are recorded one after another: each sees what the ones before it recorded.
SELECT p.id FROM payments p JOIN refunds r ON r.payment_id = p.id WHERE r.id = $1 FOR UPDATE OF p;

-- name: MarkPaymentRefunded :exec
-- A payment becomes refunded once its whole amount (what was captured, for a captured one) is committed to go back (amount_refunded) and
-- no refund of it is still pending, so every refund counted has been processed. Run with the
-- payment locked (LockRefundedPayment): two refunds finishing together then cannot each miss the
-- other's outcome.
UPDATE payments p SET status = 'refunded', updated_at = now()
WHERE p.id = $1 AND p.status = 'success' AND p.amount_refunded = coalesce(p.amount_captured, p.amount)
  AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = p.id AND r.status = 'pending');

-- name: GetPaymentCheck :one
-- A payment's status with its order's amount and currency, to validate it before settlement.
SELECT p.status, p.captured, p.amount, p.currency, o.amount AS order_amount, o.currency AS order_currency
FROM payments p JOIN orders o ON o.id = p.order_id
WHERE p.id = $1;
