package api_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
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

func newOrder(t *testing.T, gw *gatewaytest.Stack, amount int) string {
	t.Helper()
	return gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": amount})["id"].(string)
}

func card(number string) map[string]any {
	return map[string]any{"number": number, "expiry_month": "12", "expiry_year": time.Now().Year() + 2, "cvv": "123", "holder_name": "Asha Rao"}
}

func TestUPIPaymentSucceeds(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 50000)
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"})
	if !regexp.MustCompile(`^pay_[A-Za-z0-9]{16}$`).MatchString(p["id"].(string)) {
		t.Errorf("id %v", p["id"])
	}
	for k, v := range map[string]any{"status": "pending", "amount": 50000.0, "currency": "INR", "method": "upi", "vpa": "user@paytm", "order_id": orderID} {
		if p[k] != v {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}
	final := gw.WaitForStatus(t, "/api/v1/payments/"+p["id"].(string))
	if final["status"] != "success" || final["error_code"] != nil {
		t.Fatalf("payment = %v", final)
	}
	if o := gw.Get(t, "/api/v1/orders/"+orderID).JSON(t); o["status"] != "paid" {
		t.Errorf("order status = %v, want paid", o["status"])
	}
	again := gw.Post(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"})
	if again.Status != http.StatusBadRequest || !strings.Contains(string(again.Body), "already paid") {
		t.Errorf("paying a paid order = %d %s", again.Status, again.Body)
	}

	// The workflow ran under the payment's id and settled exactly once at the bank.
	var calls int
	if err := gw.Pool.QueryRow(t.Context(), `SELECT calls FROM bank_operations WHERE idempotency_key = $1`, p["id"]).Scan(&calls); err != nil || calls != 1 {
		t.Errorf("bank calls = %d (%v), want 1", calls, err)
	}
	// Its workflow stays open, awaiting the capture (manual capture, the default).
	desc, err := gw.Temporal.DescribeWorkflowExecution(t.Context(), p["id"].(string), "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("workflow = %v, %v; want running", desc.GetWorkflowExecutionInfo().GetStatus(), err)
	}
}

func TestCardPayments(t *testing.T) {
	gw := gatewaytest.Start(t)
	cases := []struct {
		number, network, last4, status, code string
	}{
		{"4111 1111 1111 1111", "visa", "1111", "success", ""},
		{"5555555555554444", "mastercard", "4444", "success", ""},
		{"378282246310005", "amex", "0005", "success", ""},
		{"6521000000000007", "rupay", "0007", "success", ""},
		{"4000000000000002", "visa", "0002", "failed", "CARD_DECLINED"},
	}
	for _, c := range cases {
		orderID := newOrder(t, gw, 1000)
		body := card(c.number)
		if c.network == "amex" {
			body["cvv"] = "1234"
		}
		p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "card", "card": body})
		if p["card_network"] != c.network || p["card_last4"] != c.last4 || p["status"] != "pending" {
			t.Errorf("%s: created %v", c.number, p)
		}
		final := gw.WaitForStatus(t, "/api/v1/payments/"+p["id"].(string))
		code, _ := final["error_code"].(string)
		if final["status"] != c.status || code != c.code {
			t.Errorf("%s: final %v, want %s %s", c.number, final, c.status, c.code)
		}
		if c.status == "failed" {
			if final["error_description"] == nil {
				t.Errorf("%s: no error_description", c.number)
			}
			if o := gw.Get(t, "/api/v1/orders/"+orderID).JSON(t); o["status"] != "created" {
				t.Errorf("declined payment left the order %v", o["status"])
			}
			// A failed attempt does not block a new one on the same order.
			retry := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "payer@okaxis"})
			if gw.WaitForStatus(t, "/api/v1/payments/"+retry["id"].(string))["status"] != "success" {
				t.Errorf("retry after a decline did not succeed")
			}
		}
	}
}

func TestFailingVPA(t *testing.T) {
	gw := gatewaytest.Start(t)
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "upi", "vpa": "failure@upi"})
	final := gw.WaitForStatus(t, "/api/v1/payments/"+p["id"].(string))
	if final["status"] != "failed" || final["error_code"] != "UPI_FAILED" {
		t.Errorf("payment = %v", final)
	}
}

func TestBankDeclinesEverythingWhenTestPaymentSuccessIsFalse(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.Bank.PaymentSuccess = false })
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "card", "card": card("4111111111111111")})
	if final := gw.WaitForStatus(t, "/api/v1/payments/"+p["id"].(string)); final["status"] != "failed" || final["error_code"] != "CARD_DECLINED" {
		t.Errorf("payment = %v", final)
	}
}

