package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/paygate/paygate/activities"
	"github.com/paygate/paygate/workflows"
)

// a is the nil receiver the workflows themselves use to name their activities: a method value
// on it names the activity ("ValidatePayment") without an Activities value to call.
var a *activities.Activities

const paymentID = "pay_TestTestTestTest1"

var paymentInput = workflows.PaymentInput{
	PaymentID: paymentID, MerchantID: "9b2f4c9e-0000-4000-8000-000000000001", OrderID: "order_TestTestTestTest1",
	Amount: 50000, Currency: "INR", Method: "card",
	Webhooks: workflows.Deliveries{RetryIntervals: []time.Duration{time.Minute, 5 * time.Minute}},
}

// withEvents is the input with the webhook events the API recorded at creation.
func withEvents(events ...string) workflows.PaymentInput {
	in := paymentInput
	in.Webhooks.Events = events
	return in
}

// callLog records, in order, every activity call the workflow made with its argument. The
// mocks run on goroutines of their own, hence the lock.
type callLog struct {
	mu    sync.Mutex
	calls []string
	count map[string]int
}

// add logs a call of activity with arg and returns its attempt number: 1 on the activity's
// first call, 2 on its second, ...
func (l *callLog) add(activity string, arg any) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, fmt.Sprintf("%s(%+v)", activity, arg))
	if l.count == nil {
		l.count = map[string]int{}
	}
	l.count[activity]++
	return l.count[activity]
}

func (l *callLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.calls...)
}

// scripted returns the n-th (1-based) scripted answer; a call beyond the script is a bug in the
// workflow, answered with a non-retryable error so the workflow ends instead of retrying forever
// (the call log then shows the extra call).
func scripted(script []error, n int) error {
	if n > len(script) {
		return temporal.NewNonRetryableApplicationError("unexpected extra call", "UNEXPECTED_CALL", nil)
	}
	return script[n-1]
}

