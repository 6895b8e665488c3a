// Package resources is how the gateway's objects look in JSON: the API returns them, and webhook
// events carry the same objects, so a merchant parses one shape.
package resources

import (
	"encoding/json"
	"time"

	"github.com/paygate/paygate/db"
)

// Timestamp renders a time as ISO 8601 in UTC, e.g. 2026-01-21T04:15:00Z.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optTimestamp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := Timestamp(*t)
	return &s
}

// Order is an order as the API returns it.
type Order struct {
	ID         string          `json:"id"`
	MerchantID string          `json:"merchant_id"`
	Amount     int64           `json:"amount"`
	Currency   string          `json:"currency"`
	Receipt    *string         `json:"receipt"`
	Notes      json.RawMessage `json:"notes"`
	Status     string          `json:"status"`
	// Capture is how its payments are captured unless they say otherwise: manual or automatic.
	Capture   string `json:"capture"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// NewOrder renders an order.
func NewOrder(o db.Order) Order {
	return Order{
		ID: o.ID, MerchantID: o.MerchantID.String(), Amount: o.Amount, Currency: o.Currency,
		Receipt: o.Receipt, Notes: o.Notes, Status: o.Status, Capture: o.Capture,
		CreatedAt: Timestamp(o.CreatedAt), UpdatedAt: Timestamp(o.UpdatedAt),
	}
}

// Payment is a payment as the API returns it: never the card number, only its network and last
// four digits.
type Payment struct {
	ID               string  `json:"id"`
	OrderID          string  `json:"order_id"`
	MerchantID       string  `json:"merchant_id"`
	Amount           int64   `json:"amount"`
	Currency         string  `json:"currency"`
	Method           string  `json:"method"`
	Status           string  `json:"status"`
	VPA              *string `json:"vpa,omitempty"`
	CardNetwork      *string `json:"card_network,omitempty"`
	CardLast4        *string `json:"card_last4,omitempty"`
	ErrorCode        *string `json:"error_code,omitempty"`
	ErrorDescription *string `json:"error_description,omitempty"`
	Captured         bool    `json:"captured"`
	CapturedAt       *string `json:"captured_at"`
	AmountRefunded   int64   `json:"amount_refunded"`
	// Capture is manual (the merchant captures or voids) or automatic (captured once approved).
	Capture string `json:"capture"`
	// AmountCaptured is what a capture took (at most the amount); null until captured.
	AmountCaptured *int64 `json:"amount_captured"`
	// CaptureExpiresAt is when an uncaptured authorization is voided; shown only while the
	// payment is successful, uncaptured and its workflow keeps that timer.
	CaptureExpiresAt *string `json:"capture_expires_at,omitempty"`
	VoidedAt         *string `json:"voided_at,omitempty"`
	VoidReason       *string `json:"void_reason,omitempty"` // requested or expired
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

// NewPayment renders a payment.
func NewPayment(p db.Payment) Payment {
	out := Payment{
		ID: p.ID, OrderID: p.OrderID, MerchantID: p.MerchantID.String(), Amount: p.Amount, Currency: p.Currency,
		Method: p.Method, Status: p.Status, VPA: p.Vpa, CardNetwork: p.CardNetwork, CardLast4: p.CardLast4,
		ErrorCode: p.ErrorCode, ErrorDescription: p.ErrorDescription,
		Captured: p.Captured, CapturedAt: optTimestamp(p.CapturedAt), AmountRefunded: p.AmountRefunded,
		Capture: p.Capture, AmountCaptured: p.AmountCaptured, VoidedAt: optTimestamp(p.VoidedAt), VoidReason: p.VoidReason,
		CreatedAt: Timestamp(p.CreatedAt), UpdatedAt: Timestamp(p.UpdatedAt),
	}
	if p.Capture == "" {
		out.Capture = "manual" // a payment rendered from a struct built in Go, before it was stored
	}
	if p.Status == "success" && !p.Captured {
		out.CaptureExpiresAt = optTimestamp(p.CaptureExpiresAt)
	}
	return out
}

// Refund is a refund as the API returns it.
type Refund struct {
	ID               string  `json:"id"`
	PaymentID        string  `json:"payment_id"`
	OrderID          string  `json:"order_id"`
	Amount           int64   `json:"amount"`
	Currency         string  `json:"currency"`
	Reason           *string `json:"reason"`
	Status           string  `json:"status"`
	ErrorCode        *string `json:"error_code,omitempty"`
	ErrorDescription *string `json:"error_description,omitempty"`
	ProcessedAt      *string `json:"processed_at"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

// NewRefund renders a refund.
func NewRefund(r db.Refund) Refund {
	return Refund{
		ID: r.ID, PaymentID: r.PaymentID, OrderID: r.OrderID, Amount: r.Amount, Currency: r.Currency, Reason: r.Reason,
		Status: r.Status, ErrorCode: r.ErrorCode, ErrorDescription: r.ErrorDescription,
		ProcessedAt: optTimestamp(r.ProcessedAt), CreatedAt: Timestamp(r.CreatedAt), UpdatedAt: Timestamp(r.UpdatedAt),
	}
}
