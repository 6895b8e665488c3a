//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostile is one request a broken or hostile client sends.
type hostile struct {
	category     string
	method, path string
	body         []byte
	headers      map[string]string // a header given as "" is removed (the credentials)
	anonymous    bool              // sent without credentials
	status       int               // the status expected; 0: any 4xx
}

// injections are strings that try to break out of where they are put: SQL, markup, templates,
// shell, paths, control characters, odd Unicode.
var injections = []string{
	`' OR '1'='1`, `'; DROP TABLE payments; --`, `1; SELECT pg_sleep(10)--`, `" OR ""="`,
	`order_1' UNION SELECT api_secret_hash::text FROM merchants--`, `<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`, `{{7*7}}`, `${7*7}`, `${jndi:ldap://127.0.0.1:1/a}`,
	`../../../../etc/passwd`, `..%2f..%2fetc%2fpasswd`, "abc\x00def", "a\r\nX-Injected: 1", "\u202egnp.exe",
	"𝕒𝕓𝕔", `\u0000`, `%00`, `$(id)`, "`id`", `; ls -la`, `[$ne]=1`, strings.Repeat("A", 5000),
}

// bodyRoutes are the routes that read a JSON body.
var bodyRoutes = []struct {
	method, path string
	anonymous    bool
}{
	{"POST", "/api/v1/orders", false},
	{"POST", "/api/v1/payments", false},
	{"POST", "/api/v1/refunds", false},
	{"POST", "/api/v1/payments/pay_doesnotexist00/refunds", false},
	{"POST", "/api/v1/payments/pay_doesnotexist00/capture", false},
	{"PUT", "/api/v1/webhooks/config", false},
	{"POST", "/api/v1/payments/public", true},
	{"POST", "/api/v1/auth/register", true},
	{"POST", "/api/v1/auth/login", true},
}

// badJSON are bodies that are not one JSON object.
var badJSON = []string{
	"", " ", "{", "}", "[", "]", "[]", "123", `"str"`, "true", `{"amount":}`, `{'amount': 100}`, `{"a":1}{"b":2}`,
	`{} trailing`, `{"amount": NaN}`, `{"amount": 1e400}`, "\xff\xfe\xfd", "\xef\xbb\xbf{}", `{"amount": 10`, `{"a":"\x01"}`,
	`{"amount": 100, }`, `{,}`, `{"amount" 100}`, `nul`, `{"card": {"number": "4111"`, strings.Repeat("[", 20000),
	strings.Repeat(`{"a":`, 12000), `{"amount": 0x10}`, `{"amount": +100}`, `{"amount": 01}`,
}