func TestPaymentWorkflow(t *testing.T) {
	declined := temporal.NewNonRetryableApplicationError("Card declined by the issuing bank", "CARD_DECLINED", nil)
	transient := errors.New("connect to bank: connection refused")
	dbDown := errors.New("record payment: dial tcp 127.0.0.1:5432: connection refused")

	settle := fmt.Sprintf("SettlePayment(%v)", paymentID)
	validate := fmt.Sprintf("ValidatePayment(%v)", paymentID)
	record := func(o activities.PaymentOutcome) string { return fmt.Sprintf("RecordPaymentOutcome(%+v)", o) }
	succeeded := activities.PaymentOutcome{PaymentID: paymentID, Status: "success"}
	// A first delivery attempt, as the workflow asks for it: attempt 1, the next one in 1 min.
	attempt := func(id string) string {
		return fmt.Sprintf("AttemptWebhook(%+v)", activities.AttemptRequest{LogID: id, Attempt: 1, RetryIn: time.Minute})
	}
	// The delivery workflow of an event whose first attempt failed: it goes on from attempt 2.
	delivery := func(id string) string {
		return fmt.Sprintf("WebhookDeliveryWorkflow(%+v)", workflows.DeliveryInput{
			LogID: id, FirstAttempt: 2, RetryIntervals: paymentInput.Webhooks.RetryIntervals})
	}

	cases := []struct {
		name     string
		in       workflows.PaymentInput
		check    activities.PaymentCheck // ValidatePayment's answer
		settle   []error                 // SettlePayment's answer per attempt
		record   []error                 // RecordPaymentOutcome's answer per attempt
		recorded []string                // the webhook events RecordPaymentOutcome returns
		stored   string                  // the status RecordPaymentOutcome finds stored, when not the one given
		failHook map[string]bool         // events whose first delivery attempt fails
		want     workflows.PaymentResult
		wantLog  []string // every payment step called, in order, with its exact argument
		wantHook []string // every webhook attempt, in order
		wantRetr []string // events handed to a WebhookDeliveryWorkflow
		settleN  int      // SettlePayment attempts
		recordN  int      // RecordPaymentOutcome attempts
	}{
		{
			name:    "success",
			in:      paymentInput,
			check:   activities.PaymentCheck{Status: "pending"},
			settle:  []error{nil},
			record:  []error{nil},
			want:    workflows.PaymentResult{Status: "success"},
			wantLog: []string{validate, settle, record(succeeded)},
			settleN: 1, recordN: 1,
		},
		{
			name:   "bank declines",
			in:     paymentInput,
			check:  activities.PaymentCheck{Status: "pending"},
			settle: []error{declined},
			record: []error{nil},
			want:   workflows.PaymentResult{Status: "failed", ErrorCode: "CARD_DECLINED"},
			wantLog: []string{validate, settle, record(activities.PaymentOutcome{
				PaymentID: paymentID, Status: "failed",
				ErrorCode: "CARD_DECLINED", ErrorDescription: "Card declined by the issuing bank",
			})},
			settleN: 1, recordN: 1,
		},
		{
			name:    "payment already final",
			in:      paymentInput,
			check:   activities.PaymentCheck{Status: "success"},
			want:    workflows.PaymentResult{Status: "success"},
			wantLog: []string{validate},
		},
		{
			name:    "payment already failed",
			in:      paymentInput,
			check:   activities.PaymentCheck{Status: "failed"},
			want:    workflows.PaymentResult{Status: "failed"},
			wantLog: []string{validate},
		},
		{
			name: "validation fails",
			in:   paymentInput,
			check: activities.PaymentCheck{Status: "pending", FailureCode: "ORDER_NOT_PAYABLE",
				FailureDescription: "Payment amount does not match the order"},
			record: []error{nil},
			want:   workflows.PaymentResult{Status: "failed", ErrorCode: "ORDER_NOT_PAYABLE"},
			wantLog: []string{validate, record(activities.PaymentOutcome{
				PaymentID: paymentID, Status: "failed",
				ErrorCode: "ORDER_NOT_PAYABLE", ErrorDescription: "Payment amount does not match the order",
			})},
			recordN: 1,
		},
		{
			name:    "transient settle error is retried",
			in:      paymentInput,
			check:   activities.PaymentCheck{Status: "pending"},
			settle:  []error{transient, nil},
			record:  []error{nil},
			want:    workflows.PaymentResult{Status: "success"},
			wantLog: []string{validate, settle, settle, record(succeeded)},
			settleN: 2, recordN: 1,
		},
		{
			name:    "transient record error is retried",
			in:      paymentInput,
			check:   activities.PaymentCheck{Status: "pending"},
			settle:  []error{nil},
			record:  []error{dbDown, nil},
			want:    workflows.PaymentResult{Status: "success"},
			wantLog: []string{validate, settle, record(succeeded), record(succeeded)},
			settleN: 1, recordN: 2,
		},
		{
			name:     "webhooks: creation events first, then the outcome's",
			in:       withEvents("evt_created", "evt_pending"),
			check:    activities.PaymentCheck{Status: "pending"},
			settle:   []error{nil},
			record:   []error{nil},
			recorded: []string{"evt_success"},
			want:     workflows.PaymentResult{Status: "success"},
			wantLog:  []string{validate, settle, record(succeeded)},
			wantHook: []string{attempt("evt_created"), attempt("evt_pending"), attempt("evt_success")},
			settleN:  1, recordN: 1,
		},
		{
			name:     "webhooks: a failed first attempt gets a delivery workflow",
			in:       withEvents("evt_created", "evt_pending"),
			check:    activities.PaymentCheck{Status: "pending"},
			settle:   []error{declined},
			record:   []error{nil},
			recorded: []string{"evt_failed"},
			failHook: map[string]bool{"evt_pending": true, "evt_failed": true},
			want:     workflows.PaymentResult{Status: "failed", ErrorCode: "CARD_DECLINED"},
			wantLog: []string{validate, settle, record(activities.PaymentOutcome{
				PaymentID: paymentID, Status: "failed",
				ErrorCode: "CARD_DECLINED", ErrorDescription: "Card declined by the issuing bank",
			})},
			wantHook: []string{attempt("evt_created"), attempt("evt_pending"), attempt("evt_failed")},
			wantRetr: []string{delivery("evt_pending"), delivery("evt_failed")},
			settleN:  1, recordN: 1,
		},
		{
			// A restarted run of a settled payment still finishes the deliveries it was given.
			name:     "webhooks: a payment already final still waits for its deliveries",
			in:       withEvents("evt_created", "evt_pending"),
			check:    activities.PaymentCheck{Status: "success"},
			failHook: map[string]bool{"evt_pending": true},
			want:     workflows.PaymentResult{Status: "success"},
			wantLog:  []string{validate},
			wantHook: []string{attempt("evt_created"), attempt("evt_pending")},
			wantRetr: []string{delivery("evt_pending")},
		},
		{
			// The worker crashed after recording the outcome and before sending it: the re-run
			// finds the payment final and sends the outcome event that was never attempted.
			name:     "webhooks: a payment already final sends its unsent outcome event",
			in:       withEvents("evt_created"),
			check:    activities.PaymentCheck{Status: "success", Events: []string{"evt_success"}},
			want:     workflows.PaymentResult{Status: "success"},
			wantLog:  []string{validate},
			wantHook: []string{attempt("evt_created"), attempt("evt_success")},
		},
		{
			// Another run recorded a different outcome first: the stored one wins.
			name:     "outcome recorded by another run",
			in:       withEvents(),
			check:    activities.PaymentCheck{Status: "pending"},
			settle:   []error{declined},
			record:   []error{nil},
			stored:   "success",
			recorded: []string{"evt_success"},
			want:     workflows.PaymentResult{Status: "success"},
			wantLog: []string{validate, settle, record(activities.PaymentOutcome{
				PaymentID: paymentID, Status: "failed",
				ErrorCode: "CARD_DECLINED", ErrorDescription: "Card declined by the issuing bank",
			})},
			wantHook: []string{attempt("evt_success")},
			settleN:  1, recordN: 1,
		},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.RegisterActivity(&activities.Activities{})
			steps, hooks, retries := &callLog{}, &callLog{}, &callLog{}

			env.OnActivity(a.ValidatePayment, mock.Anything, mock.Anything).Return(
				func(_ context.Context, id string) (activities.PaymentCheck, error) {
					if steps.add("ValidatePayment", id) > 1 {
						return activities.PaymentCheck{}, scripted(nil, 1)
					}
					return c.check, nil
				})
			env.OnActivity(a.SettlePayment, mock.Anything, mock.Anything).Return(
				func(_ context.Context, id string) error {
					return scripted(c.settle, steps.add("SettlePayment", id))
				})
			env.OnActivity(a.RecordPaymentOutcome, mock.Anything, mock.Anything).Return(
				func(_ context.Context, out activities.PaymentOutcome) (activities.Recorded, error) {
					if err := scripted(c.record, steps.add("RecordPaymentOutcome", out)); err != nil {
						return activities.Recorded{}, err
					}
					rec := activities.Recorded{Status: out.Status, Events: c.recorded}
					if c.stored != "" {
						rec.Status = c.stored
					}
					return rec, nil
				})
			env.OnActivity(a.AttemptWebhooks, mock.Anything, mock.Anything).Return(
				func(_ context.Context, req activities.AttemptsRequest) ([]activities.AttemptResult, error) {
					results := make([]activities.AttemptResult, len(req.LogIDs))
					for i, id := range req.LogIDs {
						hooks.add("AttemptWebhook", activities.AttemptRequest{LogID: id, Attempt: req.Attempt, RetryIn: req.RetryIn})
						results[i] = activities.AttemptResult{Delivered: !c.failHook[id], Final: !c.failHook[id]} // endpoint down: not final
					}
					return results, nil
				})
			env.OnWorkflow(workflows.WebhookDeliveryWorkflow, mock.Anything, mock.Anything).Return(
				func(_ workflow.Context, in workflows.DeliveryInput) (activities.AttemptResult, error) {
					retries.add("WebhookDeliveryWorkflow", in)
					return activities.AttemptResult{Delivered: true, Final: true}, nil
				})

			env.ExecuteWorkflow(workflows.PaymentWorkflow, c.in)

			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow failed: %v (calls %q)", err, steps.get())
			}
			var got workflows.PaymentResult
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("result = %+v, want %+v", got, c.want)
			}
			if calls := steps.get(); !reflect.DeepEqual(calls, c.wantLog) {
				t.Errorf("payment steps:\n got  %q\n want %q", calls, c.wantLog)
			}
			if calls := hooks.get(); !reflect.DeepEqual(calls, c.wantHook) {
				t.Errorf("webhook attempts:\n got  %q\n want %q", calls, c.wantHook)
			}
			if calls := retries.get(); !reflect.DeepEqual(calls, c.wantRetr) {
				t.Errorf("delivery workflows started:\n got  %q\n want %q", calls, c.wantRetr)
			}
			env.AssertActivityNumberOfCalls(t, "ValidatePayment", 1)
			env.AssertActivityNumberOfCalls(t, "SettlePayment", c.settleN)
			env.AssertActivityNumberOfCalls(t, "RecordPaymentOutcome", c.recordN)
		})
	}
}

