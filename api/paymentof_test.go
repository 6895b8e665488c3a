package api

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paygate/paygate/db"
)

// paymentOf copies CreatePayment's row into a payment field by field: a column added to payments
// (and so to the row) must be copied too, or a new payment's response and events would lack it.
func TestPaymentOfCopiesEveryColumn(t *testing.T) {
	var row db.CreatePaymentRow
	rv := reflect.ValueOf(&row).Elem()
	for i := range rv.NumField() {
		setNonZero(t, rv.Type().Field(i).Name, rv.Field(i))
	}
	p := reflect.ValueOf(paymentOf(row))
	for i := range rv.NumField() {
		name := rv.Type().Field(i).Name
		if name == "Deliveries" { // the statement's own output, not a column
			continue
		}
		got := p.FieldByName(name)
		if !got.IsValid() {
			t.Errorf("db.Payment has no field %s", name)
			continue
		}
		if !reflect.DeepEqual(got.Interface(), rv.Field(i).Interface()) {
			t.Errorf("paymentOf does not copy %s", name)
		}
	}
}

// setNonZero gives a field a value that is not its zero value.
func setNonZero(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	if v.Kind() == reflect.Pointer {
		v.Set(reflect.New(v.Type().Elem()))
		v = v.Elem()
	}
	switch x := v.Addr().Interface().(type) {
	case *string:
		*x = "x-" + name
	case *int64:
		*x = 42
	case *int32:
		*x = 42
	case *bool:
		*x = true
	case *time.Time:
		*x = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	case *uuid.UUID:
		*x = uuid.New()
	case *[]string:
		*x = []string{"x"}
	default:
		t.Fatalf("field %s: no test value for %s", name, v.Type())
	}
}
