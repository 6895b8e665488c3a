//go:build faults

package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Unauthenticated requests with made-up methods (one in twenty 30-60 KB long: the HTTP server
// takes a request line up to its header limit) and random paths, sent to a whole `gateway dev`,
// add no series to /metrics once each kind has been seen, and leave its size where it was.
// Before the methods were bounded, 80 such requests made /metrics 63 MB until a restart.
func TestMetricsUnderMethodAbuse(t *testing.T) {
	figures.track(t)
	s := startDev(t, options{})
	anon := newAPIClient(s.base, "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	rng := rand.New(rand.NewPCG(2, 13))
	var mu sync.Mutex // rng is not safe for concurrent use
	pick := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	token := func(n int) string { return pick(alnum+"-_.~!#$%&'*+^`|", n) } // any HTTP token
	segment := func() string { return pick(alnum+"-_.~", 1+rng.IntN(16)) }
	paths := []func() string{
		func() string { return "/" + segment() },                   // the UI's catch-all: an asset that is not there
		func() string { return "/" + segment() + "/" + segment() }, // the UI's catch-all: no such page
		func() string { return "/dashboard/" + segment() },         // the UI's catch-all: the app
		func() string { return "/api/v1/payments/" + segment() },   // a route template
		func() string { return "/api/v1/" + segment() },            // no route
	}
	known := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	send := func(method, path string) response {
		return anon.do(ctx, method, path, nil, nil)
	}

	// First wave: every kind of path with each standard method and one made-up method, then a
	// scrape (which counts itself).
	for _, path := range paths {
		for _, m := range append(known, "BREW") {
			if r := send(m, path()); r.Err != nil {
				t.Fatalf("%s: %v", m, r.Err)
			}
		}
	}
	send(http.MethodGet, "/metrics")
	before := scrapeMetrics(t, ctx, anon)

	const n = 1000
	var wg sync.WaitGroup
	var failed sync.Map
	next := make(chan [2]string)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for req := range next {
				if r := send(req[0], req[1]); r.Err != nil {
					failed.Store(truncate(req[0], 20)+" "+req[1], r.Err.Error())
				}
			}
		}()
	}
	long := 0
	for i := range n {
		mu.Lock()
		method := known[rng.IntN(len(known))]
		switch {
		case i%20 == 0:
			method = token(30_000 + rng.IntN(30_000))
			long++
		case rng.IntN(2) == 0:
			method = token(1 + rng.IntN(40))
		}
		path := paths[rng.IntN(len(paths))]()
		mu.Unlock()
		next <- [2]string{method, path}
	}
	close(next)
	wg.Wait()
	figures.faults.Add(n)
	var problems []string
	failed.Range(func(k, v any) bool {
		problems = append(problems, fmt.Sprintf("%s: no answer: %s", k, v))
		return true
	})
	report(t, "requests got no answer", problems)

	after := scrapeMetrics(t, ctx, anon)
	if len(after.http) != len(before.http) {
		var added []string
		for s := range after.http {
			if !before.http[s] {
				added = append(added, truncate(s, 120))
			}
		}
		t.Errorf("gateway_http series went from %d to %d after %d requests (%d with 30-60 KB methods); new ones include %q",
			len(before.http), len(after.http), n, long, added[:min(len(added), 5)])
	}
	// The SDK's and runtime's own series may come and go a little; nothing a client sends grows them.
	if after.size > before.size+64<<10 || after.longest > 1<<10 {
		t.Errorf("/metrics grew from %d to %d bytes (read up to 4 MiB; longest line %d bytes) after %d requests", before.size, after.size, after.longest, n)
	}
	if h := s.api.get(ctx, "/health"); h.Status != http.StatusOK {
		t.Fatalf("not healthy after the requests: %s", h)
	}
	t.Logf("%d requests (%d with 30-60 KB methods): gateway_http series %d → %d, /metrics %d → %d bytes, %d series in all → %d",
		n, long, len(before.http), len(after.http), before.size, after.size, before.series, after.series)
}

type metricsPage struct {
	http    map[string]bool // the gateway_http_* series, without their values
	series  int             // every series
	size    int             // bytes
	longest int             // the longest line
}

func scrapeMetrics(t testing.TB, ctx context.Context, c *apiClient) metricsPage {
	t.Helper()
	r := c.get(ctx, "/metrics")
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("/metrics: %s", r)
	}
	p := metricsPage{http: map[string]bool{}, size: len(r.Body)}
	for _, line := range strings.Split(string(r.Body), "\n") {
		p.longest = max(p.longest, len(line))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p.series++
		if strings.HasPrefix(line, "gateway_http_") {
			name, _, _ := strings.Cut(line, "} ") // the value follows the labels (a page cut at 4 MiB may end inside them)
			p.http[name] = true
		}
	}
	return p
}
