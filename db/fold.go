package db

import (
	"context"
	"log/slog"
	"time"
)

// FoldInterval is how often a worker folds the running totals' pending changes into their
// levels (migration 00010): readers sum at most about this long's worth of pending changes.
const FoldInterval = time.Second

// FoldTotalsEvery folds the running totals every interval until ctx ends. A fold that fails
// (PostgreSQL down) is logged and tried again at the next tick: the totals stay exact meanwhile,
// and the next fold moves everything that waited.
func FoldTotalsEvery(ctx context.Context, q *Queries, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		_, err := q.FoldTotals(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			log.Warn("fold running totals", "error", err.Error())
			failing = true
		case err == nil && failing:
			log.Info("running totals folded again")
			failing = false
		}
	}
}
