package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

// register signs up a merchant and returns its API credential headers.
func register(t *testing.T, gw *gatewaytest.Stack, email string) map[string]string {
	t.Helper()
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/register", Anonymous: true,
		Body: map[string]any{"name": "Other Shop", "email": email, "password": "s3cret-pass", "confirmPassword": "s3cret-pass"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("register = %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)["merchant"].(map[string]any)
	return map[string]string{"X-Api-Key": m["apiKey"].(string), "X-Api-Secret": m["apiSecret"].(string)}
}

func TestAPICredentials(t *testing.T) {
	gw := gatewaytest.Start(t)
	cases := map[string]map[string]string{
		"none":         nil,
		"key only":     {"X-Api-Key": gatewaytest.APIKey},
		"wrong secret": {"X-Api-Key": gatewaytest.APIKey, "X-Api-Secret": "secret_test_xyz78"},
		"unknown key":  {"X-Api-Key": "key_nope", "X-Api-Secret": gatewaytest.APISecret},
	}
	for name, headers := range cases {
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/payments", Anonymous: true, Headers: headers})
		if r.Status != http.StatusUnauthorized || r.ErrorCode() != "AUTHENTICATION_ERROR" {
			t.Errorf("%s: %d %s, want 401 AUTHENTICATION_ERROR", name, r.Status, r.Body)
		}
	}
	if r := gw.Get(t, "/api/v1/payments"); r.Status != http.StatusOK {
		t.Errorf("right credentials: %d %s", r.Status, r.Body)
	}
}

func TestRegisterAndLogin(t *testing.T) {
	gw := gatewaytest.Start(t)
	creds := register(t, gw, "Shop@Example.com")
	if !strings.HasPrefix(creds["X-Api-Secret"], "secret_") {
		t.Errorf("secret %q", creds["X-Api-Secret"])
	}
	// The secret is stored only as a hash.
	var stored int
	gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM merchants WHERE position($1 in api_secret_hash::text) > 0 OR password_hash = 's3cret-pass'`, creds["X-Api-Secret"]).Scan(&stored)
	if stored != 0 {
		t.Error("secret or password stored in clear")
	}
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/orders", Anonymous: true, Headers: creds}); r.Status != http.StatusOK {
		t.Errorf("new merchant's credentials: %d %s", r.Status, r.Body)
	}

	dup := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/register", Anonymous: true,
		Body: map[string]any{"name": "Again", "email": "shop@example.com", "password": "another-pass", "confirmPassword": "another-pass"}})
	if dup.Status != http.StatusConflict {
		t.Errorf("duplicate email = %d %s, want 409", dup.Status, dup.Body)
	}
	for name, body := range map[string]map[string]any{
		"mismatch":    {"name": "A", "email": "a@example.com", "password": "password1", "confirmPassword": "password2"},
		"short":       {"name": "A", "email": "a@example.com", "password": "short", "confirmPassword": "short"},
		"bad email":   {"name": "A", "email": "not-an-email", "password": "password1", "confirmPassword": "password1"},
		"no name":     {"email": "a@example.com", "password": "password1", "confirmPassword": "password1"},
		"wrong types": {"name": 5, "email": "a@example.com"},
	} {
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/register", Anonymous: true, Body: body})
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "BAD_REQUEST_ERROR" {
			t.Errorf("%s: %d %s, want 400", name, r.Status, r.Body)
		}
	}

	wrong := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": "test@example.com", "password": "nope"}})
	if wrong.Status != http.StatusUnauthorized || wrong.Header.Get("Set-Cookie") != "" {
		t.Errorf("wrong password = %d %s", wrong.Status, wrong.Body)
	}
	login := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": "test@example.com", "password": "test123"}})
	if login.Status != http.StatusOK {
		t.Fatalf("login = %d %s", login.Status, login.Body)
	}
	if strings.Contains(string(login.Body), "secret") {
		t.Errorf("login answer reveals a secret: %s", login.Body)
	}
	cookie := login.Header.Get("Set-Cookie")
	for _, attr := range []string{"gw_session=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("cookie %q lacks %s", cookie, attr)
		}
	}
	session := map[string]string{"Cookie": strings.Split(cookie, ";")[0]}
	me := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/auth/me", Anonymous: true, Headers: session})
	if me.Status != http.StatusOK || me.JSON(t)["merchant"].(map[string]any)["email"] != "test@example.com" {
		t.Errorf("me = %d %s", me.Status, me.Body)
	}

	// A state-changing request with the cookie must come from the dashboard's own origin.
	crossSite := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/orders", Anonymous: true, Body: map[string]any{"amount": 500},
		Headers: map[string]string{"Cookie": session["Cookie"], "Origin": "https://evil.example"}})
	if crossSite.Status != http.StatusForbidden {
		t.Errorf("cross-origin POST with the session = %d %s, want 403", crossSite.Status, crossSite.Body)
	}
	sameSite := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/orders", Anonymous: true, Body: map[string]any{"amount": 500},
		Headers: map[string]string{"Cookie": session["Cookie"], "Origin": gw.URL}})
	if sameSite.Status != http.StatusCreated {
		t.Errorf("same-origin POST with the session = %d %s, want 201", sameSite.Status, sameSite.Body)
	}

	logout := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/logout", Anonymous: true, Headers: session})
	if logout.Status != http.StatusNoContent {
		t.Errorf("logout = %d", logout.Status)
	}
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/auth/me", Anonymous: true, Headers: session}); r.Status != http.StatusUnauthorized {
		t.Errorf("me after logout = %d, want 401", r.Status)
	}
}

func TestTestMerchantEndpoint(t *testing.T) {
	gw := gatewaytest.Start(t)
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/test/merchant", Anonymous: true})
	m := r.JSON(t)
	if m["id"] != "550e8400-e29b-41d4-a716-446655440000" || m["email"] != "test@example.com" || m["api_key"] != gatewaytest.APIKey || m["seeded"] != true {
		t.Errorf("test merchant = %s", r.Body)
	}
	if strings.Contains(string(r.Body), "secret") {
		t.Errorf("reveals a secret: %s", r.Body)
	}
}

func TestHealth(t *testing.T) {
	gw := gatewaytest.Start(t)
	for _, path := range []string{"/health", "/api/v1/health"} {
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: path, Anonymous: true})
		h := r.JSON(t)
		if r.Status != 200 || h["status"] != "healthy" || h["database"] != "connected" || h["temporal"] != "connected" || h["timestamp"] == nil {
			t.Errorf("%s = %d %s", path, r.Status, r.Body)
		}
	}
	gw.Pool.Close() // the database is gone
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/health", Anonymous: true})
	if h := r.JSON(t); r.Status != http.StatusServiceUnavailable || h["database"] != "disconnected" || h["temporal"] != "connected" {
		t.Errorf("health without a database = %d %s", r.Status, r.Body)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	gw := gatewaytest.Start(t)
	if r := gw.Get(t, "/api/v1/nope"); r.Status != http.StatusNotFound || r.ErrorCode() != "NOT_FOUND_ERROR" {
		t.Errorf("unknown route = %d %s", r.Status, r.Body)
	}
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodDelete, Path: "/api/v1/orders"}); r.Status != http.StatusMethodNotAllowed || r.ErrorCode() != "METHOD_NOT_ALLOWED" || r.Header.Get("Allow") != "GET, POST" {
		t.Errorf("wrong method = %d %s (Allow %q)", r.Status, r.Body, r.Header.Get("Allow"))
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	gw := gatewaytest.Start(t)
	attempt := func(email, password string) gatewaytest.Response {
		return gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
			Body: map[string]any{"email": email, "password": password}})
	}
	for i := range 5 {
		if r := attempt("test@example.com", "guess"); r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d", i+1, r.Status)
		}
	}
	r := attempt("test@example.com", "test123")
	if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "RATE_LIMIT_ERROR" || r.Header.Get("Retry-After") == "" {
		t.Errorf("6th attempt = %d %s (Retry-After %q), want 429 even with the right password", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	// Successful logins of another merchant cost nothing.
	register(t, gw, "busy@example.com")
	for i := range 8 {
		if r := attempt("busy@example.com", "s3cret-pass"); r.Status != http.StatusOK {
			t.Fatalf("successful login %d = %d %s", i+1, r.Status, r.Body)
		}
	}
	// Another email from the same address still has its own budget, up to the address's.
	if r := attempt("other@example.com", "x"); r.Status != http.StatusUnauthorized {
		t.Errorf("another email = %d, want 401", r.Status)
	}
}

func TestSessionsEndWhenIdleOrOld(t *testing.T) {
	gw := gatewaytest.Start(t)
	login := func() map[string]string {
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
			Body: map[string]any{"email": "test@example.com", "password": "test123"}})
		return map[string]string{"Cookie": strings.Split(r.Header.Get("Set-Cookie"), ";")[0]}
	}
	me := func(session map[string]string) int {
		return gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/auth/me", Anonymous: true, Headers: session}).Status
	}
	idle, old := login(), login()
	if me(idle) != http.StatusOK || me(old) != http.StatusOK {
		t.Fatal("fresh sessions refused")
	}
	gw.Pool.Exec(t.Context(), `UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = (SELECT token_hash FROM sessions ORDER BY created_at LIMIT 1)`)
	gw.Pool.Exec(t.Context(), `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = (SELECT token_hash FROM sessions ORDER BY created_at DESC LIMIT 1)`)
	if me(idle) != http.StatusUnauthorized || me(old) != http.StatusUnauthorized {
		t.Errorf("idle session = %d, expired session = %d, want 401 for both", me(idle), me(old))
	}
}

func TestAPIKeyRateLimit(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.APIRateLimit, c.APIRateBurst = 1, 20 })
	statuses := map[int]int{}
	var retryAfter string
	for range 30 {
		r := gw.Get(t, "/api/v1/orders")
		statuses[r.Status]++
		if r.Status == http.StatusTooManyRequests {
			retryAfter = r.Header.Get("Retry-After")
			if r.ErrorCode() != "RATE_LIMIT_ERROR" {
				t.Errorf("429 body %s", r.Body)
			}
		}
	}
	// A burst of 20 passes; the rest of a quick burst of 30 is refused (a token may come back).
	if statuses[http.StatusOK] < 20 || statuses[http.StatusOK] > 22 || statuses[http.StatusTooManyRequests] < 8 || retryAfter != "1" {
		t.Errorf("statuses %v, Retry-After %q", statuses, retryAfter)
	}
	// Another merchant has its own bucket.
	other := register(t, gw, "bucket@example.com")
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/orders", Anonymous: true, Headers: other}); r.Status != http.StatusOK {
		t.Errorf("another key = %d", r.Status)
	}
}
