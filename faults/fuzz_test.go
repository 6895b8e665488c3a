//go:build faults

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/paygate/paygate/api"
	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
)

// fuzzRoutes are the API routes that decode a JSON body, as FuzzAPIJSON picks them by number.
// (PUT /webhooks/config is left out: a URL with a host name would make the gateway resolve it.)
var fuzzRoutes = []struct {
	method, path string
	anonymous    bool
}{
	{"POST", "/api/v1/orders", false},
	{"POST", "/api/v1/payments", false},
	{"POST", "/api/v1/payments/public", true},
	{"POST", "/api/v1/refunds", false},
	{"POST", "/api/v1/payments/pay_fuzz000000000/refunds", false},
	{"POST", "/api/v1/payments/pay_fuzz000000000/capture", false},
	{"POST", "/api/v1/auth/register", true},
}

// noTemporal stands in for the Temporal client: the handlers under fuzzing start workflows only
// after a payment or refund is committed, and the fuzz target checks answers, not workflows.
type noTemporal struct{ client.Client }

func (noTemporal) ExecuteWorkflow(context.Context, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	return nil, nil
}

func (noTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

// apiHandler is the gateway's real HTTP handler (api.New) on a database of its own, migrated and
// with the test merchant.
func apiHandler(tb testing.TB) http.Handler {
	tb.Helper()
	url := sharedDatabase(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	if err := db.Migrate(ctx, pool); err != nil {
		tb.Fatal(err)
	}
	tm := config.TestMerchant{Email: "test@example.com", APIKey: testAPIKey, APISecret: testAPISecret}
	if _, err := auth.SeedTestMerchant(ctx, db.New(pool), tm); err != nil {
		tb.Fatal(err)
	}
	cfg := config.Config{
		TemporalNamespace: "default", TaskQueue: "payments", TemporalUIURL: "http://127.0.0.1:1",
		APIRateLimit: 0, TestMerchant: tm,
		Bank:     config.BankConfig{TestMode: true, PaymentSuccess: true},
		Webhooks: config.WebhookConfig{RetryIntervals: retryWaits},
	}
	return api.New(api.Deps{Pool: pool, Temporal: noTemporal{}, Config: cfg, Logger: slog.New(slog.DiscardHandler)})
}

// FuzzAPIJSON drives the real API handler with arbitrary bodies on every route that decodes JSON
// (orders, payments with cards and VPAs, refunds, capture, registration). Whatever the body, the
// answer is JSON; a 4xx is in the error shape with a known code; nothing is a 5xx. Its checked-in
// corpus (testdata/fuzz/FuzzAPIJSON) runs with the suite; to fuzz:
//
//	go test -tags faults -run '^$' -fuzz FuzzAPIJSON -fuzztime 60s ./faults/
func FuzzAPIJSON(f *testing.F) {
	for i, body := range []string{
		`{"amount": 50000, "currency": "INR", "receipt": "r1", "notes": {"k": "v"}}`,
		`{"order_id": "order_x", "method": "upi", "vpa": "user@upi"}`,
		`{"key": "key_test_abc123", "order_id": "order_x", "method": "card", "card": {"number": "4111 1111 1111 1111", "expiry_month": 12, "expiry_year": "30", "cvv": "123", "holder_name": "A"}}`,
		`{"payment_id": "pay_x", "amount": 100, "reason": "r"}`,
		`{"amount": 100}`,
		`{"amount": 100, "idempotency_key": "k"}`,
		`{"name": "A", "email": "not-an-email", "password": "p", "confirmPassword": "q"}`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	h := apiHandler(f)

	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		req := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if !rt.anonymous {
			req.Header.Set("X-Api-Key", testAPIKey)
			req.Header.Set("X-Api-Secret", testAPISecret)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(ctx))

		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", rt.method, rt.path, body, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s %q: Content-Type %q", rt.method, rt.path, body, ct)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: the answer is not JSON: %s", rt.method, rt.path, body, rec.Body)
		}
		if rec.Code >= 400 {
			if r := (response{Body: rec.Body.Bytes()}); !errorCodes[r.code()] {
				t.Fatalf("%s %s %q: %d not in the error shape: %s", rt.method, rt.path, body, rec.Code, rec.Body)
			}
		}
	})
}
