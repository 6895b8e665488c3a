package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/workflows"
)

// authorizationEnv runs a successful card payment with the given capture mode, expiring 120 h
// after the test environment's start; the capture and void steps answer as the database would.
type authorizationEnv struct {
	*testsuite.TestWorkflowEnvironment
	in                    workflows.PaymentInput
	log                   *callLog
	captured, voided      bool
	capturedAmt           int64
	voidReason            string
	outcomeCapture        *bool
	refundsMoreThanAmount bool // refunds committed above what a capture takes
}

func newAuthorizationEnv(t *testing.T, capture string) *authorizationEnv {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	e := &authorizationEnv{TestWorkflowEnvironment: s.NewTestWorkflowEnvironment(), log: &callLog{}}
	e.in = paymentInput
	e.in.Capture = capture
	e.in.CaptureExpiresAt = e.Now().Add(120 * time.Hour)
	e.RegisterActivity(&activities.Activities{})
	e.OnActivity(a.ValidatePayment, mock.Anything, paymentID).Return(activities.PaymentCheck{Status: "pending"}, nil)
	e.OnActivity(a.SettlePayment, mock.Anything, paymentID).Return(nil)
	e.OnActivity(a.RecordPaymentOutcome, mock.Anything, mock.Anything).Return(func(_ context.Context, out activities.PaymentOutcome) (activities.Recorded, error) {
		e.outcomeCapture = &out.Capture
		events := []string{"evt_success"}
		if out.Capture {
			events = append(events, "evt_captured")
		}
		return activities.Recorded{Status: out.Status, Captured: out.Capture, Events: events}, nil
	})
	e.OnActivity(a.AttemptWebhooks, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.AttemptsRequest) ([]activities.AttemptResult, error) {
		e.log.add("AttemptWebhooks", req.LogIDs)
		res := make([]activities.AttemptResult, len(req.LogIDs))
		for i := range res {
			res[i] = activities.AttemptResult{Delivered: true, Final: true}
		}
		return res, nil
	})
	e.OnActivity(a.CaptureAuthorization, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.CaptureRequest) (activities.Authorization, error) {
		e.log.add("CaptureAuthorization", req.Amount)
		if e.refundsMoreThanAmount {
			return activities.Authorization{Status: "success"}, nil
		}
		e.captured, e.capturedAmt = true, req.Amount
		return activities.Authorization{Done: true, Status: "success", Captured: true, Events: []string{"evt_captured"}}, nil
	})
	e.OnActivity(a.VoidAuthorization, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.VoidRequest) (activities.Authorization, error) {
		e.log.add("VoidAuthorization", req.Reason)
		e.voided, e.voidReason = true, req.Reason
		return activities.Authorization{Done: true, Status: "voided", Events: []string{"evt_voided"}}, nil
	})
	return e
}

// update sends an update after delay and records its outcome in *err (nil: completed).
func (e *authorizationEnv) update(delay time.Duration, name string, err *error, accepted *bool, args ...any) {
	e.RegisterDelayedCallback(func() {
		e.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(r error) { *err = r },
			OnAccept:   func() { *accepted = true },
			OnComplete: func(_ interface{}, r error) { *err = r },
		}, args...)
	}, delay)
}

func (e *authorizationEnv) result(t *testing.T) workflows.PaymentResult {
	t.Helper()
	if !e.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := e.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var r workflows.PaymentResult
	if err := e.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func refusal(t *testing.T, err error, want string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.RefusedError || !strings.Contains(app.Message(), want) {
		t.Errorf("update error = %v, want a refusal saying %q", err, want)
	}
}

// Automatic capture captures with the outcome, in RecordPaymentOutcome's transaction: no capture
// step, no timer, and the workflow ends captured.
func TestAutomaticCaptureEndsCaptured(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureAutomatic)
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	got := e.result(t)
	if want := (workflows.PaymentResult{Status: "success", Captured: true}); got != want {
		t.Errorf("result = %+v, want %+v", got, want)
	}
	if e.outcomeCapture == nil || !*e.outcomeCapture {
		t.Error("RecordPaymentOutcome was not asked to capture")
	}
	e.AssertActivityNotCalled(t, "CaptureAuthorization", mock.Anything, mock.Anything)
	e.AssertActivityNotCalled(t, "VoidAuthorization", mock.Anything, mock.Anything)
	if calls := e.log.get(); len(calls) != 1 || !strings.Contains(calls[0], "evt_captured") {
		t.Errorf("webhook attempts = %q, want payment.success and payment.captured together", calls)
	}
}

