package api_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

// waitListed waits until a visibility query, on the stack's own task queue (tests share the
// Temporal server), lists exactly the workflow ids given.
func waitListed(t *testing.T, gw *gatewaytest.Stack, query string, want ...string) {
	t.Helper()
	query += ` AND TaskQueue = "` + gw.Config.TaskQueue + `"`
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := gw.Temporal.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, e := range resp.Executions {
			got = append(got, e.Execution.WorkflowId)
		}
		if slices.Equal(got, want) {
			return
		}
	}
	t.Errorf("%s = %v, want %v", query, got, want)
}

func clientOptions(gw *gatewaytest.Stack, id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: gw.Config.TaskQueue}
}

// Operators find payments in the Web UI by search attributes: the outcome is visible as
// PaymentStatus once the workflow ends.
func TestPaymentWorkflowsAreSearchable(t *testing.T) {
	gw := gatewaytest.Start(t)
	ok := capturedPayment(t, gw, 50000)
	authorized := paidPayment(t, gw, 40000)
	failed := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 700), "method": "card", "card": card("4000000000000002")})
	failedID := failed["id"].(string)
	gw.WaitForStatus(t, "/api/v1/payments/"+failedID)

	merchant := `MerchantId = "550e8400-e29b-41d4-a716-446655440000"`
	cases := map[string][]string{
		merchant + ` AND PaymentStatus = "failed" AND WorkflowType = "PaymentWorkflow"`:   {failedID},
		merchant + ` AND PaymentStatus = "captured" AND WorkflowType = "PaymentWorkflow"`: {ok},
		merchant + ` AND PaymentStatus = "authorized" AND ExecutionStatus = "Running"`:    {authorized},
		`PaymentMethod = "card" AND Amount = 700`:                                         {failedID},
		`PaymentId = "` + ok + `"`: {ok},
	}
	for q, want := range cases {
		waitListed(t, gw, q, want...)
	}
	desc, err := gw.Temporal.DescribeWorkflowExecution(t.Context(), ok, "")
	if err != nil {
		t.Fatal(err)
	}
	if summary := desc.GetExecutionConfig().GetUserMetadata().GetSummary(); summary == nil || !strings.Contains(string(summary.GetData()), "UPI ₹500.00 for order_") {
		t.Errorf("static summary = %v", summary)
	}
}

// resetToStart resets a completed workflow to its first workflow task, as an operator does with
// "Reset" in the Web UI or `temporal workflow reset --type FirstWorkflowTask`, and waits for the
// new run to complete.
func resetToStart(t *testing.T, gw *gatewaytest.Stack, workflowID string) {
	t.Helper()
	run := gw.Temporal.GetWorkflow(t.Context(), workflowID, "")
	if err := run.Get(t.Context(), nil); err != nil {
		t.Fatalf("workflow %s: %v", workflowID, err)
	}
	var firstTask int64
	it := gw.Temporal.GetWorkflowHistory(t.Context(), workflowID, run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() && firstTask == 0 {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.EventType == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			firstTask = e.EventId
		}
	}
	resp, err := gw.Temporal.ResetWorkflowExecution(t.Context(), &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 gw.Config.TemporalNamespace,
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: run.GetRunID()},
		Reason:                    "operator retry (test)",
		WorkflowTaskFinishEventId: firstTask,
		RequestId:                 uuid.NewString(),
	})
	if err != nil {
		t.Fatalf("reset %s: %v", workflowID, err)
	}
	if err := gw.Temporal.GetWorkflow(t.Context(), workflowID, resp.RunId).Get(t.Context(), nil); err != nil {
		t.Fatalf("reset run of %s: %v", workflowID, err)
	}
}

