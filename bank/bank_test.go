package bank

// These tests are in package bank to reach decideCharge and delay. That rules out
// gatewaytest.Main (gatewaytest imports the worker, which imports this package: an import
// cycle), so TestMain runs a PostgreSQL of its own with pgtest and the gateway's migrations.

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/pglocal/pgtest"
)

var pg = pgtest.New(func(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	return db.Migrate(ctx, pool)
})

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

var (
	approved     = Answer{Approved: true}
	upiFailed    = Answer{DeclineCode: "UPI_FAILED", DeclineReason: "UPI payment failed"}
	cardDeclined = Answer{DeclineCode: "CARD_DECLINED", DeclineReason: "Card declined by the issuing bank"}

	testMode      = config.BankConfig{TestMode: true, PaymentSuccess: true}
	testModeNo    = config.BankConfig{TestMode: true, PaymentSuccess: false}
	liveMode      = config.BankConfig{TestMode: false}
	upi           = Charge{Method: "upi", VPA: "user@paytm"}
	failingVPA    = Charge{Method: "upi", VPA: "failure@upi"}
	visa          = Charge{Method: "card", CardBIN: "411111", CardLast4: "1111"}
	declinedCard  = Charge{Method: "card", CardBIN: "400000", CardLast4: "0002"}
	sameBINOnly   = Charge{Method: "card", CardBIN: "400000", CardLast4: "0010"} // 4000 0000 0000 0010
	sameLast4Only = Charge{Method: "card", CardBIN: "411111", CardLast4: "0002"}
)

func TestDecideCharge(t *testing.T) {
	cases := []struct {
		name   string
		cfg    config.BankConfig
		charge Charge
		want   Answer
	}{
		{"UPI in test mode", testMode, upi, approved},
		{"card in test mode", testMode, visa, approved},
		{"failing VPA", testMode, failingVPA, upiFailed},
		{"declined card", testMode, declinedCard, cardDeclined},
		{"declined card's BIN with another last4", testMode, sameBINOnly, approved},
		{"declined card's last4 with another BIN", testMode, sameLast4Only, approved},
		{"the failing VPA is a UPI id, not a card field", testMode, Charge{Method: "card", VPA: "failure@upi", CardBIN: "411111", CardLast4: "1111"}, approved},
		{"TEST_PAYMENT_SUCCESS=false declines UPI", testModeNo, upi, upiFailed},
		{"TEST_PAYMENT_SUCCESS=false declines cards", testModeNo, visa, cardDeclined},
		{"TEST_PAYMENT_SUCCESS=false, failing VPA", testModeNo, failingVPA, upiFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := New(nil, c.cfg)
			// Test mode is deterministic: the same answer every time.
			for range 50 {
				if got := b.decideCharge(c.charge); got != c.want {
					t.Fatalf("decideCharge(%+v) with %+v = %+v, want %+v", c.charge, c.cfg, got, c.want)
				}
			}
		})
	}
}

// The test instruments fail outside test mode too, every time, so failures stay testable
// against a gateway that draws its answers at random.
func TestTestInstrumentsAlwaysFail(t *testing.T) {
	b := New(nil, liveMode)
	for range 2000 {
		if got := b.decideCharge(failingVPA); got != upiFailed {
			t.Fatalf("failing VPA outside test mode = %+v, want %+v", got, upiFailed)
		}
		if got := b.decideCharge(declinedCard); got != cardDeclined {
			t.Fatalf("declined card outside test mode = %+v, want %+v", got, cardDeclined)
		}
	}
}

