package api_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/paygate/paygate/gatewaytest"
)

func clientOptions(gw *gatewaytest.Stack, id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: gw.Config.TaskQueue}
}

// Operators find payments in the Web UI by search attributes: the outcome is visible as
// PaymentStatus once the workflow ends.
func TestPaymentWorkflowsAreSearchable(t *testing.T) {
	gw := gatewaytest.Start(t)
	ok := paidPayment(t, gw, 50000)
	failed := gw.MustCreate(t, "/api/v1/payments", map[string]any{"order_id": newOrder(t, gw, 700), "method": "card", "card": card("4000000000000002")})
	failedID := failed["id"].(string)
	gw.WaitForStatus(t, "/api/v1/payments/"+failedID)

	query := func(q string) []string {
		// Tests share the Temporal server: each sees only its own task queue.
		q += ` AND TaskQueue = "` + gw.Config.TaskQueue + `"`
		resp, err := gw.Temporal.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range resp.Executions {
			ids = append(ids, e.Execution.WorkflowId)
		}
		return ids
	}
	merchant := `MerchantId = "550e8400-e29b-41d4-a716-446655440000"`
	cases := map[string][]string{
		merchant + ` AND PaymentStatus = "failed" AND WorkflowType = "PaymentWorkflow"`:  {failedID},
		merchant + ` AND PaymentStatus = "success" AND WorkflowType = "PaymentWorkflow"`: {ok},
		`PaymentMethod = "card" AND Amount = 700`:                                        {failedID},
		`PaymentId = "` + ok + `"`:                                                       {ok},
	}
	deadline := time.Now().Add(10 * time.Second)
	for q, want := range cases {
		for {
			got := query(q)
			if len(got) == len(want) && got[0] == want[0] {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s = %v, want %v", q, got, want)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	desc, err := gw.Temporal.DescribeWorkflowExecution(t.Context(), ok, "")
	if err != nil {
		t.Fatal(err)
	}
	if summary := desc.GetExecutionConfig().GetUserMetadata().GetSummary(); summary == nil || !strings.Contains(string(summary.GetData()), "UPI ₹500.00 for order_") {
		t.Errorf("static summary = %v", summary)
	}
}
