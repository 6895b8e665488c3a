package api

import (
	"context"
	"sync"

	"github.com/paygate/paygate/requestid"
)

// launcher starts workflows off the request path: a payment is answered as soon as it is
// committed, and its workflow starts right after, as a queue like Bull's would run a job. Nothing
// is lost if the process dies first: the pending sweep starts what is committed and not started.
// When the queue is full the start runs in the request, so clients slow down as Temporal falls
// behind instead of the queue growing without bound.
type launcher struct {
	jobs chan func(context.Context)
	wg   sync.WaitGroup
}

func newLauncher(workers, queue int) *launcher {
	l := &launcher{jobs: make(chan func(context.Context), queue)}
	for range workers {
		l.wg.Go(func() {
			for job := range l.jobs {
				job(context.Background())
			}
		})
	}
	return l
}

// launch queues job, which gets a context carrying ctx's request id but not its cancellation.
func (l *launcher) launch(ctx context.Context, job func(context.Context)) {
	id := requestid.From(ctx)
	withID := func(bg context.Context) { job(requestid.With(bg, id)) }
	select {
	case l.jobs <- withID:
	default:
		withID(context.WithoutCancel(ctx))
	}
}

// close runs what is queued and stops the workers.
func (l *launcher) close() {
	close(l.jobs)
	l.wg.Wait()
}
