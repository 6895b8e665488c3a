package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
)

// maxEndpoints is how many webhook endpoints a merchant may have.
const maxEndpoints = 16

// endpointView is a webhook endpoint as the API shows it. Secret is there only in the answers
// of its creation and of roll-secret.
type endpointView struct {
	ID             string   `json:"id"`
	Object         string   `json:"object"`
	URL            string   `json:"url"`
	EnabledEvents  []string `json:"enabled_events"`
	Description    string   `json:"description"`
	Status         string   `json:"status"`
	Primary        bool     `json:"primary"`
	Secret         string   `json:"secret,omitempty"`
	DisabledAt     *string  `json:"disabled_at"`
	DisabledReason *string  `json:"disabled_reason"`
	FailingSince   *string  `json:"failing_since"`
	FailedEvents   int32    `json:"failed_events"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
	// Deliveries24h is how the endpoint's deliveries of the last 24 hours have fared.
	Deliveries24h deliveryCounts `json:"deliveries_24h"`
}

// deliveryWindow is the span of deliveries_24h: the dashboard's "success rate, last 24 h".
const deliveryWindow = 24 * time.Hour

// deliveryCounts is deliveries_24h: the deliveries made to an endpoint in the last 24 hours (by
// when their event was recorded) by outcome so far, and the share of those attempted that
// succeeded, in percent to one decimal (null when none was attempted).
type deliveryCounts struct {
	Succeeded   int64    `json:"succeeded"`
	Failed      int64    `json:"failed"`   // retries exhausted
	Retrying    int64    `json:"retrying"` // the last attempt failed; another is scheduled
	Pending     int64    `json:"pending"`  // not attempted yet
	SuccessRate *float64 `json:"success_rate"`
}

func countsOf(r db.EndpointDeliveriesRow) deliveryCounts {
	c := deliveryCounts{Succeeded: r.Succeeded, Failed: r.Failed, Retrying: r.Retrying, Pending: r.Pending}
	if attempted := c.Succeeded + c.Failed + c.Retrying; attempted > 0 {
		rate := math.Round(float64(c.Succeeded)/float64(attempted)*1000) / 10
		c.SuccessRate = &rate
	}
	return c
}

// withDeliveries fills in deliveries_24h of the merchant's endpoints in views, in one query.
func (s *Server) withDeliveries(ctx context.Context, merchantID uuid.UUID, views []endpointView) error {
	if len(views) == 0 {
		return nil
	}
	ids := make([]string, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	rows, err := s.queries.EndpointDeliveries(ctx, db.EndpointDeliveriesParams{EndpointIds: ids, MerchantID: merchantID, Since: s.now().Add(-deliveryWindow)})
	if err != nil {
		return fmt.Errorf("endpoint deliveries: %w", err)
	}
	byID := make(map[string]deliveryCounts, len(rows))
	for _, r := range rows {
		byID[r.EndpointID] = countsOf(r)
	}
	for i := range views {
		views[i].Deliveries24h = byID[views[i].ID]
	}
	return nil
}

// viewEndpointWithDeliveries is one endpoint's view with its deliveries_24h.
func (s *Server) viewEndpointWithDeliveries(ctx context.Context, e db.WebhookEndpoint) (endpointView, error) {
	v := []endpointView{viewEndpoint(e)}
	err := s.withDeliveries(ctx, e.MerchantID, v)
	return v[0], err
}

func viewEndpoint(e db.WebhookEndpoint) endpointView {
	return endpointView{
		ID: e.ID, Object: "webhook_endpoint", URL: e.URL, EnabledEvents: e.EnabledEvents, Description: e.Description,
		Status: e.Status, Primary: e.IsPrimary, DisabledAt: timestampOrNil(e.DisabledAt), DisabledReason: e.DisabledReason,
		FailingSince: timestampOrNil(e.FailingSince), FailedEvents: e.FailedEvents,
		CreatedAt: resources.Timestamp(e.CreatedAt), UpdatedAt: resources.Timestamp(e.UpdatedAt),
	}
}

func timestampOrNil(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := resources.Timestamp(*t)
	return &s
}

// endpointRequest is the body of a create or an update; nil fields are not set.
type endpointRequest struct {
	URL           *string   `json:"url"`
	EnabledEvents *[]string `json:"enabled_events"`
	Description   *string   `json:"description"`
	Status        *string   `json:"status"`
}

// check validates what is set and trims the URL.
func (s *Server) checkEndpoint(ctx context.Context, req *endpointRequest) error {
	if req.URL != nil {
		url := strings.TrimSpace(*req.URL)
		switch {
		case url == "":
			return badRequest("url must not be empty")
		case len(url) > 2048:
			return badRequest("url must be at most 2048 characters")
		}
		if err := s.webhooks.CheckURL(ctx, url); err != nil {
			return badRequest("url refused: %s", err.Error())
		}
		req.URL = &url
	}
	if req.EnabledEvents != nil {
		events := *req.EnabledEvents
		if len(events) == 0 || len(events) > 32 {
			return badRequest(`enabled_events must list 1 to 32 event names, prefix wildcards such as "payment.*", or "*"`)
		}
		for _, e := range events {
			if !outbox.ValidFilter(e) {
				return badRequest(`enabled_events: %q is not an event name, a prefix wildcard of one (such as "payment.*"), or "*"`, e)
			}
		}
	}
	if req.Description != nil && len(*req.Description) > 500 {
		return badRequest("description must be at most 500 characters")
	}
	if req.Status != nil && *req.Status != "enabled" && *req.Status != "disabled" {
		return badRequest("status must be enabled or disabled")
	}
	return nil
}

func (s *Server) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req endpointRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if req.URL == nil {
		return badRequest("url is required")
	}
	if req.EnabledEvents == nil {
		return badRequest(`enabled_events is required (["*"] for every event)`)
	}
	if req.Status != nil {
		return badRequest("status cannot be set at creation: an endpoint starts enabled")
	}
	if err := s.checkEndpoint(r.Context(), &req); err != nil {
		return err
	}
	m := merchantFrom(r.Context())
	secret := auth.NewWebhookSecret()
	var e db.WebhookEndpoint
	err = pgx.BeginFunc(r.Context(), s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		if err := q.LockMerchantEndpoints(r.Context(), m.ID); err != nil {
			return err
		}
		n, err := q.CountEndpoints(r.Context(), m.ID)
		if err != nil {
			return err
		}
		if n >= maxEndpoints {
			return badRequest("A merchant has at most %d webhook endpoints; delete one first", maxEndpoints)
		}
		description := ""
		if req.Description != nil {
			description = *req.Description
		}
		e, err = q.CreateEndpoint(r.Context(), db.CreateEndpointParams{
			ID: ids.New(ids.Endpoint), MerchantID: m.ID, URL: *req.URL, Secret: &secret,
			EnabledEvents: *req.EnabledEvents, Description: description,
		})
		if err != nil {
			return err
		}
		return s.auditMerchant(r, q, auditEndpointCreated, e.ID, map[string]any{"url": e.URL, "enabled_events": e.EnabledEvents})
	})
	if err != nil {
		return err
	}
	v := viewEndpoint(e)
	v.Secret = secret
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.queries.ListEndpoints(r.Context(), merchantFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	data := make([]endpointView, len(rows))
	for i, e := range rows {
		data[i] = viewEndpoint(e)
	}
	if err := s.withDeliveries(r.Context(), merchantFrom(r.Context()).ID, data); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "has_more": false})
	return nil
}

// endpointFrom reads the request's endpoint ({id}) of the merchant: 404 if it is not one.
func (s *Server) endpointFrom(r *http.Request) (db.WebhookEndpoint, error) {
	e, err := s.queries.GetEndpoint(r.Context(), db.GetEndpointParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return e, notFound("Webhook endpoint")
	}
	return e, err
}

func (s *Server) getEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpointFrom(r)
	if err != nil {
		return err
	}
	v, err := s.viewEndpointWithDeliveries(r.Context(), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// updateEndpoint changes an endpoint's url, enabled_events, description or status. Enabling
// one resets its failure count.
func (s *Server) updateEndpoint(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req endpointRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if err := s.checkEndpoint(r.Context(), &req); err != nil {
		return err
	}
	var events []string
	if req.EnabledEvents != nil {
		events = *req.EnabledEvents
	}
	m := merchantFrom(r.Context())
	var e db.WebhookEndpoint
	err = pgx.BeginFunc(r.Context(), s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		row, err := q.UpdateEndpoint(r.Context(), db.UpdateEndpointParams{
			ID: mux.Vars(r)["id"], MerchantID: m.ID, URL: req.URL, EnabledEvents: events, Description: req.Description, Status: req.Status,
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Webhook endpoint")
		}
		if err != nil {
			return err
		}
		e = db.WebhookEndpoint(row)
		return s.auditMerchant(r, q, auditEndpointUpdated, e.ID, map[string]any{
			"url": req.URL, "enabled_events": req.EnabledEvents, "description": req.Description, "status": req.Status})
	})
	if err != nil {
		return err
	}
	v, err := s.viewEndpointWithDeliveries(r.Context(), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// deleteEndpoint deletes an endpoint; its deliveries stay in the log, and those still pending end
// at their next attempt.
func (s *Server) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	m := merchantFrom(r.Context())
	var id string
	err := pgx.BeginFunc(r.Context(), s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		row, err := q.DeleteEndpoint(r.Context(), db.DeleteEndpointParams{ID: mux.Vars(r)["id"], MerchantID: m.ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Webhook endpoint")
		}
		if err != nil {
			return err
		}
		id = row.ID
		return s.auditMerchant(r, q, auditEndpointDeleted, row.ID, map[string]any{"url": row.URL})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "webhook_endpoint", "deleted": true})
	return nil
}

// rollEndpointSecret gives an endpoint a new signing secret and shows it; deliveries from now on
// are signed with it. The primary endpoint's secret is the merchant's webhook secret, which
// /webhooks/regenerate-secret rolls too.
func (s *Server) rollEndpointSecret(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpointFrom(r)
	if err != nil {
		return err
	}
	secret := auth.NewWebhookSecret()
	err = pgx.BeginFunc(r.Context(), s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		if e.IsPrimary {
			_, err = q.SetWebhookSecret(r.Context(), db.SetWebhookSecretParams{ID: e.MerchantID, WebhookSecret: secret})
		} else {
			err = q.SetEndpointSecret(r.Context(), db.SetEndpointSecretParams{ID: e.ID, MerchantID: e.MerchantID, Secret: &secret})
		}
		if err != nil {
			return err
		}
		return s.auditMerchant(r, q, auditEndpointRolled, e.ID, nil)
	})
	if err != nil {
		return err
	}
	v, err := s.viewEndpointWithDeliveries(r.Context(), e)
	if err != nil {
		return err
	}
	v.Secret = secret
	writeJSON(w, http.StatusOK, v)
	return nil
}
