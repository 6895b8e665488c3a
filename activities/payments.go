package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/paygate/paygate/bank"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/requestid"
)

// Payment statuses.
const (
	StatusPending  = "pending"
	StatusSuccess  = "success"
	StatusFailed   = "failed"
	StatusRefunded = "refunded"
	// StatusVoided: a successful payment's authorization was released uncaptured.
	StatusVoided = "voided"
)

// Failure codes of payments that never reached the bank.
const (
	OrderNotPayable = "ORDER_NOT_PAYABLE"
)

// PaymentCheck is what ValidatePayment found.
type PaymentCheck struct {
	// Status is the payment's current status; anything but pending means the workflow has
	// nothing left to do (a replayed or reset workflow finds it so) but wait for the capture of
	// a successful, uncaptured payment.
	Status   string
	Captured bool
	// FailureCode and FailureDescription say why a pending payment must fail without reaching
	// the bank; empty when it may be settled.
	FailureCode        string
	FailureDescription string
	// Events are the outcome events of a final payment not yet delivered: never attempted (a
	// worker crashed between recording the outcome and its first delivery attempt), or attempted
	// by a workflow task that was lost before it started the retries.
	Events []string
}

// Recorded is a payment's or refund's final status as stored, and the ids of the events to
// deliver for it.
type Recorded struct {
	Status string
	Events []string
	// Captured: a successful payment was captured with its outcome (automatic capture).
	Captured bool `json:",omitempty"`
}

// UnmarshalJSON also reads the result recorded in workflow histories by earlier code, a bare list
// of event ids (Status stays empty: the workflow keeps the outcome it asked to record), so that
// workflows running across the upgrade replay. Widening a payload this way costs no history event,
// unlike workflow.GetVersion.
func (r *Recorded) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		*r = Recorded{}
		return json.Unmarshal(t, &r.Events)
	}
	type plain Recorded
	return json.Unmarshal(b, (*plain)(r))
}

// ValidatePayment checks that a payment is still pending and that its order can take it.
func (a *Activities) ValidatePayment(ctx context.Context, paymentID string) (PaymentCheck, error) {
	p, err := a.Queries.GetPaymentCheck(ctx, paymentID)
	if err != nil {
		return PaymentCheck{}, wrap("validate payment", paymentID, err)
	}
	check := PaymentCheck{Status: p.Status, Captured: p.Captured}
	switch {
	case p.Status != StatusPending:
		check.Events, err = undeliveredPaymentOutcome(ctx, a.Queries, paymentID)
	case p.OrderAmount != p.Amount || p.OrderCurrency != p.Currency:
		check.FailureCode = OrderNotPayable
		check.FailureDescription = "Payment amount does not match the order"
	}
	return check, wrap("validate payment", paymentID, err)
}

func undeliveredPaymentOutcome(ctx context.Context, q *db.Queries, paymentID string) ([]string, error) {
	return q.ListUndeliveredOutcomeEvents(ctx, db.ListUndeliveredOutcomeEventsParams{
		Events:    []string{outbox.PaymentSuccess, outbox.PaymentFailed},
		PaymentID: &paymentID,
	})
}

// SettlePayment asks the bank to move the money. A decline is a non-retryable application error
// whose type is the decline code; any other error is retried. The payment id is the bank's
// idempotency key, so a retry never charges twice.
func (a *Activities) SettlePayment(ctx context.Context, paymentID string) error {
	p, err := a.Queries.GetPaymentByID(ctx, paymentID)
	if err != nil {
		return wrap("settle payment", paymentID, err)
	}
	answer, err := a.Bank.Charge(ctx, bank.Charge{
		IdempotencyKey: p.ID,
		Amount:         p.Amount,
		Method:         p.Method,
		VPA:            deref(p.Vpa),
		CardBIN:        deref(p.CardBin),
		CardLast4:      deref(p.CardLast4),
	})
	if err != nil {
		return wrap("settle payment", paymentID, err)
	}
	activity.GetLogger(ctx).Info("bank answered", "payment_id", paymentID, "approved", answer.Approved,
		"decline_code", answer.DeclineCode, "request_id", requestid.From(ctx))
	if !answer.Approved {
		return temporal.NewNonRetryableApplicationError(answer.DeclineReason, answer.DeclineCode, nil)
	}
	return nil
}

