package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/outbox"
	"github.com/paygate/paygate/resources"
)

// pruneBatch is how many events one statement of the pruning deletes.
const pruneBatch = 5000

// DeleteExpiredEvents deletes the events older than EventRetention, a batch at a time, until none
// is left or the activity's time is nearly up (the next run goes on). Their deliveries stay in
// the webhook log.
func (a *Activities) DeleteExpiredEvents(ctx context.Context) (int64, error) {
	retention := a.EventRetention
	if retention <= 0 {
		retention = 30 * 24 * time.Hour
	}
	before := time.Now().Add(-retention)
	deadline, hasDeadline := activity.GetInfo(ctx).Deadline, true
	if deadline.IsZero() {
		hasDeadline = false
	}
	var total int64
	for {
		n, err := a.Queries.DeleteExpiredEvents(ctx, db.DeleteExpiredEventsParams{Before: before, Batch: pruneBatch})
		total += n
		if err != nil {
			return total, wrap("delete expired events before", before.Format(time.RFC3339), err)
		}
		if n < pruneBatch || (hasDeadline && time.Until(deadline) < sweepReserve) {
			return total, nil
		}
	}
}

// AuditEndpointDisabled is the audit log action of an endpoint disabled for failing.
const AuditEndpointDisabled = "webhook_endpoint_disabled"

// minFailedEvents is how many events must have failed at an endpoint before it is disabled.
const minFailedEvents = 5

// DisableFailingEndpoints disables every enabled endpoint whose deliveries have all failed for
// DisableAfter, with at least 5 failed events: each is disabled, the audit log records it, and
// a webhook_endpoint.disabled event goes to the merchant's other endpoints, all in one
// transaction; the events' delivery workflows start after it. Returns the endpoints disabled.
func (a *Activities) DisableFailingEndpoints(ctx context.Context) ([]string, error) {
	after := a.DisableAfter
	if after <= 0 {
		after = 72 * time.Hour
	}
	type started struct {
		merchantID uuid.UUID
		deliveries []string
	}
	var disabled []string
	var starts []started
	err := a.inTx(ctx, func(q *db.Queries) error {
		rows, err := q.DisableFailingEndpoints(ctx, db.DisableFailingEndpointsParams{
			Reason:        "every delivery failed for " + after.String(),
			FailingBefore: time.Now().Add(-after), MinFailed: minFailedEvents,
		})
		if err != nil {
			return err
		}
		for _, e := range rows {
			disabled = append(disabled, e.ID)
			details, _ := json.Marshal(map[string]any{"url": e.URL, "failed_events": e.FailedEvents, "failing_since": e.FailingSince})
			target := e.ID
			if err := q.RecordAudit(ctx, db.RecordAuditParams{
				MerchantID: &e.MerchantID, Actor: "system:auto-disable", Action: AuditEndpointDisabled, Target: &target,
				SourceAddress: "", Details: details,
			}); err != nil {
				return err
			}
			view := outbox.Endpoint{ID: e.ID, URL: e.URL, EnabledEvents: e.EnabledEvents, Status: e.Status, FailedEvents: e.FailedEvents}
			if e.DisabledReason != nil {
				view.DisabledReason = *e.DisabledReason
			}
			if e.FailingSince != nil {
				view.FailingSince = resources.Timestamp(*e.FailingSince)
			}
			deliveries, err := outbox.Record(ctx, q, e.MerchantID, nil, nil, outbox.Data{Endpoint: &view}, time.Now(), outbox.WebhookEndpointDisabled)
			if err != nil {
				return err
			}
			starts = append(starts, started{e.MerchantID, deliveries})
		}
		return nil
	})
	if err != nil {
		return nil, wrap("disable failing endpoints", "", err)
	}
	for _, s := range starts {
		for _, id := range s.deliveries {
			// The sweep starts it later if this fails.
			if err := a.Restarter.RestartDelivery(ctx, db.ListUnsentEventsRow{ID: id, MerchantID: s.merchantID}); err != nil {
				activity.GetLogger(ctx).Warn("webhook_endpoint.disabled delivery not started; the sweep starts it", "delivery", id, "error", err.Error())
			}
		}
	}
	if len(disabled) > 0 {
		activity.GetLogger(ctx).Info("webhook endpoints disabled", "endpoints", disabled)
	}
	return disabled, nil
}
