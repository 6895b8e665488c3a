// Package metrics exposes the gateway's Prometheus metrics: HTTP requests by route, method and
// status with latency histograms; payments, refunds and webhook deliveries by status, read at
// scrape time from PostgreSQL's running totals (totals_global_live, kept by triggers) so every replica
// reports the same truth at a cost that does not grow with the tables; and the Temporal SDK's own
// metrics (workflow and activity task latencies, poll results, failures).
package metrics

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/IBM/pgxpoolprometheus"
	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"

	"github.com/paygate/paygate/db"
)

// Metrics holds one process's registry.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	scope    tally.Scope
	closer   io.Closer
}

// New registers the process's collectors; with a pool, it also counts objects by status.
func New(pool *pgxpool.Pool) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_http_request_duration_seconds",
			Help:    "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		reg.MustRegister(&statusCollector{queries: db.New(pool)})
	}
	m.scope, m.closer = tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  tallyprom.NewReporter(tallyprom.Options{Registerer: reg}),
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
		Prefix:          "temporal",
	}, time.Second)
	return m
}

// WatchPool reports a database pool's connections (in use, idle) and its waits for one
// (pgxpool_acquire_duration_ns over pgxpool_acquire_count), labelled pool=role: "api" or
// "worker".
func (m *Metrics) WatchPool(role string, pool *pgxpool.Pool) {
	m.registry.MustRegister(pgxpoolprometheus.NewCollector(pool, map[string]string{"db_name": "gateway", "pool": role}))
}

// Handler serves the metrics in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Temporal is the Temporal SDK's metrics handler for the client (client.Options.MetricsHandler).
func (m *Metrics) Temporal() client.MetricsHandler {
	return sdktally.NewMetricsHandler(m.scope)
}

// WatchStartQueue reports the length of the API's workflow start queue (workflows.StartQueue)
// as gateway_workflow_starts_queued.
func (m *Metrics) WatchStartQueue(length func() int) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gateway_workflow_starts_queued",
		Help: "Committed payments, refunds and events whose workflow start is queued in this API process.",
	}, func() float64 { return float64(length()) }))
}

// Close stops reporting the SDK's metrics.
func (m *Metrics) Close() error { return m.closer.Close() }

// Middleware counts and times requests by their route template (a gorilla/mux middleware, so the
// route is known), method and status, each from a bounded set of values.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := "unmatched"
		if cur := mux.CurrentRoute(r); cur != nil {
			if tpl, err := cur.GetPathTemplate(); err == nil {
				route = tpl
			}
		}
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		method := methodLabel(r.Method)
		m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(route, method, statusLabel(rec.status)).Inc()
	})
}

// Label values come from a fixed set, whatever a client sends: a label value is a time series
// kept until the process ends, and the method is the client's own text (the UI's catch-all
// route answers any method). Routes are the router's templates, or "unmatched".
const otherLabel = "other"

// methodLabel is a standard method's name, or "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return otherLabel
}

// statusLabel is a status code that net/http knows (or 499, which the API answers for a
// request its client cancelled), or "other".
func statusLabel(status int) string {
	if http.StatusText(status) != "" || status == 499 {
		return strconv.Itoa(status)
	}
	return otherLabel
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// statusCollector reads payments, refunds and webhook deliveries by status when scraped.
type statusCollector struct {
	queries *db.Queries
}

var (
	byKind = map[string]*prometheus.Desc{
		"payments":           prometheus.NewDesc("gateway_payments", "Payments by status.", []string{"status"}, nil),
		"refunds":            prometheus.NewDesc("gateway_refunds", "Refunds by status.", []string{"status"}, nil),
		"webhook_deliveries": prometheus.NewDesc("gateway_webhook_deliveries", "Webhook deliveries by status.", []string{"status"}, nil),
	}
	databaseUp = prometheus.NewDesc("gateway_database_up", "Whether the counts by status could be read from PostgreSQL.", nil, nil)
)

func (c *statusCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range byKind {
		ch <- d
	}
	ch <- databaseUp
}

func (c *statusCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.queries.CountByStatus(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(databaseUp, prometheus.GaugeValue, 0)
		return
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(byKind[r.Kind], prometheus.GaugeValue, float64(r.N), r.Status)
	}
	ch <- prometheus.MustNewConstMetric(databaseUp, prometheus.GaugeValue, 1)
}
