package workflows_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paygate/paygate/workflows"
)

// blocked queues a start that holds the queue's only runner until the returned func is called.
func blocked(t *testing.T, q *workflows.StartQueue) (release func()) {
	t.Helper()
	running, release1 := make(chan struct{}), make(chan struct{})
	q.Go(context.Background(), func(context.Context) { close(running); <-release1 })
	<-running
	var once sync.Once
	release = func() { once.Do(func() { close(release1) }) }
	t.Cleanup(release)
	return release
}

func TestStartQueueRunsStartsInOrderAfterGoReturns(t *testing.T) {
	q := workflows.NewStartQueue(10, 1)
	release := blocked(t, q)
	var mu sync.Mutex
	var ran []int
	for i := range 5 {
		q.Go(context.Background(), func(context.Context) { mu.Lock(); ran = append(ran, i); mu.Unlock() })
	}
	mu.Lock()
	if len(ran) != 0 || q.Len() != 5 {
		t.Fatalf("before the runner is free: ran %v, queued %d; want nothing run and 5 queued", ran, q.Len())
	}
	mu.Unlock()
	release()
	if left := q.Close(context.Background()); left != 0 {
		t.Errorf("Close left %d starts", left)
	}
	if !slices.Equal(ran, []int{0, 1, 2, 3, 4}) {
		t.Errorf("ran %v, want 0 to 4 in order", ran)
	}
}

func TestStartQueueFullRunsStartInCaller(t *testing.T) {
	q := workflows.NewStartQueue(1, 1)
	release := blocked(t, q)
	defer func() { release(); q.Close(context.Background()) }()
	q.Go(context.Background(), func(context.Context) {}) // fills the queue
	ran := false
	q.Go(context.Background(), func(context.Context) { ran = true })
	if !ran {
		t.Error("a start that did not fit the queue had not run when Go returned")
	}
}

func TestStartQueueKeepsValuesNotCancellation(t *testing.T) {
	q := workflows.NewStartQueue(1, 1)
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "req_1"))
	answered := make(chan struct{})
	var value any
	var err error
	q.Go(ctx, func(ctx context.Context) { <-answered; value, err = ctx.Value(key{}), ctx.Err() })
	cancel() // the request is answered
	close(answered)
	q.Close(context.Background())
	if value != "req_1" || err != nil {
		t.Errorf("start's context: value %v, err %v; want the request's value and no cancellation", value, err)
	}
}

func TestStartQueueCloseGivesUpAtDeadline(t *testing.T) {
	q := workflows.NewStartQueue(10, 1)
	cancelled := make(chan struct{})
	running := make(chan struct{})
	q.Go(context.Background(), func(ctx context.Context) { close(running); <-ctx.Done(); close(cancelled) })
	<-running
	skippedRan := false
	for range 3 {
		q.Go(context.Background(), func(context.Context) { skippedRan = true })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if left := q.Close(ctx); left != 3 {
		t.Errorf("Close left %d starts to the sweep, want 3", left)
	}
	select {
	case <-cancelled:
	default:
		t.Error("the start running at the deadline was not cancelled")
	}
	if skippedRan {
		t.Error("a start queued behind the deadline ran after Close gave up")
	}
	after := false
	q.Go(context.Background(), func(context.Context) { after = true })
	if !after {
		t.Error("a start after Close was not run in the caller")
	}
}
