package api_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/paygate/paygate/api"
	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/gatewaytest"
)

// anonymous sends a request with no credentials, as the hosted checkout does.
func anonymous(t *testing.T, gw *gatewaytest.Stack, method, path string, body any) gatewaytest.Response {
	t.Helper()
	return gw.Do(t, gatewaytest.Request{Method: method, Path: path, Body: body, Anonymous: true})
}

func keyQuery(path, key string) string {
	return path + "?key=" + url.QueryEscape(key)
}

func expectError(t *testing.T, what string, r gatewaytest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.ErrorCode() != code {
		t.Errorf("%s = %d %s, want %d %s", what, r.Status, r.Body, status, code)
	}
}

// The hosted checkout opens from the order id alone: every public endpoint works without the
// publishable key, the order or payment naming its merchant, and shows what it shows with the key.
func TestPublicEndpointsWithoutKey(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID := newOrder(t, gw, 2500)
	orderPath := "/api/v1/orders/" + orderID + "/public"

	order := anonymous(t, gw, http.MethodGet, orderPath, nil)
	if order.Status != http.StatusOK || order.JSON(t)["merchant_name"] != "Test Merchant" {
		t.Fatalf("order without key = %d %s", order.Status, order.Body)
	}
	if withOwnKey := anonymous(t, gw, http.MethodGet, keyQuery(orderPath, gatewaytest.APIKey), nil); !bytes.Equal(withOwnKey.Body, order.Body) {
		t.Errorf("order with the key = %d %s, without = %s", withOwnKey.Status, withOwnKey.Body, order.Body)
	}

	expectError(t, "payment without key or order", anonymous(t, gw, http.MethodPost, "/api/v1/payments/public",
		map[string]any{"method": "upi", "vpa": "buyer@okaxis"}), http.StatusBadRequest, api.CodeBadRequest)
	expectError(t, "payment without key for an unknown order", anonymous(t, gw, http.MethodPost, "/api/v1/payments/public",
		map[string]any{"order_id": "order_0000000000000000", "method": "upi", "vpa": "buyer@okaxis"}), http.StatusNotFound, api.CodeNotFound)
	created := anonymous(t, gw, http.MethodPost, "/api/v1/payments/public",
		map[string]any{"order_id": orderID, "method": "card", "card": card("4111111111111111")})
	if created.Status != http.StatusCreated {
		t.Fatalf("payment without key = %d %s", created.Status, created.Body)
	}
	paymentID := created.JSON(t)["id"].(string)
	// It is the order's merchant's payment.
	if p := gw.Get(t, "/api/v1/payments/"+paymentID).JSON(t); p["order_id"] != orderID || p["amount"] != 2500.0 {
		t.Errorf("merchant's view of the payment = %v", p)
	}

	paymentPath := "/api/v1/payments/" + paymentID + "/public"
	final := gw.WaitForStatus(t, paymentPath)
	m, err := gw.Queries.GetMerchant(t.Context(), auth.TestMerchantID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": paymentID, "order_id": orderID, "amount": 2500.0, "currency": "INR", "method": "card", "status": "success",
		"error_code": nil, "error_description": nil, "signature": api.CheckoutSignature(m.WebhookSecret, orderID, paymentID),
	}
	if len(final) != len(want) {
		t.Errorf("payment without key = %v, want exactly %v", final, want)
	}
	for k, v := range want {
		if final[k] != v {
			t.Errorf("payment without key: %s = %v, want %v", k, final[k], v)
		}
	}
	without := anonymous(t, gw, http.MethodGet, paymentPath, nil)
	if with := anonymous(t, gw, http.MethodGet, keyQuery(paymentPath, gatewaytest.APIKey), nil); with.Status != http.StatusOK || !bytes.Equal(with.Body, without.Body) {
		t.Errorf("payment with the key = %d %s, without = %s", with.Status, with.Body, without.Body)
	}
	expectError(t, "unknown payment without key", anonymous(t, gw, http.MethodGet, "/api/v1/payments/pay_0000000000000000/public", nil),
		http.StatusNotFound, api.CodeNotFound)
}

