package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/paygate/paygate/db"
)

// Starter starts the gateway's workflows with the options they must always have.
type Starter struct {
	Client    client.Client
	TaskQueue string
}

// StartPayment starts the payment's workflow, or does nothing if it is running or has completed.
// Eager start hands the first workflow task straight to a worker in this process, when there is
// one, saving a round trip through the task queue.
func (s Starter) StartPayment(ctx context.Context, in PaymentInput) error {
	_, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       in.PaymentID,
		TaskQueue:                s.TaskQueue,
		EnableEagerStart:         true,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		StaticSummary:            PaymentSummary(in.Method, in.Amount, in.Currency, in.OrderID),
	}, PaymentWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // it ran to completion already
	}
	if err != nil {
		return fmt.Errorf("start payment workflow %s: %w", in.PaymentID, err)
	}
	return nil
}

// RestartPayment starts the workflow of a payment found pending by the sweep.
func (s Starter) RestartPayment(ctx context.Context, p db.ListStalePendingPaymentsRow) error {
	return s.StartPayment(ctx, PaymentInput{
		PaymentID:  p.ID,
		MerchantID: p.MerchantID.String(),
		OrderID:    p.OrderID,
		Amount:     p.Amount,
		Currency:   p.Currency,
		Method:     p.Method,
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

// SweepInterval is how often the pending sweep runs, and how old a pending payment must be
// before the sweep (re)starts its workflow.
const SweepInterval = time.Minute