// Resetting a settled payment's workflow (an operator's retry) re-runs its steps but repeats no
// side effect: the bank is not asked again and delivered webhooks are not sent again. An outcome
// event recorded but never sent (the worker died in between) is sent by the re-run.
func TestResetPaymentWorkflowRepeatsNoSideEffect(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	id := capturedPayment(t, gw, 42000)
	rc.WaitFor(t, 10*time.Second, "payment.captured", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.captured")) == 1 })
	bankCalls := func() (calls int) {
		t.Helper()
		if err := gw.Pool.QueryRow(t.Context(), `SELECT calls FROM bank_operations WHERE idempotency_key = $1`, id).Scan(&calls); err != nil {
			t.Fatal(err)
		}
		return calls
	}

	resetToStart(t, gw, id)
	time.Sleep(500 * time.Millisecond) // a repeated delivery would arrive about now
	if n := len(rc.Deliveries()); n != 4 || bankCalls() != 1 {
		t.Fatalf("after a reset: %d deliveries (want created, pending, success, captured), bank asked %d times (want 1)", n, bankCalls())
	}

	// The state a worker crash leaves between recording the outcome and sending it.
	event := rc.Of("payment.success")[0].Event.ID
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE webhook_logs SET status = 'pending', attempts = 0 WHERE id = $1`, event); err != nil {
		t.Fatal(err)
	}
	resetToStart(t, gw, id)
	rc.WaitFor(t, 10*time.Second, "the unsent payment.success", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.success")) == 2 })
	if got := rc.Of("payment.success")[1].Event.ID; got != event {
		t.Errorf("re-run sent event %s, want the recorded %s", got, event)
	}
	if l := logOf(t, gw, event); l["status"] != "success" || l["attempts"] != 1.0 || bankCalls() != 1 {
		t.Errorf("log %v, bank asked %d times; want success after 1 attempt, bank once", l, bankCalls())
	}
	if p := gw.Get(t, "/api/v1/payments/"+id).JSON(t); p["status"] != "success" {
		t.Errorf("payment after resets = %v", p["status"])
	}
}

// The queue status counts the gateway's workflows from Temporal visibility: finished ones as
// completed, terminated ones as failed, and webhook deliveries waiting for a retry as waiting.
func TestQueueStatusCountsWorkflows(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	rc.Respond = func(string, int) int { return http.StatusServiceUnavailable } // every delivery goes to retry
	configureWebhook(t, gw, rc.URL)
	paid := capturedPayment(t, gw, 30000)
	paidPayment(t, gw, 20000) // a payment awaiting capture: waiting
	declined := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 700), "method": "card", "card": card("4000000000000002")})
	gw.WaitForStatus(t, "/api/v1/payments/"+declined["id"].(string))
	refund := gw.MustCreate(t, "/api/v1/payments/"+paid+"/refunds", map[string]any{"amount": 1000})
	gw.WaitForStatus(t, "/api/v1/refunds/"+refund["id"].(string))
	// One delivery workflow is ended by hand: it counts as failed. The payment's workflow starts
	// it after the first attempt fails, so it may not exist yet when that attempt arrives.
	rc.WaitFor(t, 10*time.Second, "payment.success", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.success")) >= 1 })
	delivery := rc.Of("payment.success")[0].Event.ID
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		err := gw.Temporal.TerminateWorkflow(t.Context(), delivery, "", "test")
		if err == nil {
			break
		}
		if notYet := new(serviceerror.NotFound); !errors.As(err, &notYet) || time.Now().After(deadline) {
			t.Fatalf("terminate %s: %v", delivery, err)
		}
	}

	// payment.created, .pending and .success/.failed three times, payment.captured,
	// refund.created and .processed: 12 events, each first attempt failed; one delivery
	// terminated.
	want := `{"payments":{"waiting":1,"active":0,"completed":2,"failed":0},` +
		`"refunds":{"waiting":0,"active":0,"completed":1,"failed":0},` +
		`"webhooks":{"waiting":11,"active":0,"completed":0,"failed":1}}`
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got = strings.TrimSpace(string(gw.Get(t, "/api/v1/queue/status").Body)); got == want {
			break
		}
	}
	if got != want {
		t.Fatalf("queue status = %s\nwant %s", got, want)
	}
	// The retries of a payment's events carry its merchant and payment id.
	q := `WorkflowType = "WebhookDeliveryWorkflow" AND PaymentStatus = "pending" AND MerchantId = "550e8400-e29b-41d4-a716-446655440000" AND PaymentId = "` +
		declined["id"].(string) + `" AND TaskQueue = "` + gw.Config.TaskQueue + `"`
	if n, err := gw.Temporal.CountWorkflow(t.Context(), &workflowservice.CountWorkflowExecutionsRequest{Query: q}); err != nil || n.GetCount() != 3 {
		t.Errorf("%s: %v, %v; want the declined payment's 3 events", q, n.GetCount(), err)
	}
	jobs := gw.Get(t, "/api/v1/test/jobs/status").JSON(t)
	if jobs["worker_status"] != "running" || jobs["pending"] != 12.0 || jobs["completed"] != 3.0 || jobs["failed"] != 1.0 {
		t.Errorf("jobs status = %v", jobs)
	}
}

// A worker that stops (Ctrl-C, SIGTERM) lets the steps in flight finish: a payment at the bank
// when the stop comes is settled and recorded before the worker is gone, instead of waiting for
// a workflow task timeout on the next worker.
func TestWorkerStopFinishesStepsInFlight(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.Bank.ProcessingDelay = time.Second })
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 1500), "method": "upi", "vpa": "buyer@okicici"})
	time.Sleep(300 * time.Millisecond) // the bank holds the payment for a second
	gw.StopWorker()
	if got := gw.Get(t, "/api/v1/payments/"+p["id"].(string)).JSON(t)["status"]; got != "success" {
		t.Errorf("payment after the worker stopped = %v, want success", got)
	}
}

