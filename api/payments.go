package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/ids"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
	"github.com/paygate/paygate/validation"
	"github.com/paygate/paygate/workflows"
)

// createPaymentRequest is the body of POST /payments and of POST /payments/public, where Key (the
// publishable key) is optional.
type createPaymentRequest struct {
	Key     string     `json:"key"`
	OrderID string     `json:"order_id"`
	Method  string     `json:"method"`
	VPA     string     `json:"vpa"`
	Card    *cardInput `json:"card"`
	// Capture overrides the order's capture mode (manual or automatic) for this payment.
	Capture string `json:"capture"`
}

// cardInput holds the card as the customer typed it. The number and CVV live only in this
// request's memory: never stored, logged or returned.
type cardInput struct {
	Number      string     `json:"number"`
	ExpiryMonth flexString `json:"expiry_month"`
	ExpiryYear  flexString `json:"expiry_year"`
	CVV         string     `json:"cvv"`
	HolderName  string     `json:"holder_name"`
}

// instrument is what the gateway keeps of a validated payment method.
type instrument struct {
	method                      string
	vpa                         *string
	network, cardBIN, cardLast4 *string
	capture                     *string // nil: the order's
}

func (req *createPaymentRequest) instrument(now time.Time) (instrument, error) {
	if req.OrderID == "" {
		return instrument{}, badRequest("order_id is required")
	}
	switch req.Method {
	case "upi":
		if err := validation.VPA(req.VPA); err != nil {
			return instrument{}, &Error{http.StatusBadRequest, CodeInvalidVPA, "vpa is not a valid UPI address"}
		}
		vpa := req.VPA
		return instrument{method: "upi", vpa: &vpa}, nil
	case "card":
		if req.Card == nil {
			return instrument{}, badRequest("card is required for method card")
		}
		digits, err := validation.CardNumber(req.Card.Number)
		if err != nil {
			return instrument{}, &Error{http.StatusBadRequest, CodeInvalidCard, "card number is invalid"}
		}
		network := validation.Network(digits)
		switch err := validation.Expiry(string(req.Card.ExpiryMonth), string(req.Card.ExpiryYear), now); {
		case errors.Is(err, validation.ErrExpiredCard):
			return instrument{}, &Error{http.StatusBadRequest, CodeExpiredCard, "card has expired"}
		case err != nil:
			return instrument{}, &Error{http.StatusBadRequest, CodeInvalidCard, "card expiry is invalid"}
		}
		if validation.CVV(req.Card.CVV, network) != nil {
			return instrument{}, &Error{http.StatusBadRequest, CodeInvalidCard, "card CVV is invalid"}
		}
		if name := strings.TrimSpace(req.Card.HolderName); name == "" || len(name) > 100 {
			return instrument{}, badRequest("card holder_name is required (at most 100 characters)")
		}
		bin, last4 := digits[:6], digits[len(digits)-4:]
		return instrument{method: "card", network: &network, cardBIN: &bin, cardLast4: &last4}, nil
	default:
		return instrument{}, badRequest("method must be upi or card")
	}
}

func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) error {
	return s.createPaymentFor(w, r, func(context.Context, *createPaymentRequest) (db.Merchant, error) {
		return merchantFrom(r.Context()), nil
	})
}

// createPublicPayment is the hosted checkout's way to pay: the order id, and optionally the
// publishable key (the merchant's API key), are all it has. Besides the per-address limit of its
// route, the merchant's publishable key has a budget of its own (PUBLIC_KEY_RATE_LIMIT), shared by
// every address, whether or not the request named the key.
func (s *Server) createPublicPayment(w http.ResponseWriter, r *http.Request) error {
	return s.createPaymentFor(w, withPublicScope(r), func(ctx context.Context, req *createPaymentRequest) (db.Merchant, error) {
		m, err := s.checkoutMerchant(ctx, req.Key, req.OrderID)
		if err != nil {
			return m, err
		}
		if s.abuse.publicPaymentsByKey != nil {
			if ok, wait := s.abuse.publicPaymentsByKey.Allow(m.APIKey, s.now()); !ok {
				return m, tooManyRequests(w, wait, "Too many payments with this key; slow down and retry after the time in Retry-After")
			}
		}
		return m, nil
	})
}

// checkoutMerchant is the merchant a public payment is for. With a publishable key it is the
// key's merchant, and CreatePayment refuses an order of another merchant (404, as Stripe and
// Razorpay answer for an object of another account); without one the order names its merchant.
func (s *Server) checkoutMerchant(ctx context.Context, key, orderID string) (db.Merchant, error) {
	if key != "" {
		return s.merchantByKey(ctx, key)
	}
	if orderID == "" {
		return db.Merchant{}, badRequest("order_id is required")
	}
	o, err := s.queries.GetPublicOrder(ctx, orderID)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Merchant{}, notFound("Order")
	}
	if err != nil {
		return db.Merchant{}, err
	}
	return s.activeMerchant(ctx, o.MerchantID, "Order")
}

