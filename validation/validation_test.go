package validation

import (
	"errors"
	"testing"
	"time"
)

func TestVPA(t *testing.T) {
	for vpa, ok := range map[string]bool{
		"user@paytm": true, "first.last-1_x@okhdfc": true, "failure@upi": true,
		"": false, "user": false, "@bank": false, "user@": false, "user@ban-k": false,
		"us er@bank": false, "user@bank@x": false, "user@bank.com": false,
	} {
		if err := VPA(vpa); (err == nil) != ok {
			t.Errorf("VPA(%q) = %v, want ok=%v", vpa, err, ok)
		}
	}
}

func TestCardNumber(t *testing.T) {
	cases := []struct {
		in, digits, network string
	}{
		{"4111111111111111", "4111111111111111", Visa},
		{"4111 1111 1111 1111", "4111111111111111", Visa},
		{"4000-0000-0000-0002", "4000000000000002", Visa},
		{"5555555555554444", "5555555555554444", Mastercard},
		{"2223003122003222", "2223003122003222", Mastercard},
		{"378282246310005", "378282246310005", Amex},
		{"6521 0000 0000 0007", "6521000000000007", RuPay},
		{"5085 0000 0000 0000 6", "50850000000000006", RuPay},
		{"3530111333300000", "3530111333300000", Unknown},
	}
	for _, c := range cases {
		digits, err := CardNumber(c.in)
		if err != nil || digits != c.digits {
			t.Errorf("CardNumber(%q) = %q, %v; want %q", c.in, digits, err, c.digits)
			continue
		}
		if got := Network(digits); got != c.network {
			t.Errorf("Network(%q) = %q, want %q", digits, got, c.network)
		}
	}
	for _, bad := range []string{"", "4111111111111112", "411111111111", "41111111111111111111", "4111a11111111111", "４１１１１１１１１１１１１１１１"} {
		if _, err := CardNumber(bad); !errors.Is(err, ErrInvalidCard) {
			t.Errorf("CardNumber(%q) = %v, want ErrInvalidCard", bad, err)
		}
	}
}

func TestNetworkPrefixEdges(t *testing.T) {
	for digits, want := range map[string]string{
		"2220999999999999": Unknown, "2221000000000000": Mastercard, "2720999999999999": Mastercard,
		"2721000000000000": Unknown, "5099999999999999": Unknown, "5600000000000000": Unknown,
		"8100000000000000": RuPay, "8200000000000000": RuPay, "8300000000000000": Unknown,
	} {
		if got := Network(digits); got != want {
			t.Errorf("Network(%s) = %s, want %s", digits, got, want)
		}
	}
}

func TestExpiry(t *testing.T) {
	now := time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)
	cases := []struct {
		month, year string
		want        error
	}{
		{"11", "2026", nil}, {"11", "26", nil}, {"12", "26", nil}, {"1", "2027", nil}, {"01", "30", nil},
		{"10", "2026", ErrExpiredCard}, {"12", "2025", ErrExpiredCard}, {"10", "26", ErrExpiredCard},
		{"0", "2027", ErrInvalidExpiry}, {"13", "2027", ErrInvalidExpiry}, {"ab", "2027", ErrInvalidExpiry},
		{"12", "202", ErrInvalidExpiry}, {"12", "-27", ErrInvalidExpiry}, {"12", "", ErrInvalidExpiry},
	}
	for _, c := range cases {
		if got := Expiry(c.month, c.year, now); !errors.Is(got, c.want) && got != c.want {
			t.Errorf("Expiry(%q, %q) = %v, want %v", c.month, c.year, got, c.want)
		}
	}
}

func TestCVV(t *testing.T) {
	cases := []struct {
		cvv, network string
		ok           bool
	}{
		{"123", Visa, true}, {"1234", Amex, true}, {"123", Amex, false}, {"1234", Visa, false},
		{"12a", Visa, false}, {"", Visa, false}, {"1234", Unknown, true},
	}
	for _, c := range cases {
		if err := CVV(c.cvv, c.network); (err == nil) != c.ok {
			t.Errorf("CVV(%q, %s) = %v, want ok=%v", c.cvv, c.network, err, c.ok)
		}
	}
}

func FuzzCardNumber(f *testing.F) {
	for _, s := range []string{"4111111111111111", "4000 0000 0000 0002", "", "9", "4111-1111"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		digits, err := CardNumber(in)
		if err != nil {
			return
		}
		if len(digits) < 13 || len(digits) > 19 || !luhn(digits) {
			t.Fatalf("accepted %q as %q", in, digits)
		}
		_ = Network(digits)
	})
}

func FuzzVPA(f *testing.F) {
	for _, s := range []string{"user@upi", "a@b", "", "@", "x@y@z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if VPA(in) == nil && !vpaPattern.MatchString(in) {
			t.Fatalf("accepted %q", in)
		}
	})
}
