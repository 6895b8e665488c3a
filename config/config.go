// Package config reads the gateway's settings from the environment, with the defaults a single
// machine needs.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"
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
		Bank: BankConfig{
			TestMode:        e.bool("TEST_MODE", false),
			ProcessingDelay: time.Duration(e.int("TEST_PROCESSING_DELAY", 1000)) * time.Millisecond,
			PaymentSuccess:  e.bool("TEST_PAYMENT_SUCCESS", true),
		},
		Webhooks: WebhookConfig{
			AllowPrivateTargets: e.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", false),
			RetryIntervals:      []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour},
		},
		TestMerchant: TestMerchant{
			Email:     e.str("TEST_MERCHANT_EMAIL", "test@example.com"),
			APIKey:    e.str("TEST_API_KEY", "key_test_abc123"),
			APISecret: e.str("TEST_API_SECRET", "secret_test_xyz789"),
		},
	}
	if e.bool("WEBHOOK_RETRY_INTERVALS_TEST", false) {
		c.Webhooks.RetryIntervals = []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second}
	}
	return c, e.err
}

type env struct{ err error }

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

func (e *env) fail(name, value string) {
	if e.err == nil {
		e.err = fmt.Errorf("config: %s=%q is not valid", name, value)
	}
}
