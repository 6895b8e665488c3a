package workflows_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/workflows"
)

// recordedHistories are the histories TestRecordHistories writes from real runs, one or more of
// each workflow. Histories recorded by earlier workflow code stay in testdata as *_v<n>.json and
// must keep replaying: workflows started before an upgrade finish on the new code.
var recordedHistories = []string{"payment_success.json", "payment_declined.json", "payment_captured.json", "payment_expired.json", "webhook_delivery.json",
	"refund_processed.json", "pending_sweep.json", "idempotency_cleanup.json"}

// replayer replays histories against the gateway's workflows as the worker registers them, or
// against the workflows given (by their registered names) instead.
func replayer(overrides map[string]any) worker.WorkflowReplayer {
	r := worker.NewWorkflowReplayer()
	workflowsByName := map[string]any{
		"PaymentWorkflow":            workflows.PaymentWorkflow,
		"RefundWorkflow":             workflows.RefundWorkflow,
		"WebhookDeliveryWorkflow":    workflows.WebhookDeliveryWorkflow,
		"PendingSweepWorkflow":       workflows.PendingSweepWorkflow,
		"IdempotencyCleanupWorkflow": workflows.IdempotencyCleanupWorkflow,
	}
	for name, fn := range overrides {
		workflowsByName[name] = fn
	}
	for name, fn := range workflowsByName {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	return r
}

var quietLogger = sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))

// TestReplayRecordedHistories replays every history under testdata against today's workflow
// code: a change that makes the code issue different commands than a recorded run (a new, removed
// or reordered activity, timer or marker) fails here before it breaks running workflows.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range recordedHistories {
		if _, err := os.Stat(filepath.Join("testdata", name)); err != nil {
			t.Errorf("missing recorded history (re-record with go test ./workflows -run TestRecordHistories -update): %v", err)
		}
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if err := replayer(nil).ReplayWorkflowHistoryFromJSONFile(quietLogger, file); err != nil {
				t.Errorf("replay %s: %v", file, err)
			}
		})
	}
}

// TestReplayDetectsNonDeterminism proves the replay test can fail: each recorded history is
// replayed against a plausible but incompatible edit of its workflow.
func TestReplayDetectsNonDeterminism(t *testing.T) {
	// Settling before validating: the first recorded marker is ValidatePayment.
	settleFirst := func(ctx workflow.Context, in workflows.PaymentInput) (workflows.PaymentResult, error) {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Minute})
		err := workflow.ExecuteLocalActivity(ctx, a.SettlePayment, in.PaymentID).Get(ctx, nil)
		return workflows.PaymentResult{}, err
	}
	// Sleeping before the sweep: the history has an activity where this code starts a timer.
	sleepFirst := func(ctx workflow.Context) (int, error) {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return 0, err
		}
		return workflows.PendingSweepWorkflow(ctx)
	}
	sleepBeforeCleanup := func(ctx workflow.Context) (int64, error) {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return 0, err
		}
		return workflows.IdempotencyCleanupWorkflow(ctx)
	}
	// Recording the outcome without asking the bank: the history has the bank's marker first.
	refundUnsettled := func(ctx workflow.Context, in workflows.RefundInput) (workflows.RefundResult, error) {
		ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Minute})
		var rec activities.Recorded
		err := workflow.ExecuteLocalActivity(ctx, a.RecordRefundOutcome, activities.RefundOutcome{RefundID: in.RefundID, Status: "processed"}).Get(ctx, &rec)
		return workflows.RefundResult{Status: rec.Status}, err
	}
	// Attempting with a regular activity at once instead of waiting for the retry's timer.
	attemptAtOnce := func(ctx workflow.Context, in workflows.DeliveryInput) (activities.AttemptResult, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
		var res activities.AttemptResult
		err := workflow.ExecuteActivity(ctx, a.AttemptWebhook, activities.AttemptRequest{LogID: in.LogID, Attempt: in.FirstAttempt}).Get(ctx, &res)
		return res, err
	}
	cases := []struct {
		file, workflow string
		edit           any
	}{
		{"payment_success.json", "PaymentWorkflow", settleFirst},
		{"payment_declined.json", "PaymentWorkflow", settleFirst},
		{"payment_success_v0.json", "PaymentWorkflow", settleFirst},
		{"payment_success_v1.json", "PaymentWorkflow", settleFirst},
		{"payment_captured.json", "PaymentWorkflow", settleFirst},
		{"payment_expired.json", "PaymentWorkflow", settleFirst},
		{"webhook_delivery.json", "WebhookDeliveryWorkflow", attemptAtOnce},
		{"webhook_delivery_v0.json", "WebhookDeliveryWorkflow", attemptAtOnce},
		{"refund_processed.json", "RefundWorkflow", refundUnsettled},
		{"pending_sweep.json", "PendingSweepWorkflow", sleepFirst},
		{"idempotency_cleanup.json", "IdempotencyCleanupWorkflow", sleepBeforeCleanup},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			file := filepath.Join("testdata", c.file)
			err := replayer(map[string]any{c.workflow: c.edit}).ReplayWorkflowHistoryFromJSONFile(quietLogger, file)
			if err == nil {
				t.Fatalf("replaying %s against an incompatible %s succeeded", file, c.workflow)
			}
			if !strings.Contains(strings.ToLower(err.Error()), "nondetermin") && !strings.Contains(err.Error(), "TMPRL1100") {
				t.Errorf("replay error = %v, want a non-determinism error", err)
			}
		})
	}
}
