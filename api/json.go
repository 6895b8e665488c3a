package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// readBody reads the request body up to maxBody.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &Error{http.StatusRequestEntityTooLarge, CodePayloadTooLarge, "Request body is larger than 1 MiB"}
	}
	if err != nil {
		return nil, badRequest("Could not read the request body")
	}
	return body, nil
}

// decodeJSON parses a JSON object body into dst, turning every kind of bad input into a 400 that
// says what is wrong.
func decodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("Request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	err := dec.Decode(dst)
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return badRequest("Request body must be a JSON object")
	case errors.As(err, &typeErr):
		return badRequest("%s must be %s", typeErr.Field, describeType(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("Request body is not valid JSON")
	case err != nil:
		return badRequest("Request body is not valid JSON")
	}
	if dec.More() {
		return badRequest("Request body must hold a single JSON object")
	}
	return nil
}

func describeType(kind string) string {
	switch kind {
	case "int64", "int", "int32":
		return "an integer"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "map", "struct":
		return "an object"
	default:
		return "of another type"
	}
}

// optional is a JSON field that tells an absent value (Set false) from null (Set and Null)
// and from a value.
type optional[T any] struct {
	Value T
	Set   bool
	Null  bool
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// flexString accepts a JSON string or number, for fields such as a card's expiry month that
// integrators send either way.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflectString}
	}
	*f = flexString(n.String())
	return nil
}

var reflectString = reflect.TypeOf("")

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"code":"SERVER_ERROR","description":"Something went wrong on our side"}}`, http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, body)
}

// writeRaw writes every JSON answer of the API: body with its status, typed so that no browser
// reads it as anything but JSON.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
