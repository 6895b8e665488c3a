package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The seeded population: Merchants merchants, the first (the big one) holding BigShare of the
// payments and the others a Pareto-like share each (merchant i of the rest weighs 1/i^0.7), so
// that a few hundred merchants are busy and most are small, as in a real gateway.
const (
	Merchants = 1000
	BigShare  = 0.2
	// SmallRank is the merchant measured as "small": the 500th of the 999 others, near the median.
	SmallRank = 500
	// Year is the span the seeded created_at values cover, ending at least an hour ago so that
	// the payments made by the measuring runs are the newest.
	Year = 365 * 24 * time.Hour
)

// Distribution shares (of all seeded payments).
const (
	shareFailed   = 0.10 // declined by the bank
	shareRefunded = 0.10 // have a refund; drawn among the successful ones
	shareFull     = 0.60 // of the refunds: the whole amount (the payment's status becomes refunded)
	shareRefFail  = 0.03 // of the refunds: failed at the bank
	shareUPI      = 0.65 // the rest pay by card
	shareUSD      = 0.05 // the rest are INR
)

// SmallCredentials are the small measured merchant's API key and secret (the big one is the test
// merchant of `gateway dev`).
func SmallCredentials() (key, secret string) { return merchantKey(SmallRank) }

func merchantKey(rank int) (key, secret string) {
	return fmt.Sprintf("key_growth_%03d", rank), fmt.Sprintf("secret_growth_%03d", rank)
}

// merchantID is the id of seeded merchant rank (1..Merchants-1); rank 0 is the big merchant,
// whose id the caller gives.
func merchantID(rank int) uuid.UUID {
	var u uuid.UUID
	copy(u[:], "growthmerchant")
	binary.BigEndian.PutUint16(u[14:], uint16(rank))
	u[6] = (u[6] & 0x0f) | 0x40 // version 4 layout, so that it looks like any other id
	u[8] = (u[8] & 0x3f) | 0x80
	return u
}

// Population is the merchants the seeder spreads payments over, with their cumulative weights.
type Population struct {
	IDs []uuid.UUID
	cum []float64
}

// NewPopulation gives the merchants' ids (big first) and cumulative weights.
func NewPopulation(big uuid.UUID) *Population {
	p := &Population{IDs: make([]uuid.UUID, Merchants), cum: make([]float64, Merchants)}
	p.IDs[0] = big
	var rest float64
	for i := 1; i < Merchants; i++ {
		p.IDs[i] = merchantID(i)
		rest += 1 / math.Pow(float64(i), 0.7)
	}
	p.cum[0] = BigShare
	for i := 1; i < Merchants; i++ {
		p.cum[i] = p.cum[i-1] + (1-BigShare)*(1/math.Pow(float64(i), 0.7))/rest
	}
	p.cum[Merchants-1] = 1
	return p
}

