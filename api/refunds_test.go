package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/workflows"
)

// capturedPayment is paidPayment with automatic capture: its workflow ends once the payment
// is settled and captured, for tests that wait for that workflow.
func capturedPayment(t *testing.T, gw *gatewaytest.Stack, amount int) string {
	t.Helper()
	orderID := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": amount, "capture": "automatic"})["id"].(string)
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "buyer@okicici"})
	id := p["id"].(string)
	if final := gw.WaitForStatus(t, "/api/v1/payments/"+id); final["status"] != "success" || final["captured"] != true {
		t.Fatalf("payment %s ended %v", id, final)
	}
	return id
}

// paidPayment creates an order and pays it by UPI, returning the settled payment's id. It is
// authorized, not captured (manual capture): its workflow waits for the capture.
func paidPayment(t *testing.T, gw *gatewaytest.Stack, amount int) string {
	t.Helper()
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, amount), "method": "upi", "vpa": "buyer@okicici"})
	id := p["id"].(string)
	if final := gw.WaitForStatus(t, "/api/v1/payments/"+id); final["status"] != "success" {
		t.Fatalf("payment %s ended %v", id, final["status"])
	}
	return id
}

func TestCapture(t *testing.T) {
	gw := gatewaytest.Start(t)
	id := paidPayment(t, gw, 50000)
	path := "/api/v1/payments/" + id + "/capture"

	if r := gw.Post(t, path, map[string]any{"amount": 50001}); r.Status != http.StatusBadRequest {
		t.Errorf("capture above the amount = %d %s, want 400", r.Status, r.Body)
	}
	if r := gw.Post(t, path, map[string]any{}); r.Status != http.StatusBadRequest {
		t.Errorf("capture without amount = %d %s, want 400", r.Status, r.Body)
	}
	r := gw.Post(t, path, map[string]any{"amount": 50000})
	p := r.JSON(t)
	if r.Status != http.StatusOK || p["captured"] != true || p["captured_at"] == nil || p["status"] != "success" {
		t.Fatalf("capture = %d %s", r.Status, r.Body)
	}
	again := gw.Post(t, path, map[string]any{"amount": 50000})
	if again.Status != http.StatusBadRequest || !strings.Contains(string(again.Body), "already captured") {
		t.Errorf("second capture = %d %s", again.Status, again.Body)
	}

	declined := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "card", "card": card("4000000000000002")})
	gw.WaitForStatus(t, "/api/v1/payments/"+declined["id"].(string))
	if r := gw.Post(t, "/api/v1/payments/"+declined["id"].(string)+"/capture", map[string]any{"amount": 500}); r.Status != http.StatusBadRequest {
		t.Errorf("capturing a failed payment = %d %s", r.Status, r.Body)
	}
	if r := gw.Post(t, "/api/v1/payments/pay_0000000000000000/capture", map[string]any{"amount": 500}); r.Status != http.StatusNotFound {
		t.Errorf("capturing an unknown payment = %d %s", r.Status, r.Body)
	}
}

