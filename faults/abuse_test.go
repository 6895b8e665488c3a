//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// startDevTrusting is startDev with TRUSTED_PROXIES=127.0.0.1: the tests play clients at other
// addresses through X-Forwarded-For, as a load balancer on loopback would write it.
func startDevTrusting(t testing.TB, o options) *devStack {
	t.Helper()
	dir := tempDir(t, "dev")
	ports := freePorts(t, 4)
	vars := with(o.vars(), "DATA_DIR", dir, "PORT", strconv.Itoa(ports[0]), "DEV_POSTGRES_PORT", strconv.Itoa(ports[1]),
		"DEV_TEMPORAL_PORT", strconv.Itoa(ports[2]), "DEV_TEMPORAL_UI_PORT", strconv.Itoa(ports[3]), "TRUSTED_PROXIES", "127.0.0.1")
	s := &devStack{t: t, dir: dir, base: fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		dbURL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/gateway?sslmode=disable", ports[1])}
	s.gateway = newProc(t, dir, "gateway-dev", vars, "dev")
	s.api = newAPIClient(s.base, testAPIKey, testAPISecret)
	s.start()
	return s
}

// atOnce sends n requests at once and returns the answers in order.
func atOnce(n int, send func(i int) response) []response {
	out := make([]response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = send(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// TestAbuse plays an attacker against `gateway dev` behind a trusted proxy on loopback:
//   - 40 concurrent password guesses for one account from one address: at most 5 are checked
//     (401), the rest refused unchecked (429); the real user at another address still logs in;
//     X-Forwarded-For from an untrusted peer is not believed (the audit log has the real
//     client's address);
//   - card testing with the publishable key alone: 60 declining card payments on one order;
//     after 5 declines the order takes no payment (429 TOO_MANY_ATTEMPTS), from the checkout
//     or from the merchant's own API, and nothing more reaches the bank;
//   - 25 concurrent registrations from one address: 5 are made (5 bcrypt hashes), 20 refused.
func TestAbuse(t *testing.T) {
	figures.track(t)
	s := startDevTrusting(t, options{ProcessingDelay: 20 * time.Millisecond})
	db := openDB(t, s.dbURL)
	anon := newAPIClient(s.base, "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	t.Run("login guesses", func(t *testing.T) {
		var answers tally
		for _, r := range atOnce(40, func(i int) response {
			return anon.do(ctx, "POST", "/api/v1/auth/login", map[string]any{"email": "test@example.com", "password": fmt.Sprintf("guess-%d", i)},
				map[string]string{"X-Forwarded-For": "203.0.113.66"})
		}) {
			answers.add(r)
			if r.Status == http.StatusTooManyRequests && (r.code() != "RATE_LIMIT_ERROR" || r.Header.Get("Retry-After") == "") {
				t.Errorf("refused guess: %s (Retry-After %q)", r, r.Header.Get("Retry-After"))
			}
		}
		figures.faults.Add(40)
		if answers.get(http.StatusUnauthorized) > 5 || answers.get(http.StatusUnauthorized)+answers.get(http.StatusTooManyRequests) != 40 {
			t.Errorf("40 concurrent guesses: %s; want at most 5×401, the rest 429", answers.String())
		}
		if r := anon.do(ctx, "POST", "/api/v1/auth/login", map[string]any{"email": "test@example.com", "password": "test123"},
			map[string]string{"X-Forwarded-For": "198.51.100.23"}); r.Status != http.StatusOK {
			t.Errorf("the real user from another address: %s, want 200", r)
		}
		var audited string
		db.QueryRow(ctx, `SELECT source_address FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1`).Scan(&audited)
		if audited != "198.51.100.23" {
			t.Errorf("the login was audited from %q, want the forwarded client 198.51.100.23", audited)
		}

		// From 127.0.0.2, a peer that is not a trusted proxy, X-Forwarded-For is the client's own
		// claim: ignored, by the audit log as by the limits.
		untrusted := newAPIClient(s.base, "", "")
		untrusted.hc.Transport = &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}
		if r := untrusted.do(ctx, "POST", "/api/v1/auth/login", map[string]any{"email": "test@example.com", "password": "wrong"},
			map[string]string{"X-Forwarded-For": "198.51.100.23"}); r.Status != http.StatusUnauthorized {
			t.Errorf("a guess from an untrusted peer: %s, want 401", r)
		}
		db.QueryRow(ctx, `SELECT source_address FROM audit_log WHERE action = 'login_failed' ORDER BY id DESC LIMIT 1`).Scan(&audited)
		if audited != "127.0.0.2" {
			t.Errorf("a failure from the untrusted peer 127.0.0.2 was audited from %q (its spoofed X-Forwarded-For?)", audited)
		}
		t.Logf("40 concurrent guesses from one address: %s; the real user from another address logged in", answers.String())
	})

	t.Run("card testing on one order", func(t *testing.T) {
		var order struct {
			ID string `json:"id"`
		}
		s.api.mustDo(t, http.StatusCreated, "POST", "/api/v1/orders", map[string]any{"amount": 4999}, &order)
		declining := map[string]any{"number": "4000000000000002", "expiry_month": "12", "expiry_year": strconv.Itoa(time.Now().Year() + 2),
			"cvv": "123", "holder_name": "Card Tester"}
		var answers tally
		var tooMany int
		for i := range 60 {
			// From 12 addresses in turn, as a botnet would, so the per-address limit is not what stops it.
			r := anon.do(ctx, "POST", "/api/v1/payments/public",
				map[string]any{"key": testAPIKey, "order_id": order.ID, "method": "card", "card": declining},
				map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", 100+i%12)})
			answers.add(r)
			figures.faults.Add(1)
			switch {
			case r.Status == http.StatusCreated:
				var p struct {
					ID string `json:"id"`
				}
				json.Unmarshal(r.Body, &p)
				waitFinal(t, db, []string{p.ID}, time.Minute) // the next attempt needs this one over
			case r.Status == http.StatusTooManyRequests && r.code() == "TOO_MANY_ATTEMPTS":
				if retry, _ := strconv.Atoi(r.Header.Get("Retry-After")); retry < 29*60 || retry > 30*60 {
					t.Errorf("attempt %d: Retry-After %q, want about 30 min", i+1, r.Header.Get("Retry-After"))
				}
				tooMany++
			default:
				t.Errorf("attempt %d: %s", i+1, r)
			}
		}
		if answers.get(http.StatusCreated) != 5 || tooMany != 55 {
			t.Errorf("60 declining payments on one order: %s (%d TOO_MANY_ATTEMPTS); want 5 made, 55 refused", answers.String(), tooMany)
		}
		own := s.api.do(ctx, "POST", "/api/v1/payments", map[string]any{"order_id": order.ID, "method": "upi", "vpa": "user@paytm"}, nil)
		if own.Status != http.StatusTooManyRequests || own.code() != "TOO_MANY_ATTEMPTS" {
			t.Errorf("the merchant's own POST /payments on the blocked order: %s", own)
		}
		var payments, bankCalls int
		db.QueryRow(ctx, `SELECT count(*), (SELECT count(*) FROM bank_operations b JOIN payments p ON p.id = b.idempotency_key WHERE p.order_id = $1)
			FROM payments WHERE order_id = $1`, order.ID).Scan(&payments, &bankCalls)
		if payments != 5 || bankCalls != 5 {
			t.Errorf("%d payments and %d bank operations on the order, want 5 and 5", payments, bankCalls)
		}
		t.Logf("60 declining public payments on one order from 12 addresses: %s (%d TOO_MANY_ATTEMPTS); %d reached the bank", answers.String(), tooMany, bankCalls)
	})

	t.Run("registration burst", func(t *testing.T) {
		var answers tally
		for _, r := range atOnce(25, func(i int) response {
			return anon.do(ctx, "POST", "/api/v1/auth/register", map[string]any{"name": "Bot", "email": fmt.Sprintf("bot%d@example.com", i),
				"password": "password123", "confirmPassword": "password123"}, map[string]string{"X-Forwarded-For": "203.0.113.200"})
		}) {
			answers.add(r)
			if r.Status == http.StatusTooManyRequests && r.code() != "RATE_LIMIT_ERROR" {
				t.Errorf("refused registration: %s", r)
			}
		}
		figures.faults.Add(25)
		var merchants int
		db.QueryRow(ctx, `SELECT count(*) FROM merchants WHERE email LIKE 'bot%'`).Scan(&merchants)
		if answers.get(http.StatusCreated) != 5 || answers.get(http.StatusTooManyRequests) != 20 || merchants != 5 {
			t.Errorf("25 concurrent registrations from one address: %s, %d merchants made; want 5 made, 20 refused", answers.String(), merchants)
		}
		if r := anon.do(ctx, "POST", "/api/v1/auth/register", map[string]any{"name": "Shop", "email": "shop@example.com",
			"password": "password123", "confirmPassword": "password123"}, map[string]string{"X-Forwarded-For": "198.51.100.24"}); r.Status != http.StatusCreated {
			t.Errorf("a registration from another address: %s", r)
		}
		t.Logf("25 concurrent registrations from one address: %s", answers.String())
	})
}
