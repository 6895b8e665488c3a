package ids

import (
	"regexp"
	"testing"
)

func TestNew(t *testing.T) {
	pattern := regexp.MustCompile(`^pay_[A-Za-z0-9]{16}$`)
	seen := map[string]bool{}
	for range 10000 {
		id := New(Payment)
		if !pattern.MatchString(id) {
			t.Fatalf("%q does not match %s", id, pattern)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestRandomUsesWholeAlphabet(t *testing.T) {
	counts := map[rune]int{}
	for _, c := range Random(62 * 200) {
		counts[c]++
	}
	if len(counts) != 62 {
		t.Fatalf("saw %d distinct characters, want 62", len(counts))
	}
}
