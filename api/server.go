// Package api is the gateway's HTTP API: gorilla/mux routes, merchant authentication (API key and
// secret, or a dashboard session), JSON in and out, and one error shape for every failure.
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/delivery"
	"github.com/paygate/paygate/metrics"
	"github.com/paygate/paygate/ratelimit"
	"github.com/paygate/paygate/workflows"
)

// Server serves the API. Build it with New.
type Server struct {
	pool     *pgxpool.Pool
	queries  *db.Queries
	temporal client.Client
	starter  workflows.Starter
	starts   *workflows.StartQueue
	webhooks *delivery.Client
	// requestHash fingerprints idempotent requests (keyed by REQUEST_HASH_KEY).
	requestHash requestHasher
	// Requests per API key; nil when unlimited.
	byAPIKey *ratelimit.Limiter
	// Login attempts per email and per client address (see takeLoginTokens).
	loginsByEmail, loginsByAddress *ratelimit.Limiter
	cfg                            config.Config
	log                            *slog.Logger
	now                            func() time.Time

	abuse abuseLimiters
}

// Deps are what the API needs from the process that runs it.
type Deps struct {
	Pool     *pgxpool.Pool
	Temporal client.Client
	Config   config.Config
	Logger   *slog.Logger
	// UI serves everything outside /api and /health (the dashboard, checkout, checkout.js);
	// nil answers those paths with 404.
	UI http.Handler
	// Metrics, when set, times every request and is served at /metrics.
	Metrics *metrics.Metrics
	// Starts runs workflow starts after the response; nil starts them before it. The process
	// closes it once the HTTP server has stopped.
	Starts *workflows.StartQueue
}