func TestRefundLifecycle(t *testing.T) {
	gw := gatewaytest.Start(t)
	id := paidPayment(t, gw, 50000)

	rf := gw.MustCreate(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 20000, "reason": "Customer request"})
	if !strings.HasPrefix(rf["id"].(string), "rfnd_") || len(rf["id"].(string)) != 21 || rf["status"] != "pending" ||
		rf["amount"] != 20000.0 || rf["payment_id"] != id || rf["order_id"] == nil || rf["currency"] != "INR" || rf["reason"] != "Customer request" {
		t.Errorf("refund = %v", rf)
	}
	if p := gw.Get(t, "/api/v1/payments/"+id).JSON(t); p["amount_refunded"] != 20000.0 || p["status"] != "success" {
		t.Errorf("after a partial refund the payment is %v", p)
	}
	done := gw.WaitForStatus(t, "/api/v1/refunds/"+rf["id"].(string))
	if done["status"] != "processed" || done["processed_at"] == nil {
		t.Errorf("refund ended %v", done)
	}

	// The older form, with the amount omitted: everything still refundable.
	rest := gw.MustCreate(t, "/api/v1/refunds", map[string]any{"payment_id": id})
	if rest["amount"] != 30000.0 {
		t.Errorf("refund of the rest = %v, want 30000", rest["amount"])
	}
	gw.WaitForStatus(t, "/api/v1/refunds/"+rest["id"].(string))
	p := gw.WaitFor(t, "/api/v1/payments/"+id, func(p map[string]any) bool { return p["status"] == "refunded" })
	if p["amount_refunded"] != 50000.0 {
		t.Errorf("fully refunded payment = %v", p)
	}
	if r := gw.Post(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 1}); r.Status != http.StatusBadRequest {
		t.Errorf("refund of a refunded payment = %d %s", r.Status, r.Body)
	}

	list := gw.Get(t, "/api/v1/refunds?payment_id="+id).JSON(t)
	if list["total"] != 2.0 || list["count"] != 2.0 {
		t.Errorf("refunds of the payment = %v", list)
	}
	var calls, rows int
	gw.Pool.QueryRow(t.Context(), `SELECT count(*), coalesce(sum(calls), 0) FROM bank_operations WHERE kind = 'refund'`).Scan(&rows, &calls)
	if rows != 2 || calls != 2 {
		t.Errorf("bank saw %d refunds in %d calls, want 2 in 2", rows, calls)
	}
	var result workflows.RefundResult
	if err := gw.Temporal.GetWorkflow(t.Context(), rf["id"].(string), "").Get(t.Context(), &result); err != nil || result.Status != "processed" {
		t.Errorf("refund workflow = %+v, %v", result, err)
	}
}

func TestRefundRules(t *testing.T) {
	gw := gatewaytest.Start(t)
	id := paidPayment(t, gw, 50000)
	path := "/api/v1/payments/" + id + "/refunds"
	cases := []struct {
		name string
		body any
		desc string
	}{
		{"too much", map[string]any{"amount": 50001}, "Refund amount exceeds available amount"},
		{"zero", map[string]any{"amount": 0}, "amount must be an integer of at least 1"},
		{"negative", map[string]any{"amount": -100}, "amount must be an integer of at least 1"},
		{"fraction", `{"amount": 10.5}`, "amount must be an integer"},
		{"string", `{"amount": "100"}`, "amount must be an integer"},
		{"reason too long", map[string]any{"amount": 100, "reason": strings.Repeat("x", 256)}, "reason"},
	}
	for _, c := range cases {
		r := gw.Post(t, path, c.body)
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "BAD_REQUEST_ERROR" || !strings.Contains(string(r.Body), c.desc) {
			t.Errorf("%s: %d %s, want 400 %q", c.name, r.Status, r.Body, c.desc)
		}
	}
	if r := gw.Post(t, "/api/v1/refunds", map[string]any{"amount": 100}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "payment_id") {
		t.Errorf("older form without payment_id = %d %s", r.Status, r.Body)
	}
	if r := gw.Post(t, "/api/v1/payments/pay_0000000000000000/refunds", map[string]any{"amount": 100}); r.Status != http.StatusNotFound {
		t.Errorf("unknown payment = %d %s", r.Status, r.Body)
	}
	failed := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "upi", "vpa": "failure@upi"})
	gw.WaitForStatus(t, "/api/v1/payments/"+failed["id"].(string))
	if r := gw.Post(t, "/api/v1/payments/"+failed["id"].(string)+"/refunds", map[string]any{"amount": 100}); r.Status != http.StatusBadRequest {
		t.Errorf("refund of a failed payment = %d %s", r.Status, r.Body)
	}
	if total := gw.Get(t, "/api/v1/refunds").JSON(t)["total"]; total != 0.0 {
		t.Errorf("rejected refunds created %v refunds", total)
	}
	if r := gw.Get(t, "/api/v1/refunds/rfnd_0000000000000000"); r.Status != http.StatusNotFound {
		t.Errorf("unknown refund = %d", r.Status)
	}
}

