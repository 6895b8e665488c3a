// Package config reads the gateway's settings from the environment, with the defaults a single
// machine needs.
package config

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/paygate/paygate/clientip"
)

// Config is every setting the gateway's commands read.
type Config struct {
	Port              int    // PORT: the API and dashboard, on 127.0.0.1 unless BIND_ADDRESS says otherwise
	MetricsPort       int    // METRICS_PORT: where `gateway worker` serves /metrics (0: not served)
	BindAddress       string // BIND_ADDRESS
	DatabaseURL       string // DATABASE_URL: empty in dev means the local cluster under .data/pg
	DatabaseMaxConns  int32  // DATABASE_MAX_CONNS
	TemporalAddress   string // TEMPORAL_ADDRESS: empty in dev means the embedded server
	TemporalNamespace string // TEMPORAL_NAMESPACE
	TemporalUIURL     string // TEMPORAL_UI_URL: where the dashboard links workflows
	TaskQueue         string // TEMPORAL_TASK_QUEUE
	DataDir           string // DATA_DIR: where `gateway dev` keeps PostgreSQL and Temporal data
	DevPostgresPort   int    // DEV_POSTGRES_PORT: the local cluster's port in dev
	DevTemporalPort   int    // DEV_TEMPORAL_PORT: the embedded Temporal frontend's port in dev
	DevTemporalUIPort int    // DEV_TEMPORAL_UI_PORT: the embedded Temporal Web UI's port in dev
	SeedTestMerchant  bool   // SEED_TEST_MERCHANT: create the test merchant (always in dev)
	// APIRateLimit is requests per second per API key (API_RATE_LIMIT, 0 = unlimited), with
	// bursts of APIRateBurst (API_RATE_BURST).
	APIRateLimit int
	APIRateBurst int
	// StartConcurrency is how many workflow starts the API runs at once in the background
	// (WORKFLOW_START_CONCURRENCY; 0 means 1 against the embedded server, 8 against a cluster),
	// and StartQueueSize how many may wait (WORKFLOW_START_QUEUE) before requests start their
	// workflows themselves.
	StartConcurrency int
	StartQueueSize   int
	// RequestHashKey keys the fingerprints kept of idempotent requests (REQUEST_HASH_KEY, at least
	// 32 characters, the same on every API replica); `gateway dev` makes one under DATA_DIR.
	RequestHashKey string
	// CaptureWindow is how long a successful, uncaptured payment stays authorized before its
	// workflow voids it (CAPTURE_WINDOW, a Go duration; 120h). Zero means the default.
	CaptureWindow time.Duration
	// WorkerCacheSize is how many workflows a worker process keeps in memory between their tasks
	// (WORKER_CACHE_SIZE; the Temporal SDK's sticky cache). An open authorization waiting for its
	// capture costs about 240 kB there; one evicted is replayed from its history (a few
	// milliseconds) when its capture, void or expiry wakes it.
	WorkerCacheSize int

	// TrustedProxies are the proxies whose X-Forwarded-For the API believes (TRUSTED_PROXIES:
	// comma-separated addresses and CIDR prefixes; empty: none, the connection's peer is the
	// client). See package clientip.
	TrustedProxies []netip.Prefix

	// DevTemporalRetention (DEV_TEMPORAL_RETENTION, a Go duration such as 168h or 1m) is how long
	// the embedded Temporal server keeps closed workflows; 0 means its default of 7 days. It applies
	// when the namespace is created (a new DATA_DIR). Only `make bench-growth` shortens it, to show
	// that the SQLite files stop growing once retention deletes as fast as payments close.
	DevTemporalRetention time.Duration

	Limits AbuseLimits

	Bank         BankConfig
	TestMerchant TestMerchant
	Webhooks     WebhookConfig
}

