package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/db"
	"github.com/paygate/paygate/workflows"
)

var schedule = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

// runDelivery runs a WebhookDeliveryWorkflow whose n-th attempt gets answers[n-1] (a missing
// answer is a failed, non-final attempt), and returns the attempts made with the workflow time
// each was made at, measured from the start.
func runDelivery(t *testing.T, first int, answers map[int]activities.AttemptResult) ([]activities.AttemptRequest, []time.Duration, activities.AttemptResult) {
	t.Helper()
	env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
	env.RegisterActivity(a)
	start := env.Now()
	var reqs []activities.AttemptRequest
	var at []time.Duration
	env.OnActivity(a.AttemptWebhook, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.AttemptRequest) (activities.AttemptResult, error) {
		reqs = append(reqs, req)
		at = append(at, env.Now().Sub(start))
		return answers[req.Attempt], nil
	})
	env.ExecuteWorkflow(workflows.WebhookDeliveryWorkflow, workflows.DeliveryInput{LogID: "evt_1", FirstAttempt: first, RetryIntervals: schedule})
	var res activities.AttemptResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return reqs, at, res
}

func TestDeliveryRetriesOnTheScheduleUntilDelivered(t *testing.T) {
	reqs, at, res := runDelivery(t, 1, map[int]activities.AttemptResult{3: {Delivered: true, Final: true}})
	if len(reqs) != 3 || !res.Delivered {
		t.Fatalf("%d attempts, result %+v", len(reqs), res)
	}
	wantAt := []time.Duration{0, time.Minute, 6 * time.Minute}
	for i, r := range reqs {
		if r.Attempt != i+1 || r.LogID != "evt_1" || r.RetryIn != schedule[i] {
			t.Errorf("attempt %d = %+v", i+1, r)
		}
		if at[i] != wantAt[i] {
			t.Errorf("attempt %d at %s, want %s", i+1, at[i], wantAt[i])
		}
	}
}

func TestDeliveryGivesUpAfterFiveAttempts(t *testing.T) {
	reqs, at, res := runDelivery(t, 1, map[int]activities.AttemptResult{5: {Final: true}})
	if len(reqs) != 5 || res.Delivered {
		t.Fatalf("%d attempts, result %+v", len(reqs), res)
	}
	if reqs[4].RetryIn != 0 {
		t.Errorf("last attempt announces a retry in %s", reqs[4].RetryIn)
	}
	if total := at[4]; total != time.Minute+5*time.Minute+30*time.Minute+2*time.Hour {
		t.Errorf("last attempt at %s", total)
	}
}

func TestDeliveryStopsOnAFinalAnswer(t *testing.T) {
	reqs, _, _ := runDelivery(t, 1, map[int]activities.AttemptResult{1: {Final: true}}) // e.g. 410 Gone
	if len(reqs) != 1 {
		t.Errorf("%d attempts after a final answer, want 1", len(reqs))
	}
}

// After a failed inline first attempt, the delivery workflow waits the first interval and goes on
// from attempt 2.
func TestDeliveryContinuesFromTheSecondAttempt(t *testing.T) {
	reqs, at, res := runDelivery(t, 2, map[int]activities.AttemptResult{2: {Delivered: true, Final: true}})
	if len(reqs) != 1 || reqs[0].Attempt != 2 || at[0] != time.Minute || !res.Delivered {
		t.Errorf("attempts %+v at %v, result %+v", reqs, at, res)
	}
}

// An attempt whose answer could not be recorded (PostgreSQL failed after the POST) is recorded
// by a step of its own, retried until it succeeds; the event is not posted again.
func TestDeliveryRecordsAnUnrecordedAnswerInsteadOfPostingAgain(t *testing.T) {
	env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
	env.RegisterActivity(a)
	answer := db.RecordAttemptParams{ID: "evt_1", Attempt: 2, Status: activities.DeliverySuccess}
	var posts int
	env.OnActivity(a.AttemptWebhook, mock.Anything, mock.Anything).Return(func(context.Context, activities.AttemptRequest) (activities.AttemptResult, error) {
		posts++
		return activities.AttemptResult{Delivered: true, Final: true, Unrecorded: &answer}, nil
	})
	var recorded [][]db.RecordAttemptParams
	env.OnActivity(a.RecordAttempts, mock.Anything, mock.Anything).Return(func(_ context.Context, rs []db.RecordAttemptParams) error {
		recorded = append(recorded, rs)
		if len(recorded) == 1 {
			return errors.New("connection refused") // PostgreSQL still down: retried
		}
		return nil
	})
	env.ExecuteWorkflow(workflows.WebhookDeliveryWorkflow, workflows.DeliveryInput{LogID: "evt_1", FirstAttempt: 2, RetryIntervals: schedule})
	var res activities.AttemptResult
	if err := env.GetWorkflowResult(&res); err != nil || !res.Delivered {
		t.Fatalf("result %+v, %v", res, err)
	}
	if posts != 1 || len(recorded) != 2 || len(recorded[1]) != 1 || recorded[1][0] != answer {
		t.Errorf("%d posts, records %+v; want one post and its answer recorded on the second try", posts, recorded)
	}
}

// The same for the first attempts a payment workflow makes inline.
func TestInlineAttemptsRecordUnrecordedAnswers(t *testing.T) {
	env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
	env.RegisterActivity(a)
	env.OnActivity(a.ValidatePayment, mock.Anything, mock.Anything).Return(activities.PaymentCheck{Status: "success"}, nil)
	answer := db.RecordAttemptParams{ID: "evt_pending", Attempt: 1, Status: activities.DeliverySuccess}
	var posts [][]string
	env.OnActivity(a.AttemptWebhooks, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.AttemptsRequest) ([]activities.AttemptResult, error) {
		posts = append(posts, req.LogIDs)
		return []activities.AttemptResult{{Delivered: true, Final: true}, {Delivered: true, Final: true, Unrecorded: &answer}}, nil
	})
	var recorded []db.RecordAttemptParams
	env.OnActivity(a.RecordAttempts, mock.Anything, mock.Anything).Return(func(_ context.Context, rs []db.RecordAttemptParams) error {
		recorded = append(recorded, rs...)
		return nil
	})
	in := paymentInput
	in.Webhooks.Events = []string{"evt_created", "evt_pending"}
	env.ExecuteWorkflow(workflows.PaymentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 || len(recorded) != 1 || recorded[0] != answer {
		t.Errorf("posts %v, recorded %+v; want one post of both events and the unrecorded answer recorded", posts, recorded)
	}
}
