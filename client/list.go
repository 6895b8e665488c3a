package client

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// CreatedRange bounds a list by its objects' creation time; zero fields do not bound.
type CreatedRange struct {
	GTE, GT, LTE, LT time.Time // at or after, after, at or before, before
}

// pageQuery is the query string of a list's page.
func pageQuery(limit, offset int, startingAfter, endingBefore string, created CreatedRange) url.Values {
	q := url.Values{}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset != 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if startingAfter != "" {
		q.Set("starting_after", startingAfter)
	}
	if endingBefore != "" {
		q.Set("ending_before", endingBefore)
	}
	for name, t := range map[string]time.Time{"gte": created.GTE, "gt": created.GT, "lte": created.LTE, "lt": created.LT} {
		if !t.IsZero() {
			q.Set("created["+name+"]", t.UTC().Format(time.RFC3339Nano))
		}
	}
	return q
}

// all iterates over a list page by page: list fetches the page after a cursor ("" for the
// first) and says whether there are more; id gives an item's cursor.
func all[T any](list func(startingAfter string) ([]T, bool, error), id func(T) string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		after := ""
		for {
			items, more, err := list(after)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if !more || len(items) == 0 {
				return
			}
			after = id(items[len(items)-1])
		}
	}
}

// AllOrders iterates over the orders ListOrders(req) lists and every older one, fetching a
// page at a time (req.Limit each) by cursor; EndingBefore is ignored. It stops at the first
// error, which it yields.
func (c *Client) AllOrders(ctx context.Context, req ListOrdersRequest) iter.Seq2[Order, error] {
	req.EndingBefore = ""
	return all(func(after string) ([]Order, bool, error) {
		if after != "" {
			req.StartingAfter, req.Offset = after, 0
		}
		l, err := c.ListOrders(ctx, req)
		if err != nil {
			return nil, false, err
		}
		return l.Orders, l.HasMore, nil
	}, func(o Order) string { return o.ID })
}

// AllPayments iterates over the payments ListPayments(req) lists and every older one matching
// the same filters, a page at a time (req.Limit each) by cursor; EndingBefore is ignored. It
// stops at the first error, which it yields.
func (c *Client) AllPayments(ctx context.Context, req ListPaymentsRequest) iter.Seq2[Payment, error] {
	req.EndingBefore = ""
	return all(func(after string) ([]Payment, bool, error) {
		if after != "" {
			req.StartingAfter, req.Offset = after, 0
		}
		l, err := c.ListPayments(ctx, req)
		if err != nil {
			return nil, false, err
		}
		return l.Payments, l.HasMore, nil
	}, func(p Payment) string { return p.ID })
}

// AllRefunds iterates over the refunds ListRefunds(req) lists and every older one, as
// AllPayments.
func (c *Client) AllRefunds(ctx context.Context, req ListRefundsRequest) iter.Seq2[Refund, error] {
	req.EndingBefore = ""
	return all(func(after string) ([]Refund, bool, error) {
		if after != "" {
			req.StartingAfter, req.Offset = after, 0
		}
		l, err := c.ListRefunds(ctx, req)
		if err != nil {
			return nil, false, err
		}
		return l.Refunds, l.HasMore, nil
	}, func(r Refund) string { return r.ID })
}

// AllWebhookLogs iterates over the deliveries ListWebhookLogs(req) lists and every older one,
// as AllPayments.
func (c *Client) AllWebhookLogs(ctx context.Context, req ListWebhookLogsRequest) iter.Seq2[WebhookLog, error] {
	req.EndingBefore = ""
	return all(func(after string) ([]WebhookLog, bool, error) {
		if after != "" {
			req.StartingAfter, req.Offset = after, 0
		}
		l, err := c.ListWebhookLogs(ctx, req)
		if err != nil {
			return nil, false, err
		}
		return l.Logs, l.HasMore, nil
	}, func(l WebhookLog) string { return l.ID })
}
