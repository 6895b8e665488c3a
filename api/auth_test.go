package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
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

// postRaw sends body to path as is, with the given headers only: no credentials, and no
// Content-Type unless the headers set one. Safe to call from any goroutine.
func postRaw(gw *gatewaytest.Stack, path, body string, headers map[string]string) (*http.Response, string, error) {
	req, err := http.NewRequest(http.MethodPost, gw.URL+path, strings.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, string(raw), err
}

// loginFrom tries a login as the client at address, through the trusted proxy 127.0.0.1
// (X-Forwarded-For), and returns the status.
func loginFrom(t *testing.T, gw *gatewaytest.Stack, address, email, password string) int {
	t.Helper()
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": email, "password": password}, Headers: map[string]string{"X-Forwarded-For": address}})
	return r.Status
}

func trustLoopback(c *config.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// TestConcurrentLoginGuesses: 40 wrong passwords at once for one account from one address are
// checked at most burst (5) times; the rest are refused unchecked. The old limiter looked for a
// free token and took it only after a failure, so all 40 were checked.
func TestConcurrentLoginGuesses(t *testing.T) {
	gw := gatewaytest.Start(t)
	const n = 40
	statuses := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, _, err := postRaw(gw, "/api/v1/auth/login", fmt.Sprintf(`{"email":"test@example.com","password":"guess-%d"}`, i),
				map[string]string{"Content-Type": "application/json"})
			if err != nil {
				errs[i] = err
				return
			}
			statuses[i] = resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for i, s := range statuses {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		count[s]++
	}
	if count[http.StatusUnauthorized] > 5 || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != n {
		t.Errorf("40 concurrent guesses: %v; want at most 5 checked (401), the rest 429", count)
	}
	var failed int
	gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'login_failed'`).Scan(&failed)
	if failed != count[http.StatusUnauthorized] {
		t.Errorf("%d failures audited for %d answers 401", failed, count[http.StatusUnauthorized])
	}
}

// TestLoginLimitKeyedOnEmailAndAddress: an attacker guessing from one address does not lock the
// real user, at another address, out; a looser per-email cap still stops guesses spread over
// many addresses. Addresses come from X-Forwarded-For through the trusted proxy 127.0.0.1.
func TestLoginLimitKeyedOnEmailAndAddress(t *testing.T) {
	gw := gatewaytest.Start(t, trustLoopback)
	for i := range 8 {
		want := http.StatusUnauthorized
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if s := loginFrom(t, gw, "203.0.113.7", "test@example.com", "guess"); s != want {
			t.Fatalf("attacker's guess %d = %d, want %d", i+1, s, want)
		}
	}
	if s := loginFrom(t, gw, "198.51.100.9", "test@example.com", "test123"); s != http.StatusOK {
		t.Fatalf("the real user from another address = %d, want 200: locked out by the attacker", s)
	}
	var source string
	gw.Pool.QueryRow(t.Context(), `SELECT source_address FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1`).Scan(&source)
	if source != "198.51.100.9" {
		t.Errorf("audit source_address %q, want the forwarded client 198.51.100.9", source)
	}

	// Guesses from many addresses: the per-email cap (20) ends them, whatever the address.
	var refused int
	for a := range 6 {
		for range 5 {
			if loginFrom(t, gw, fmt.Sprintf("203.0.113.%d", 20+a), "test@example.com", "guess") == http.StatusTooManyRequests {
				refused++
			}
		}
	}
	// 5 failures from the first attacker and 15 of these 30 fill the cap (fewer are refused if
	// a slow machine lets tokens come back, one every 6 s; without the cap none would be).
	if refused < 10 || refused > 15 {
		t.Errorf("30 guesses from 6 fresh addresses: %d refused, want about 15 (per-email cap)", refused)
	}
	if s := loginFrom(t, gw, "198.51.100.99", "test@example.com", "guess"); s != http.StatusTooManyRequests {
		t.Errorf("a guess from yet another address after the cap = %d, want 429", s)
	}
}

// TestForwardedForFromUntrustedPeerIgnored: without TRUSTED_PROXIES, a client cannot escape the
// limit, nor forge its audited address, by writing X-Forwarded-For.
func TestForwardedForFromUntrustedPeerIgnored(t *testing.T) {
	gw := gatewaytest.Start(t)
	var limited int
	for i := range 8 {
		if loginFrom(t, gw, fmt.Sprintf("198.51.100.%d", i), "test@example.com", "guess") == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 3 {
		t.Errorf("8 guesses with spoofed X-Forwarded-For: %d refused, want 3", limited)
	}
	var spoofed int
	gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE source_address <> '127.0.0.1'`).Scan(&spoofed)
	if spoofed != 0 {
		t.Errorf("%d audit entries took the spoofed address", spoofed)
	}
}

// TestDeactivatedMerchantSessionRefused: once a merchant is deactivated, its dashboard sessions
// open nothing, as its API key already did.
func TestDeactivatedMerchantSessionRefused(t *testing.T) {
	gw := gatewaytest.Start(t)
	login := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": "test@example.com", "password": "test123"}})
	if login.Status != http.StatusOK {
		t.Fatalf("login = %d %s", login.Status, login.Body)
	}
	session := map[string]string{"Cookie": strings.Split(login.Header.Get("Set-Cookie"), ";")[0], "Origin": gw.URL}
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE merchants SET is_active = false WHERE email = 'test@example.com'`); err != nil {
		t.Fatal(err)
	}
	for _, r := range []gatewaytest.Request{
		{Method: http.MethodGet, Path: "/api/v1/auth/me"},
		{Method: http.MethodPost, Path: "/api/v1/auth/roll-secret"},
		{Method: http.MethodGet, Path: "/api/v1/orders"},
		{Method: http.MethodPost, Path: "/api/v1/orders", Body: map[string]any{"amount": 500}},
	} {
		r.Anonymous, r.Headers = true, session
		if got := gw.Do(t, r); got.Status != http.StatusUnauthorized || got.ErrorCode() != "AUTHENTICATION_ERROR" {
			t.Errorf("%s %s with a deactivated merchant's session = %d %s, want 401", r.Method, r.Path, got.Status, got.Body)
		}
	}
}

// TestLoginAndRegisterRefuseCrossSiteAndNonJSON: a page on another site cannot log a browser in
// (login CSRF) or register: a form or a no-preflight fetch sends text/plain or form encoding,
// and every browser sends its Origin. Same-origin and Origin-less (server, curl) JSON works.
func TestLoginAndRegisterRefuseCrossSiteAndNonJSON(t *testing.T) {
	gw := gatewaytest.Start(t)
	login := `{"email":"test@example.com","password":"test123"}`
	reg := `{"name":"Shop","email":"shop@example.com","password":"s3cret-pass","confirmPassword":"s3cret-pass"}`
	for _, c := range []struct {
		name, path, body string
		headers          map[string]string
		status           int
		code             string
	}{
		{"text/plain login from another site", "/api/v1/auth/login", login,
			map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403, "AUTHENTICATION_ERROR"},
		{"JSON login from another site", "/api/v1/auth/login", login,
			map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, 403, "AUTHENTICATION_ERROR"},
		{"login from an opaque origin", "/api/v1/auth/login", login,
			map[string]string{"Content-Type": "application/json", "Origin": "null"}, 403, "AUTHENTICATION_ERROR"},
		{"form-encoded login", "/api/v1/auth/login", login,
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"login without a Content-Type", "/api/v1/auth/login", login, nil, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"text/plain register from another site", "/api/v1/auth/register", reg,
			map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403, "AUTHENTICATION_ERROR"},
		{"text/plain register", "/api/v1/auth/register", reg, map[string]string{"Content-Type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
	} {
		resp, body, err := postRaw(gw, c.path, c.body, c.headers)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != c.status || !strings.Contains(body, `"code":"`+c.code+`"`) || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s = %d %s (Set-Cookie %q), want %d %s and no cookie", c.name, resp.StatusCode, body, resp.Header.Get("Set-Cookie"), c.status, c.code)
		}
	}
	var merchants int
	gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM merchants`).Scan(&merchants)
	if merchants != 1 {
		t.Errorf("%d merchants: a refused registration was made", merchants)
	}
	for name, headers := range map[string]map[string]string{
		"same-origin":      {"Content-Type": "application/json; charset=utf-8", "Origin": gw.URL},
		"no Origin (curl)": {"Content-Type": "application/json"},
	} {
		resp, body, err := postRaw(gw, "/api/v1/auth/login", login, headers)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Set-Cookie"), "gw_session=") {
			t.Errorf("%s login = %d %s", name, resp.StatusCode, body)
		}
	}
	if resp, body, _ := postRaw(gw, "/api/v1/auth/register", reg, map[string]string{"Content-Type": "application/json", "Origin": gw.URL}); resp.StatusCode != http.StatusCreated {
		t.Errorf("same-origin register = %d %s", resp.StatusCode, body)
	}
}
