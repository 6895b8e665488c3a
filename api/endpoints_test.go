package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

func createEndpoint(t *testing.T, gw *gatewaytest.Stack, url string, events ...string) map[string]any {
	t.Helper()
	return gw.MustCreate(t, "/api/v1/webhook_endpoints", map[string]any{"url": url, "enabled_events": events, "description": "test"})
}

// namesOf lists the event names of the deliveries about payment id (or every one with id "").
func namesOf(ds []gatewaytest.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Event.Event)
	}
	sort.Strings(out)
	return out
}

// An event reaches exactly the enabled endpoints whose filter matches it, each delivery signed
// with its endpoint's own secret and carrying the event's id; the webhooks/config endpoint
// (primary, subscribed to *) keeps the merchant's webhook secret.
func TestEndpointFilters(t *testing.T) {
	gw := gatewaytest.Start(t)
	all, success, payments, disabled := gatewaytest.NewReceiver(t), gatewaytest.NewReceiver(t), gatewaytest.NewReceiver(t), gatewaytest.NewReceiver(t)
	primarySecret := configureWebhook(t, gw, all.URL)
	es := createEndpoint(t, gw, success.URL, "payment.success", "refund.*")
	ep := createEndpoint(t, gw, payments.URL, "payment.*")
	ed := createEndpoint(t, gw, disabled.URL, "*")
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodPatch, Path: "/api/v1/webhook_endpoints/" + ed["id"].(string),
		Body: map[string]any{"status": "disabled"}}); r.Status != http.StatusOK || r.JSON(t)["status"] != "disabled" {
		t.Fatalf("disable = %d %s", r.Status, r.Body)
	}
	for _, e := range []map[string]any{es, ep, ed} {
		if e["status"] != "enabled" || e["secret"] == primarySecret || e["secret"] == nil || e["primary"] != false {
			t.Errorf("created endpoint %v", e)
		}
	}

	id := paidPayment(t, gw, 50000)
	gw.MustCreate(t, "/api/v1/payments/"+id+"/refunds", map[string]any{"amount": 20000})
	want := map[*gatewaytest.Receiver][]string{
		all:      {"payment.created", "payment.pending", "payment.success", "refund.created", "refund.processed"},
		success:  {"payment.success", "refund.created", "refund.processed"},
		payments: {"payment.created", "payment.pending", "payment.success"},
	}
	secrets := map[*gatewaytest.Receiver]string{all: primarySecret, success: es["secret"].(string), payments: ep["secret"].(string)}
	eventIDs := map[string]string{} // event name → id, the same at every endpoint
	for rc, names := range want {
		ds := rc.WaitFor(t, 20*time.Second, fmt.Sprint(names), func(ds []gatewaytest.Delivery) bool { return len(ds) >= len(names) })
		if got := namesOf(ds); !slices.Equal(got, names) {
			t.Errorf("%s got %v, want %v", rc.URL, got, names)
		}
		for _, d := range ds {
			verify(t, secrets[rc], d)
			if prev, ok := eventIDs[d.Event.Event]; ok && prev != d.Event.ID {
				t.Errorf("%s has id %s at one endpoint, %s at another", d.Event.Event, prev, d.Event.ID)
			}
			eventIDs[d.Event.Event] = d.Event.ID
		}
	}
	time.Sleep(500 * time.Millisecond) // nothing more arrives, and nothing at the disabled one
	if n := len(disabled.Deliveries()); n != 0 {
		t.Errorf("disabled endpoint got %d deliveries", n)
	}
	for rc, names := range want {
		if n := len(rc.Deliveries()); n != len(names) {
			t.Errorf("%s got %d deliveries, want %d", rc.URL, n, len(names))
		}
	}

	// Delivery logs name their endpoint and filter by it.
	logs := gw.Get(t, "/api/v1/webhooks?limit=100&endpoint_id="+es["id"].(string)).JSON(t)
	if logs["total"] != 3.0 {
		t.Errorf("logs of %s: %v", es["id"], logs["total"])
	}
	for _, l := range logs["data"].([]any) {
		l := l.(map[string]any)
		if l["endpoint_id"] != es["id"] || l["event_id"] != eventIDs[l["event"].(string)] || l["status"] != "success" {
			t.Errorf("log %v", l)
		}
	}
	// The events API has every event once, whatever the endpoints; prefix filters work.
	ev := gw.WaitFor(t, "/api/v1/events/"+eventIDs["payment.success"], func(e map[string]any) bool { return e["pending_webhooks"] == 0.0 })
	if ev["type"] != "payment.success" || ev["object"] != "event" || ev["data"].(map[string]any)["payment"].(map[string]any)["id"] != id {
		t.Errorf("event %v", ev)
	}
	list := gw.Get(t, "/api/v1/events?type=refund.*").JSON(t)["data"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["type"] != "refund.processed" || list[1].(map[string]any)["type"] != "refund.created" {
		t.Errorf("refund.* events %v", list)
	}
	if r := gw.Get(t, "/api/v1/events?type=nope.*"); r.Status != http.StatusBadRequest {
		t.Errorf("bad type = %d", r.Status)
	}

	// Roll a secret: later deliveries verify with the new one only.
	rolled := gw.Post(t, "/api/v1/webhook_endpoints/"+ep["id"].(string)+"/roll-secret", nil).JSON(t)
	if rolled["secret"] == ep["secret"] || rolled["secret"] == nil {
		t.Fatalf("rolled %v", rolled)
	}
	before := len(payments.Deliveries())
	paidPayment(t, gw, 100)
	ds := payments.WaitFor(t, 20*time.Second, "3 more", func(ds []gatewaytest.Delivery) bool { return len(ds) >= before+3 })
	for _, d := range ds[before:] {
		verify(t, rolled["secret"].(string), d)
	}
}