// Outside test mode the bank approves about 90% of UPI payments and 95% of card payments, and
// TEST_PAYMENT_SUCCESS does not matter. With 20 000 draws the standard deviation of the rate is
// at most 0.0021, so a 0.015 tolerance is 7 of them: it does not flake, yet catches a rate off
// by 2 points or swapped between methods.
func TestApprovalRatesOutsideTestMode(t *testing.T) {
	const draws = 20000
	cases := []struct {
		name    string
		cfg     config.BankConfig
		charge  Charge
		rate    float64
		decline Answer
	}{
		{"UPI", liveMode, upi, 0.90, upiFailed},
		{"card", liveMode, visa, 0.95, cardDeclined},
		{"UPI ignores TEST_PAYMENT_SUCCESS=false", config.BankConfig{PaymentSuccess: false}, upi, 0.90, upiFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := New(nil, c.cfg)
			ok := 0
			for range draws {
				switch got := b.decideCharge(c.charge); got {
				case approved:
					ok++
				case c.decline:
				default:
					t.Fatalf("decideCharge(%+v) = %+v, want approval or %+v", c.charge, got, c.decline)
				}
			}
			if rate := float64(ok) / draws; rate < c.rate-0.015 || rate > c.rate+0.015 {
				t.Errorf("approval rate = %.4f over %d draws, want %.2f ± 0.015", rate, draws, c.rate)
			}
		})
	}
}

func TestDelay(t *testing.T) {
	b := New(nil, config.BankConfig{TestMode: true, ProcessingDelay: 250 * time.Millisecond})
	if d := b.delay(5*time.Second, 10*time.Second); d != 250*time.Millisecond {
		t.Errorf("test mode delay = %v, want TEST_PROCESSING_DELAY 250ms", d)
	}
	b = New(nil, liveMode)
	for range 1000 {
		if d := b.delay(5*time.Second, 10*time.Second); d < 5*time.Second || d >= 10*time.Second {
			t.Fatalf("live delay = %v, want [5s, 10s)", d)
		}
	}
}

// A retried charge (same idempotency key) gets the bank's first answer, even when the bank would
// decide differently now, and is counted, not recorded again: the simulated bank never charges
// twice.
func TestChargeIsIdempotent(t *testing.T) {
	ctx := t.Context()
	pool, err := pgxpool.New(ctx, pg.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	queries := db.New(pool)

	cases := []struct {
		name          string
		key           string
		first, second Charge
		firstCfg      config.BankConfig
		secondCfg     config.BankConfig
		want          Answer
	}{
		{"a decline is not turned into an approval", "pay_idemDeclined0001",
			withAmount(declinedCard, 5000), withAmount(visa, 7000), testMode, testMode, cardDeclined},
		{"an approval is not turned into a decline", "pay_idemApproved0001",
			withAmount(upi, 5000), withAmount(upi, 7000), testMode, testModeNo, approved},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.first.IdempotencyKey, c.second.IdempotencyKey = c.key, c.key
			first, err := New(queries, c.firstCfg).Charge(ctx, c.first)
			if err != nil {
				t.Fatal(err)
			}
			if first != c.want {
				t.Fatalf("first answer = %+v, want %+v", first, c.want)
			}
			second, err := New(queries, c.secondCfg).Charge(ctx, c.second)
			if err != nil {
				t.Fatal(err)
			}
			if second != first {
				t.Errorf("second answer = %+v, want the first %+v", second, first)
			}

			var rows, calls int
			var amount int64
			var kind string
			err = pool.QueryRow(ctx, `SELECT count(*) OVER (), calls, amount, kind FROM bank_operations
				WHERE idempotency_key = $1`, c.key).Scan(&rows, &calls, &amount, &kind)
			if err != nil {
				t.Fatal(err)
			}
			if rows != 1 || calls != 2 || amount != c.first.Amount || kind != "charge" {
				t.Errorf("ledger: %d rows, calls %d, amount %d, kind %q; want 1 row, 2 calls, the first amount %d, charge",
					rows, calls, amount, kind, c.first.Amount)
			}
		})
	}
	var total int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bank_operations`).Scan(&total); err != nil || total != len(cases) {
		t.Errorf("bank_operations has %d rows (%v), want one per key: %d", total, err, len(cases))
	}
}

func withAmount(c Charge, amount int64) Charge {
	c.Amount = amount
	return c
}