// merchantByKey is the active merchant whose publishable key (API key) this is; unknown: 401.
func (s *Server) merchantByKey(ctx context.Context, key string) (db.Merchant, error) {
	m, err := s.queries.GetMerchantByAPIKey(ctx, key)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Merchant{}, &Error{http.StatusUnauthorized, CodeAuthentication, "Unknown key"}
	}
	return m, err
}

// activeMerchant is the merchant that owns a public object named without a key. A deactivated
// merchant's objects are not found, as they are through its key.
func (s *Server) activeMerchant(ctx context.Context, id uuid.UUID, what string) (db.Merchant, error) {
	m, err := s.queries.GetMerchant(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !m.IsActive) {
		return db.Merchant{}, notFound(what)
	}
	return m, err
}

func (s *Server) createPaymentFor(w http.ResponseWriter, r *http.Request, merchantOf func(context.Context, *createPaymentRequest) (db.Merchant, error)) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req createPaymentRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	m, err := merchantOf(r.Context(), &req)
	if err != nil {
		return err
	}
	inst, err := req.instrument(s.now())
	if err != nil {
		return err
	}
	if req.Capture != "" {
		if _, err := captureMode(req.Capture); err != nil {
			return err
		}
		inst.capture = &req.Capture
	}
	r = r.WithContext(context.WithValue(r.Context(), merchantKey{}, m))
	err = s.createStatement(w, r, body, func(ctx context.Context, q *db.Queries) (created, error) {
		p, events, err := s.insertPayment(ctx, q, m, req.OrderID, inst)
		if err != nil {
			return created{}, err
		}
		return created{status: http.StatusCreated, body: resources.NewPayment(p), after: func(ctx context.Context) {
			s.startPayment(ctx, p, events)
		}}, nil
	})
	var refused *tooManyAttempts
	if errors.As(err, &refused) {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(refused.retryAfter.Seconds()))))
	}
	return err
}

// tooManyAttempts is an order's refusal of new payments after too many failed ones, until
// retryAfter has passed.
type tooManyAttempts struct {
	refusal    *Error
	retryAfter time.Duration
}

func (e *tooManyAttempts) Error() string { return e.refusal.Error() }
func (e *tooManyAttempts) Unwrap() error { return e.refusal }

// startPayment starts a committed payment's workflow. If it cannot be started now, the pending
// sweep starts it within a minute, so the client still gets its payment.
func (s *Server) startPayment(ctx context.Context, p db.Payment, events []string) {
	in := workflows.PaymentInput{
		PaymentID: p.ID, MerchantID: p.MerchantID.String(), OrderID: p.OrderID,
		Amount: p.Amount, Currency: p.Currency, Method: p.Method, Webhooks: workflows.Deliveries{Events: events},
	}
	if p.CaptureExpiresAt != nil {
		in.Capture, in.CaptureExpiresAt = p.Capture, *p.CaptureExpiresAt
	}
	err := s.starter.StartPayment(ctx, in)
	if err != nil {
		s.log.WarnContext(ctx, "payment workflow not started; the sweep will start it", "payment_id", p.ID, "error", err.Error())
	}
}

