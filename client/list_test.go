package client_test

import (
	"slices"
	"testing"
	"time"

	"github.com/paygate/paygate/client"
)

func TestListPagingByCursor(t *testing.T) {
	gw, c := start(t)
	gw.StopWorker()
	ctx := ctxFor(t)
	var ids []string // newest first
	for range 5 {
		o := must(c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 1000}))(t)
		ids = append([]string{o.ID}, ids...)
	}

	first := must(c.ListOrders(ctx, client.ListOrdersRequest{Limit: 2}))(t)
	if !first.HasMore || len(first.Orders) != 2 || first.Orders[0].ID != ids[0] {
		t.Fatalf("first page %+v", first)
	}
	next := must(c.ListOrders(ctx, client.ListOrdersRequest{Limit: 2, StartingAfter: first.Orders[1].ID}))(t)
	if next.Orders[0].ID != ids[2] || !next.HasMore {
		t.Errorf("starting_after page %+v, want %v first", next, ids[2])
	}
	back := must(c.ListOrders(ctx, client.ListOrdersRequest{Limit: 2, EndingBefore: next.Orders[0].ID}))(t)
	if back.HasMore || back.Orders[0].ID != ids[0] || back.Orders[1].ID != ids[1] {
		t.Errorf("ending_before page %+v, want %v", back, ids[:2])
	}

	var all []string
	for o, err := range c.AllOrders(ctx, client.ListOrdersRequest{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, o.ID)
	}
	if !slices.Equal(all, ids) {
		t.Errorf("AllOrders = %v, want %v", all, ids)
	}

	if l := must(c.ListOrders(ctx, client.ListOrdersRequest{Created: client.CreatedRange{GT: time.Now().Add(time.Hour)}}))(t); len(l.Orders) != 0 || l.Total != 0 {
		t.Errorf("created after an hour from now = %+v", l)
	}
	if l := must(c.ListOrders(ctx, client.ListOrdersRequest{Created: client.CreatedRange{GTE: time.Now().Add(-time.Hour), LT: time.Now().Add(time.Hour)}}))(t); l.Total != 5 {
		t.Errorf("created within the hour: total %d, want 5", l.Total)
	}

	for _, err := range c.AllPayments(ctx, client.ListPaymentsRequest{StartingAfter: "pay_unknown0000000000"}) {
		if !client.IsBadRequest(err) {
			t.Errorf("AllPayments from an unknown cursor: %v, want a 400", err)
		}
	}
}
