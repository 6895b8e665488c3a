package api_test

import (
	"io"
	"math/rand/v2"
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

// Unauthenticated traffic with made-up methods (some of them tens of kilobytes long) and paths
// adds no series to /metrics once each kind of request has been seen: every label takes its
// values from a fixed set.
func TestMetricsSeriesBounded(t *testing.T) {
	gw := gatewaytest.Start(t)
	rng := rand.New(rand.NewPCG(13, 2))
	kinds := []func() string{
		func() string { return "/" + randomToken(rng, 1+rng.IntN(12)) + "/" + randomToken(rng, 1+rng.IntN(12)) }, // the UI's catch-all
		func() string { return "/api/v1/payments/" + randomToken(rng, 1+rng.IntN(20)) },                          // a route template
		func() string { return "/api/v1/" + randomToken(rng, 1+rng.IntN(20)) },                                   // no route
	}
	send := func(method, path string) {
		t.Helper()
		req, err := http.NewRequest(method, gw.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%.20s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	known := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	// First wave: every kind of path with every standard method and one made-up method, and a
	// scrape (which counts itself).
	for _, path := range kinds {
		for _, m := range append(known, randomToken(rng, 8)) {
			send(m, path())
		}
	}
	send(http.MethodGet, "/metrics")
	before, size := httpSeries(t, gw)
	if len(before) == 0 {
		t.Fatal("no gateway_http series after the first wave")
	}

	for i := range 1000 {
		method := known[rng.IntN(len(known))]
		switch {
		case i%20 == 0:
			method = randomToken(rng, 30_000+rng.IntN(30_000))
		case rng.IntN(2) == 0:
			method = randomToken(rng, 1+rng.IntN(40))
		}
		send(method, kinds[rng.IntN(len(kinds))]())
	}
	after, sizeAfter := httpSeries(t, gw)
	if len(after) != len(before) {
		var added []string
		for s := range after {
			if !before[s] {
				added = append(added, s[:min(len(s), 120)])
			}
		}
		t.Fatalf("gateway_http series went from %d to %d after 1000 requests; new ones include %q", len(before), len(after), added[:min(len(added), 5)])
	}
	if sizeAfter > 2*size {
		t.Errorf("/metrics grew from %d to %d bytes", size, sizeAfter)
	}
}

// httpSeries returns the gateway_http_* series on /metrics (without their values), and the
// size of the whole page.
func httpSeries(t *testing.T, gw *gatewaytest.Stack) (map[string]bool, int) {
	t.Helper()
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/metrics", Anonymous: true})
	if r.Status != http.StatusOK {
		t.Fatalf("/metrics = %d", r.Status)
	}
	series := map[string]bool{}
	for _, line := range strings.Split(string(r.Body), "\n") {
		if strings.HasPrefix(line, "gateway_http_") {
			series[line[:strings.LastIndexByte(line, ' ')]] = true
		}
	}
	return series, len(r.Body)
}

// randomToken is n characters that are valid in a method and in a path segment.
func randomToken(rng *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}
