package activities

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/pglocal/pgtest"
)

// pg gives each test a migrated database holding the test merchant.
var pg = pgtest.New(func(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	_, err = auth.SeedTestMerchant(ctx, db.New(pool), config.TestMerchant{Email: "test@example.com", APIKey: "key_test", APISecret: "secret_test"})
	return err
})

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

// newPool connects to a fresh database for the test.
func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pg.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
