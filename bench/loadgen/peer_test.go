package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paygate/paygate/webhooks"
)

// fakePeer answers the peer's webhook configuration and payment list the way
// MareeduManikanta123/payment_gateway_async does (8ab41aa, backend/src/routes).
func fakePeer(t *testing.T, configured *map[string]string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "key_test_abc123" || r.Header.Get("X-Api-Secret") != "secret_test_xyz789" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/api/v1/webhooks":
			var body map[string]string
			json.NewDecoder(r.Body).Decode(&body)
			*configured = body
			json.NewEncoder(w).Encode(map[string]any{"webhook_url": body["webhook_url"], "webhook_secret": body["webhook_secret"][:10] + "***"})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/payments":
			w.Write([]byte(`[{"id":"pay_1","status":"success"},{"id":"pay_2","status":"pending"},{"id":"pay_3","status":"pending"},{"id":"pay_4","status":"failed"}]`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
}

func TestPeerModeConfiguresAndVerifiesLegacySignatures(t *testing.T) {
	var configured map[string]string
	srv := fakePeer(t, &configured)
	defer srv.Close()
	a := newAPI(options{url: srv.URL, clients: 1, key: "key_test_abc123", secret: "secret_test_xyz789", peer: true})
	rc, err := startReceiver(true)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.close()
	if err := rc.configure(context.Background(), a, true); err != nil {
		t.Fatal(err)
	}
	secret := *rc.secret.Load()
	if configured["webhook_url"] != rc.url || configured["webhook_secret"] != secret || !strings.HasPrefix(secret, "whsec_bench_") {
		t.Fatalf("configured %v, receiver %s with secret %q", configured, rc.url, secret)
	}

	// The peer's delivery: JSON.stringify(payload), signed with hex HMAC-SHA256 in X-Webhook-Signature.
	deliver := func(event, id, sig string) int {
		body := []byte(`{"event":"` + event + `","timestamp":1764777600,"data":{"payment":{"id":"` + id + `","status":"success"}}}`)
		if sig == "" {
			sig = webhooks.LegacySignature(secret, body)
		}
		req, _ := http.NewRequest(http.MethodPost, rc.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Webhook-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := deliver("payment.success", "pay_1", ""); code != http.StatusOK {
		t.Errorf("signed delivery answered %d", code)
	}
	deliver("payment.success", "pay_1", "")
	if code := deliver("payment.success", "pay_2", strings.Repeat("0", 64)); code != http.StatusBadRequest {
		t.Errorf("badly signed delivery answered %d", code)
	}
	got := rc.snapshot()
	if got.Success != 1 || got.Duplicates != 1 || got.BadSignatures != 1 {
		t.Errorf("counts = %+v", got)
	}
	at := make([]time.Time, 2)
	if n := rc.arrived([]string{"pay_1", "pay_2"}, at); n != 1 || at[0].IsZero() {
		t.Errorf("arrived = %d, %v", n, at)
	}
	if n := pendingLeft(context.Background(), a); n != 2 {
		t.Errorf("pending left = %d, want 2", n)
	}
}

func TestOurReceiverRefusesLegacyOnlySignatures(t *testing.T) {
	rc := &receiver{}
	secret := "whsec_x"
	rc.secret.Store(&secret)
	body := []byte(`{}`)
	h := http.Header{}
	h.Set(webhooks.HeaderLegacySignature, webhooks.LegacySignature(secret, body))
	if rc.verify(secret, body, h, time.Now()) {
		t.Error("PayGate mode accepted a delivery without a Standard Webhooks signature")
	}
	rc.legacy = true
	if !rc.verify(secret, body, h, time.Now()) {
		t.Error("peer mode refused a correct X-Webhook-Signature")
	}
}

func TestParseCPUGroup(t *testing.T) {
	name, pids, err := parseCPUGroup("worker=12,34")
	if err != nil || name != "worker" || !slices.Equal(pids, []int{12, 34}) {
		t.Errorf("got %q %v %v", name, pids, err)
	}
	for _, bad := range []string{"worker", "=12", "worker=", "worker=x", "worker=0", "host=1", "other=1", "loadgen=1"} {
		if _, _, err := parseCPUGroup(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestCPUGroupOrderAndSystemCPU(t *testing.T) {
	cpu := map[string]CPU{
		"host": {PerItemMillis: 20}, "other": {PerItemMillis: 3}, "loadgen": {PerItemMillis: 2},
		"postgres": {PerItemMillis: 4}, "redis": {PerItemMillis: 1}, "worker": {PerItemMillis: 6}, "api": {PerItemMillis: 4}, "zeta": {PerItemMillis: 0.5},
	}
	if got := cpuGroupOrder(cpu); !slices.Equal(got, []string{"api", "worker", "redis", "postgres", "zeta", "loadgen", "other", "host"}) {
		t.Errorf("order = %v", got)
	}
	if got := systemCPU(cpu).PerItemMillis; got != 15.5 {
		t.Errorf("system CPU per item = %v, want 15.5 (api, worker, redis, postgres, zeta)", got)
	}
}

func fakeRun(system string, pair, clients int, e2e, p50, p99, host float64) Result {
	r := Result{Bench: "paygate-loadgen", System: system, Pair: pair, Clients: clients, Payments: 100 * clients, Started: "2026-12-03T16:00:00Z"}
	r.Gateway.EndToEndPerSecond = e2e
	r.Gateway.CreatePayment = Latency{N: 100, P50: p50, P99: p99}
	r.Gateway.CPU = map[string]CPU{"host": {PerItemMillis: host}, "gateway": {PerItemMillis: host / 2}}
	r.Gateway.Webhooks.Success = r.Payments
	return r
}

func TestComparisonRatiosAndMedians(t *testing.T) {
	runs := []Result{
		fakeRun(systemPayGate, 1, 50, 200, 40, 100, 10), fakeRun(systemPayGate, 1, 10, 150, 20, 40, 12),
		fakeRun(systemPeer, 1, 50, 100, 80, 200, 20), fakeRun(systemPeer, 1, 10, 100, 40, 80, 24),
		fakeRun(systemPayGate, 2, 50, 120, 40, 300, 10), fakeRun(systemPayGate, 2, 10, 150, 20, 40, 12),
		fakeRun(systemPeer, 2, 50, 100, 80, 200, 20), fakeRun(systemPeer, 2, 10, 100, 40, 80, 24),
		fakeRun(systemPayGate, 3, 50, 150, 40, 250, 10),
		fakeRun(systemPeer, 3, 50, 100, 80, 200, 20),
	}
	var lines bytes.Buffer
	for _, r := range runs {
		b, _ := json.Marshal(r)
		lines.Write(append(b, '\n'))
		lines.WriteString("=== not a JSON line\n")
	}
	back, err := readResults(&lines)
	if err != nil || len(back) != len(runs) {
		t.Fatalf("read %d results, %v", len(back), err)
	}
	var out strings.Builder
	if err := printComparison(&out, back); err != nil {
		t.Fatal(err)
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	text := squeeze(out.String())
	for _, want := range []string{
		// pair 1, 50 clients: 200/100 end to end, 40/80 p50, 100/200 p99, 10/20 host CPU.
		"end to end, payments/s                   200.0      100.0       2.00",
		"create-payment p99, ms                   300.0      200.0       1.50",
		// medians over the three pairs: end to end 2.00, 1.20, 1.50; p99 0.50, 1.50, 1.25.
		"50 x 5000  end to end, payments/s                                2.00    1.20    1.50    1.50",
		"50 x 5000  create-payment p99, ms                                0.50    1.50    1.25    1.25",
		// pair 3 has no 10-client run: no ratio, and the median of the other two.
		"10 x 1000  end to end, payments/s                                1.50    1.50       –    1.50",
		"goal: end to end at 50 clients >= 1.3x the peer (fresh database)   median 1.50x  met",
		"goal: create-payment p99 at 50 clients no worse than the peer's     median 1.25x  NOT MET",
		"goal: create-payment p50 at 50 clients below the peer's            median 0.50x  met",
	} {
		if !strings.Contains(text, squeeze(want)) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
	if median([]float64{3, 1, 2, 10}) != 2.5 {
		t.Error("median of an even count")
	}
}
