// Package bank simulates the acquiring bank that settles payments and refunds. It is the only
// simulated part of the gateway: it answers after a delay, approves or declines, and remembers
// every answer by the caller's idempotency key so a retried call never charges twice.
package bank

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
)

// Decline codes the bank answers with.
const (
	CardDeclined = "CARD_DECLINED"
	UPIFailed    = "UPI_FAILED"
	RefundFailed = "REFUND_FAILED"
)

// Test instruments that are declined in every mode, so failures are testable deterministically.
const (
	DeclinedCardBIN   = "400000"
	DeclinedCardLast4 = "0002" // with DeclinedCardBIN: 4000 0000 0000 0002
	FailingVPA        = "failure@upi"
)

// Charge asks the bank to move a payment's money. The card number is not here: only what the
// gateway keeps of it (first six and last four digits).
type Charge struct {
	IdempotencyKey string // the payment id
	Amount         int64
	Method         string // "upi" or "card"
	VPA            string
	CardBIN        string
	CardLast4      string
}

// Answer is the bank's decision.
type Answer struct {
	Approved      bool
	DeclineCode   string
	DeclineReason string
}

// Bank is the simulated bank. It keeps its ledger in the bank_operations table.
type Bank struct {
	queries *db.Queries
	cfg     config.BankConfig
}

// New returns a bank that records its answers through q.
func New(q *db.Queries, cfg config.BankConfig) *Bank {
	return &Bank{queries: q, cfg: cfg}
}

// Charge settles a payment. A repeat with the same idempotency key returns the first answer.
func (b *Bank) Charge(ctx context.Context, c Charge) (Answer, error) {
	if err := sleep(ctx, b.delay(5*time.Second, 10*time.Second)); err != nil {
		return Answer{}, err
	}
	return b.record(ctx, c.IdempotencyKey, "charge", c.Amount, b.decideCharge(c))
}

// Refund returns money of a settled payment. A repeat with the same idempotency key (the refund
// id) returns the first answer.
func (b *Bank) Refund(ctx context.Context, idempotencyKey string, amount int64) (Answer, error) {
	if err := sleep(ctx, b.delay(3*time.Second, 5*time.Second)); err != nil {
		return Answer{}, err
	}
	answer := Answer{Approved: true}
	if b.cfg.TestMode && !b.cfg.PaymentSuccess {
		answer = Answer{DeclineCode: RefundFailed, DeclineReason: "Refund rejected by the bank"}
	}
	return b.record(ctx, idempotencyKey, "refund", amount, answer)
}

func (b *Bank) decideCharge(c Charge) Answer {
	upiFailed := Answer{DeclineCode: UPIFailed, DeclineReason: "UPI payment failed"}
	cardDeclined := Answer{DeclineCode: CardDeclined, DeclineReason: "Card declined by the issuing bank"}
	switch {
	case c.Method == "upi" && c.VPA == FailingVPA:
		return upiFailed
	case c.Method == "card" && c.CardBIN == DeclinedCardBIN && c.CardLast4 == DeclinedCardLast4:
		return cardDeclined
	}
	approve := b.cfg.PaymentSuccess
	if !b.cfg.TestMode {
		rate := 0.90
		if c.Method == "card" {
			rate = 0.95
		}
		approve = rand.Float64() < rate
	}
	switch {
	case approve:
		return Answer{Approved: true}
	case c.Method == "upi":
		return upiFailed
	default:
		return cardDeclined
	}
}

func (b *Bank) record(ctx context.Context, key, kind string, amount int64, a Answer) (Answer, error) {
	op, err := b.queries.RecordBankOperation(ctx, db.RecordBankOperationParams{
		IdempotencyKey: key,
		Kind:           kind,
		Amount:         amount,
		Approved:       a.Approved,
		DeclineCode:    nonEmpty(a.DeclineCode),
		DeclineReason:  nonEmpty(a.DeclineReason),
	})
	if err != nil {
		return Answer{}, fmt.Errorf("bank %s %s: %w", kind, key, err)
	}
	// The ledger's first answer wins over the one just decided.
	return Answer{Approved: op.Approved, DeclineCode: deref(op.DeclineCode), DeclineReason: deref(op.DeclineReason)}, nil
}

// delay is TEST_PROCESSING_DELAY in test mode, otherwise a random time in [min, max).
func (b *Bank) delay(min, max time.Duration) time.Duration {
	if b.cfg.TestMode {
		return b.cfg.ProcessingDelay
	}
	return min + rand.N(max-min)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