// pick draws a merchant index by weight.
func (p *Population) pick(r *rand.Rand) int {
	u := r.Float64()
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if p.cum[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// EnsureMerchants inserts the seeded merchants (ranks 1..Merchants-1) if they are missing; the
// big merchant must exist already (gateway dev seeds the test merchant) unless createBig is set.
func EnsureMerchants(ctx context.Context, pool *pgxpool.Pool, big uuid.UUID, createBig bool) error {
	from := 1
	if createBig {
		from = 0
	}
	b := &pgx.Batch{}
	for i := from; i < Merchants; i++ {
		id := merchantID(i)
		if i == 0 {
			id = big
		}
		key, secret := merchantKey(i)
		sum := sha256.Sum256([]byte(secret))
		b.Queue(`INSERT INTO merchants (id, name, email, password_hash, api_key, api_secret_hash, webhook_url, webhook_secret, created_at)
			VALUES ($1, $2, $3, '!seeded: no password', $4, $5, $6, $7, now() - interval '400 days') ON CONFLICT DO NOTHING`,
			id, fmt.Sprintf("Growth Merchant %03d", i), fmt.Sprintf("growth%03d@merchants.example", i), key, sum[:],
			fmt.Sprintf("https://merchant%03d.example/webhooks", i), fmt.Sprintf("whsec_growth_%03d", i))
	}
	return pool.SendBatch(ctx, b).Close()
}

// Seeder adds payments (with their orders, refunds and webhook logs) to the gateway's database.
type Seeder struct {
	Pop *Population
	// Now is the end of the seeded year (created_at ≤ Now - 1 h).
	Now time.Time
	// Seed makes the draws reproducible; each chunk uses Seed and its own number.
	Seed uint64
	// Workers is the number of concurrent COPY connections.
	Workers int
	// Chunk is the payments per COPY transaction.
	Chunk int
	// Progress, if set, is called with the running totals after each chunk (one call at a time).
	Progress func(Counts)
}

// Counts says what one Add inserted.
type Counts struct {
	Orders, Payments, Refunds, WebhookLogs int64
}

func (c *Counts) add(o Counts) {
	c.Orders += o.Orders
	c.Payments += o.Payments
	c.Refunds += o.Refunds
	c.WebhookLogs += o.WebhookLogs
}

// Add inserts n payments in chunks numbered from firstChunk (so that successive calls draw
// different ids and rows), by COPY with triggers and foreign-key checks off
// (session_replication_role = replica): the caller recounts whatever triggers would maintain.
func (s *Seeder) Add(ctx context.Context, pool *pgxpool.Pool, n int, firstChunk int) (Counts, error) {
	chunks := make(chan [2]int)
	go func() {
		defer close(chunks)
		for i, done := firstChunk, 0; done < n; i++ {
			size := min(s.Chunk, n-done)
			select {
			case chunks <- [2]int{i, size}:
			case <-ctx.Done():
				return
			}
			done += size
		}
	}()
	var (
		mu    sync.Mutex
		total Counts
		first error
		wg    sync.WaitGroup
	)
	for range max(1, s.Workers) {
		wg.Go(func() {
			err := func() error {
				conn, err := pool.Acquire(ctx)
				if err != nil {
					return err
				}
				defer conn.Release()
				for c := range chunks {
					got, err := s.copyChunk(ctx, conn.Conn(), c[0], c[1])
					if err != nil {
						return err
					}
					mu.Lock()
					total.add(got)
					if s.Progress != nil {
						s.Progress(total)
					}
					mu.Unlock()
				}
				return nil
			}()
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				for range chunks { // drain so the producer ends
				}
			}
		})
	}
	wg.Wait()
	return total, first
}

// rows of one chunk, per table, in COPY column order.
type chunkRows struct {
	orders, payments, refunds, logs [][]any
}

var (
	orderCols   = []string{"id", "merchant_id", "amount", "currency", "receipt", "notes", "status", "created_at", "updated_at"}
	paymentCols = []string{"id", "order_id", "merchant_id", "amount", "currency", "method", "status", "vpa", "card_network", "card_bin", "card_last4",
		"error_code", "error_description", "created_at", "updated_at", "captured", "captured_at", "amount_refunded", "amount_captured"}
	refundCols = []string{"id", "payment_id", "order_id", "merchant_id", "amount", "currency", "reason", "status", "error_code", "error_description",
		"processed_at", "created_at", "updated_at"}
	logCols = []string{"id", "merchant_id", "event", "payment_id", "refund_id", "payload", "status", "attempts", "last_attempt_at",
		"response_code", "created_at", "updated_at"}
)

func (s *Seeder) copyChunk(ctx context.Context, conn *pgx.Conn, chunk, n int) (Counts, error) {
	rows := s.Generate(chunk, n)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return Counts{}, err
	}
	defer tx.Rollback(ctx)
	for _, set := range []string{"SET LOCAL session_replication_role = replica", "SET LOCAL synchronous_commit = off"} {
		if _, err := tx.Exec(ctx, set); err != nil {
			return Counts{}, err
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"orders", orderCols, rows.orders}, {"payments", paymentCols, rows.payments}, {"refunds", refundCols, rows.refunds}, {"webhook_logs", logCols, rows.logs}} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return Counts{}, fmt.Errorf("copy %s: %w", t.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return Counts{}, err
	}
	return Counts{Orders: int64(len(rows.orders)), Payments: int64(len(rows.payments)), Refunds: int64(len(rows.refunds)), WebhookLogs: int64(len(rows.logs))}, nil
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID is ids.New's format (prefix_ and 16 alphanumerics) from the seeded generator.
func newID(r *rand.Rand, prefix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + 17)
	b.WriteString(prefix)
	b.WriteByte('_')
	for range 16 {
		b.WriteByte(alnum[r.IntN(62)])
	}
	return b.String()
}