func TestPaymentValidation(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 500)
	expired := card("4111111111111111")
	expired["expiry_year"], expired["expiry_month"] = "2020", "01"
	twoDigit := card("4111111111111111")
	twoDigit["expiry_year"] = "20"
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no order", map[string]any{"method": "upi", "vpa": "a@upi"}, 400, "BAD_REQUEST_ERROR"},
		{"unknown order", map[string]any{"order_id": "order_nope", "method": "upi", "vpa": "a@upi"}, 404, "NOT_FOUND_ERROR"},
		{"unknown method", map[string]any{"order_id": orderID, "method": "cash"}, 400, "BAD_REQUEST_ERROR"},
		{"bad vpa", map[string]any{"order_id": orderID, "method": "upi", "vpa": "not a vpa"}, 400, "INVALID_VPA"},
		{"vpa domain with dot", map[string]any{"order_id": orderID, "method": "upi", "vpa": "a@bank.com"}, 400, "INVALID_VPA"},
		{"no card", map[string]any{"order_id": orderID, "method": "card"}, 400, "BAD_REQUEST_ERROR"},
		{"luhn", map[string]any{"order_id": orderID, "method": "card", "card": card("4111111111111112")}, 400, "INVALID_CARD"},
		{"short", map[string]any{"order_id": orderID, "method": "card", "card": card("411111111111")}, 400, "INVALID_CARD"},
		{"expired", map[string]any{"order_id": orderID, "method": "card", "card": expired}, 400, "EXPIRED_CARD"},
		{"expired 2-digit year", map[string]any{"order_id": orderID, "method": "card", "card": twoDigit}, 400, "EXPIRED_CARD"},
		{"month 13", map[string]any{"order_id": orderID, "method": "card", "card": map[string]any{"number": "4111111111111111", "expiry_month": 13, "expiry_year": 2030, "cvv": "123", "holder_name": "A"}}, 400, "INVALID_CARD"},
		{"bad cvv", map[string]any{"order_id": orderID, "method": "card", "card": map[string]any{"number": "4111111111111111", "expiry_month": 1, "expiry_year": 2030, "cvv": "12", "holder_name": "A"}}, 400, "INVALID_CARD"},
		{"card is a string", map[string]any{"order_id": orderID, "method": "card", "card": "4111111111111111"}, 400, "BAD_REQUEST_ERROR"},
		{"malformed", `{"order_id": `, 400, "BAD_REQUEST_ERROR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := gw.Post(t, "/api/v1/payments", c.body)
			if r.Status != c.status || r.ErrorCode() != c.code {
				t.Errorf("= %d %s, want %d %s", r.Status, r.Body, c.status, c.code)
			}
		})
	}
	if total := gw.Get(t, "/api/v1/payments").JSON(t)["total"]; total != 0.0 {
		t.Errorf("rejected requests created %v payments", total)
	}
}

// An order takes one live payment: concurrent attempts on the same order cannot both proceed.
func TestConcurrentPaymentsOnOneOrder(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 50000)
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = gw.Post(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@upi"}).Status
		})
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusBadRequest:
		default:
			t.Errorf("status %d", s)
		}
	}
	if created != 1 {
		t.Errorf("%d payments created for one order, want 1 (%v)", created, statuses)
	}
}

// The card number and CVV are never stored, returned or logged.
func TestCardDataIsNeverKept(t *testing.T) {
	gw := gatewaytest.Start(t)
	const number, cvv = "5555555555554444", "987"
	c := card(number)
	c["cvv"] = cvv
	r := gw.Post(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "card", "card": c})
	if r.Status != http.StatusCreated {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	id := r.JSON(t)["id"].(string)
	final := gw.WaitForStatus(t, "/api/v1/payments/"+id)
	for _, body := range []string{string(r.Body), gw.Get(t, "/api/v1/payments/"+id).JSON(t)["id"].(string), gw.Logs()} {
		if strings.Contains(body, number) || strings.Contains(body, "555555555555") {
			t.Errorf("card number leaked: %.200s", body)
		}
	}
	var row string
	gw.Pool.QueryRow(t.Context(), `SELECT row_to_json(p)::text FROM payments p WHERE id = $1`, id).Scan(&row)
	if strings.Contains(row, number) || strings.Contains(row, cvv) {
		t.Errorf("payments row holds card data: %s", row)
	}
	history := gw.Temporal.GetWorkflowHistory(t.Context(), id, "", false, 0)
	for history.HasNext() {
		e, err := history.Next()
		if err != nil {
			t.Fatal(err)
		}
		if s := e.String(); strings.Contains(s, number) || strings.Contains(s, "\""+cvv+"\"") {
			t.Errorf("workflow history holds card data: %s", s)
		}
	}
	if final["status"] != "success" {
		t.Errorf("payment %v", final)
	}
}

