package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// testClock lets a workflow's durable timers be moved forward (AdvanceUpdate; the API offers it in
// test mode only): the time advanced is taken off the workflow's next sleeps, so the timers due
// within it fire now, in order, as if that time had passed. Neither Temporal's clock nor the
// machine's changes. A sleep the clock does not touch issues the same timer command as
// workflow.Sleep, so histories recorded with Sleep replay.
type testClock struct {
	skip               time.Duration // advanced, not yet taken off a sleep
	requested, settled int           // advances asked for, and taken into account by a sleep
}

// newTestClock registers the workflow's AdvanceUpdate, which returns once its time has been
// taken off the sleeps (the timers due within it have fired).
func newTestClock(ctx workflow.Context) (*testClock, error) {
	c := &testClock{}
	err := workflow.SetUpdateHandlerWithOptions(ctx, AdvanceUpdate, func(ctx workflow.Context, adv AdvanceInput) error {
		c.skip += adv.By
		c.requested++
		want := c.requested
		return workflow.Await(ctx, func() bool { return c.settled >= want })
	}, workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, adv AdvanceInput) error {
		if adv.By <= 0 {
			return refused("by must be a positive duration")
		}
		return nil
	}})
	return c, err
}

// sleep waits d of the workflow's time, less what the clock is advanced by.
func (c *testClock) sleep(ctx workflow.Context, d time.Duration) error {
	end := workflow.Now(ctx).Add(d)
	for {
		remaining := end.Sub(workflow.Now(ctx))
		if c.skip >= remaining {
			c.skip -= max(remaining, 0)
			c.settle()
			return nil
		}
		c.settle()
		asked := c.requested
		advanced, err := workflow.AwaitWithTimeout(ctx, remaining-c.skip, func() bool { return c.requested != asked })
		if err != nil {
			return err
		}
		if !advanced { // the (shortened) timer fired: the time skipped is used up
			c.skip = 0
			return nil
		}
	}
}

// settle takes every advance asked so far into account, so that their updates return.
func (c *testClock) settle() { c.settled = c.requested }

// done lets advances still waiting return: the workflow has no more timers.
func (c *testClock) done(ctx workflow.Context) error {
	c.settle()
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}
