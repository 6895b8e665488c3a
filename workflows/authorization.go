package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/requestid"
)

// The updates a payment workflow takes while its successful payment awaits capture. The API calls
// them and answers with their outcome; their validators refuse what the payment cannot take, so a
// refused capture or void leaves no trace in the workflow's history.
const (
	// CaptureUpdate captures an amount (CaptureInput) of the authorization.
	CaptureUpdate = "capture"
	// VoidUpdate releases the authorization uncaptured, with void_reason requested.
	VoidUpdate = "void"
	// AdvanceUpdate moves the payment's test clock (AdvanceInput): the expiry fires now if it is
	// due within the time given. The API offers it in test mode only.
	AdvanceUpdate = "advance"
)

// Values of the PaymentStatus search attribute of a payment workflow whose payment succeeded with
// a capture mode: authorized while it awaits capture, then captured or voided.
const (
	StatusAuthorized = "authorized"
	StatusCaptured   = "captured"
	StatusVoided     = activities.StatusVoided
)

// MinCapture is the smallest amount a capture may take, in minor units (₹1.00).
const MinCapture = 100

// RefusedError is the type of the application error a validator refuses an update with: its
// message says why, for the API's 400.
const RefusedError = "REFUSED"

// authorizationChange is the version of PaymentWorkflow that captures and voids in the workflow:
// runs recorded before it end at the outcome.
const authorizationChange = "authorization-lifecycle"

// CaptureInput is the argument of CaptureUpdate.
type CaptureInput struct {
	Amount int64
}

// AdvanceInput is the argument of AdvanceUpdate.
type AdvanceInput struct {
	By time.Duration
}

// withLifecycle reports whether a successful payment's workflow goes on to its capture: it must
// have been started with a capture mode (payments of earlier API code were not), and the run must
// not have been recorded by earlier workflow code.
func withLifecycle(ctx workflow.Context, in PaymentInput) bool {
	return in.Capture != "" && !in.CaptureExpiresAt.IsZero() && workflow.GetVersion(ctx, authorizationChange, workflow.DefaultVersion, 1) == 1
}

// authorization is the state of a payment awaiting capture, shared by the workflow's wait and its
// update handlers (which the SDK runs one at a time, between the workflow's steps).
type authorization struct {
	in PaymentInput
	// busy names the capture or void whose step runs; others are refused meanwhile.
	busy string
	// closed: the payment no longer awaits capture (captured, voided, or changed otherwise, as
	// stored in status and captured).
	closed   bool
	status   string
	captured bool
	reason   string // a void's reason
	// advanced is how far the test clock was moved; seen, how far the wait has taken into account.
	advanced, seen time.Duration
}

func refused(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), RefusedError)
}

// refuseChange says why the payment takes no capture or void now, or nil if it may.
func (st *authorization) refuseChange() error {
	switch {
	case st.closed && st.captured:
		return refused("Payment is already captured")
	case st.closed && st.status == StatusVoided && st.reason == activities.VoidExpired:
		return refused("Payment authorization has expired (voided)")
	case st.closed && st.status == StatusVoided:
		return refused("Payment is voided")
	case st.closed:
		return refused("Payment not in capturable state (%s)", st.status)
	case st.busy != "":
		return refused("A %s of this payment is in progress", st.busy)
	}
	return nil
}

func (st *authorization) validateCapture(_ workflow.Context, c CaptureInput) error {
	if err := st.refuseChange(); err != nil {
		return err
	}
	switch {
	case c.Amount < MinCapture:
		return refused("Capture amount must be at least %d", MinCapture)
	case c.Amount > st.in.Amount:
		return refused("Capture amount exceeds the payment amount (%d)", st.in.Amount)
	}
	return nil
}

// change runs a capture or void step and takes in its outcome.
func (st *authorization) change(ctx workflow.Context, hooks *webhookSender, kind string, step, req any) (activities.Authorization, error) {
	st.busy = kind
	defer func() { st.busy = "" }()
	var out activities.Authorization
	if err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localSteps), step, req).Get(ctx, &out); err != nil {
		return out, err
	}
	hooks.send(ctx, out.Events)
	if !out.Open() {
		st.closed, st.status, st.captured = true, out.Status, out.Captured
	}
	return out, nil
}

