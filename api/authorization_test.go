package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/workflows"
)

// authorizedPayment makes a successful UPI payment of amount with the order's capture mode
// (manual unless given) and returns its id once it is successful.
func authorizedPayment(t *testing.T, gw *gatewaytest.Stack, amount int, capture ...string) string {
	t.Helper()
	order := map[string]any{"amount": amount}
	if len(capture) > 0 {
		order["capture"] = capture[0]
	}
	orderID := gw.MustCreate(t, "/api/v1/orders", order)["id"].(string)
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"})
	id := p["id"].(string)
	if final := gw.WaitForStatus(t, "/api/v1/payments/"+id); final["status"] != "success" {
		t.Fatalf("payment = %v, want success", final)
	}
	return id
}

func withWebhooks(t *testing.T, gw *gatewaytest.Stack) *gatewaytest.Receiver {
	t.Helper()
	rc := gatewaytest.NewReceiver(t)
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodPut, Path: "/api/v1/webhooks/config", Body: map[string]any{"webhook_url": rc.URL}})
	if r.Status != http.StatusOK {
		t.Fatalf("configure webhook = %d %s", r.Status, r.Body)
	}
	return rc
}

func wantRefusal(t *testing.T, r gatewaytest.Response, says string) {
	t.Helper()
	if r.Status != http.StatusBadRequest || r.ErrorCode() != "BAD_REQUEST_ERROR" || !strings.Contains(string(r.Body), says) {
		t.Errorf("answer = %d %s, want 400 BAD_REQUEST_ERROR saying %q", r.Status, r.Body, says)
	}
}

