package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/workflows"
)

// An endpoint whose every delivery fails for WEBHOOK_DISABLE_AFTER with 5 failed events is
// disabled by EndpointHealthWorkflow: the audit log says so, the merchant's other endpoints get
// webhook_endpoint.disabled, and re-enabling it resets its count. A success resets it too.
func TestEndpointAutoDisableAndReEnable(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.Webhooks.DisableAfter = 2 * time.Second })
	watcher, dead := gatewaytest.NewReceiver(t), gatewaytest.NewReceiver(t)
	dead.Respond = func(string, int) int { return http.StatusInternalServerError }
	w := createEndpoint(t, gw, watcher.URL, "webhook_endpoint.*")
	d := createEndpoint(t, gw, dead.URL, "webhook.test")
	path := "/api/v1/webhook_endpoints/" + d["id"].(string)
	health := func() []string {
		t.Helper()
		run, err := gw.Temporal.ExecuteWorkflow(t.Context(), clientOptions(gw, fmt.Sprintf("health-%d", time.Now().UnixNano())), workflows.EndpointHealthWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		var disabled []string
		if err := run.Get(t.Context(), &disabled); err != nil {
			t.Fatal(err)
		}
		return disabled
	}

	for range 4 {
		gw.Post(t, "/api/v1/webhooks/test", nil)
	}
	gw.WaitFor(t, path, func(e map[string]any) bool { return e["failed_events"] == 4.0 && e["failing_since"] != nil })
	time.Sleep(2100 * time.Millisecond)
	if got := health(); len(got) != 0 {
		t.Fatalf("disabled with 4 failed events: %v", got)
	}
	gw.Post(t, "/api/v1/webhooks/test", nil)
	gw.WaitFor(t, path, func(e map[string]any) bool { return e["failed_events"] == 5.0 })
	if got := health(); !slices.Equal(got, []string{d["id"].(string)}) {
		t.Fatalf("health disabled %v, want %s", got, d["id"])
	}
	e := gw.Get(t, path).JSON(t)
	if e["status"] != "disabled" || e["disabled_reason"] == nil || e["disabled_at"] == nil {
		t.Errorf("endpoint %v", e)
	}
	ds := watcher.WaitFor(t, 20*time.Second, "webhook_endpoint.disabled", func(ds []gatewaytest.Delivery) bool { return len(ds) == 1 })
	verify(t, w["secret"].(string), ds[0])
	if got := ds[0].Event.Data["webhook_endpoint"].(map[string]any); ds[0].Event.Event != "webhook_endpoint.disabled" || got["id"] != d["id"] || got["failed_events"] != 5.0 {
		t.Errorf("event %s %v", ds[0].Event.Event, ds[0].Event.Data)
	}
	audit := gw.Get(t, "/api/v1/audit-log").JSON(t)["entries"].([]any)
	if a := audit[0].(map[string]any); a["action"] != "webhook_endpoint_disabled" || a["target"] != d["id"] {
		t.Errorf("latest audit entry %v", a)
	}
	// Disabled: no more deliveries.
	before := len(dead.Deliveries())
	gw.Post(t, "/api/v1/webhooks/test", nil)

	// Re-enabled: the count starts again, and a success resets it.
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodPatch, Path: path, Body: map[string]any{"status": "enabled"}}).JSON(t)
	if r["status"] != "enabled" || r["failed_events"] != 0.0 || r["failing_since"] != nil || r["disabled_reason"] != nil {
		t.Errorf("re-enabled %v", r)
	}
	if n := len(dead.Deliveries()); n != before {
		t.Errorf("%d deliveries while disabled", n-before)
	}
	gw.Post(t, "/api/v1/webhooks/test", nil)
	gw.WaitFor(t, path, func(e map[string]any) bool { return e["failed_events"] == 1.0 })
	dead.Respond = nil
	gw.Post(t, "/api/v1/webhooks/test", nil)
	gw.WaitFor(t, path, func(e map[string]any) bool { return e["failed_events"] == 0.0 && e["failing_since"] == nil })
}