// wrongTyped are bodies of the right shape with wrong types or values, by route.
var wrongTyped = map[string][]string{
	"/api/v1/orders": {
		`{"amount":"100"}`, `{"amount":1.5}`, `{"amount":true}`, `{"amount":[]}`, `{"amount":{}}`, `{"amount":null}`,
		`{"amount":-1}`, `{"amount":0}`, `{"amount":99}`, `{"amount":1e30}`, `{"amount":9223372036854775808}`,
		`{"amount":500,"currency":5}`, `{"amount":500,"currency":"XYZ"}`, `{"amount":500,"currency":"inr"}`,
		`{"amount":500,"receipt":5}`, `{"amount":500,"receipt":"` + strings.Repeat("r", 41) + `"}`,
		`{"amount":500,"notes":"x"}`, `{"amount":500,"notes":[1]}`, `{"amount":500,"notes":` + manyKeys(16) + `}`,
		`{"amount":500,"notes":{"big":"` + strings.Repeat("n", 5000) + `"}}`,
	},
	"/api/v1/payments": {
		`{"order_id":5,"method":"upi","vpa":"a@b"}`, `{"order_id":"order_x","method":5}`, `{"order_id":"order_x","method":"cash"}`,
		`{"order_id":"order_x","method":"upi","vpa":5}`, `{"order_id":"order_x","method":"upi"}`, `{"order_id":"order_x","method":"card"}`,
		`{"order_id":"order_x","method":"card","card":"4111111111111111"}`, `{"order_id":"order_x","method":"card","card":[]}`,
		`{"order_id":"order_x","method":"card","card":{"number":4111111111111111}}`, `{"method":"upi","vpa":"user@upi"}`,
		card(`"4111111111111112"`, `"12"`, `"2030"`, `"123"`, `"A"`), card(`"4111111111111111"`, `"13"`, `"2030"`, `"123"`, `"A"`),
		card(`"4111111111111111"`, `"01"`, `"2020"`, `"123"`, `"A"`), card(`"4111111111111111"`, `{}`, `"2030"`, `"123"`, `"A"`),
		card(`"4111111111111111"`, `"12"`, `"2030"`, `123`, `"A"`), card(`"4111111111111111"`, `"12"`, `"2030"`, `"12"`, `"A"`),
		card(`"4111111111111111"`, `"12"`, `"2030"`, `"123"`, `""`), card(`"4111111111111111"`, `"12"`, `"2030"`, `"123"`, `"`+strings.Repeat("h", 101)+`"`),
		card(`"４１１１１１１１１１１１１１１１"`, `"12"`, `"2030"`, `"123"`, `"A"`), card(`"4111 1111 1111 111a"`, `"12"`, `"30"`, `"123"`, `"A"`),
		card(`"4111111111111111"`, `"12"`, `"20300"`, `"123"`, `"A"`), card(`"4111111111111111"`, `"-1"`, `"2030"`, `"123"`, `"A"`),
	},
	"/api/v1/refunds": {
		`{"payment_id":5}`, `{"payment_id":"pay_x","amount":"5"}`, `{"payment_id":"pay_x","amount":0}`, `{"amount":100}`,
		`{"payment_id":"pay_x","reason":"` + strings.Repeat("r", 256) + `"}`, `{"payment_id":"pay_x","amount":-5}`,
	},
	"/api/v1/webhooks/config": {
		`{"webhook_url":5}`, `{"webhook_url":null}`, `{}`, `{"webhook_url":["http://127.0.0.1/"]}`,
		`{"webhook_url":"file:///etc/passwd"}`, `{"webhook_url":"javascript:alert(1)"}`, `{"webhook_url":"ftp://127.0.0.1/"}`,
		`{"webhook_url":"http://169.254.169.254/latest/meta-data/"}`, `{"webhook_url":"http://[fe80::1]/"}`,
		`{"webhook_url":"http://0.0.0.0/"}`, `{"webhook_url":"http://100.100.100.200/"}`, `{"webhook_url":"http://user:pw@127.0.0.1/"}`,
		`{"webhook_url":"http://` + strings.Repeat("1", 2050) + `/"}`, `{"webhook_url":"http:///nohost"}`,
	},
	"/api/v1/auth/register": {
		`{"name":5}`, `{"name":"A","email":"not-an-email","password":"password1","confirmPassword":"password1"}`,
		`{"name":"A","email":"a@example.com","password":"short","confirmPassword":"short"}`,
		`{"name":"A","email":"a@example.com","password":"password1","confirmPassword":"password2"}`,
		`{"name":"","email":"a@example.com","password":"password1","confirmPassword":"password1"}`,
		`{"name":"A","email":"Asha <a@example.com>","password":"password1","confirmPassword":"password1"}`,
		`{"name":"A","email":"test@example.com","password":"password1","confirmPassword":"password1"}`,
	},
}

func card(number, month, year, cvv, holder string) string {
	return fmt.Sprintf(`{"order_id":"order_doesnotexist","method":"card","card":{"number":%s,"expiry_month":%s,"expiry_year":%s,"cvv":%s,"holder_name":%s}}`,
		number, month, year, cvv, holder)
}

