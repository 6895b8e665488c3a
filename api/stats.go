package api

import (
	"math"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/paygate/paygate/db"
)

type dayVolume struct {
	Date   string         `json:"date"`
	Count  int64          `json:"count"`
	Amount pgtype.Numeric `json:"amount"` // a sum: numeric, so it cannot overflow
}

// stats are the dashboard's figures for one currency (?currency=, INR by default), read from
// the running totals of the merchant's payments and refunds (migration 00007), so they cost the
// same however many payments there are: the success rate counts finished payments only.
func (s *Server) stats(w http.ResponseWriter, r *http.Request) error {
	m := merchantFrom(r.Context())
	currency := r.URL.Query().Get("currency")
	if currency == "" {
		currency = "INR"
	}
	if !currencies[currency] {
		return badRequest("currency must be one of INR, USD, EUR, GBP")
	}
	st, err := s.queries.PaymentStats(r.Context(), db.PaymentStatsParams{MerchantID: m.ID, Currency: currency})
	if err != nil {
		return err
	}
	refunded, err := s.queries.RefundedAmount(r.Context(), db.RefundedAmountParams{MerchantID: m.ID, Currency: currency})
	if err != nil {
		return err
	}
	since := s.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -29)
	days, err := s.queries.DailyVolume(r.Context(), db.DailyVolumeParams{MerchantID: m.ID, Currency: currency, Since: since})
	if err != nil {
		return err
	}
	volume := make([]dayVolume, len(days))
	for i, d := range days {
		volume[i] = dayVolume{Date: d.Day.Format(time.DateOnly), Count: d.Payments, Amount: d.Amount}
	}
	rate := 0.0
	if st.FinishedTransactions > 0 {
		rate = math.Round(float64(st.SuccessfulTransactions)/float64(st.FinishedTransactions)*1000) / 10
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"total_transactions":      st.TotalTransactions,
		"successful_transactions": st.SuccessfulTransactions,
		"total_amount":            st.TotalAmount,
		"success_rate":            rate,
		"refunded_amount":         refunded,
		"currency":                currency,
		"volume_by_day":           volume,
	})
	return nil
}
