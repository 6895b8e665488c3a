package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/paygate/paygate/gatewaytest"
	"github.com/paygate/paygate/workflows"
)

func withKey(method, path, key string, body any) gatewaytest.Request {
	return gatewaytest.Request{Method: method, Path: path, Body: body, Headers: map[string]string{"Idempotency-Key": key}}
}

func TestIdempotentReplay(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 50000)
	body := map[string]any{"order_id": orderID, "method": "upi", "vpa": "a@upi"}

	first := gw.Do(t, withKey(http.MethodPost, "/api/v1/payments", "pay-attempt-1", body))
	if first.Status != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first = %d %s", first.Status, first.Body)
	}
	gw.WaitForStatus(t, "/api/v1/payments/"+first.JSON(t)["id"].(string))
	again := gw.Do(t, withKey(http.MethodPost, "/api/v1/payments", "pay-attempt-1", body))
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
		t.Errorf("repeat = %d %q %s, want the first answer's bytes", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	if total := gw.Get(t, "/api/v1/payments").JSON(t)["total"]; total != 1.0 {
		t.Errorf("%v payments, want 1", total)
	}

	other := map[string]any{"order_id": orderID, "method": "upi", "vpa": "b@upi"}
	if r := gw.Do(t, withKey(http.MethodPost, "/api/v1/payments", "pay-attempt-1", other)); r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "IDEMPOTENCY_ERROR" {
		t.Errorf("same key, other body = %d %s, want 422", r.Status, r.Body)
	}
	if r := gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "pay-attempt-1", map[string]any{"amount": 500})); r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "IDEMPOTENCY_ERROR" {
		t.Errorf("same key, other route = %d %s, want 422", r.Status, r.Body)
	}
	// Keys are the merchant's own: another merchant's identical key is a new request.
	creds := register(t, gw, "keys@example.com")
	creds["Idempotency-Key"] = "pay-attempt-1"
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/orders", Body: map[string]any{"amount": 500}, Headers: creds}); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("another merchant's key = %d %s", r.Status, r.Body)
	}
}

func TestIdempotencyKeyRules(t *testing.T) {
	gw := gatewaytest.Start(t)
	for _, key := range []string{strings.Repeat("k", 256), "tab\there", "naïve"} {
		if r := gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", key, map[string]any{"amount": 500})); r.Status != http.StatusBadRequest {
			t.Errorf("key %q = %d %s, want 400", key, r.Status, r.Body)
		}
	}
	// A request that fails validation stores nothing: the key stays free for the corrected request.
	if r := gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "order-1", map[string]any{"amount": 5})); r.Status != http.StatusBadRequest {
		t.Fatalf("invalid order = %d", r.Status)
	}
	if r := gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "order-1", map[string]any{"amount": 500})); r.Status != http.StatusCreated {
		t.Errorf("corrected request with the same key = %d %s", r.Status, r.Body)
	}
	// The refunds' older body field works as a key too.
	id := paidPayment(t, gw, 1000)
	body := map[string]any{"payment_id": id, "amount": 100, "idempotency_key": "refund-1"}
	first := gw.Post(t, "/api/v1/refunds", body)
	second := gw.Post(t, "/api/v1/refunds", body)
	if first.Status != http.StatusCreated || second.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, second.Body) {
		t.Errorf("body idempotency_key: %d %s / %d %s", first.Status, first.Body, second.Status, second.Body)
	}
}

// Sixteen identical requests at once with one key create exactly one payment; the others get the
// replay or 409, never a 500.
func TestConcurrentIdenticalRequestsCreateOnePayment(t *testing.T) {
	gw := gatewaytest.Start(t)
	body := map[string]any{"order_id": newOrder(t, gw, 50000), "method": "card", "card": card("4111111111111111")}
	const n = 16
	responses := make([]gatewaytest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { responses[i] = gw.Do(t, withKey(http.MethodPost, "/api/v1/payments", "checkout-42", body)) })
	}
	wg.Wait()
	var createdBody []byte
	for _, r := range responses {
		switch {
		case r.Status == http.StatusCreated && createdBody == nil:
			createdBody = r.Body
		case r.Status == http.StatusCreated && !bytes.Equal(r.Body, createdBody):
			t.Errorf("two different 201 answers: %s / %s", createdBody, r.Body)
		case r.Status == http.StatusConflict && r.ErrorCode() == "IDEMPOTENCY_ERROR":
		case r.Status != http.StatusCreated:
			t.Errorf("unexpected answer %d %s", r.Status, r.Body)
		}
	}
	var payments int
	gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM payments`).Scan(&payments)
	if payments != 1 {
		t.Errorf("%d payments created, want 1", payments)
	}
}

func TestExpiredKeysAreDeletedBySchedule(t *testing.T) {
	gw := gatewaytest.Start(t)
	gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "fresh", map[string]any{"amount": 500}))
	gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "old", map[string]any{"amount": 500}))
	gw.Pool.Exec(t.Context(), `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'`)

	run, err := gw.Temporal.ExecuteWorkflow(t.Context(), clientOptions(gw, "cleanup-test"), workflows.IdempotencyCleanupWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var deleted int64
	if err := run.Get(t.Context(), &deleted); err != nil || deleted != 1 {
		t.Errorf("deleted %d (%v), want 1", deleted, err)
	}
	var left []string
	rows, _ := gw.Pool.Query(t.Context(), `SELECT key FROM idempotency_keys`)
	for rows.Next() {
		var k string
		rows.Scan(&k)
		left = append(left, k)
	}
	if len(left) != 1 || left[0] != "fresh" {
		t.Errorf("keys left: %v", left)
	}
	// An expired key is a new request again.
	if r := gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "old", map[string]any{"amount": 900})); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("reused expired key = %d %s", r.Status, r.Body)
	}
}

// While a request with a key is executing (it holds the key's lock), a repeat gets 409 at once.
func TestRepeatWhileFirstRunsGets409(t *testing.T) {
	gw := gatewaytest.Start(t)
	h := sha256.Sum256([]byte("550e8400-e29b-41d4-a716-446655440000\x00in-flight"))
	tx, err := gw.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), `SELECT pg_advisory_xact_lock($1)`, int64(binary.BigEndian.Uint64(h[:8]))); err != nil {
		t.Fatal(err)
	}
	r := gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "in-flight", map[string]any{"amount": 500}))
	if r.Status != http.StatusConflict || r.ErrorCode() != "IDEMPOTENCY_ERROR" {
		t.Errorf("repeat during the first = %d %s, want 409", r.Status, r.Body)
	}
	tx.Rollback(t.Context())
	if r := gw.Do(t, withKey(http.MethodPost, "/api/v1/orders", "in-flight", map[string]any{"amount": 500})); r.Status != http.StatusCreated {
		t.Errorf("after the first ended = %d %s", r.Status, r.Body)
	}
}
