package api

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/workflows"
)

// advanceWebhook (test mode only) moves a webhook delivery's test clock: the retries due within
// by are made now, in order, as if the time had passed. It answers with the delivery once their
// timers have fired (the attempts themselves follow at once, as after any timer). A delivery with
// no retry schedule running is returned as it is.
func (s *Server) advanceWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req advanceRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	by, err := req.duration()
	if err != nil {
		return err
	}
	ctx, params := r.Context(), db.GetWebhookLogParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID}
	l, err := s.queries.GetWebhookLog(ctx, params)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Webhook delivery")
	}
	if err != nil {
		return err
	}
	if l.Status == "pending" {
		// The delivery workflow's id is the event's; one that has ended takes no update.
		if err := s.updatePayment(ctx, l.ID, workflows.AdvanceUpdate, workflows.AdvanceInput{By: by}); err != nil && !errors.Is(err, errWorkflowClosed) {
			return err
		}
		if l, err = s.queries.GetWebhookLog(ctx, params); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, viewWebhookLog(l))
	return nil
}
