package workflows_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/workflows"
)

var update = flag.Bool("update", false, "re-record workflows/testdata/*.json from real runs of the gateway (needs PostgreSQL)")

// TestRecordHistories is the generator of the histories TestReplayRecordedHistories replays, not
// a test: with -update it runs the whole gateway (real PostgreSQL, in-process Temporal), makes a
// successful UPI payment, a declined card payment and a pending sweep, and writes each workflow's
// history as JSON, the format of `temporal workflow show --output json`.
//
// The merchant has a webhook endpoint, so the payments deliver their events inline; the endpoint
// refuses the first payment.failed, so the declined payment's history also starts a
// WebhookDeliveryWorkflow for it.
//
//	go test ./workflows -run TestRecordHistories -update
//
// Re-record after a deliberate, versioned change of a workflow; keep the old files (renamed)
// while runs recorded with them may still be open.
func TestRecordHistories(t *testing.T) {
	if !*update {
		t.Skip("generator of testdata/*.json; run go test ./workflows -run TestRecordHistories -update to re-record")
	}
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	rc.Respond = func(eventID string, arrival int) int {
		for _, d := range rc.Deliveries() {
			if d.Event.ID == eventID && d.Event.Event == "payment.failed" && arrival == 1 {
				return http.StatusInternalServerError
			}
		}
		return http.StatusOK
	}
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodPut, Path: "/api/v1/webhooks/config", Body: map[string]any{"webhook_url": rc.URL}})
	if r.Status != http.StatusOK {
		t.Fatalf("configure webhook = %d %s", r.Status, r.Body)
	}

	t.Run("payment_success", func(t *testing.T) {
		orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 50000, "capture": "automatic"})["id"].(string)
		p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"})
		id := p["id"].(string)
		want := workflows.PaymentResult{Status: "success", Captured: true}
		if got := paymentResult(t, gw, id); got != want {
			t.Fatalf("workflow result = %+v, want %+v", got, want)
		}
		h := writeHistory(t, gw, id, "payment_success.json")
		// 3 steps; the webhooks of creation, then of the outcome (with payment.captured); the
		// version marker of the authorization lifecycle, with its TemporalChangeVersion upsert
		// before the PaymentStatus one.
		wantEvents(t, h, map[enumspb.EventType]int{enumspb.EVENT_TYPE_MARKER_RECORDED: 6, enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 2})
		rc.WaitFor(t, 10*time.Second, "payment.captured", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.captured")) == 1 })
	})

	t.Run("payment_captured", func(t *testing.T) {
		orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 50000})["id"].(string)
		p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"})
		id := p["id"].(string)
		gw.WaitForStatus(t, "/api/v1/payments/"+id)
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments/" + id + "/capture", Body: map[string]any{"amount": 30000}})
		if r.Status != http.StatusOK {
			t.Fatalf("capture = %d %s", r.Status, r.Body)
		}
		want := workflows.PaymentResult{Status: "success", Captured: true}
		if got := paymentResult(t, gw, id); got != want {
			t.Fatalf("workflow result = %+v, want %+v", got, want)
		}
		h := writeHistory(t, gw, id, "payment_captured.json")
		// The expiry's timer, then the capture update with its step (the timer is dropped with the
		// workflow's completion, not cancelled by an event of its own).
		wantEvents(t, h, map[enumspb.EventType]int{enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: 1,
			enumspb.EVENT_TYPE_TIMER_STARTED: 1, enumspb.EVENT_TYPE_TIMER_FIRED: 0})
	})

	t.Run("payment_expired", func(t *testing.T) {
		orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 50000})["id"].(string)
		p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"})
		id := p["id"].(string)
		gw.WaitForStatus(t, "/api/v1/payments/"+id)
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/test/payments/" + id + "/advance", Body: map[string]any{"by": "120h"}})
		if r.Status != http.StatusOK {
			t.Fatalf("advance = %d %s", r.Status, r.Body)
		}
		want := workflows.PaymentResult{Status: "voided"}
		if got := paymentResult(t, gw, id); got != want {
			t.Fatalf("workflow result = %+v, want %+v", got, want)
		}
		h := writeHistory(t, gw, id, "payment_expired.json")
		wantEvents(t, h, map[enumspb.EventType]int{enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: 1})
	})

	t.Run("payment_declined", func(t *testing.T) {
		orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 1000})["id"].(string)
		card := map[string]any{"number": "4000000000000002", "expiry_month": "12",
			"expiry_year": time.Now().Year() + 2, "cvv": "123", "holder_name": "Asha Rao"}
		p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "card", "card": card})
		id := p["id"].(string)
		want := workflows.PaymentResult{Status: "failed", ErrorCode: "CARD_DECLINED"}
		if got := paymentResult(t, gw, id); got != want {
			t.Fatalf("workflow result = %+v, want %+v", got, want)
		}
		h := writeHistory(t, gw, id, "payment_declined.json")
		wantEvents(t, h, map[enumspb.EventType]int{
			enumspb.EVENT_TYPE_MARKER_RECORDED: 5, enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: 1})
		// The delivery workflow's second attempt gets through.
		rc.WaitFor(t, 10*time.Second, "payment.failed twice", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.failed")) == 2 })

		// That delivery workflow's id is the event's.
		eventID := rc.Of("payment.failed")[0].Event.ID
		var res activities.AttemptResult
		if err := gw.Temporal.GetWorkflow(t.Context(), eventID, "").Get(t.Context(), &res); err != nil || !res.Delivered {
			t.Fatalf("delivery workflow %s = %+v, %v; want delivered", eventID, res, err)
		}
		h = writeHistory(t, gw, eventID, "webhook_delivery.json")
		// One retry on its timer, then the version marker (with its TemporalChangeVersion upsert)
		// and the outcome in PaymentStatus.
		wantEvents(t, h, map[enumspb.EventType]int{enumspb.EVENT_TYPE_TIMER_FIRED: 1, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: 1,
			enumspb.EVENT_TYPE_MARKER_RECORDED: 1, enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 2})
	})

	t.Run("refund_processed", func(t *testing.T) {
		orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 30000, "capture": "automatic"})["id"].(string)
		p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@okicici"})
		if got := paymentResult(t, gw, p["id"].(string)); got.Status != "success" || !got.Captured {
			t.Fatalf("payment = %+v, want success, captured", got)
		}
		rf := gw.MustCreate(t, "/api/v1/payments/"+p["id"].(string)+"/refunds", map[string]any{"amount": 10000, "reason": "damaged"})
		id := rf["id"].(string)
		gw.WaitForStatus(t, "/api/v1/refunds/"+id) // its workflow starts after the API answers
		var got workflows.RefundResult
		if err := gw.Temporal.GetWorkflow(t.Context(), id, "").Get(t.Context(), &got); err != nil || got.Status != "processed" {
			t.Fatalf("refund workflow = %+v, %v; want processed", got, err)
		}
		h := writeHistory(t, gw, id, "refund_processed.json")
		wantEvents(t, h, map[enumspb.EventType]int{enumspb.EVENT_TYPE_MARKER_RECORDED: 4}) // created's webhook, bank, outcome, its webhook
	})

	t.Run("idempotency_cleanup", func(t *testing.T) {
		run, err := gw.Temporal.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
			ID: workflows.IdempotencyCleanupID + "-recorded", TaskQueue: gw.Config.TaskQueue,
		}, workflows.IdempotencyCleanupWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		var deleted int64
		if err := run.Get(t.Context(), &deleted); err != nil {
			t.Fatalf("cleanup: %v", err)
		}
		h := writeHistory(t, gw, run.GetID(), "idempotency_cleanup.json")
		wantEvents(t, h, map[enumspb.EventType]int{enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: 1})
	})

	t.Run("pending_sweep", func(t *testing.T) {
		// A payment the API committed two sweep intervals ago but whose workflow never started,
		// as if the API process had died in between: the sweep must start it.
		orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 2500})["id"].(string)
		stale := ids.New(ids.Payment)
		_, err := gw.Pool.Exec(t.Context(), `
			INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, created_at, updated_at)
			SELECT $1, id, merchant_id, amount, currency, 'upi', 'stale@okaxis', now() - $3::interval, now() - $3::interval
			FROM orders WHERE id = $2`, stale, orderID, (2 * workflows.SweepInterval).String())
		if err != nil {
			t.Fatal(err)
		}
		run, err := gw.Temporal.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
			ID: workflows.PendingSweepID, TaskQueue: gw.Config.TaskQueue,
		}, workflows.PendingSweepWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		var restarted int
		if err := run.Get(t.Context(), &restarted); err != nil || restarted != 1 {
			t.Fatalf("sweep restarted %d payments (%v), want 1", restarted, err)
		}
		if got := paymentResult(t, gw, stale); got.Status != "success" {
			t.Fatalf("swept payment's workflow = %+v, want success", got)
		}
		h := writeHistory(t, gw, run.GetID(), "pending_sweep.json")
		wantEvents(t, h, map[enumspb.EventType]int{enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: 3})
	})
}