// WebhookConfig drives webhook delivery.
type WebhookConfig struct {
	// AllowPrivateTargets lets merchants point webhooks at loopback and private addresses
	// (WEBHOOK_ALLOW_PRIVATE_TARGETS; make dev and the tests set it). Link-local and cloud
	// metadata addresses are refused regardless.
	AllowPrivateTargets bool
	// RetryIntervals are the waits before attempts 2 to 5: 1 min, 5 min, 30 min, 2 h, or 5 s,
	// 10 s, 15 s, 20 s with WEBHOOK_RETRY_INTERVALS_TEST=true.
	RetryIntervals []time.Duration
	// EventRetention is how long events are kept for the events API (EVENT_RETENTION, a Go
	// duration, default 720h: 30 days); a Temporal Schedule prunes older ones hourly.
	EventRetention time.Duration
	// DisableAfter is how long every delivery to an endpoint must have failed (with at least 5
	// failed events) before it is disabled (WEBHOOK_DISABLE_AFTER, default 72h; 60s with
	// WEBHOOK_RETRY_INTERVALS_TEST=true unless set).
	DisableAfter time.Duration
}

// AbuseLimits bound what clients without an API secret can make the gateway do. Rates are per
// process and per client address (see TrustedProxies) unless said otherwise; 0 means unlimited.
type AbuseLimits struct {
	// PublicPayments is POST /payments/public a minute per client address
	// (PUBLIC_PAYMENT_RATE_LIMIT), with bursts of PublicPaymentsBurst (PUBLIC_PAYMENT_RATE_BURST).
	PublicPayments, PublicPaymentsBurst int
	// PublicPaymentsPerKey is POST /payments/public a minute per publishable key, from all
	// addresses together (PUBLIC_KEY_RATE_LIMIT, PUBLIC_KEY_RATE_BURST).
	PublicPaymentsPerKey, PublicPaymentsPerKeyBurst int
	// PublicReads is the public GETs (order and payment for the checkout) a minute per client
	// address (PUBLIC_READ_RATE_LIMIT, PUBLIC_READ_RATE_BURST).
	PublicReads, PublicReadsBurst int
	// Registrations is POST /auth/register an hour per client address (REGISTRATION_RATE_LIMIT,
	// REGISTRATION_RATE_BURST); only requests that get as far as hashing the password count.
	Registrations, RegistrationsBurst int
	// OrderFailedPayments failed payments on one order within OrderFailedWindow make the order
	// refuse new payments (429 TOO_MANY_ATTEMPTS) until the oldest of them leaves the window
	// (ORDER_FAILED_PAYMENT_LIMIT; ORDER_FAILED_PAYMENT_WINDOW in minutes). Counted in
	// PostgreSQL, so it holds across API replicas; it applies to POST /payments as well.
	OrderFailedPayments int
	OrderFailedWindow   time.Duration
}

// BankConfig drives the simulated bank.
type BankConfig struct {
	TestMode        bool          // TEST_MODE
	ProcessingDelay time.Duration // TEST_PROCESSING_DELAY in milliseconds (test mode only)
	PaymentSuccess  bool          // TEST_PAYMENT_SUCCESS (test mode only)
}

// TestMerchant is the seeded merchant's overridable credentials.
type TestMerchant struct {
	Email     string // TEST_MERCHANT_EMAIL
	APIKey    string // TEST_API_KEY
	APISecret string // TEST_API_SECRET
}

// DefaultCaptureWindow is CAPTURE_WINDOW's default: five days, as card networks hold an
// authorization for about a week.
const DefaultCaptureWindow = 120 * time.Hour

