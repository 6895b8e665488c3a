package ui

import (
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
	for _, target := range []string{"/", "/login", "/register", "/dashboard", "/dashboard/webhooks"} {
		rec := get(t, h, target)
		if csp := rec.Header().Get("Content-Security-Policy"); csp != DashboardPolicy || !strings.HasSuffix(csp, "; frame-ancestors 'none'") {
			t.Errorf("%s CSP = %q, want %q", target, csp, DashboardPolicy)
		}
		if xfo := rec.Header().Get("X-Frame-Options"); xfo != "DENY" {
			t.Errorf("%s X-Frame-Options = %q, want DENY", target, xfo)
		}
	}
	rec := get(t, h, "/checkout?order_id=o&embedded=1")
	if rec.Header().Get("X-Frame-Options") != "" {
		t.Errorf("/checkout must be frameable, got headers %v", rec.Header())
	}
	if csp := rec.Header().Get("Content-Security-Policy"); csp != CheckoutPolicy {
		t.Errorf("/checkout CSP = %q, want %q", csp, CheckoutPolicy)
	}
}

// The checkout's policy allows scripts from this origin only, framing by any site, and nothing
// the app does not use.
func TestCheckoutPolicy(t *testing.T) {
	directives := map[string]string{}
	for _, d := range strings.Split(CheckoutPolicy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if _, dup := directives[name]; dup {
			t.Errorf("directive %s twice", name)
		}
		directives[name] = value
	}
	want := map[string]string{
		"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
		"font-src": "'self'", "connect-src": "'self'", "object-src": "'none'", "base-uri": "'self'",
		"form-action": "'self'", "frame-ancestors": "*",
	}
	for name, value := range want {
		if directives[name] != value {
			t.Errorf("%s = %q, want %q", name, directives[name], value)
		}
	}
	if len(directives) != len(want) {
		t.Errorf("policy %q has directives beyond %v", CheckoutPolicy, want)
	}
}

// The policies forbid inline scripts and styles: the built index.html must have none (the
// browser test checks the running app for violations).
func TestBuiltIndexHasNothingInline(t *testing.T) {
	index, err := fs.ReadFile(dist, "dist/app/index.html")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("UI not built (make build)")
	}
	if err != nil {
		t.Fatal(err)
	}
	if problems := inlineContent(t, string(index)); len(problems) > 0 {
		t.Errorf("index.html has inline content the CSP blocks: %v", problems)
	}
	bad := `<html><head><script>alert(1)</script><style>p{}</style></head><body><p style="x" onclick="f()"></p>` +
		`<script src="/assets/a.js"></script></body></html>`
	if problems := inlineContent(t, bad); len(problems) != 4 {
		t.Errorf("inlineContent(%q) = %v, want 4 problems", bad, problems)
	}
}

// inlineContent lists the inline scripts, style elements, style attributes and event handler
// attributes of an HTML document.
func inlineContent(t *testing.T, doc string) []string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch {
		case n.DataAtom == atom.Script && n.FirstChild != nil:
			problems = append(problems, "inline <script>")
		case n.DataAtom == atom.Style:
			problems = append(problems, "<style>")
		}
		for _, a := range n.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				problems = append(problems, n.Data+" "+a.Key+"=")
			}
		}
	}
	return problems
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
