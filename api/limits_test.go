package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

// publicPay pays orderID through the hosted checkout's endpoint with the publishable key only,
// as the client at address (X-Forwarded-For, believed only when the stack trusts loopback).
func publicPay(t *testing.T, gw *gatewaytest.Stack, key, orderID, cardNumber, address string) gatewaytest.Response {
	t.Helper()
	return gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments/public", Anonymous: true,
		Headers: map[string]string{"X-Forwarded-For": address},
		Body:    map[string]any{"key": key, "order_id": orderID, "method": "card", "card": card(cardNumber)}})
}

// TestOrderRefusesPaymentsAfterFailures: card testing with only the publishable key. After 5
// declined payments on one order the order takes no payment, from the checkout or from the
// merchant's own API, answering 429 TOO_MANY_ATTEMPTS with Retry-After, until the failures age
// out of the 30-minute window; other orders are not affected.
func TestOrderRefusesPaymentsAfterFailures(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 5000)
	for i := range 10 {
		r := publicPay(t, gw, gatewaytest.APIKey, orderID, "4000000000000002", "")
		if i < 5 {
			if r.Status != http.StatusCreated {
				t.Fatalf("declining payment %d = %d %s", i+1, r.Status, r.Body)
			}
			if p := gw.WaitForStatus(t, "/api/v1/payments/"+r.JSON(t)["id"].(string)); p["status"] != "failed" {
				t.Fatalf("payment %d = %v", i+1, p)
			}
			continue
		}
		retry, _ := strconv.Atoi(r.Header.Get("Retry-After"))
		if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "TOO_MANY_ATTEMPTS" || retry < 29*60 || retry > 30*60 {
			t.Fatalf("payment %d after 5 declines = %d %s (Retry-After %q), want 429 TOO_MANY_ATTEMPTS for about 30 min",
				i+1, r.Status, r.Body, r.Header.Get("Retry-After"))
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Error("the checkout cannot read the refusal: no CORS header")
		}
	}
	// The merchant's own API, with a good card: refused too (a leaked secret is the same attack).
	own := gw.Post(t, "/api/v1/payments", map[string]any{"order_id": orderID, "method": "card", "card": card("4111111111111111")})
	if own.Status != http.StatusTooManyRequests || own.ErrorCode() != "TOO_MANY_ATTEMPTS" {
		t.Errorf("POST /payments on the blocked order = %d %s", own.Status, own.Body)
	}
	var payments int
	gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM payments WHERE order_id = $1`, orderID).Scan(&payments)
	if payments != 5 {
		t.Errorf("%d payments on the order, want the 5 declined", payments)
	}
	if r := publicPay(t, gw, gatewaytest.APIKey, newOrder(t, gw, 5000), "4111111111111111", ""); r.Status != http.StatusCreated {
		t.Errorf("another order = %d %s", r.Status, r.Body)
	}
	// A sliding window: once the oldest failure is 30 minutes old, one more attempt is allowed.
	gw.Pool.Exec(t.Context(), `UPDATE payments SET updated_at = updated_at - interval '31 minutes'
		WHERE id = (SELECT id FROM payments WHERE order_id = $1 ORDER BY updated_at LIMIT 1)`, orderID)
	if r := publicPay(t, gw, gatewaytest.APIKey, orderID, "4111111111111111", ""); r.Status != http.StatusCreated {
		t.Errorf("after the oldest failure left the window = %d %s", r.Status, r.Body)
	}
}

// TestPublicEndpointsRateLimited: public payments are limited per client address and per
// publishable key, the public GETs per address; refusals are 429 RATE_LIMIT_ERROR with
// Retry-After and CORS headers. Refused requests are not even read.
func TestPublicEndpointsRateLimited(t *testing.T) {
	gw := gatewaytest.Start(t, trustLoopback, func(c *config.Config) {
		c.Limits.PublicPayments, c.Limits.PublicPaymentsBurst = 1, 3
		c.Limits.PublicPaymentsPerKey, c.Limits.PublicPaymentsPerKeyBurst = 1, 5
		c.Limits.PublicReads, c.Limits.PublicReadsBurst = 1, 4
	})
	other := register(t, gw, "other@example.com")["X-Api-Key"]
	pay := func(key, address string) gatewaytest.Response {
		return publicPay(t, gw, key, "order_doesnotexist", "4111111111111111", address)
	}
	limited := func(r gatewaytest.Response) bool {
		return r.Status == http.StatusTooManyRequests && r.ErrorCode() == "RATE_LIMIT_ERROR" &&
			r.Header.Get("Retry-After") != "" && r.Header.Get("Access-Control-Allow-Origin") == "*"
	}
	for i := range 3 {
		if r := pay(gatewaytest.APIKey, "203.0.113.1"); r.Status != http.StatusNotFound {
			t.Fatalf("payment %d from the first address = %d %s", i+1, r.Status, r.Body)
		}
	}
	if r := pay(gatewaytest.APIKey, "203.0.113.1"); !limited(r) {
		t.Errorf("4th payment from one address = %d %s, want 429", r.Status, r.Body)
	}
	// The key's budget (5) is shared by every address.
	for i := range 2 {
		if r := pay(gatewaytest.APIKey, "203.0.113.2"); r.Status != http.StatusNotFound {
			t.Fatalf("payment %d from a second address = %d %s", i+1, r.Status, r.Body)
		}
	}
	if r := pay(gatewaytest.APIKey, "203.0.113.3"); !limited(r) {
		t.Errorf("6th payment with one key = %d %s, want 429", r.Status, r.Body)
	}
	if r := pay(other, "203.0.113.4"); r.Status != http.StatusNotFound {
		t.Errorf("another merchant's key = %d %s", r.Status, r.Body)
	}

	var reads []int
	for range 5 {
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/orders/order_doesnotexist/public", Anonymous: true,
			Headers: map[string]string{"X-Forwarded-For": "203.0.113.9"}})
		if r.Status == http.StatusTooManyRequests && !limited(r) {
			t.Errorf("refused read: %d %v %s", r.Status, r.Header, r.Body)
		}
		reads = append(reads, r.Status)
	}
	if fmt.Sprint(reads) != "[404 404 404 404 429]" {
		t.Errorf("5 public reads from one address: %v, want 4 then 429", reads)
	}
	// A preflight is never limited.
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodOptions, Path: "/api/v1/payments/public", Anonymous: true,
		Headers: map[string]string{"X-Forwarded-For": "203.0.113.1"}}); r.Status != http.StatusNoContent {
		t.Errorf("preflight = %d", r.Status)
	}
}

// TestRegistrationLimitedPerAddress: each registration costs a bcrypt hash; an address gets 5,
// then one every 3 minutes. Requests refused before hashing (invalid) do not count; another
// address has its own budget.
func TestRegistrationLimitedPerAddress(t *testing.T) {
	gw := gatewaytest.Start(t, trustLoopback)
	reg := func(address string, i int, password string) gatewaytest.Response {
		return gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/register", Anonymous: true,
			Headers: map[string]string{"X-Forwarded-For": address},
			Body:    map[string]any{"name": "Shop", "email": fmt.Sprintf("shop%d@example.com", i), "password": password, "confirmPassword": password}})
	}
	for i := range 10 {
		if r := reg("203.0.113.1", 100+i, "short"); r.Status != http.StatusBadRequest {
			t.Fatalf("invalid registration = %d %s", r.Status, r.Body)
		}
	}
	statuses := map[int]int{}
	began := time.Now()
	for i := range 8 {
		r := reg("203.0.113.1", i, "s3cret-pass")
		statuses[r.Status]++
		if r.Status == http.StatusTooManyRequests {
			if retry, _ := strconv.Atoi(r.Header.Get("Retry-After")); r.ErrorCode() != "RATE_LIMIT_ERROR" || retry < 60 || retry > 180 {
				t.Errorf("refused registration: %s (Retry-After %q)", r.Body, r.Header.Get("Retry-After"))
			}
		}
	}
	if time.Since(began) < time.Minute && (statuses[http.StatusCreated] != 5 || statuses[http.StatusTooManyRequests] != 3) {
		t.Errorf("8 registrations from one address: %v, want 5 created and 3 refused", statuses)
	}
	if r := reg("203.0.113.2", 50, "s3cret-pass"); r.Status != http.StatusCreated {
		t.Errorf("registration from another address = %d %s", r.Status, r.Body)
	}
}
