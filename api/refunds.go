package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
	"github.com/paygate/paygate/workflows"
)

type captureRequest struct {
	Amount *int64 `json:"amount"`
}

// capturePayment marks a successful payment captured, once, for its full amount.
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
		return badRequest("amount is required and must equal the payment amount")
	}
	id := mux.Vars(r)["id"]
	return s.createOnce(w, r, body, "", func(ctx context.Context, q *db.Queries) (created, error) {
		p, err := q.GetPaymentForUpdate(ctx, db.GetPaymentForUpdateParams{ID: id, MerchantID: merchantFrom(ctx).ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return created{}, notFound("Payment")
		}
		if err != nil {
			return created{}, err
		}
		if p.Status != "success" || p.Captured {
			return created{}, badRequest("Payment not in capturable state")
		}
		if *req.Amount != p.Amount {
			return created{}, badRequest("Capture amount must equal the payment amount (%d)", p.Amount)
		}
		if p, err = q.CapturePayment(ctx, db.CapturePaymentParams{ID: id, MerchantID: p.MerchantID}); err != nil {
			return created{}, err
		}
		events, err := outbox.PaymentEvents(ctx, q, p, s.now(), outbox.PaymentCaptured)
		if err != nil {
			return created{}, err
		}
		return created{status: http.StatusOK, body: resources.NewPayment(p), after: func(ctx context.Context) {
			s.startDeliveries(ctx, p.MerchantID.String(), p.ID, events)
		}}, nil
	})
}

type createRefundRequest struct {
	PaymentID string `json:"payment_id"`
	// Amount absent means everything still refundable; null is refused like any other non-integer.
	Amount         optional[int64] `json:"amount"`
	Reason         *string         `json:"reason"`
	IdempotencyKey string          `json:"idempotency_key"`
}

// createRefund is POST /refunds with the payment id in the body (the older form).
func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) error {
	return s.refund(w, r, "")
}

// createPaymentRefund is POST /payments/{id}/refunds.
func (s *Server) createPaymentRefund(w http.ResponseWriter, r *http.Request) error {
	return s.refund(w, r, mux.Vars(r)["id"])
}

// refund reserves the amount on the payment and records a pending refund in one transaction,
// with the payment's row locked, so concurrent refunds can never add up past the amount paid;
// then it starts the refund's workflow.
func (s *Server) refund(w http.ResponseWriter, r *http.Request, paymentID string) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req createRefundRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if paymentID == "" {
		paymentID = req.PaymentID
	}
	switch {
	case paymentID == "":
		return badRequest("payment_id is required")
	case req.Amount.Set && req.Amount.Null:
		return badRequest("amount must be an integer (minor units); leave it out to refund everything still refundable")
	case req.Amount.Set && req.Amount.Value < 1:
		return badRequest("amount must be an integer of at least 1 (minor units)")
	case req.Reason != nil && len(*req.Reason) > 255:
		return badRequest("reason must be at most 255 characters")
	}
	return s.createOnce(w, r, body, req.IdempotencyKey, func(ctx context.Context, q *db.Queries) (created, error) {
		p, err := q.GetPaymentForUpdate(ctx, db.GetPaymentForUpdateParams{ID: paymentID, MerchantID: merchantFrom(ctx).ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return created{}, notFound("Payment")
		}
		if err != nil {
			return created{}, err
		}
		if p.Status != "success" {
			return created{}, badRequest("Only successful payments can be refunded")
		}
		available := p.Amount - p.AmountRefunded
		amount := available
		if req.Amount.Set {
			amount = req.Amount.Value
		}
		if amount > available || amount == 0 {
			return created{}, badRequest("Refund amount exceeds available amount")
		}
		if p, err = q.AddRefundedAmount(ctx, db.AddRefundedAmountParams{ID: p.ID, Delta: amount}); err != nil {
			return created{}, err
		}
		rf, err := q.CreateRefund(ctx, db.CreateRefundParams{
			ID: ids.New(ids.Refund), PaymentID: p.ID, OrderID: p.OrderID, MerchantID: p.MerchantID,
			Amount: amount, Currency: p.Currency, Reason: req.Reason,
		})
		if err != nil {
			return created{}, err
		}
		events, err := outbox.RefundEvents(ctx, q, rf, p, s.now(), outbox.RefundCreationEvents...)
		if err != nil {
			return created{}, err
		}
		if err := s.auditMerchant(r, q, auditRefundCreated, rf.ID, map[string]any{"payment_id": p.ID, "amount": amount, "currency": p.Currency}); err != nil {
			return created{}, err
		}
		return created{status: http.StatusCreated, body: resources.NewRefund(rf), after: func(ctx context.Context) {
			s.startRefund(ctx, rf, events)
		}}, nil
	})
}

