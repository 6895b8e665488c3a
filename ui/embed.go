// Package ui serves the merchant dashboard, the hosted checkout and the
// checkout.js SDK, all built from this directory and embedded in the binary.
//
// `npm run build` writes the app to dist/app. On a checkout where it was never
// built the package still compiles (dist/README.md keeps the embed pattern
// matching) and the app's routes answer with a "UI not built" page.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// checkout.js is embedded from its source so that the SDK is served even
// before the UI is built.
//
//go:embed public/checkout.js
var checkoutJS []byte

const (
	cacheImmutable  = "public, max-age=31536000, immutable" // content-hashed files under /assets/
	cacheRevalidate = "no-cache"                            // index.html: always check for a new build
	cacheShort      = "public, max-age=300"                 // checkout.js and other unhashed files
)

// appPolicy is the Content-Security-Policy of the app's pages without its frame-ancestors: the
// built app is one script and one stylesheet from /assets, no inline script or style (React sets
// styles through the DOM, which style-src does not govern), and talks only to this origin. data:
// images are the CSS's inline SVG icons.
const appPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"

// CheckoutPolicy is the Content-Security-Policy of the hosted checkout: merchants' sites of any
// origin frame it through checkout.js.
const CheckoutPolicy = appPolicy + "; frame-ancestors *"

// DashboardPolicy is the Content-Security-Policy of every other page of the app, which no site
// may frame.
const DashboardPolicy = appPolicy + "; frame-ancestors 'none'"

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayGate</title></head>
<body>
<h1>UI not built</h1>
<p>The dashboard has not been built into this binary: run <code>make build</code> and restart the server.</p>
</body></html>
`

// Handler serves the UI. Mount it for every path the API does not handle:
//   - /, /login, /register, /dashboard and below, /checkout: the single-page app's index.html
//   - /assets/…: the app's content-hashed JS and CSS (404 when unknown)
//   - /checkout.js and /sdk/payment-gateway.js: the embeddable checkout SDK
//   - other files at the top level of the build (favicon.svg)
//
// Everything else is 404.
func Handler() http.Handler {
	app, err := fs.Sub(dist, "dist/app")
	if err != nil {
		panic(err) // fs.Sub only fails for an invalid path, and "dist/app" is valid
	}
	return newHandler(app, checkoutJS)
}

type handler struct {
	app      fs.FS
	index    *file // nil when the UI was not built
	checkout *file
}

type file struct {
	content []byte
	etag    string
}

func newFile(content []byte) *file {
	sum := sha256.Sum256(content)
	return &file{content: content, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

func newHandler(app fs.FS, checkout []byte) http.Handler {
	h := &handler{app: app, checkout: newFile(checkout)}
	if index, err := fs.ReadFile(app, "index.html"); err == nil {
		h.index = newFile(index)
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")

	p := r.URL.Path
	switch {
	case p == "/checkout.js" || p == "/sdk/payment-gateway.js":
		serve(w, r, "checkout.js", h.checkout, cacheShort)
	case isAppRoute(p):
		h.serveApp(w, r, p)
	case strings.HasPrefix(p, "/assets/"):
		h.serveAsset(w, r, strings.TrimPrefix(p, "/"), cacheImmutable)
	case strings.Count(p, "/") == 1 && p != "/index.html":
		h.serveAsset(w, r, strings.TrimPrefix(p, "/"), cacheShort)
	default:
		http.NotFound(w, r)
	}
}

func isAppRoute(p string) bool {
	switch p {
	case "/", "/login", "/register", "/checkout", "/dashboard":
		return true
	}
	return strings.HasPrefix(p, "/dashboard/")
}

func (h *handler) serveApp(w http.ResponseWriter, r *http.Request, p string) {
	// The hosted checkout is framed by merchants' sites through checkout.js;
	// no other page of the app may be framed.
	policy := CheckoutPolicy
	if p != "/checkout" {
		policy = DashboardPolicy
		w.Header().Set("X-Frame-Options", "DENY")
	}
	w.Header().Set("Content-Security-Policy", policy)
	if h.index == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(notBuiltPage))
		return
	}
	serve(w, r, "index.html", h.index, cacheRevalidate)
}

func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name, cacheControl string) {
	if !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	content, err := fs.ReadFile(h.app, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isDirError(h.app, name) {
			http.NotFound(w, r)
			return
		}
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", cacheControl)
	http.ServeContent(w, r, path.Base(name), time.Time{}, bytes.NewReader(content))
}

func isDirError(fsys fs.FS, name string) bool {
	info, err := fs.Stat(fsys, name)
	return err == nil && info.IsDir()
}

func serve(w http.ResponseWriter, r *http.Request, name string, f *file, cacheControl string) {
	w.Header().Set("Cache-Control", cacheControl)
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.content))
}
