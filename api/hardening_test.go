package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

// TestIdempotencyKeepsNoCardData: what is stored of an idempotent card payment cannot be tested
// against a guessed card without the server's key, and still tells another card or expiry apart
// (422) while a repeat that only changes the CVV (which nothing may keep) is answered from the
// first request and charges nothing.
func TestIdempotencyKeepsNoCardData(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 50000)
	pay := func(c map[string]any, key string) gatewaytest.Response {
		return gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments",
			Body: map[string]any{"order_id": orderID, "method": "card", "card": c}, Headers: map[string]string{"Idempotency-Key": key}})
	}
	c := card("4111111111111111")
	body, _ := json.Marshal(map[string]any{"order_id": orderID, "method": "card", "card": c})
	first := pay(c, "card-1")
	if first.Status != http.StatusCreated {
		t.Fatalf("payment = %d %s", first.Status, first.Body)
	}

	var stored []byte
	if err := gw.Pool.QueryRow(context.Background(), `SELECT request_hash FROM idempotency_keys WHERE key = 'card-1'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	plain := sha256.Sum256(body)
	unkeyed := hmac.New(sha256.New, nil)
	unkeyed.Write(body)
	if len(stored) != sha256.Size || hmac.Equal(stored, plain[:]) || hmac.Equal(stored, unkeyed.Sum(nil)) {
		t.Errorf("stored request hash %x can be computed from the body without the server's key", stored)
	}

	otherCVV := card("4111111111111111")
	otherCVV["cvv"] = "999"
	if r := pay(otherCVV, "card-1"); r.Status != http.StatusCreated || string(r.Body) != string(first.Body) || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("repeat with another CVV = %d %s, want the first answer replayed", r.Status, r.Body)
	}
	spaced := card("4111 1111 1111 1111")
	if r := pay(spaced, "card-1"); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("repeat with the number spaced = %d %s, want a replay", r.Status, r.Body)
	}
	otherCard := card("5555555555554444")
	if r := pay(otherCard, "card-1"); r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "IDEMPOTENCY_ERROR" {
		t.Errorf("repeat with another card = %d %s, want 422", r.Status, r.Body)
	}
	otherExpiry := card("4111111111111111")
	otherExpiry["expiry_month"] = "11"
	if r := pay(otherExpiry, "card-1"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("repeat with another expiry = %d %s, want 422", r.Status, r.Body)
	}
	var n int
	gw.Pool.QueryRow(context.Background(), `SELECT count(*) FROM payments WHERE order_id = $1`, orderID).Scan(&n)
	if n != 1 {
		t.Errorf("%d payments for the order, want 1", n)
	}
}

// TestAmountCapAndStatsCannotOverflow: orders above the documented maximum are refused, and the
// dashboard's figures still answer when the amounts stored add up past int64 (rows from before
// the cap).
func TestAmountCapAndStatsCannotOverflow(t *testing.T) {
	gw := gatewaytest.Start(t)
	if r := gw.Post(t, "/api/v1/orders", map[string]any{"amount": 100_000_000}); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), "99999999") {
		t.Errorf("order above the maximum = %d %s, want 400 naming it", r.Status, r.Body)
	}
	if r := gw.Post(t, "/api/v1/orders", map[string]any{"amount": 99_999_999}); r.Status != http.StatusCreated {
		t.Errorf("order at the maximum = %d %s", r.Status, r.Body)
	}
	const huge = int64(1<<63 - 1)
	for _, id := range []string{"big1", "big2"} {
		for _, stmt := range []string{
			`INSERT INTO orders (id, merchant_id, amount, currency, status) VALUES ('order_'||$1, $2, $3, 'INR', 'paid')`,
			`INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, vpa, status) VALUES ('pay_'||$1, 'order_'||$1, $2, $3, 'INR', 'upi', 'a@upi', 'success')`,
		} {
			if _, err := gw.Pool.Exec(context.Background(), stmt, id, auth.TestMerchantID, huge); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := gw.Get(t, "/api/v1/stats")
	if r.Status != http.StatusOK {
		t.Fatalf("stats = %d %s", r.Status, r.Body)
	}
	var st struct {
		TotalAmount json.Number `json:"total_amount"`
		Volume      []struct {
			Amount json.Number `json:"amount"`
		} `json:"volume_by_day"`
	}
	dec := json.NewDecoder(strings.NewReader(string(r.Body)))
	dec.UseNumber()
	if err := dec.Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.TotalAmount != "18446744073709551614" || len(st.Volume) != 1 || st.Volume[0].Amount != "18446744073709551614" {
		t.Errorf("stats = %s, want the exact total 18446744073709551614", r.Body)
	}
}

// TestRefundAmountNull: only an absent amount refunds everything; null is refused and reserves
// nothing.
func TestRefundAmountNull(t *testing.T) {
	gw := gatewaytest.Start(t)
	id := paidPayment(t, gw, 50000)
	for _, path := range []string{"/api/v1/payments/" + id + "/refunds", "/api/v1/refunds"} {
		r := gw.Post(t, path, `{"payment_id": "`+id+`", "amount": null}`)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "amount must be an integer") {
			t.Errorf("POST %s with amount null = %d %s, want 400", path, r.Status, r.Body)
		}
	}
	if p := gw.Get(t, "/api/v1/payments/"+id).JSON(t); p["amount_refunded"] != 0.0 {
		t.Errorf("amount_refunded after refused refunds = %v", p["amount_refunded"])
	}
	if r := gw.Post(t, "/api/v1/refunds", map[string]any{"payment_id": id, "amount": "100"}); r.Status != http.StatusBadRequest {
		t.Errorf("amount as a string = %d %s", r.Status, r.Body)
	}
}

// TestPublicIdempotencyKeysAreApart: a key the checkout's customer chose for a public payment never
// meets the merchant's own requests with the same key.
func TestPublicIdempotencyKeysAreApart(t *testing.T) {
	gw := gatewaytest.Start(t)
	paid := paidPayment(t, gw, 50000)
	key := "refund-" + paid
	public := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments/public", Anonymous: true,
		Headers: map[string]string{"Idempotency-Key": key},
		Body:    map[string]any{"key": gatewaytest.APIKey, "order_id": newOrder(t, gw, 1000), "method": "upi", "vpa": "buyer@okicici"}})
	if public.Status != http.StatusCreated {
		t.Fatalf("public payment = %d %s", public.Status, public.Body)
	}
	refund := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments/" + paid + "/refunds",
		Headers: map[string]string{"Idempotency-Key": key}, Body: map[string]any{"amount": 1000}})
	if refund.Status != http.StatusCreated {
		t.Errorf("merchant's refund with the key a customer used = %d %s, want 201", refund.Status, refund.Body)
	}
	again := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/payments/" + paid + "/refunds",
		Headers: map[string]string{"Idempotency-Key": key}, Body: map[string]any{"amount": 1000}})
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(refund.Body) {
		t.Errorf("the merchant's repeat = %d %s, want its own answer replayed", again.Status, again.Body)
	}
}

// TestSeedingKeepsChangedCredentials: seeding the test merchant again (every `gateway migrate`
// with SEED_TEST_MERCHANT) never restores a secret its owner rolled.
func TestSeedingKeepsChangedCredentials(t *testing.T) {
	gw := gatewaytest.Start(t)
	rolled := gw.Post(t, "/api/v1/auth/roll-secret", nil).JSON(t)
	secret, _ := rolled["apiSecret"].(string)
	if secret == "" {
		t.Fatalf("roll-secret = %v", rolled)
	}
	if _, err := auth.SeedTestMerchant(context.Background(), gw.Queries, config.TestMerchant{
		Email: "test@example.com", APIKey: gatewaytest.APIKey, APISecret: gatewaytest.APISecret,
	}); err != nil {
		t.Fatal(err)
	}
	if r := gw.Get(t, "/api/v1/orders"); r.Status != http.StatusUnauthorized {
		t.Errorf("the seeded secret works again after seeding: %d", r.Status)
	}
	r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/orders",
		Headers: map[string]string{"X-Api-Secret": secret}})
	if r.Status != http.StatusOK {
		t.Errorf("the rolled secret after seeding = %d %s", r.Status, r.Body)
	}
}

// TestTestRoutesOnlyInTestMode: /api/v1/test/* does not exist outside test mode.
func TestTestRoutesOnlyInTestMode(t *testing.T) {
	gw := gatewaytest.Start(t, func(c *config.Config) { c.Bank.TestMode = false })
	for _, path := range []string{"/api/v1/test/merchant", "/api/v1/test/jobs/status"} {
		r := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: path, Anonymous: true})
		if r.Status != http.StatusNotFound || r.ErrorCode() != "NOT_FOUND_ERROR" {
			t.Errorf("GET %s outside test mode = %d %s, want 404", path, r.Status, r.Body)
		}
	}
}
