package client

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// RecordedEvent is an event as the events API shows it (GET /api/v1/events): the envelope its
// deliveries carry, with how many of its deliveries are not yet successful. Events are kept 30
// days.
type RecordedEvent struct {
	ID              string    `json:"id"`
	Type            string    `json:"type"`
	Timestamp       time.Time `json:"timestamp"`
	Data            EventData `json:"data"`
	PaymentID       *string   `json:"payment_id"`
	RefundID        *string   `json:"refund_id"`
	PendingWebhooks int       `json:"pending_webhooks"`
	CreatedAt       time.Time `json:"created_at"`
}

// ListEventsRequest filters and pages the events list. Zero fields do not filter.
type ListEventsRequest struct {
	Limit int // 1 to 100; 0 means the gateway's default, 10
	// Type is an event name ("payment.success") or a prefix wildcard ("payment.*").
	Type                        string
	StartingAfter, EndingBefore string
	Created                     CreatedRange
}

// EventList is a page of events, newest first.
type EventList struct {
	Data    []RecordedEvent `json:"data"`
	HasMore bool            `json:"has_more"`
}

// ListEvents lists the merchant's events, newest first (GET /api/v1/events).
func (c *Client) ListEvents(ctx context.Context, req ListEventsRequest) (*EventList, error) {
	q := pageQuery(req.Limit, 0, req.StartingAfter, req.EndingBefore, req.Created)
	if req.Type != "" {
		q.Set("type", req.Type)
	}
	var l EventList
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/events", query: q}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// AllEvents iterates over the events ListEvents(req) lists and every older one, a page at a
// time by cursor. It stops at the first error, which it yields.
func (c *Client) AllEvents(ctx context.Context, req ListEventsRequest) iter.Seq2[RecordedEvent, error] {
	req.EndingBefore = ""
	return all(func(after string) ([]RecordedEvent, bool, error) {
		req.StartingAfter = after
		l, err := c.ListEvents(ctx, req)
		if err != nil {
			return nil, false, err
		}
		return l.Data, l.HasMore, nil
	}, func(e RecordedEvent) string { return e.ID })
}

// GetEvent fetches an event by id (GET /api/v1/events/{id}).
func (c *Client) GetEvent(ctx context.Context, id string) (*RecordedEvent, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var e RecordedEvent
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/events/" + id}, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// WebhookEndpoint is where events are delivered (GET /api/v1/webhook_endpoints). The primary
// endpoint is the one SetWebhookURL sets.
type WebhookEndpoint struct {
	ID             string     `json:"id"` // "we_…"
	URL            string     `json:"url"`
	EnabledEvents  []string   `json:"enabled_events"` // names, prefix wildcards ("refund.*") or "*"
	Description    string     `json:"description"`
	Status         string     `json:"status"` // "enabled" or "disabled"
	Primary        bool       `json:"primary"`
	Secret         string     `json:"secret,omitempty"` // only from CreateWebhookEndpoint and RollWebhookEndpointSecret
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason *string    `json:"disabled_reason"`
	FailingSince   *time.Time `json:"failing_since"`
	FailedEvents   int        `json:"failed_events"`
	CreatedAt      time.Time  `json:"created_at"`
	// Deliveries24h is how the deliveries of the last 24 hours have fared.
	Deliveries24h EndpointDeliveries `json:"deliveries_24h"`
}

// EndpointDeliveries counts an endpoint's deliveries of the last 24 hours by outcome so far.
// SuccessRate is Succeeded over those attempted (Succeeded, Failed, Retrying) in percent, nil
// when none was attempted.
type EndpointDeliveries struct {
	Succeeded   int      `json:"succeeded"`
	Failed      int      `json:"failed"`   // retries exhausted
	Retrying    int      `json:"retrying"` // the last attempt failed; another is scheduled
	Pending     int      `json:"pending"`  // not attempted yet
	SuccessRate *float64 `json:"success_rate"`
}

// WebhookEndpointParams creates (URL and EnabledEvents required) or updates (nil: unchanged) an
// endpoint. Status is "enabled" or "disabled" (updates only).
type WebhookEndpointParams struct {
	URL           *string   `json:"url,omitempty"`
	EnabledEvents *[]string `json:"enabled_events,omitempty"`
	Description   *string   `json:"description,omitempty"`
	Status        *string   `json:"status,omitempty"`
}

// CreateWebhookEndpoint adds an endpoint (at most 16 per merchant); its Secret is shown only here.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, p WebhookEndpointParams) (*WebhookEndpoint, error) {
	return c.endpointCall(ctx, call{method: http.MethodPost, path: "/webhook_endpoints", body: p})
}

// ListWebhookEndpoints lists every endpoint of the merchant, newest first.
func (c *Client) ListWebhookEndpoints(ctx context.Context) ([]WebhookEndpoint, error) {
	var l struct {
		Data []WebhookEndpoint `json:"data"`
	}
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/webhook_endpoints"}, &l); err != nil {
		return nil, err
	}
	return l.Data, nil
}

