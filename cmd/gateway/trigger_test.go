package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paygate/paygate/client"
	"github.com/paygate/paygate/gatewaytest"
)

func TestMain(m *testing.M) { os.Exit(gatewaytest.Main(m)) }

// gateway trigger, against a running gateway, makes each event flow through it: recorded in the
// events API and delivered, signed, to the merchant's endpoint.
func TestTriggerAgainstARunningGateway(t *testing.T) {
	gw := gatewaytest.Start(t)
	c := client.New(gatewaytest.APIKey, gatewaytest.APISecret, client.WithBaseURL(gw.URL))
	rc := gatewaytest.NewReceiver(t)
	cfg, err := c.SetWebhookURL(t.Context(), rc.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, event := range triggerNames() {
		t.Run(event, func(t *testing.T) {
			var out bytes.Buffer
			if err := trigger(t.Context(), c, event, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "event "+event+" evt_") {
				t.Errorf("printed:\n%s", out.String())
			}
			ds := rc.WaitFor(t, 20*time.Second, event, func([]gatewaytest.Delivery) bool { return len(rc.Of(event)) > 0 })
			for _, d := range ds {
				if d.Event.Event == event {
					if _, err := client.VerifyWebhook(d.Body, d.Header, cfg.Secret); err != nil {
						t.Errorf("%s does not verify: %v", event, err)
					}
				}
			}
		})
	}
	if err := trigger(t.Context(), c, "payment.nope", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "payment.success") {
		t.Errorf("unknown event: %v", err)
	}
}
