package activities

import (
	"context"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/requestid"
	"github.com/paygate/paygate/webhooks"
)

// Webhook delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySuccess = "success"
	DeliveryFailed  = "failed"
)

// AttemptRequest is one delivery attempt of one event.
type AttemptRequest struct {
	LogID   string
	Attempt int // 1-based
	// RetryIn is the wait before the next attempt, recorded as next_retry_at; zero on the last.
	RetryIn time.Duration
}

// AttemptsRequest is the same attempt of several events, made in order.
type AttemptsRequest struct {
	LogIDs  []string
	Attempt int
	RetryIn time.Duration
}

// AttemptResult says whether the schedule goes on.
type AttemptResult struct {
	Delivered bool
	// Final is true when no further attempt will be made: delivered, 410 Gone, no endpoint, or
	// the last attempt failed.
	Final bool
	// Unrecorded is the attempt's answer when recording it failed after the POST (PostgreSQL went
	// away): the workflow records it with RecordAttempts, retried until it succeeds, instead of
	// retrying the attempt, which would post the event again.
	Unrecorded *db.RecordAttemptParams `json:",omitempty"`
}

// AttemptWebhook makes one delivery attempt of one event (a WebhookDeliveryWorkflow's step).
func (a *Activities) AttemptWebhook(ctx context.Context, req AttemptRequest) (AttemptResult, error) {
	results, err := a.AttemptWebhooks(ctx, AttemptsRequest{LogIDs: []string{req.LogID}, Attempt: req.Attempt, RetryIn: req.RetryIn})
	if err != nil || len(results) == 0 {
		return AttemptResult{}, err
	}
	return results[0], nil
}

// AttemptWebhooks makes one delivery attempt of each delivery, in order per endpoint (endpoints in
// parallel): it signs the event with its endpoint's current secret (the primary endpoint's is the
// merchant's webhook secret), POSTs it to the endpoint's current URL and records the answer. The events
// are read in one query and the answers recorded in one round trip. Each attempt number is
// recorded once; an attempt found already recorded (a crash after sending) is not sent again.
// The results come in the order of the ids.
func (a *Activities) AttemptWebhooks(ctx context.Context, req AttemptsRequest) ([]AttemptResult, error) {
	deliveries, err := a.Queries.GetDeliveries(ctx, req.LogIDs)
	if err != nil {
		return nil, wrap("webhook attempts", strings.Join(req.LogIDs, ","), err)
	}
	results := make([]AttemptResult, len(deliveries))
	params := make([]*db.RecordAttemptParams, len(deliveries))
	// Each endpoint's deliveries go in order; different endpoints' at the same time, so that a
	// slow endpoint never holds up another's.
	byEndpoint := map[string][]int{}
	var endpoints []string
	for i, d := range deliveries {
		switch {
		case d.Status != DeliveryPending:
			results[i] = AttemptResult{Delivered: d.Status == DeliverySuccess, Final: true}
		case int(d.Attempts) >= req.Attempt:
			// this attempt already ran
		default:
			if _, ok := byEndpoint[d.EndpointID]; !ok {
				endpoints = append(endpoints, d.EndpointID)
			}
			byEndpoint[d.EndpointID] = append(byEndpoint[d.EndpointID], i)
		}
	}
	var wg sync.WaitGroup
	for _, e := range endpoints {
		wg.Go(func() {
			for _, i := range byEndpoint[e] {
				var p db.RecordAttemptParams
				results[i], p = a.attempt(ctx, deliveries[i], req.Attempt, req.RetryIn)
				params[i] = &p
			}
		})
	}
	wg.Wait()
	var records []db.RecordAttemptParams
	var recordOf []int // recordOf[j] is the index of the result records[j] belongs to
	for i, p := range params {
		if p != nil {
			records = append(records, *p)
			recordOf = append(recordOf, i)
		}
	}
	if err := a.RecordAttempts(ctx, records); err != nil {
		activity.GetLogger(ctx).Warn("webhook answers not recorded; the workflow records them later",
			"event_ids", strings.Join(req.LogIDs, ","), "error", err.Error(), "request_id", requestid.From(ctx))
		for j, i := range recordOf {
			results[i].Unrecorded = &records[j]
		}
	}
	return results, nil
}

// RecordAttempts records the answers of delivery attempts, in one round trip. Each attempt
// number is recorded once.
func (a *Activities) RecordAttempts(ctx context.Context, records []db.RecordAttemptParams) error {
	if len(records) == 0 {
		return nil
	}
	var recordErr error
	a.Queries.RecordAttempt(ctx, records).Exec(func(_ int, err error) {
		if err != nil && recordErr == nil {
			recordErr = err
		}
	})
	if recordErr != nil {
		return wrap("record webhook attempts", records[0].ID, recordErr)
	}
	return nil
}