// A manual payment waits; a partial capture takes its amount and ends the workflow captured.
func TestManualCaptureByUpdate(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureManual)
	var err error
	var accepted bool
	e.update(time.Hour, workflows.CaptureUpdate, &err, &accepted, workflows.CaptureInput{Amount: 30000})
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	got := e.result(t)
	if err != nil || !accepted {
		t.Fatalf("capture update: accepted %v, %v", accepted, err)
	}
	if want := (workflows.PaymentResult{Status: "success", Captured: true}); got != want {
		t.Errorf("result = %+v, want %+v", got, want)
	}
	if e.capturedAmt != 30000 || e.voided {
		t.Errorf("captured %d, voided %v; want 30000 captured, not voided", e.capturedAmt, e.voided)
	}
	if e.outcomeCapture == nil || *e.outcomeCapture {
		t.Error("a manual payment was captured with its outcome")
	}
	if e.Now().Sub(e.in.CaptureExpiresAt) >= 0 {
		t.Errorf("workflow ended at %v, after the expiry %v: the timer was not cancelled", e.Now(), e.in.CaptureExpiresAt)
	}
}

// The validators refuse a capture above the amount or under the minimum; a refused capture is
// never accepted (no trace in history), and the payment still takes a valid one later.
func TestCaptureValidatorRefuses(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureManual)
	var tooMuch, tooLittle, ok error
	var acc1, acc2, acc3 bool
	e.update(time.Hour, workflows.CaptureUpdate, &tooMuch, &acc1, workflows.CaptureInput{Amount: 50001})
	e.update(2*time.Hour, workflows.CaptureUpdate, &tooLittle, &acc2, workflows.CaptureInput{Amount: 99})
	e.update(3*time.Hour, workflows.CaptureUpdate, &ok, &acc3, workflows.CaptureInput{Amount: 50000})
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	e.result(t)
	refusal(t, tooMuch, "exceeds the payment amount")
	refusal(t, tooLittle, "at least 100")
	if acc1 || acc2 {
		t.Error("a refused capture was accepted")
	}
	if ok != nil || !acc3 || e.capturedAmt != 50000 {
		t.Errorf("full capture: accepted %v, %v, captured %d", acc3, ok, e.capturedAmt)
	}
	if calls := e.log.get(); strings.Count(strings.Join(calls, " "), "CaptureAuthorization") != 1 {
		t.Errorf("calls = %q, want one capture step", calls)
	}
}

// Unanswered, the authorization expires on its timer: the workflow voids it (expired) at
// capture_expires_at, sends payment.voided once, and ends voided.
func TestAuthorizationExpires(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureManual)
	start := e.Now()
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	got := e.result(t)
	if want := (workflows.PaymentResult{Status: "voided"}); got != want {
		t.Errorf("result = %+v, want %+v", got, want)
	}
	if e.voidReason != activities.VoidExpired {
		t.Errorf("void reason = %q, want expired", e.voidReason)
	}
	if waited := e.Now().Sub(start); waited < 120*time.Hour {
		t.Errorf("voided after %v, want at the 120 h expiry", waited)
	}
	if n := strings.Count(strings.Join(e.log.get(), " "), "evt_voided"); n != 1 {
		t.Errorf("payment.voided attempted %d times, want 1", n)
	}
}

