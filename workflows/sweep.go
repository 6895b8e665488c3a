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

// PendingSweepID names the schedule (and its workflows) that restarts stalled payments.
const PendingSweepID = "pending-payments-sweep"

// PendingSweepWorkflow starts the workflow of every payment that has been pending for longer
// than a sweep interval, so a crash between the API's commit and its workflow start leaves no
// payment pending forever. A Temporal Schedule runs it every SweepInterval.
func PendingSweepWorkflow(ctx workflow.Context) (int, error) {
	var a *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: SweepInterval,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var restarted int
	err := workflow.ExecuteActivity(ctx, a.RestartStalePayments, SweepInterval).Get(ctx, &restarted)
	return restarted, err
}

// EnsureSchedules creates the gateway's Temporal Schedules if they do not exist yet. Every
// worker calls it at start; the first one wins.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string) error {
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      PendingSweepID,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: SweepInterval}}},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID:                       PendingSweepID,
			Workflow:                 PendingSweepWorkflow,
			TaskQueue:                taskQueue,
			WorkflowExecutionTimeout: 5 * time.Minute,
		},
	})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create schedule %s: %w", PendingSweepID, err)
	}
	return nil
}