// A payment or refund still pending although its workflow completed (the database lost the
// outcome that workflow recorded, as after a restore from a backup) is not run again by the
// sweep, which warns the operator instead; resetting the workflow records the outcome again,
// the bank answering the repeated request from its record of the first. Likewise an event
// unsent although its delivery workflow completed: a manual retry sends it.
func TestSweepWarnsOfPendingRowsWhoseWorkflowCompleted(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	event := gw.Post(t, "/api/v1/webhooks/test", nil).JSON(t)["id"].(string)
	rc.WaitFor(t, 10*time.Second, "webhook.test", func(ds []gatewaytest.Delivery) bool { return len(rc.Of("webhook.test")) == 1 })
	paymentID := capturedPayment(t, gw, 800)
	refunded := capturedPayment(t, gw, 900)
	refund := gw.MustCreate(t, "/api/v1/payments/"+refunded+"/refunds", map[string]any{"amount": 900})
	refundID := refund["id"].(string)
	gw.WaitForStatus(t, "/api/v1/refunds/"+refundID)
	for _, id := range []string{paymentID, refundID, event} {
		if err := gw.Temporal.GetWorkflow(t.Context(), id, "").Get(t.Context(), nil); err != nil {
			t.Fatalf("workflow %s: %v", id, err)
		}
	}
	restore := `UPDATE %s SET status = 'pending', created_at = now() - interval '5 minutes' WHERE id = $1`
	for table, id := range map[string]string{"payments": paymentID, "refunds": refundID} {
		if _, err := gw.Pool.Exec(t.Context(), fmt.Sprintf(restore, table), id); err != nil {
			t.Fatal(err)
		}
	}
	unsent := `UPDATE webhook_logs SET status = 'pending', attempts = 0, created_at = now() - interval '5 minutes' WHERE id = $1`
	if _, err := gw.Pool.Exec(t.Context(), unsent, event); err != nil {
		t.Fatal(err)
	}

	if n := sweep(t, gw); n != 0 {
		t.Errorf("sweep restarted %d, want 0", n)
	}
	for _, id := range []string{paymentID, refundID, event} {
		if !slices.ContainsFunc(strings.Split(gw.Logs(), "\n"), func(l string) bool {
			return strings.Contains(l, id) && strings.Contains(l, "was the database restored?")
		}) {
			t.Errorf("no warning about %s in the logs", id)
		}
	}

	if r := gw.Post(t, "/api/v1/webhooks/"+event+"/retry", nil); r.Status != http.StatusOK {
		t.Errorf("retry of the unsent event = %d %s", r.Status, r.Body)
	}
	rc.WaitFor(t, 10*time.Second, "webhook.test again", func(ds []gatewaytest.Delivery) bool { return len(rc.Of("webhook.test")) == 2 })
	resetToStart(t, gw, paymentID)
	resetToStart(t, gw, refundID)
	if p := gw.Get(t, "/api/v1/payments/"+paymentID).JSON(t); p["status"] != "success" {
		t.Errorf("payment after its reset = %v", p["status"])
	}
	if rf := gw.Get(t, "/api/v1/refunds/"+refundID).JSON(t); rf["status"] != "processed" {
		t.Errorf("refund after its reset = %v", rf["status"])
	}
	if p := gw.Get(t, "/api/v1/payments/"+refunded).JSON(t); p["status"] != "refunded" || p["amount_refunded"] != 900.0 {
		t.Errorf("refunded payment after the refund's reset = %v, %v refunded; want refunded, 900", p["status"], p["amount_refunded"])
	}
	for _, id := range []string{paymentID, refundID} {
		var calls int
		var approved bool
		err := gw.Pool.QueryRow(t.Context(), `SELECT calls, approved FROM bank_operations WHERE idempotency_key = $1`, id).Scan(&calls, &approved)
		if err != nil || calls != 2 || !approved {
			t.Errorf("bank operation %s: asked %d times, approved %v (%v); want one approved operation asked twice", id, calls, approved, err)
		}
	}
}