// New returns the API's handler.
func New(d Deps) http.Handler {
	s := &Server{
		pool:        d.Pool,
		queries:     db.New(d.Pool),
		temporal:    d.Temporal,
		starter:     workflows.Starter{Client: d.Temporal, TaskQueue: d.Config.TaskQueue, RetryIntervals: d.Config.Webhooks.RetryIntervals},
		starts:      d.Starts,
		webhooks:    delivery.New(d.Config.Webhooks.AllowPrivateTargets),
		requestHash: newRequestHasher(d.Config.RequestHashKey),
		// Twenty attempts per email and per address, then one more every 6 s / 3 s.
		loginsByEmail:   ratelimit.New(1.0/6, 20),
		loginsByAddress: ratelimit.New(1.0/3, 20),
		cfg:             d.Config,
		log:             d.Logger,
		now:             time.Now,
	}
	s.abuse = newAbuseLimiters(d.Config.Limits)
	if d.Config.APIRateLimit > 0 {
		s.byAPIKey = ratelimit.New(float64(d.Config.APIRateLimit), max(d.Config.APIRateBurst, 1))
	}
	r := mux.NewRouter()
	r.NotFoundHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error { return notFound("Route") })
	r.MethodNotAllowedHandler = s.handle(func(w http.ResponseWriter, req *http.Request) error {
		w.Header().Set("Allow", strings.Join(allowedMethods(r, req), ", "))
		return &Error{http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Method not allowed on this route"}
	})
	r.Handle("/health", s.handle(s.health)).Methods(http.MethodGet)
	if d.Metrics != nil {
		r.Use(d.Metrics.Middleware)
		r.Handle("/metrics", d.Metrics.Handler()).Methods(http.MethodGet)
	}
	// Routes hang directly off the router (no subrouters), so a wrong method answers 405.
	v1 := func(path string, h http.Handler, methods ...string) {
		r.Handle("/api/v1"+path, h).Methods(methods...)
	}
	get, post := http.MethodGet, http.MethodPost
	v1("/health", s.handle(s.health), get)
	v1("/auth/register", s.handle(s.register), post)
	v1("/auth/login", s.handle(s.login), post)
	v1("/auth/logout", s.handle(s.logout), post)
	v1("/auth/session", s.handle(s.session), get)
	// Operators' views of the workflows, without credentials like /health and /metrics: counts
	// only, never a merchant's data.
	v1("/queue/status", s.handle(s.queueStatus), get)
	if d.Config.Bank.TestMode {
		// Test helpers exist only in test mode; elsewhere /api/v1/test/* answers 404.
		v1("/test/merchant", s.handle(s.testMerchant), get)
		v1("/test/jobs/status", s.handle(s.jobsStatus), get)
		// Test clocks: a payment's or webhook delivery's timers fire now.
		v1("/test/payments/{id}/advance", s.authenticate(s.handle(s.advancePayment)), post)
		v1("/test/webhooks/{id}/advance", s.authenticate(s.handle(s.advanceWebhook)), post)
	}
	v1("/public/config", s.handle(s.publicConfig), get)
	v1("/openapi.json", s.handle(s.openAPI), get)

	// Public routes are limited per client address (a preflight is not).
	public := func(limit *ratelimit.Limiter, h func(http.ResponseWriter, *http.Request) error) http.Handler {
		return allowAnyOrigin(s.handle(s.limitAddress(limit, h)))
	}
	v1("/orders/{id}/public", public(s.abuse.publicReads, s.getPublicOrder), get, http.MethodOptions)
	v1("/payments/public", public(s.abuse.publicPayments, s.createPublicPayment), post, http.MethodOptions)
	v1("/payments/{id}/public", public(s.abuse.publicReads, s.getPublicPayment), get, http.MethodOptions)

	merchant := func(h func(http.ResponseWriter, *http.Request) error) http.Handler {
		return s.authenticate(s.handle(h))
	}
	v1("/auth/me", merchant(s.me), get)
	v1("/auth/roll-secret", merchant(s.rollSecret), post)
	v1("/orders", merchant(s.createOrder), post)
	v1("/orders", merchant(s.listOrders), get)
	v1("/orders/{id}", merchant(s.getOrder), get)
	v1("/payments", merchant(s.createPayment), post)
	v1("/payments", merchant(s.listPayments), get)
	v1("/payments/{id}", merchant(s.getPayment), get)
	v1("/payments/{id}/capture", merchant(s.capturePayment), post)
	v1("/payments/{id}/void", merchant(s.voidPayment), post)
	v1("/payments/{id}/refunds", merchant(s.createPaymentRefund), post)
	v1("/refunds", merchant(s.createRefund), post)
	v1("/refunds", merchant(s.listRefunds), get)
	v1("/refunds/{id}", merchant(s.getRefund), get)
	v1("/stats", merchant(s.stats), get)
	v1("/audit-log", merchant(s.listAudit), get)
	v1("/webhooks/config", merchant(s.getWebhookConfig), get)
	v1("/webhooks/config", merchant(s.putWebhookConfig), http.MethodPut)
	v1("/webhooks/regenerate-secret", merchant(s.regenerateWebhookSecret), post)
	v1("/webhooks/test", merchant(s.testWebhook), post)
	v1("/webhooks", merchant(s.listWebhookLogs), get)
	v1("/webhooks/{id}", merchant(s.getWebhookLog), get)
	v1("/webhooks/{id}/retry", merchant(s.retryWebhook), post)
	// Events and webhook endpoints (api/events.go, api/endpoints.go).
	v1("/events", merchant(s.listEvents), get)
	v1("/events/{id}", merchant(s.getEvent), get)
	v1("/webhook_endpoints", merchant(s.createEndpoint), post)
	v1("/webhook_endpoints", merchant(s.listEndpoints), get)
	v1("/webhook_endpoints/{id}", merchant(s.getEndpoint), get)
	v1("/webhook_endpoints/{id}", merchant(s.updateEndpoint), http.MethodPatch)
	v1("/webhook_endpoints/{id}", merchant(s.deleteEndpoint), http.MethodDelete)
	v1("/webhook_endpoints/{id}/roll-secret", merchant(s.rollEndpointSecret), post)
	v1("/webhook_endpoints/{id}/replay", merchant(s.createReplay), post)
	v1("/webhook_endpoints/{id}/replays", merchant(s.listEndpointReplays), get)
	v1("/replays/{id}", merchant(s.getReplay), get)
	v1("/replays/{id}/cancel", merchant(s.cancelReplay), post)

	if d.UI != nil {
		// No path matcher before outsideAPI: a matching PathPrefix would make mux forget the
		// method mismatch it found on an API route, and a wrong method would answer 404, not 405.
		r.MatcherFunc(outsideAPI).Handler(d.UI)
	}
	return s.withRequestContext(s.withClientAddress(s.strictTransport(r)))
}

// handle adapts a handler that returns an error into an http.Handler that writes the error.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// allowedMethods lists the methods the router serves for req's path, for a 405's Allow header.
func allowedMethods(router *mux.Router, req *http.Request) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		var match mux.RouteMatch
		probe := req.Clone(req.Context())
		probe.Method = m
		if router.Match(probe, &match) && match.MatchErr == nil {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// outsideAPI matches the paths the UI serves: all but the API's, /health and /metrics.
func outsideAPI(r *http.Request, _ *mux.RouteMatch) bool {
	p := r.URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/health" && p != "/metrics"
}

// allowAnyOrigin enables CORS for the public endpoints the hosted checkout and checkout.js call
// from merchants' sites; they take no secret and set no cookie.
func allowAnyOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key")
		h.Set("Access-Control-Max-Age", "600")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
