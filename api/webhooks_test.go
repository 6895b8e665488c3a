package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/webhooks"
)

func configureWebhook(t *testing.T, gw *gatewaytest.Stack, url string) string {
	t.Helper()
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodPut, Path: "/api/v1/webhooks/config", Body: map[string]any{"webhook_url": url}})
	if r.Status != http.StatusOK {
		t.Fatalf("configure webhook = %d %s", r.Status, r.Body)
	}
	return r.JSON(t)["webhook_secret"].(string)
}

// verify checks both signature schemes of a delivery.
func verify(t *testing.T, secret string, d gatewaytest.Delivery) {
	t.Helper()
	if err := webhooks.Verify(secret, d.Body, d.Header, 0, time.Now()); err != nil {
		t.Errorf("%s: standard signature: %v", d.Event.Event, err)
	}
	if !webhooks.VerifyLegacy(secret, d.Body, d.Header.Get("X-Webhook-Signature")) {
		t.Errorf("%s: X-Webhook-Signature does not verify", d.Event.Event)
	}
	if d.Header.Get("Webhook-Id") != d.Event.ID {
		t.Errorf("webhook-id %q != event id %q", d.Header.Get("Webhook-Id"), d.Event.ID)
	}
}

func logOf(t *testing.T, gw *gatewaytest.Stack, id string) map[string]any {
	t.Helper()
	return gw.Get(t, "/api/v1/webhooks/"+id).JSON(t)
}

func TestWebhookConfig(t *testing.T) {
	gw := gatewaytest.Start(t)
	cfg := gw.Get(t, "/api/v1/webhooks/config").JSON(t)
	if cfg["webhook_url"] != nil || cfg["webhook_secret"] != "whsec_test_abc123" {
		t.Errorf("initial config = %v", cfg)
	}
	for _, url := range []string{"ftp://example.com/x", "not a url", "http://169.254.169.254/latest/meta-data", "http://[fe80::1]:80/x"} {
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodPut, Path: "/api/v1/webhooks/config", Body: map[string]any{"webhook_url": url}})
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "BAD_REQUEST_ERROR" {
			t.Errorf("PUT %q = %d %s, want 400", url, r.Status, r.Body)
		}
	}
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	if got := gw.Get(t, "/api/v1/webhooks/config").JSON(t)["webhook_url"]; got != rc.URL {
		t.Errorf("webhook_url = %v", got)
	}
	regen := gw.Post(t, "/api/v1/webhooks/regenerate-secret", nil).JSON(t)
	secret := regen["webhook_secret"].(string)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if !strings.HasPrefix(secret, "whsec_") || err != nil || len(raw) != 32 || regen["webhook_url"] != rc.URL {
		t.Errorf("regenerated = %v", regen)
	}
	// An empty URL disables delivery: no event is recorded.
	configureWebhook(t, gw, "")
	if r := gw.Post(t, "/api/v1/webhooks/test", nil); r.Status != http.StatusBadRequest {
		t.Errorf("test without a URL = %d %s", r.Status, r.Body)
	}
	paidPayment(t, gw, 500)
	if total := gw.Get(t, "/api/v1/webhooks").JSON(t)["total"]; total != 0.0 {
		t.Errorf("%v events recorded without an endpoint", total)
	}
}

// payment.created and payment.pending carry the payment exactly as create-payment answered it,
// amount and currency (taken from the order as the statement records them) included.
func TestPaymentCreationEventsCarryThePayment(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	for _, body := range []map[string]any{
		{"method": "upi", "vpa": "user@paytm"},
		{"method": "card", "card": card("4111111111111111")},
	} {
		body["order_id"] = gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 123456, "currency": "INR"})["id"]
		p := gw.MustCreate(t, "/api/v1/payments", body)
		for _, event := range []string{"payment.created", "payment.pending"} {
			rc.WaitFor(t, 10*time.Second, event, func([]gatewaytest.Delivery) bool { return len(eventsOf(rc, event, p["id"])) == 1 })
			if got := eventsOf(rc, event, p["id"])[0]; !reflect.DeepEqual(got, p) {
				t.Errorf("%s data.payment = %v, create-payment answered %v", event, got, p)
			}
		}
	}
}

// eventsOf returns the data.payment of each delivery of event about payment id.
func eventsOf(rc *gatewaytest.Receiver, event string, id any) []map[string]any {
	var out []map[string]any
	for _, d := range rc.Of(event) {
		if p, _ := d.Event.Data["payment"].(map[string]any); p["id"] == id {
			out = append(out, p)
		}
	}
	return out
}