// attempt sends one event and says what to record of it.
func (a *Activities) attempt(ctx context.Context, d db.GetDeliveriesRow, n int, retryIn time.Duration) (AttemptResult, db.RecordAttemptParams) {
	params := db.RecordAttemptParams{ID: d.ID, Attempt: int32(n), Status: DeliveryPending}
	result := AttemptResult{}
	if d.WebhookURL == "" {
		params.Error = nonEmpty("webhook URL not configured")
		result.Final = true
	} else {
		body := []byte(d.Payload)
		res := a.Webhooks.Post(ctx, d.WebhookURL, webhooks.Sign(d.WebhookSecret, d.EventID, time.Now(), body), body)
		if res.StatusCode != 0 {
			code := int32(res.StatusCode)
			params.ResponseCode = &code
			params.ResponseBody = &res.Body
		}
		params.Error = nonEmpty(res.Err)
		result.Delivered = res.Delivered()
		result.Final = res.Delivered() || res.Gone() || retryIn == 0
	}
	switch {
	case result.Delivered:
		params.Status = DeliverySuccess
	case result.Final:
		params.Status = DeliveryFailed
	default:
		next := time.Now().Add(retryIn)
		params.NextRetryAt = &next
	}
	activity.GetLogger(ctx).Info("webhook attempt", "event_id", d.ID, "attempt", n, "status", params.Status,
		"response_code", params.ResponseCode, "error", params.Error, "request_id", requestid.From(ctx))
	return result, params
}

// DeliveryRestarter starts the delivery workflow of an event that was recorded but never sent;
// finding one running must be harmless, and finding one that completed returns
// ErrWorkflowCompleted.
type DeliveryRestarter interface {
	RestartDelivery(ctx context.Context, e db.ListUnsentEventsRow) error
}

// RestartUnsentEvents starts delivery of events recorded more than olderThan ago and never
// attempted: their first attempt was to run in a workflow that never started. The events of a
// payment's or refund's creation are left to its own workflow while it is pending (see
// RestartStalePayments), so they still go out before its outcome.
func (a *Activities) RestartUnsentEvents(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	return sweepPages(ctx, cutoff,
		func(after cursor) ([]db.ListUnsentEventsRow, error) {
			return a.Queries.ListUnsentEvents(ctx, db.ListUnsentEventsParams{
				CreatedBefore: cutoff, AfterCreatedAt: after.createdAt, AfterID: after.id,
				PaymentEvents: outbox.PaymentCreationEvents, RefundEvents: outbox.RefundCreationEvents,
				RowLimit: sweepPage,
			})
		},
		func(e db.ListUnsentEventsRow) cursor { return cursor{e.CreatedAt, e.ID} },
		func(unsent []db.ListUnsentEventsRow) (int, error) {
			return restartEach(ctx, unsent, "event_id", completedButUnsent,
				func(e db.ListUnsentEventsRow) string { return e.ID },
				func(e db.ListUnsentEventsRow) error { return a.Restarter.RestartDelivery(ctx, e) }), nil
		})
}

// RestartQueuedEvents starts (or finds running) the delivery workflow of every never attempted
// event created more than olderThan ago whose delivery has a workflow of its own from the start
// (outbox.QueuedEvents): a process that died with its start queued left it. The recovery sweep
// runs it with olderThan 0.
func (a *Activities) RestartQueuedEvents(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	return sweepPages(ctx, cutoff,
		func(after cursor) ([]db.ListUnsentQueuedEventsRow, error) {
			return a.Queries.ListUnsentQueuedEvents(ctx, db.ListUnsentQueuedEventsParams{
				CreatedBefore: cutoff, AfterCreatedAt: after.createdAt, AfterID: after.id, Events: outbox.QueuedEvents, RowLimit: sweepPage,
			})
		},
		func(e db.ListUnsentQueuedEventsRow) cursor { return cursor{e.CreatedAt, e.ID} },
		func(unsent []db.ListUnsentQueuedEventsRow) (int, error) {
			return restartEach(ctx, unsent, "event_id", completedButUnsent,
				func(e db.ListUnsentQueuedEventsRow) string { return e.ID },
				func(e db.ListUnsentQueuedEventsRow) error {
					return a.Restarter.RestartDelivery(ctx, db.ListUnsentEventsRow(e))
				}), nil
		})
}

// completedButUnsent is the sweep's warning for an event never attempted although its delivery
// workflow completed, which recorded attempts the database lost (see completedButPending).
const completedButUnsent = "event never attempted, but its delivery workflow has completed (was the database restored?): " +
	"retry the delivery (POST /api/v1/webhooks/{id}/retry) to send it"
