//go:build faults

package faults

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestRateLimitBurst gives each API key a small token bucket (API_RATE_LIMIT=5 a second,
// API_RATE_BURST=10) and bursts past it: the burst and what refills go through, the rest is
// answered 429 RATE_LIMIT_ERROR with Retry-After: 1, refused creates write nothing, another
// merchant's key keeps its own bucket, and a sustained overload gets the rate, no more.
func TestRateLimitBurst(t *testing.T) {
	figures.track(t)
	const rate, burst = 5, 10
	s := startDev(t, options{RateLimit: rate, RateBurst: burst})
	db := openDB(t, s.dbURL)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var reg struct {
		Merchant struct {
			APIKey    string `json:"apiKey"`
			APISecret string `json:"apiSecret"`
		} `json:"merchant"`
	}
	newAPIClient(s.base, "", "").mustDo(t, http.StatusCreated, "POST", "/api/v1/auth/register", map[string]any{
		"name": "Second", "email": "second@example.com", "password": "password123", "confirmPassword": "password123"}, &reg)
	other := newAPIClient(s.base, reg.Merchant.APIKey, reg.Merchant.APISecret)

	// The burst: 60 requests at once, half of them creates.
	const n = 60
	began := time.Now()
	results := atOnce(n, func(i int) response {
		if i%2 == 0 {
			return s.api.do(ctx, "POST", "/api/v1/orders", map[string]any{"amount": 1000 + i}, nil)
		}
		return s.api.get(ctx, "/api/v1/payments?limit=1")
	})
	burstEnd := time.Now()
	elapsed := burstEnd.Sub(began)
	figures.faults.Add(1)

	var through, limited, created int
	for _, r := range results {
		switch {
		case r.Status == http.StatusOK || r.Status == http.StatusCreated:
			through++
			if r.Status == http.StatusCreated {
				created++
			}
		case r.Status == http.StatusTooManyRequests && r.code() == "RATE_LIMIT_ERROR" && r.Header.Get("Retry-After") == "1":
			limited++ // a token comes every 200 ms: Retry-After rounds up to 1 s
		default:
			t.Errorf("burst: answer outside the contract (Retry-After %q): %s", r.Header.Get("Retry-After"), r)
		}
	}
	if most := burst + int(rate*elapsed.Seconds()) + 1; through < burst || through > most || limited == 0 {
		t.Errorf("burst of %d in %s: %d went through (want %d to %d), %d limited", n, elapsed.Round(time.Millisecond), through, burst, most, limited)
	}
	var orders int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	if orders != created {
		t.Errorf("%d orders answered 201 but %d in the table: a refused request wrote", created, orders)
	}
	if r := other.get(ctx, "/api/v1/payments?limit=1"); r.Status != http.StatusOK {
		t.Errorf("another merchant's key is limited by this one's burst: %s", r)
	}

	// Sustained: 4 clients, each trying 50 requests a second, get the rate between them. The
	// window starts at the end of the burst, which left the bucket empty.
	var sustained tally
	began = burstEnd
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for i := 0; i < 150 && time.Since(began) < 3*time.Second; i++ {
				<-tick.C
				sustained.add(s.api.get(ctx, "/api/v1/payments?limit=1"))
			}
		}()
	}
	wg.Wait()
	window := time.Since(began)
	figures.faults.Add(1)
	refill := int(rate * window.Seconds())
	// At most the refill and the fraction of a token the burst left; not much less, unless the
	// machine is too busy to send the requests.
	if ok := sustained.get(http.StatusOK); ok < refill*2/3 || ok > refill+1 {
		t.Errorf("sustained for %s: %s; want about %d through (%d a second)", window.Round(time.Millisecond), sustained.String(), refill, rate)
	}

	time.Sleep(time.Second) // what Retry-After said
	if r := s.api.get(ctx, "/api/v1/payments?limit=1"); r.Status != http.StatusOK {
		t.Errorf("still limited after Retry-After: %s", r)
	}
	t.Logf("burst of %d in %s: %d through, %d limited (429, Retry-After: 1); sustained for %s: %s",
		n, elapsed.Round(time.Millisecond), through, limited, window.Round(time.Millisecond), sustained.String())
}
