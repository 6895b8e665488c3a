// Package worker assembles the Temporal worker that runs the gateway's workflows and activities.
package worker

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/bank"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/delivery"
	"github.com/paygate/paygate/workflows"
)

// New returns a worker for cfg.TaskQueue with every workflow and activity registered, its
// activities working on pool. Eight pollers of each kind keep a workflow task from waiting in
// matching (with the SDK's default two, a task was seen to sit there for 60 s).
func New(c client.Client, pool *pgxpool.Pool, cfg config.Config) sdkworker.Worker {
	w := sdkworker.New(c, cfg.TaskQueue, sdkworker.Options{
		MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 8,
		// On Ctrl-C or SIGTERM, steps in flight get this long to finish, so their workflows
		// go on at once after a restart instead of after a task timeout.
		WorkerStopTimeout: 5 * time.Second,
	})
	starter := workflows.Starter{Client: c, TaskQueue: cfg.TaskQueue, RetryIntervals: cfg.Webhooks.RetryIntervals}
	acts := activities.New(pool, bank.New(db.New(pool), cfg.Bank), delivery.New(cfg.Webhooks.AllowPrivateTargets), starter)
	acts.EventRetention, acts.DisableAfter = cfg.Webhooks.EventRetention, cfg.Webhooks.DisableAfter
	w.RegisterWorkflow(workflows.PaymentWorkflow)
	w.RegisterWorkflow(workflows.RefundWorkflow)
	w.RegisterWorkflow(workflows.WebhookDeliveryWorkflow)
	w.RegisterWorkflow(workflows.PendingSweepWorkflow)
	w.RegisterWorkflow(workflows.RecoverySweepWorkflow)
	w.RegisterWorkflow(workflows.IdempotencyCleanupWorkflow)
	w.RegisterWorkflow(workflows.EventPruneWorkflow)
	w.RegisterWorkflow(workflows.EndpointHealthWorkflow)
	w.RegisterWorkflow(workflows.ReplayWorkflow)
	w.RegisterActivity(acts)
	return w
}
