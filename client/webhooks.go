package client

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/paygate/paygate/webhooks"
)

// Webhook event names, in Event.Type.
const (
	EventPaymentCreated  = "payment.created"
	EventPaymentPending  = "payment.pending"
	EventPaymentSuccess  = "payment.success"
	EventPaymentFailed   = "payment.failed"
	EventPaymentCaptured = "payment.captured"
	EventPaymentVoided   = "payment.voided"
	EventRefundCreated   = "refund.created"
	EventRefundProcessed = "refund.processed"
	EventRefundFailed    = "refund.failed"
	EventWebhookTest     = "webhook.test"
	// EventWebhookEndpointDisabled goes to the other endpoints when one is disabled for failing.
	EventWebhookEndpointDisabled = "webhook_endpoint.disabled"
)

// Webhook delivery statuses, in WebhookLog.Status.
const (
	DeliveryPending = "pending" // not delivered yet; retries are scheduled
	DeliverySuccess = "success" // the endpoint answered 2xx
	DeliveryFailed  = "failed"  // every attempt failed; RetryWebhook starts over
)

// WebhookConfig is where the merchant's webhooks go and the secret that signs them.
type WebhookConfig struct {
	URL    string `json:"webhook_url"`    // "" when webhooks are disabled
	Secret string `json:"webhook_secret"` // "whsec_..."; pass it to VerifyWebhook
}

// WebhookLog is one event's delivery record.
type WebhookLog struct {
	ID            string          `json:"id"` // the event id ("evt_..."), also its webhook-id header
	Event         string          `json:"event"`
	Status        string          `json:"status"` // DeliveryPending, DeliverySuccess or DeliveryFailed
	Attempts      int             `json:"attempts"`
	PaymentID     string          `json:"payment_id"`
	RefundID      string          `json:"refund_id"`
	LastAttemptAt *time.Time      `json:"last_attempt_at"`
	NextRetryAt   *time.Time      `json:"next_retry_at"` // set while a retry is scheduled
	ResponseCode  int             `json:"response_code"` // the endpoint's last HTTP status (0 when none)
	ResponseBody  string          `json:"response_body"`
	Error         string          `json:"error"`   // why the last attempt failed
	Payload       json.RawMessage `json:"payload"` // the delivered body; decode it as an Event
	CreatedAt     time.Time       `json:"created_at"`
}

// ListWebhookLogsRequest filters and pages the webhook deliveries list. Zero fields do not filter.
type ListWebhookLogsRequest struct {
	Limit  int    // 1 to 100; 0 means the gateway's default, 10
	Offset int    // how many deliveries to skip (at most 10 000; slow for deep pages: prefer StartingAfter)
	Status string // DeliveryPending, DeliverySuccess or DeliveryFailed
	Event  string // an event name, e.g. EventPaymentSuccess
	// StartingAfter and EndingBefore page by cursor, at most one of them, never with Offset: the
	// id of an object of this list, for the page older than it (pass the last id of the page you
	// have) or the page just newer than it (the first id). The All method pages for you.
	StartingAfter, EndingBefore string
	Created                     CreatedRange // bounds the creation time
}

// WebhookLogList is a page of webhook deliveries.
type WebhookLogList struct {
	Logs   []WebhookLog `json:"data"`
	Total  int64        `json:"total"` // all deliveries matching the filters
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
	// HasMore tells whether more deliveries lie beyond this page: older ones, or with
	// EndingBefore newer ones.
	HasMore bool `json:"has_more"`
}

// WebhookRetry is the answer to RetryWebhook.
type WebhookRetry struct {
	ID      string `json:"id"`
	Status  string `json:"status"` // DeliveryPending
	Message string `json:"message"`
}