// paymentResult waits for the payment's workflow to complete and returns its result.
func paymentResult(t *testing.T, gw *gatewaytest.Stack, paymentID string) workflows.PaymentResult {
	t.Helper()
	gw.WaitForStatus(t, "/api/v1/payments/"+paymentID) // its workflow starts after the API answers
	var r workflows.PaymentResult
	if err := gw.Temporal.GetWorkflow(t.Context(), paymentID, "").Get(t.Context(), &r); err != nil {
		t.Fatalf("payment workflow %s: %v", paymentID, err)
	}
	return r
}

// writeHistory fetches the history of the workflow's latest run, writes it to testdata/name,
// checks the file replays and returns the history.
func writeHistory(t *testing.T, gw *gatewaytest.Stack, workflowID, name string) *historypb.History {
	t.Helper()
	history := &historypb.History{}
	it := gw.Temporal.GetWorkflowHistory(t.Context(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		history.Events = append(history.Events, e)
	}
	if n := len(history.Events); n == 0 || history.Events[n-1].EventType != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Fatalf("history of %s does not end in completion: %d events", workflowID, n)
	}
	raw, err := protojson.Marshal(history)
	if err != nil {
		t.Fatal(err)
	}
	// protojson varies its whitespace on purpose; indent it stably for readable diffs.
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	file := filepath.Join("testdata", name)
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := replayer(nil).ReplayWorkflowHistoryFromJSONFile(quietLogger, file); err != nil {
		t.Fatalf("recorded %s does not replay: %v", file, err)
	}
	t.Logf("wrote %s: %d events", file, len(history.Events))
	return history
}

// wantEvents checks that the history has the number of events of each type given: that the run
// took the path it is recorded for.
func wantEvents(t *testing.T, h *historypb.History, want map[enumspb.EventType]int) {
	t.Helper()
	got := map[enumspb.EventType]int{}
	for _, e := range h.Events {
		got[e.EventType]++
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("history has %d %s events, want %d", got[typ], typ, n)
		}
	}
}
