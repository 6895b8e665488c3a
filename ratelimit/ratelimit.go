// Package ratelimit keeps a token bucket per key (an email, an address, an API key) in memory.
// Each process limits on its own: with N API replicas a client gets up to N times the rate.
//
// The buckets are our own rather than golang.org/x/time/rate's: a login takes its token before
// the password is checked and a successful one gives it back, and rate.Reservation cannot give
// back a token once the moment it was taken has passed.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter is a set of token buckets, one per key, created full on first use.
type Limiter struct {
	rate  float64 // tokens per second
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time // when tokens was computed
}

// New returns a limiter allowing burst requests at once and perSecond on average, per key.
func New(perSecond float64, burst int) *Limiter {
	return &Limiter{rate: perSecond, burst: float64(burst), buckets: map[string]*bucket{}}
}

// Per returns a limiter allowing burst requests at once and n per period on average, per key;
// nil (no limit) when n is 0.
func Per(n int, period time.Duration, burst int) *Limiter {
	if n <= 0 {
		return nil
	}
	return New(float64(n)/period.Seconds(), max(burst, 1))
}

// Allow takes a token from key's bucket. When none is left it takes nothing and returns false and
// how long until one will be.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.bucket(key, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// giveBack returns a token to key's bucket, which never holds more than the burst.
func (l *Limiter) giveBack(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, now)
	b.tokens = min(b.tokens+1, l.burst)
}

// bucket returns key's bucket refilled up to now. The caller holds l.mu.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if now.After(b.last) {
		b.tokens = min(b.tokens+now.Sub(b.last).Seconds()*l.rate, l.burst)
		b.last = now
	}
	return b
}

// sweep forgets buckets idle long enough to have refilled, once a minute.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	full := time.Duration(l.burst/l.rate*float64(time.Second)) + time.Second
	for k, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, k)
		}
	}
}

// Bucket names one key of one limiter; a nil Limiter is no limit.
type Bucket struct {
	Limiter *Limiter
	Key     string
}

// Tokens are tokens taken by TakeAll.
type Tokens []Bucket

// TakeAll takes a token from every bucket, or from none: when one is empty, it gives back those
// it took and returns how long until all have a token.
func TakeAll(now time.Time, buckets ...Bucket) (Tokens, time.Duration) {
	var taken Tokens
	var wait time.Duration
	for _, b := range buckets {
		if b.Limiter == nil {
			continue
		}
		if ok, w := b.Limiter.Allow(b.Key, now); ok {
			taken = append(taken, b)
		} else {
			wait = max(wait, w)
		}
	}
	if wait > 0 {
		taken.GiveBack(now)
		return nil, wait
	}
	return taken, 0
}

// GiveBack returns the tokens to their buckets: for an attempt that does not count, such as a
// successful login.
func (t Tokens) GiveBack(now time.Time) {
	for _, b := range t {
		b.Limiter.giveBack(b.Key, now)
	}
}
