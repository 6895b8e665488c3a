package client_test

import (
	"testing"
	"time"

	"github.com/paygate/paygate/client"
)

// Capture for less than the amount, void, the test clock and the capture filter, through the
// Go client.
func TestAuthorizationLifecycle(t *testing.T) {
	_, c := start(t)
	ctx := ctxFor(t)

	p := paid(t, c, 40000)
	if p.Capture != client.CaptureManual || p.CaptureExpiresAt == nil || p.AmountCaptured != nil {
		t.Fatalf("authorized payment = %+v", p)
	}
	if got := p.CaptureExpiresAt.Sub(p.CreatedAt); got != 120*time.Hour {
		t.Errorf("capture_expires_at is %v after creation, want 120h", got)
	}
	captured := must(c.Capture(ctx, p.ID, 25000))(t)
	if !captured.Captured || captured.AmountCaptured == nil || *captured.AmountCaptured != 25000 || captured.CaptureExpiresAt != nil {
		t.Errorf("captured = %+v", captured)
	}
	if _, err := c.Void(ctx, p.ID); !client.IsBadRequest(err) {
		t.Errorf("void of a captured payment: %v, want a 400", err)
	}

	v := paid(t, c, 30000)
	voided := must(c.Void(ctx, v.ID))(t)
	if voided.Status != client.PaymentVoided || voided.VoidReason != client.VoidRequested || voided.VoidedAt == nil {
		t.Errorf("voided = %+v", voided)
	}

	e := paid(t, c, 20000)
	expired := must(c.AdvancePayment(ctx, e.ID, 120*time.Hour))(t)
	if expired.Status != client.PaymentVoided || expired.VoidReason != client.VoidExpired {
		t.Errorf("after advancing 120h = %+v", expired)
	}
	if _, err := c.Capture(ctx, e.ID, 20000); !client.IsBadRequest(err) {
		t.Errorf("capture of an expired authorization: %v, want a 400", err)
	}

	list := must(c.ListPayments(ctx, client.ListPaymentsRequest{CaptureState: client.CaptureStateVoided}))(t)
	if len(list.Payments) != 2 {
		t.Errorf("voided payments = %d, want 2", len(list.Payments))
	}
	auto := must(c.CreateOrder(ctx, client.CreateOrderRequest{Amount: 15000, Capture: client.CaptureAutomatic}))(t)
	ap := must(c.CreatePayment(ctx, client.CreatePaymentRequest{OrderID: auto.ID, VPA: "buyer@okicici"}))(t)
	ap = must(c.WaitForPayment(ctx, ap.ID))(t)
	if auto.Capture != client.CaptureAutomatic || ap.Capture != client.CaptureAutomatic || !ap.Captured {
		t.Errorf("automatic: order %+v, payment %+v", auto, ap)
	}
}
