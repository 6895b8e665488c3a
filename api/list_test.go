package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paygate/paygate/gatewaytest"
)

// list is one of the API's lists: its path and the key of its items.
type list struct{ path, items string }

var lists = []list{
	{"/api/v1/orders", "orders"},
	{"/api/v1/payments", "payments"},
	{"/api/v1/refunds", "refunds"},
	{"/api/v1/webhooks", "data"},
	{"/api/v1/audit-log", "entries"},
}

// listPage gets one page of a list and returns its ids and has_more.
func listPage(t testing.TB, gw *gatewaytest.Stack, l list, query string) ([]string, bool) {
	t.Helper()
	r := gw.Get(t, l.path+"?"+query)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s?%s = %d %s", l.path, query, r.Status, r.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	more, ok := body["has_more"].(bool)
	if !ok {
		t.Fatalf("GET %s?%s: no has_more in %s", l.path, query, r.Body)
	}
	var ids []string
	for _, item := range body[l.items].([]any) {
		ids = append(ids, fmt.Sprint(item.(map[string]any)["id"]))
	}
	return ids, more
}

// seedLists gives every list several items, some created in the same statement (a payment's
// events share their creation time, so their order rests on the id), and waits until nothing
// more is being added to them.
func seedLists(t *testing.T, gw *gatewaytest.Stack) {
	t.Helper()
	rc := gatewaytest.NewReceiver(t)
	if r := gw.Do(t, gatewaytest.Request{Method: http.MethodPut, Path: "/api/v1/webhooks/config", Body: map[string]any{"webhook_url": rc.URL}}); r.Status != http.StatusOK {
		t.Fatalf("webhook config = %d %s", r.Status, r.Body)
	}
	var paid []string
	for range 3 {
		paid = append(paid, paidPayment(t, gw, 1000))
	}
	for i := range 4 {
		rf := gw.MustCreate(t, "/api/v1/payments/"+paid[i%len(paid)]+"/refunds", map[string]any{"amount": 100})
		gw.WaitForStatus(t, "/api/v1/refunds/"+rf["id"].(string))
	}
	for range 2 {
		newOrder(t, gw, 500)
	}
}

func TestListsPageByCursorBothWays(t *testing.T) {
	gw := gatewaytest.Start(t)
	seedLists(t, gw)
	for _, l := range lists {
		t.Run(l.items, func(t *testing.T) {
			all, more := listPage(t, gw, l, "limit=100")
			if more || len(all) < 3 {
				t.Fatalf("whole list: %d items, has_more %v", len(all), more)
			}

			var forward []string
			query := "limit=2"
			for pages := 0; ; pages++ {
				ids, more := listPage(t, gw, l, query)
				forward = append(forward, ids...)
				if !more {
					break
				}
				if pages > len(all) {
					t.Fatal("starting_after never ends")
				}
				query = "limit=2&starting_after=" + ids[len(ids)-1]
			}
			if !slices.Equal(forward, all) {
				t.Errorf("starting_after pages:\n%v\nwant the list newest first:\n%v", forward, all)
			}

			// From the oldest item, ending_before pages towards the newest.
			var backward []string
			cursor := all[len(all)-1]
			for pages := 0; ; pages++ {
				ids, more := listPage(t, gw, l, "limit=2&ending_before="+cursor)
				backward = append(ids, backward...)
				if !more {
					break
				}
				if pages > len(all) {
					t.Fatal("ending_before never ends")
				}
				cursor = ids[0]
			}
			if !slices.Equal(backward, all[:len(all)-1]) {
				t.Errorf("ending_before pages:\n%v\nwant every item newer than the last, newest first:\n%v", backward, all[:len(all)-1])
			}

			if ids, more := listPage(t, gw, l, "limit=1&ending_before="+all[0]); len(ids) != 0 || more {
				t.Errorf("ending_before the newest = %v, has_more %v; want nothing", ids, more)
			}
			if ids, more := listPage(t, gw, l, "limit=1&starting_after="+all[len(all)-1]); len(ids) != 0 || more {
				t.Errorf("starting_after the oldest = %v, has_more %v; want nothing", ids, more)
			}
		})
	}
}

// Paging by starting_after through a fixed set of payments while new ones are created shows each
// of the set once, in order; paging by skip would show some twice, as every insert pushes the
// rows down a place.
func TestCursorPagingUnderConcurrentInserts(t *testing.T) {
	gw := gatewaytest.Start(t)
	gw.StopWorker() // pending payments are all this test needs
	pay := func(t testing.TB) string {
		order := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 1000})
		return gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": order["id"], "method": "upi", "vpa": "buyer@okicici"})["id"].(string)
	}
	var set []string
	for range 12 {
		set = append([]string{pay(t)}, set...)
	}
	payments := list{"/api/v1/payments", "payments"}
	seen, more := listPage(t, gw, payments, "limit=3")

	inserted := make(chan string)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			id := pay(t)
			select {
			case inserted <- id:
			case <-stop:
				return
			}
		}
	}()
	defer func() { close(stop); <-done }()

	for more {
		select { // at least one payment is created between two pages
		case <-inserted:
		case <-time.After(30 * time.Second):
			t.Fatal("no payment created for 30 s")
		}
		var ids []string
		ids, more = listPage(t, gw, payments, "limit=3&starting_after="+seen[len(seen)-1])
		seen = append(seen, ids...)
		if len(seen) > 2*len(set) {
			t.Fatalf("paging does not end: %v", seen)
		}
	}
	if !slices.Equal(seen, set) {
		t.Errorf("paged through\n%v\nwant each payment once, newest first:\n%v", seen, set)
	}
}

