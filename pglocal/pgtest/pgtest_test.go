package pgtest_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paygate/paygate/pglocal/pgtest"
)

// setup stands in for the migrations: a table and a row every test starts with.
func setup(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		CREATE TABLE merchants (id bigint PRIMARY KEY, name text NOT NULL);
		INSERT INTO merchants VALUES (1, 'seed');`)
	return err
}

var pg = pgtest.New(setup)

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM merchants").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Parallel tests each see the template's data and only their own writes.
func TestIsolation(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			conn := connect(t, pg.NewDatabase(t))
			if n := count(t, conn); n != 1 {
				t.Fatalf("fresh database has %d merchants, want the seeded 1", n)
			}
			for j := range 3 {
				if _, err := conn.Exec(t.Context(), "INSERT INTO merchants VALUES ($1, 'm')", 100+j); err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, conn); n != 4 {
				t.Errorf("after inserts: %d merchants, want 4", n)
			}
		})
	}
}

// The database is dropped when the test ends, even with a connection left open.
func TestDatabaseDropped(t *testing.T) {
	var url string
	t.Run("leaky", func(t *testing.T) {
		url = pg.NewDatabase(t)
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn // never closed
	})
	conn, err := pgx.Connect(t.Context(), url)
	if err == nil {
		conn.Close(t.Context())
		t.Fatalf("database %s still exists after its test ended", url)
	}
}

func TestTemplateSealed(t *testing.T) {
	conn, err := pgx.Connect(t.Context(), pg.Cluster().URL(pgtest.TemplateName))
	if err == nil {
		conn.Close(t.Context())
		t.Error("tests can connect to the template database")
	}
}

func TestCloneTiming(t *testing.T) {
	const n = 10
	began := time.Now()
	for i := range n {
		t.Run(fmt.Sprint(i), func(t *testing.T) { pg.NewDatabase(t) })
	}
	t.Logf("NewDatabase + drop: %v per test", (time.Since(began) / n).Round(100*time.Microsecond))
}
