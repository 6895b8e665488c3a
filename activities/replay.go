package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/requestid"
)

// Replay statuses.
const (
	ReplayRunning   = "running"
	ReplaySucceeded = "succeeded"
	ReplayCanceled  = "canceled"
)

// ReplayPageRequest asks for the next page of a replay, after the cursor (the last event sent).
type ReplayPageRequest struct {
	ReplayID       string
	AfterCreatedAt time.Time
	AfterID        string
	Limit          int32
}

// ReplayPage is what a page did: how many events it took, sent and failed, the cursor after it,
// and the replay's status (canceled stops the workflow).
type ReplayPage struct {
	Count, Sent, Failed int
	LastCreatedAt       time.Time
	LastID              string
	Status              string
}

// CountReplay counts the events a replay re-sends and records the total.
func (a *Activities) CountReplay(ctx context.Context, replayID string) (int32, error) {
	n, err := a.Queries.CountReplayEvents(ctx, replayID)
	if err != nil {
		return 0, wrap("count replay", replayID, err)
	}
	return n, wrap("count replay", replayID, a.Queries.SetReplayTotal(ctx, db.SetReplayTotalParams{ID: replayID, Total: n}))
}

// SendReplayPage re-sends the next page of a replay's events to its endpoint, oldest first, in
// one attempt each, signed with the endpoint's secret and carrying the event's own id; each
// delivery's log row records the answer. A delivery still pending on its own retry schedule is
// left to it (and counted as sent). A retry of this activity may post a page again: delivery is at
// least once, and receivers deduplicate on the event id.
func (a *Activities) SendReplayPage(ctx context.Context, req ReplayPageRequest) (ReplayPage, error) {
	rows, err := a.Queries.PrepareReplayPage(ctx, db.PrepareReplayPageParams{
		ReplayID: req.ReplayID, AfterCreatedAt: req.AfterCreatedAt, AfterID: req.AfterID, RowLimit: req.Limit,
	})
	if err != nil {
		return ReplayPage{}, wrap("replay page", req.ReplayID, err)
	}
	page := ReplayPage{Count: len(rows), LastCreatedAt: req.AfterCreatedAt, LastID: req.AfterID, Status: ReplayRunning}
	if len(rows) == 0 {
		return page, nil
	}
	var ready []string
	for _, r := range rows {
		if r.Ready {
			ready = append(ready, r.DeliveryID)
		} else {
			page.Sent++
		}
	}
	results, err := a.AttemptWebhooks(ctx, AttemptsRequest{LogIDs: ready, Attempt: 1})
	if err != nil {
		return ReplayPage{}, err
	}
	for _, r := range results {
		if r.Delivered {
			page.Sent++
		} else {
			page.Failed++
		}
		if r.Unrecorded != nil {
			activity.GetLogger(ctx).Warn("replayed delivery's answer not recorded", "delivery", r.Unrecorded.ID, "request_id", requestid.From(ctx))
		}
	}
	last := rows[len(rows)-1]
	page.LastCreatedAt, page.LastID = last.CreatedAt, last.EventID
	page.Status, err = a.Queries.RecordReplayProgress(ctx, db.RecordReplayProgressParams{ID: req.ReplayID, Sent: int32(page.Sent), Failed: int32(page.Failed)})
	return page, wrap("record replay progress", req.ReplayID, err)
}

// FinishReplay records a replay's end (succeeded or canceled) unless it has ended already.
func (a *Activities) FinishReplay(ctx context.Context, replayID, status string) error {
	return wrap("finish replay", replayID, a.Queries.FinishReplay(ctx, db.FinishReplayParams{ID: replayID, Status: status}))
}
