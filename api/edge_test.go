package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/paygate/paygate/api"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

// A repeated POST /webhooks/test with the same Idempotency-Key answers the first event again and
// records (so sends) nothing more; another key makes another event.
func TestTestWebhookIdempotencyKey(t *testing.T) {
	gw := gatewaytest.Start(t)
	rc := gatewaytest.NewReceiver(t)
	configureWebhook(t, gw, rc.URL)
	send := func(key string) gatewaytest.Response {
		t.Helper()
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/webhooks/test", Headers: map[string]string{"Idempotency-Key": key}})
		if r.Status != http.StatusAccepted {
			t.Fatalf("POST /webhooks/test = %d %s", r.Status, r.Body)
		}
		return r
	}
	first := send("test-hook-1")
	again := send("test-hook-1")
	if !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("repeat = %s (replayed %q), want %s replayed", again.Body, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	id := first.JSON(t)["id"].(string)
	gw.WaitFor(t, "/api/v1/webhooks/"+id, func(l map[string]any) bool { return l["status"] == "success" })
	if n := gw.Get(t, "/api/v1/webhooks?event=webhook.test").JSON(t)["total"]; n != 1.0 {
		t.Errorf("%v webhook.test events recorded after a repeat, want 1", n)
	}
	second := send("test-hook-2").JSON(t)["id"].(string)
	if second == id {
		t.Errorf("another key answered the first event %s", id)
	}
	gw.WaitFor(t, "/api/v1/webhooks/"+second, func(l map[string]any) bool { return l["status"] == "success" })
	if n := gw.Get(t, "/api/v1/webhooks?event=webhook.test").JSON(t)["total"]; n != 2.0 {
		t.Errorf("%v webhook.test events after a second key, want 2", n)
	}
	// The key belongs to this route: with another route it is refused.
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/orders", Body: map[string]any{"amount": 500},
		Headers: map[string]string{"Idempotency-Key": "test-hook-1"}}); r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "IDEMPOTENCY_ERROR" {
		t.Errorf("key reused on another route = %d %s", r.Status, r.Body)
	}
	var delivered []string
	for _, d := range rc.Deliveries() {
		delivered = append(delivered, d.Event.ID)
	}
	if len(delivered) != 2 || delivered[0] == delivered[1] {
		t.Errorf("deliveries %v, want %s and %s once each", delivered, id, second)
	}
}

// 405 and 413 answer codes of their own, in the error shape.
func TestMethodNotAllowedAndPayloadTooLargeCodes(t *testing.T) {
	gw := gatewaytest.Start(t)
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodDelete, Path: "/api/v1/orders"})
	if r.Status != http.StatusMethodNotAllowed || r.ErrorCode() != api.CodeMethodNotAllowed || r.Header.Get("Allow") != "GET, POST" {
		t.Errorf("DELETE /orders = %d %s (Allow %q), want 405 METHOD_NOT_ALLOWED", r.Status, r.Body, r.Header.Get("Allow"))
	}
	tooLarge := `{"amount": 500, "receipt": "` + strings.Repeat("x", 1<<20) + `"}`
	for _, path := range []string{"/api/v1/orders", "/api/v1/payments"} {
		r := gw.Post(t, path, tooLarge)
		if r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != api.CodePayloadTooLarge || !strings.Contains(string(r.Body), "larger than 1 MiB") {
			t.Errorf("POST %s over 1 MiB = %d %.200s, want 413 PAYLOAD_TOO_LARGE", path, r.Status, r.Body)
		}
	}
	r = gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments/public", Body: tooLarge, Anonymous: true})
	if r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != api.CodePayloadTooLarge {
		t.Errorf("public payment over 1 MiB = %d %.200s", r.Status, r.Body)
	}
}

// Every JSON answer, success or error, carries X-Content-Type-Options: nosniff.
func TestJSONAnswersAreNosniff(t *testing.T) {
	gw := gatewaytest.Start(t)
	for _, r := range []gatewaytest.Response{
		gw.Post(t, "/api/v1/orders", map[string]any{"amount": 500}),
		gw.Get(t, "/api/v1/orders"),
		gw.Get(t, "/api/v1/orders/order_0000000000000000"),
		gw.Post(t, "/api/v1/orders", `{"amount":`),
		gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/orders", Anonymous: true}),
		gw.Do(t, gatewaytest.Request{Method: http.MethodPut, Path: "/api/v1/orders"}),
		gw.Get(t, "/api/v1/nope"),
		gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/health", Anonymous: true}),
	} {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%d %.100s: Content-Type %q", r.Status, r.Body, r.Header.Get("Content-Type"))
		}
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%d %.100s: X-Content-Type-Options %q, want nosniff", r.Status, r.Body, got)
		}
	}
}

// Strict-Transport-Security goes with every answer to a request that came over TLS, and never
// over plain HTTP (where browsers ignore it and `gateway dev` serves).
func TestHSTSOverTLSOnly(t *testing.T) {
	h := api.New(api.Deps{Config: config.Config{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	plain := httptest.NewServer(h)
	defer plain.Close()
	// No database behind this handler: only answers that need none.
	for _, path := range []string{"/api/v1/openapi.json", "/api/v1/nope", "/health/x"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.TLS == nil {
			t.Fatal("not over TLS")
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
			t.Errorf("GET %s over TLS = %d, Strict-Transport-Security %q", path, resp.StatusCode, got)
		}
		resp, err = http.Get(plain.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("GET %s over plain HTTP: Strict-Transport-Security %q", path, got)
		}
	}
	// A client's X-Forwarded-Proto is not enough: any client can send it.
	req, _ := http.NewRequest(http.MethodGet, plain.URL+"/api/v1/openapi.json", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain HTTP with X-Forwarded-Proto: https: Strict-Transport-Security %q", got)
	}
	// From a TLS-terminating proxy in TRUSTED_PROXIES, it is.
	proxied := httptest.NewServer(api.New(api.Deps{Config: config.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer proxied.Close()
	for proto, want := range map[string]string{"https": "max-age=63072000; includeSubDomains", "http": ""} {
		req, _ := http.NewRequest(http.MethodGet, proxied.URL+"/api/v1/openapi.json", nil)
		req.Header.Set("X-Forwarded-Proto", proto)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != want {
			t.Errorf("from a trusted proxy with X-Forwarded-Proto: %s: Strict-Transport-Security %q, want %q", proto, got, want)
		}
	}
}