// awaitCapture keeps a successful, uncaptured payment's workflow open until it is captured or
// voided (CaptureUpdate, VoidUpdate) or its authorization expires at in.CaptureExpiresAt, on a
// durable timer: waiting costs no worker slot and no polling. PaymentStatus shows authorized
// meanwhile, then captured or voided.
func awaitCapture(ctx workflow.Context, in PaymentInput, hooks *webhookSender) (PaymentResult, error) {
	var a *activities.Activities
	st := &authorization{in: in, status: activities.StatusSuccess}
	err := workflow.SetUpdateHandlerWithOptions(ctx, CaptureUpdate, func(ctx workflow.Context, c CaptureInput) error {
		out, err := st.change(ctx, hooks, "capture", a.CaptureAuthorization, activities.CaptureRequest{PaymentID: in.PaymentID, Amount: c.Amount})
		if err == nil && !out.Done {
			// Refunds committed more than this amount meanwhile, or the payment changed.
			return refused("Payment cannot be captured for %d (status %s; refunds may exceed the amount)", c.Amount, out.Status)
		}
		return err
	}, workflow.UpdateHandlerOptions{Validator: st.validateCapture})
	if err != nil {
		return PaymentResult{}, err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, VoidUpdate, func(ctx workflow.Context) error {
		out, err := st.change(ctx, hooks, "void", a.VoidAuthorization, activities.VoidRequest{PaymentID: in.PaymentID, Reason: activities.VoidRequested})
		if err == nil && out.Done {
			st.reason = activities.VoidRequested
		} else if err == nil {
			return refused("Payment cannot be voided (status %s; a refunded payment cannot be voided)", out.Status)
		}
		return err
	}, workflow.UpdateHandlerOptions{Validator: func(workflow.Context) error {
		if st.closed && st.captured {
			return refused("Payment is captured; refund it instead")
		}
		return st.refuseChange()
	}})
	if err != nil {
		return PaymentResult{}, err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, AdvanceUpdate, func(ctx workflow.Context, adv AdvanceInput) error {
		st.advanced += adv.By
		want := st.advanced
		return workflow.Await(ctx, func() bool { return st.closed || st.seen >= want })
	}, workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, adv AdvanceInput) error {
		if adv.By <= 0 {
			return refused("by must be a positive duration")
		}
		return nil
	}})
	if err != nil {
		return PaymentResult{}, err
	}

	if err := workflow.UpsertTypedSearchAttributes(ctx, PaymentStatusAttr.ValueSet(StatusAuthorized)); err != nil {
		return PaymentResult{}, err
	}
	// The outcome's events get their retries now, not when the authorization ends.
	if err := hooks.finish(ctx); err != nil {
		return PaymentResult{}, err
	}
	for !st.closed {
		remaining := in.CaptureExpiresAt.Sub(workflow.Now(ctx)) - st.advanced
		switch {
		case remaining > 0:
			st.seen = st.advanced
			seen := st.advanced
			_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
				Timeout: remaining, TimerOptions: workflow.TimerOptions{Summary: "capture expiry"},
			}, func() bool { return st.closed || st.advanced != seen })
			if err != nil {
				return PaymentResult{}, err
			}
		case st.busy != "": // expired while a capture or void runs: its outcome decides
			if err := workflow.Await(ctx, func() bool { return st.busy == "" }); err != nil {
				return PaymentResult{}, err
			}
		default:
			out, err := st.change(ctx, hooks, "void", a.VoidAuthorization, activities.VoidRequest{PaymentID: in.PaymentID, Reason: activities.VoidExpired})
			if err != nil {
				return PaymentResult{}, err
			}
			if out.Done {
				st.reason = activities.VoidExpired
			} else if out.Open() {
				// Partly refunded: it cannot be voided; it stays as it is, capturable through the API.
				st.closed = true
			}
		}
	}
	// Let the handler that closed it, and the test clock's, return their answers.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return PaymentResult{}, err
	}
	attr := st.status
	switch {
	case st.captured:
		attr = StatusCaptured
	case st.status == activities.StatusSuccess:
		attr = StatusAuthorized
	}
	workflow.GetLogger(ctx).Info("authorization ended", "payment_id", in.PaymentID, "status", st.status,
		"captured", st.captured, "void_reason", st.reason, "request_id", requestid.FromWorkflow(ctx))
	return PaymentResult{Status: st.status, Captured: st.captured}, finish(ctx, hooks, attr)
}
