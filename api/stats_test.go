package api_test

import (
	"testing"
	"time"

	"github.com/paygate/paygate/gatewaytest"
)

func TestStats(t *testing.T) {
	gw := gatewaytest.Start(t)
	empty := gw.Get(t, "/api/v1/stats").JSON(t)
	if empty["total_transactions"] != 0.0 || empty["success_rate"] != 0.0 || len(empty["volume_by_day"].([]any)) != 0 {
		t.Errorf("empty stats = %v", empty)
	}
	a := paidPayment(t, gw, 30000)
	paidPayment(t, gw, 20000)
	failed := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 9900), "method": "upi", "vpa": "failure@upi"})
	gw.WaitForStatus(t, "/api/v1/payments/"+failed["id"].(string))
	rf := gw.MustCreate(t, "/api/v1/payments/"+a+"/refunds", map[string]any{"amount": 5000})
	gw.WaitForStatus(t, "/api/v1/refunds/"+rf["id"].(string))

	st := gw.Get(t, "/api/v1/stats").JSON(t)
	want := map[string]any{"total_transactions": 3.0, "successful_transactions": 2.0, "total_amount": 50000.0,
		"success_rate": 66.7, "refunded_amount": 5000.0, "currency": "INR"}
	for k, v := range want {
		if st[k] != v {
			t.Errorf("%s = %v, want %v", k, st[k], v)
		}
	}
	days := st["volume_by_day"].([]any)
	today := days[len(days)-1].(map[string]any)
	if today["date"] != time.Now().UTC().Format(time.DateOnly) || today["count"] != 3.0 || today["amount"] != 50000.0 {
		t.Errorf("today = %v", today)
	}
	if r := gw.Get(t, "/api/v1/stats?currency=XYZ"); r.Status != 400 {
		t.Errorf("unknown currency = %d", r.Status)
	}
}
