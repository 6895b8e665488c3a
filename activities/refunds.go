package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/outbox"
)

// Refund statuses.
const (
	RefundPending   = "pending"
	RefundProcessed = "processed"
	RefundFailed    = "failed"
)

// SettleRefund asks the bank to return the money. The refund id is the bank's idempotency key; a
// refund that is already final is not sent again. A rejection is a non-retryable application
// error whose type is the bank's code.
func (a *Activities) SettleRefund(ctx context.Context, refundID string) error {
	rf, err := a.Queries.GetRefundByID(ctx, refundID)
	if err != nil {
		return wrap("settle refund", refundID, err)
	}
	if rf.Status != RefundPending {
		return nil
	}
	answer, err := a.Bank.Refund(ctx, rf.ID, rf.Amount)
	if err != nil {
		return wrap("settle refund", refundID, err)
	}
	if !answer.Approved {
		return temporal.NewNonRetryableApplicationError(answer.DeclineReason, answer.DeclineCode, nil)
	}
	return nil
}

// RefundOutcome is a refund's final status, with the reason when it failed.
type RefundOutcome struct {
	RefundID         string
	Status           string // processed or failed
	ErrorCode        string
	ErrorDescription string
}

// RecordRefundOutcome stores a refund's final status and records its refund.processed or
// refund.failed event in one transaction: a processed refund may complete its payment's refund
// (status refunded); a failed one releases its amount so it can be refunded again. It returns the
// status and the ids of the events to deliver. For a refund that is already final it changes
// nothing and returns the stored status with the outcome events not yet delivered.
func (a *Activities) RecordRefundOutcome(ctx context.Context, out RefundOutcome) (Recorded, error) {
	var rec Recorded
	err := a.inTx(ctx, func(q *db.Queries) (err error) {
		rec, err = recordRefundOutcome(ctx, q, out)
		return err
	})
	return rec, wrap("record refund", out.RefundID, err)
}

// recordRefundOutcome is RecordRefundOutcome's transaction. It locks the payment first: under
// READ COMMITTED, two refunds of one payment finishing together would otherwise each decide
// whether the payment is fully refunded without seeing the other's outcome, and neither would
// mark it.
func recordRefundOutcome(ctx context.Context, q *db.Queries, out RefundOutcome) (Recorded, error) {
	var rec Recorded
	if _, err := q.LockRefundedPayment(ctx, out.RefundID); err != nil {
		return rec, err
	}
	rf, err := q.FinishRefund(ctx, db.FinishRefundParams{
		ID:               out.RefundID,
		Status:           out.Status,
		ErrorCode:        nonEmpty(out.ErrorCode),
		ErrorDescription: nonEmpty(out.ErrorDescription),
	})
	if isNoRows(err) {
		if rf, err = q.GetRefundByID(ctx, out.RefundID); err != nil {
			return rec, err
		}
		rec.Status = rf.Status
		rec.Events, err = q.ListUndeliveredOutcomeEvents(ctx, db.ListUndeliveredOutcomeEventsParams{
			Events:   []string{outbox.RefundProcessed, outbox.RefundFailed},
			RefundID: &out.RefundID,
		})
		return rec, err
	}
	if err != nil {
		return rec, err
	}
	rec.Status = rf.Status
	event := outbox.RefundProcessed
	if rf.Status == RefundFailed {
		event = outbox.RefundFailed
		_, err = q.AddRefundedAmount(ctx, db.AddRefundedAmountParams{ID: rf.PaymentID, Delta: -rf.Amount})
	} else {
		err = q.MarkPaymentRefunded(ctx, rf.PaymentID)
	}
	if err != nil {
		return rec, err
	}
	p, err := q.GetPaymentByID(ctx, rf.PaymentID)
	if err != nil {
		return rec, err
	}
	rec.Events, err = outbox.RefundEvents(ctx, q, rf, p, time.Now(), event)
	return rec, err
}

// RestartStaleRefunds starts (or finds running) the workflow of every refund pending for longer
// than olderThan, like RestartStalePayments does for payments.
func (a *Activities) RestartStaleRefunds(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	return sweepPages(ctx, cutoff,
		func(after cursor) ([]db.ListStalePendingRefundsRow, error) {
			return a.Queries.ListStalePendingRefunds(ctx, db.ListStalePendingRefundsParams{
				CreatedBefore: cutoff, AfterCreatedAt: after.createdAt, AfterID: after.id, RowLimit: sweepPage,
			})
		},
		func(rf db.ListStalePendingRefundsRow) cursor { return cursor{rf.CreatedAt, rf.ID} },
		func(stale []db.ListStalePendingRefundsRow) (int, error) {
			id := func(rf db.ListStalePendingRefundsRow) string { return rf.ID }
			events, err := creationEvents(ctx, a.Queries, cutoff, stale, id, outbox.RefundCreationEvents)
			if err != nil {
				return 0, err
			}
			return restartEach(ctx, stale, "refund_id", completedButPending, id, func(rf db.ListStalePendingRefundsRow) error {
				return unlessFinished(a.Restarter.RestartRefund(ctx, rf, events[rf.ID]), func() (string, error) {
					now, err := a.Queries.GetRefundByID(ctx, rf.ID)
					return now.Status, err
				})
			}), nil
		})
}

// DeleteExpiredIdempotencyKeys removes stored responses whose 24 hours have passed.
func (a *Activities) DeleteExpiredIdempotencyKeys(ctx context.Context) (int64, error) {
	n, err := a.Queries.DeleteExpiredIdempotencyKeys(ctx)
	return n, wrap("delete expired idempotency keys", "", err)
}
