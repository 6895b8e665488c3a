// Package workflows holds the gateway's Temporal workflows: one per payment and one per refund,
// each reading top to bottom like the business process it runs.
package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/requestid"
)

// PaymentInput starts a PaymentWorkflow. It carries no card data: the workflow's history is
// stored by Temporal, so only the ids and what the Web UI may show go in.
type PaymentInput struct {
	PaymentID  string
	MerchantID string
	OrderID    string
	Amount     int64
	Currency   string
	Method     string
	Webhooks   Deliveries
	// Capture is the payment's capture mode (activities.CaptureManual or CaptureAutomatic). A
	// successful payment with one is captured at once (automatic) or awaits its capture until
	// CaptureExpiresAt (manual; see awaitCapture). Empty for payments started by earlier code: their
	// workflow ends at the outcome, as it always did.
	Capture          string    `json:",omitempty"`
	CaptureExpiresAt time.Time `json:",omitzero"`
}

// PaymentResult is how a payment ended.
type PaymentResult struct {
	Status    string
	ErrorCode string
	// Captured: the payment ended captured (automatically or by a capture update).
	Captured bool `json:",omitempty"`
}

// Short steps run as local activities: they are recorded as one marker each in the workflow's
// history instead of a scheduled/started/completed triple and a round trip through the task
// queue. They retry with backoff for up to a day (without ScheduleToCloseTimeout the SDK would
// stop after one StartToCloseTimeout): a payment must reach a final status even if PostgreSQL is
// down for a while.
var localSteps = workflow.LocalActivityOptions{
	ScheduleToCloseTimeout: retryFor,
	StartToCloseTimeout:    15 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    200 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// retryFor is how long a step is retried before its workflow fails (the sweep then restarts it).
const retryFor = 24 * time.Hour

// The bank call takes up to 10 s outside test mode.
var bankStep = workflow.LocalActivityOptions{
	ScheduleToCloseTimeout: retryFor,
	StartToCloseTimeout:    30 * time.Second,
	RetryPolicy:            localSteps.RetryPolicy,
}

// PaymentWorkflow validates a payment, settles it with the bank and records the outcome, while
// it delivers the payment's webhooks (payment.created and payment.pending at once, then
// payment.success or payment.failed). A successful payment is then captured at once (automatic
// capture: payment.captured) or awaits its capture, void or expiry (manual: awaitCapture). Its
// workflow id is the payment id.
func PaymentWorkflow(ctx workflow.Context, in PaymentInput) (PaymentResult, error) {
	var a *activities.Activities
	steps := workflow.WithLocalActivityOptions(ctx, localSteps)
	hooks := newWebhookSender(in.Webhooks.RetryIntervals, in.MerchantID, in.PaymentID)
	hooks.send(ctx, in.Webhooks.Events)

	var check activities.PaymentCheck
	if err := workflow.ExecuteLocalActivity(steps, a.ValidatePayment, in.PaymentID).Get(ctx, &check); err != nil {
		return PaymentResult{}, err
	}
	if check.Status != activities.StatusPending {
		// Settled by an earlier run (a reset, a restart by the sweep, or this run before its
		// worker crashed): send the outcome events that run recorded but never sent.
		hooks.send(ctx, check.Events)
		if check.Status == activities.StatusSuccess && !check.Captured && withLifecycle(ctx, in) {
			return awaitCapture(ctx, in, hooks)
		}
		return PaymentResult{Status: check.Status}, finish(ctx, hooks, check.Status)
	}

	outcome := activities.PaymentOutcome{PaymentID: in.PaymentID, Status: activities.StatusSuccess}
	if check.FailureCode != "" {
		outcome.Status = activities.StatusFailed
		outcome.ErrorCode, outcome.ErrorDescription = check.FailureCode, check.FailureDescription
	} else {
		err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, bankStep), a.SettlePayment, in.PaymentID).Get(ctx, nil)
		var declined *temporal.ApplicationError
		switch {
		case errors.As(err, &declined) && declined.NonRetryable():
			outcome.Status = activities.StatusFailed
			outcome.ErrorCode, outcome.ErrorDescription = declined.Type(), declined.Message()
		case err != nil:
			return PaymentResult{}, err
		}
	}

	lifecycle := outcome.Status == activities.StatusSuccess && withLifecycle(ctx, in)
	outcome.Capture = lifecycle && in.Capture == activities.CaptureAutomatic
	var rec activities.Recorded
	if err := workflow.ExecuteLocalActivity(steps, a.RecordPaymentOutcome, outcome).Get(ctx, &rec); err != nil {
		return PaymentResult{}, err
	}
	hooks.send(ctx, rec.Events)
	if rec.Status == "" { // recorded by earlier code, which returned only the events
		rec.Status = outcome.Status
	}
	result := PaymentResult{Status: rec.Status, Captured: rec.Captured}
	if rec.Status == outcome.Status {
		result.ErrorCode = outcome.ErrorCode
	}
	workflow.GetLogger(ctx).Info("payment final", "payment_id", in.PaymentID, "status", result.Status,
		"error_code", result.ErrorCode, "captured", result.Captured, "request_id", requestid.FromWorkflow(ctx))
	switch {
	case lifecycle && rec.Captured:
		return result, finish(ctx, hooks, StatusCaptured)
	case lifecycle && rec.Status == activities.StatusSuccess:
		return awaitCapture(ctx, in, hooks)
	}
	return result, finish(ctx, hooks, result.Status)
}

// finish shows the outcome in the workflow's PaymentStatus search attribute and waits for the
// first webhook attempts.
func finish(ctx workflow.Context, hooks *webhookSender, status string) error {
	if err := workflow.UpsertTypedSearchAttributes(ctx, PaymentStatusAttr.ValueSet(status)); err != nil {
		return err
	}
	return hooks.finish(ctx)
}