func TestListPaymentsFilters(t *testing.T) {
	gw := gatewaytest.Start(t)
	ok := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "upi", "vpa": "a@upi"})
	bad := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 600), "method": "card", "card": card("4000000000000002")})
	gw.WaitForStatus(t, "/api/v1/payments/"+ok["id"].(string))
	gw.WaitForStatus(t, "/api/v1/payments/"+bad["id"].(string))
	today := time.Now().UTC().Format(time.DateOnly)
	for query, want := range map[string]float64{
		"": 2, "?status=success": 1, "?status=failed": 1, "?method=card": 1, "?method=upi&status=failed": 0,
		"?from=" + today + "&to=" + today: 2, "?to=2000-01-01": 0,
	} {
		if got := gw.Get(t, "/api/v1/payments"+query).JSON(t)["total"]; got != want {
			t.Errorf("GET /payments%s total = %v, want %v", query, got, want)
		}
	}
	for _, query := range []string{"?limit=0", "?limit=101", "?limit=x", "?skip=-1", "?from=yesterday", "?status=done", "?method=cash"} {
		if r := gw.Get(t, "/api/v1/payments"+query); r.Status != http.StatusBadRequest {
			t.Errorf("GET /payments%s = %d, want 400", query, r.Status)
		}
	}
}

// A payment committed by an API process that died before starting its workflow is picked up by
// the pending sweep.
func TestSweepStartsStalledPayments(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID, id := newOrder(t, gw, 500), ids.New(ids.Payment)
	_, err := gw.Pool.Exec(t.Context(), `INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, created_at)
		SELECT $2, id, merchant_id, amount, currency, 'upi', 'a@upi', now() - interval '5 minutes' FROM orders WHERE id = $1`, orderID, id)
	if err != nil {
		t.Fatal(err)
	}
	if n := sweep(t, gw); n != 1 {
		t.Fatalf("sweep restarted %d, want 1", n)
	}
	if p := gw.WaitForStatus(t, "/api/v1/payments/"+id); p["status"] != "success" {
		t.Errorf("stalled payment ended %v", p["status"])
	}
}

// A payment whose workflow start was lost (still queued when its process died) is restarted by
// the sweep with its unsent payment.created and payment.pending, which then go out before its
// outcome, once each, as they would have.
func TestSweepSendsStalledPaymentsEventsFirst(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	holdStarts(t, gw)
	id := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "upi", "vpa": "user@upi"})["id"].(string)
	age(t, gw, "payments", "payment_id", id)
	if n := sweep(t, gw); n != 1 {
		t.Errorf("sweep restarted %d, want 1: the payment, with its events", n)
	}
	if p := gw.WaitForStatus(t, "/api/v1/payments/"+id); p["status"] != "success" {
		t.Errorf("stalled payment ended %v", p["status"])
	}
	expectEvents(t, rc, "payment.created", "payment.pending", "payment.success")
}