// Twelve concurrent refunds of 10 000 on a 50 000 payment: exactly five fit.
func TestConcurrentRefundsNeverExceedThePayment(t *testing.T) {
	gw := gatewaytest.Start(t)
	id := paidPayment(t, gw, 50000)
	const n = 12
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = gw.Post(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 10000}).Status
		})
	}
	wg.Wait()
	accepted := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			accepted++
		case http.StatusBadRequest:
		default:
			t.Errorf("unexpected status %d", s)
		}
	}
	if accepted != 5 {
		t.Errorf("%d refunds accepted, want 5 (%v)", accepted, statuses)
	}
	var sum int64
	gw.Pool.QueryRow(t.Context(), `SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_id = $1`, id).Scan(&sum)
	if sum != 50000 {
		t.Errorf("refunds add up to %d, want 50000", sum)
	}
}

// A refund the bank rejects fails and releases its amount for another refund.
func TestFailedRefundReleasesItsAmount(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.Bank.PaymentSuccess = false })
	orderID := newOrder(t, gw, 5000)
	// The bank here declines everything, so the settled payment is written directly.
	const id = "pay_settledbefore001"
	if _, err := gw.Pool.Exec(t.Context(), `INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, status)
		SELECT $1, id, merchant_id, amount, currency, 'upi', 'a@upi', 'success' FROM orders WHERE id = $2`, id, orderID); err != nil {
		t.Fatal(err)
	}
	rf := gw.MustCreate(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 5000})
	done := gw.WaitForStatus(t, "/api/v1/refunds/"+rf["id"].(string))
	if done["status"] != "failed" || done["error_code"] != "REFUND_FAILED" || done["processed_at"] != nil {
		t.Errorf("refund = %v", done)
	}
	if p := gw.Get(t, "/api/v1/payments/"+id).JSON(t); p["amount_refunded"] != 0.0 || p["status"] != "success" {
		t.Errorf("payment after a failed refund = %v", p)
	}
	if r := gw.Post(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 5000}); r.Status != http.StatusCreated {
		t.Errorf("refund after the released amount = %d %s", r.Status, r.Body)
	}
}

// A refund whose workflow start was lost is restarted by the sweep with its unsent
// refund.created, which then goes out before refund.processed, once.
func TestSweepSendsStalledRefundsEventsFirst(t *testing.T) {
	gw := gatewaytest.Start(t)
	paymentID := paidPayment(t, gw, 1000)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	holdStarts(t, gw)
	id := gw.MustCreate(t, "/api/v1/payments/"+paymentID+"/refunds", map[string]any{"amount": 400})["id"].(string)
	age(t, gw, "refunds", "refund_id", id)
	if n := sweep(t, gw); n != 1 {
		t.Errorf("sweep restarted %d, want 1: the refund, with its event", n)
	}
	if rf := gw.WaitForStatus(t, "/api/v1/refunds/"+id); rf["status"] != "processed" {
		t.Errorf("stalled refund ended %v", rf["status"])
	}
	expectEvents(t, rc, "refund.created", "refund.processed")
}

func TestSweepStartsStalledRefunds(t *testing.T) {
	gw := gatewaytest.Start(t)
	paymentID, id := paidPayment(t, gw, 1000), ids.New(ids.Refund)
	_, err := gw.Pool.Exec(t.Context(), `
		WITH p AS (UPDATE payments SET amount_refunded = 1000 WHERE id = $1 RETURNING *)
		INSERT INTO refunds (id, payment_id, order_id, merchant_id, amount, currency, created_at)
		SELECT $2, id, order_id, merchant_id, 1000, currency, now() - interval '5 minutes' FROM p`, paymentID, id)
	if err != nil {
		t.Fatal(err)
	}
	if n := sweep(t, gw); n != 1 {
		t.Fatalf("sweep restarted %d, want 1", n)
	}
	if rf := gw.WaitForStatus(t, "/api/v1/refunds/"+id); rf["status"] != "processed" {
		t.Errorf("stalled refund ended %v", rf["status"])
	}
	if p := gw.Get(t, "/api/v1/payments/"+paymentID).JSON(t); p["status"] != "refunded" {
		t.Errorf("payment = %v", fmt.Sprint(p["status"]))
	}
}
