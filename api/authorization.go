package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
	"github.com/paygate/paygate/workflows"
)

// An authorized payment (successful, uncaptured) is captured, voided or expired by its workflow,
// through Temporal Updates whose validators refuse what it cannot take. A payment whose workflow
// has ended (made before the workflow kept its authorization, or whose workflow was closed by an
// operator) is captured or voided by a conditional row update instead, as before.

type captureRequest struct {
	Amount *int64 `json:"amount"`
}

// updateTimeout bounds the wait for a capture, void or test clock update.
const updateTimeout = 15 * time.Second

// errWorkflowClosed: the payment has no open workflow to take the update; the row is changed
// directly.
var errWorkflowClosed = errors.New("payment workflow closed")

// capturePayment captures a successful payment, once, for its amount or less (at least
// workflows.MinCapture); the rest of the authorization is released.
func (s *Server) capturePayment(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req captureRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if req.Amount == nil {
		return badRequest("amount is required: the amount to capture (minor units, at most the payment amount)")
	}
	amount := *req.Amount
	return s.changeAuthorization(w, r, body, func(p db.Payment) error { return captureRefusal(p, amount) },
		workflows.CaptureUpdate, []any{workflows.CaptureInput{Amount: amount}},
		func(ctx context.Context, q *db.Queries, id string) (db.Payment, string, error) {
			p, err := q.CapturePayment(ctx, db.CapturePaymentParams{ID: id, Amount: amount})
			return p, outbox.PaymentCaptured, err
		})
}

// voidPayment releases a successful, uncaptured payment's authorization (void_reason requested).
func (s *Server) voidPayment(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var req struct{}
		if err := decodeJSON(body, &req); err != nil {
			return err
		}
	}
	return s.changeAuthorization(w, r, body, voidRefusal, workflows.VoidUpdate, nil,
		func(ctx context.Context, q *db.Queries, id string) (db.Payment, string, error) {
			p, err := q.VoidPayment(ctx, db.VoidPaymentParams{ID: id, Reason: activities.VoidRequested})
			return p, outbox.PaymentVoided, err
		})
}

// changeAuthorization captures or voids the merchant's payment named in the path: refusal says
// from its row why it cannot be; then its workflow's update does it or, with no workflow open,
// change does it to the locked row, and its event is recorded and delivered from the start queue.
// Without an Idempotency-Key the update runs outside any transaction, so waiting for the
// workflow holds no database connection (its step needs one); with a key it runs inside
// createOnce's transaction, which stores the answer.
func (s *Server) changeAuthorization(w http.ResponseWriter, r *http.Request, body []byte, refusal func(db.Payment) error,
	update string, args []any, change func(context.Context, *db.Queries, string) (db.Payment, string, error)) error {
	id := mux.Vars(r)["id"]
	byWorkflow := true
	if r.Header.Get("Idempotency-Key") == "" {
		out, err := s.changeByWorkflow(r.Context(), s.queries, id, refusal, update, args)
		if !errors.Is(err, errWorkflowClosed) {
			if err != nil {
				return err
			}
			return s.respondCreated(w, r, out)
		}
		byWorkflow = false
	}
	return s.createOnce(w, r, body, "", func(ctx context.Context, q *db.Queries) (created, error) {
		if byWorkflow {
			out, err := s.changeByWorkflow(ctx, q, id, refusal, update, args)
			if !errors.Is(err, errWorkflowClosed) {
				return out, err
			}
		}
		return s.changeRow(ctx, q, id, refusal, change)
	})
}

// changeByWorkflow reads the payment, refuses what it cannot take, and runs the update of its
// workflow; errWorkflowClosed when it has none open.
func (s *Server) changeByWorkflow(ctx context.Context, q *db.Queries, id string, refusal func(db.Payment) error, update string, args []any) (created, error) {
	merchant := merchantFrom(ctx).ID
	p, err := q.GetPayment(ctx, db.GetPaymentParams{ID: id, MerchantID: merchant})
	if errors.Is(err, pgx.ErrNoRows) {
		return created{}, notFound("Payment")
	}
	if err != nil {
		return created{}, err
	}
	if err := refusal(p); err != nil {
		return created{}, err
	}
	if p.CaptureExpiresAt == nil { // made before its workflow kept the authorization
		return created{}, errWorkflowClosed
	}
	if err := s.updatePayment(ctx, id, update, args...); err != nil {
		return created{}, err
	}
	if p, err = q.GetPayment(ctx, db.GetPaymentParams{ID: id, MerchantID: merchant}); err != nil {
		return created{}, err
	}
	return created{status: http.StatusOK, body: resources.NewPayment(p)}, nil
}

