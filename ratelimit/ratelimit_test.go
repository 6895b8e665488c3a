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

func TestTakeAllTakesFromEveryBucketOrNone(t *testing.T) {
	strict, loose := New(1, 2), New(1, 10)
	now := time.Unix(1000, 0)
	for i := range 2 {
		if tokens, wait := TakeAll(now, Bucket{strict, "a"}, Bucket{loose, "a"}, Bucket{nil, "ignored"}); len(tokens) != 2 || wait != 0 {
			t.Fatalf("take %d: %v, wait %s", i+1, tokens, wait)
		}
	}
	tokens, wait := TakeAll(now, Bucket{loose, "a"}, Bucket{strict, "a"})
	if tokens != nil || wait != time.Second {
		t.Fatalf("with the strict bucket empty: %v, wait %s", tokens, wait)
	}
	// The loose bucket got back what the refused take had taken from it: 8 left.
	for i := range 8 {
		if ok, _ := loose.Allow("a", now); !ok {
			t.Fatalf("loose bucket lost a token to a refused take (%d left)", i)
		}
	}
	if ok, _ := loose.Allow("a", now); ok {
		t.Error("loose bucket over-filled")
	}
}

func TestGiveBack(t *testing.T) {
	l := New(1.0/60, 2)
	now := time.Unix(1000, 0)
	first, _ := TakeAll(now, Bucket{l, "a"})
	TakeAll(now, Bucket{l, "a"})
	// Given back later (a login checked), the token is there again; a second give-back does
	// not fill the bucket over its burst.
	first.GiveBack(now.Add(500 * time.Millisecond))
	if ok, _ := l.Allow("a", now.Add(time.Second)); !ok {
		t.Fatal("the token given back is not there")
	}
	first.GiveBack(now.Add(2 * time.Second))
	first.GiveBack(now.Add(2 * time.Second))
	first.GiveBack(now.Add(2 * time.Second))
	for range 2 {
		if ok, _ := l.Allow("a", now.Add(2*time.Second)); !ok {
			t.Fatal("a full bucket refused")
		}
	}
	if ok, _ := l.Allow("a", now.Add(2*time.Second)); ok {
		t.Error("giving back filled the bucket over its burst")
	}
}

func TestPer(t *testing.T) {
	if Per(0, time.Minute, 5) != nil {
		t.Error("0 a minute is not unlimited")
	}
	l := Per(6, time.Minute, 1) // one every 10 s
	now := time.Unix(1000, 0)
	l.Allow("a", now)
	if ok, wait := l.Allow("a", now); ok || wait != 10*time.Second {
		t.Errorf("second request: ok=%v wait=%s", ok, wait)
	}
}
