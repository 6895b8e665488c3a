package api

import (
	"net/http"

	"github.com/paygate/paygate/clientip"
)

// hstsPolicy asks browsers to use only HTTPS for two years, subdomains included (the value
// hstspreload.org asks for, less "preload", which is the operator's decision).
const hstsPolicy = "max-age=63072000; includeSubDomains"

// strictTransport sets Strict-Transport-Security on every answer to a request that came over
// TLS: to this server, or to a TLS-terminating proxy in TRUSTED_PROXIES that says so with
// X-Forwarded-Proto (from anyone else that header proves nothing). Browsers ignore the header
// over plain HTTP, and sending it there would be wrong for `gateway dev`.
func (s *Server) strictTransport(next http.Handler) http.Handler {
	proxies := clientip.Resolver{Trusted: s.cfg.TrustedProxies}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil || (r.Header.Get("X-Forwarded-Proto") == "https" && proxies.ViaTrustedProxy(r)) {
			w.Header().Set("Strict-Transport-Security", hstsPolicy)
		}
		next.ServeHTTP(w, r)
	})
}