// settleAlwaysFails runs a payment whose bank call fails with a retryable error every time,
// cancels it after a simulated hour (time skipping) and returns how often the bank was asked and
// how the workflow ended.
func settleAlwaysFails(t *testing.T) (env *testsuite.TestWorkflowEnvironment, attempts int, err error) {
	var s testsuite.WorkflowTestSuite
	env = s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.ValidatePayment, mock.Anything, paymentID).Return(activities.PaymentCheck{Status: "pending"}, nil)
	log := &callLog{}
	env.OnActivity(a.SettlePayment, mock.Anything, paymentID).Return(func(_ context.Context, id string) error {
		log.add("SettlePayment", id)
		// A retryable application error, as a real worker delivers every activity error to the
		// workflow (the test environment passes a plain error through unconverted): only its
		// being retryable tells it from a decline.
		return temporal.NewApplicationError("bank unreachable", "BankUnavailable")
	})
	env.OnActivity(a.RecordPaymentOutcome, mock.Anything, mock.Anything).Return(activities.Recorded{}, nil)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(workflows.PaymentWorkflow, paymentInput)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	return env, len(log.get()), env.GetWorkflowError()
}

// An error that is not a decline is retried and never turned into a failed payment: the
// payment stays pending (for the sweep to restart) rather than failing while the bank is down.
func TestTransientBankErrorNeverFailsThePayment(t *testing.T) {
	env, attempts, err := settleAlwaysFails(t)
	env.AssertActivityNotCalled(t, "RecordPaymentOutcome", mock.Anything, mock.Anything)
	if attempts < 2 {
		t.Errorf("SettlePayment attempts = %d, want retries", attempts)
	}
	var app *temporal.ApplicationError
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) && (!errors.As(err, &app) || app.Message() != "bank unreachable") {
		t.Errorf("workflow error = %v, want the bank's error or a cancellation", err)
	}
}

