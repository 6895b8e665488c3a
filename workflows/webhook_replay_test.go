package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/workflows"
)

// runReplay runs a ReplayWorkflow of four pages (three full, one short), each taking pageTime to
// send, and returns the workflow time at which each page started, from the start.
func runReplay(t *testing.T, pageTime time.Duration) []time.Duration {
	t.Helper()
	env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
	env.RegisterActivity(a)
	start := env.Now()
	var at []time.Duration
	env.OnActivity(a.CountReplay, mock.Anything, mock.Anything).Return(int32(160), nil)
	env.OnActivity(a.FinishReplay, mock.Anything, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.SendReplayPage, mock.Anything, mock.Anything).After(pageTime).Return(func(_ context.Context, req activities.ReplayPageRequest) (activities.ReplayPage, error) {
		at = append(at, env.Now().Sub(start))
		n := int(req.Limit)
		if len(at) == 4 {
			n = 10
		}
		return activities.ReplayPage{Count: n, Sent: n, LastCreatedAt: time.Unix(int64(len(at)), 0), LastID: "evt", Status: activities.ReplayRunning}, nil
	})
	env.ExecuteWorkflow(workflows.ReplayWorkflow, workflows.ReplayInput{ReplayID: "rpl_1", MerchantID: "m", PageSize: 50, Pause: 200 * time.Millisecond})
	var res workflows.ReplayResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Status != activities.ReplaySucceeded || len(at) != 4 {
		t.Fatalf("result %+v after %d pages", res, len(at))
	}
	return at
}

// Pages that go out at once are 200 ms apart; pages that take 3 s (the workers are busy with live
// payments) are followed by a pause as long: the replay keeps its worker slot at most half the
// time, and slows down as live traffic slows its pages.
func TestReplayPausesAtLeastAsLongAsAPageTook(t *testing.T) {
	for _, c := range []struct {
		page, gap time.Duration
	}{{0, 200 * time.Millisecond}, {3 * time.Second, 6 * time.Second}} {
		at := runReplay(t, c.page)
		for i := 1; i < len(at); i++ {
			if gap := at[i] - at[i-1]; gap != c.gap {
				t.Errorf("pages taking %s: page %d began %s after the one before, want %s", c.page, i+1, gap, c.gap)
			}
		}
	}
}
