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
	EventPruneID         = "events-prune"
	EndpointHealthID     = "webhook-endpoints-health"
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
	return sweep(ctx, []sweepPass{{a.RestartStalePayments, SweepInterval}, {a.RestartStaleRefunds, SweepInterval}, {a.RestartUnsentEvents, SweepInterval}})
}

// RecoverySweepID is the workflow id of the recovery sweep.
const RecoverySweepID = "recovery-sweep"

// RecoverySweepWorkflow is the sweep a worker starts when it starts (StartRecoverySweep): it
// starts at once the workflow of every pending payment and refund, however new, so that what a
// process that died left in its start queue resumes within seconds of the restart instead of
// waiting for the pending sweep's one-minute cutoff; a workflow already running is found and
// left alone. So is the delivery of every unsent event that has a delivery workflow of its own
// from the start (a capture's, a test event). The other events keep the one-minute cutoff: the
// workflow of their payment or refund may be sending them right now, and a delivery workflow of
// their own would send them twice.
func RecoverySweepWorkflow(ctx workflow.Context) (int, error) {
	var a *activities.Activities
	return sweep(ctx, []sweepPass{{a.RestartStalePayments, 0}, {a.RestartStaleRefunds, 0}, {a.RestartQueuedEvents, 0}, {a.RestartUnsentEvents, SweepInterval}})
}

// sweepPass is one activity of a sweep and the age from which it restarts rows.
type sweepPass struct {
	activity  any
	olderThan time.Duration
}

func sweep(ctx workflow.Context, passes []sweepPass) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, maintenance)
	restarted := 0
	for _, p := range passes {
		var n int
		if err := workflow.ExecuteActivity(ctx, p.activity, p.olderThan).Get(ctx, &n); err != nil {
			return restarted, err
		}
		restarted += n
	}
	return restarted, nil
}

// StartRecoverySweep starts RecoverySweepWorkflow unless one is running.
func StartRecoverySweep(ctx context.Context, c client.Client, taskQueue string) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       RecoverySweepID,
		TaskQueue:                taskQueue,
		WorkflowExecutionTimeout: 5 * time.Minute,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, RecoverySweepWorkflow)
	if err != nil {
		return fmt.Errorf("start recovery sweep: %w", err)
	}
	return nil
}

// IdempotencyCleanupWorkflow deletes stored idempotent responses older than 24 hours. A Temporal
// Schedule runs it hourly.
func IdempotencyCleanupWorkflow(ctx workflow.Context) (int64, error) {
	var a *activities.Activities
	var deleted int64
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, maintenance), a.DeleteExpiredIdempotencyKeys).Get(ctx, &deleted)
	return deleted, err
}

// EventPruneWorkflow deletes the events older than EVENT_RETENTION (30 days). A Temporal
// Schedule runs it hourly.
func EventPruneWorkflow(ctx workflow.Context) (int64, error) {
	var a *activities.Activities
	var deleted int64
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, maintenance), a.DeleteExpiredEvents).Get(ctx, &deleted)
	return deleted, err
}

// EndpointHealthWorkflow disables the webhook endpoints whose every delivery has failed for
// WEBHOOK_DISABLE_AFTER with at least 5 failed events (auto-disable), records it in the audit log
// and tells the merchant's other endpoints (webhook_endpoint.disabled). A Temporal Schedule runs
// it every minute.
func EndpointHealthWorkflow(ctx workflow.Context) ([]string, error) {
	var a *activities.Activities
	var disabled []string
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, maintenance), a.DisableFailingEndpoints).Get(ctx, &disabled)
	return disabled, err
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
		{EventPruneID, time.Hour, EventPruneWorkflow},
		{EndpointHealthID, SweepInterval, EndpointHealthWorkflow},
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
