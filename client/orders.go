package client

import (
	"context"
	"net/http"
	"time"
)

// Order statuses.
const (
	OrderCreated = "created" // not paid yet
	OrderPaid    = "paid"    // a payment for it succeeded
)

// Order is what a customer pays: an amount in a currency. Pay it with CreatePayment.
type Order struct {
	ID         string         `json:"id"` // "order_" and 16 characters
	MerchantID string         `json:"merchant_id"`
	Amount     int64          `json:"amount"`   // in the currency's minor unit
	Currency   string         `json:"currency"` // INR, USD, EUR or GBP
	Receipt    string         `json:"receipt"`  // the merchant's reference ("" when none)
	Notes      map[string]any `json:"notes"`    // the merchant's key-value notes
	Status     string         `json:"status"`   // OrderCreated or OrderPaid
	Capture    string         `json:"capture"`  // CaptureManual or CaptureAutomatic: its payments' default
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`

	// Replayed is true when the gateway answered a create request with the stored answer of an
	// earlier request with the same idempotency key.
	Replayed bool `json:"-"`
}

// CreateOrderRequest is the input of CreateOrder.
type CreateOrderRequest struct {
	// Amount in the currency's minor unit; at least 100 (₹1.00).
	Amount int64 `json:"amount"`
	// Currency is INR (the default when empty), USD, EUR or GBP.
	Currency string `json:"currency,omitempty"`
	// Receipt is an optional reference of the merchant's, at most 40 characters.
	Receipt string `json:"receipt,omitempty"`
	// Notes are optional key-value pairs (at most 15 keys, 4 KiB of JSON).
	Notes map[string]any `json:"notes,omitempty"`
	// Capture is how the order's payments are captured unless they say otherwise:
	// CaptureManual (the default when empty) or CaptureAutomatic.
	Capture string `json:"capture,omitempty"`
	// IdempotencyKey, when set, makes the request safe to retry: a repeat with the same key and
	// body returns the first order instead of creating another. 1 to 255 printable ASCII
	// characters, kept for 24 hours.
	IdempotencyKey string `json:"-"`
}

// ListOrdersRequest pages through the orders list, newest first.
type ListOrdersRequest struct {
	Limit  int // 1 to 100; 0 means the gateway's default, 10
	Offset int // how many orders to skip (at most 10 000; slow for deep pages: prefer StartingAfter)
	// StartingAfter and EndingBefore page by cursor, at most one of them, never with Offset: the
	// id of an object of this list, for the page older than it (pass the last id of the page you
	// have) or the page just newer than it (the first id). The All method pages for you.
	StartingAfter, EndingBefore string
	Created                     CreatedRange // bounds the creation time
}

// OrderList is a page of orders.
type OrderList struct {
	Count  int     `json:"count"` // len(Orders)
	Total  int64   `json:"total"` // all of the merchant's orders
	Orders []Order `json:"orders"`
	// HasMore tells whether more orders lie beyond this page: older ones, or with EndingBefore
	// newer ones.
	HasMore bool `json:"has_more"`
}

// CreateOrder creates an order (POST /api/v1/orders).
func (c *Client) CreateOrder(ctx context.Context, req CreateOrderRequest) (*Order, error) {
	var o Order
	replayed, err := c.do(ctx, call{method: http.MethodPost, path: "/orders", body: req, idempotencyKey: req.IdempotencyKey}, &o)
	if err != nil {
		return nil, err
	}
	o.Replayed = replayed
	return &o, nil
}

// GetOrder fetches an order by id (GET /api/v1/orders/{id}). An unknown id is an *Error with
// status 404 (IsNotFound).
func (c *Client) GetOrder(ctx context.Context, id string) (*Order, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var o Order
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/orders/" + id}, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ListOrders lists the merchant's orders, newest first (GET /api/v1/orders).
func (c *Client) ListOrders(ctx context.Context, req ListOrdersRequest) (*OrderList, error) {
	var l OrderList
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/orders", query: pageQuery(req.Limit, req.Offset, req.StartingAfter, req.EndingBefore, req.Created)}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
