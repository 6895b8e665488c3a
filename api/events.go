package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
)

// eventView is an event as the events API shows it: the envelope deliveries carry (id, event,
// timestamp, data) with its type, creation time and the number of its deliveries not yet
// successful.
type eventView struct {
	ID              string          `json:"id"`
	Object          string          `json:"object"`
	Type            string          `json:"type"`
	Event           string          `json:"event"`
	Timestamp       string          `json:"timestamp"`
	Data            json.RawMessage `json:"data"`
	PaymentID       *string         `json:"payment_id"`
	RefundID        *string         `json:"refund_id"`
	PendingWebhooks int32           `json:"pending_webhooks"`
	CreatedAt       string          `json:"created_at"`
}

func viewEvent(e db.ListEventsRow) eventView {
	var envelope struct {
		Timestamp string          `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(e.Payload, &envelope) // written by outbox: always an envelope
	if envelope.Data == nil {
		envelope.Data = json.RawMessage("{}")
	}
	return eventView{
		ID: e.ID, Object: "event", Type: e.Type, Event: e.Type, Timestamp: envelope.Timestamp, Data: envelope.Data,
		PaymentID: e.PaymentID, RefundID: e.RefundID, PendingWebhooks: e.PendingWebhooks, CreatedAt: resources.Timestamp(e.CreatedAt),
	}
}

// typeFilter reads the events API's type: an exact name, or a prefix wildcard (payment.*).
func typeFilter(v string) (exact, prefix *string, err error) {
	switch {
	case v == "" || v == "*":
		return nil, nil, nil
	case !outbox.ValidFilter(v):
		return nil, nil, badRequest(`type must be an event name, or a prefix wildcard of one such as "payment.*"`)
	case strings.HasSuffix(v, ".*"):
		p := strings.TrimSuffix(v, "*")
		return nil, &p, nil
	}
	return &v, nil, nil
}

// listEvents pages through the merchant's events newest first, by (created_at, id) as every list.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	l, err := readList(r)
	if err != nil {
		return err
	}
	if l.offset > 0 {
		return badRequest("events page with starting_after or ending_before, not skip or offset")
	}
	ctx, m := r.Context(), merchantFrom(r.Context())
	exact, prefix, err := typeFilter(r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	at, id, err := l.cursor("events", func(id string) (time.Time, error) {
		return s.queries.GetEventCreatedAt(ctx, db.GetEventCreatedAtParams{ID: id, MerchantID: m.ID})
	})
	if err != nil {
		return err
	}
	p := db.ListEventsParams{MerchantID: m.ID, Type: exact, TypePrefix: prefix, CreatedGte: l.createdGTE, CreatedLt: l.createdLT,
		CursorCreatedAt: at, CursorID: id, RowLimit: l.fetch()}
	var rows []db.ListEventsRow
	if l.newer() {
		var newer []db.ListEventsNewerRow
		newer, err = s.queries.ListEventsNewer(ctx, db.ListEventsNewerParams(p))
		for _, e := range newer {
			rows = append(rows, db.ListEventsRow(e))
		}
	} else {
		rows, err = s.queries.ListEvents(ctx, p)
	}
	if err != nil {
		return err
	}
	rows, more := page(l, rows)
	data := make([]eventView, len(rows))
	for i, e := range rows {
		data[i] = viewEvent(e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "has_more": more})
	return nil
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.queries.GetEvent(r.Context(), db.GetEventParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Event")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewEvent(db.ListEventsRow(e)))
	return nil
}
