package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/db"
)

// Deliveries are the webhook events a payment or refund workflow delivers itself, and the
// schedule on which failed deliveries are retried.
type Deliveries struct {
	Events         []string        // recorded when the payment or refund was created
	RetryIntervals []time.Duration // waits before attempts 2, 3, …
}

// DeliveryInput starts a WebhookDeliveryWorkflow.
type DeliveryInput struct {
	LogID          string // the event id: also the workflow id
	FirstAttempt   int    // 1, or 2 when the first attempt was made inline by a payment or refund workflow
	RetryIntervals []time.Duration
}

// One attempt: a 10 s HTTP request per event plus two round trips. An attempt that fails for the gateway's
// own reasons (PostgreSQL down) is retried by Temporal; the endpoint's failure is a result.
var webhookStep = workflow.LocalActivityOptions{
	ScheduleToCloseTimeout: retryFor,
	StartToCloseTimeout:    25 * time.Second, // two events at most, payment.created and payment.pending
	RetryPolicy:            localSteps.RetryPolicy,
}

var webhookAttempt = workflow.ActivityOptions{
	StartToCloseTimeout: 15 * time.Second,
	RetryPolicy:         localSteps.RetryPolicy,
}

// WebhookDeliveryWorkflow delivers one event on a schedule of durable timers: attempt after
// attempt until the endpoint answers 2xx or 410, or the attempts run out. A restart of the gateway
// in the middle of the schedule resumes it where it was. Its PaymentStatus search attribute says
// how it ended: success (delivered) or failed.
func WebhookDeliveryWorkflow(ctx workflow.Context, in DeliveryInput) (activities.AttemptResult, error) {
	res, err := deliver(ctx, in)
	if err != nil {
		return res, err
	}
	// Deliveries started before this attribute was kept up to date end without it: the version
	// marker keeps their histories replaying.
	if workflow.GetVersion(ctx, "delivery-status-attribute", workflow.DefaultVersion, 1) == 1 {
		status := activities.DeliveryFailed
		if res.Delivered {
			status = activities.DeliverySuccess
		}
		if err := workflow.UpsertTypedSearchAttributes(ctx, PaymentStatusAttr.ValueSet(status)); err != nil {
			return res, err
		}
	}
	return res, nil
}

// deliver makes the attempts of a WebhookDeliveryWorkflow.
func deliver(ctx workflow.Context, in DeliveryInput) (activities.AttemptResult, error) {
	var a *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, webhookAttempt)
	clock, err := newTestClock(ctx)
	if err != nil {
		return activities.AttemptResult{}, err
	}
	last := len(in.RetryIntervals) + 1
	for n := max(in.FirstAttempt, 1); n <= last; n++ {
		if n > 1 {
			if err := clock.sleep(ctx, in.RetryIntervals[n-2]); err != nil {
				return activities.AttemptResult{}, err
			}
		}
		var res activities.AttemptResult
		req := activities.AttemptRequest{LogID: in.LogID, Attempt: n, RetryIn: retryIn(in.RetryIntervals, n)}
		if err := workflow.ExecuteActivity(ctx, a.AttemptWebhook, req).Get(ctx, &res); err != nil {
			return res, err
		}
		if res.Unrecorded != nil {
			records := []db.RecordAttemptParams{*res.Unrecorded}
			if err := workflow.ExecuteActivity(ctx, a.RecordAttempts, records).Get(ctx, nil); err != nil {
				return res, err
			}
			res.Unrecorded = nil
		}
		if res.Final {
			return res, clock.done(ctx)
		}
	}
	return activities.AttemptResult{Final: true}, clock.done(ctx)
}

// retryIn is the wait after attempt n, zero after the last.
func retryIn(intervals []time.Duration, n int) time.Duration {
	if n-1 < len(intervals) {
		return intervals[n-1]
	}
	return 0
}

// webhookSender makes the first delivery attempt of a workflow's events inline, one local
// activity per send, in the order they were sent, without holding up the workflow; only events
// whose first attempt failed get a WebhookDeliveryWorkflow of their own. Most payments thus deliver
// their webhooks with no workflow besides their own.
type webhookSender struct {
	intervals             []time.Duration
	merchantID, paymentID string          // for the delivery workflows' search attributes
	sent                  workflow.Future // settles when every event sent so far has had its first attempt
	retry                 []string
}

func newWebhookSender(intervals []time.Duration, merchantID, paymentID string) *webhookSender {
	return &webhookSender{intervals: intervals, merchantID: merchantID, paymentID: paymentID}
}

// send starts the first attempts of events after those of earlier sends.
func (s *webhookSender) send(ctx workflow.Context, events []string) {
	if len(events) == 0 {
		return
	}
	var a *activities.Activities
	before := s.sent
	done, settle := workflow.NewFuture(ctx)
	s.sent = done
	workflow.Go(ctx, func(ctx workflow.Context) {
		if before != nil {
			_ = before.Get(ctx, nil)
		}
		var results []activities.AttemptResult
		req := activities.AttemptsRequest{LogIDs: events, Attempt: 1, RetryIn: retryIn(s.intervals, 1)}
		err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, webhookStep), a.AttemptWebhooks, req).Get(ctx, &results)
		var unrecorded []db.RecordAttemptParams
		for _, r := range results {
			if r.Unrecorded != nil {
				unrecorded = append(unrecorded, *r.Unrecorded)
			}
		}
		if len(unrecorded) > 0 {
			// Made but not recorded: record them (retried until PostgreSQL is back), never post again.
			err = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localSteps), a.RecordAttempts, unrecorded).Get(ctx, nil)
		}
		for i, id := range events {
			if err != nil || i >= len(results) || !results[i].Final {
				s.retry = append(s.retry, id)
			}
		}
		settle.Set(nil, nil)
	})
}

// finish waits for the first attempts and starts a delivery workflow for each event that needs
// more, abandoned to outlive this workflow. The sender can send more afterwards (a payment waiting
// for its capture finishes the sends of its outcome before it waits).
func (s *webhookSender) finish(ctx workflow.Context) error {
	if s.sent != nil {
		_ = s.sent.Get(ctx, nil)
	}
	retry := s.retry
	s.retry = nil
	for _, id := range retry {
		child := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            id,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			StaticSummary:         "Webhook retries for " + id,
			TypedSearchAttributes: deliveryAttributes(Delivery{LogID: id, MerchantID: s.merchantID, PaymentID: s.paymentID}),
		})
		in := DeliveryInput{LogID: id, FirstAttempt: 2, RetryIntervals: s.intervals}
		err := workflow.ExecuteChildWorkflow(child, WebhookDeliveryWorkflow, in).GetChildWorkflowExecution().Get(ctx, nil)
		var running *temporal.ChildWorkflowExecutionAlreadyStartedError
		if err != nil && !errors.As(err, &running) {
			return fmt.Errorf("start webhook retries for %s: %w", id, err)
		}
	}
	return nil
}