// hourWeights is the share of a day's payments in each UTC hour (Indian daytime, UTC+5:30, busiest).
var hourWeights = [24]float64{3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 9, 10, 11, 12, 11, 9, 7, 5, 4, 3, 2, 2, 2}

// createdAt draws a time in the year before s.Now - 1 h: later days are busier (traffic grew
// threefold over the year), weekends 20 % quieter, hours as hourWeights.
func (s *Seeder) createdAt(r *rand.Rand) time.Time {
	end := s.Now.Add(-time.Hour)
	for {
		// Density of age a (0 = newest, 1 = a year ago) proportional to 3 - 2a.
		age := 1.5 - math.Sqrt(2.25-2*r.Float64()) // inverse CDF of (3-2a)/2 on [0,1]
		day := end.Add(-time.Duration(age * float64(Year))).Truncate(24 * time.Hour)
		if wd := day.Weekday(); (wd == time.Saturday || wd == time.Sunday) && r.Float64() < 0.2 {
			continue
		}
		hour := pickHour(r)
		t := day.Add(time.Duration(hour)*time.Hour + time.Duration(r.Int64N(int64(time.Hour))))
		if t.Before(end) {
			return t
		}
	}
}

var hourCum = func() (c [24]float64) {
	var sum float64
	for _, w := range hourWeights {
		sum += w
	}
	var acc float64
	for i, w := range hourWeights {
		acc += w / sum
		c[i] = acc
	}
	c[23] = 1
	return c
}()

func pickHour(r *rand.Rand) int {
	u := r.Float64()
	for i, c := range hourCum {
		if u <= c {
			return i
		}
	}
	return 23
}

// amount draws a log-normal amount in minor units: median ₹500, most between ₹50 and ₹5 000,
// at least ₹1 and at most ₹10 00 000.
func amount(r *rand.Rand) int64 {
	a := int64(math.Exp(math.Log(50000) + 1.2*r.NormFloat64()))
	return min(max(a, 100), 100_000_000)
}

var (
	upiHandles   = []string{"okhdfcbank", "okaxis", "okicici", "oksbi", "paytm", "ybl", "ibl"}
	cardNetworks = []struct {
		name, bin string
		share     float64
	}{{"visa", "411111", 0.5}, {"mastercard", "555555", 0.35}, {"rupay", "608001", 0.15}}
	declines = []struct{ code, desc string }{
		{"BAD_REQUEST_ERROR", "Payment declined by the bank"},
		{"INSUFFICIENT_FUNDS", "Insufficient funds in the account"},
		{"GATEWAY_ERROR", "The bank did not answer in time"},
	}
	refundReasons = []string{"customer request", "duplicate", "item out of stock", ""}
)

