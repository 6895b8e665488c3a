package db

import (
	"context"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// Migration 00009 moves each merchant's webhook URL into its primary endpoint and every delivery
// log into the events, losing no row, and keeps today's secret and ids.
func TestMigrationMovesWebhookConfigToEndpoints(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, emptyDatabase(t, "endpoints"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	dir, _ := fs.Sub(migrations, "migrations")
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO merchants (id, name, email, password_hash, api_key, api_secret_hash, webhook_secret, webhook_url) VALUES
	    ('00000000-0000-0000-0000-000000000001', 'a', 'a@x', '', 'ka', '', 'whsec_a', 'https://a.example/hook'),
	    ('00000000-0000-0000-0000-000000000002', 'b', 'b@x', '', 'kb', '', 'whsec_b', NULL),
	    ('00000000-0000-0000-0000-000000000003', 'c', 'c@x', '', 'kc', '', 'whsec_c', '')`)
	exec(`INSERT INTO webhook_logs (id, merchant_id, event, payload, status, attempts)
	    SELECT 'evt_' || lpad(n::text, 16, '0'), CASE WHEN n % 2 = 0 THEN '00000000-0000-0000-0000-000000000001'::uuid ELSE '00000000-0000-0000-0000-000000000002'::uuid END,
	           'payment.success', jsonb_build_object('id', 'evt_' || lpad(n::text, 16, '0')), 'success', 1
	    FROM generate_series(1, 50) n`)
	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}

	var n int
	var url, events string
	if err := pool.QueryRow(ctx, `SELECT count(*), min(url), min(enabled_events::text) FROM webhook_endpoints WHERE is_primary AND secret IS NULL AND status = 'enabled'`).Scan(&n, &url, &events); err != nil {
		t.Fatal(err)
	}
	if n != 1 || url != "https://a.example/hook" || events != "{*}" {
		t.Errorf("primary endpoints: %d, %s, %s", n, url, events)
	}
	var logs, withEvent, toPrimary, recorded int
	err = pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE event_id = id),
	        count(*) FILTER (WHERE endpoint_id = (SELECT id FROM webhook_endpoints WHERE is_primary)),
	        (SELECT count(*) FROM events e JOIN webhook_logs l ON l.id = e.id AND l.merchant_id = e.merchant_id AND l.created_at = e.created_at)
	    FROM webhook_logs`).Scan(&logs, &withEvent, &toPrimary, &recorded)
	if err != nil {
		t.Fatal(err)
	}
	if logs != 50 || withEvent != 50 || toPrimary != 25 || recorded != 50 {
		t.Errorf("logs %d, with their event id %d, to the primary endpoint %d, as events %d", logs, withEvent, toPrimary, recorded)
	}
}
