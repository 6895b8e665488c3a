// Package outbox records webhook events in the same transaction as the state change they
// describe, so an event exists exactly when its change does; workflows deliver them afterwards.
package outbox

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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
	// WebhookEndpointDisabled goes to a merchant's other endpoints when one is disabled after
	// failing for WEBHOOK_DISABLE_AFTER.
	WebhookEndpointDisabled = "webhook_endpoint.disabled"
)

// Types are the events an endpoint may subscribe to (enabled_events) and the events API filters
// on. A new event is added here and in the OpenAPI description.
var Types = []string{
	PaymentCreated, PaymentPending, PaymentSuccess, PaymentFailed, PaymentCaptured, PaymentVoided,
	RefundCreated, RefundProcessed, RefundFailed, WebhookTest, WebhookEndpointDisabled,
}

// ValidFilter tells whether f may stand in an endpoint's enabled_events or the events API's
// type: *, a known event name, or a prefix wildcard (payment.*) that some known event matches.
func ValidFilter(f string) bool {
	if f == "*" || slices.Contains(Types, f) {
		return true
	}
	prefix, ok := strings.CutSuffix(f, ".*")
	if !ok || prefix == "" {
		return false
	}
	return slices.ContainsFunc(Types, func(t string) bool { return strings.HasPrefix(t, prefix+".") })
}

// Matches tells whether an event of type t matches the filters (as the SQL that records
// deliveries does): *, t itself, or a prefix wildcard of it.
func Matches(filters []string, t string) bool {
	for _, f := range filters {
		if f == "*" || f == t {
			return true
		}
		if prefix, ok := strings.CutSuffix(f, "*"); ok && strings.HasSuffix(f, ".*") && strings.HasPrefix(t, prefix) {
			return true
		}
	}
	return false
}

// The events recorded when a payment or a refund is created, in the order they are sent. The
// workflow of the payment or refund sends them, also when the sweep restarts it.
var (
	PaymentCreationEvents = []string{PaymentCreated, PaymentPending}
	RefundCreationEvents  = []string{RefundCreated}
)

// QueuedEvents are the events a delivery workflow of their own sends from the first attempt,
// QueuedEvents are the events a delivery workflow of their own sends from the first attempt,
// started from the API's start queue (or by the workflow that disables an endpoint): a capture's
// or void's made by the API (for a payment whose workflow has ended), a test event, an endpoint's
// disabling. The others, and captures and voids made by a payment's workflow, are first sent by
// the workflow of their payment or refund.
var QueuedEvents = []string{PaymentCaptured, PaymentVoided, WebhookTest, WebhookEndpointDisabled}

// Data is an event's data object: the payment, and the refund for refund events.
type Data struct {
	Payment *resources.Payment `json:"payment,omitempty"`
	Refund  *resources.Refund  `json:"refund,omitempty"`
	Message string             `json:"message,omitempty"`
	// Endpoint is the endpoint a webhook_endpoint.* event is about.
	Endpoint *Endpoint `json:"webhook_endpoint,omitempty"`
}

// Endpoint is a webhook endpoint as its events show it (never its secret).
type Endpoint struct {
	ID             string   `json:"id"`
	URL            string   `json:"url"`
	EnabledEvents  []string `json:"enabled_events"`
	Status         string   `json:"status"`
	DisabledReason string   `json:"disabled_reason"`
	FailingSince   string   `json:"failing_since"`
	FailedEvents   int32    `json:"failed_events"`
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

// Record writes one event per name with the given data, and a delivery of each to every enabled
// endpoint of the merchant whose filter matches it, in one statement; it returns the deliveries'
// ids in event order (none without a matching endpoint). The events are recorded whatever the
// endpoints.
func Record(ctx context.Context, q *db.Queries, merchantID uuid.UUID, paymentID, refundID *string, data Data, now time.Time, names ...string) ([]string, error) {
	deliveries, _, err := RecordEvents(ctx, q, merchantID, paymentID, refundID, data, now, names...)
	return deliveries, err
}

// RecordEvents is Record that also returns the events' ids, in order.
func RecordEvents(ctx context.Context, q *db.Queries, merchantID uuid.UUID, paymentID, refundID *string, data Data, now time.Time, names ...string) (deliveries, events []string, err error) {
	payloads, eventIDs, err := render(data, now, names)
	if err != nil {
		return nil, nil, err
	}
	recorded, err := q.RecordEvents(ctx, db.RecordEventsParams{
		MerchantID: merchantID, PaymentID: paymentID, RefundID: refundID, Payloads: payloads,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("record events %v: %w", names, err)
	}
	ids := make([]string, len(recorded))
	for i, r := range recorded {
		ids[i] = r.ID
	}
	return InEventOrder(ids, eventIDs), eventIDs, nil
}

// InEventOrder sorts deliveries (ids of webhook_logs rows) in the order of their events, the
// primary endpoint's first among one event's, then by id. A delivery's id is its event's id, or
// that id, an underscore and its endpoint's.
func InEventOrder(deliveries, events []string) []string {
	if len(deliveries) == 0 {
		return nil
	}
	rank := func(d string) int {
		for i, e := range events {
			if d == e || strings.HasPrefix(d, e+"_") {
				return i
			}
		}
		return len(events)
	}
	out := slices.Clone(deliveries)
	slices.SortStableFunc(out, func(a, b string) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b) // the event's own id (the primary endpoint's) sorts before its suffixed ones
	})
	return out
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