// Generate draws chunk number chunk of n payments with their rows, deterministically from s.Seed.
func (s *Seeder) Generate(chunk, n int) chunkRows {
	r := rand.New(rand.NewPCG(s.Seed, uint64(chunk)))
	out := chunkRows{
		orders: make([][]any, 0, n), payments: make([][]any, 0, n),
		refunds: make([][]any, 0, n/8), logs: make([][]any, 0, n+n/8),
	}
	latest := s.Now.Add(-time.Hour)
	for range n {
		m := s.Pop.IDs[s.Pop.pick(r)]
		created := s.createdAt(r)
		settled := created.Add(time.Duration(500+r.IntN(9500)) * time.Millisecond)
		amt := amount(r)
		currency := "INR"
		if r.Float64() < shareUSD {
			currency = "USD"
		}
		orderID, payID := newID(r, "order"), newID(r, "pay")

		var vpa, network, bin, last4, errCode, errDesc, capturedAt, amountCaptured any
		method := "card"
		if r.Float64() < shareUPI {
			method = "upi"
			vpa = "user" + strconv.Itoa(r.IntN(10_000_000)) + "@" + upiHandles[r.IntN(len(upiHandles))]
		} else {
			u := r.Float64()
			for _, cn := range cardNetworks {
				network, bin = cn.name, cn.bin
				if u < cn.share {
					break
				}
				u -= cn.share
			}
			last4 = strconv.Itoa(1000 + r.IntN(9000))
		}
		status, orderStatus, captured := "success", "paid", true
		var refunded int64
		u := r.Float64()
		switch {
		case u < shareFailed:
			status, orderStatus, captured = "failed", "created", false
			d := declines[r.IntN(len(declines))]
			errCode, errDesc = d.code, d.desc
		case u < shareFailed+shareRefunded:
			// A refund, some days after the payment (never after the end of the year).
			refundAt := settled.Add(time.Duration(r.Int64N(int64(20 * 24 * time.Hour))))
			if refundAt.After(latest) {
				refundAt = latest
			}
			ramt := amt
			if r.Float64() >= shareFull {
				ramt = max(1, amt*int64(10+r.IntN(80))/100)
			}
			rstatus, rerr, rdesc, processed := "processed", any(nil), any(nil), any(refundAt.Add(2*time.Second))
			if r.Float64() < shareRefFail {
				rstatus, rerr, rdesc, processed = "failed", "BAD_REQUEST_ERROR", "Refund declined by the bank", nil
			} else {
				refunded = ramt
				if ramt == amt {
					status = "refunded"
				}
			}
			refundID := newID(r, "rfnd")
			out.refunds = append(out.refunds, []any{refundID, payID, orderID, m, ramt, currency,
				refundReasons[r.IntN(len(refundReasons))], rstatus, rerr, rdesc, processed, refundAt, refundAt.Add(2 * time.Second)})
			var e []byte
			e = append(e, `{"id":"`...)
			e = append(e, refundID...)
			e = append(e, `","entity":"refund","payment_id":"`...)
			e = append(e, payID...)
			e = append(e, `","amount":`...)
			e = strconv.AppendInt(e, ramt, 10)
			e = append(e, `,"currency":"`...)
			e = append(e, currency...)
			e = append(e, `","status":"`...)
			e = append(e, rstatus...)
			e = append(e, `"}`...)
			out.logs = append(out.logs, logRow(r, m, "refund."+rstatus, payID, refundID, refundAt.Add(2*time.Second), e))
		}
		if captured { // captured in full, as automatic capture and today's capture do
			capturedAt, amountCaptured = settled, amt
		}
		out.orders = append(out.orders, []any{orderID, m, amt, currency, "rcpt_" + strconv.Itoa(r.IntN(1_000_000_000)), []byte("{}"),
			orderStatus, created.Add(-time.Duration(r.IntN(5000)) * time.Millisecond), settled})
		out.payments = append(out.payments, []any{payID, orderID, m, amt, currency, method, status, vpa, network, bin, last4,
			errCode, errDesc, created, settled, captured, capturedAt, refunded, amountCaptured})
		event := "payment.success"
		if status == "failed" {
			event = "payment.failed"
		}
		var e []byte
		e = append(e, `{"id":"`...)
		e = append(e, payID...)
		e = append(e, `","entity":"payment","order_id":"`...)
		e = append(e, orderID...)
		e = append(e, `","amount":`...)
		e = strconv.AppendInt(e, amt, 10)
		e = append(e, `,"currency":"`...)
		e = append(e, currency...)
		e = append(e, `","method":"`...)
		e = append(e, method...)
		e = append(e, `","status":"`...)
		e = append(e, event[len("payment."):]...)
		e = append(e, `","created_at":`...)
		e = strconv.AppendInt(e, created.Unix(), 10)
		e = append(e, '}')
		out.logs = append(out.logs, logRow(r, m, event, payID, nil, settled, e))
	}
	return out
}

// logRow is a delivered webhook: 99 % succeeded at the first attempt, the rest failed after 8.
// entity is the object's JSON, as the payload carries it.
func logRow(r *rand.Rand, m uuid.UUID, event string, payID, refundID any, at time.Time, entity []byte) []any {
	id := newID(r, "evt")
	payload := make([]byte, 0, 120+len(entity))
	payload = append(payload, `{"id":"`...)
	payload = append(payload, id...)
	payload = append(payload, `","event":"`...)
	payload = append(payload, event...)
	payload = append(payload, `","created_at":`...)
	payload = strconv.AppendInt(payload, at.Unix(), 10)
	payload = append(payload, `,"payload":{"`...)
	payload = append(payload, event[:strings.IndexByte(event, '.')]...)
	payload = append(payload, `":`...)
	payload = append(payload, entity...)
	payload = append(payload, "}}"...)
	status, attempts, code, last := "success", 1, any(200), at.Add(300*time.Millisecond)
	if r.Float64() < 0.01 {
		status, attempts, code, last = "failed", 8, any(503), at.Add(36*time.Hour)
	}
	return []any{id, m, event, payID, refundID, payload, status, attempts, last, code, at, last}
}