// The sweep's event pass starts a delivery for an event whose delivery never started (a
// payment.captured whose process died before starting it), and for a payment's creation events
// left unsent once the payment is final; it leaves those of a payment changed within the last
// minute to the payment's workflow, which may be sending them.
func TestSweepDeliversEventsNoWorkflowSends(t *testing.T) {
	gw := gatewaytest.Start(t)
	settled, recent := paidPayment(t, gw, 500), paidPayment(t, gw, 600)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE payments SET updated_at = now() - interval '5 minutes' WHERE id = $1`, settled); err != nil {
		t.Fatal(err)
	}
	lostCapture, strandedCreated, recentCreated := ids.New(ids.Event), ids.New(ids.Event), ids.New(ids.Event)
	for _, e := range []struct{ id, event, paymentID string }{
		{lostCapture, "payment.captured", settled},
		{strandedCreated, "payment.created", settled},
		{recentCreated, "payment.created", recent},
	} {
		_, err := gw.Pool.Exec(t.Context(), `INSERT INTO webhook_logs (id, merchant_id, event, payment_id, payload, created_at)
			SELECT $1::text, merchant_id, $2::text, id, jsonb_build_object('id', $1::text, 'event', $2::text), now() - interval '5 minutes'
			FROM payments WHERE id = $3`, e.id, e.event, e.paymentID)
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := sweep(t, gw); n != 2 {
		t.Errorf("sweep started %d deliveries, want 2", n)
	}
	ds := rc.WaitFor(t, 20*time.Second, "both deliveries", func(ds []gatewaytest.Delivery) bool { return len(ds) >= 2 })
	got := map[string]bool{}
	for _, d := range ds {
		got[d.Event.ID] = true
	}
	if !got[lostCapture] || !got[strandedCreated] || got[recentCreated] {
		t.Errorf("delivered %v, want the lost capture and the stranded creation event only", got)
	}
}

// age moves a payment's or refund's creation, and its events', five minutes back: the sweep then
// takes it for one whose workflow never started.
func age(t *testing.T, gw *gatewaytest.Stack, table, eventColumn, id string) {
	t.Helper()
	for _, stmt := range []string{
		`UPDATE ` + table + ` SET created_at = created_at - interval '5 minutes' WHERE id = $1`,
		`UPDATE webhook_logs SET created_at = created_at - interval '5 minutes' WHERE ` + eventColumn + ` = $1`,
	} {
		if _, err := gw.Pool.Exec(t.Context(), stmt, id); err != nil {
			t.Fatal(err)
		}
	}
}

// sweep runs the pending sweep once and returns how many workflows it started.
func sweep(t *testing.T, gw *gatewaytest.Stack) int {
	t.Helper()
	run, err := gw.Temporal.ExecuteWorkflow(t.Context(), clientOptions(gw, "sweep-"+t.Name()), workflows.PendingSweepWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var restarted int
	if err := run.Get(t.Context(), &restarted); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return restarted
}

// expectEvents waits for the last of want and checks that the receiver got exactly want, in
// that order.
func expectEvents(t *testing.T, rc *gatewaytest.Receiver, want ...string) {
	t.Helper()
	last := want[len(want)-1]
	rc.WaitFor(t, 20*time.Second, last, func([]gatewaytest.Delivery) bool { return len(rc.Of(last)) > 0 })
	var got []string
	for _, d := range rc.Deliveries() {
		got = append(got, d.Event.Event)
	}
	if !slices.Equal(got, want) {
		t.Errorf("webhooks received %v, want %v", got, want)
	}
}

// PostgreSQL cannot store a NUL character: one in an id, a filter or a body field is the
// request's fault and answers 400 in the error shape, never 500.
func TestNULCharactersAreBadRequests(t *testing.T) {
	gw := gatewaytest.Start(t)
	for _, req := range []gatewaytest.Request{
		{Method: http.MethodGet, Path: "/api/v1/payments/pay%00x"},
		{Method: http.MethodGet, Path: "/api/v1/orders/order%00x"},
		{Method: http.MethodPost, Path: "/api/v1/payments", Body: `{"order_id":"order\u0000x","method":"upi","vpa":"user@upi"}`},
		{Method: http.MethodPost, Path: "/api/v1/refunds", Body: `{"payment_id":"pay\u0000x","amount":100}`},
		{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true, Body: `{"email":"a\u0000@example.com","password":"password1"}`},
		{Method: http.MethodPost, Path: "/api/v1/payments/public", Anonymous: true, Body: `{"key":"key\u0000x","order_id":"order_x","method":"upi","vpa":"user@upi"}`},
	} {
		if r := gw.Do(t, req); r.Status != http.StatusBadRequest || r.ErrorCode() != "BAD_REQUEST_ERROR" {
			t.Errorf("%s %s %v = %d %s, want 400 BAD_REQUEST_ERROR", req.Method, req.Path, req.Body, r.Status, r.Body)
		}
	}
}

// create-payment answers once the payment is committed: its workflow starts afterwards, from the
// start queue, and the payment completes when the queue gets to it.
func TestCreatePaymentAnswersBeforeItsWorkflowStarts(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 25000)
	release := holdStarts(t, gw)
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"})
	id := p["id"].(string)
	if gw.Starts.Len() != 1 {
		t.Errorf("queued starts after the response = %d, want the payment's", gw.Starts.Len())
	}
	if _, err := gw.Temporal.DescribeWorkflowExecution(t.Context(), id, ""); err == nil {
		t.Error("the payment's workflow was running before its queued start ran")
	}
	if got := gw.Get(t, "/api/v1/payments/"+id).JSON(t); got["status"] != "pending" {
		t.Errorf("payment before its workflow = %v, want pending", got["status"])
	}
	release()
	if final := gw.WaitForStatus(t, "/api/v1/payments/"+id); final["status"] != "success" {
		t.Errorf("payment after its queued start = %v", final["status"])
	}
}

// holdStarts occupies the API's only start runner until release is called (at the latest when
// the test ends), so that the next workflow starts stay queued.
func holdStarts(t *testing.T, gw *gatewaytest.Stack) (release func()) {
	t.Helper()
	running, released := make(chan struct{}), make(chan struct{})
	gw.Starts.Go(t.Context(), func(context.Context) { close(running); <-released })
	<-running
	var once sync.Once
	release = func() { once.Do(func() { close(released) }) }
	t.Cleanup(release)
	return release
}
