package workflows_test

import (
	"flag"
	"os"
	"testing"

	"github.com/paygate/paygate/gatewaytest"
)

// TestMain starts PostgreSQL (and, on first use, Temporal) for the gateway only when the
// histories are being re-recorded: the other tests here mock their activities or replay files,
// so they run without PostgreSQL installed.
func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		os.Exit(gatewaytest.Main(m))
	}
	os.Exit(m.Run())
}
