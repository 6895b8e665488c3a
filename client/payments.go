package client

import (
	"context"
	"net/http"
	"time"
)

// Payment methods.
const (
	MethodUPI  = "upi"
	MethodCard = "card"
)

// Payment statuses. A payment is created pending; the bank settles it to success or failed
// within seconds; a fully refunded payment becomes refunded.
const (
	PaymentPending  = "pending"
	PaymentSuccess  = "success"
	PaymentFailed   = "failed"
	PaymentRefunded = "refunded"
	// PaymentVoided: a successful payment's authorization was released uncaptured, on request
	// (VoidPayment) or when it expired (VoidReason says which).
	PaymentVoided = "voided"
)

// Payment is an attempt to pay an order. The card number is never returned: only its network
// and last four digits.
type Payment struct {
	ID               string     `json:"id"` // "pay_" and 16 characters
	OrderID          string     `json:"order_id"`
	MerchantID       string     `json:"merchant_id"`
	Amount           int64      `json:"amount"` // the order's amount, in minor units
	Currency         string     `json:"currency"`
	Method           string     `json:"method"`            // MethodUPI or MethodCard
	Status           string     `json:"status"`            // PaymentPending, PaymentSuccess, PaymentFailed or PaymentRefunded
	VPA              string     `json:"vpa"`               // UPI payments: the payer's address
	CardNetwork      string     `json:"card_network"`      // card payments: visa, mastercard, amex, rupay, ...
	CardLast4        string     `json:"card_last4"`        // card payments: the number's last four digits
	ErrorCode        string     `json:"error_code"`        // failed payments: e.g. CARD_DECLINED, UPI_FAILED
	ErrorDescription string     `json:"error_description"` // failed payments: why
	Captured         bool       `json:"captured"`
	CapturedAt       *time.Time `json:"captured_at"`     // nil until captured
	AmountRefunded   int64      `json:"amount_refunded"` // sum of its refunds, pending ones included
	Capture          string     `json:"capture"`         // CaptureManual or CaptureAutomatic
	// AmountCaptured is what the capture took (at most Amount); nil until captured.
	AmountCaptured *int64 `json:"amount_captured"`
	// CaptureExpiresAt is when a successful, uncaptured payment is voided; nil otherwise.
	CaptureExpiresAt *time.Time `json:"capture_expires_at"`
	VoidedAt         *time.Time `json:"voided_at"`   // nil unless voided
	VoidReason       string     `json:"void_reason"` // VoidRequested or VoidExpired when voided
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`

	// Replayed is true when the gateway answered a create or capture request with the stored
	// answer of an earlier request with the same idempotency key.
	Replayed bool `json:"-"`
}

// Final reports whether the payment has left PaymentPending.
func (p *Payment) Final() bool { return p.Status != PaymentPending }

// Card is a card as the customer typed it. It is sent to the gateway and never stored there.
type Card struct {
	Number      string `json:"number"`       // digits, spaces allowed
	ExpiryMonth int    `json:"expiry_month"` // 1-12
	ExpiryYear  int    `json:"expiry_year"`  // four digits (or two, meaning 20xx)
	CVV         string `json:"cvv"`          // 3 digits, 4 for Amex
	HolderName  string `json:"holder_name"`  // as printed, at most 100 characters
}

// CreatePaymentRequest is the input of CreatePayment: an order and either a UPI address or a card.
type CreatePaymentRequest struct {
	OrderID string `json:"order_id"`
	// Method is MethodUPI or MethodCard. When empty it is MethodUPI if VPA is set, else
	// MethodCard if Card is set.
	Method string `json:"method"`
	VPA    string `json:"vpa,omitempty"`  // for UPI, e.g. "user@okicici"
	Card   *Card  `json:"card,omitempty"` // for cards
	// Capture overrides the order's capture mode: CaptureManual or CaptureAutomatic.
	Capture string `json:"capture,omitempty"`
	// IdempotencyKey, when set, makes the request safe to retry: a repeat with the same key and
	// body returns the first payment (Replayed set) instead of charging again.
	IdempotencyKey string `json:"-"`
}

// ListPaymentsRequest filters and pages the payments list. Zero fields do not filter.
type ListPaymentsRequest struct {
	Limit  int    // 1 to 100; 0 means the gateway's default, 10
	Offset int    // how many payments to skip (at most 10 000; slow for deep pages: prefer StartingAfter)
	Status string // one of the Payment statuses
	Method string // MethodUPI or MethodCard
	// CaptureState is CaptureStateAuthorized (successful, uncaptured), CaptureStateCaptured or
	// CaptureStateVoided.
	CaptureState string
	// From and To bound the creation date, both days inclusive. Only the date (in the time's
	// own location) is sent; the gateway reads it as a UTC day.
	From, To time.Time
	// StartingAfter and EndingBefore page by cursor, at most one of them, never with Offset: the
	// id of an object of this list, for the page older than it (pass the last id of the page you
	// have) or the page just newer than it (the first id). The All method pages for you.
	StartingAfter, EndingBefore string
	Created                     CreatedRange // bounds the creation time
}

// PaymentList is a page of payments.
type PaymentList struct {
	Count    int       `json:"count"` // len(Payments)
	Total    int64     `json:"total"` // all payments matching the filters
	Payments []Payment `json:"payments"`
	// HasMore tells whether more payments lie beyond this page: older ones, or with
	// EndingBefore newer ones.
	HasMore bool `json:"has_more"`
}

// CapturePaymentRequest is the input of CapturePayment.
type CapturePaymentRequest struct {
	// Amount is what to capture: at most the payment's amount and at least 100; the rest of the
	// authorization is released.
	Amount int64 `json:"amount"`
	// IdempotencyKey, when set, makes the request safe to retry.
	IdempotencyKey string `json:"-"`
}

// CreatePayment starts a payment of an order (POST /api/v1/payments). The payment is returned
// pending; its workflow settles it with the bank within seconds, which GetPayment,
// WaitForPayment or the payment.success / payment.failed webhooks report. An invalid UPI
// address is an *Error with Code CodeInvalidVPA; an invalid card, CodeInvalidCard or
// CodeExpiredCard; an unknown order, status 404.
func (c *Client) CreatePayment(ctx context.Context, req CreatePaymentRequest) (*Payment, error) {
	if req.Method == "" {
		switch {
		case req.VPA != "":
			req.Method = MethodUPI
		case req.Card != nil:
			req.Method = MethodCard
		}
	}
	return c.paymentCall(ctx, call{method: http.MethodPost, path: "/payments", body: req, idempotencyKey: req.IdempotencyKey})
}

// GetPayment fetches a payment by id (GET /api/v1/payments/{id}).
func (c *Client) GetPayment(ctx context.Context, id string) (*Payment, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return c.paymentCall(ctx, call{method: http.MethodGet, path: "/payments/" + id})
}

// ListPayments lists the merchant's payments, newest first, optionally filtered
// (GET /api/v1/payments).
func (c *Client) ListPayments(ctx context.Context, req ListPaymentsRequest) (*PaymentList, error) {
	q := pageQuery(req.Limit, req.Offset, req.StartingAfter, req.EndingBefore, req.Created)
	if req.Status != "" {
		q.Set("status", req.Status)
	}
	if req.Method != "" {
		q.Set("method", req.Method)
	}
	if req.CaptureState != "" {
		q.Set("capture_state", req.CaptureState)
	}
	if !req.From.IsZero() {
		q.Set("from", req.From.Format(time.DateOnly))
	}
	if !req.To.IsZero() {
		q.Set("to", req.To.Format(time.DateOnly))
	}
	var l PaymentList
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/payments", query: q}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// CapturePayment captures a successful payment for req.Amount (its amount or less), once
// (POST /api/v1/payments/{id}/capture). Capturing a payment that is not successful, voided,
// expired, or again, or above its amount, is a 400 saying which.
func (c *Client) CapturePayment(ctx context.Context, id string, req CapturePaymentRequest) (*Payment, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return c.paymentCall(ctx, call{method: http.MethodPost, path: "/payments/" + id + "/capture", body: req, idempotencyKey: req.IdempotencyKey})
}

func (c *Client) paymentCall(ctx context.Context, cl call) (*Payment, error) {
	var p Payment
	replayed, err := c.do(ctx, cl, &p)
	if err != nil {
		return nil, err
	}
	p.Replayed = replayed
	return &p, nil
}

// WaitForPayment polls a payment until it leaves PaymentPending and returns it, or returns the
// context's error when ctx ends first. Give ctx a deadline. Servers that can receive webhooks
// should prefer the payment.success and payment.failed events.
func (c *Client) WaitForPayment(ctx context.Context, id string) (*Payment, error) {
	return poll(ctx, func() (*Payment, bool, error) {
		p, err := c.GetPayment(ctx, id)
		if err != nil {
			return nil, false, err
		}
		return p, p.Final(), nil
	})
}

// poll calls get with a growing pause (200 ms up to 2 s) until it reports done, fails, or ctx
// ends.
func poll[T any](ctx context.Context, get func() (T, bool, error)) (T, error) {
	pause := 200 * time.Millisecond
	for {
		v, done, err := get()
		if err != nil || done {
			return v, err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			var zero T
			return zero, ctx.Err()
		case <-t.C:
		}
		pause = min(pause*3/2, 2*time.Second)
	}
}