// Events are recorded with no endpoint at all.
func TestEventsWithoutEndpoint(t *testing.T) {
	gw := gatewaytest.Start(t)
	id := paidPayment(t, gw, 700)
	list := gw.Get(t, "/api/v1/events?type=payment.*").JSON(t)
	data := list["data"].([]any)
	if len(data) != 3 || list["has_more"] != false || list["object"] != "list" {
		t.Fatalf("events %v", list)
	}
	// Newest first; payment.created and payment.pending share their creation time (one statement).
	var names []string
	for _, e := range data {
		e := e.(map[string]any)
		names = append(names, e["type"].(string))
		if e["payment_id"] != id || e["pending_webhooks"] != 0.0 {
			t.Errorf("event %v", e)
		}
	}
	if names[0] != "payment.success" || !slices.Equal(sorted(names[1:]), []string{"payment.created", "payment.pending"}) {
		t.Errorf("events %v", names)
	}
	if total := gw.Get(t, "/api/v1/webhooks").JSON(t)["total"]; total != 0.0 {
		t.Errorf("%v deliveries without an endpoint", total)
	}
}

func TestEndpointCRUD(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	for _, body := range []map[string]any{
		{"url": rc.URL},
		{"url": rc.URL, "enabled_events": []string{}},
		{"url": rc.URL, "enabled_events": []string{"payment.nope"}},
		{"url": rc.URL, "enabled_events": []string{"nope.*"}},
		{"url": "http://169.254.169.254/latest", "enabled_events": []string{"*"}},
		{"url": rc.URL, "enabled_events": []string{"*"}, "status": "disabled"},
	} {
		if r := gw.Post(t, "/api/v1/webhook_endpoints", body); r.Status != http.StatusBadRequest {
			t.Errorf("create %v = %d %s", body, r.Status, r.Body)
		}
	}
	e := createEndpoint(t, gw, rc.URL, "payment.*")
	path := "/api/v1/webhook_endpoints/" + e["id"].(string)
	got := gw.Get(t, path).JSON(t)
	if got["secret"] != nil || got["url"] != rc.URL {
		t.Errorf("get shows %v", got)
	}
	patched := gw.Do(t, gatewaytest.Request{Method: http.MethodPatch, Path: path, Body: map[string]any{"enabled_events": []string{"refund.processed"}, "description": "refunds"}}).JSON(t)
	if fmt.Sprint(patched["enabled_events"]) != "[refund.processed]" || patched["description"] != "refunds" || patched["url"] != rc.URL {
		t.Errorf("patched %v", patched)
	}
	// At most 16 per merchant, counted safely under concurrent creates.
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 20 {
		wg.Go(func() {
			r := gw.Post(t, "/api/v1/webhook_endpoints", map[string]any{"url": rc.URL, "enabled_events": []string{"*"}})
			mu.Lock()
			codes[r.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[http.StatusCreated] != 15 || codes[http.StatusBadRequest] != 5 {
		t.Errorf("20 concurrent creates over 1 endpoint: %v", codes)
	}
	if n := len(gw.Get(t, "/api/v1/webhook_endpoints").JSON(t)["data"].([]any)); n != 16 {
		t.Errorf("%d endpoints", n)
	}
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodDelete, Path: path}); r.Status != http.StatusOK || r.JSON(t)["deleted"] != true {
		t.Errorf("delete = %d %s", r.Status, r.Body)
	}
	if r := gw.Get(t, path); r.Status != http.StatusNotFound {
		t.Errorf("deleted endpoint = %d", r.Status)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// deliveries_24h counts an endpoint's deliveries of the last 24 hours by outcome, and its success
// rate over those attempted: on the list, on one endpoint, and in an update's answer.
func TestEndpointDeliveries24h(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.Webhooks.RetryIntervals = []time.Duration{time.Hour} })
	good, bad := gatewaytest.NewReceiver(t), gatewaytest.NewReceiver(t)
	bad.Respond = func(string, int) int { return http.StatusInternalServerError }
	g := createEndpoint(t, gw, good.URL, "webhook.test")
	b := createEndpoint(t, gw, bad.URL, "webhook.test")
	zero := map[string]any{"succeeded": 0.0, "failed": 0.0, "retrying": 0.0, "pending": 0.0, "success_rate": nil}
	gPath, bPath := "/api/v1/webhook_endpoints/"+g["id"].(string), "/api/v1/webhook_endpoints/"+b["id"].(string)
	if !reflect.DeepEqual(g["deliveries_24h"], zero) || !reflect.DeepEqual(gw.Get(t, gPath).JSON(t)["deliveries_24h"], zero) {
		t.Errorf("a new endpoint's deliveries_24h: %v, then %v", g["deliveries_24h"], gw.Get(t, gPath).JSON(t)["deliveries_24h"])
	}
	counts := func(e map[string]any) map[string]any { return e["deliveries_24h"].(map[string]any) }

	for range 4 {
		gw.Post(t, "/api/v1/webhooks/test", nil)
	}
	gw.WaitFor(t, gPath, func(e map[string]any) bool { return counts(e)["succeeded"] == 4.0 })
	gw.WaitFor(t, bPath, func(e map[string]any) bool { return counts(e)["retrying"] == 4.0 })
	// One of the good endpoint's deliveries is older than 24 hours; one of the bad endpoint's
	// has run out of retries.
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE webhook_logs SET created_at = now() - interval '25 hours'
		WHERE id = (SELECT id FROM webhook_logs WHERE endpoint_id = $1 LIMIT 1)`, g["id"]); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE webhook_logs SET status = 'failed', next_retry_at = NULL
		WHERE id = (SELECT id FROM webhook_logs WHERE endpoint_id = $1 LIMIT 1)`, b["id"]); err != nil {
		t.Fatal(err)
	}
	// With the worker stopped, a new event waits unattempted at both.
	gw.StopWorker()
	gw.Post(t, "/api/v1/webhooks/test", nil)

	want := map[string]map[string]any{
		g["id"].(string): {"succeeded": 3.0, "failed": 0.0, "retrying": 0.0, "pending": 1.0, "success_rate": 100.0},
		b["id"].(string): {"succeeded": 0.0, "failed": 1.0, "retrying": 3.0, "pending": 1.0, "success_rate": 0.0},
	}
	for _, e := range gw.Get(t, "/api/v1/webhook_endpoints").JSON(t)["data"].([]any) {
		e := e.(map[string]any)
		if !reflect.DeepEqual(counts(e), want[e["id"].(string)]) {
			t.Errorf("list: %s deliveries_24h %v, want %v", e["id"], counts(e), want[e["id"].(string)])
		}
	}
	if got := counts(gw.Get(t, bPath).JSON(t)); !reflect.DeepEqual(got, want[b["id"].(string)]) {
		t.Errorf("get: deliveries_24h %v", got)
	}
	patched := gw.Do(t, gatewaytest.Request{Method: http.MethodPatch, Path: gPath, Body: map[string]any{"description": "still counted"}}).JSON(t)
	if got := counts(patched); !reflect.DeepEqual(got, want[g["id"].(string)]) {
		t.Errorf("update: deliveries_24h %v", got)
	}

	// A mix: 2 of 3 attempted succeeded.
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE webhook_logs SET status = 'failed'
		WHERE id = (SELECT id FROM webhook_logs WHERE endpoint_id = $1 AND status = 'success' AND created_at > now() - interval '1 hour' LIMIT 1)`, g["id"]); err != nil {
		t.Fatal(err)
	}
	if got := counts(gw.Get(t, gPath).JSON(t))["success_rate"]; got != 66.7 {
		t.Errorf("success_rate of 2 in 3 = %v", got)
	}
}
