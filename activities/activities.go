// Package activities holds the side effects of the gateway's workflows: reading and writing
// PostgreSQL and calling the simulated bank. Every activity is idempotent by a business key (the
// payment or refund id), so a retry, a replay or an operator's reset repeats no side effect.
package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paygate/paygate/bank"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/delivery"
)

// Activities holds the dependencies of every activity. Register one value with the worker.
type Activities struct {
	Pool    *pgxpool.Pool
	Queries *db.Queries
	Bank    *bank.Bank
	// Webhooks sends webhook requests.
	Webhooks *delivery.Client
	// Restarter starts the workflow of a payment, refund or event delivery that has none (the
	// pending sweep).
	Restarter Restarter
	// EventRetention is how long events are kept (EVENT_RETENTION); DisableAfter how long an
	// endpoint fails before it is disabled (WEBHOOK_DISABLE_AFTER).
	EventRetention time.Duration
	DisableAfter   time.Duration
}

// sweepPage is how many rows of one kind a query of the pending sweep reads. A pass reads page
// after page, newest first, until none is left or its time is nearly up (sweepReserve before the
// activity's deadline).
const (
	sweepPage    = 500
	sweepReserve = 10 * time.Second
)

// New returns the activities over one connection pool.
func New(pool *pgxpool.Pool, b *bank.Bank, w *delivery.Client, r Restarter) *Activities {
	return &Activities{Pool: pool, Queries: db.New(pool), Bank: b, Webhooks: w, Restarter: r}
}

// inTx runs fn in one transaction, committed when fn returns nil.
func (a *Activities) inTx(ctx context.Context, fn func(q *db.Queries) error) error {
	return pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		return fn(a.Queries.WithTx(tx))
	})
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

func wrap(what, id string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", what, id, err)
}
