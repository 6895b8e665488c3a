// Package requestid carries the id of the HTTP request that started a payment, refund or webhook
// delivery into its workflow and activities, through Temporal headers, so that one id ties
// together every log line of that work.
package requestid

import (
	"context"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"
)

type key struct{}

// header is the Temporal header the id travels in.
const header = "request-id"

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the id ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// FromWorkflow returns the id a workflow was started with, or "".
func FromWorkflow(ctx workflow.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// Propagator is the Temporal context propagator of the id; give it to the client.
type Propagator struct{}

var _ workflow.ContextPropagator = Propagator{}

// Inject writes the id of a client or activity context into outgoing headers.
func (Propagator) Inject(ctx context.Context, w workflow.HeaderWriter) error {
	return inject(From(ctx), w)
}

// InjectFromWorkflow writes the workflow's id into the headers of what it starts.
func (Propagator) InjectFromWorkflow(ctx workflow.Context, w workflow.HeaderWriter) error {
	return inject(FromWorkflow(ctx), w)
}

// Extract reads the id from incoming headers into an activity's context.
func (Propagator) Extract(ctx context.Context, r workflow.HeaderReader) (context.Context, error) {
	if id := extract(r); id != "" {
		return With(ctx, id), nil
	}
	return ctx, nil
}

// ExtractToWorkflow reads the id from incoming headers into a workflow's context.
func (Propagator) ExtractToWorkflow(ctx workflow.Context, r workflow.HeaderReader) (workflow.Context, error) {
	if id := extract(r); id != "" {
		return workflow.WithValue(ctx, key{}, id), nil
	}
	return ctx, nil
}

func inject(id string, w workflow.HeaderWriter) error {
	if id == "" {
		return nil
	}
	p, err := converter.GetDefaultDataConverter().ToPayload(id)
	if err != nil {
		return err
	}
	w.Set(header, p)
	return nil
}

func extract(r workflow.HeaderReader) string {
	p, ok := r.Get(header)
	if !ok {
		return ""
	}
	var id string
	if converter.GetDefaultDataConverter().FromPayload(p, &id) != nil {
		return ""
	}
	return id
}
