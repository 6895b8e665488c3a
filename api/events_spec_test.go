package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/workflows"
)

// eventsSpecChecks exercises the documented answers of the events API and webhook endpoints for
// TestOpenAPIResponses (do validates each answer against openapi.json).
func eventsSpecChecks(t *testing.T, gw *gatewaytest.Stack, do func(method, path string, body any, want int, headers ...map[string]string) gatewaytest.Response,
	checkDelivery func(*testing.T, gatewaytest.Delivery)) {
	t.Helper()
	rc := gatewaytest.NewReceiver(t)
	e := do(http.MethodPost, "/api/v1/webhook_endpoints", map[string]any{"url": rc.URL, "enabled_events": []string{"payment.*"}, "description": "spec"}, 201).JSON(t)
	do(http.MethodPost, "/api/v1/webhook_endpoints", map[string]any{"url": rc.URL, "enabled_events": []string{"nope"}}, 400)
	path := "/api/v1/webhook_endpoints/" + e["id"].(string)
	do(http.MethodGet, "/api/v1/webhook_endpoints", nil, 200)
	do(http.MethodGet, path, nil, 200)
	do(http.MethodGet, "/api/v1/webhook_endpoints/we_0000000000000000", nil, 404)
	do(http.MethodPatch, path, map[string]any{"status": "disabled", "description": "off"}, 200)
	do(http.MethodPatch, path, map[string]any{"status": "paused"}, 400)
	do(http.MethodPatch, "/api/v1/webhook_endpoints/we_0000000000000000", map[string]any{"description": "x"}, 404)
	do(http.MethodPost, path+"/replay", map[string]any{"types": []string{"payment.*"}}, 400) // disabled
	do(http.MethodPatch, path, map[string]any{"status": "enabled"}, 200)
	replay := do(http.MethodPost, path+"/replay", map[string]any{"created": map[string]any{"gte": 0}, "types": []string{"payment.*"}}, 201).JSON(t)
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE webhook_replays SET status = 'running' WHERE id = $1`, replay["id"]); err != nil {
		t.Fatal(err) // running again for the 409, whether it has finished or not
	}
	do(http.MethodPost, path+"/replay", nil, 409)
	do(http.MethodPost, "/api/v1/webhook_endpoints/we_0000000000000000/replay", nil, 404)
	do(http.MethodPost, "/api/v1/replays/"+replay["id"].(string)+"/cancel", nil, 200)
	do(http.MethodPost, "/api/v1/replays/"+replay["id"].(string)+"/cancel", nil, 400)
	do(http.MethodPost, "/api/v1/replays/rpl_0000000000000000/cancel", nil, 404)
	do(http.MethodGet, "/api/v1/replays/"+replay["id"].(string), nil, 200)
	do(http.MethodGet, "/api/v1/replays/rpl_0000000000000000", nil, 404)
	do(http.MethodGet, path+"/replays", nil, 200)
	do(http.MethodGet, "/api/v1/webhook_endpoints/we_0000000000000000/replays", nil, 404)
	do(http.MethodPost, path+"/roll-secret", nil, 200)
	do(http.MethodPost, "/api/v1/webhook_endpoints/we_0000000000000000/roll-secret", nil, 404)
	do(http.MethodDelete, path, nil, 200)
	do(http.MethodDelete, path, nil, 404)

	// An endpoint that has failed for long enough is disabled, and the others are told.
	watcher := gatewaytest.NewReceiver(t)
	do(http.MethodPost, "/api/v1/webhook_endpoints", map[string]any{"url": watcher.URL, "enabled_events": []string{"webhook_endpoint.disabled"}}, 201)
	dead := do(http.MethodPost, "/api/v1/webhook_endpoints", map[string]any{"url": rc.URL, "enabled_events": []string{"webhook.test"}}, 201).JSON(t)
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE webhook_endpoints SET failing_since = now() - interval '100 days', failed_events = 5 WHERE id = $1`, dead["id"]); err != nil {
		t.Fatal(err)
	}
	run, err := gw.Temporal.ExecuteWorkflow(t.Context(), clientOptions(gw, "spec-endpoint-health"), workflows.EndpointHealthWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	for _, d := range watcher.WaitFor(t, 20*time.Second, "webhook_endpoint.disabled", func(ds []gatewaytest.Delivery) bool { return len(ds) > 0 }) {
		checkDelivery(t, d)
	}

	list := do(http.MethodGet, "/api/v1/events?limit=3&type=payment.*", nil, 200).JSON(t)
	data := list["data"].([]any)
	if len(data) == 0 {
		t.Fatal("no payment events to check")
	}
	id := data[0].(map[string]any)["id"].(string)
	do(http.MethodGet, "/api/v1/events?ending_before="+id, nil, 200)
	do(http.MethodGet, "/api/v1/events?type=nope", nil, 400)
	do(http.MethodGet, "/api/v1/events/"+id, nil, 200)
	do(http.MethodGet, "/api/v1/events/evt_0000000000000000", nil, 404)
}
