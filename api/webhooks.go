package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
	"github.com/paygate/paygate/workflows"
)

type webhookConfig struct {
	WebhookURL    *string `json:"webhook_url"`
	WebhookSecret string  `json:"webhook_secret"`
}

func viewWebhookConfig(m db.Merchant) webhookConfig {
	return webhookConfig{WebhookURL: m.WebhookURL, WebhookSecret: m.WebhookSecret}
}

func (s *Server) getWebhookConfig(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, viewWebhookConfig(merchantFrom(r.Context())))
	return nil
}

// putWebhookConfig sets the endpoint events are delivered to; an empty URL disables delivery.
func (s *Server) putWebhookConfig(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req struct {
		WebhookURL *string `json:"webhook_url"`
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if req.WebhookURL == nil {
		return badRequest("webhook_url is required (an empty string disables webhooks)")
	}
	url := strings.TrimSpace(*req.WebhookURL)
	var stored *string
	if url != "" {
		if len(url) > 2048 {
			return badRequest("webhook_url must be at most 2048 characters")
		}
		if err := s.webhooks.CheckURL(r.Context(), url); err != nil {
			return badRequest("webhook_url refused: %s", err.Error())
		}
		stored = &url
	}
	m := merchantFrom(r.Context())
	err = pgx.BeginFunc(r.Context(), s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		if stored == nil {
			if err := q.DisablePrimaryEndpoint(r.Context(), m.ID); err != nil {
				return err
			}
		} else {
			// The primary endpoint is created on the first PUT: it counts toward the limit.
			if err := q.LockMerchantEndpoints(r.Context(), m.ID); err != nil {
				return err
			}
			if _, err := q.GetPrimaryEndpoint(r.Context(), m.ID); errors.Is(err, pgx.ErrNoRows) {
				n, err := q.CountEndpoints(r.Context(), m.ID)
				if err != nil {
					return err
				}
				if n >= maxEndpoints {
					return badRequest("A merchant has at most %d webhook endpoints; delete one first", maxEndpoints)
				}
			} else if err != nil {
				return err
			}
			if _, err := q.SetPrimaryEndpoint(r.Context(), db.SetPrimaryEndpointParams{ID: ids.New(ids.Endpoint), MerchantID: m.ID, URL: *stored}); err != nil {
				return err
			}
		}
		return s.auditMerchant(r, q, auditWebhookURLSet, "", map[string]any{"webhook_url": stored})
	})
	if err != nil {
		return err
	}
	m.WebhookURL = stored
	writeJSON(w, http.StatusOK, viewWebhookConfig(m))
	return nil
}

// regenerateWebhookSecret replaces the signing secret; deliveries from now on use the new one.
func (s *Server) regenerateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	m, err := s.queries.SetWebhookSecret(r.Context(), db.SetWebhookSecretParams{ID: merchantFrom(r.Context()).ID, WebhookSecret: auth.NewWebhookSecret()})
	if err != nil {
		return err
	}
	if err := s.auditMerchant(r, s.queries, auditWebhookSecretSet, "", nil); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewWebhookConfig(m))
	return nil
}

// testWebhook records a webhook.test event and delivers it like any other. It takes an
// Idempotency-Key as every create does: a repeat answers the first event and sends nothing more.
// The request has no body, so its route alone identifies it.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	m := merchantFrom(r.Context())
	if m.WebhookURL == nil {
		// No primary endpoint: another enabled endpoint subscribed to it will do (else the event
		// would be recorded for no endpoint, and the answer a 400).
		n, err := s.queries.CountEnabledEndpoints(r.Context(), db.CountEnabledEndpointsParams{MerchantID: m.ID, Type: outbox.WebhookTest})
		if err != nil {
			return err
		}
		if n == 0 {
			return badRequest("Configure a webhook URL first")
		}
	}
	return s.createStatement(w, r, nil, func(ctx context.Context, q *db.Queries) (created, error) {
		deliveries, events, err := outbox.RecordEvents(ctx, q, m.ID, nil, nil, outbox.Data{Message: "This is a test event from PayGate"}, s.now(), outbox.WebhookTest)
		if err != nil {
			return created{}, err
		}
		if len(deliveries) == 0 {
			return created{}, badRequest("Configure a webhook URL first")
		}
		return created{
			status: http.StatusAccepted,
			body:   map[string]string{"id": events[0], "status": "pending"},
			after:  func(ctx context.Context) { s.startDeliveries(ctx, m.ID.String(), "", deliveries) },
		}, nil
	})
}

// startDeliveries starts the delivery of a merchant's recorded events about a payment (or none);
// the pending sweep covers a failure here.
func (s *Server) startDeliveries(ctx context.Context, merchantID, paymentID string, events []string) {
	for _, id := range events {
		if err := s.starter.StartDelivery(ctx, workflows.Delivery{LogID: id, MerchantID: merchantID, PaymentID: paymentID}); err != nil {
			s.log.WarnContext(ctx, "webhook delivery not started; the sweep will start it", "event_id", id, "error", err.Error())
		}
	}
}