// A publishable key, when given, must be the merchant's whose order or payment is named: another
// merchant's key finds nothing (404), an unknown key is refused (401).
func TestPublicEndpointsRefuseAnotherMerchantsKey(t *testing.T) {
	gw := gatewaytest.Start(t)
	otherKey := register(t, gw, "other-shop@example.com")["X-Api-Key"]
	orderID := newOrder(t, gw, 2500)
	paid := newOrder(t, gw, 4000)
	paymentID := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": paid, "method": "upi", "vpa": "buyer@okaxis"})["id"].(string)
	gw.WaitForStatus(t, "/api/v1/payments/"+paymentID)

	orderPath := "/api/v1/orders/" + orderID + "/public"
	paymentPath := "/api/v1/payments/" + paymentID + "/public"
	pay := func(key string) gatewaytest.Response {
		return anonymous(t, gw, http.MethodPost, "/api/v1/payments/public",
			map[string]any{"key": key, "order_id": orderID, "method": "upi", "vpa": "buyer@okaxis"})
	}
	expectError(t, "order with another merchant's key", anonymous(t, gw, http.MethodGet, keyQuery(orderPath, otherKey), nil), http.StatusNotFound, api.CodeNotFound)
	expectError(t, "order with an unknown key", anonymous(t, gw, http.MethodGet, keyQuery(orderPath, "key_nope"), nil), http.StatusUnauthorized, api.CodeAuthentication)
	expectError(t, "payment with another merchant's key", pay(otherKey), http.StatusNotFound, api.CodeNotFound)
	expectError(t, "payment with an unknown key", pay("key_nope"), http.StatusUnauthorized, api.CodeAuthentication)
	expectError(t, "payment view with another merchant's key", anonymous(t, gw, http.MethodGet, keyQuery(paymentPath, otherKey), nil), http.StatusNotFound, api.CodeNotFound)
	expectError(t, "payment view with an unknown key", anonymous(t, gw, http.MethodGet, keyQuery(paymentPath, "key_nope"), nil), http.StatusUnauthorized, api.CodeAuthentication)

	var payments int
	if err := gw.Pool.QueryRow(t.Context(), `SELECT count(*) FROM payments WHERE order_id = $1`, orderID).Scan(&payments); err != nil || payments != 0 {
		t.Errorf("payments of the order = %d (%v), want none", payments, err)
	}
	if r := pay(gatewaytest.APIKey); r.Status != http.StatusCreated {
		t.Errorf("payment with the merchant's key = %d %s", r.Status, r.Body)
	}
}

// A deactivated merchant's orders and payments are not found without a key, as they are not
// through its key.
func TestPublicEndpointsWithoutKeyHideDeactivatedMerchant(t *testing.T) {
	gw := gatewaytest.Start(t)
	orderID, paid := newOrder(t, gw, 2500), newOrder(t, gw, 4000)
	paymentID := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": paid, "method": "upi", "vpa": "buyer@okaxis"})["id"].(string)
	gw.WaitForStatus(t, "/api/v1/payments/"+paymentID)
	if _, err := gw.Pool.Exec(t.Context(), `UPDATE merchants SET is_active = false WHERE id = $1`, auth.TestMerchantID); err != nil {
		t.Fatal(err)
	}
	expectError(t, "order", anonymous(t, gw, http.MethodGet, "/api/v1/orders/"+orderID+"/public", nil), http.StatusNotFound, api.CodeNotFound)
	expectError(t, "payment", anonymous(t, gw, http.MethodPost, "/api/v1/payments/public",
		map[string]any{"order_id": orderID, "method": "upi", "vpa": "buyer@okaxis"}), http.StatusNotFound, api.CodeNotFound)
	expectError(t, "payment view", anonymous(t, gw, http.MethodGet, "/api/v1/payments/"+paymentID+"/public", nil), http.StatusNotFound, api.CodeNotFound)
}
