package api_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/gatewaytest"
)

// Paging through events newest first while new ones keep arriving sees every event that existed
// at the start exactly once, and no event twice; paging back with ending_before as well.
func TestEventsPaginationUnderConcurrentInserts(t *testing.T) {
	gw := gatewaytest.Start(t)
	ctx := t.Context()
	insert := func(ctx context.Context, prefix string, n int, at time.Time) error {
		_, err := gw.Pool.Exec(ctx, `INSERT INTO events (id, merchant_id, type, payload, created_at)
		    SELECT $1 || lpad(i::text, 8, '0'), $2, 'payment.success', '{"data": {}}', $3::timestamptz - i * interval '1 millisecond' FROM generate_series(1, $4) i`,
			prefix, auth.TestMerchantID, at, n)
		return err
	}
	start := time.Now()
	// Some share one creation time: the id breaks the tie.
	if err := insert(ctx, "evt_seedAAAA", 150, start.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := insert(ctx, "evt_seedBBBB", 20, start.Add(-time.Minute).Add(20*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	seeded := map[string]bool{}
	rows, _ := gw.Pool.Query(ctx, `SELECT id FROM events`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		seeded[id] = true
	}
	if len(seeded) != 170 {
		t.Fatalf("%d seeded", len(seeded))
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := insert(context.Background(), fmt.Sprintf("evt_live%04d", i), 3, time.Now()); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	walk := func(first string, next func(page []any) string) []string {
		var ids []string
		path := first
		for path != "" {
			body := gw.Get(t, path).JSON(t)
			page := body["data"].([]any)
			for _, e := range page {
				ids = append(ids, e.(map[string]any)["id"].(string))
			}
			if body["has_more"] != true || len(page) == 0 {
				break
			}
			path = next(page)
		}
		return ids
	}
	older := walk("/api/v1/events?limit=7", func(page []any) string {
		return "/api/v1/events?limit=7&starting_after=" + page[len(page)-1].(map[string]any)["id"].(string)
	})
	// Back up to the newest with ending_before, the inserts still going for the first pages.
	oldest := older[len(older)-1]
	pages := 0
	newer := walk("/api/v1/events?limit=9&ending_before="+oldest, func(page []any) string {
		if pages++; pages == 5 {
			close(stop)
			wg.Wait()
		}
		return "/api/v1/events?limit=9&ending_before=" + page[0].(map[string]any)["id"].(string)
	})
	if pages < 5 {
		close(stop)
		wg.Wait()
	}
	for name, ids := range map[string][]string{"starting_after": older, "ending_before": append(newer, oldest)} {
		seen := map[string]int{}
		for _, id := range ids {
			seen[id]++
			if seen[id] == 2 {
				t.Errorf("%s: %s seen twice", name, id)
			}
		}
		for id := range seeded {
			if seen[id] != 1 {
				t.Errorf("%s: seeded %s seen %d times", name, id, seen[id])
			}
		}
	}
}
