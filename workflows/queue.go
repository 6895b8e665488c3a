package workflows

import (
	"context"
	"sync"
	"sync/atomic"
)

// StartQueue runs workflow starts in the background, in the order they were queued, so that an
// API request answers once its transaction has committed instead of waiting for Temporal. What
// it holds is already durable: the committed payment, refund or event is pending in PostgreSQL,
// and the pending sweep starts it should this process die first.
//
// A full queue runs the start in the caller instead, which slows callers to the pace Temporal
// keeps. A nil *StartQueue always runs starts in the caller.
type StartQueue struct {
	starts chan queuedStart
	// stop cancels starts still running when Close gives up waiting.
	stop    context.CancelFunc
	stopped context.Context
	running sync.WaitGroup
	skipped atomic.Int64 // starts not run because Close gave up

	mu     sync.RWMutex // guards closed against Go sending on a closed channel
	closed bool
}

type queuedStart struct {
	ctx   context.Context
	start func(context.Context)
}

// NewStartQueue returns a queue of at most size starts, run by concurrency goroutines.
func NewStartQueue(size, concurrency int) *StartQueue {
	stopped, stop := context.WithCancel(context.Background())
	q := &StartQueue{starts: make(chan queuedStart, size), stop: stop, stopped: stopped}
	for range max(concurrency, 1) {
		q.running.Add(1)
		go q.run()
	}
	return q
}

func (q *StartQueue) run() {
	defer q.running.Done()
	for s := range q.starts {
		if q.stopped.Err() != nil {
			q.skipped.Add(1)
			continue
		}
		ctx, cancel := context.WithCancel(s.ctx)
		unlink := context.AfterFunc(q.stopped, cancel)
		s.start(ctx)
		unlink()
		cancel()
	}
}

// Go queues start. It keeps ctx's values (a request id, for the logs) but not its cancellation:
// the request it came from is answered before start runs. When the queue is full or closed, or
// q is nil, Go runs start itself before returning.
func (q *StartQueue) Go(ctx context.Context, start func(context.Context)) {
	ctx = context.WithoutCancel(ctx)
	if q != nil {
		q.mu.RLock()
		queued := false
		if !q.closed {
			select {
			case q.starts <- queuedStart{ctx, start}:
				queued = true
			default:
			}
		}
		q.mu.RUnlock()
		if queued {
			return
		}
	}
	start(ctx)
}

// Len is the number of starts waiting.
func (q *StartQueue) Len() int { return len(q.starts) }

// Close stops queueing and waits for the queued starts to run, or for ctx to end; it returns how
// many it left to the pending sweep.
func (q *StartQueue) Close(ctx context.Context) (left int) {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.starts)
	}
	q.mu.Unlock()
	done := make(chan struct{})
	go func() { q.running.Wait(); close(done) }()
	select {
	case <-done:
		return 0
	case <-ctx.Done():
		q.stop()
		<-done
		return int(q.skipped.Load())
	}
}
