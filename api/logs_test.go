package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paygate/paygate/gatewaytest"
)

// Whatever happens, the logs hold no secret, password, card number or CVV: not on success, not
// on a failed authentication, not on a rejected card.
func TestLogsHoldNoSecrets(t *testing.T) {
	gw := gatewaytest.Start(t)
	creds := register(t, gw, "logs@example.com")
	gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": "logs@example.com", "password": "s3cret-pass"}})
	gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": "logs@example.com", "password": "n0t-the-pass"}})
	gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/orders", Anonymous: true,
		Headers: map[string]string{"X-Api-Key": creds["X-Api-Key"], "X-Api-Secret": "secret_wrong_guess_123"}})
	rc := gatewaytest.NewReceiver(t)
	secret := configureWebhook(t, gw, rc.URL)
	orderID := newOrder(t, gw, 5000)
	bad := card("4111111111111112") // fails Luhn
	gw.Post(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "card", "card": bad})
	good := card("4000000000000002")
	good["cvv"] = "741"
	p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "card", "card": good})
	gw.WaitForStatus(t, "/api/v1/payments/"+p["id"].(string))

	logs := gw.Logs()
	if !strings.Contains(logs, `"path":"/api/v1/payments"`) {
		t.Fatal("the gateway logged no requests: nothing to check")
	}
	for _, s := range []string{gatewaytest.APISecret, creds["X-Api-Secret"], "secret_wrong_guess_123", "s3cret-pass", "n0t-the-pass",
		secret, "4111111111111112", "4000000000000002", "whsec_test_abc123"} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q", s)
		}
	}
	// A three-digit CVV could match any number in a log line, so look for the field instead.
	if strings.Contains(strings.ToLower(logs), "cvv") {
		t.Error("logs mention a CVV")
	}
}

// The id of the request that created a payment follows it into its workflow's and activities'
// logs.
func TestRequestIDReachesWorkflowLogs(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments",
		Body:    map[string]any{"order_id": newOrder(t, gw, 500), "method": "upi", "vpa": "a@upi"},
		Headers: map[string]string{"X-Request-Id": "req-trace-42"}})
	if r.Header.Get("X-Request-Id") != "req-trace-42" {
		t.Errorf("X-Request-Id echoed as %q", r.Header.Get("X-Request-Id"))
	}
	gw.WaitForStatus(t, "/api/v1/payments/"+r.JSON(t)["id"].(string))
	rc.WaitFor(t, 5*time.Second, "payment.success", func([]gatewaytest.Delivery) bool { return len(rc.Of("payment.success")) == 1 })
	for _, msg := range []string{"bank answered", "payment final", "webhook attempt"} {
		found := false
		for _, line := range strings.Split(gw.Logs(), "\n") {
			if strings.Contains(line, `"msg":"`+msg+`"`) && strings.Contains(line, `"request_id":"req-trace-42"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %q log line carries the request id", msg)
		}
	}
}
