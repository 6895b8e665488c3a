package api

import (
	"testing"
	"time"

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
