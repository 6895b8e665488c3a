package activities

import (
	"context"
	"time"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/outbox"
)

// Capture modes of orders and payments.
const (
	// CaptureManual: a successful payment waits, authorized, for the merchant's capture or void
	// until its capture_expires_at, when its workflow voids it.
	CaptureManual = "manual"
	// CaptureAutomatic: a successful payment is captured for its whole amount as its outcome is
	// recorded.
	CaptureAutomatic = "automatic"
)

// Why a payment was voided (its void_reason).
const (
	VoidRequested = "requested"
	VoidExpired   = "expired"
)

// CaptureRequest captures Amount (at most the payment's amount) of an authorized payment.
type CaptureRequest struct {
	PaymentID string
	Amount    int64
}

// VoidRequest releases an authorized payment uncaptured; Reason is VoidRequested or VoidExpired.
type VoidRequest struct {
	PaymentID string
	Reason    string
}

// Authorization is a payment's state after a capture or void was asked of it.
type Authorization struct {
	// Done: the payment is captured (for the amount asked) or voided (for the reason asked), by
	// this call or by an earlier run of it.
	Done bool
	// Status and Captured are the payment's as stored; a payment that is no longer successful
	// and uncaptured has nothing left to wait for.
	Status   string
	Captured bool
	// Events are the ids of the payment.captured or payment.voided event to deliver.
	Events []string
}

// Open reports whether the payment still awaits a capture or a void.
func (a Authorization) Open() bool { return a.Status == StatusSuccess && !a.Captured }

// CaptureAuthorization captures an authorized payment and records its payment.captured event,
// in one transaction. A payment already captured for this amount (an earlier run of this step)
// gives its undelivered event again; one that cannot take the capture (voided, refunded, or more
// committed to refunds than the amount) is returned as it is, not Done.
func (a *Activities) CaptureAuthorization(ctx context.Context, req CaptureRequest) (Authorization, error) {
	var out Authorization
	err := a.inTx(ctx, func(q *db.Queries) error {
		p, err := q.CapturePayment(ctx, db.CapturePaymentParams{ID: req.PaymentID, Amount: req.Amount})
		if isNoRows(err) {
			if p, err = q.GetPaymentByID(ctx, req.PaymentID); err != nil {
				return err
			}
			out = Authorization{Status: p.Status, Captured: p.Captured}
			if p.Captured && p.AmountCaptured != nil && *p.AmountCaptured == req.Amount {
				out.Done = true
				out.Events, err = undelivered(ctx, q, req.PaymentID, outbox.PaymentCaptured)
			}
			return err
		}
		if err != nil {
			return err
		}
		out = Authorization{Done: true, Status: p.Status, Captured: true}
		out.Events, err = outbox.PaymentEvents(ctx, q, p, time.Now(), outbox.PaymentCaptured)
		return err
	})
	return out, wrap("capture payment", req.PaymentID, err)
}

// VoidAuthorization voids an authorized payment and records its payment.voided event, in one
// transaction. A payment already voided for this reason gives its undelivered event again; one
// that cannot be voided (captured, refunded) is returned as it is, not Done.
func (a *Activities) VoidAuthorization(ctx context.Context, req VoidRequest) (Authorization, error) {
	var out Authorization
	err := a.inTx(ctx, func(q *db.Queries) error {
		p, err := q.VoidPayment(ctx, db.VoidPaymentParams{ID: req.PaymentID, Reason: req.Reason})
		if isNoRows(err) {
			if p, err = q.GetPaymentByID(ctx, req.PaymentID); err != nil {
				return err
			}
			out = Authorization{Status: p.Status, Captured: p.Captured}
			if p.Status == StatusVoided && p.VoidReason != nil && *p.VoidReason == req.Reason {
				out.Done = true
				out.Events, err = undelivered(ctx, q, req.PaymentID, outbox.PaymentVoided)
			}
			return err
		}
		if err != nil {
			return err
		}
		out = Authorization{Done: true, Status: p.Status}
		out.Events, err = outbox.PaymentEvents(ctx, q, p, time.Now(), outbox.PaymentVoided)
		return err
	})
	return out, wrap("void payment", req.PaymentID, err)
}

func undelivered(ctx context.Context, q *db.Queries, paymentID string, events ...string) ([]string, error) {
	return q.ListUndeliveredOutcomeEvents(ctx, db.ListUndeliveredOutcomeEventsParams{Events: events, PaymentID: &paymentID})
}
