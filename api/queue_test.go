package api

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestLivePollers(t *testing.T) {
	now := time.Now()
	polled := func(ago time.Duration) *taskqueuepb.PollerInfo {
		return &taskqueuepb.PollerInfo{LastAccessTime: timestamppb.New(now.Add(-ago))}
	}
	cases := []struct {
		name    string
		pollers []*taskqueuepb.PollerInfo
		want    bool
	}{
		{"none", nil, false},
		{"polling now", []*taskqueuepb.PollerInfo{polled(time.Second)}, true},
		{"idle worker between long polls", []*taskqueuepb.PollerInfo{polled(65 * time.Second)}, true},
		{"gone for minutes", []*taskqueuepb.PollerInfo{polled(3 * time.Minute)}, false},
		{"one gone, one live", []*taskqueuepb.PollerInfo{polled(3 * time.Minute), polled(time.Second)}, true},
		{"no access time", []*taskqueuepb.PollerInfo{{}}, false},
	}
	for _, c := range cases {
		if got := livePollers(c.pollers, now); got != c.want {
			t.Errorf("%s: livePollers = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestJobCounts(t *testing.T) {
	n := map[enumspb.WorkflowExecutionStatus]int64{
		enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:          4,
		enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:        7,
		enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:           1,
		enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:        1,
		enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:       1,
		enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:         1,
		enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: 9, // not a job's end
	}
	cases := []struct {
		name                        string
		sleepsBetweenSteps, workers bool
		want                        queueCounts
	}{
		{"payments with a worker", false, true, queueCounts{Active: 4, Completed: 7, Failed: 4}},
		{"payments without a worker", false, false, queueCounts{Waiting: 4, Completed: 7, Failed: 4}},
		{"deliveries between attempts", true, true, queueCounts{Waiting: 4, Completed: 7, Failed: 4}},
	}
	for _, c := range cases {
		if got := jobCounts(n, c.sleepsBetweenSteps, c.workers); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