func TestListCreatedFilters(t *testing.T) {
	gw := gatewaytest.Start(t)
	gw.StopWorker()
	// Three payments and their orders, one second apart around 2026-01-01T00:00:00Z.
	const midnight = 1767225600
	var ids, orders []string
	for i := range 3 {
		order := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 1000})
		p := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": order["id"], "method": "upi", "vpa": "buyer@okicici"})
		ids, orders = append(ids, p["id"].(string)), append(orders, order["id"].(string))
		at := time.Unix(midnight-1+int64(i), 0)
		if _, err := gw.Pool.Exec(context.Background(), `UPDATE payments SET created_at = $2 WHERE id = $1`, ids[i], at); err != nil {
			t.Fatal(err)
		}
		if _, err := gw.Pool.Exec(context.Background(), `UPDATE orders SET created_at = $2 WHERE id = $1`, orders[i], at); err != nil {
			t.Fatal(err)
		}
	}
	before, at, after := 0, 1, 2
	for _, c := range []struct {
		query string
		want  []int // indexes into ids, newest first
	}{
		{"created[gte]=1767225600&created[lt]=1767225602", []int{after, at}},
		{"created[gt]=1767225600&created[lt]=1767225602", []int{after}},
		{"created[lte]=1767225600", []int{at, before}},
		{"created[lt]=1767225600", []int{before}},
		{"created[gte]=2026-01-01T00:00:00Z&created[lte]=2026-01-01T00:00:01Z", []int{after, at}},
		{"created[gt]=2026-01-01T00:00:00Z&created[lte]=2026-01-01T00:00:01Z", []int{after}},
		{"created[lte]=2026-01-01T00:00:00Z", []int{at, before}},
		{"created[lt]=2026-01-01T00:00:00Z", []int{before}},
		{"created[lt]=2026-01-01T05:30:00%2B05:30", []int{before}},
		{"created[gt]=2025-12-31T23:59:59.999999Z&created[lt]=2026-01-01T00:00:00.000001Z", []int{at}},
		{"created[gte]=2026-01-01&created[lt]=1767225602", []int{after, at}},
		{"created[gt]=1767225601&created[lt]=1767225600", nil},
	} {
		for _, l := range []list{{"/api/v1/payments", "payments"}, {"/api/v1/orders", "orders"}} {
			objects := ids
			if l.items == "orders" {
				objects = orders
			}
			var want []string
			for _, i := range c.want {
				want = append(want, objects[i])
			}
			if got, _ := listPage(t, gw, l, "limit=100&"+c.query); !slices.Equal(got, want) {
				t.Errorf("%s?%s = %v, want %v", l.path, c.query, got, want)
			}
			if total := gw.Get(t, l.path+"?"+c.query).JSON(t)["total"]; total != float64(len(want)) {
				t.Errorf("%s?%s total = %v, want %d", l.path, c.query, total, len(want))
			}
		}
	}
	// The older from/to filter and created[...] narrow each other.
	if got, _ := listPage(t, gw, list{"/api/v1/payments", "payments"}, "from=2026-01-01&created[lt]=1767225601"); !slices.Equal(got, []string{ids[at]}) {
		t.Errorf("from with created[lt] = %v, want %v", got, ids[at])
	}
}

