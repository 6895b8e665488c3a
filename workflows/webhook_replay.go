package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
)

// ReplayInput starts (or continues as new) a ReplayWorkflow.
type ReplayInput struct {
	ReplayID   string // also the workflow id
	MerchantID string
	// Cursor: the last event sent (zero at the start).
	AfterCreatedAt time.Time
	AfterID        string
	// PageSize events go out per page, at least a Pause apart and at least as far apart as the
	// page took (replayPause), so that a large replay leaves the endpoint and the workers to live
	// deliveries.
	PageSize int32
	Pause    time.Duration
	Pages    int // pages sent so far, over every run
}

// ReplayResult is how a run of a replay ended.
type ReplayResult struct {
	Status string
	Pages  int
}

// pagesPerRun bounds a run's history: it continues as new after this many pages.
const pagesPerRun = 200

var replayStep = workflow.ActivityOptions{
	StartToCloseTimeout: 5 * time.Minute, // a page of 50 events at 10 s each, at worst
	RetryPolicy:         localSteps.RetryPolicy,
}

// ReplayWorkflow re-sends an endpoint's events in a range, oldest first, page by page, paced, each
// with its own event id. It counts them first; GET /replays/{id} shows total, sent and failed.
// Cancelling the workflow (POST /replays/{id}/cancel) stops it between pages.
func ReplayWorkflow(ctx workflow.Context, in ReplayInput) (ReplayResult, error) {
	var a *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, replayStep)
	if in.Pages == 0 && in.AfterID == "" {
		if err := workflow.ExecuteActivity(ctx, a.CountReplay, in.ReplayID).Get(ctx, nil); err != nil {
			return ReplayResult{}, err
		}
	}
	for n := 0; ; n++ {
		if n == pagesPerRun {
			return ReplayResult{}, workflow.NewContinueAsNewError(ctx, ReplayWorkflow, in)
		}
		var page activities.ReplayPage
		req := activities.ReplayPageRequest{ReplayID: in.ReplayID, AfterCreatedAt: in.AfterCreatedAt, AfterID: in.AfterID, Limit: in.PageSize}
		began := workflow.Now(ctx)
		err := workflow.ExecuteActivity(ctx, a.SendReplayPage, req).Get(ctx, &page)
		took := workflow.Now(ctx).Sub(began)
		if temporal.IsCanceledError(err) || ctx.Err() != nil {
			return finishReplay(ctx, in, activities.ReplayCanceled)
		}
		if err != nil {
			return ReplayResult{}, err
		}
		if page.Status != activities.ReplayRunning {
			return ReplayResult{Status: page.Status, Pages: in.Pages}, nil
		}
		if page.Count == 0 {
			return finishReplay(ctx, in, activities.ReplaySucceeded)
		}
		in.Pages++
		in.AfterCreatedAt, in.AfterID = page.LastCreatedAt, page.LastID
		if int32(page.Count) < in.PageSize {
			return finishReplay(ctx, in, activities.ReplaySucceeded)
		}
		if err := workflow.Sleep(ctx, replayPause(ctx, in.Pause, took)); err != nil {
			return finishReplay(ctx, in, activities.ReplayCanceled)
		}
	}
}

// replayPause is the wait after a page that took took: at least pause, and at least as long as
// the page itself, so that a replay keeps its worker slot at most half the time and slows down as
// its pages do (they take longer when live payments have the workers and the database). Replays
// started before this rule keep the fixed pause (version marker).
func replayPause(ctx workflow.Context, pause, took time.Duration) time.Duration {
	if workflow.GetVersion(ctx, "replay-yields", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return pause
	}
	return max(pause, took)
}

// finishReplay records the replay's end, also after a cancel.
func finishReplay(ctx workflow.Context, in ReplayInput, status string) (ReplayResult, error) {
	var a *activities.Activities
	if ctx.Err() != nil {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	ctx = workflow.WithActivityOptions(ctx, replayStep)
	err := workflow.ExecuteActivity(ctx, a.FinishReplay, in.ReplayID, status).Get(ctx, nil)
	return ReplayResult{Status: status, Pages: in.Pages}, err
}

// Replay pacing: 50 events a page, pages at least 200 ms apart and at least as far apart as the
// page took to send (see replayPause).
const (
	ReplayPageSize = 50
	ReplayPause    = 200 * time.Millisecond
)

// StartReplay starts a replay's workflow (workflow id = replay id).
func (s Starter) StartReplay(ctx context.Context, replayID, merchantID, endpointID string) error {
	in := ReplayInput{ReplayID: replayID, MerchantID: merchantID, PageSize: ReplayPageSize, Pause: ReplayPause}
	attrs := temporal.NewSearchAttributes(MerchantIDAttr.ValueSet(merchantID))
	return s.start(ctx, replayID, "Replay to "+endpointID, attrs, ReplayWorkflow, in)
}

// CancelReplay asks a replay's workflow to stop; one that has ended already is no error.
func (s Starter) CancelReplay(ctx context.Context, replayID string) error {
	err := s.Client.CancelWorkflow(ctx, replayID, "")
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return err
	}
	return nil
}
