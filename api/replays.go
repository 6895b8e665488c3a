package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
)

// replayView is a replay as the API shows it.
type replayView struct {
	ID         string   `json:"id"`
	Object     string   `json:"object"`
	EndpointID string   `json:"endpoint_id"`
	Status     string   `json:"status"`
	Total      int32    `json:"total"`
	Sent       int32    `json:"sent"`
	Failed     int32    `json:"failed"`
	CreatedGTE string   `json:"created_gte"`
	CreatedLT  string   `json:"created_lt"`
	Types      []string `json:"types"`
	CreatedAt  string   `json:"created_at"`
	FinishedAt *string  `json:"finished_at"`
}

func viewReplay(r db.WebhookReplay) replayView {
	return replayView{
		ID: r.ID, Object: "webhook_replay", EndpointID: r.EndpointID, Status: r.Status, Total: r.Total, Sent: r.Sent, Failed: r.Failed,
		CreatedGTE: resources.Timestamp(r.CreatedGte), CreatedLT: resources.Timestamp(r.CreatedLt), Types: r.Types,
		CreatedAt: resources.Timestamp(r.CreatedAt), FinishedAt: timestampOrNil(r.FinishedAt),
	}
}

// instant reads a JSON time: Unix seconds (a number or a string) or an ISO 8601 string.
func instant(raw json.RawMessage, name string) (*time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, badRequest("%s must be a time", name)
	}
	s := fmt.Sprint(v)
	if f, ok := v.(float64); ok {
		s = fmt.Sprintf("%.0f", f)
	}
	t, err := parseInstant(s)
	if err != nil {
		return nil, badRequest("%s must be a time as Unix seconds or ISO 8601, such as 2026-01-02T15:04:05Z", name)
	}
	t = t.Truncate(time.Microsecond)
	return &t, nil
}

// createReplay starts a replay of the endpoint's events created in [created.gte, created.lte]
// (by default every event kept) whose type matches types (default *), oldest first; 409 while
// another replay of the endpoint runs.
func (s *Server) createReplay(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req struct {
		Created *struct {
			GTE json.RawMessage `json:"gte"`
			LTE json.RawMessage `json:"lte"`
		} `json:"created"`
		FlatGTE json.RawMessage `json:"created[gte]"`
		FlatLTE json.RawMessage `json:"created[lte]"`
		Types   []string        `json:"types"`
	}
	if len(body) > 0 {
		if err := decodeJSON(body, &req); err != nil {
			return err
		}
	}
	gteRaw, lteRaw := req.FlatGTE, req.FlatLTE
	if req.Created != nil {
		gteRaw, lteRaw = req.Created.GTE, req.Created.LTE
	}
	from, to := farPast, farFuture
	if t, err := instant(gteRaw, "created.gte"); err != nil {
		return err
	} else if t != nil {
		from = *t
	}
	if t, err := instant(lteRaw, "created.lte"); err != nil {
		return err
	} else if t != nil {
		to = t.Add(time.Microsecond)
	}
	if !from.Before(to) {
		return badRequest("created.gte must be before created.lte")
	}
	types := req.Types
	if len(types) == 0 {
		types = []string{"*"}
	}
	for _, t := range types {
		if !outbox.ValidFilter(t) {
			return badRequest(`types: %q is not an event name, a prefix wildcard of one (such as "payment.*"), or "*"`, t)
		}
	}
	e, err := s.endpointFrom(r)
	if err != nil {
		return err
	}
	if e.Status != "enabled" {
		return badRequest("Enable the endpoint before replaying events to it")
	}
	rp, err := s.queries.CreateReplay(r.Context(), db.CreateReplayParams{
		ID: ids.New(ids.Replay), MerchantID: e.MerchantID, EndpointID: e.ID, CreatedGte: from, CreatedLt: to, Types: types,
	})
	if uniqueViolation(err, "webhook_replays_one_running") {
		return &Error{http.StatusConflict, CodeReplayRunning, "A replay of this endpoint is running; cancel it or wait for it to finish"}
	}
	if err != nil {
		return err
	}
	if err := s.starter.StartReplay(r.Context(), rp.ID, e.MerchantID.String(), e.ID); err != nil {
		// Not started: end the row so that the endpoint can be replayed again.
		_, _ = s.queries.CancelReplay(r.Context(), db.CancelReplayParams{ID: rp.ID, MerchantID: e.MerchantID})
		return err
	}
	writeJSON(w, http.StatusCreated, viewReplay(rp))
	return nil
}

func (s *Server) getReplay(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.queries.GetReplay(r.Context(), db.GetReplayParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Replay")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewReplay(rp))
	return nil
}

// listEndpointReplays shows an endpoint's latest ten replays, newest first.
func (s *Server) listEndpointReplays(w http.ResponseWriter, r *http.Request) error {
	e, err := s.endpointFrom(r)
	if err != nil {
		return err
	}
	rows, err := s.queries.ListEndpointReplays(r.Context(), db.ListEndpointReplaysParams{EndpointID: e.ID, MerchantID: e.MerchantID})
	if err != nil {
		return err
	}
	data := make([]replayView, len(rows))
	for i, rp := range rows {
		data[i] = viewReplay(rp)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "has_more": false})
	return nil
}

// cancelReplay stops a running replay between two pages; a replay that has ended is a 400.
func (s *Server) cancelReplay(w http.ResponseWriter, r *http.Request) error {
	m := merchantFrom(r.Context())
	id := mux.Vars(r)["id"]
	rp, err := s.queries.CancelReplay(r.Context(), db.CancelReplayParams{ID: id, MerchantID: m.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := s.queries.GetReplay(r.Context(), db.GetReplayParams{ID: id, MerchantID: m.ID}); errors.Is(err, pgx.ErrNoRows) {
			return notFound("Replay")
		}
		return badRequest("The replay has ended")
	}
	if err != nil {
		return err
	}
	if err := s.starter.CancelReplay(r.Context(), rp.ID); err != nil {
		// The row says canceled: the workflow stops at its next page anyway.
		s.log.WarnContext(r.Context(), "replay workflow not cancelled; it stops at its next page", "replay_id", rp.ID, "error", err.Error())
	}
	writeJSON(w, http.StatusOK, viewReplay(rp))
	return nil
}