// PaymentOutcome is a payment's final status, with the reason when it failed.
type PaymentOutcome struct {
	PaymentID        string
	Status           string // success or failed
	ErrorCode        string
	ErrorDescription string
	// Capture captures a successful payment for its whole amount in the same transaction, with
	// its payment.captured event after payment.success (automatic capture).
	Capture bool `json:",omitempty"`
}

// RecordPaymentOutcome stores a payment's final status, marks its order paid on success, and
// records the payment.success or payment.failed event, in one transaction (capturing it, and
// recording payment.captured too, when the outcome says Capture). It returns the status
// and the ids of the events to deliver. For a payment that is already final it changes nothing
// and returns the stored status with the outcome events not yet delivered.
func (a *Activities) RecordPaymentOutcome(ctx context.Context, out PaymentOutcome) (Recorded, error) {
	var rec Recorded
	err := a.inTx(ctx, func(q *db.Queries) error {
		p, err := q.FinishPayment(ctx, db.FinishPaymentParams{
			ID:               out.PaymentID,
			Status:           out.Status,
			ErrorCode:        nonEmpty(out.ErrorCode),
			ErrorDescription: nonEmpty(out.ErrorDescription),
			Capture:          out.Capture,
		})
		if isNoRows(err) {
			if p, err = q.GetPaymentByID(ctx, out.PaymentID); err != nil {
				return err
			}
			rec.Status, rec.Captured = p.Status, p.Captured
			rec.Events, err = undeliveredPaymentOutcome(ctx, q, out.PaymentID)
			return err
		}
		if err != nil {
			return err
		}
		rec.Status, rec.Captured = p.Status, p.Captured
		events := []string{outbox.PaymentFailed}
		if p.Status == StatusSuccess {
			events[0] = outbox.PaymentSuccess
			if p.Captured {
				events = append(events, outbox.PaymentCaptured)
			}
			if err := q.MarkOrderPaid(ctx, p.OrderID); err != nil {
				return err
			}
		}
		rec.Events, err = outbox.PaymentEvents(ctx, q, p, time.Now(), events...)
		return err
	})
	return rec, wrap("record payment", out.PaymentID, err)
}

// Restarter starts the workflow of a payment or refund if it has none; finding one running must
// be harmless, and finding one that ran to completion returns ErrWorkflowCompleted. events are
// the unsent events recorded with its creation, for the new workflow to send first.
type Restarter interface {
	RestartPayment(ctx context.Context, p db.ListStalePendingPaymentsRow, events []string) error
	RestartRefund(ctx context.Context, r db.ListStalePendingRefundsRow, events []string) error
	DeliveryRestarter
}

// RestartStalePayments closes the window between the API committing a payment and starting its
// workflow: if the API process died in between, the payment would stay pending forever. It starts
// (or finds running) the workflow of every payment pending for longer than olderThan (0: every
// pending payment, as the recovery sweep at start does), with the payment.created and
// payment.pending events it never sent.
func (a *Activities) RestartStalePayments(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	return sweepPages(ctx, cutoff,
		func(after cursor) ([]db.ListStalePendingPaymentsRow, error) {
			return a.Queries.ListStalePendingPayments(ctx, db.ListStalePendingPaymentsParams{
				CreatedBefore: cutoff, AfterCreatedAt: after.createdAt, AfterID: after.id, RowLimit: sweepPage,
			})
		},
		func(p db.ListStalePendingPaymentsRow) cursor { return cursor{p.CreatedAt, p.ID} },
		func(stale []db.ListStalePendingPaymentsRow) (int, error) {
			id := func(p db.ListStalePendingPaymentsRow) string { return p.ID }
			events, err := creationEvents(ctx, a.Queries, cutoff, stale, id, outbox.PaymentCreationEvents)
			if err != nil {
				return 0, err
			}
			return restartEach(ctx, stale, "payment_id", completedButPending, id, func(p db.ListStalePendingPaymentsRow) error {
				return unlessFinished(a.Restarter.RestartPayment(ctx, p, events[p.ID]), func() (string, error) {
					now, err := a.Queries.GetPaymentByID(ctx, p.ID)
					return now.Status, err
				})
			}), nil
		})
}

