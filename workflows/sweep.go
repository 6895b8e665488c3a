package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
)

// SweepInterval is how often the pending sweep runs, and how old a pending payment or refund
// must be before the sweep (re)starts its workflow.
const SweepInterval = time.Minute

// Schedule ids, as the Temporal Web UI lists them.
const (
	PendingSweepID       = "pending-sweep"
	IdempotencyCleanupID = "idempotency-keys-cleanup"
)

var maintenance = workflow.ActivityOptions{
	StartToCloseTimeout: SweepInterval,
	RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
}

// PendingSweepWorkflow starts the workflow of every payment, refund and webhook event that has
// been waiting for longer than a sweep interval, so a crash between a commit and a workflow start
// leaves nothing pending forever. A Temporal Schedule runs it every SweepInterval.
func PendingSweepWorkflow(ctx workflow.Context) (int, error) {
	var a *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, maintenance)
	restarted := 0
	for _, sweep := range []any{a.RestartStalePayments, a.RestartStaleRefunds, a.RestartUnsentEvents} {
		var n int
		if err := workflow.ExecuteActivity(ctx, sweep, SweepInterval).Get(ctx, &n); err != nil {
			return restarted, err
		}
		restarted += n
	}
	return restarted, nil
}

// IdempotencyCleanupWorkflow deletes stored idempotent responses older than 24 hours. A Temporal
// Schedule runs it hourly.
func IdempotencyCleanupWorkflow(ctx workflow.Context) (int64, error) {
	var a *activities.Activities
	var deleted int64
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, maintenance), a.DeleteExpiredIdempotencyKeys).Get(ctx, &deleted)
	return deleted, err
}

// EnsureSchedules creates the gateway's Temporal Schedules if they do not exist yet. Every
// worker calls it at start; the first one wins.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string) error {
	schedules := []struct {
		id       string
		every    time.Duration
		workflow any
	}{
		{PendingSweepID, SweepInterval, PendingSweepWorkflow},
		{IdempotencyCleanupID, time.Hour, IdempotencyCleanupWorkflow},
	}
	for _, s := range schedules {
		_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
			ID:      s.id,
			Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: s.every}}},
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
			Action: &client.ScheduleWorkflowAction{
				ID:                       s.id,
				Workflow:                 s.workflow,
				TaskQueue:                taskQueue,
				WorkflowExecutionTimeout: 5 * time.Minute,
			},
		})
		if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return fmt.Errorf("create schedule %s: %w", s.id, err)
		}
	}
	return nil
}
