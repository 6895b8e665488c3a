package client_test

import (
	"slices"
	"testing"
	"time"

	"github.com/paygate/paygate/client"
	"github.com/paygate/paygate/gatewaytest"
)

// The Go client's events, webhook endpoints and replays against a running gateway.
func TestEventsEndpointsAndReplays(t *testing.T) {
	_, c := start(t)
	ctx := ctxFor(t)
	rc := gatewaytest.NewReceiver(t)
	events := []string{"refund.*", client.EventPaymentSuccess}
	e := must(c.CreateWebhookEndpoint(ctx, client.WebhookEndpointParams{URL: &rc.URL, EnabledEvents: &events}))(t)
	if e.Secret == "" || e.Status != "enabled" || e.Primary {
		t.Fatalf("created %+v", e)
	}
	for range 3 {
		paid(t, c, 500)
	}
	var seen []string
	for ev, err := range c.AllEvents(ctx, client.ListEventsRequest{Type: "payment.*", Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ev.Type)
		if ev.Data.Payment == nil {
			t.Errorf("event %s without its payment", ev.ID)
		}
	}
	if len(seen) != 9 || seen[0] != client.EventPaymentSuccess {
		t.Errorf("AllEvents: %v", seen)
	}
	first := must(c.ListEvents(ctx, client.ListEventsRequest{Type: client.EventPaymentSuccess, Limit: 1}))(t)
	got := must(c.GetEvent(ctx, first.Data[0].ID))(t)
	if got.ID != first.Data[0].ID || got.Type != client.EventPaymentSuccess {
		t.Errorf("GetEvent %+v", got)
	}
	ds := rc.WaitFor(t, 20*time.Second, "3 payment.success", func(ds []gatewaytest.Delivery) bool { return len(ds) >= 3 })
	for _, d := range ds {
		if _, err := client.VerifyWebhook(d.Body, d.Header, e.Secret); err != nil {
			t.Errorf("delivery does not verify with the endpoint's secret: %v", err)
		}
	}

	// The 3 payment.success deliveries succeeded (the last one may still be recording).
	var stats client.EndpointDeliveries
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if stats = must(c.GetWebhookEndpoint(ctx, e.ID))(t).Deliveries24h; stats.Succeeded == 3 {
			break
		}
	}
	if stats.Succeeded != 3 || stats.SuccessRate == nil || *stats.SuccessRate != 100 {
		t.Errorf("Deliveries24h %+v", stats)
	}

	off := "disabled"
	if u := must(c.UpdateWebhookEndpoint(ctx, e.ID, client.WebhookEndpointParams{Status: &off}))(t); u.Status != "disabled" || u.DisabledAt == nil {
		t.Errorf("disabled %+v", u)
	}
	on := "enabled"
	must(c.UpdateWebhookEndpoint(ctx, e.ID, client.WebhookEndpointParams{Status: &on}))(t)
	r := must(c.ReplayWebhookEndpoint(ctx, e.ID, client.ReplayRequest{Types: []string{client.EventPaymentSuccess}}))(t)
	for r.Status == "running" {
		time.Sleep(100 * time.Millisecond)
		r = must(c.GetReplay(ctx, r.ID))(t)
	}
	if r.Status != "succeeded" || r.Total != 3 || r.Sent != 3 {
		t.Errorf("replay %+v", r)
	}
	if _, err := c.CancelReplay(ctx, r.ID); !client.IsBadRequest(err) {
		t.Errorf("cancel of an ended replay: %v", err)
	}
	rolled := must(c.RollWebhookEndpointSecret(ctx, e.ID))(t)
	if rolled.Secret == "" || rolled.Secret == e.Secret {
		t.Errorf("rolled %+v", rolled)
	}
	list := must(c.ListWebhookEndpoints(ctx))(t)
	if !slices.ContainsFunc(list, func(x client.WebhookEndpoint) bool { return x.ID == e.ID }) {
		t.Errorf("list %+v", list)
	}
	if err := c.DeleteWebhookEndpoint(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWebhookEndpoint(ctx, e.ID); !client.IsNotFound(err) {
		t.Errorf("deleted endpoint: %v", err)
	}
}