// insertPayment records a pending payment for the order, with its payment.created and
// payment.pending events and their deliveries to the merchant's matching endpoints, in one
// statement; it returns the payment and the deliveries' ids, in event order. The order must be the merchant's and unpaid; the unique index
// payments_one_live_per_order refuses a second payment while one is pending or succeeded, so
// concurrent attempts can never pay an order twice. An order with ORDER_FAILED_PAYMENT_LIMIT
// failed payments in the last ORDER_FAILED_PAYMENT_WINDOW takes none (tooManyAttempts): card
// testing on one order ends there, whichever replica or credential it comes through.
func (s *Server) insertPayment(ctx context.Context, q *db.Queries, m db.Merchant, orderID string, inst instrument) (db.Payment, []string, error) {
	now := s.now()
	limits := s.cfg.Limits
	p := db.Payment{
		ID: ids.New(ids.Payment), OrderID: orderID, MerchantID: m.ID, Method: inst.method, Status: "pending",
		Vpa: inst.vpa, CardNetwork: inst.network, CardBin: inst.cardBIN, CardLast4: inst.cardLast4,
		// Microseconds, as PostgreSQL keeps them, so the events show what the row holds.
		CreatedAt: now.UTC().Truncate(time.Microsecond),
	}
	p.UpdatedAt = p.CreatedAt
	// Events are recorded whether or not the merchant has an endpoint; each matching endpoint
	// gets a delivery of them in the same statement.
	payloads, events, err := outbox.RenderPaymentEvents(p, now, outbox.PaymentCreationEvents...)
	if err != nil {
		return db.Payment{}, nil, err
	}
	row, err := q.CreatePayment(ctx, db.CreatePaymentParams{
		ID: p.ID, OrderID: orderID, MerchantID: m.ID, Method: p.Method,
		Vpa: p.Vpa, CardNetwork: p.CardNetwork, CardBin: p.CardBin, CardLast4: p.CardLast4,
		CreatedAt: p.CreatedAt, Events: payloads,
		Capture: inst.capture, CaptureExpiresAt: p.CreatedAt.Add(s.captureWindow()),
		MaxFailed: int64(limits.OrderFailedPayments), FailedSince: now.Add(-limits.OrderFailedWindow),
	})
	p, deliveries := paymentOf(row), outbox.InEventOrder(row.Deliveries, events)
	switch {
	case uniqueViolation(err, "payments_one_live_per_order"):
		return db.Payment{}, nil, badRequest("Order already has a payment in progress or paid")
	case errors.Is(err, pgx.ErrNoRows):
		// Not the merchant's order, paid, or refusing payments: say which.
		o, err := q.GetOrder(ctx, db.GetOrderParams{ID: orderID, MerchantID: m.ID})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return db.Payment{}, nil, notFound("Order")
		case err != nil:
			return db.Payment{}, nil, err
		case o.Status == "paid":
			return db.Payment{}, nil, badRequest("Order is already paid")
		}
		// It takes payments again once its limit-th most recent failure leaves the window (had
		// that one just left it, a retry in a second succeeds).
		retryAfter := time.Second
		nth, err := q.NthRecentFailedPayment(ctx, db.NthRecentFailedPaymentParams{
			OrderID: orderID, FailedSince: now.Add(-limits.OrderFailedWindow), N: int64(max(limits.OrderFailedPayments, 1)),
		})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return db.Payment{}, nil, err
		}
		if err == nil {
			retryAfter = max(nth.Add(limits.OrderFailedWindow).Sub(now), time.Second)
		}
		return db.Payment{}, nil, &tooManyAttempts{&Error{http.StatusTooManyRequests, CodeTooManyAttempts,
			"This order has had too many failed payments; it takes no new payment until the time in Retry-After"}, retryAfter}
	}
	return p, deliveries, err
}

// paymentOf is the payment CreatePayment returned with its deliveries.
func paymentOf(r db.CreatePaymentRow) db.Payment {
	return db.Payment{
		ID: r.ID, OrderID: r.OrderID, MerchantID: r.MerchantID, Amount: r.Amount, Currency: r.Currency, Method: r.Method,
		Status: r.Status, Vpa: r.Vpa, CardNetwork: r.CardNetwork, CardBin: r.CardBin, CardLast4: r.CardLast4,
		ErrorCode: r.ErrorCode, ErrorDescription: r.ErrorDescription, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Captured: r.Captured, CapturedAt: r.CapturedAt, AmountRefunded: r.AmountRefunded,
		Capture: r.Capture, CaptureExpiresAt: r.CaptureExpiresAt, AmountCaptured: r.AmountCaptured,
		VoidedAt: r.VoidedAt, VoidReason: r.VoidReason,
	}
}

