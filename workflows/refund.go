package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/requestid"
)

// RefundInput starts a RefundWorkflow.
type RefundInput struct {
	RefundID   string
	PaymentID  string
	MerchantID string
	Amount     int64
	Currency   string
	Webhooks   Deliveries
}

// RefundResult is how a refund ended.
type RefundResult struct {
	Status    string
	ErrorCode string
}

// RefundWorkflow settles a refund with the bank and records the outcome: processed, or failed,
// which releases the amount for another refund. It delivers refund.created at once, then
// refund.processed or refund.failed. Its workflow id is the refund id.
func RefundWorkflow(ctx workflow.Context, in RefundInput) (RefundResult, error) {
	var a *activities.Activities
	hooks := newWebhookSender(in.Webhooks.RetryIntervals, in.MerchantID, in.PaymentID)
	hooks.send(ctx, in.Webhooks.Events)
	outcome := activities.RefundOutcome{RefundID: in.RefundID, Status: activities.RefundProcessed}

	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, bankStep), a.SettleRefund, in.RefundID).Get(ctx, nil)
	var rejected *temporal.ApplicationError
	switch {
	case errors.As(err, &rejected) && rejected.NonRetryable():
		outcome.Status = activities.RefundFailed
		outcome.ErrorCode, outcome.ErrorDescription = rejected.Type(), rejected.Message()
	case err != nil:
		return RefundResult{}, err
	}

	var rec activities.Recorded
	if err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localSteps), a.RecordRefundOutcome, outcome).Get(ctx, &rec); err != nil {
		return RefundResult{}, err
	}
	hooks.send(ctx, rec.Events)
	if rec.Status == "" { // recorded by earlier code, which returned only the events
		rec.Status = outcome.Status
	}
	// A refund found final (a reset or a re-run after a crash) keeps the outcome it was given.
	result := RefundResult{Status: rec.Status}
	if rec.Status == outcome.Status {
		result.ErrorCode = outcome.ErrorCode
	}
	workflow.GetLogger(ctx).Info("refund final", "refund_id", in.RefundID, "payment_id", in.PaymentID, "status", result.Status,
		"error_code", result.ErrorCode, "request_id", requestid.FromWorkflow(ctx))
	return result, finish(ctx, hooks, result.Status)
}