func TestListRefusesBadPagination(t *testing.T) {
	gw := gatewaytest.Start(t)
	gw.StopWorker()
	order := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 1000})
	payment := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": order["id"], "method": "upi", "vpa": "buyer@okicici"})["id"].(string)
	cases := []struct {
		path string
		desc string
	}{
		{"/api/v1/payments?starting_after=" + payment + "&ending_before=" + payment, "cannot be used together"},
		{"/api/v1/payments?starting_after=pay_unknown0000000000", "starting_after must be the id of one of your payments"},
		{"/api/v1/payments?ending_before=" + order["id"].(string), "ending_before must be the id of one of your payments"},
		{"/api/v1/orders?starting_after=" + payment, "starting_after must be the id of one of your orders"},
		{"/api/v1/refunds?starting_after=" + payment, "one of your refunds"},
		{"/api/v1/webhooks?ending_before=" + payment, "one of your webhook deliveries"},
		{"/api/v1/audit-log?starting_after=" + payment, "one of your audit log entries"},
		{"/api/v1/audit-log?starting_after=999999999", "one of your audit log entries"},
		{"/api/v1/audit-log?ending_before=-1", "one of your audit log entries"},
		{"/api/v1/payments?skip=10001", "starting_after"},
		{"/api/v1/orders?offset=10001", "starting_after"},
		{"/api/v1/webhooks?skip=10001", "ending_before"},
		{"/api/v1/refunds?skip=-1", "skip must be an integer from 0 to 10000"},
		{"/api/v1/payments?skip=5&starting_after=" + payment, "skip cannot be used with"},
		{"/api/v1/payments?created[gte]=yesterday", "created[gte] must be a time"},
		{"/api/v1/audit-log?created[lt]=2026-13-01T00:00:00Z", "created[lt] must be a time"},
		{"/api/v1/orders?created[gt]=99999999999999", "created[gt] must be a time"},
		{"/api/v1/refunds?created[lte]=1.5", "created[lte] must be a time"},
		{"/api/v1/payments?limit=0", "limit must be an integer from 1 to 100"},
	}
	for _, c := range cases {
		r := gw.Get(t, c.path)
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "BAD_REQUEST_ERROR" || !strings.Contains(string(r.Body), c.desc) {
			t.Errorf("GET %s = %d %s, want 400 BAD_REQUEST_ERROR mentioning %q", c.path, r.Status, r.Body, c.desc)
		}
	}
	for _, path := range []string{"/api/v1/payments?skip=10000", "/api/v1/audit-log?offset=10000", "/api/v1/payments?starting_after=" + payment} {
		if r := gw.Get(t, path); r.Status != http.StatusOK {
			t.Errorf("GET %s = %d %s, want 200", path, r.Status, r.Body)
		}
	}
}

// A list's total, read from the running totals for the whole days of its creation range and
// counted from the rows for the partial days at either end, equals the number of objects the
// list returns, for ranges over several days with and without filters.
func TestListTotalsOverDays(t *testing.T) {
	gw := gatewaytest.Start(t)
	gw.StopWorker()
	// Eight payments (and orders, and their events) spread over five days around 2026-03-10.
	base := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	offsets := []time.Duration{-50 * time.Hour, -26 * time.Hour, -24 * time.Hour, -time.Second, 0, 5 * time.Hour, 30 * time.Hour, 71 * time.Hour}
	for i, off := range offsets {
		order := gw.MustCreate(t, "/api/v1/orders", map[string]any{"amount": 1000 + i})
		body := map[string]any{"order_id": order["id"], "method": "upi", "vpa": "buyer@okicici"}
		if i%2 == 1 {
			body = map[string]any{"order_id": order["id"], "method": "card", "card": map[string]any{
				"number": "4111111111111111", "expiry_month": 12, "expiry_year": 2040, "cvv": "123", "holder_name": "A"}}
		}
		p := gw.MustCreate(t, "/api/v1/payments", body)
		at := base.Add(off)
		for _, stmt := range []string{
			`UPDATE payments SET created_at = $2 WHERE id = $1`,
			`UPDATE orders SET created_at = $2 WHERE id = (SELECT order_id FROM payments WHERE id = $1)`,
			`UPDATE webhook_logs SET created_at = $2 WHERE payment_id = $1`,
		} {
			if _, err := gw.Pool.Exec(context.Background(), stmt, p["id"], at); err != nil {
				t.Fatal(err)
			}
		}
	}
	bounds := []string{"", "1772928000", "2026-03-08T01:00:00Z", "2026-03-09", "2026-03-09T00:00:00Z", "2026-03-09T23:59:59Z",
		"2026-03-10", "2026-03-10T05:00:00Z", "2026-03-11T06:00:00Z", "2026-03-13", "2026-03-20"}
	count := 0
	for _, gte := range bounds {
		for _, lt := range bounds {
			var q []string
			if gte != "" {
				q = append(q, "created[gte]="+gte)
			}
			if lt != "" {
				q = append(q, "created[lt]="+lt)
			}
			for _, c := range []struct {
				l      list
				filter string
			}{
				{list{"/api/v1/payments", "payments"}, ""},
				{list{"/api/v1/payments", "payments"}, "method=card"},
				{list{"/api/v1/orders", "orders"}, ""},
				{list{"/api/v1/webhooks", "data"}, "event=payment.created"},
			} {
				query := strings.Join(append(slices.Clone(q), c.filter, "limit=100"), "&")
				ids, _ := listPage(t, gw, c.l, query)
				total := gw.Get(t, c.l.path+"?"+query).JSON(t)["total"]
				if total != float64(len(ids)) {
					t.Errorf("%s?%s: total %v, listed %d", c.l.path, query, total, len(ids))
				}
				count += len(ids)
			}
		}
	}
	if count == 0 {
		t.Fatal("no range listed anything")
	}
}
