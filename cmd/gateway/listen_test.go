package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paygate/paygate/webhooks"
)

func TestListenerVerifiesPrintsAndForwards(t *testing.T) {
	var forwarded http.Header
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forwarded = r.Header.Clone()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer app.Close()
	var out bytes.Buffer
	l := &listener{secret: "whsec_test_abc123", forwardTo: app.URL, out: &out, client: app.Client()}
	srv := httptest.NewServer(l)
	defer srv.Close()

	body := []byte(`{"id":"evt_1","event":"payment.success"}`)
	send := func(secret string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header = webhooks.Sign(secret, "evt_1", time.Now(), body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := send("whsec_test_abc123"); status != http.StatusAccepted {
		t.Errorf("forwarded status = %d, want the app's 202", status)
	}
	if forwarded.Get("Webhook-Id") != "evt_1" || forwarded.Get("X-Webhook-Signature") == "" {
		t.Errorf("forwarded headers = %v", forwarded)
	}
	send("whsec_wrong")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "payment.success") || !strings.Contains(lines[0], "evt_1  verified") ||
		!strings.Contains(lines[1], "NOT VERIFIED") {
		t.Errorf("printed:\n%s", out.String())
	}

	l.forwardTo = ""
	if status := send("whsec_wrong"); status != http.StatusBadRequest {
		t.Errorf("unverified delivery without forwarding = %d, want 400", status)
	}
}