// The workflow keeps retrying the bank as long as it is down: after a simulated hour it is still
// retrying when canceled. (LocalActivityOptions without ScheduleToCloseTimeout would stop after
// one StartToCloseTimeout: the SDK's getValidatedLocalActivityOptions.)
func TestPaymentWorkflowRetriesTheBankForever(t *testing.T) {
	_, attempts, err := settleAlwaysFails(t)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Errorf("workflow error = %v, want it still retrying when canceled after an hour", err)
	}
	// Backoff 200 ms doubling to a 1 min cap: about 65 attempts in an hour.
	if attempts < 30 {
		t.Errorf("SettlePayment attempts in a simulated hour = %d, want it retried all along", attempts)
	}
}

// reply is a mocked sweep activity's answer.
type reply struct {
	n   int
	err error
}

// answers is a mocked sweep activity: it gives its reply and records every olderThan it was
// asked with.
type answers struct {
	reply

	mu        sync.Mutex
	olderThan []time.Duration
}

func (s *answers) fn(_ context.Context, d time.Duration) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.olderThan = append(s.olderThan, d)
	return s.n, s.err
}

func (s *answers) check(t *testing.T, activity string, wantCalls int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.olderThan) != wantCalls {
		t.Errorf("%s called %d times, want %d", activity, len(s.olderThan), wantCalls)
	}
	for _, d := range s.olderThan {
		if d != workflows.SweepInterval {
			t.Errorf("%s(olderThan = %v), want %v", activity, d, workflows.SweepInterval)
		}
	}
}

func TestPendingSweepWorkflow(t *testing.T) {
	dbDown := errors.New("connection refused")
	cases := []struct {
		name                       string
		payments, refunds, events  reply
		paymentsN, refundsN, evtsN int // calls; the retry policy allows 3 attempts
		want                       int
		wantErr                    bool
	}{
		{name: "restarts stale payments, refunds and unsent events",
			payments: reply{n: 3}, refunds: reply{n: 2}, events: reply{n: 4},
			paymentsN: 1, refundsN: 1, evtsN: 1, want: 9},
		{name: "nothing to restart", paymentsN: 1, refundsN: 1, evtsN: 1, want: 0},
		{name: "payments cannot be listed", payments: reply{err: dbDown},
			paymentsN: 3, wantErr: true},
		{name: "refunds cannot be listed", payments: reply{n: 1}, refunds: reply{err: dbDown},
			paymentsN: 1, refundsN: 3, wantErr: true},
		{name: "events cannot be listed", payments: reply{n: 1}, refunds: reply{n: 1}, events: reply{err: dbDown},
			paymentsN: 1, refundsN: 1, evtsN: 3, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.RegisterActivity(&activities.Activities{})
			payments, refunds, events := &answers{reply: c.payments}, &answers{reply: c.refunds}, &answers{reply: c.events}
			env.OnActivity(a.RestartStalePayments, mock.Anything, mock.Anything).Return(payments.fn)
			env.OnActivity(a.RestartStaleRefunds, mock.Anything, mock.Anything).Return(refunds.fn)
			env.OnActivity(a.RestartUnsentEvents, mock.Anything, mock.Anything).Return(events.fn)

			env.ExecuteWorkflow(workflows.PendingSweepWorkflow)

			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			err := env.GetWorkflowError()
			switch {
			case c.wantErr && err == nil:
				t.Error("workflow succeeded, want the activity's error")
			case !c.wantErr && err != nil:
				t.Errorf("workflow failed: %v", err)
			case !c.wantErr:
				var got int
				if err := env.GetWorkflowResult(&got); err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("restarted = %d, want %d", got, c.want)
				}
			}
			payments.check(t, "RestartStalePayments", c.paymentsN)
			refunds.check(t, "RestartStaleRefunds", c.refundsN)
			events.check(t, "RestartUnsentEvents", c.evtsN)
		})
	}
}