// GetWebhookEndpoint fetches an endpoint (without its secret).
func (c *Client) GetWebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return c.endpointCall(ctx, call{method: http.MethodGet, path: "/webhook_endpoints/" + id})
}

// UpdateWebhookEndpoint changes what p sets; enabling an endpoint resets its failure count.
func (c *Client) UpdateWebhookEndpoint(ctx context.Context, id string, p WebhookEndpointParams) (*WebhookEndpoint, error) {
	return c.endpointCall(ctx, call{method: http.MethodPatch, path: "/webhook_endpoints/" + id, body: p})
}

// DeleteWebhookEndpoint deletes an endpoint; its delivery logs stay.
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	_, err := c.do(ctx, call{method: http.MethodDelete, path: "/webhook_endpoints/" + id}, nil)
	return err
}

// RollWebhookEndpointSecret gives the endpoint a new signing secret, returned in Secret.
func (c *Client) RollWebhookEndpointSecret(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return c.endpointCall(ctx, call{method: http.MethodPost, path: "/webhook_endpoints/" + id + "/roll-secret"})
}

func (c *Client) endpointCall(ctx context.Context, cl call) (*WebhookEndpoint, error) {
	if cl.path != "/webhook_endpoints" {
		if err := checkID(idOf(cl.path)); err != nil {
			return nil, err
		}
	}
	var e WebhookEndpoint
	if _, err := c.do(ctx, cl, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// idOf is the id segment of /webhook_endpoints/{id}[/…].
func idOf(path string) string {
	rest := path[len("/webhook_endpoints/"):]
	for i := range len(rest) {
		if rest[i] == '/' {
			return rest[:i]
		}
	}
	return rest
}

// Replay is a bulk re-send of an endpoint's events, run by a workflow on the gateway.
type Replay struct {
	ID         string     `json:"id"` // "rpl_…"
	EndpointID string     `json:"endpoint_id"`
	Status     string     `json:"status"` // running, succeeded, canceled or failed
	Total      int        `json:"total"`
	Sent       int        `json:"sent"`
	Failed     int        `json:"failed"`
	Types      []string   `json:"types"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// ReplayRequest picks the events a replay re-sends: created in [From, To] (zero: unbounded), of
// Types (default every type).
type ReplayRequest struct {
	From, To time.Time
	Types    []string
}

// ReplayWebhookEndpoint starts a replay to an endpoint (409 REPLAY_IN_PROGRESS while one runs).
func (c *Client) ReplayWebhookEndpoint(ctx context.Context, endpointID string, req ReplayRequest) (*Replay, error) {
	if err := checkID(endpointID); err != nil {
		return nil, err
	}
	created := map[string]string{}
	if !req.From.IsZero() {
		created["gte"] = req.From.UTC().Format(time.RFC3339Nano)
	}
	if !req.To.IsZero() {
		created["lte"] = req.To.UTC().Format(time.RFC3339Nano)
	}
	body := map[string]any{"created": created}
	if len(req.Types) > 0 {
		body["types"] = req.Types
	}
	return c.replayCall(ctx, call{method: http.MethodPost, path: "/webhook_endpoints/" + endpointID + "/replay", body: body})
}

// GetReplay fetches a replay's progress.
func (c *Client) GetReplay(ctx context.Context, id string) (*Replay, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return c.replayCall(ctx, call{method: http.MethodGet, path: "/replays/" + id})
}

// CancelReplay stops a running replay between two pages.
func (c *Client) CancelReplay(ctx context.Context, id string) (*Replay, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return c.replayCall(ctx, call{method: http.MethodPost, path: "/replays/" + id + "/cancel"})
}

func (c *Client) replayCall(ctx context.Context, cl call) (*Replay, error) {
	var r Replay
	if _, err := c.do(ctx, cl, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