// cursor is where a pass of the sweep has got to: the last row's creation time and id.
type cursor struct {
	createdAt time.Time
	id        string
}

// sweepPages restarts the stale rows that list returns a page at a time, newest first from
// cutoff, until none is left or the activity's time is nearly up; it returns how many it
// restarted. restart handles one page.
func sweepPages[R any](ctx context.Context, cutoff time.Time, list func(after cursor) ([]R, error), last func(R) cursor, restart func([]R) (int, error)) (int, error) {
	restarted, after := 0, cursor{createdAt: cutoff}
	for {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < sweepReserve {
			activity.GetLogger(ctx).Warn("pending sweep out of time; the next run goes on", "restarted", restarted)
			return restarted, nil
		}
		rows, err := list(after)
		if err != nil {
			return restarted, wrap("list stale rows", "", err)
		}
		n, err := restart(rows)
		restarted += n
		if err != nil {
			return restarted, err
		}
		if len(rows) < sweepPage {
			return restarted, nil
		}
		after = last(rows[len(rows)-1])
	}
}

// errFinishedMeanwhile: the row was listed as pending, but its workflow completed and recorded
// the outcome before the sweep got to it; nothing to do.
var errFinishedMeanwhile = errors.New("finished since it was listed")

// unlessFinished is err, or errFinishedMeanwhile when err says the workflow completed and the
// row's status (read only then) is no longer pending.
func unlessFinished(err error, status func() (string, error)) error {
	if errors.Is(err, ErrWorkflowCompleted) {
		if now, getErr := status(); getErr == nil && now != StatusPending {
			return errFinishedMeanwhile
		}
	}
	return err
}

// ErrWorkflowCompleted is a Restarter's answer when the workflow of a payment, refund or event
// delivery already ran to completion: it is not run again on its own.
var ErrWorkflowCompleted = errors.New("its workflow has completed")

// restartEach restarts the workflow of each row and returns how many it started or found
// running. One whose workflow completed is skipped with warning, logged with the row's id under
// key; one that cannot be restarted now (Temporal unreachable, say) is logged and left to the
// next run, so no row can stop the pass.
func restartEach[R any](ctx context.Context, rows []R, key, warning string, id func(R) string, restart func(R) error) int {
	restarted := 0
	for _, r := range rows {
		err := restart(r)
		switch {
		case errors.Is(err, errFinishedMeanwhile):
		case errors.Is(err, ErrWorkflowCompleted):
			activity.GetLogger(ctx).Warn(warning, key, id(r))
		case err != nil:
			activity.GetLogger(ctx).Warn("pending sweep could not restart a workflow; the next run retries it", key, id(r), "error", err.Error())
		default:
			restarted++
		}
	}
	return restarted
}

// completedButPending is the sweep's warning for a payment or refund still pending although its
// workflow completed, which recorded the outcome: the database lost that write, as after a
// restore from a backup. An operator's reset of the workflow records the outcome again: the bank
// answers the repeated request from its record of the first.
const completedButPending = "pending, but its workflow has completed (was the database restored?): " +
	"reset the workflow to record the outcome again"

// creationEvents returns, by id, the unsent events among names recorded before cutoff with each
// of the payments or refunds owners, in the order they are sent.
func creationEvents[R any](ctx context.Context, q *db.Queries, cutoff time.Time, owners []R, id func(R) string, names []string) (map[string][]string, error) {
	if len(owners) == 0 {
		return nil, nil
	}
	ids := make([]string, len(owners))
	for i, o := range owners {
		ids[i] = id(o)
	}
	rows, err := q.ListUnsentCreationEvents(ctx, db.ListUnsentCreationEventsParams{CreatedBefore: cutoff, OwnerIds: ids, Events: names})
	if err != nil {
		return nil, wrap("list unsent creation events", "", err)
	}
	events := make(map[string][]string)
	for _, r := range rows {
		events[r.OwnerID] = append(events[r.OwnerID], r.ID)
	}
	return events, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
