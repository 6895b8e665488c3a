package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/paygate/paygate/gatewaytest"
)

func TestCreateOrder(t *testing.T) {
	gw := gatewaytest.Start(t)
	o := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 50000, "receipt": "rcpt_1", "notes": map[string]any{"k": "v"}})
	if !regexp.MustCompile(`^order_[A-Za-z0-9]{16}$`).MatchString(o["id"].(string)) {
		t.Errorf("id %v", o["id"])
	}
	want := map[string]any{"amount": 50000.0, "currency": "INR", "status": "created", "receipt": "rcpt_1",
		"merchant_id": "550e8400-e29b-41d4-a716-446655440000"}
	for k, v := range want {
		if o[k] != v {
			t.Errorf("%s = %v, want %v", k, o[k], v)
		}
	}
	if o["notes"].(map[string]any)["k"] != "v" {
		t.Errorf("notes = %v", o["notes"])
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(o["created_at"].(string)) {
		t.Errorf("created_at %v is not ISO 8601 UTC", o["created_at"])
	}

	got := gw.Get(t, "/api/v1/orders/"+o["id"].(string)).JSON(t)
	if got["id"] != o["id"] || got["amount"] != 50000.0 {
		t.Errorf("GET order = %v", got)
	}
	gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 100, "currency": "USD"})
	list := gw.Get(t, "/api/v1/orders?limit=1&skip=0").JSON(t)
	if list["count"] != 1.0 || list["total"] != 2.0 || len(list["orders"].([]any)) != 1 {
		t.Errorf("list = %v", list)
	}

	public := gw.Do(t, gatewaytest.Request{Method: http.MethodGet, Path: "/api/v1/orders/" + o["id"].(string) + "/public", Anonymous: true}).JSON(t)
	if public["merchant_name"] != "Test Merchant" || public["amount"] != 50000.0 || public["merchant_id"] != nil || public["notes"] != nil {
		t.Errorf("public order = %v", public)
	}
}

func TestCreateOrderRejectsBadInput(t *testing.T) {
	gw := gatewaytest.Start(t)
	cases := []struct {
		name   string
		body   any
		status int
		desc   string
	}{
		{"missing amount", map[string]any{}, 400, "amount"},
		{"too small", map[string]any{"amount": 99}, 400, "amount"},
		{"negative", map[string]any{"amount": -5000}, 400, "amount"},
		{"fraction", `{"amount": 500.5}`, 400, "amount must be an integer"},
		{"exponent", `{"amount": 1e3}`, 400, "amount must be an integer"},
		{"string amount", `{"amount": "50000"}`, 400, "amount must be an integer"},
		{"huge", `{"amount": 99999999999999999999999}`, 400, "amount must be an integer"},
		{"currency", map[string]any{"amount": 500, "currency": "XYZ"}, 400, "currency"},
		{"notes array", map[string]any{"amount": 500, "notes": []int{1}}, 400, "notes must be an object"},
		{"receipt too long", map[string]any{"amount": 500, "receipt": strings.Repeat("r", 41)}, 400, "receipt"},
		{"malformed", `{"amount": `, 400, "not valid JSON"},
		{"not an object", `[1,2]`, 400, "JSON object"},
		{"empty", ``, 400, "JSON object"},
		{"two objects", `{"amount": 500}{"amount": 600}`, 400, "single JSON object"},
		{"too large", `{"amount": 500, "receipt": "` + strings.Repeat("x", 1<<20) + `"}`, 413, "larger than 1 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := gw.Post(t, "/api/v1/orders", c.body)
			code := "BAD_REQUEST_ERROR"
			if c.status == http.StatusRequestEntityTooLarge {
				code = "PAYLOAD_TOO_LARGE"
			}
			if r.Status != c.status || r.ErrorCode() != code || !strings.Contains(string(r.Body), c.desc) {
				t.Errorf("= %d %.300s, want %d %s mentioning %q", r.Status, r.Body, c.status, code, c.desc)
			}
		})
	}
	if total := gw.Get(t, "/api/v1/orders").JSON(t)["total"]; total != 0.0 {
		t.Errorf("bad requests created %v orders", total)
	}
}

func TestOrdersAreTheMerchantsOwn(t *testing.T) {
	gw := gatewaytest.Start(t)
	other := register(t, gw, "other@example.com")
	theirs := gw.Do(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/orders", Body: map[string]any{"amount": 700}, Headers: other})
	if theirs.Status != http.StatusCreated {
		t.Fatalf("other merchant's order: %d %s", theirs.Status, theirs.Body)
	}
	id := theirs.JSON(t)["id"].(string)
	if r := gw.Get(t, "/api/v1/orders/"+id); r.Status != http.StatusNotFound || r.ErrorCode() != "NOT_FOUND_ERROR" {
		t.Errorf("another merchant's order = %d %s, want 404", r.Status, r.Body)
	}
	if r := gw.Post(t, "/api/v1/payments", map[string]any{"order_id": id, "method": "upi", "vpa": "a@upi"}); r.Status != http.StatusNotFound {
		t.Errorf("paying another merchant's order = %d %s, want 404", r.Status, r.Body)
	}
	if total := gw.Get(t, "/api/v1/orders").JSON(t)["total"]; total != 0.0 {
		t.Errorf("test merchant sees %v orders, want 0", total)
	}
}
