package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var builtApp = fstest.MapFS{
	"index.html":             {Data: []byte("<!doctype html><div id=root></div>")},
	"assets/index-a1b2c3.js": {Data: []byte("console.log(1)")},
	"favicon.svg":            {Data: []byte("<svg/>")},
	"checkout.js":            {Data: []byte("// copy made by vite")},
}

const sdk = "window.PaymentGateway = function () {};"

func get(t *testing.T, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAppRoutesServeIndex(t *testing.T) {
	h := newHandler(builtApp, []byte(sdk))
	for _, target := range []string{
		"/", "/login", "/register", "/dashboard", "/dashboard/transactions",
		"/dashboard/transactions?payment=pay_1", "/checkout?order_id=order_1&key=key_1",
	} {
		rec := get(t, h, target)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<div id=root>`) {
			t.Errorf("GET %s = %d %q, want index.html", target, rec.Code, rec.Body.String())
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s Cache-Control = %q, want no-cache", target, got)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s Content-Type = %q", target, ct)
		}
	}
}

func TestOnlyCheckoutMayBeFramed(t *testing.T) {
	h := newHandler(builtApp, []byte(sdk))
	if csp := get(t, h, "/dashboard").Header().Get("Content-Security-Policy"); csp != "frame-ancestors 'none'" {
		t.Errorf("/dashboard CSP = %q, want frame-ancestors 'none'", csp)
	}
	rec := get(t, h, "/checkout?order_id=o&key=k&embedded=1")
	if rec.Header().Get("Content-Security-Policy") != "" || rec.Header().Get("X-Frame-Options") != "" {
		t.Errorf("/checkout must be frameable, got headers %v", rec.Header())
	}
}

func TestIndexRevalidatesWithETag(t *testing.T) {
	h := newHandler(builtApp, []byte(sdk))
	etag := get(t, h, "/login").Header().Get("ETag")
	if etag == "" {
		t.Fatal("index.html has no ETag")
	}
	if rec := get(t, h, "/dashboard", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", rec.Code)
	}
}

func TestCheckoutScriptAndAlias(t *testing.T) {
	h := newHandler(builtApp, []byte(sdk))
	for _, target := range []string{"/checkout.js", "/sdk/payment-gateway.js"} {
		rec := get(t, h, target)
		if rec.Code != http.StatusOK || rec.Body.String() != sdk {
			t.Errorf("GET %s = %d %q, want the SDK", target, rec.Code, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
			t.Errorf("GET %s Content-Type = %q", target, ct)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("GET %s Cache-Control = %q", target, cc)
		}
	}
}

func TestAssets(t *testing.T) {
	h := newHandler(builtApp, []byte(sdk))
	rec := get(t, h, "/assets/index-a1b2c3.js")
	if rec.Code != http.StatusOK || rec.Body.String() != "console.log(1)" {
		t.Fatalf("hashed asset = %d %q", rec.Code, rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset Cache-Control = %q, want immutable", cc)
	}
	if rec := get(t, h, "/favicon.svg"); rec.Code != http.StatusOK {
		t.Errorf("/favicon.svg = %d", rec.Code)
	}
	for _, target := range []string{
		"/assets/missing.js", "/assets/", "/assets", "/assets/../index.html",
		"/index.html", "/unknown", "/api/v1/nothing", "/dashboardx", "/login/extra",
	} {
		if rec := get(t, h, target); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, rec.Code)
		}
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	h := newHandler(builtApp, []byte(sdk))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dashboard", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d, want 405", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/checkout.js", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD = %d with %d body bytes", rec.Code, rec.Body.Len())
	}
}

func TestNotBuiltFallback(t *testing.T) {
	h := newHandler(fstest.MapFS{}, []byte(sdk))
	rec := get(t, h, "/dashboard")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "UI not built") ||
		!strings.Contains(rec.Body.String(), "make build") {
		t.Errorf("unbuilt /dashboard = %d %q", rec.Code, rec.Body.String())
	}
	if rec := get(t, h, "/sdk/payment-gateway.js"); rec.Code != http.StatusOK {
		t.Errorf("unbuilt SDK = %d, want 200", rec.Code)
	}
	if rec := get(t, h, "/assets/index-a1b2c3.js"); rec.Code != http.StatusNotFound {
		t.Errorf("unbuilt asset = %d, want 404", rec.Code)
	}
}

// The real embedded files, built or not.
func TestHandlerServesEmbeddedSDK(t *testing.T) {
	h := Handler()
	rec := get(t, h, "/checkout.js")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "PaymentGateway") {
		t.Fatalf("/checkout.js = %d", rec.Code)
	}
	if code := get(t, h, "/dashboard").Code; code != http.StatusOK && code != http.StatusServiceUnavailable {
		t.Errorf("/dashboard = %d, want 200 (built) or 503 (not built)", code)
	}
}