func eventCount(t *testing.T, gw *gatewaytest.Stack, paymentID, event string) int {
	t.Helper()
	var n int
	if err := gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM webhook_logs WHERE payment_id = $1 AND event = $2`, paymentID, event).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A manual payment is authorized until captured: it shows capture_expires_at (creation plus
// CAPTURE_WINDOW); a partial capture takes less than the amount, refunds are limited to it, and
// a second capture is refused.
func TestPartialCapture(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.CaptureWindow = 48 * time.Hour })
	id := authorizedPayment(t, gw, 50000)
	p := gw.Get(t, "/api/v1/payments/"+id).JSON(t)
	created, _ := time.Parse(time.RFC3339, p["created_at"].(string))
	expires, err := time.Parse(time.RFC3339, p["capture_expires_at"].(string))
	if err != nil || expires.Sub(created) != 48*time.Hour || p["captured"] != false || p["capture"] != "manual" || p["amount_captured"] != nil {
		t.Fatalf("authorized payment = %v, want capture_expires_at 48 h after creation, uncaptured", p)
	}

	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 50001}), "exceeds the payment amount")
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 99}), "at least 100")
	r := gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 30000})
	if r.Status != http.StatusOK {
		t.Fatalf("capture = %d %s", r.Status, r.Body)
	}
	c := r.JSON(t)
	if c["captured"] != true || c["amount_captured"] != 30000.0 || c["captured_at"] == nil || c["capture_expires_at"] != nil || c["status"] != "success" {
		t.Errorf("captured payment = %v", c)
	}
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 30000}), "already captured")
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/void", nil), "refund it instead")

	// Refunds: at most what was captured.
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 30001}), "exceeds available amount")
	rf := gw.MustCreate(t, "/api/v1/payments/"+id+"/refunds", map[string]any{})
	if rf["amount"] != 30000.0 {
		t.Errorf("full refund of a partial capture = %v, want 30000", rf["amount"])
	}
	final := gw.WaitFor(t, "/api/v1/payments/"+id, func(v map[string]any) bool { return v["status"] == "refunded" })
	if final["amount_refunded"] != 30000.0 {
		t.Errorf("refunded payment = %v", final)
	}

	var result workflows.PaymentResult
	if err := gw.Temporal.GetWorkflow(t.Context(), id, "").Get(t.Context(), &result); err != nil || result != (workflows.PaymentResult{Status: "success", Captured: true}) {
		t.Errorf("workflow result = %+v, %v; want success, captured", result, err)
	}
}

// Eight clients capture the same payment at once: exactly one succeeds, one payment.captured is
// recorded.
func TestCaptureRaceOneWins(t *testing.T) {
	gw := gatewaytest.Start(t)
	withWebhooks(t, gw)
	id := authorizedPayment(t, gw, 50000)
	statuses := make([]int, 8)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 50000}).Status
		}()
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusBadRequest:
			refused++
		}
	}
	if ok != 1 || refused != 7 {
		t.Errorf("statuses %v: %d succeeded, %d refused; want 1 and 7", statuses, ok, refused)
	}
	if n := eventCount(t, gw, id, "payment.captured"); n != 1 {
		t.Errorf("%d payment.captured events, want 1", n)
	}
	// The refused captures left nothing in the workflow's history: one update, accepted.
	var result workflows.PaymentResult
	if err := gw.Temporal.GetWorkflow(t.Context(), id, "").Get(t.Context(), &result); err != nil || !result.Captured {
		t.Fatalf("workflow result = %+v, %v", result, err)
	}
	updates := 0
	it := gw.Temporal.GetWorkflowHistory(t.Context(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch e.EventType {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED:
			updates++
		}
	}
	if updates != 1 {
		t.Errorf("history holds %d update events, want the one accepted capture", updates)
	}
}

// A void and a capture at once: exactly one wins, and the payment is what the winner made it.
func TestVoidRacesCapture(t *testing.T) {
	gw := gatewaytest.Start(t)
	for range 3 {
		id := authorizedPayment(t, gw, 20000)
		var capture, void gatewaytest.Response
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			capture = gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 20000})
		}()
		go func() { defer wg.Done(); void = gw.Post(t, "/api/v1/payments/"+id+"/void", nil) }()
		wg.Wait()
		p := gw.Get(t, "/api/v1/payments/"+id).JSON(t)
		switch {
		case capture.Status == http.StatusOK && void.Status == http.StatusBadRequest:
			if p["captured"] != true || p["status"] != "success" {
				t.Errorf("capture won, payment = %v", p)
			}
		case void.Status == http.StatusOK && capture.Status == http.StatusBadRequest:
			if p["status"] != "voided" || p["void_reason"] != "requested" || p["voided_at"] == nil || p["captured"] != false {
				t.Errorf("void won, payment = %v", p)
			}
		default:
			t.Errorf("capture %d %s, void %d %s: want exactly one 200 and one 400", capture.Status, capture.Body, void.Status, void.Body)
		}
	}
}

// A voided payment takes no capture and no refund, and sends payment.voided.
func TestVoid(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := withWebhooks(t, gw)
	id := authorizedPayment(t, gw, 20000)
	r := gw.Post(t, "/api/v1/payments/"+id+"/void", nil)
	if p := r.JSON(t); r.Status != http.StatusOK || p["status"] != "voided" || p["void_reason"] != "requested" || p["capture_expires_at"] != nil {
		t.Fatalf("void = %d %s", r.Status, r.Body)
	}
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 20000}), "voided")
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/refunds", map[string]any{}), "voided payment cannot be refunded")
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/void", nil), "already voided")
	rc.WaitFor(t, 10*time.Second, "payment.voided", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.voided")) == 1 })
	if pay, _ := rc.Of("payment.voided")[0].Event.Data["payment"].(map[string]any); pay["id"] != id || pay["status"] != "voided" {
		t.Errorf("payment.voided carries %+v", rc.Of("payment.voided")[0].Event.Data)
	}
	list := gw.Get(t, "/api/v1/payments?capture_state=voided").JSON(t)
	if list["total"] != 1.0 {
		t.Errorf("capture_state=voided lists %v", list)
	}
}

// The test clock: advancing less than the window leaves the authorization; advancing past it
// voids it as expired, once, with exactly one payment.voided.
func TestExpiryByTestClock(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := withWebhooks(t, gw)
	id := authorizedPayment(t, gw, 20000)
	r := gw.Post(t, "/api/v1/test/payments/"+id+"/advance", map[string]any{"by": "119h"})
	if p := r.JSON(t); r.Status != http.StatusOK || p["status"] != "success" || p["capture_expires_at"] == nil {
		t.Fatalf("advance 119h = %d %s, want still authorized", r.Status, r.Body)
	}
	r = gw.Post(t, "/api/v1/test/payments/"+id+"/advance", map[string]any{"by": "1h"})
	if p := r.JSON(t); r.Status != http.StatusOK || p["status"] != "voided" || p["void_reason"] != "expired" {
		t.Fatalf("advance past the expiry = %d %s, want voided (expired)", r.Status, r.Body)
	}
	// Advancing again fires nothing more.
	if r := gw.Post(t, "/api/v1/test/payments/"+id+"/advance", map[string]any{"by": "240h"}); r.Status != http.StatusOK {
		t.Errorf("advance of a voided payment = %d %s", r.Status, r.Body)
	}
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 20000}), "expired")
	rc.WaitFor(t, 10*time.Second, "payment.voided", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.voided")) >= 1 })
	var result workflows.PaymentResult
	if err := gw.Temporal.GetWorkflow(t.Context(), id, "").Get(t.Context(), &result); err != nil || result.Status != "voided" {
		t.Errorf("workflow result = %+v, %v", result, err)
	}
	if n, got := eventCount(t, gw, id, "payment.voided"), len(rc.Of("payment.voided")); n != 1 || got != 1 {
		t.Errorf("payment.voided recorded %d times, delivered %d times; want 1", n, got)
	}
	for _, bad := range []any{"", "-1h", "soon", 5} {
		if r := gw.Post(t, "/api/v1/test/payments/"+id+"/advance", map[string]any{"by": bad}); r.Status != http.StatusBadRequest {
			t.Errorf("advance by %v = %d, want 400", bad, r.Status)
		}
	}
}

// Outside test mode the test clock does not exist.
func TestTestClockOnlyInTestMode(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.Bank.TestMode = false })
	if r := gw.Post(t, "/api/v1/test/payments/pay_AAAAAAAAAAAAAAAA/advance", map[string]any{"by": "1h"}); r.Status != http.StatusNotFound {
		t.Errorf("advance outside test mode = %d, want 404", r.Status)
	}
}

// Automatic capture (the payment's own setting over its order's): captured once approved, with
// payment.captured after payment.success, and its workflow closed.
func TestAutomaticCapture(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := withWebhooks(t, gw)
	orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 20000})["id"].(string)
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm", "capture": "automatic"})
	id := p["id"].(string)
	final := gw.WaitForStatus(t, "/api/v1/payments/"+id)
	if final["captured"] != true || final["amount_captured"] != 20000.0 || final["capture"] != "automatic" || final["capture_expires_at"] != nil {
		t.Errorf("automatic payment = %v", final)
	}
	var result workflows.PaymentResult
	if err := gw.Temporal.GetWorkflow(t.Context(), id, "").Get(t.Context(), &result); err != nil || !result.Captured {
		t.Errorf("workflow result = %+v, %v", result, err)
	}
	rc.WaitFor(t, 10*time.Second, "payment.captured", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.captured")) == 1 })
	if o := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 20000, "capture": "automatic"}); o["capture"] != "automatic" {
		t.Errorf("order = %v", o)
	}
	wantRefusal(t, gw.Post(t, "/api/v1/orders", map[string]any{"amount": 20000, "capture": "later"}), "capture must be manual or automatic")
}

// A payment made before its workflow kept the authorization (no capture_expires_at, its workflow
// long closed) is captured by the row update, as before, with its event delivered; so is one
// whose workflow was closed by an operator.
func TestCaptureWithoutWorkflow(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := withWebhooks(t, gw)
	orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 25000})["id"].(string)
	id := ids.New(ids.Payment)
	if _, err := gw.Pool.Exec(t.Context(), `
		INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, status)
		SELECT $1, id, merchant_id, amount, currency, 'upi', 'old@okaxis', 'success' FROM orders WHERE id = $2`, id, orderID); err != nil {
		t.Fatal(err)
	}
	r := gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 20000})
	if p := r.JSON(t); r.Status != http.StatusOK || p["amount_captured"] != 20000.0 || p["captured"] != true {
		t.Fatalf("capture of an old payment = %d %s", r.Status, r.Body)
	}
	rc.WaitFor(t, 10*time.Second, "payment.captured", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.captured")) == 1 })
	wantRefusal(t, gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 20000}), "already captured")

	// An authorization whose workflow an operator terminated: the row is changed directly.
	closed := authorizedPayment(t, gw, 30000)
	if err := gw.Temporal.TerminateWorkflow(t.Context(), closed, "", "test: operator ended it"); err != nil {
		t.Fatal(err)
	}
	r = gw.Post(t, "/api/v1/payments/"+closed+"/void", nil)
	if p := r.JSON(t); r.Status != http.StatusOK || p["status"] != "voided" || p["void_reason"] != "requested" {
		t.Fatalf("void of a payment whose workflow was terminated = %d %s", r.Status, r.Body)
	}
	rc.WaitFor(t, 10*time.Second, "payment.voided", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.voided")) == 1 })
}
