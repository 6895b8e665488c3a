package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paygate/paygate/gatewaytest"
)

// The dashboard's session probe answers 200 signed in or out, so a browser logs no error;
// /auth/me keeps its 401 for API clients.
func TestSessionProbe(t *testing.T) {
	gw := gatewaytest.Start(t)
	probe := func(headers map[string]string) map[string]any {
		t.Helper()
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/auth/session", Anonymous: true, Headers: headers})
		if r.Status != http.StatusOK {
			t.Fatalf("GET /auth/session = %d %s, want 200", r.Status, r.Body)
		}
		return r.JSON(t)
	}
	signedOut := func(what string, headers map[string]string) {
		t.Helper()
		if got := probe(headers); len(got) != 1 || got["merchant"] != nil {
			t.Errorf("%s: %v, want {merchant: null}", what, got)
		}
	}
	signedIn := func(what string, headers map[string]string) {
		t.Helper()
		m, _ := probe(headers)["merchant"].(map[string]any)
		if m["email"] != "test@example.com" || m["apiKey"] != gatewaytest.APIKey || m["apiSecret"] != nil {
			t.Errorf("%s: merchant %v", what, m)
		}
	}

	signedOut("no cookie", nil)
	signedOut("unknown session", map[string]string{"Cookie": "gw_session=nope"})
	login := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": "test@example.com", "password": "test123"}})
	if login.Status != http.StatusOK {
		t.Fatalf("login = %d %s", login.Status, login.Body)
	}
	session := map[string]string{"Cookie": strings.Split(login.Header.Get("Set-Cookie"), ";")[0]}
	signedIn("session", session)
	signedIn("API credentials", map[string]string{"X-Api-Key": gatewaytest.APIKey, "X-Api-Secret": gatewaytest.APISecret})

	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/logout", Anonymous: true, Headers: session}); r.Status != http.StatusNoContent {
		t.Fatalf("logout = %d %s", r.Status, r.Body)
	}
	signedOut("revoked session", session)
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/auth/me", Anonymous: true, Headers: session}); r.Status != http.StatusUnauthorized {
		t.Errorf("GET /auth/me after logout = %d %s, want 401", r.Status, r.Body)
	}
}