func (s *Server) getPayment(w http.ResponseWriter, r *http.Request) error {
	p, err := s.queries.GetPayment(r.Context(), db.GetPaymentParams{ID: mux.Vars(r)["id"], MerchantID: merchantFrom(r.Context()).ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Payment")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resources.NewPayment(p))
	return nil
}

func (s *Server) listPayments(w http.ResponseWriter, r *http.Request) error {
	l, err := readList(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ctx, m := r.Context(), merchantFrom(r.Context())
	filter := db.CountPaymentsParams{MerchantID: m.ID}
	var captureState *string
	if filter.Status, err = enumParam(q.Get("status"), "status", "pending", "success", "failed", "refunded", "voided"); err != nil {
		return err
	}
	if filter.Method, err = enumParam(q.Get("method"), "method", "upi", "card"); err != nil {
		return err
	}
	// authorized (successful, uncaptured), captured or voided.
	if captureState, err = enumParam(q.Get("capture_state"), "capture_state", "authorized", "captured", "voided"); err != nil {
		return err
	}
	from, err := dateParam(q.Get("from"), "from", 0)
	if err != nil {
		return err
	}
	to, err := dateParam(q.Get("to"), "to", 24*time.Hour)
	if err != nil {
		return err
	}
	if from != nil {
		l.narrow(*from, farFuture)
	}
	if to != nil {
		l.narrow(farPast, *to)
	}
	at, id, err := l.cursor("payments", func(id string) (time.Time, error) {
		p, err := s.queries.GetPayment(ctx, db.GetPaymentParams{ID: id, MerchantID: m.ID})
		return p.CreatedAt, err
	})
	if err != nil {
		return err
	}
	p := db.ListPaymentsParams{MerchantID: m.ID, Status: filter.Status, Method: filter.Method, CaptureState: captureState,
		CreatedGte: l.createdGTE, CreatedLt: l.createdLT, CursorCreatedAt: at, CursorID: id, RowLimit: l.fetch(), RowOffset: l.offset}
	var rows []db.Payment
	if l.newer() {
		rows, err = s.queries.ListPaymentsNewer(ctx, db.ListPaymentsNewerParams(p))
	} else {
		rows, err = s.queries.ListPayments(ctx, p)
	}
	if err != nil {
		return err
	}
	rows, more := page(l, rows)
	var total int64
	if captureState != nil {
		total, err = s.queries.CountPaymentsByCaptureState(ctx, db.CountPaymentsByCaptureStateParams{
			MerchantID: m.ID, Status: filter.Status, Method: filter.Method, CaptureState: captureState,
			CreatedGte: l.createdGTE, CreatedLt: l.createdLT,
		})
	} else {
		sp := l.span()
		filter.Whole, filter.FirstDay, filter.EndDay = sp.whole, sp.firstDay, sp.endDay
		filter.HeadGte, filter.HeadLt, filter.TailGte, filter.TailLt = sp.headGTE, sp.headLT, sp.tailGTE, sp.tailLT
		total, err = s.queries.CountPayments(ctx, filter)
	}
	if err != nil {
		return err
	}
	payments := make([]resources.Payment, len(rows))
	for i, p := range rows {
		payments[i] = resources.NewPayment(p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(payments), "total": total, "payments": payments, "has_more": more})
	return nil
}

// captureWindow is how long a successful payment stays authorized before its workflow voids it.
func (s *Server) captureWindow() time.Duration {
	if s.cfg.CaptureWindow > 0 {
		return s.cfg.CaptureWindow
	}
	return config.DefaultCaptureWindow
}

// enumParam reads an optional filter that must be one of values.
func enumParam(v, name string, values ...string) (*string, error) {
	if v == "" {
		return nil, nil
	}
	if !slices.Contains(values, v) {
		return nil, badRequest("%s must be one of %s", name, strings.Join(values, ", "))
	}
	return &v, nil
}

// dateParam parses a YYYY-MM-DD filter as midnight UTC plus shift (a day, for an inclusive "to").
func dateParam(v, name string, shift time.Duration) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, badRequest("%s must be a date as YYYY-MM-DD", name)
	}
	t = t.Add(shift)
	return &t, nil
}

// getPublicPayment lets the hosted checkout poll a payment it made. The payment id (16 random
// alphanumerics, known to whoever made the payment and to the merchant) is what grants the view;
// the publishable key is optional, as it is public anyway (in the merchant's pages and checkout
// links), and when given it must be the payment's merchant's (another merchant's: 404). The view
// holds no card or customer detail. A successful payment carries signature = hex
// HMAC-SHA256("order_id|payment_id") keyed with the merchant's webhook secret, which the
// merchant's server can verify; it proves only that this payment of this order succeeded.
func (s *Server) getPublicPayment(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), mux.Vars(r)["id"]
	var (
		m   db.Merchant
		p   db.Payment
		err error
	)
	if key := r.URL.Query().Get("key"); key != "" {
		if m, err = s.merchantByKey(ctx, key); err != nil {
			return err
		}
		p, err = s.queries.GetPayment(ctx, db.GetPaymentParams{ID: id, MerchantID: m.ID})
	} else if p, err = s.queries.GetPaymentByID(ctx, id); err == nil {
		m, err = s.activeMerchant(ctx, p.MerchantID, "Payment")
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("Payment")
	}
	if err != nil {
		return err
	}
	view := map[string]any{
		"id": p.ID, "order_id": p.OrderID, "amount": p.Amount, "currency": p.Currency, "method": p.Method,
		"status": p.Status, "error_code": p.ErrorCode, "error_description": p.ErrorDescription,
	}
	if p.Status == "success" {
		view["signature"] = CheckoutSignature(m.WebhookSecret, p.OrderID, p.ID)
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

// CheckoutSignature is the signature checkout.js hands the merchant's page on success:
// hex HMAC-SHA256 of "order_id|payment_id" keyed with the webhook secret.
func CheckoutSignature(secret, orderID, paymentID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(orderID + "|" + paymentID))
	return hex.EncodeToString(mac.Sum(nil))
}
