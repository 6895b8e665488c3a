package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/db"
)

// Starter starts the gateway's workflows with the options they must always have.
type Starter struct {
	Client    client.Client
	TaskQueue string
	// RetryIntervals are the webhook retry schedule given to every workflow started.
	RetryIntervals []time.Duration
}

// startTimeout bounds a workflow start.
const startTimeout = 5 * time.Second

// StartPayment starts the payment's workflow, or does nothing if it is running or has completed.
func (s Starter) StartPayment(ctx context.Context, in PaymentInput) error {
	return ignoreCompleted(s.startPayment(ctx, in))
}

func (s Starter) startPayment(ctx context.Context, in PaymentInput) error {
	in.Webhooks.RetryIntervals = s.RetryIntervals
	return s.start(ctx, in.PaymentID, PaymentSummary(in.Method, in.Amount, in.Currency, in.OrderID), paymentAttributes(in), PaymentWorkflow, in)
}

// StartRefund starts the refund's workflow, or does nothing if it is running or has completed.
func (s Starter) StartRefund(ctx context.Context, in RefundInput) error {
	return ignoreCompleted(s.startRefund(ctx, in))
}

func (s Starter) startRefund(ctx context.Context, in RefundInput) error {
	in.Webhooks.RetryIntervals = s.RetryIntervals
	summary := fmt.Sprintf("Refund %s of %s", FormatAmount(in.Amount, in.Currency), in.PaymentID)
	return s.start(ctx, in.RefundID, summary, refundAttributes(in), RefundWorkflow, in)
}

// Delivery names a recorded event to deliver, with what its workflow is found by in Temporal.
type Delivery struct {
	LogID      string // the event id: also the workflow id
	MerchantID string
	PaymentID  string // empty for an event about no payment (webhook.test)
}

// StartDelivery starts delivering a recorded event, unless its delivery is already running or
// has completed.
func (s Starter) StartDelivery(ctx context.Context, d Delivery) error {
	return ignoreCompleted(s.startDelivery(ctx, d))
}

func (s Starter) startDelivery(ctx context.Context, d Delivery) error {
	in := DeliveryInput{LogID: d.LogID, FirstAttempt: 1, RetryIntervals: s.RetryIntervals}
	return s.start(ctx, d.LogID, "Webhook "+d.LogID, deliveryAttributes(d), WebhookDeliveryWorkflow, in)
}

// RestartDelivery starts delivering an event found unsent by the sweep.
func (s Starter) RestartDelivery(ctx context.Context, e db.ListUnsentEventsRow) error {
	d := Delivery{LogID: e.ID, MerchantID: e.MerchantID.String()}
	if e.PaymentID != nil {
		d.PaymentID = *e.PaymentID
	}
	return s.startDelivery(ctx, d)
}

// RetryDelivery starts a new delivery schedule for an event (a merchant's manual retry),
// replacing a schedule still running.
func (s Starter) RetryDelivery(ctx context.Context, d Delivery) error {
	_, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       d.LogID,
		TaskQueue:                s.TaskQueue,
		EnableEagerStart:         true,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		StaticSummary:            "Webhook " + d.LogID + " (manual retry)",
		TypedSearchAttributes:    deliveryAttributes(d),
	}, WebhookDeliveryWorkflow, DeliveryInput{LogID: d.LogID, FirstAttempt: 1, RetryIntervals: s.RetryIntervals})
	if err != nil {
		return fmt.Errorf("retry delivery %s: %w", d.LogID, err)
	}
	return nil
}

// start runs a workflow whose id is a business id. A running one is used as it is; a completed
// one is not run again (only a failed or terminated one may be, by the sweep): start returns
// activities.ErrWorkflowCompleted for it. Eager start hands the first workflow task straight to
// a worker in this process, when there is one, saving a round trip through the task queue.
func (s Starter) start(ctx context.Context, id, summary string, attrs temporal.SearchAttributes, workflow, input any) error {
	// Temporal being unreachable must not hold the caller: the sweeps start what fails here.
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	_, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                s.TaskQueue,
		EnableEagerStart:         true,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		StaticSummary:            summary,
		TypedSearchAttributes:    attrs,

		// Without it, the SDK answers a completed workflow's id with that run, as if it had started.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflow, input)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return fmt.Errorf("workflow %s: %w", id, activities.ErrWorkflowCompleted)
	}
	if err != nil {
		return fmt.Errorf("start workflow %s: %w", id, err)
	}
	return nil
}

// ignoreCompleted treats a workflow that ran to completion as started.
func ignoreCompleted(err error) error {
	if errors.Is(err, activities.ErrWorkflowCompleted) {
		return nil
	}
	return err
}

// RestartPayment starts the workflow of a payment found pending by the sweep, which sends events
// (its unsent payment.created and payment.pending) first.
func (s Starter) RestartPayment(ctx context.Context, p db.ListStalePendingPaymentsRow, events []string) error {
	capture, expires := "", time.Time{}
	if p.CaptureExpiresAt != nil {
		capture, expires = p.Capture, *p.CaptureExpiresAt
	}
	return s.startPayment(ctx, PaymentInput{
		PaymentID:  p.ID,
		MerchantID: p.MerchantID.String(),
		OrderID:    p.OrderID,
		Amount:     p.Amount,
		Currency:   p.Currency,
		Method:     p.Method,
		Webhooks:   Deliveries{Events: events},
		Capture:    capture,
		// Payments created before capture_expires_at existed have none: their workflow ends at
		// the outcome, as it did when they were made.
		CaptureExpiresAt: expires,
	})
}

// RestartRefund starts the workflow of a refund found pending by the sweep, which sends events
// (its unsent refund.created) first.
func (s Starter) RestartRefund(ctx context.Context, r db.ListStalePendingRefundsRow, events []string) error {
	return s.startRefund(ctx, RefundInput{
		RefundID: r.ID, PaymentID: r.PaymentID, MerchantID: r.MerchantID.String(), Amount: r.Amount, Currency: r.Currency,
		Webhooks: Deliveries{Events: events},
	})
}

// PaymentSummary is the line the Temporal Web UI shows for a payment, e.g. "UPI ₹500.00 for order_…".
func PaymentSummary(method string, amount int64, currency, orderID string) string {
	label := map[string]string{"upi": "UPI", "card": "Card"}[method]
	return fmt.Sprintf("%s %s for %s", label, FormatAmount(amount, currency), orderID)
}

// FormatAmount renders minor units as a human amount: 50000 INR is ₹500.00.
func FormatAmount(amount int64, currency string) string {
	symbol := map[string]string{"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£"}[currency]
	if symbol == "" {
		symbol = currency + " "
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, symbol, amount/100, amount%100)
}