func TestPaymentWebhooksAreSignedAndInOrder(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	secret := configureWebhook(t, gw, rc.URL)
	id := paidPayment(t, gw, 50000)
	ds := rc.WaitFor(t, 10*time.Second, "payment.success", func(ds []gatewaytest.Delivery) bool { return len(ds) >= 3 })
	var names []string
	for _, d := range ds {
		names = append(names, d.Event.Event)
		verify(t, secret, d)
		if p := d.Event.Data["payment"].(map[string]any); p["id"] != id {
			t.Errorf("%s carries payment %v", d.Event.Event, p["id"])
		}
	}
	if strings.Join(names, ",") != "payment.created,payment.pending,payment.success" {
		t.Errorf("events in order %v", names)
	}
	success := ds[2]
	var payment map[string]any
	json.Unmarshal(success.Body, &struct {
		Data struct{ Payment *map[string]any } `json:"data"`
	}{Data: struct{ Payment *map[string]any }{&payment}})
	api := gw.Get(t, "/api/v1/payments/"+id).JSON(t)
	for _, k := range []string{"id", "order_id", "amount", "currency", "method", "status", "vpa"} {
		if payment[k] != api[k] {
			t.Errorf("payment.success data.%s = %v, API says %v", k, payment[k], api[k])
		}
	}
	log := gw.WaitFor(t, "/api/v1/webhooks/"+success.Event.ID, func(l map[string]any) bool { return l["status"] == "success" })
	if log["attempts"] != 1.0 || log["response_code"] != 200.0 || log["event"] != "payment.success" || log["next_retry_at"] != nil {
		t.Errorf("log = %v", log)
	}
	list := gw.Get(t, "/api/v1/webhooks?event=payment.success&status=success").JSON(t)
	if list["total"] != 1.0 || list["limit"] != 10.0 || list["offset"] != 0.0 {
		t.Errorf("filtered list = %v", list)
	}
}

func TestRefundAndCaptureWebhooks(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	secret := configureWebhook(t, gw, rc.URL)
	id := paidPayment(t, gw, 1000)
	gw.Post(t, "/api/v1/payments/"+id+"/capture", map[string]any{"amount": 1000})
	rf := gw.MustCreate(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 400})
	ds := rc.WaitFor(t, 10*time.Second, "refund.processed", func([]gatewaytest.Delivery) bool { return len(rc.Of("refund.processed")) == 1 })
	for _, name := range []string{"payment.captured", "refund.created", "refund.processed"} {
		got := rc.Of(name)
		if len(got) != 1 {
			t.Errorf("%d %s deliveries, want 1 (%d in all)", len(got), name, len(ds))
			continue
		}
		verify(t, secret, got[0])
	}
	processed := rc.Of("refund.processed")[0].Event.Data
	if processed["refund"].(map[string]any)["id"] != rf["id"] || processed["refund"].(map[string]any)["status"] != "processed" ||
		processed["payment"].(map[string]any)["amount_refunded"] != 400.0 {
		t.Errorf("refund.processed data = %v", processed)
	}
	if c := rc.Of("payment.captured")[0].Event.Data["payment"].(map[string]any); c["captured"] != true {
		t.Errorf("payment.captured data = %v", c)
	}
}

// With the test intervals (5 s, 10 s, …), a receiver that fails twice gets the third attempt.
func TestWebhookRetriedUntilDelivered(t *testing.T) {
	if testing.Short() {
		t.Skip("walks through 15 s of real retry intervals")
	}
	gw := gatewaytest.Start(t, func(c *config.Config) {
		c.Webhooks.RetryIntervals = []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second}
	})
	rc := gatewaytest.NewReceiver(t)
	rc.Respond = func(_ string, arrival int) int {
		if arrival <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
	configureWebhook(t, gw, rc.URL)
	ev := gw.Post(t, "/api/v1/webhooks/test", nil).JSON(t)["id"].(string)
	log := gw.WaitFor(t, "/api/v1/webhooks/"+ev, func(l map[string]any) bool { return l["status"] != "pending" })
	ds := rc.Deliveries()
	if log["status"] != "success" || log["attempts"] != 3.0 || len(ds) != 3 {
		t.Fatalf("log = %v after %d deliveries", log, len(ds))
	}
	for i, want := range []time.Duration{5 * time.Second, 10 * time.Second} {
		if gap := ds[i+1].At.Sub(ds[i].At); gap < want || gap > want+3*time.Second {
			t.Errorf("gap before attempt %d = %s, want about %s", i+2, gap, want)
		}
	}
	for _, d := range ds {
		if d.Header.Get("Webhook-Id") != ev {
			t.Errorf("retry carries webhook-id %q, want %q", d.Header.Get("Webhook-Id"), ev)
		}
	}
}