type webhookLogView struct {
	ID            string          `json:"id"`
	EventID       string          `json:"event_id"`
	EndpointID    *string         `json:"endpoint_id"`
	Event         string          `json:"event"`
	Status        string          `json:"status"`
	Attempts      int32           `json:"attempts"`
	PaymentID     *string         `json:"payment_id"`
	RefundID      *string         `json:"refund_id"`
	LastAttemptAt *string         `json:"last_attempt_at"`
	NextRetryAt   *string         `json:"next_retry_at"`
	ResponseCode  *int32          `json:"response_code"`
	ResponseBody  *string         `json:"response_body"`
	Error         *string         `json:"error"`
	Payload       json.RawMessage `json:"payload"`
	CreatedAt     string          `json:"created_at"`
}

func viewWebhookLog(l db.WebhookLog) webhookLogView {
	v := webhookLogView{
		ID: l.ID, EventID: l.ID, EndpointID: l.EndpointID, Event: l.Event, Status: l.Status, Attempts: l.Attempts, PaymentID: l.PaymentID, RefundID: l.RefundID,
		ResponseCode: l.ResponseCode, ResponseBody: l.ResponseBody, Error: l.Error, Payload: l.Payload,
		CreatedAt: resources.Timestamp(l.CreatedAt),
	}
	if l.EventID != nil {
		v.EventID = *l.EventID
	}
	if l.LastAttemptAt != nil {
		t := resources.Timestamp(*l.LastAttemptAt)
		v.LastAttemptAt = &t
	}
	if l.NextRetryAt != nil && l.Status == "pending" {
		t := resources.Timestamp(*l.NextRetryAt)
		v.NextRetryAt = &t
	}
	return v
}

func (s *Server) listWebhookLogs(w http.ResponseWriter, r *http.Request) error {
	l, err := readList(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ctx, m := r.Context(), merchantFrom(r.Context())
	sp := l.span()
	filter := db.CountWebhookLogsParams{MerchantID: m.ID, Whole: sp.whole, FirstDay: sp.firstDay, EndDay: sp.endDay, HeadGte: sp.headGTE, HeadLt: sp.headLT, TailGte: sp.tailGTE, TailLt: sp.tailLT}
	if filter.Status, err = enumParam(q.Get("status"), "status", "pending", "success", "failed"); err != nil {
		return err
	}
	if filter.Event, err = enumParam(q.Get("event"), "event", outbox.Types...); err != nil {
		return err
	}
	var endpointID, eventID *string
	if v := q.Get("endpoint_id"); v != "" {
		endpointID = &v
	}
	if v := q.Get("event_id"); v != "" {
		eventID = &v
	}
	at, id, err := l.cursor("webhook deliveries", func(id string) (time.Time, error) {
		wl, err := s.queries.GetWebhookLog(ctx, db.GetWebhookLogParams{ID: id, MerchantID: m.ID})
		return wl.CreatedAt, err
	})
	if err != nil {
		return err
	}
	p := db.ListWebhookLogsParams{MerchantID: m.ID, Status: filter.Status, Event: filter.Event,
		EndpointID: endpointID, EventID: eventID, CreatedGte: l.createdGTE, CreatedLt: l.createdLT,
		CursorCreatedAt: at, CursorID: id, RowLimit: l.fetch(), RowOffset: l.offset}
	var rows []db.WebhookLog
	if l.newer() {
		rows, err = s.queries.ListWebhookLogsNewer(ctx, db.ListWebhookLogsNewerParams(p))
	} else {
		rows, err = s.queries.ListWebhookLogs(ctx, p)
	}
	if err != nil {
		return err
	}
	rows, more := page(l, rows)
	var total int64
	if endpointID != nil || eventID != nil {
		total, err = s.queries.CountWebhookLogsByDelivery(ctx, db.CountWebhookLogsByDeliveryParams{
			MerchantID: m.ID, Status: filter.Status, Event: filter.Event, EndpointID: endpointID, EventID: eventID,
			CreatedGte: l.createdGTE, CreatedLt: l.createdLT,
		})
	} else {
		total, err = s.queries.CountWebhookLogs(ctx, filter)
	}
	if err != nil {
		return err
	}
	data := make([]webhookLogView, len(rows))
	for i, l := range rows {
		data[i] = viewWebhookLog(l)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "total": total, "limit": l.limit, "offset": l.offset, "has_more": more})
	return nil
}

func (s *Server) getWebhookLog(w http.ResponseWriter, r *http.Request) error {
	l, err := s.queries.GetWebhookLog(r.Context(), db.GetWebhookLogParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Webhook delivery")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewWebhookLog(l))
	return nil
}

// retryWebhook resets a delivery's attempts and starts a new schedule, replacing one in progress.
func (s *Server) retryWebhook(w http.ResponseWriter, r *http.Request) error {
	l, err := s.queries.ResetDelivery(r.Context(), db.ResetDeliveryParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Webhook delivery")
	}
	if err != nil {
		return err
	}
	d := workflows.Delivery{LogID: l.ID, MerchantID: l.MerchantID.String()}
	if l.PaymentID != nil {
		d.PaymentID = *l.PaymentID
	}
	if err := s.starter.RetryDelivery(r.Context(), d); err != nil {
		return err
	}
	if err := s.auditMerchant(r, s.queries, auditWebhookRetried, l.ID, nil); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": l.ID, "status": "pending", "message": "Webhook retry scheduled"})
	return nil
}
