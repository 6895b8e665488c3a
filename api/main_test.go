package api_test

import (
	"os"
	"testing"

	"github.com/paygate/paygate/gatewaytest"
)

func TestMain(m *testing.M) { os.Exit(gatewaytest.Main(m)) }
