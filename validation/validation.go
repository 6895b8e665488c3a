// Package validation checks payment instruments (UPI VPAs and cards) before anything is stored.
package validation

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Errors a caller maps to the API's error codes.
var (
	ErrInvalidVPA  = errors.New("invalid VPA format")
	ErrInvalidCard = errors.New("invalid card number")
	ErrExpiredCard = errors.New("card has expired")
	ErrInvalidCVV  = errors.New("invalid CVV")
	// ErrInvalidExpiry reports an expiry month or year that is not a date at all.
	ErrInvalidExpiry = errors.New("invalid card expiry")
)

var vpaPattern = regexp.MustCompile(`^[a-zA-Z0-9._-]+@[a-zA-Z0-9]+$`)

// VPA checks a UPI virtual payment address such as user@bank.
func VPA(vpa string) error {
	if len(vpa) > 255 || !vpaPattern.MatchString(vpa) {
		return ErrInvalidVPA
	}
	return nil
}

// Card networks.
const (
	Visa       = "visa"
	Mastercard = "mastercard"
	Amex       = "amex"
	RuPay      = "rupay"
	Unknown    = "unknown"
)

// CardNumber normalises a card number (spaces and dashes removed) and checks that it has
// 13 to 19 digits and passes the Luhn check.
func CardNumber(number string) (string, error) {
	digits := strings.NewReplacer(" ", "", "-", "").Replace(number)
	if len(digits) < 13 || len(digits) > 19 {
		return "", ErrInvalidCard
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return "", ErrInvalidCard
		}
	}
	if !luhn(digits) {
		return "", ErrInvalidCard
	}
	return digits, nil
}

func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// Network names the card network from the number's leading digits.
func Network(digits string) string {
	prefix := func(n int) int {
		if len(digits) < n {
			return -1
		}
		v, err := strconv.Atoi(digits[:n])
		if err != nil {
			return -1
		}
		return v
	}
	switch p1, p2, p3, p4 := prefix(1), prefix(2), prefix(3), prefix(4); {
	case p1 == 4:
		return Visa
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return Mastercard
	case p2 == 34, p2 == 37:
		return Amex
	case p2 == 60, p2 == 65, p2 == 81, p2 == 82, p3 == 508:
		return RuPay
	default:
		return Unknown
	}
}

// Expiry checks a card's expiry month (1-12) and year (two or four digits): the card is valid
// through the last day of that month, in the given instant's UTC calendar.
func Expiry(month, year string, now time.Time) error {
	m, err := strconv.Atoi(strings.TrimSpace(month))
	if err != nil || m < 1 || m > 12 {
		return ErrInvalidExpiry
	}
	year = strings.TrimSpace(year)
	y, err := strconv.Atoi(year)
	if err != nil || y < 0 {
		return ErrInvalidExpiry
	}
	switch len(year) {
	case 2:
		y += 2000
	case 4:
	default:
		return ErrInvalidExpiry
	}
	now = now.UTC()
	if y < now.Year() || (y == now.Year() && m < int(now.Month())) {
		return ErrExpiredCard
	}
	return nil
}

// CVV checks a card verification value: 3 digits, or 4 for Amex.
func CVV(cvv, network string) error {
	want := 3
	if network == Amex {
		want = 4
	}
	if len(cvv) != want && !(network == Unknown && (len(cvv) == 3 || len(cvv) == 4)) {
		return ErrInvalidCVV
	}
	for _, c := range cvv {
		if c < '0' || c > '9' {
			return ErrInvalidCVV
		}
	}
	return nil
}
