package client

import (
	"context"
	"net/http"
	"time"
)

// Refund statuses. A refund is created pending; the bank processes it within seconds.
const (
	RefundPending   = "pending"
	RefundProcessed = "processed"
	RefundFailed    = "failed"
)

// Refund returns some or all of a successful payment's amount to the payer.
type Refund struct {
	ID               string     `json:"id"` // "rfnd_" and 16 characters
	PaymentID        string     `json:"payment_id"`
	OrderID          string     `json:"order_id"`
	Amount           int64      `json:"amount"` // in minor units
	Currency         string     `json:"currency"`
	Reason           string     `json:"reason"`            // "" when none was given
	Status           string     `json:"status"`            // RefundPending, RefundProcessed or RefundFailed
	ErrorCode        string     `json:"error_code"`        // failed refunds: e.g. REFUND_FAILED
	ErrorDescription string     `json:"error_description"` // failed refunds: why
	ProcessedAt      *time.Time `json:"processed_at"`      // nil until processed
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`

	// Replayed is true when the gateway answered a create request with the stored answer of an
	// earlier request with the same idempotency key.
	Replayed bool `json:"-"`
}

// Final reports whether the refund has left RefundPending.
func (r *Refund) Final() bool { return r.Status != RefundPending }

// CreateRefundRequest is the input of CreateRefund.
type CreateRefundRequest struct {
	// Amount to refund in minor units; 0 refunds everything not refunded yet. The refunds of a
	// payment can never add up to more than its amount.
	Amount int64 `json:"amount,omitempty"`
	// Reason is an optional note, at most 255 characters.
	Reason string `json:"reason,omitempty"`
	// IdempotencyKey, when set, makes the request safe to retry: a repeat with the same key and
	// body returns the first refund (Replayed set) instead of refunding twice.
	IdempotencyKey string `json:"-"`
}

// ListRefundsRequest filters and pages the refunds list. Zero fields do not filter.
type ListRefundsRequest struct {
	Limit     int    // 1 to 100; 0 means the gateway's default, 10
	Offset    int    // how many refunds to skip (at most 10 000; slow for deep pages: prefer StartingAfter)
	PaymentID string // only this payment's refunds
	// StartingAfter and EndingBefore page by cursor, at most one of them, never with Offset: the
	// id of an object of this list, for the page older than it (pass the last id of the page you
	// have) or the page just newer than it (the first id). The All method pages for you.
	StartingAfter, EndingBefore string
	Created                     CreatedRange // bounds the creation time
}

// RefundList is a page of refunds.
type RefundList struct {
	Count   int      `json:"count"` // len(Refunds)
	Total   int64    `json:"total"` // all refunds matching the filter
	Refunds []Refund `json:"refunds"`
	// HasMore tells whether more refunds lie beyond this page: older ones, or with EndingBefore
	// newer ones.
	HasMore bool `json:"has_more"`
}

// CreateRefund refunds a successful payment, fully or in part
// (POST /api/v1/payments/{id}/refunds). The refund is returned pending; GetRefund,
// WaitForRefund or the refund.processed / refund.failed webhooks report the outcome. Refunding
// a payment that is not successful, or more than is left, is a 400.
func (c *Client) CreateRefund(ctx context.Context, paymentID string, req CreateRefundRequest) (*Refund, error) {
	if err := checkID(paymentID); err != nil {
		return nil, err
	}
	var r Refund
	replayed, err := c.do(ctx, call{method: http.MethodPost, path: "/payments/" + paymentID + "/refunds", body: req, idempotencyKey: req.IdempotencyKey}, &r)
	if err != nil {
		return nil, err
	}
	r.Replayed = replayed
	return &r, nil
}

// GetRefund fetches a refund by id (GET /api/v1/refunds/{id}).
func (c *Client) GetRefund(ctx context.Context, id string) (*Refund, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var r Refund
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/refunds/" + id}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ListRefunds lists the merchant's refunds, newest first, optionally those of one payment
// (GET /api/v1/refunds).
func (c *Client) ListRefunds(ctx context.Context, req ListRefundsRequest) (*RefundList, error) {
	q := pageQuery(req.Limit, req.Offset, req.StartingAfter, req.EndingBefore, req.Created)
	if req.PaymentID != "" {
		q.Set("payment_id", req.PaymentID)
	}
	var l RefundList
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/refunds", query: q}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// WaitForRefund polls a refund until it leaves RefundPending and returns it, or returns the
// context's error when ctx ends first. Give ctx a deadline.
func (c *Client) WaitForRefund(ctx context.Context, id string) (*Refund, error) {
	return poll(ctx, func() (*Refund, bool, error) {
		r, err := c.GetRefund(ctx, id)
		if err != nil {
			return nil, false, err
		}
		return r, r.Final(), nil
	})
}