// startRefund starts a committed refund's workflow; the pending sweep covers a failure here.
func (s *Server) startRefund(ctx context.Context, rf db.Refund, events []string) {
	err := s.starter.StartRefund(ctx, workflows.RefundInput{
		RefundID: rf.ID, PaymentID: rf.PaymentID, MerchantID: rf.MerchantID.String(), Amount: rf.Amount, Currency: rf.Currency,
		Webhooks: workflows.Deliveries{Events: events},
	})
	if err != nil {
		s.log.WarnContext(ctx, "refund workflow not started; the sweep will start it", "refund_id", rf.ID, "error", err.Error())
	}
}

func (s *Server) getRefund(w http.ResponseWriter, r *http.Request) error {
	rf, err := s.queries.GetRefund(r.Context(), db.GetRefundParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Refund")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resources.NewRefund(rf))
	return nil
}

func (s *Server) listRefunds(w http.ResponseWriter, r *http.Request) error {
	l, err := readList(r)
	if err != nil {
		return err
	}
	ctx, m := r.Context(), merchantFrom(r.Context())
	var paymentID *string
	if v := r.URL.Query().Get("payment_id"); v != "" {
		paymentID = &v
	}
	at, id, err := l.cursor("refunds", func(id string) (time.Time, error) {
		rf, err := s.queries.GetRefund(ctx, db.GetRefundParams{ID: id, MerchantID: m.ID})
		return rf.CreatedAt, err
	})
	if err != nil {
		return err
	}
	p := db.ListRefundsParams{MerchantID: m.ID, PaymentID: paymentID, CreatedGte: l.createdGTE, CreatedLt: l.createdLT,
		CursorCreatedAt: at, CursorID: id, RowLimit: l.fetch(), RowOffset: l.offset}
	var rows []db.Refund
	if l.newer() {
		rows, err = s.queries.ListRefundsNewer(ctx, db.ListRefundsNewerParams(p))
	} else {
		rows, err = s.queries.ListRefunds(ctx, p)
	}
	if err != nil {
		return err
	}
	rows, more := page(l, rows)
	var total int64
	if paymentID != nil {
		total, err = s.queries.CountPaymentRefunds(ctx, db.CountPaymentRefundsParams{PaymentID: *paymentID, MerchantID: m.ID,
			CreatedGte: l.createdGTE, CreatedLt: l.createdLT})
	} else {
		sp := l.span()
		total, err = s.queries.CountRefunds(ctx, db.CountRefundsParams{MerchantID: m.ID, Whole: sp.whole, FirstDay: sp.firstDay, EndDay: sp.endDay, HeadGte: sp.headGTE, HeadLt: sp.headLT, TailGte: sp.tailGTE, TailLt: sp.tailLT})
	}
	if err != nil {
		return err
	}
	refunds := make([]resources.Refund, len(rows))
	for i, rf := range rows {
		refunds[i] = resources.NewRefund(rf)
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(refunds), "total": total, "refunds": refunds, "has_more": more})
	return nil
}
