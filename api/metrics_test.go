package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paygate/paygate/gatewaytest"
)

func TestMetrics(t *testing.T) {
	gw := gatewaytest.Start(t)
	paidPayment(t, gw, 500)
	failed := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "upi", "vpa": "failure@upi"})
	gw.WaitForStatus(t, "/api/v1/payments/"+failed["id"].(string))
	gw.Get(t, "/api/v1/payments/pay_0000000000000000")

	r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/metrics", Anonymous: true})
	body := string(r.Body)
	if r.Status != http.StatusOK {
		t.Fatalf("/metrics = %d", r.Status)
	}
	for _, want := range []string{
		`gateway_http_requests_total{method="POST",route="/api/v1/payments",status="201"} 2`,
		`gateway_http_requests_total{method="GET",route="/api/v1/payments/{id}",status="404"} 1`,
		`gateway_http_request_duration_seconds_bucket{method="POST",route="/api/v1/orders",le="+Inf"} 2`,
		`gateway_payments{status="success"} 1`,
		`gateway_payments{status="failed"} 1`,
		`gateway_database_up 1`,
		`temporal_`, // the SDK's own metrics
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMetricsCountQueuedStarts(t *testing.T) {
	gw := gatewaytest.Start(t)
	holdStarts(t, gw)
	gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 500), "method": "upi", "vpa": "user@upi"})
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/metrics", Anonymous: true})
	if want := "\ngateway_workflow_starts_queued 1\n"; !strings.Contains(string(r.Body), want) {
		t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
	}
}
