package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/workflows"
)

func TestRefundWorkflow(t *testing.T) {
	rejected := temporal.NewNonRetryableApplicationError("Refund rejected by the bank", "REFUND_FAILED", nil)
	cases := []struct {
		name    string
		settle  []error
		stored  string // the status RecordRefundOutcome finds stored, when not the one given
		want    workflows.RefundResult
		outcome activities.RefundOutcome
	}{
		{"processed", []error{nil}, "", workflows.RefundResult{Status: "processed"},
			activities.RefundOutcome{RefundID: "rfnd_1", Status: "processed"}},
		{"rejected", []error{rejected}, "", workflows.RefundResult{Status: "failed", ErrorCode: "REFUND_FAILED"},
			activities.RefundOutcome{RefundID: "rfnd_1", Status: "failed", ErrorCode: "REFUND_FAILED", ErrorDescription: "Refund rejected by the bank"}},
		{"bank briefly unreachable", []error{errors.New("connection refused"), nil}, "", workflows.RefundResult{Status: "processed"},
			activities.RefundOutcome{RefundID: "rfnd_1", Status: "processed"}},
		// A re-run of a refund that already failed (the bank step skips it): the stored outcome wins.
		{"already failed", []error{nil}, "failed", workflows.RefundResult{Status: "failed"},
			activities.RefundOutcome{RefundID: "rfnd_1", Status: "processed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
			env.RegisterActivity(a)
			var log callLog
			env.OnActivity(a.SettleRefund, mock.Anything, "rfnd_1").Return(func(_ context.Context, id string) error {
				return scripted(c.settle, log.add("SettleRefund", id))
			})
			var recorded []activities.RefundOutcome
			env.OnActivity(a.RecordRefundOutcome, mock.Anything, mock.Anything).Return(func(_ context.Context, o activities.RefundOutcome) (activities.Recorded, error) {
				recorded = append(recorded, o)
				rec := activities.Recorded{Status: o.Status, Events: []string{"evt_done"}}
				if c.stored != "" {
					rec.Status = c.stored
				}
				return rec, nil
			})
			var attempts []string
			env.OnActivity(a.AttemptWebhooks, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.AttemptsRequest) ([]activities.AttemptResult, error) {
				attempts = append(attempts, req.LogIDs...)
				return []activities.AttemptResult{{Delivered: true, Final: true}}, nil
			})
			env.ExecuteWorkflow(workflows.RefundWorkflow, workflows.RefundInput{
				RefundID: "rfnd_1", PaymentID: "pay_1", Amount: 100, Currency: "INR",
				Webhooks: workflows.Deliveries{Events: []string{"evt_created"}, RetryIntervals: []time.Duration{time.Minute}},
			})
			var got workflows.RefundResult
			if err := env.GetWorkflowResult(&got); err != nil || got != c.want {
				t.Fatalf("result = %+v, %v; want %+v", got, err, c.want)
			}
			if len(recorded) != 1 || recorded[0] != c.outcome {
				t.Errorf("recorded %+v, want %+v", recorded, c.outcome)
			}
			if len(log.get()) != len(c.settle) {
				t.Errorf("bank called %d times, want %d", len(log.get()), len(c.settle))
			}
			if len(attempts) != 2 || attempts[0] != "evt_created" || attempts[1] != "evt_done" {
				t.Errorf("webhook attempts %v, want refund.created's then the outcome's", attempts)
			}
		})
	}
}
