package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxOffset is the deepest page skip (or offset) reaches: an offset reads and throws away every
// row before the page, so deeper pages are read with a cursor instead.
const maxOffset = 10_000

// The bounds a list query always passes when the request sets none, so that its range and row
// comparison stay in the SQL (and in the index scan) whatever the request.
var (
	farPast   = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)
	farFuture = time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)
)

// listQuery is what every list reads from its query string: limit (1-100, default 10); at most
// one of starting_after (the page older than that object), ending_before (the page just newer
// than it) and skip/offset; and the creation range created[gte|gt|lte|lt], kept as
// [createdGTE, createdLT) in PostgreSQL's microseconds.
type listQuery struct {
	limit, offset int32
	startingAfter string
	endingBefore  string
	createdGTE    time.Time
	createdLT     time.Time
}

// readList parses a list's query string; every bad value is a 400 that says what is wrong.
func readList(r *http.Request) (listQuery, error) {
	q := r.URL.Query()
	l := listQuery{limit: 10, createdGTE: farPast, createdLT: farFuture,
		startingAfter: q.Get("starting_after"), endingBefore: q.Get("ending_before")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return l, badRequest("limit must be an integer from 1 to 100")
		}
		l.limit = int32(n)
	}
	for _, name := range []string{"skip", "offset"} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > maxOffset {
				return l, badRequest("%s must be an integer from 0 to %d; page deeper with starting_after or ending_before (the id of the last or first object of a page)", name, maxOffset)
			}
			l.offset = int32(n)
		}
	}
	if l.startingAfter != "" && l.endingBefore != "" {
		return l, badRequest("starting_after and ending_before cannot be used together")
	}
	if l.offset > 0 && (l.startingAfter != "" || l.endingBefore != "") {
		return l, badRequest("skip cannot be used with starting_after or ending_before")
	}
	for _, name := range []string{"gte", "gt", "lte", "lt"} {
		v := q.Get("created[" + name + "]")
		if v == "" {
			continue
		}
		t, err := parseInstant(v)
		if err != nil {
			return l, badRequest("created[%s] must be a time as Unix seconds or ISO 8601, such as 2026-01-02T15:04:05Z (a + in a zone is sent as %%2B)", name)
		}
		floor := t.Truncate(time.Microsecond)
		ceil := floor
		if ceil.Before(t) {
			ceil = ceil.Add(time.Microsecond)
		}
		switch name {
		case "gte":
			l.narrow(ceil, farFuture)
		case "gt":
			l.narrow(floor.Add(time.Microsecond), farFuture)
		case "lte":
			l.narrow(farPast, floor.Add(time.Microsecond))
		case "lt":
			l.narrow(farPast, ceil)
		}
	}
	return l, nil
}

// narrow keeps the creation range within [from, before).
func (l *listQuery) narrow(from, before time.Time) {
	if from.After(l.createdGTE) {
		l.createdGTE = from
	}
	if before.Before(l.createdLT) {
		l.createdLT = before
	}
}

// parseInstant reads Unix seconds, an RFC 3339 time (ISO 8601 with a zone) or an ISO 8601 date
// (midnight UTC), between the years 1 and 9999.
func parseInstant(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < farPast.Unix() || n > farFuture.Unix() {
			return time.Time{}, errors.New("out of range")
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	return time.Parse(time.DateOnly, v)
}

// newer tells whether the page is the one just newer than ending_before's object.
func (l listQuery) newer() bool { return l.endingBefore != "" }

// cursor is the position the page starts from, (created_at, id), with find giving the creation
// time of one of the merchant's objects of this list (pgx.ErrNoRows if it is not one). With no
// cursor it is (far future, empty id), before every row.
func (l listQuery) cursor(kind string, find func(id string) (time.Time, error)) (time.Time, string, error) {
	name, id := "starting_after", l.startingAfter
	if l.newer() {
		name, id = "ending_before", l.endingBefore
	}
	if id == "" {
		return farFuture, "", nil
	}
	at, err := find(id)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, "", badRequest("%s must be the id of one of your %s", name, kind)
	}
	return at, id, err
}

// fetch is how many rows a page query asks for: one more than the page, to know if there are more.
func (l listQuery) fetch() int32 { return l.limit + 1 }

// page trims rows fetched with fetch() to the page, newest first, and tells whether there are
// more in the direction of paging (older, or for ending_before newer).
func page[T any](l listQuery, rows []T) ([]T, bool) {
	more := len(rows) > int(l.limit)
	if more {
		rows = rows[:l.limit]
	}
	if l.newer() {
		slices.Reverse(rows)
	}
	return rows, more
}

// parseAuditID reads an audit log entry id (a positive integer) of a cursor; anything else is
// no entry.
func parseAuditID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return 0, pgx.ErrNoRows
	}
	return n, nil
}

// totalSpan is how a list's total is counted for its creation range without reading every row
// (the Count* queries): with no range, the merchant's all-time running totals (whole); else
// the whole UTC days of the range, [firstDay, endDay), from the daily running totals, and the
// rows of the partial days at either end, [headGTE, headLT) and [tailGTE, tailLT), counted through
// the list's index: at most two days of rows, however many are stored. Empty spans are [t, t).
type totalSpan struct {
	whole                            bool
	firstDay, endDay                 time.Time
	headGTE, headLT, tailGTE, tailLT time.Time
}

// span splits the list's creation range for its total.
func (l listQuery) span() totalSpan {
	gte, lt := l.createdGTE.UTC(), l.createdLT.UTC()
	if gte.Equal(farPast) && lt.Equal(farFuture) {
		return totalSpan{whole: true, firstDay: farPast, endDay: farPast,
			headGTE: farPast, headLT: farPast, tailGTE: farPast, tailLT: farPast}
	}
	const day = 24 * time.Hour
	first := gte.Truncate(day) // UTC midnight: Truncate counts from the zero time, a UTC midnight
	if first.Before(gte) {
		first = first.Add(day)
	}
	end := lt.Truncate(day)
	if !first.Before(end) {
		return totalSpan{firstDay: first, endDay: first, headGTE: gte, headLT: lt, tailGTE: lt, tailLT: lt}
	}
	return totalSpan{firstDay: first, endDay: end, headGTE: gte, headLT: first, tailGTE: end, tailLT: lt}
}
