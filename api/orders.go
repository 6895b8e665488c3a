package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/resources"
)

// Currencies the gateway accepts. Amounts are in the currency's minor unit (paise, cents).
var currencies = map[string]bool{"INR": true, "USD": true, "EUR": true, "GBP": true}

// Amounts an order may have, in minor units: at least 100 (₹1.00) and at most 99 999 999
// (₹9,99,999.99), the single-charge ceiling Stripe documents; larger sums are split across orders.
const (
	minAmount = 100
	maxAmount = 99_999_999
)

type createOrderRequest struct {
	Amount   *int64          `json:"amount"`
	Currency string          `json:"currency"`
	Receipt  *string         `json:"receipt"`
	Notes    json.RawMessage `json:"notes"`
}

func (req *createOrderRequest) validate() error {
	if req.Amount == nil || *req.Amount < minAmount || *req.Amount > maxAmount {
		return badRequest("amount must be an integer from %d to %d (minor units)", minAmount, maxAmount)
	}
	if req.Currency == "" {
		req.Currency = "INR"
	}
	if !currencies[req.Currency] {
		return badRequest("currency must be one of INR, USD, EUR, GBP")
	}
	if req.Receipt != nil && len(*req.Receipt) > 40 {
		return badRequest("receipt must be at most 40 characters")
	}
	if len(req.Notes) == 0 || string(req.Notes) == "null" {
		req.Notes = json.RawMessage("{}")
	}
	var notes map[string]any
	if err := json.Unmarshal(req.Notes, &notes); err != nil {
		return badRequest("notes must be an object")
	}
	if len(notes) > 15 || len(req.Notes) > 4096 {
		return badRequest("notes may hold at most 15 keys and 4 KiB")
	}
	return nil
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req createOrderRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	return s.createStatement(w, r, body, func(ctx context.Context, q *db.Queries) (created, error) {
		o, err := q.CreateOrder(ctx, db.CreateOrderParams{
			ID:         ids.New(ids.Order),
			MerchantID: merchantFrom(ctx).ID,
			Amount:     *req.Amount,
			Currency:   req.Currency,
			Receipt:    req.Receipt,
			Notes:      req.Notes,
		})
		return created{status: http.StatusCreated, body: resources.NewOrder(o)}, err
	})
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := s.queries.GetOrder(r.Context(), db.GetOrderParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Order")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resources.NewOrder(o))
	return nil
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	l, err := readList(r)
	if err != nil {
		return err
	}
	ctx, m := r.Context(), merchantFrom(r.Context())
	at, id, err := l.cursor("orders", func(id string) (time.Time, error) {
		o, err := s.queries.GetOrder(ctx, db.GetOrderParams{ID: id, MerchantID: m.ID})
		return o.CreatedAt, err
	})
	if err != nil {
		return err
	}
	p := db.ListOrdersParams{MerchantID: m.ID, CreatedGte: l.createdGTE, CreatedLt: l.createdLT,
		CursorCreatedAt: at, CursorID: id, RowLimit: l.fetch(), RowOffset: l.offset}
	var rows []db.Order
	if l.newer() {
		rows, err = s.queries.ListOrdersNewer(ctx, db.ListOrdersNewerParams(p))
	} else {
		rows, err = s.queries.ListOrders(ctx, p)
	}
	if err != nil {
		return err
	}
	rows, more := page(l, rows)
	sp := l.span()
	total, err := s.queries.CountOrders(ctx, db.CountOrdersParams{MerchantID: m.ID, Whole: sp.whole, FirstDay: sp.firstDay, EndDay: sp.endDay, HeadGte: sp.headGTE, HeadLt: sp.headLT, TailGte: sp.tailGTE, TailLt: sp.tailLT})
	if err != nil {
		return err
	}
	orders := make([]resources.Order, len(rows))
	for i, o := range rows {
		orders[i] = resources.NewOrder(o)
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(orders), "total": total, "orders": orders, "has_more": more})
	return nil
}

// getPublicOrder is what the hosted checkout shows before paying: no merchant id, no notes. The
// order id is enough; a publishable key, when given, must be the order's merchant's (another
// merchant's: 404, an unknown key: 401). A deactivated merchant's order is not found.
func (s *Server) getPublicOrder(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := s.queries.GetPublicOrder(ctx, mux.Vars(r)["id"])
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Order")
	}
	if err != nil {
		return err
	}
	if key := r.URL.Query().Get("key"); key != "" {
		m, err := s.merchantByKey(ctx, key)
		if err != nil {
			return err
		}
		if m.ID != o.MerchantID {
			return notFound("Order")
		}
	} else if _, err := s.activeMerchant(ctx, o.MerchantID, "Order"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": o.ID, "amount": o.Amount, "currency": o.Currency, "status": o.Status, "merchant_name": o.MerchantName,
	})
	return nil
}