func TestWebhookFailsAfterFiveAttemptsThenManualRetry(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	down := true
	rc.Respond = func(string, int) int {
		if down {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	configureWebhook(t, gw, rc.URL)
	ev := gw.Post(t, "/api/v1/webhooks/test", nil).JSON(t)["id"].(string)
	log := gw.WaitFor(t, "/api/v1/webhooks/"+ev, func(l map[string]any) bool { return l["status"] != "pending" })
	if log["status"] != "failed" || log["attempts"] != 5.0 || log["response_code"] != 503.0 || len(rc.Deliveries()) != 5 {
		t.Fatalf("log = %v after %d deliveries", log, len(rc.Deliveries()))
	}
	// Operators find it in Temporal by merchant and outcome.
	merchant := `MerchantId = "550e8400-e29b-41d4-a716-446655440000" AND WorkflowType = "WebhookDeliveryWorkflow"`
	waitListed(t, gw, merchant+` AND PaymentStatus = "failed"`, ev)
	down = false
	r := gw.Post(t, "/api/v1/webhooks/"+ev+"/retry", nil).JSON(t)
	if r["status"] != "pending" || r["message"] != "Webhook retry scheduled" || r["id"] != ev {
		t.Errorf("retry = %v", r)
	}
	log = gw.WaitFor(t, "/api/v1/webhooks/"+ev, func(l map[string]any) bool { return l["status"] == "success" })
	if log["attempts"] != 1.0 || len(rc.Deliveries()) != 6 {
		t.Errorf("after the manual retry: %v, %d deliveries", log, len(rc.Deliveries()))
	}
	waitListed(t, gw, merchant+` AND PaymentStatus = "success"`, ev)
	if r := gw.Post(t, "/api/v1/webhooks/evt_0000000000000000/retry", nil); r.Status != http.StatusNotFound {
		t.Errorf("retry of an unknown event = %d", r.Status)
	}
}

func TestGoneStopsRetrying(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	rc.Respond = func(string, int) int { return http.StatusGone }
	configureWebhook(t, gw, rc.URL)
	ev := gw.Post(t, "/api/v1/webhooks/test", nil).JSON(t)["id"].(string)
	log := gw.WaitFor(t, "/api/v1/webhooks/"+ev, func(l map[string]any) bool { return l["status"] != "pending" })
	time.Sleep(time.Second) // longer than the test stack's whole retry schedule
	if log["status"] != "failed" || log["attempts"] != 1.0 || len(rc.Deliveries()) != 1 {
		t.Errorf("log = %v after %d deliveries", log, len(rc.Deliveries()))
	}
}

func TestRegeneratedSecretSignsNewDeliveries(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	old := configureWebhook(t, gw, rc.URL)
	gw.Post(t, "/api/v1/webhooks/test", nil)
	rc.WaitFor(t, 5*time.Second, "first test event", func(ds []gatewaytest.Delivery) bool { return len(ds) == 1 })
	fresh := gw.Post(t, "/api/v1/webhooks/regenerate-secret", nil).JSON(t)["webhook_secret"].(string)
	gw.Post(t, "/api/v1/webhooks/test", nil)
	ds := rc.WaitFor(t, 5*time.Second, "second test event", func(ds []gatewaytest.Delivery) bool { return len(ds) == 2 })
	verify(t, old, ds[0])
	verify(t, fresh, ds[1])
	if webhooks.Verify(old, ds[1].Body, ds[1].Header, 0, time.Now()) == nil {
		t.Error("the old secret still verifies new deliveries")
	}
}

// Stopping the worker in the middle of a schedule and starting another neither skips nor repeats
// an attempt: the timers live in Temporal.
func TestWorkerRestartMidSchedule(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) {
		c.Webhooks.RetryIntervals = []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second}
	})
	rc := gatewaytest.NewReceiver(t)
	rc.Respond = func(_ string, arrival int) int {
		if arrival < 4 {
			return http.StatusBadGateway
		}
		return http.StatusOK
	}
	configureWebhook(t, gw, rc.URL)
	ev := gw.Post(t, "/api/v1/webhooks/test", nil).JSON(t)["id"].(string)
	rc.WaitFor(t, 10*time.Second, "second attempt", func(ds []gatewaytest.Delivery) bool { return len(ds) == 2 })
	gw.StopWorker()
	time.Sleep(3 * time.Second) // the third attempt's timer fires while no worker runs
	if n := len(rc.Deliveries()); n != 2 {
		t.Fatalf("%d deliveries while the worker was down", n)
	}
	gw.StartWorker()
	log := gw.WaitFor(t, "/api/v1/webhooks/"+ev, func(l map[string]any) bool { return l["status"] != "pending" })
	if log["status"] != "success" || log["attempts"] != 4.0 || len(rc.Deliveries()) != 4 {
		t.Errorf("log = %v after %d deliveries, want success on attempt 4", log, len(rc.Deliveries()))
	}
}

func TestWebhookLogsAreTheMerchantsOwn(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	ev := gw.Post(t, "/api/v1/webhooks/test", nil).JSON(t)["id"].(string)
	other := register(t, gw, "hooks@example.com")
	for _, req := range []gatewaytest.Request{
		{Method: http.MethodGet, Path: "/api/v1/webhooks/" + ev, Headers: other},
		{Method: http.MethodPost, Path: "/api/v1/webhooks/" + ev + "/retry", Headers: other},
	} {
		if r := gw.Do(t, req); r.Status != http.StatusNotFound {
			t.Errorf("%s %s as another merchant = %d", req.Method, req.Path, r.Status)
		}
	}
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/webhooks", Headers: other}); r.JSON(t)["total"] != 0.0 {
		t.Errorf("another merchant lists %s", r.Body)
	}
}
