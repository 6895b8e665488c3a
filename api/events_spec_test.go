package api_test

import (
	"net/http"
	"testing"

	"github.com/paygate/paygate/gatewaytest"
)

// eventsSpecChecks exercises the documented answers of the events API and webhook endpoints for
// TestOpenAPIResponses (do validates each answer against openapi.json).
func eventsSpecChecks(t *testing.T, gw *gatewaytest.Stack, do func(method, path string, body any, want int, headers ...map[string]string) gatewaytest.Response) {
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
	do(http.MethodPost, path+"/roll-secret", nil, 200)
	do(http.MethodPost, "/api/v1/webhook_endpoints/we_0000000000000000/roll-secret", nil, 404)
	do(http.MethodDelete, path, nil, 200)
	do(http.MethodDelete, path, nil, 404)

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