// GetWebhookConfig returns the webhook endpoint and signing secret (GET /api/v1/webhooks/config).
func (c *Client) GetWebhookConfig(ctx context.Context) (*WebhookConfig, error) {
	var cfg WebhookConfig
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/webhooks/config"}, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// SetWebhookURL sets the endpoint events are delivered to; "" disables delivery
// (PUT /api/v1/webhooks/config). The gateway refuses URLs it must not call (other schemes,
// link-local or metadata addresses, and private addresses unless it is configured to allow them).
func (c *Client) SetWebhookURL(ctx context.Context, webhookURL string) (*WebhookConfig, error) {
	var cfg WebhookConfig
	body := map[string]string{"webhook_url": webhookURL}
	if _, err := c.do(ctx, call{method: http.MethodPut, path: "/webhooks/config", body: body}, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// RegenerateWebhookSecret replaces the signing secret and returns the new configuration;
// deliveries from now on are signed with the new secret (POST /api/v1/webhooks/regenerate-secret).
func (c *Client) RegenerateWebhookSecret(ctx context.Context) (*WebhookConfig, error) {
	var cfg WebhookConfig
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/webhooks/regenerate-secret"}, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// SendTestWebhook records a webhook.test event and delivers it like any other, returning the
// event id (POST /api/v1/webhooks/test). Without a configured URL it is a 400.
func (c *Client) SendTestWebhook(ctx context.Context) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/webhooks/test"}, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// ListWebhookLogs lists webhook deliveries, newest first (GET /api/v1/webhooks).
func (c *Client) ListWebhookLogs(ctx context.Context, req ListWebhookLogsRequest) (*WebhookLogList, error) {
	q := pageQuery(req.Limit, req.Offset, req.StartingAfter, req.EndingBefore, req.Created)
	if req.Status != "" {
		q.Set("status", req.Status)
	}
	if req.Event != "" {
		q.Set("event", req.Event)
	}
	var l WebhookLogList
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/webhooks", query: q}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// GetWebhookLog fetches one event's delivery record (GET /api/v1/webhooks/{id}).
func (c *Client) GetWebhookLog(ctx context.Context, id string) (*WebhookLog, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var l WebhookLog
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/webhooks/" + id}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// RetryWebhook resets a delivery's attempts and schedules it again, replacing a schedule in
// progress (POST /api/v1/webhooks/{id}/retry).
func (c *Client) RetryWebhook(ctx context.Context, id string) (*WebhookRetry, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var r WebhookRetry
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/webhooks/" + id + "/retry"}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Event is the body of a webhook delivery.
type Event struct {
	ID        string    `json:"id"`    // "evt_...", equal to the webhook-id header; deduplicate on it
	Type      string    `json:"event"` // one of the Event constants, e.g. EventPaymentSuccess
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is an event's object: the payment, plus the refund for refund events, or a message
// for webhook.test.
type EventData struct {
	Payment *Payment `json:"payment,omitempty"`
	Refund  *Refund  `json:"refund,omitempty"`
	Message string   `json:"message,omitempty"`
	// WebhookEndpoint is the endpoint of a webhook_endpoint.disabled event.
	WebhookEndpoint *EventEndpoint `json:"webhook_endpoint,omitempty"`
}

// EventEndpoint is the endpoint a webhook_endpoint.* event is about.
type EventEndpoint struct {
	ID             string   `json:"id"`
	URL            string   `json:"url"`
	EnabledEvents  []string `json:"enabled_events"`
	Status         string   `json:"status"`
	DisabledReason string   `json:"disabled_reason"`
	FailingSince   string   `json:"failing_since"`
	FailedEvents   int      `json:"failed_events"`
}

// Webhook verification errors, from VerifyWebhook (test them with errors.Is).
var (
	// ErrWebhookMissingHeaders: webhook-id, webhook-timestamp or webhook-signature is absent.
	ErrWebhookMissingHeaders = webhooks.ErrMissingHeaders
	// ErrWebhookTimestamp: the timestamp is more than WebhookTolerance from this machine's clock.
	ErrWebhookTimestamp = webhooks.ErrBadTimestamp
	// ErrWebhookSignature: no signature matches the body and secret.
	ErrWebhookSignature = webhooks.ErrBadSignature
)

// WebhookTolerance is how far a delivery's webhook-timestamp may be from the receiver's clock.
const WebhookTolerance = webhooks.DefaultTolerance

// VerifyWebhook checks a delivery's Standard Webhooks signature (the webhook-id,
// webhook-timestamp and webhook-signature headers) against the raw request body and the
// merchant's webhook secret, refusing timestamps more than WebhookTolerance (5 minutes) from
// now, and decodes the event. Pass the body exactly as received, before any JSON parsing.
// On a failed check the error is ErrWebhookMissingHeaders, ErrWebhookTimestamp or
// ErrWebhookSignature and the Event is zero.
func VerifyWebhook(rawBody []byte, headers http.Header, secret string) (Event, error) {
	return verifyWebhook(rawBody, headers, secret, time.Now())
}

func verifyWebhook(rawBody []byte, headers http.Header, secret string, now time.Time) (Event, error) {
	if err := webhooks.Verify(secret, rawBody, headers, WebhookTolerance, now); err != nil {
		return Event{}, err
	}
	var ev Event
	if err := json.Unmarshal(rawBody, &ev); err != nil {
		return Event{}, fmt.Errorf("paygate: webhook body is not an event: %w", err)
	}
	return ev, nil
}

// VerifyLegacyWebhook checks the older X-Webhook-Signature header: hex HMAC-SHA256 of the raw
// body keyed with the webhook secret. It carries no timestamp, so it cannot refuse a replayed
// delivery; prefer VerifyWebhook.
func VerifyLegacyWebhook(rawBody []byte, signature, secret string) bool {
	return webhooks.VerifyLegacy(secret, rawBody, signature)
}

// VerifyCheckoutSignature checks the signature the hosted checkout and checkout.js hand the
// merchant's page after a successful payment: hex HMAC-SHA256 of "orderID|paymentID" keyed
// with the webhook secret. Check it on the server before trusting what the browser reports.
func VerifyCheckoutSignature(orderID, paymentID, signature, secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(orderID + "|" + paymentID))
	return hmac.Equal([]byte(signature), []byte(hex.EncodeToString(mac.Sum(nil))))
}
