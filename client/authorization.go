package client

import (
	"context"
	"net/http"
	"time"
)

// Capture modes of orders and payments.
const (
	// CaptureManual: a successful payment stays authorized (Captured false) until Capture, Void
	// or its CaptureExpiresAt, when the gateway voids it. The default.
	CaptureManual = "manual"
	// CaptureAutomatic: a successful payment is captured for its whole amount at once.
	CaptureAutomatic = "automatic"
)

// Why a payment was voided (Payment.VoidReason).
const (
	VoidRequested = "requested"
	VoidExpired   = "expired"
)

// Values of ListPaymentsRequest.CaptureState.
const (
	CaptureStateAuthorized = "authorized"
	CaptureStateCaptured   = "captured"
	CaptureStateVoided     = "voided"
)

// Capture captures amount (at most the payment's amount, at least 100) of a successful payment;
// shorthand for CapturePayment.
func (c *Client) Capture(ctx context.Context, id string, amount int64) (*Payment, error) {
	return c.CapturePayment(ctx, id, CapturePaymentRequest{Amount: amount})
}

// Void releases a successful, uncaptured payment's authorization (POST /api/v1/payments/{id}/void):
// it becomes PaymentVoided with VoidReason VoidRequested, and the payment.voided event is sent. A
// captured, voided or refunded payment is a 400.
func (c *Client) Void(ctx context.Context, id string) (*Payment, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return c.paymentCall(ctx, call{method: http.MethodPost, path: "/payments/" + id + "/void"})
}

// AdvancePayment moves a payment's test clock by d (test mode only, POST
// /api/v1/test/payments/{id}/advance): its timers due within d fire now, as if the time had
// passed, so an authorization expires without waiting. It returns the payment afterwards.
func (c *Client) AdvancePayment(ctx context.Context, id string, d time.Duration) (*Payment, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return c.paymentCall(ctx, call{method: http.MethodPost, path: "/test/payments/" + id + "/advance", body: map[string]string{"by": d.String()}})
}
