package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

// A delivery's test clock: with retries an hour apart, advancing a failed delivery by an hour
// makes its second attempt now, and that one is delivered.
func TestWebhookTestClock(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) {
		c.Webhooks.RetryIntervals = []time.Duration{time.Hour, time.Hour}
	})
	rc := withWebhooks(t, gw)
	rc.Respond = func(_ string, arrival int) int {
		if arrival == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	event := gw.Post(t, "/api/v1/webhooks/test", nil).JSON(t)["id"].(string)
	rc.WaitFor(t, 10*time.Second, "the first attempt", func([]gatewaytest.Delivery) bool { return len(rc.Of("webhook.test")) == 1 })
	// The refused attempt is recorded before the retry's timer starts.
	gw.WaitFor(t, "/api/v1/webhooks/"+event, func(l map[string]any) bool { return l["attempts"] == 1.0 })

	if r := gw.Post(t, "/api/v1/test/webhooks/"+event+"/advance", map[string]any{"by": "59m"}); r.Status != http.StatusOK {
		t.Fatalf("advance 59m = %d %s", r.Status, r.Body)
	}
	time.Sleep(300 * time.Millisecond) // a second attempt would arrive about now
	if n := len(rc.Of("webhook.test")); n != 1 {
		t.Fatalf("%d attempts after advancing 59 of the 60 minutes, want 1", n)
	}
	if r := gw.Post(t, "/api/v1/test/webhooks/"+event+"/advance", map[string]any{"by": "1m"}); r.Status != http.StatusOK {
		t.Fatalf("advance 1m = %d %s", r.Status, r.Body)
	}
	rc.WaitFor(t, 10*time.Second, "the second attempt", func([]gatewaytest.Delivery) bool { return len(rc.Of("webhook.test")) == 2 })
	l := gw.WaitFor(t, "/api/v1/webhooks/"+event, func(l map[string]any) bool { return l["status"] != "pending" })
	if l["status"] != "success" || l["attempts"] != 2.0 {
		t.Errorf("delivery = %v, want success after 2 attempts", l)
	}
	if r := gw.Post(t, "/api/v1/test/webhooks/evt_AAAAAAAAAAAAAAAA/advance", map[string]any{"by": "1h"}); r.Status != http.StatusNotFound {
		t.Errorf("advance of an unknown delivery = %d", r.Status)
	}
}
