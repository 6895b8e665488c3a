package api

import "net/http"

// hstsPolicy asks browsers to use only HTTPS for two years, subdomains included (the value
// hstspreload.org asks for, less "preload", which is the operator's decision).
const hstsPolicy = "max-age=63072000; includeSubDomains"

// strictTransport sets Strict-Transport-Security on every answer to a request that came over
// TLS. Browsers ignore the header over plain HTTP, and sending it there would be wrong for
// `gateway dev`. Behind a TLS-terminating proxy r.TLS is nil: X-Forwarded-Proto is not trusted
// here, since any client can send it.
func strictTransport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", hstsPolicy)
		}
		next.ServeHTTP(w, r)
	})
}
