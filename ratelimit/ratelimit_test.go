package ratelimit

import (
	"testing"
	"time"
)

func TestBurstThenRate(t *testing.T) {
	l := New(1, 3) // 3 at once, then one a second
	now := time.Unix(1000, 0)
	for i := range 3 {
		if ok, _ := l.Allow("a", now); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("a", now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("4th request: ok=%v wait=%s", ok, wait)
	}
	if ok, _ := l.Allow("b", now); !ok {
		t.Error("another key shares the bucket")
	}
	if ok, _ := l.Allow("a", now.Add(time.Second)); !ok {
		t.Error("a token did not come back after a second")
	}
	if ok, _ := l.Allow("a", now.Add(time.Second)); ok {
		t.Error("refused requests took tokens they did not use, or the bucket over-filled")
	}
}

func TestSweepForgetsIdleKeys(t *testing.T) {
	l := New(10, 1)
	now := time.Unix(1000, 0)
	l.Allow("a", now)
	l.Allow("b", now.Add(2*time.Minute))
	if _, ok := l.buckets["a"]; ok || len(l.buckets) != 1 {
		t.Errorf("buckets after sweep: %v", l.buckets)
	}
}

func TestWaitTakesNothing(t *testing.T) {
	l := New(1, 1)
	now := time.Unix(1000, 0)
	if w := l.Wait("a", now); w != 0 {
		t.Fatalf("fresh key waits %s", w)
	}
	if w := l.Wait("a", now); w != 0 {
		t.Fatal("Wait took a token")
	}
	l.Allow("a", now)
	if w := l.Wait("a", now); w <= 0 {
		t.Error("an empty bucket reports no wait")
	}
}
