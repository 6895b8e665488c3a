package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/paygate/paygate/db"
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

// AttemptResult says whether the schedule goes on.
type AttemptResult struct {
	Delivered bool
	// Final is true when no further attempt will be made: delivered, 410 Gone, no endpoint, or
	// the last attempt failed.
	Final bool
}

// AttemptWebhook makes one delivery attempt: it signs the event with the merchant's current
// secret, POSTs it to the current endpoint and records the answer. Each attempt number is
// recorded once; an attempt found already recorded (a crash after sending) is not sent again.
func (a *Activities) AttemptWebhook(ctx context.Context, req AttemptRequest) (AttemptResult, error) {
	d, err := a.Queries.GetDelivery(ctx, req.LogID)
	if err != nil {
		return AttemptResult{}, wrap("webhook attempt", req.LogID, err)
	}
	if d.Status != DeliveryPending {
		return AttemptResult{Delivered: d.Status == DeliverySuccess, Final: true}, nil
	}
	if int(d.Attempts) >= req.Attempt {
		return AttemptResult{}, nil // this attempt already ran
	}
	params := db.RecordAttemptParams{ID: req.LogID, Attempt: int32(req.Attempt), Status: DeliveryPending}
	result := AttemptResult{}
	if d.WebhookURL == "" {
		params.Error = nonEmpty("webhook URL not configured")
		result.Final = true
	} else {
		body := []byte(d.Payload)
		res := a.Webhooks.Post(ctx, d.WebhookURL, webhooks.Sign(d.WebhookSecret, d.ID, time.Now(), body), body)
		if res.StatusCode != 0 {
			code := int32(res.StatusCode)
			params.ResponseCode = &code
			params.ResponseBody = &res.Body
		}
		params.Error = nonEmpty(res.Err)
		result.Delivered = res.Delivered()
		result.Final = res.Delivered() || res.Gone() || req.RetryIn == 0
	}
	switch {
	case result.Delivered:
		params.Status = DeliverySuccess
	case result.Final:
		params.Status = DeliveryFailed
	default:
		next := time.Now().Add(req.RetryIn)
		params.NextRetryAt = &next
	}
	if _, err := a.Queries.RecordAttempt(ctx, params); err != nil && !isNoRows(err) {
		return AttemptResult{}, wrap("record webhook attempt", req.LogID, err)
	}
	activity.GetLogger(ctx).Info("webhook attempt", "event_id", req.LogID, "attempt", req.Attempt, "status", params.Status,
		"response_code", params.ResponseCode, "error", params.Error, "request_id", requestid.From(ctx))
	return result, nil
}

// DeliveryRestarter starts the delivery workflow of an event that was recorded but never sent.
type DeliveryRestarter interface {
	RestartDelivery(ctx context.Context, logID string) error
}

// RestartUnsentEvents starts delivery of events recorded more than olderThan ago and never
// attempted: their first attempt was to run in a workflow that never started.
func (a *Activities) RestartUnsentEvents(ctx context.Context, olderThan time.Duration) (int, error) {
	unsent, err := a.Queries.ListUnsentEvents(ctx, db.ListUnsentEventsParams{CreatedAt: time.Now().Add(-olderThan), Limit: 500})
	if err != nil {
		return 0, wrap("list unsent events", "", err)
	}
	for _, id := range unsent {
		if err := a.Restarter.RestartDelivery(ctx, id); err != nil {
			return 0, wrap("restart delivery", id, err)
		}
	}
	return len(unsent), nil
}