func manyKeys(n int) string {
	m := map[string]int{}
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = i
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// hostileRequests returns n requests, a fixed set and then random picks (from a fixed seed), that
// the API must all refuse with a 4xx.
func hostileRequests(n int) []hostile {
	rng := rand.New(rand.NewPCG(20261126, 1))
	var out []hostile
	add := func(h hostile) { out = append(out, h) }

	// Bodies just over the 1 MiB limit and far over it, on every body route; exactly 1 MiB is
	// read (and refused for what it says).
	for _, size := range []int{1<<20 + 1, 1<<20 + 4096, 2 << 20} {
		for _, r := range bodyRoutes[:8] {
			body := `{"receipt":"` + strings.Repeat("x", size-len(`{"receipt":""}`)) + `"}`
			add(hostile{category: "oversized", method: r.method, path: r.path, anonymous: r.anonymous, body: []byte(body), status: http.StatusRequestEntityTooLarge})
		}
	}
	add(hostile{category: "oversized", method: "POST", path: "/api/v1/orders",
		body: []byte(`{"amount":"` + strings.Repeat("1", 1<<20-len(`{"amount":""}`)) + `"}`), status: http.StatusBadRequest})

	// Methods and routes that do not exist, objects that do not exist.
	for _, r := range []struct {
		method, path string
		status       int
	}{
		{"DELETE", "/api/v1/payments", 405}, {"PUT", "/api/v1/orders", 405}, {"PATCH", "/api/v1/refunds", 405},
		{"DELETE", "/api/v1/orders/order_x", 405}, {"PUT", "/api/v1/webhooks", 405},
		{"POST", "/api/v1/health", 405}, {"GET", "/api/v1/does-not-exist", 404}, {"GET", "/api/v2/payments", 404},
		{"GET", "/api/v1/payments/pay_doesnotexist00", 404}, {"GET", "/api/v1/orders/order_doesnotexist", 404},
		{"GET", "/api/v1/refunds/rfnd_doesnotexist", 404}, {"GET", "/api/v1/webhooks/evt_doesnotexist", 404},
		{"POST", "/api/v1/webhooks/evt_doesnotexist/retry", 404}, {"POST", "/api/v1/webhooks/test", 400},
	} {
		add(hostile{category: "route", method: r.method, path: r.path, status: r.status})
	}

	// Credentials missing, wrong or hostile; a forged session cookie.
	for _, hs := range []map[string]string{
		{"X-Api-Key": "", "X-Api-Secret": ""}, {"X-Api-Secret": "wrong"}, {"X-Api-Key": "", "X-Api-Secret": testAPISecret},
		{"X-Api-Key": testAPIKey, "X-Api-Secret": ""}, {"X-Api-Key": "key_test_abc124"}, {"X-Api-Key": `' OR '1'='1`},
		{"X-Api-Secret": `' OR '1'='1`}, {"X-Api-Key": strings.Repeat("k", 4000)},
		{"X-Api-Key": "", "X-Api-Secret": "", "Cookie": "gw_session=forged"},
	} {
		for _, p := range []string{"/api/v1/payments", "/api/v1/orders", "/api/v1/auth/me", "/api/v1/stats"} {
			add(hostile{category: "auth", method: "GET", path: p, headers: hs, status: http.StatusUnauthorized})
		}
	}

	// Amounts past the documented ceiling (99 999 999): two such orders once made /stats overflow.
	for _, amount := range []string{"100000000", "9223372036854775807", "9223372036854775808"} {
		add(hostile{category: "wrong_type", method: "POST", path: "/api/v1/orders", body: []byte(`{"amount":` + amount + `}`), status: http.StatusBadRequest})
	}

	// Idempotency keys the API refuses, on a body it would accept.
	for _, key := range []string{strings.Repeat("k", 256), "tab\tkey", "ключ", "é"} {
		add(hostile{category: "injection", method: "POST", path: "/api/v1/orders", body: []byte(`{"amount":500}`),
			headers: map[string]string{"Idempotency-Key": key}, status: http.StatusBadRequest})
	}
	// Query parameters: paging out of range, dates that are not, filters that are not a status,
	// a method or an event.
	query := func(k, v string) string { return "?" + url.Values{k: {v}}.Encode() }
	for _, q := range []string{query("limit", "abc"), query("limit", "0"), query("limit", "101"), query("limit", "-1"), query("skip", "-1"),
		query("offset", "x"), query("limit", "99999999999999999999"), query("skip", "1000001"), query("limit", "' OR 1=1--")} {
		for _, p := range []string{"/api/v1/payments", "/api/v1/orders", "/api/v1/refunds", "/api/v1/webhooks"} {
			add(hostile{category: "injection", method: "GET", path: p + q, status: http.StatusBadRequest})
		}
	}
	for _, q := range []string{query("from", "2020-13-45"), query("to", "' OR 1=1--"), query("from", "<script>"), query("to", "2026-02-30")} {
		add(hostile{category: "injection", method: "GET", path: "/api/v1/payments" + q, status: http.StatusBadRequest})
	}
	for _, inj := range injections {
		for _, f := range []string{"/api/v1/payments?status=", "/api/v1/payments?method=", "/api/v1/webhooks?event=", "/api/v1/webhooks?status="} {
			add(hostile{category: "injection", method: "GET", path: f + url.QueryEscape(inj), status: http.StatusBadRequest})
		}
	}

	// The rest: random syntax errors, wrong types and injections, on random routes.
	for len(out) < n {
		switch rng.IntN(4) {
		case 0: // not one JSON object
			r := bodyRoutes[rng.IntN(len(bodyRoutes))]
			body := []byte(badJSON[rng.IntN(len(badJSON))])
			if rng.IntN(4) == 0 {
				body = make([]byte, 1+rng.IntN(300))
				for i := range body {
					body[i] = byte(rng.IntN(256))
				}
			}
			add(hostile{category: "malformed", method: r.method, path: r.path, anonymous: r.anonymous, body: body})
		case 1: // wrong types and values
			r := bodyRoutes[[]int{0, 1, 2, 5, 7}[rng.IntN(5)]]
			bodies := wrongTyped[r.path]
			add(hostile{category: "wrong_type", method: r.method, path: r.path, anonymous: r.anonymous, body: []byte(bodies[rng.IntN(len(bodies))])})
		case 2: // injections in bodies
			b, _ := json.Marshal(injections[rng.IntN(len(injections))])
			inj := string(b)
			bodies := []struct {
				route int // in bodyRoutes
				body  string
			}{
				{1, `{"order_id":` + inj + `,"method":"upi","vpa":"user@upi"}`},
				{1, `{"order_id":"order_doesnotexist","method":"upi","vpa":` + inj + `}`},
				{1, `{"order_id":` + inj + `,"method":"card","card":{"number":"4111111111111111","expiry_month":"12","expiry_year":"2030","cvv":"123","holder_name":` + inj + `}}`},
				{1, `{"order_id":"order_doesnotexist","method":` + inj + `}`},
				{2, `{"payment_id":` + inj + `,"amount":100,"reason":` + inj + `}`},
				{6, `{"key":` + inj + `,"order_id":"order_x","method":"upi","vpa":"user@upi"}`},
				{6, `{"key":"key_test_abc123","order_id":` + inj + `,"method":"upi","vpa":"user@upi"}`},
				{0, `{"amount":` + inj + `,"receipt":` + inj + `}`},
				{0, `{"amount":1,"receipt":` + inj + `,"notes":{"k":` + inj + `}}`},
				{7, `{"name":` + inj + `,"email":` + inj + `,"password":"x","confirmPassword":"x"}`},
				{8, `{"email":` + inj + `,"password":` + inj + `}`},
				{5, `{"webhook_url":"http://169.254.169.254/` + strings.Trim(inj, `"`) + `"}`},
			}
			pick := bodies[rng.IntN(len(bodies))]
			r := bodyRoutes[pick.route]
			add(hostile{category: "injection", method: r.method, path: r.path, anonymous: r.anonymous, body: []byte(pick.body)})
		case 3: // injections as ids in paths: no such object, or, for a NUL, a bad request (slashes
			// and dot segments left out: the router answers them with a redirect to the clean path)
			raw := injections[rng.IntN(len(injections))]
			if strings.ContainsAny(raw, "/.") {
				continue
			}
			status := http.StatusNotFound
			if strings.Contains(raw, "\x00") {
				status = http.StatusBadRequest
			}
			id := url.PathEscape(raw)
			paths := []string{"/api/v1/payments/" + id, "/api/v1/orders/" + id, "/api/v1/refunds/" + id, "/api/v1/webhooks/" + id, "/api/v1/orders/" + id + "/public"}
			p := paths[rng.IntN(len(paths))]
			add(hostile{category: "injection", method: "GET", path: p, anonymous: strings.HasSuffix(p, "/public"), status: status})
		}
	}
	return out[:n]
}

// TestHostileRequests sends 1 000 malformed, oversized, wrongly typed and injection-laden
// requests, 8 at a time: every one is answered 4xx in the API's error shape without echoing the
// input, nothing is written, and the gateway is healthy and takes a payment afterwards.
func TestHostileRequests(t *testing.T) {
	figures.track(t)
	s := startDev(t, options{})
	db := openDB(t, s.dbURL)
	anon := newAPIClient(s.base, "", "")
	reqs := hostileRequests(1000)
	answers := make([]response, len(reqs))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := s.api
				if reqs[i].anonymous {
					c = anon
				}
				answers[i] = c.do(ctx, reqs[i].method, reqs[i].path, reqs[i].body, reqs[i].headers)
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	figures.faults.Add(int64(len(reqs)))

	byCategory := map[string]*tally{}
	var problems []string
	for i, h := range reqs {
		r := answers[i]
		if byCategory[h.category] == nil {
			byCategory[h.category] = &tally{}
		}
		byCategory[h.category].add(r)
		what := fmt.Sprintf("%s %s %s (%d-byte body %q)", h.category, h.method, truncate(h.path, 80), len(h.body), truncate(string(h.body), 80))
		switch {
		case r.Err != nil || r.Status < 400 || r.Status > 499:
			problems = append(problems, fmt.Sprintf("%s: %s", what, r))
		case h.status != 0 && r.Status != h.status:
			problems = append(problems, fmt.Sprintf("%s: want %d, got %s", what, h.status, r))
		case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !errorCodes[r.code()]:
			problems = append(problems, fmt.Sprintf("%s: not the error shape: %s", what, r))
		case strings.Contains(string(r.Body), "<script") || strings.Contains(string(r.Body), "SELECT"):
			problems = append(problems, fmt.Sprintf("%s: the answer echoes the input: %s", what, r))
		}
	}
	report(t, fmt.Sprintf("of %d hostile requests not refused properly", len(reqs)), problems)

	var written, merchants int
	err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM payments) + (SELECT count(*) FROM refunds)
		+ (SELECT count(*) FROM idempotency_keys) + (SELECT count(*) FROM merchants WHERE webhook_url IS NOT NULL),
		(SELECT count(*) FROM merchants)`).Scan(&written, &merchants)
	if err != nil {
		t.Fatal(err)
	}
	if written != 0 || merchants != 1 {
		t.Errorf("hostile requests wrote %d orders, payments, refunds, idempotency keys or webhook URLs, and left %d merchants", written, merchants)
	}
	if h := s.api.get(ctx, "/health"); h.Status != http.StatusOK {
		t.Fatalf("not healthy after the hostile requests: %s", h)
	}
	var after tally
	id, err := s.api.createPaid(ctx, "after-hostile", 1, 12345, &after, nil)
	if err != nil {
		t.Fatalf("no payment after the hostile requests: %v", err)
	}
	waitFinal(t, db, []string{id}, time.Minute)
	checkSettledOnce(t, db, []string{id})

	// Refund amounts that are not a positive integer, on a real payment: refused, nothing
	// reserved. Only an absent amount means "everything"; null once refunded it all.
	var refundProblems []string
	for _, amount := range []string{"null", `"5000"`, "0", "-1", "1.5", "1e400", "9223372036854775808", "true", "[]"} {
		body := []byte(`{"amount":` + amount + `}`)
		if r := s.api.do(ctx, "POST", "/api/v1/payments/"+id+"/refunds", body, nil); r.Status != http.StatusBadRequest {
			refundProblems = append(refundProblems, fmt.Sprintf("refund with amount %s: want 400, got %s", amount, r))
		}
	}
	var refunded int64
	if err := db.QueryRow(ctx, `SELECT amount_refunded FROM payments WHERE id = $1`, id).Scan(&refunded); err != nil || refunded != 0 {
		refundProblems = append(refundProblems, fmt.Sprintf("refused refunds reserved %d (%v)", refunded, err))
	}
	report(t, "refund amounts not refused", refundProblems)

	var lines []string
	for c, tl := range byCategory {
		lines = append(lines, c+": "+tl.String())
	}
	sort.Strings(lines)
	t.Logf("%d hostile requests, %d answered outside the contract; then healthy, and a payment went through\n  %s",
		len(reqs), len(problems), strings.Join(lines, "\n  "))
}