// FromEnv reads the configuration, rejecting values that do not parse.
func FromEnv() (Config, error) {
	e := &env{}
	c := Config{
		Port:              e.int("PORT", 8000),
		MetricsPort:       e.int("METRICS_PORT", 0),
		BindAddress:       e.str("BIND_ADDRESS", "127.0.0.1"),
		DatabaseURL:       e.str("DATABASE_URL", ""),
		DatabaseMaxConns:  int32(e.int("DATABASE_MAX_CONNS", 20)),
		TemporalAddress:   e.str("TEMPORAL_ADDRESS", ""),
		TemporalNamespace: e.str("TEMPORAL_NAMESPACE", "default"),
		TemporalUIURL:     e.str("TEMPORAL_UI_URL", "http://127.0.0.1:8233"),
		TaskQueue:         e.str("TEMPORAL_TASK_QUEUE", "payments"),
		DataDir:           e.str("DATA_DIR", ".data"),
		DevPostgresPort:   e.int("DEV_POSTGRES_PORT", 55432),
		DevTemporalPort:   e.int("DEV_TEMPORAL_PORT", 7233),
		DevTemporalUIPort: e.int("DEV_TEMPORAL_UI_PORT", 8233),
		SeedTestMerchant:  e.bool("SEED_TEST_MERCHANT", false),
		APIRateLimit:      e.int("API_RATE_LIMIT", 1000),
		APIRateBurst:      e.int("API_RATE_BURST", 2000),
		StartConcurrency:  e.int("WORKFLOW_START_CONCURRENCY", 0),
		StartQueueSize:    e.int("WORKFLOW_START_QUEUE", 1024),
		RequestHashKey:    e.str("REQUEST_HASH_KEY", ""),
		CaptureWindow:     e.duration("CAPTURE_WINDOW", DefaultCaptureWindow),
		WorkerCacheSize:   e.int("WORKER_CACHE_SIZE", 2000),
		TrustedProxies:    e.prefixes("TRUSTED_PROXIES"),
		Limits: AbuseLimits{
			PublicPayments:            e.int("PUBLIC_PAYMENT_RATE_LIMIT", 20),
			PublicPaymentsBurst:       e.int("PUBLIC_PAYMENT_RATE_BURST", 20),
			PublicPaymentsPerKey:      e.int("PUBLIC_KEY_RATE_LIMIT", 600),
			PublicPaymentsPerKeyBurst: e.int("PUBLIC_KEY_RATE_BURST", 200),
			PublicReads:               e.int("PUBLIC_READ_RATE_LIMIT", 600),
			PublicReadsBurst:          e.int("PUBLIC_READ_RATE_BURST", 120),
			Registrations:             e.int("REGISTRATION_RATE_LIMIT", 20),
			RegistrationsBurst:        e.int("REGISTRATION_RATE_BURST", 5),
			OrderFailedPayments:       e.int("ORDER_FAILED_PAYMENT_LIMIT", 5),
			OrderFailedWindow:         time.Duration(e.int("ORDER_FAILED_PAYMENT_WINDOW", 30)) * time.Minute,
		},
		Bank: BankConfig{
			TestMode:        e.bool("TEST_MODE", false),
			ProcessingDelay: time.Duration(e.int("TEST_PROCESSING_DELAY", 1000)) * time.Millisecond,
			PaymentSuccess:  e.bool("TEST_PAYMENT_SUCCESS", true),
		},
		Webhooks: WebhookConfig{
			AllowPrivateTargets: e.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", false),
			RetryIntervals:      []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour},
			EventRetention:      e.duration("EVENT_RETENTION", 30*24*time.Hour),
		},
		TestMerchant: TestMerchant{
			Email:     e.str("TEST_MERCHANT_EMAIL", "test@example.com"),
			APIKey:    e.str("TEST_API_KEY", "key_test_abc123"),
			APISecret: e.str("TEST_API_SECRET", "secret_test_xyz789"),
		},
	}
	c.DevTemporalRetention = e.duration("DEV_TEMPORAL_RETENTION", 0)
	disableAfter := 72 * time.Hour
	if e.bool("WEBHOOK_RETRY_INTERVALS_TEST", false) {
		c.Webhooks.RetryIntervals = []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second}
		disableAfter = 60 * time.Second
	}
	c.Webhooks.DisableAfter = e.duration("WEBHOOK_DISABLE_AFTER", disableAfter)
	return c, e.err
}

type env struct{ err error }

// duration reads a Go duration (120h, 90m) that must be positive.
func (e *env) duration(name string, def time.Duration) time.Duration {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		e.fail(name, v)
		return def
	}
	return d
}

func (e *env) str(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func (e *env) int(name string, def int) int {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		e.fail(name, v)
		return def
	}
	return n
}

func (e *env) bool(name string, def bool) bool {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(name, v)
		return def
	}
	return b
}

func (e *env) prefixes(name string) []netip.Prefix {
	v := e.str(name, "")
	p, err := clientip.ParsePrefixes(v)
	if err != nil {
		e.fail(name, v)
		return nil
	}
	return p
}

func (e *env) fail(name, value string) {
	if e.err == nil {
		e.err = fmt.Errorf("config: %s=%q is not valid", name, value)
	}
}