// The test clock: advancing by less than the time left fires nothing; advancing past the expiry
// voids at once, long before the real timer, and the advance returns after the void.
func TestAdvanceFiresTheExpiry(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureManual)
	start := e.Now()
	var short, long error
	var acc1, acc2 bool
	var voidedAtAdvance bool
	e.update(time.Hour, workflows.AdvanceUpdate, &short, &acc1, workflows.AdvanceInput{By: time.Hour})
	e.RegisterDelayedCallback(func() {
		e.UpdateWorkflow(workflows.AdvanceUpdate, "", &testsuite.TestUpdateCallback{
			OnReject: func(r error) { long = r }, OnAccept: func() { acc2 = true },
			OnComplete: func(_ interface{}, r error) { long, voidedAtAdvance = r, e.voided },
		}, workflows.AdvanceInput{By: 119 * time.Hour})
	}, 2*time.Hour)
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	got := e.result(t)
	if short != nil || long != nil || !acc1 || !acc2 {
		t.Fatalf("advances: %v, %v", short, long)
	}
	if got.Status != "voided" || e.voidReason != activities.VoidExpired || !voidedAtAdvance {
		t.Errorf("result %+v, reason %q, voided when the advance returned %v", got, e.voidReason, voidedAtAdvance)
	}
	if waited := e.Now().Sub(start); waited > 3*time.Hour {
		t.Errorf("voided after %v of workflow time, want right after the advance (2 h)", waited)
	}
}

// Void wins over a capture sent after it; a void of a captured payment is refused.
func TestVoidThenCaptureRefused(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureManual)
	var void, capture error
	var acc1, acc2 bool
	e.update(time.Hour, workflows.VoidUpdate, &void, &acc1)
	// Sent in the same instant: the SDK handles it after the void's handler has started.
	e.update(time.Hour, workflows.CaptureUpdate, &capture, &acc2, workflows.CaptureInput{Amount: 50000})
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	got := e.result(t)
	if void != nil || got.Status != "voided" || e.voidReason != activities.VoidRequested {
		t.Fatalf("void: %v; result %+v, reason %q", void, got, e.voidReason)
	}
	if acc2 || e.captured {
		t.Errorf("capture racing the void was accepted (captured %v)", e.captured)
	}
	if capture == nil {
		t.Error("capture racing the void was not refused")
	}
}

// Two captures in the same instant: the second is refused while the first runs, so exactly one
// capture step runs.
func TestConcurrentCapturesOneWins(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureManual)
	errs := make([]error, 4)
	acc := make([]bool, 4)
	for i := range errs {
		e.update(time.Hour, workflows.CaptureUpdate, &errs[i], &acc[i], workflows.CaptureInput{Amount: 50000})
	}
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	e.result(t)
	wins := 0
	for i, err := range errs {
		if err == nil && acc[i] {
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("%d captures succeeded (%v), want 1", wins, errs)
	}
	if n := strings.Count(strings.Join(e.log.get(), " "), "CaptureAuthorization"); n != 1 {
		t.Errorf("%d capture steps ran, want 1", n)
	}
}

// A capture the database cannot take (refunds committed above its amount) completes with a
// refusal and the payment keeps waiting: it can still be voided.
func TestCaptureRefusedByTheDatabaseKeepsWaiting(t *testing.T) {
	e := newAuthorizationEnv(t, activities.CaptureManual)
	e.refundsMoreThanAmount = true
	var capture, void error
	var acc1, acc2 bool
	e.update(time.Hour, workflows.CaptureUpdate, &capture, &acc1, workflows.CaptureInput{Amount: 10000})
	e.update(2*time.Hour, workflows.VoidUpdate, &void, &acc2)
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	got := e.result(t)
	refusal(t, capture, "cannot be captured")
	if void != nil || got.Status != "voided" {
		t.Errorf("void after the refused capture: %v, result %+v", void, got)
	}
}

// A payment input without a capture mode (started by earlier API code) ends at the outcome, as
// before: no version marker, no wait.
func TestWithoutCaptureModeEndsAtOutcome(t *testing.T) {
	e := newAuthorizationEnv(t, "")
	e.ExecuteWorkflow(workflows.PaymentWorkflow, e.in)
	if got := e.result(t); got != (workflows.PaymentResult{Status: "success"}) {
		t.Errorf("result = %+v, want success", got)
	}
	e.AssertActivityNotCalled(t, "VoidAuthorization", mock.Anything, mock.Anything)
}
