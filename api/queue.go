package api

import (
	"context"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"golang.org/x/sync/errgroup"

	"github.com/paygate/paygate/workflows"
)

// queueCounts is the seed's shape of one kind of job, counted from Temporal visibility.
type queueCounts struct {
	// Waiting counts running workflows that cannot progress now: all of them while no worker
	// polls the task queue; otherwise the webhook deliveries, which sleep on a durable timer
	// between attempts, and the payments awaiting capture (PaymentStatus authorized).
	Waiting int64 `json:"waiting"`
	// Active counts the other running workflows.
	Active    int64 `json:"active"`
	Completed int64 `json:"completed"`
	// Failed counts workflows that failed, timed out, were terminated or cancelled.
	Failed int64 `json:"failed"`
}

// jobKinds maps the seed's job names to the workflow types that run them. Webhook deliveries
// spend their running time asleep until the next attempt.
var jobKinds = []struct {
	name, workflowType string
	sleepsBetweenSteps bool
}{
	{"payments", "PaymentWorkflow", false},
	{"refunds", "RefundWorkflow", false},
	{"webhooks", "WebhookDeliveryWorkflow", true},
}

// queueStatus answers GET /api/v1/queue/status: the gateway's workflows by kind and status.
func (s *Server) queueStatus(w http.ResponseWriter, r *http.Request) error {
	counts, _, err := s.countJobs(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, counts)
	return nil
}

// jobsStatus answers GET /api/v1/test/jobs/status: the totals over all kinds, and whether a
// worker polls the task queue.
func (s *Server) jobsStatus(w http.ResponseWriter, r *http.Request) error {
	counts, workers, err := s.countJobs(r.Context())
	if err != nil {
		return err
	}
	var total queueCounts
	for _, c := range counts {
		total.Waiting += c.Waiting
		total.Active += c.Active
		total.Completed += c.Completed
		total.Failed += c.Failed
	}
	status := "stopped"
	if workers {
		status = "running"
	}
	writeJSON(w, http.StatusOK, map[string]any{"pending": total.Waiting, "processing": total.Active,
		"completed": total.Completed, "failed": total.Failed, "worker_status": status})
	return nil
}

// countJobs counts the task queue's workflows of each kind by execution status (one visibility
// query per kind, grouped by status) and says whether a worker polls the queue.
func (s *Server) countJobs(ctx context.Context) (map[string]queueCounts, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	byStatus := make([]map[enumspb.WorkflowExecutionStatus]int64, len(jobKinds))
	var workers bool
	g, gctx := errgroup.WithContext(ctx)
	for i, kind := range jobKinds {
		g.Go(func() error {
			resp, err := s.temporal.CountWorkflow(gctx, &workflowservice.CountWorkflowExecutionsRequest{
				Query: `TaskQueue = "` + s.cfg.TaskQueue + `" AND WorkflowType = "` + kind.workflowType + `" GROUP BY ExecutionStatus`,
			})
			if err != nil {
				return err
			}
			byStatus[i], err = groupedByStatus(resp)
			return err
		})
	}
	// Payments awaiting capture run, but only wait (on a timer and for updates): they count as
	// waiting.
	var authorized int64
	g.Go(func() error {
		resp, err := s.temporal.CountWorkflow(gctx, &workflowservice.CountWorkflowExecutionsRequest{
			Query: `TaskQueue = "` + s.cfg.TaskQueue + `" AND WorkflowType = "PaymentWorkflow" AND ExecutionStatus = "Running" AND PaymentStatus = "` + workflows.StatusAuthorized + `"`,
		})
		authorized = resp.GetCount()
		return err
	})
	g.Go(func() error {
		resp, err := s.temporal.DescribeTaskQueue(gctx, s.cfg.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err != nil {
			return err
		}
		workers = livePollers(resp.GetPollers(), s.now())
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, false, err
	}
	counts := make(map[string]queueCounts, len(jobKinds))
	for i, kind := range jobKinds {
		counts[kind.name] = jobCounts(byStatus[i], kind.sleepsBetweenSteps, workers)
	}
	if c := counts["payments"]; authorized > 0 && c.Active > 0 {
		moved := min(authorized, c.Active)
		c.Active -= moved
		c.Waiting += moved
		counts["payments"] = c
	}
	return counts, workers, nil
}

// jobCounts sorts one kind's workflows by execution status into the seed's four counts.
func jobCounts(n map[enumspb.WorkflowExecutionStatus]int64, sleepsBetweenSteps, workers bool) queueCounts {
	c := queueCounts{
		Completed: n[enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED],
		Failed: n[enumspb.WORKFLOW_EXECUTION_STATUS_FAILED] + n[enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT] +
			n[enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED] + n[enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED],
	}
	running := n[enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING]
	if !workers || sleepsBetweenSteps {
		c.Waiting = running
	} else {
		c.Active = running
	}
	return c
}

// groupedByStatus reads a CountWorkflowExecutions answer grouped by ExecutionStatus, whose
// group values are the status names ("Running", "Completed", ...).
func groupedByStatus(resp *workflowservice.CountWorkflowExecutionsResponse) (map[enumspb.WorkflowExecutionStatus]int64, error) {
	counts := map[enumspb.WorkflowExecutionStatus]int64{}
	for _, g := range resp.GetGroups() {
		if len(g.GetGroupValues()) != 1 {
			continue
		}
		var name string
		if err := converter.GetDefaultDataConverter().FromPayload(g.GetGroupValues()[0], &name); err != nil {
			return nil, err
		}
		status, err := enumspb.WorkflowExecutionStatusFromString(name)
		if err != nil {
			return nil, err
		}
		counts[status] += g.GetCount()
	}
	return counts, nil
}

// pollerFreshness is how recently a worker must have polled to count as live: an idle worker's
// long poll returns and is renewed about every minute, while Temporal lists a gone poller for
// minutes after its last poll.
const pollerFreshness = 75 * time.Second

// livePollers reports whether any poller polled within pollerFreshness of now.
func livePollers(pollers []*taskqueuepb.PollerInfo, now time.Time) bool {
	for _, p := range pollers {
		if t := p.GetLastAccessTime(); t != nil && now.Sub(t.AsTime()) < pollerFreshness {
			return true
		}
	}
	return false
}
