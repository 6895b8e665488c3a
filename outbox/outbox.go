// Package outbox records webhook events in the same transaction as the state change they
// describe, so an event exists exactly when its change does; workflows deliver them afterwards.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/resources"
)

// Events merchants receive.
const (
	PaymentCreated  = "payment.created"
	PaymentPending  = "payment.pending"
	PaymentSuccess  = "payment.success"
	PaymentFailed   = "payment.failed"
	PaymentCaptured = "payment.captured"
	// PaymentVoided: an uncaptured authorization was released, on request (POST
	// /payments/{id}/void) or by its expiry (void_reason says which).
	PaymentVoided   = "payment.voided"
	RefundCreated   = "refund.created"
	RefundProcessed = "refund.processed"
	RefundFailed    = "refund.failed"
	WebhookTest     = "webhook.test"
)

// The events recorded when a payment or a refund is created, in the order they are sent. The
// workflow of the payment or refund sends them, also when the sweep restarts it.
var (
	PaymentCreationEvents = []string{PaymentCreated, PaymentPending}
	RefundCreationEvents  = []string{RefundCreated}
)

// QueuedEvents are the events a delivery workflow of their own sends from the first attempt,
// started from the API's start queue: a capture's or void's made by the API (for a payment whose
// workflow has ended), and a test event. The others, and captures and voids made by a payment's
// workflow, are first sent by the workflow of their payment or refund.
var QueuedEvents = []string{PaymentCaptured, PaymentVoided, WebhookTest}

// Data is an event's data object: the payment, and the refund for refund events.
type Data struct {
	Payment *resources.Payment `json:"payment,omitempty"`
	Refund  *resources.Refund  `json:"refund,omitempty"`
	Message string             `json:"message,omitempty"`
}

// Event is the body of a webhook delivery.
type Event struct {
	ID        string `json:"id"`
	Event     string `json:"event"`
	Timestamp string `json:"timestamp"`
	Data      Data   `json:"data"`
}

// PaymentEvents records payment events; see Record.
func PaymentEvents(ctx context.Context, q *db.Queries, p db.Payment, now time.Time, names ...string) ([]string, error) {
	view := resources.NewPayment(p)
	return Record(ctx, q, p.MerchantID, &p.ID, nil, Data{Payment: &view}, now, names...)
}

// RefundEvents records refund events, which carry the refund and its payment; see Record.
func RefundEvents(ctx context.Context, q *db.Queries, rf db.Refund, p db.Payment, now time.Time, names ...string) ([]string, error) {
	refund, payment := resources.NewRefund(rf), resources.NewPayment(p)
	return Record(ctx, q, rf.MerchantID, &p.ID, &rf.ID, Data{Payment: &payment, Refund: &refund}, now, names...)
}

// Record writes one event per name with the given data, if the merchant has a webhook endpoint,
// and returns the recorded event ids in order (none without an endpoint).
func Record(ctx context.Context, q *db.Queries, merchantID uuid.UUID, paymentID, refundID *string, data Data, now time.Time, names ...string) ([]string, error) {
	payloads, eventIDs, err := render(data, now, names)
	if err != nil {
		return nil, err
	}
	recorded, err := q.RecordEvents(ctx, db.RecordEventsParams{
		MerchantID: merchantID, PaymentID: paymentID, RefundID: refundID, Payloads: payloads,
	})
	if err != nil {
		return nil, fmt.Errorf("record events %v: %w", names, err)
	}
	if len(recorded) == 0 {
		return nil, nil // the merchant has no webhook endpoint
	}
	return eventIDs, nil
}

// RenderPaymentEvents renders payment events for a statement that records them with the
// payment itself (CreatePayment), as a JSON array of payloads, and returns their ids in order.
func RenderPaymentEvents(p db.Payment, now time.Time, names ...string) (json.RawMessage, []string, error) {
	view := resources.NewPayment(p)
	return render(Data{Payment: &view}, now, names)
}

// render makes one event per name with the given data, with new ids.
func render(data Data, now time.Time, names []string) (json.RawMessage, []string, error) {
	events := make([]Event, len(names))
	eventIDs := make([]string, len(names))
	for i, name := range names {
		eventIDs[i] = ids.New(ids.Event)
		events[i] = Event{ID: eventIDs[i], Event: name, Timestamp: resources.Timestamp(now), Data: data}
	}
	payloads, err := json.Marshal(events)
	return payloads, eventIDs, err
}
