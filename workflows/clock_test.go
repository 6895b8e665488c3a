package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/workflows"
)

// The test clock of a delivery: 10 s after the first failed attempt, advancing by 6 min makes the
// retries due within it (after 1 min, then 5 min more) at once, in order, as if the time had
// passed: the next retry is due 30 min after the second, so 30 min of workflow time after the
// start (6 min 10 s of the clock). The update returns once the due timers have fired.
func TestDeliveryTestClockFiresDueRetries(t *testing.T) {
	env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
	// The update's delayed callback runs inside a workflow task of the test environment; on a
	// busy 2-core machine (a benchmark beside it) that task was seen to exceed the SDK's default
	// 1 s deadlock detection 3 times in 12 runs. A deadlock never yields, so 10 s still finds one.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
	env.RegisterActivity(a)
	start := env.Now()
	var at []time.Duration
	env.OnActivity(a.AttemptWebhook, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.AttemptRequest) (activities.AttemptResult, error) {
		at = append(at, env.Now().Sub(start))
		return activities.AttemptResult{Delivered: req.Attempt == 4, Final: req.Attempt == 4}, nil
	})
	var advanceErr error
	var completed bool
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.AdvanceUpdate, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { advanceErr = err },
			OnAccept:   func() {},
			OnComplete: func(_ interface{}, err error) { advanceErr, completed = err, true },
		}, workflows.AdvanceInput{By: 6 * time.Minute})
	}, 10*time.Second)
	env.ExecuteWorkflow(workflows.WebhookDeliveryWorkflow, workflows.DeliveryInput{LogID: "evt_1", FirstAttempt: 1, RetryIntervals: schedule})
	var res activities.AttemptResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if advanceErr != nil || !completed {
		t.Fatalf("advance: completed %v, %v", completed, advanceErr)
	}
	want := []time.Duration{0, 10 * time.Second, 10 * time.Second, 30 * time.Minute}
	if len(at) != len(want) || !res.Delivered {
		t.Fatalf("attempts at %v (result %+v), want %v", at, res, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Errorf("attempt %d at %v, want %v", i+1, at[i], want[i])
		}
	}
}