// changeRow changes the locked row of a payment whose workflow has ended, with its event.
func (s *Server) changeRow(ctx context.Context, q *db.Queries, id string, refusal func(db.Payment) error,
	change func(context.Context, *db.Queries, string) (db.Payment, string, error)) (created, error) {
	p, err := q.GetPaymentForUpdate(ctx, db.GetPaymentForUpdateParams{ID: id, MerchantID: merchantFrom(ctx).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return created{}, notFound("Payment")
	}
	if err != nil {
		return created{}, err
	}
	if err := refusal(p); err != nil {
		return created{}, err
	}
	changed, event, err := change(ctx, q, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return created{}, badRequest("Payment cannot take this change now (refunds exceed the amount)")
	}
	if err != nil {
		return created{}, err
	}
	events, err := outbox.PaymentEvents(ctx, q, changed, s.now(), event)
	if err != nil {
		return created{}, err
	}
	return created{status: http.StatusOK, body: resources.NewPayment(changed), after: func(ctx context.Context) {
		s.startDeliveries(ctx, changed.MerchantID.String(), changed.ID, events)
	}}, nil
}

// updatePayment runs an update of a payment's (or a delivery's) workflow and waits for its
// outcome: nil, a 400 with a refusal's reason, errWorkflowClosed when no workflow is open to take
// it, or 503.
func (s *Server) updatePayment(ctx context.Context, id, name string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: name, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notFound):
		return errWorkflowClosed
	case errors.As(err, &appErr) && appErr.Type() == workflows.RefusedError:
		return badRequest("%s", appErr.Message())
	case errors.As(err, &appErr):
		// Not a refusal: the workflow is not waiting yet (its outcome is being recorded).
		return &Error{http.StatusServiceUnavailable, CodeUnavailable, "The payment is being updated; retry shortly"}
	case ctx.Err() != nil:
		return &Error{http.StatusServiceUnavailable, CodeUnavailable, "The payment's workflow did not answer in time; retry shortly"}
	}
	return err
}

// captureRefusal says why the payment cannot be captured for amount, or nil.
func captureRefusal(p db.Payment, amount int64) error {
	switch {
	case p.Status == activities.StatusVoided && p.VoidReason != nil && *p.VoidReason == activities.VoidExpired:
		return badRequest("Payment authorization has expired (voided)")
	case p.Status == activities.StatusVoided:
		return badRequest("Payment is voided")
	case p.Captured:
		return badRequest("Payment is already captured")
	case p.Status != activities.StatusSuccess:
		return badRequest("Payment not in capturable state")
	case amount < workflows.MinCapture:
		return badRequest("Capture amount must be at least %d", workflows.MinCapture)
	case amount > p.Amount:
		return badRequest("Capture amount exceeds the payment amount (%d)", p.Amount)
	case amount < p.AmountRefunded:
		return badRequest("Capture amount is less than the amount already refunded (%d)", p.AmountRefunded)
	}
	return nil
}

// voidRefusal says why the payment cannot be voided, or nil.
func voidRefusal(p db.Payment) error {
	switch {
	case p.Captured:
		return badRequest("Payment is captured; refund it instead")
	case p.Status == activities.StatusVoided:
		return badRequest("Payment is already voided")
	case p.Status != activities.StatusSuccess:
		return badRequest("Payment not in voidable state")
	case p.AmountRefunded > 0:
		return badRequest("Payment has refunds; it cannot be voided")
	}
	return nil
}

type advanceRequest struct {
	By string `json:"by"`
}

// maxAdvance bounds a test clock's step.
const maxAdvance = 10 * 365 * 24 * time.Hour

func (req advanceRequest) duration() (time.Duration, error) {
	d, err := time.ParseDuration(req.By)
	if err != nil || d <= 0 || d > maxAdvance {
		return 0, badRequest("by must be a positive Go duration such as 120h or 90m (at most 10 years)")
	}
	return d, nil
}

// advancePayment (test mode only) moves a payment's test clock: its workflow fires the timers due
// within by now, as if the time had passed; it answers with the payment afterwards.
func (s *Server) advancePayment(w http.ResponseWriter, r *http.Request) error {
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
	ctx, id, merchant := r.Context(), mux.Vars(r)["id"], merchantFrom(r.Context()).ID
	p, err := s.queries.GetPayment(ctx, db.GetPaymentParams{ID: id, MerchantID: merchant})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Payment")
	}
	if err != nil {
		return err
	}
	if p.CaptureExpiresAt != nil && p.Status == activities.StatusSuccess && !p.Captured {
		if err := s.updatePayment(ctx, id, workflows.AdvanceUpdate, workflows.AdvanceInput{By: by}); err != nil && !errors.Is(err, errWorkflowClosed) {
			return err
		}
		if p, err = s.queries.GetPayment(ctx, db.GetPaymentParams{ID: id, MerchantID: merchant}); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, resources.NewPayment(p))
	return nil
}
