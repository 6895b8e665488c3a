package api_test

// These tests keep api/openapi.json true:
//
//   - TestOpenAPIDocument checks the document on its own: every $ref resolves, every schema is valid
//     JSON Schema 2020-12, path parameters match their templates, and the enums that mirror Go
//     constants (error codes, currencies, statuses, events, audit actions) equal them.
//   - TestOpenAPIRoutes compares the routes registered in server.go (read with go/parser) with the
//     documented operations, both ways, and then asks the live router about every operation.
//   - TestOpenAPIResponses drives real flows through a live gateway and validates every answer
//     (status, body, headers) and every webhook delivery against the document.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/paygate/paygate/auth"
	"github.com/paygate/paygate/config"
	"github.com/paygate/paygate/gatewaytest"
)

const specURL = "file:///paygate/api/openapi.json"

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// openAPI is the document, decoded, with a schema compiler over it.
type openAPI struct {
	raw []byte
	doc map[string]any

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

func loadOpenAPI(t testing.TB) *openAPI {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	s := &openAPI{raw: raw, schemas: map[string]*jsonschema.Schema{}}
	if err := json.Unmarshal(raw, &s.doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	s.compiler = jsonschema.NewCompiler()
	s.compiler.DefaultDraft(jsonschema.Draft2020)
	s.compiler.AssertFormat()
	if err := s.compiler.AddResource(specURL, inst); err != nil {
		t.Fatal(err)
	}
	return s
}

// pointer builds a JSON pointer from unescaped tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, tok := range tokens {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	return b.String()
}

// lookup returns the value at a JSON pointer of the document.
func (s *openAPI) lookup(ptr string) (any, bool) {
	var v any = s.doc
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// deref follows $ref (a Reference Object) until it reaches an object, returning it and its pointer.
func (s *openAPI) deref(ptr string) (map[string]any, string) {
	for range 10 {
		v, _ := s.lookup(ptr)
		m, _ := v.(map[string]any)
		ref, isRef := m["$ref"].(string)
		if !isRef {
			return m, ptr
		}
		ptr = strings.TrimPrefix(ref, "#")
	}
	return nil, ptr
}

// schema compiles the schema at a pointer of the document.
func (s *openAPI) schema(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[ptr]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(specURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	s.schemas[ptr] = sch
	return sch, nil
}

// validate checks a JSON text against the schema at ptr.
func (s *openAPI) validate(ptr string, body []byte) error {
	sch, err := s.schema(ptr)
	if err != nil {
		return fmt.Errorf("schema %s does not compile: %w", ptr, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

// validateString checks a header or query value, read as a number when the schema wants one.
func (s *openAPI) validateString(ptr, value string) error {
	sch, err := s.schema(ptr)
	if err != nil {
		return fmt.Errorf("schema %s does not compile: %w", ptr, err)
	}
	err = sch.Validate(value)
	if err != nil {
		if _, perr := strconv.ParseFloat(value, 64); perr == nil && sch.Validate(json.Number(value)) == nil {
			return nil
		}
	}
	return err
}

// operations lists "METHOD template" for every documented operation.
func (s *openAPI) operations() []string {
	var ops []string
	paths, _ := s.doc["paths"].(map[string]any)
	for tmpl, item := range paths {
		for _, m := range httpMethods {
			if _, ok := item.(map[string]any)[m]; ok {
				ops = append(ops, strings.ToUpper(m)+" "+tmpl)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

var templateParam = regexp.MustCompile(`^\{([^{}/]+)\}$`)

// route finds the documented operation a request reaches, as gorilla/mux does: among the
// templates matching the path, the most literal one that has the method. found is false when no
// template matches the path at all (404); method is false when some match but none has the method (405).
func (s *openAPI) route(method, path string) (tmpl string, found, hasMethod bool) {
	segs := strings.Split(path, "/")
	best := -1
	for candidate, item := range s.doc["paths"].(map[string]any) {
		csegs := strings.Split(candidate, "/")
		if len(csegs) != len(segs) {
			continue
		}
		literal := 0
		match := true
		for i, c := range csegs {
			switch {
			case templateParam.MatchString(c):
				match = match && segs[i] != ""
			case c == segs[i]:
				literal++
			default:
				match = false
			}
		}
		if !match {
			continue
		}
		found = true
		if _, ok := item.(map[string]any)[strings.ToLower(method)]; ok && literal > best {
			tmpl, best = candidate, literal
		}
	}
	return tmpl, found, best >= 0
}

// ---------------------------------------------------------------------------------------------
// The document on its own.

func TestOpenAPIDocument(t *testing.T) {
	spec := loadOpenAPI(t)
	if spec.doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", spec.doc["openapi"])
	}

	// Every $ref resolves, and every schema compiles (the compiler checks it against the 2020-12
	// metaschema).
	var schemaPtrs []string
	var walk func(ptr string, v any, inSchema bool)
	walk = func(ptr string, v any, inSchema bool) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if !strings.HasPrefix(ref, "#/") {
					t.Errorf("%s: $ref %q is not local", ptr, ref)
				} else if _, ok := spec.lookup(strings.TrimPrefix(ref, "#")); !ok {
					t.Errorf("%s: $ref %q does not resolve", ptr, ref)
				}
			}
			for k, child := range x {
				childPtr := ptr + pointer(k)
				if !inSchema && (k == "schema" || ptr == "/components/schemas") {
					schemaPtrs = append(schemaPtrs, childPtr)
					walk(childPtr, child, true)
					continue
				}
				walk(childPtr, child, inSchema)
			}
		case []any:
			for i, child := range x {
				walk(ptr+"/"+strconv.Itoa(i), child, inSchema)
			}
		}
	}
	walk("", spec.doc, false)
	if len(schemaPtrs) < 50 {
		t.Errorf("found only %d schemas in the document", len(schemaPtrs))
	}
	for _, ptr := range schemaPtrs {
		if _, err := spec.schema(ptr); err != nil {
			t.Errorf("schema %s: %v", ptr, err)
		}
	}

	// Operations: unique ids, summaries, described responses, path parameters that match the
	// template, known security schemes and tags; failures have the error shape.
	schemes, _ := spec.lookup("/components/securitySchemes")
	tags := map[string]bool{}
	for _, tag := range spec.doc["tags"].([]any) {
		tags[tag.(map[string]any)["name"].(string)] = true
	}
	checkSecurity := func(where string, v any) {
		for _, req := range v.([]any) {
			for name := range req.(map[string]any) {
				if _, ok := schemes.(map[string]any)[name]; !ok {
					t.Errorf("%s: unknown security scheme %q", where, name)
				}
			}
		}
	}
	checkSecurity("document", spec.doc["security"])
	ids := map[string]string{}
	checkOperation := func(where, itemPtr, opPtr string, tmpl string) {
		op, _ := spec.deref(opPtr)
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", where)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q also used by %s", where, id, prev)
		}
		ids[id] = where
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", where)
		}
		for _, tag := range op["tags"].([]any) {
			if !tags[tag.(string)] {
				t.Errorf("%s: tag %q is not declared", where, tag)
			}
		}
		if sec, ok := op["security"]; ok {
			checkSecurity(where, sec)
		}
		responses, _ := op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s: no responses", where)
		}
		okSchema := ""
		if r, _ := spec.deref(opPtr + pointer("responses", "200")); r != nil {
			okSchema = fmt.Sprint(r["content"])
		}
		for status := range responses {
			r, rPtr := spec.deref(opPtr + pointer("responses", status))
			if d, _ := r["description"].(string); d == "" {
				t.Errorf("%s %s: response has no description", where, status)
			}
			if code, err := strconv.Atoi(status); err == nil && code >= 400 && tmpl != "" {
				if fmt.Sprint(r["content"]) != okSchema && !strings.Contains(fmt.Sprint(r["content"]), "#/components/schemas/Error") {
					t.Errorf("%s %s (%s): not the error shape", where, status, rPtr)
				}
			}
		}
		if tmpl == "" {
			return
		}
		want := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([^{}]+)\}`).FindAllStringSubmatch(tmpl, -1) {
			want[m[1]] = true
		}
		got := map[string]bool{}
		for _, ptr := range []string{itemPtr, opPtr} {
			params, _ := spec.lookup(ptr + "/parameters")
			list, _ := params.([]any)
			for i := range list {
				p, _ := spec.deref(ptr + "/parameters/" + strconv.Itoa(i))
				if p["in"] == "path" {
					got[p["name"].(string)] = true
					if p["required"] != true {
						t.Errorf("%s: path parameter %v is not required", where, p["name"])
					}
				}
			}
		}
		for name := range want {
			if !got[name] {
				t.Errorf("%s: path parameter {%s} is not declared", where, name)
			}
		}
		for name := range got {
			if !want[name] {
				t.Errorf("%s: path parameter %s is not in the template", where, name)
			}
		}
	}
	for tmpl, item := range spec.doc["paths"].(map[string]any) {
		if !strings.HasPrefix(tmpl, "/api/v1/") && tmpl != "/health" && tmpl != "/metrics" {
			t.Errorf("path %s is outside /api/v1", tmpl)
		}
		for _, m := range httpMethods {
			if _, ok := item.(map[string]any)[m]; ok {
				checkOperation(strings.ToUpper(m)+" "+tmpl, pointer("paths", tmpl), pointer("paths", tmpl, m), tmpl)
			}
		}
	}
	for name := range spec.doc["webhooks"].(map[string]any) {
		checkOperation("webhook "+name, pointer("webhooks", name), pointer("webhooks", name, "post"), "")
	}

	// Enums that mirror Go constants.
	enum := func(ptr string) []string {
		v, ok := spec.lookup(ptr)
		if !ok {
			t.Fatalf("%s is not in the document", ptr)
		}
		var out []string
		for _, e := range v.([]any) {
			out = append(out, e.(string))
		}
		sort.Strings(out)
		return out
	}
	sameSet := func(what string, doc, code []string) {
		sort.Strings(code)
		if !slices.Equal(doc, code) {
			t.Errorf("%s: the document has %v, the code %v", what, doc, code)
		}
	}
	sameSet("error codes", enum("/components/schemas/ErrorCode/enum"), goStringConsts(t, "errors.go", "Code"))
	sameSet("currencies", enum("/components/schemas/Currency/enum"), goMapKeys(t, "orders.go", "currencies"))
	sameSet("audit actions", enum("/components/schemas/AuditEntry/properties/action/enum"), goStringConsts(t, "audit.go", "audit"))
	sameSet("payment statuses", enum("/components/schemas/PaymentStatus/enum"), goStringConsts(t, "../activities/payments.go", "Status"))
	events := goStringConsts(t, "../outbox/outbox.go", "")
	sameSet("webhook events", enum("/components/schemas/EventName/enum"), events)
	var webhookNames []string
	for name := range spec.doc["webhooks"].(map[string]any) {
		webhookNames = append(webhookNames, name)
	}
	sort.Strings(webhookNames)
	sameSet("top-level webhooks", webhookNames, events)
}

// goStringConsts returns the values of the string constants of a Go file whose names start with
// prefix.
func goStringConsts(t *testing.T, file, prefix string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) || !strings.HasPrefix(name.Name, prefix) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					out = append(out, v)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no string constants %s* in %s", prefix, file)
	}
	return out
}

// goMapKeys returns the string keys of a package-level map literal.
func goMapKeys(t *testing.T, file, name string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != name || len(vs.Values) != 1 {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.CompositeLit); ok {
			for _, elt := range lit.Elts {
				if kv, ok := elt.(*ast.KeyValueExpr); ok {
					if key, ok := kv.Key.(*ast.BasicLit); ok && key.Kind == token.STRING {
						v, _ := strconv.Unquote(key.Value)
						out = append(out, v)
					}
				}
			}
		}
		return false
	})
	if len(out) == 0 {
		t.Fatalf("no map literal %s in %s", name, file)
	}
	return out
}

// ---------------------------------------------------------------------------------------------
// Routes: server.go against the document, and the live router against the document.

// registeredRoutes reads server.go and returns "METHOD path" for every route it registers:
// r.Handle(path, h).Methods(...) on the router, and calls of helpers such as
// v1 := func(path string, h http.Handler, methods ...string) { r.Handle("/api/v1"+path, h).Methods(methods...) }.
// Methods may be http.MethodX, string literals, or local variables assigned from those.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	routes := routesIn(t, "server.go", nil)
	if len(routes) < 20 {
		t.Fatalf("found only %d routes in server.go: the parser no longer understands it (%v)", len(routes), routes)
	}
	return routes
}

// routesIn reads the routes registered by func New of a Go file (src, or the file when src is nil).
func routesIn(t *testing.T, filename string, src any) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var newFunc *ast.FuncDecl
	for _, decl := range f.Decls {
		if fd, ok := decl.(*ast.FuncDecl); ok && fd.Name.Name == "New" && fd.Recv == nil {
			newFunc = fd
		}
	}
	if newFunc == nil {
		t.Fatal("server.go has no func New")
	}
	at := func(n ast.Node) string { return fset.Position(n.Pos()).String() }

	methodVars := map[string]string{}
	var method func(e ast.Expr) string
	method = func(e ast.Expr) string {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			if pkg, ok := x.X.(*ast.Ident); ok && pkg.Name == "http" && strings.HasPrefix(x.Sel.Name, "Method") {
				return strings.ToUpper(strings.TrimPrefix(x.Sel.Name, "Method"))
			}
		case *ast.BasicLit:
			if v, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING {
				return strings.ToUpper(v)
			}
		case *ast.Ident:
			return methodVars[x.Name]
		}
		return ""
	}
	str := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		v, err := strconv.Unquote(lit.Value)
		return v, err == nil
	}
	// handleCall matches X.Handle(path, h).Methods(ms...) and X.HandleFunc(...).Methods(...).
	handleCall := func(call *ast.CallExpr) (pathArg ast.Expr, methods []ast.Expr, ok bool) {
		sel, isSel := call.Fun.(*ast.SelectorExpr)
		if !isSel || sel.Sel.Name != "Methods" {
			return nil, nil, false
		}
		inner, isCall := sel.X.(*ast.CallExpr)
		if !isCall {
			return nil, nil, false
		}
		isel, isSel := inner.Fun.(*ast.SelectorExpr)
		if !isSel || (isel.Sel.Name != "Handle" && isel.Sel.Name != "HandleFunc") || len(inner.Args) < 1 {
			return nil, nil, false
		}
		return inner.Args[0], call.Args, true
	}

	type helper struct {
		prefix     string
		pathParam  int // index of the path parameter
		firstMethd int // index of the first method argument (the variadic one)
	}
	helpers := map[string]helper{}
	var routes []string
	add := func(n ast.Node, path string, methods []ast.Expr) {
		if len(methods) == 0 {
			t.Errorf("%s: route %s is registered without methods: it answers every method", at(n), path)
		}
		for _, m := range methods {
			name := method(m)
			if name == "" {
				t.Fatalf("%s: cannot resolve the method %T of route %s", at(m), m, path)
			}
			routes = append(routes, name+" "+path)
		}
	}

	ast.Inspect(newFunc.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			// get, post := http.MethodGet, http.MethodPost
			if len(x.Lhs) == len(x.Rhs) {
				for i, lhs := range x.Lhs {
					if id, ok := lhs.(*ast.Ident); ok {
						if m := method(x.Rhs[i]); m != "" {
							methodVars[id.Name] = m
						}
					}
				}
			}
			// v1 := func(path string, h http.Handler, methods ...string) { r.Handle("/api/v1"+path, h).Methods(methods...) }
			if len(x.Lhs) == 1 && len(x.Rhs) == 1 {
				id, ok1 := x.Lhs[0].(*ast.Ident)
				fn, ok2 := x.Rhs[0].(*ast.FuncLit)
				if !ok1 || !ok2 {
					return true
				}
				var params []string
				for _, field := range fn.Type.Params.List {
					for _, name := range field.Names {
						params = append(params, name.Name)
					}
				}
				isHelper := false
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					pathArg, methods, ok := handleCall(call)
					if !ok {
						return true
					}
					bin, ok := pathArg.(*ast.BinaryExpr)
					if !ok || bin.Op != token.ADD {
						return true
					}
					prefix, ok := str(bin.X)
					pathID, ok2 := bin.Y.(*ast.Ident)
					if !ok || !ok2 || len(methods) != 1 {
						return true
					}
					methodsID, ok := methods[0].(*ast.Ident)
					if !ok || !call.Ellipsis.IsValid() {
						return true
					}
					h := helper{prefix: prefix, pathParam: slices.Index(params, pathID.Name), firstMethd: slices.Index(params, methodsID.Name)}
					if h.pathParam >= 0 && h.firstMethd >= 0 {
						helpers[id.Name] = h
						isHelper = true
					}
					return false
				})
				return !isHelper // a helper's own body registers nothing; its calls do
			}
		case *ast.CallExpr:
			if id, ok := x.Fun.(*ast.Ident); ok {
				if h, ok := helpers[id.Name]; ok {
					path, ok := str(x.Args[h.pathParam])
					if !ok {
						t.Fatalf("%s: %s called with a path that is not a string literal", at(x), id.Name)
					}
					add(x, h.prefix+path, x.Args[h.firstMethd:])
					return true
				}
			}
			if pathArg, methods, ok := handleCall(x); ok {
				path, ok := str(pathArg)
				if !ok {
					t.Fatalf("%s: a route registered with a path that is not a string literal", at(x))
				}
				add(x, path, methods)
				return false
			}
			// A Handle or HandleFunc without .Methods would take every method.
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Handle" || sel.Sel.Name == "HandleFunc") && len(x.Args) > 0 {
				t.Errorf("%s: a route is registered without methods: it answers every method", at(x))
			}
		}
		return true
	})
	sort.Strings(routes)
	return slices.Compact(routes)
}

// The route parser understands the ways server.go registers routes, or may come to.
func TestOpenAPIRouteParser(t *testing.T) {
	src := `package api
func New(d Deps) http.Handler {
	r := mux.NewRouter()
	r.Handle("/health", s.handle(s.health)).Methods(http.MethodGet)
	if d.Metrics != nil {
		r.HandleFunc("/metrics", d.Metrics.Handler).Methods("get")
	}
	api := func(path string, h http.Handler, methods ...string) {
		r.Handle("/api/v2"+path, h).Methods(methods...)
	}
	wrap := func(h http.Handler) http.Handler { return h }
	get, post := http.MethodGet, http.MethodPost
	del := http.MethodDelete
	api("/things", wrap(h), get, post)
	api("/things/{id}", wrap(h), del, http.MethodPatch, "PUT")
	r.PathPrefix("/").Handler(d.UI)
	return r
}`
	got := routesIn(t, "example.go", src)
	want := []string{"DELETE /api/v2/things/{id}", "GET /api/v2/things", "GET /health", "GET /metrics",
		"PATCH /api/v2/things/{id}", "POST /api/v2/things", "PUT /api/v2/things/{id}"}
	if !slices.Equal(got, want) {
		t.Errorf("routes = %v\nwant %v", got, want)
	}
}

func TestOpenAPIRoutes(t *testing.T) {
	spec := loadOpenAPI(t)
	registered := registeredRoutes(t)
	documented := spec.operations()
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is registered in server.go but not documented in openapi.json", r)
		}
	}
	for _, op := range documented {
		if !slices.Contains(registered, op) {
			t.Errorf("operation %s is documented in openapi.json but not registered in server.go", op)
		}
	}
	t.Logf("%d routes registered, %d operations documented", len(registered), len(documented))

	// The live router agrees: every documented operation is served (anonymous requests change
	// nothing), and every other method on a documented path answers 405.
	gw := gatewaytest.Start(t)
	c := newAPICheck(spec, gw)
	concrete := func(tmpl string) string {
		return regexp.MustCompile(`\{[^{}]+\}`).ReplaceAllString(tmpl, "x")
	}
	for _, op := range documented {
		m, tmpl, _ := strings.Cut(op, " ")
		r := c.send(t, gatewaytest.Request{Method: m, Path: concrete(tmpl), Anonymous: true}, 0)
		if r.Status == http.StatusMethodNotAllowed || strings.Contains(string(r.Body), "Route not found") {
			t.Errorf("%s: the live router does not serve it (%d %s)", op, r.Status, r.Body)
		}
	}
	for tmpl := range spec.doc["paths"].(map[string]any) {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			if _, _, ok := spec.route(m, concrete(tmpl)); ok {
				continue
			}
			c.send(t, gatewaytest.Request{Method: m, Path: concrete(tmpl), Anonymous: true}, http.StatusMethodNotAllowed)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Responses of a live gateway.

// apiCheck sends requests to a gateway and validates each answer against the document.
type apiCheck struct {
	spec *openAPI
	gw   *gatewaytest.Stack

	mu       sync.Mutex
	seen     map[string]map[int]int // "METHOD template" → status → count
	reported map[string]bool
}

func newAPICheck(spec *openAPI, gw *gatewaytest.Stack) *apiCheck {
	return &apiCheck{spec: spec, gw: gw, seen: map[string]map[int]int{}, reported: map[string]bool{}}
}

// Headers the API may set that must be documented on the response that carries them.
var documentedHeaders = []string{"X-Request-Id", "Idempotent-Replayed", "Retry-After", "Set-Cookie",
	"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"}

// send sends req and validates the answer; want 0 accepts any documented status.
func (c *apiCheck) send(t *testing.T, req gatewaytest.Request, want int) gatewaytest.Response {
	t.Helper()
	r := c.gw.Do(t, req)
	path, query, _ := strings.Cut(req.Path, "?")
	if want != 0 && r.Status != want {
		t.Errorf("%s %s = %d, want %d; body %.300s", req.Method, req.Path, r.Status, want, r.Body)
	}

	tmpl, found, hasMethod := c.spec.route(req.Method, path)
	var route, respPtr string
	switch {
	case !found:
		route, respPtr = req.Method+" "+path+" (no such path)", "/components/responses/NotFound"
		if r.Status != http.StatusNotFound {
			t.Errorf("%s: an undocumented path answered %d, want 404", route, r.Status)
		}
	case !hasMethod:
		route, respPtr = req.Method+" "+path+" (no such method)", "/components/responses/MethodNotAllowed"
		if r.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s: an undocumented method answered %d, want 405", route, r.Status)
		}
	default:
		route = req.Method + " " + tmpl
		opPtr := pointer("paths", tmpl, strings.ToLower(req.Method))
		respPtr = opPtr + pointer("responses", strconv.Itoa(r.Status))
		if _, ok := c.spec.lookup(respPtr); !ok {
			t.Errorf("%s answered %d, which openapi.json does not document; body %.300s", route, r.Status, r.Body)
			return r
		}
		c.mu.Lock()
		if c.seen[route] == nil {
			c.seen[route] = map[int]int{}
		}
		c.seen[route][r.Status]++
		c.mu.Unlock()
		if r.Status < 300 {
			c.checkRequest(t, route, opPtr, tmpl, query, req.Body)
		}
	}
	c.checkResponse(t, fmt.Sprintf("%s → %d", route, r.Status), respPtr, r)
	return r
}

// first reports whether a failure is new, so each distinct mismatch is reported once.
func (c *apiCheck) first(failure string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reported[failure] {
		return false
	}
	c.reported[failure] = true
	return true
}

// checkResponse validates an answer's body and headers against the response object at ptr.
func (c *apiCheck) checkResponse(t *testing.T, what, ptr string, r gatewaytest.Response) {
	t.Helper()
	resp, ptr := c.spec.deref(ptr)
	content, _ := resp["content"].(map[string]any)
	switch {
	case content["application/json"] != nil:
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q, want application/json", what, ct)
		}
		if err := c.spec.validate(ptr+pointer("content", "application/json", "schema"), r.Body); err != nil && c.first(what+err.Error()) {
			t.Errorf("%s: the body does not match openapi.json (%s):\n%v\nbody: %.1000s", what, ptr, err, r.Body)
		}
	case content["text/plain"] != nil:
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: Content-Type %q, want text/plain", what, ct)
		}
		if len(r.Body) == 0 {
			t.Errorf("%s: empty body", what)
		}
	case len(content) == 0:
		if len(r.Body) != 0 {
			t.Errorf("%s: documented without a body, got %.300s", what, r.Body)
		}
	default:
		t.Errorf("%s: openapi.json documents content other than application/json or text/plain", what)
	}
	headers, _ := resp["headers"].(map[string]any)
	for name := range headers {
		h, hPtr := c.spec.deref(ptr + pointer("headers", name))
		values := r.Header.Values(name)
		if len(values) == 0 {
			if h["required"] == true {
				t.Errorf("%s: required header %s is missing", what, name)
			}
			continue
		}
		if _, ok := h["schema"]; ok && name != "Set-Cookie" {
			if err := c.spec.validateString(hPtr+"/schema", values[0]); err != nil && c.first(what+" header "+name) {
				t.Errorf("%s: header %s: %q does not match openapi.json: %v", what, name, values[0], err)
			}
		}
	}
	for _, name := range documentedHeaders {
		if r.Header.Get(name) == "" {
			continue
		}
		if _, ok := headers[name]; !ok && c.first(what+" undocumented "+name) {
			t.Errorf("%s: the answer carries %s, which openapi.json does not document there", what, name)
		}
	}
}

// checkRequest checks that an accepted request is one the document allows: query parameters are
// documented and valid, and the body matches the request schema.
func (c *apiCheck) checkRequest(t *testing.T, route, opPtr, tmpl, query string, body any) {
	t.Helper()
	params := map[string]string{}
	for _, ptr := range []string{pointer("paths", tmpl), opPtr} {
		list, _ := c.spec.lookup(ptr + "/parameters")
		for i := range len(asList(list)) {
			p, pPtr := c.spec.deref(ptr + "/parameters/" + strconv.Itoa(i))
			if p["in"] == "query" {
				params[p["name"].(string)] = pPtr + "/schema"
			}
		}
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	for name, vs := range values {
		ptr, ok := params[name]
		if !ok {
			t.Errorf("%s: query parameter %s is accepted but not documented", route, name)
			continue
		}
		if err := c.spec.validateString(ptr, vs[0]); err != nil {
			t.Errorf("%s: query parameter %s=%q is accepted but does not match openapi.json: %v", route, name, vs[0], err)
		}
	}
	bodyPtr := opPtr + pointer("requestBody", "content", "application/json", "schema")
	_, documented := c.spec.lookup(bodyPtr)
	if body == nil {
		if req, _ := c.spec.deref(opPtr + "/requestBody"); req != nil && req["required"] == true {
			t.Errorf("%s: accepted without the body openapi.json requires", route)
		}
		return
	}
	if !documented {
		t.Errorf("%s: sent a body, but openapi.json documents none", route)
		return
	}
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.spec.validate(bodyPtr, raw); err != nil {
		t.Errorf("%s: an accepted request body does not match openapi.json:\n%v\nbody: %.500s", route, err, raw)
	}
}

// checkDelivery validates a webhook delivery against the event's entry under webhooks.
func (c *apiCheck) checkDelivery(t *testing.T, d gatewaytest.Delivery) {
	t.Helper()
	what := "webhook " + d.Event.Event
	opPtr := pointer("webhooks", d.Event.Event, "post")
	op, _ := c.spec.deref(opPtr)
	if op == nil {
		t.Errorf("%s: not documented under webhooks", what)
		return
	}
	if err := c.spec.validate(opPtr+pointer("requestBody", "content", "application/json", "schema"), d.Body); err != nil && c.first(what+err.Error()) {
		t.Errorf("%s: the body does not match openapi.json:\n%v\nbody: %.1000s", what, err, d.Body)
	}
	for i := range len(asList(op["parameters"])) {
		p, pPtr := c.spec.deref(opPtr + "/parameters/" + strconv.Itoa(i))
		v := d.Header.Get(p["name"].(string))
		if v == "" {
			if p["required"] == true {
				t.Errorf("%s: header %s is missing", what, p["name"])
			}
			continue
		}
		if err := c.spec.validateString(pPtr+"/schema", v); err != nil && c.first(what+" header "+p["name"].(string)) {
			t.Errorf("%s: header %s=%q does not match openapi.json: %v", what, p["name"], v, err)
		}
	}
	c.mu.Lock()
	if c.seen["webhook "+d.Event.Event] == nil {
		c.seen["webhook "+d.Event.Event] = map[int]int{}
	}
	c.seen["webhook "+d.Event.Event][200]++
	c.mu.Unlock()
}

// coverage fails the test for every documented operation that never answered with success, and
// logs the documented statuses that were not seen.
func (c *apiCheck) coverage(t *testing.T, skipStatuses []int, exempt ...string) {
	t.Helper()
	var missing []string
	for _, op := range c.spec.operations() {
		m, tmpl, _ := strings.Cut(op, " ")
		responses, _ := c.spec.lookup(pointer("paths", tmpl, strings.ToLower(m), "responses"))
		success := false
		for status := range c.seen[op] {
			success = success || status < 300
		}
		if !success && !slices.Contains(exempt, op) {
			t.Errorf("%s was never called successfully", op)
		}
		for status := range responses.(map[string]any) {
			code, _ := strconv.Atoi(status)
			if c.seen[op][code] == 0 && !slices.Contains(skipStatuses, code) {
				missing = append(missing, op+" "+status)
			}
		}
	}
	for name := range c.spec.doc["webhooks"].(map[string]any) {
		if c.seen["webhook "+name] == nil && !slices.Contains(exempt, "webhook "+name) {
			t.Errorf("webhook %s was never delivered", name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Logf("documented answers not exercised here, besides %v: %s", skipStatuses, strings.Join(missing, ", "))
	}
}

func asList(v any) []any {
	list, _ := v.([]any)
	return list
}

// idempotencyLockID mirrors api.idempotencyLockID, so a test can hold a key's lock and see 409.
func idempotencyLockID(merchantID, scope, key string) int64 {
	name := merchantID + "\x00" + key
	if scope != "api" {
		name = merchantID + "\x00" + scope + "\x00" + key
	}
	h := sha256.Sum256([]byte(name))
	return int64(binary.BigEndian.Uint64(h[:8]))
}

func TestOpenAPIResponses(t *testing.T) {
	spec := loadOpenAPI(t)
	gw := gatewaytest.Start(t)
	c := newAPICheck(spec, gw)
	const (
		GET, POST, PUT, DELETE, OPTIONS = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions
	)
	do := func(method, path string, body any, want int, headers ...map[string]string) gatewaytest.Response {
		t.Helper()
		req := gatewaytest.Request{Method: method, Path: path, Body: body}
		for _, h := range headers {
			if req.Headers == nil {
				req.Headers = map[string]string{}
			}
			for k, v := range h {
				req.Headers[k] = v
			}
		}
		return c.send(t, req, want)
	}
	anon := func(method, path string, body any, want int, headers ...map[string]string) gatewaytest.Response {
		t.Helper()
		req := gatewaytest.Request{Method: method, Path: path, Body: body, Anonymous: true}
		if len(headers) > 0 {
			req.Headers = headers[0]
		}
		return c.send(t, req, want)
	}
	key := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
	field := func(r gatewaytest.Response, name string) string {
		t.Helper()
		v, _ := r.JSON(t)[name].(string)
		return v
	}
	final := func(path string) { gw.WaitForStatus(t, path) } // polls without validating; the next GET validates

	// Public and meta.
	anon(GET, "/health", nil, 200)
	anon(GET, "/api/v1/health", nil, 200)
	anon(GET, "/metrics", nil, 200)
	anon(GET, "/api/v1/public/config", nil, 200)
	anon(GET, "/api/v1/test/merchant", nil, 200)
	anon(GET, "/api/v1/queue/status", nil, 200)
	anon(GET, "/api/v1/test/jobs/status", nil, 200)
	if served := anon(GET, "/api/v1/openapi.json", nil, 200); !bytes.Equal(served.Body, spec.raw) {
		t.Error("GET /api/v1/openapi.json does not serve api/openapi.json")
	}

	// Accounts and sessions.
	register := map[string]any{"name": "Spec Shop", "email": "spec@example.com", "password": "s3cret-pass", "confirmPassword": "s3cret-pass"}
	reg := anon(POST, "/api/v1/auth/register", register, 201)
	merchant, _ := reg.JSON(t)["merchant"].(map[string]any)
	other := map[string]string{"X-Api-Key": fmt.Sprint(merchant["apiKey"]), "X-Api-Secret": fmt.Sprint(merchant["apiSecret"])}
	anon(POST, "/api/v1/auth/register", register, 409)
	anon(POST, "/api/v1/auth/register", map[string]any{"name": "A", "email": "nope", "password": "password1", "confirmPassword": "password1"}, 400)
	anon(POST, "/api/v1/auth/login", map[string]any{"email": "test@example.com", "password": "wrong"}, 401)
	anon(POST, "/api/v1/auth/login", `{"email": `, 400)
	login := anon(POST, "/api/v1/auth/login", map[string]any{"email": "test@example.com", "password": "test123"}, 200)
	session := map[string]string{"Cookie": strings.Split(login.Header.Get("Set-Cookie"), ";")[0]}
	anon(GET, "/api/v1/auth/me", nil, 200, session)
	do(GET, "/api/v1/auth/me", nil, 200)
	anon(GET, "/api/v1/auth/session", nil, 200, session)
	anon(GET, "/api/v1/auth/session", nil, 200)
	anon(POST, "/api/v1/orders", map[string]any{"amount": 500}, 403, map[string]string{"Cookie": session["Cookie"], "Origin": "https://evil.example"})
	rolled := anon(POST, "/api/v1/auth/roll-secret", nil, 200, other)
	other["X-Api-Secret"] = field(rolled, "apiSecret")
	anon(GET, "/api/v1/orders", nil, 200, other)
	anon(GET, "/api/v1/payments", nil, 401)
	anon(GET, "/api/v1/orders", nil, 401, map[string]string{"X-Api-Key": gatewaytest.APIKey, "X-Api-Secret": "secret_wrong"})
	for range 5 {
		anon(POST, "/api/v1/auth/login", map[string]any{"email": "spec@example.com", "password": "guess"}, 401)
	}
	anon(POST, "/api/v1/auth/login", map[string]any{"email": "spec@example.com", "password": "guess"}, 429)
	anon(POST, "/api/v1/auth/logout", nil, 204, session)
	anon(GET, "/api/v1/auth/me", nil, 401, session)
	anon(GET, "/api/v1/auth/session", nil, 200, session)

	// Webhook configuration.
	do(POST, "/api/v1/webhooks/test", nil, 400)
	do(GET, "/api/v1/webhooks/config", nil, 200)
	do(PUT, "/api/v1/webhooks/config", map[string]any{"webhook_url": "ftp://example.com/x"}, 400)
	rc := gatewaytest.NewReceiver(t)
	do(PUT, "/api/v1/webhooks/config", map[string]any{"webhook_url": rc.URL}, 200)
	do(POST, "/api/v1/webhooks/regenerate-secret", nil, 200)
	testEvent := field(do(POST, "/api/v1/webhooks/test", nil, 202), "id")

	// Orders.
	orderID := field(do(POST, "/api/v1/orders", map[string]any{"amount": 50000, "currency": "INR", "receipt": "rcpt_1", "notes": map[string]any{"k": "v"}}, 201), "id")
	do(POST, "/api/v1/orders", map[string]any{"amount": 500, "currency": "USD"}, 201)
	first := do(POST, "/api/v1/orders", map[string]any{"amount": 700}, 201, key("spec-order"))
	if again := do(POST, "/api/v1/orders", map[string]any{"amount": 700}, 201, key("spec-order")); again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
		t.Errorf("replay = %q %s", again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	do(POST, "/api/v1/orders", map[string]any{"amount": 800}, 422, key("spec-order"))
	do(POST, "/api/v1/orders", map[string]any{"amount": 800}, 400, key(strings.Repeat("k", 256)))
	do(POST, "/api/v1/orders", map[string]any{"amount": 5}, 400)
	do(POST, "/api/v1/orders", `{"amount": 500, "receipt": "`+strings.Repeat("x", 1<<20)+`"}`, 413)
	do(GET, "/api/v1/orders/"+orderID, nil, 200)
	do(GET, "/api/v1/orders/order_0000000000000000", nil, 404)
	do(GET, "/api/v1/orders?limit=2&skip=1", nil, 200)
	do(GET, "/api/v1/orders?offset=1", nil, 200)
	do(GET, "/api/v1/orders?limit=0", nil, 400)
	do(GET, "/api/v1/orders?limit=1&starting_after="+orderID, nil, 200)
	do(GET, "/api/v1/orders?ending_before="+orderID+"&created[gte]=1700000000&created[lt]=2100-01-01T00:00:00Z", nil, 200)
	do(GET, "/api/v1/orders?starting_after="+orderID+"&ending_before="+orderID, nil, 400)
	do(GET, "/api/v1/orders?skip=10001", nil, 400)
	anon(GET, "/api/v1/orders/"+orderID+"/public", nil, 200)
	anon(OPTIONS, "/api/v1/orders/"+orderID+"/public", nil, 204)
	anon(GET, "/api/v1/orders/order_0000000000000000/public", nil, 404)
	anon(GET, "/api/v1/orders/"+orderID+"/public?key="+gatewaytest.APIKey, nil, 200)
	anon(GET, "/api/v1/orders/"+orderID+"/public?key=key_nope", nil, 401)

	// Payments: UPI, cards (one declined), a failing VPA, and rejected requests.
	upiBody := map[string]any{"order_id": orderID, "method": "upi", "vpa": "user@paytm"}
	upi := do(POST, "/api/v1/payments", upiBody, 201, key("spec-pay"))
	upiID := field(upi, "id")
	do(POST, "/api/v1/payments", upiBody, 201, key("spec-pay"))
	cardOrder := field(do(POST, "/api/v1/orders", map[string]any{"amount": 1000}, 201), "id")
	cardID := field(do(POST, "/api/v1/payments", map[string]any{"order_id": cardOrder, "method": "card", "card": card("4111 1111 1111 1111")}, 201), "id")
	amex := card("378282246310005")
	amex["cvv"], amex["expiry_month"] = "1234", 12
	amexOrder := field(do(POST, "/api/v1/orders", map[string]any{"amount": 1500}, 201), "id")
	amexID := field(do(POST, "/api/v1/payments", map[string]any{"order_id": amexOrder, "method": "card", "card": amex}, 201), "id")
	declinedOrder := field(do(POST, "/api/v1/orders", map[string]any{"amount": 600}, 201), "id")
	declinedID := field(do(POST, "/api/v1/payments", map[string]any{"order_id": declinedOrder, "method": "card", "card": card("4000000000000002")}, 201), "id")
	failedUPIOrder := field(do(POST, "/api/v1/orders", map[string]any{"amount": 700}, 201), "id")
	failedUPIID := field(do(POST, "/api/v1/payments", map[string]any{"order_id": failedUPIOrder, "method": "upi", "vpa": "failure@upi"}, 201), "id")
	expired := card("4111111111111111")
	expired["expiry_year"] = "2020"
	spare := field(do(POST, "/api/v1/orders", map[string]any{"amount": 100}, 201), "id")
	for _, bad := range []struct {
		body   any
		status int
	}{
		{map[string]any{"order_id": spare, "method": "upi", "vpa": "not a vpa"}, 400},
		{map[string]any{"order_id": spare, "method": "card", "card": card("4111111111111112")}, 400},
		{map[string]any{"order_id": spare, "method": "card", "card": expired}, 400},
		{map[string]any{"order_id": spare, "method": "cash"}, 400},
		{map[string]any{"order_id": "order_0000000000000000", "method": "upi", "vpa": "a@upi"}, 404},
		{`{"order_id": `, 400},
	} {
		do(POST, "/api/v1/payments", bad.body, bad.status)
	}
	for _, id := range []string{upiID, cardID, amexID, declinedID, failedUPIID} {
		final("/api/v1/payments/" + id)
		do(GET, "/api/v1/payments/"+id, nil, 200)
	}
	do(POST, "/api/v1/payments", upiBody, 400) // the order is paid
	do(GET, "/api/v1/payments", nil, 200)
	today := time.Now().UTC().Format(time.DateOnly)
	do(GET, "/api/v1/payments?status=success&method=upi&from="+today+"&to="+today+"&limit=5&skip=0", nil, 200)
	do(GET, "/api/v1/payments?status=failed&method=card&offset=0", nil, 200)
	do(GET, "/api/v1/payments?from=yesterday", nil, 400)
	do(GET, "/api/v1/payments?created[gt]=2026-01-01&created[lte]=4102444800&limit=1&starting_after="+upiID, nil, 200)
	do(GET, "/api/v1/payments?starting_after=pay_0000000000000000", nil, 400)
	do(GET, "/api/v1/payments?created[gte]=yesterday", nil, 400)
	do(GET, "/api/v1/payments/pay_0000000000000000", nil, 404)

	// Capture.
	capture := "/api/v1/payments/" + upiID + "/capture"
	do(POST, capture, map[string]any{"amount": 50001}, 400)
	captured := do(POST, capture, map[string]any{"amount": 50000}, 200, key("spec-capture"))
	if r := do(POST, capture, map[string]any{"amount": 50000}, 200, key("spec-capture")); r.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(r.Body, captured.Body) {
		t.Errorf("capture replay = %q %s", r.Header.Get("Idempotent-Replayed"), r.Body)
	}
	do(POST, capture, map[string]any{"amount": 50000}, 400)
	do(POST, "/api/v1/payments/pay_0000000000000000/capture", map[string]any{"amount": 500}, 404)

	// Void: the Amex payment's authorization is released.
	do(POST, "/api/v1/payments/"+amexID+"/void", nil, 200)
	do(POST, "/api/v1/payments/"+amexID+"/void", map[string]any{}, 400)
	do(POST, "/api/v1/payments/"+upiID+"/void", nil, 400) // captured
	do(POST, "/api/v1/payments/pay_0000000000000000/void", nil, 404)
	do(GET, "/api/v1/payments?capture_state=voided", nil, 200)
	do(GET, "/api/v1/payments?capture_state=expired", nil, 400)

	// The checkout's public endpoints.
	checkoutOrder := field(do(POST, "/api/v1/orders", map[string]any{"amount": 2500}, 201), "id")
	public := map[string]any{"key": gatewaytest.APIKey, "order_id": checkoutOrder, "method": "upi", "vpa": "buyer@okaxis"}
	publicID := field(anon(POST, "/api/v1/payments/public", public, 201), "id")
	anon(GET, "/api/v1/payments/"+publicID+"/public?key="+gatewaytest.APIKey, nil, 200)
	anon(POST, "/api/v1/payments/public", map[string]any{"key": "key_nope", "order_id": checkoutOrder, "method": "upi", "vpa": "buyer@okaxis"}, 401)
	keyless := map[string]any{"order_id": field(do(POST, "/api/v1/orders", map[string]any{"amount": 2600}, 201), "id"), "method": "upi", "vpa": "buyer@okaxis"}
	keylessID := field(anon(POST, "/api/v1/payments/public", keyless, 201), "id")
	anon(POST, "/api/v1/payments/public", map[string]any{"key": gatewaytest.APIKey, "order_id": checkoutOrder, "method": "card"}, 400)
	anon(OPTIONS, "/api/v1/payments/public", nil, 204)
	final("/api/v1/payments/" + publicID)
	anon(GET, "/api/v1/payments/"+publicID+"/public?key="+gatewaytest.APIKey, nil, 200)
	anon(GET, "/api/v1/payments/"+declinedID+"/public?key="+gatewaytest.APIKey, nil, 200)
	anon(GET, "/api/v1/payments/"+publicID+"/public?key=key_nope", nil, 401)
	final("/api/v1/payments/" + keylessID)
	anon(GET, "/api/v1/payments/"+keylessID+"/public", nil, 200)
	anon(GET, "/api/v1/payments/pay_0000000000000000/public?key="+gatewaytest.APIKey, nil, 404)
	anon(OPTIONS, "/api/v1/payments/"+publicID+"/public", nil, 204)

	// The test clock: the keyless checkout payment's authorization expires.
	do(POST, "/api/v1/test/payments/"+keylessID+"/advance", map[string]any{"by": "120h"}, 200)
	do(POST, "/api/v1/test/payments/"+keylessID+"/advance", map[string]any{"by": "soon"}, 400)
	do(POST, "/api/v1/test/payments/pay_0000000000000000/advance", map[string]any{"by": "1h"}, 404)
	do(POST, "/api/v1/test/webhooks/"+testEvent+"/advance", map[string]any{"by": "1h"}, 200)
	do(POST, "/api/v1/test/webhooks/"+testEvent+"/advance", map[string]any{}, 400)
	do(POST, "/api/v1/test/webhooks/evt_0000000000000000/advance", map[string]any{"by": "1h"}, 404)

	// Refunds: partial, full (the payment becomes refunded), replayed, refused.
	partial := field(do(POST, "/api/v1/payments/"+upiID+"/refunds", map[string]any{"amount": 10000, "reason": "Customer request"}, 201), "id")
	fullBody := map[string]any{"payment_id": cardID, "idempotency_key": "spec-refund"}
	full := do(POST, "/api/v1/refunds", fullBody, 201)
	if r := do(POST, "/api/v1/refunds", fullBody, 201); r.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(r.Body, full.Body) {
		t.Errorf("refund replay = %q %s", r.Header.Get("Idempotent-Replayed"), r.Body)
	}
	do(POST, "/api/v1/payments/"+upiID+"/refunds", map[string]any{"amount": 1 << 40}, 400)
	do(POST, "/api/v1/payments/"+declinedID+"/refunds", map[string]any{}, 400)
	do(POST, "/api/v1/refunds", map[string]any{"payment_id": "pay_0000000000000000"}, 404)
	do(POST, "/api/v1/refunds", map[string]any{"amount": 100}, 400)
	for _, id := range []string{partial, field(full, "id")} {
		final("/api/v1/refunds/" + id)
		do(GET, "/api/v1/refunds/"+id, nil, 200)
	}
	gw.WaitFor(t, "/api/v1/payments/"+cardID, func(p map[string]any) bool { return p["status"] == "refunded" })
	do(GET, "/api/v1/payments/"+cardID, nil, 200)
	do(GET, "/api/v1/refunds", nil, 200)
	do(GET, "/api/v1/refunds?payment_id="+upiID+"&limit=1", nil, 200)
	do(GET, "/api/v1/refunds?limit=101", nil, 400)
	do(GET, "/api/v1/refunds?ending_before=rfnd_0000000000000000", nil, 400)
	do(GET, "/api/v1/refunds/rfnd_0000000000000000", nil, 404)

	// Dashboard figures and the audit log.
	do(GET, "/api/v1/stats", nil, 200)
	do(GET, "/api/v1/stats?currency=USD", nil, 200)
	do(GET, "/api/v1/stats?currency=XYZ", nil, 400)
	do(GET, "/api/v1/audit-log?limit=100", nil, 200)
	do(GET, "/api/v1/audit-log?skip=-1", nil, 400)
	do(GET, "/api/v1/audit-log?created[gte]=0&created[lte]=2100-01-01T05:30:00%2B05:30", nil, 200)
	do(GET, "/api/v1/audit-log?ending_before=x", nil, 400)

	// Webhook deliveries, their log and a manual retry.
	events := []string{"payment.created", "payment.pending", "payment.success", "payment.failed", "payment.captured",
		"refund.created", "refund.processed", "webhook.test"}
	rc.WaitFor(t, 30*time.Second, "every kind of event", func(ds []gatewaytest.Delivery) bool {
		for _, e := range events {
			if len(rc.Of(e)) == 0 {
				return false
			}
		}
		return true
	})
	for _, d := range rc.Deliveries() {
		c.checkDelivery(t, d)
	}
	do(GET, "/api/v1/webhooks?limit=100", nil, 200)
	do(GET, "/api/v1/webhooks?event=payment.success&status=success&offset=1", nil, 200)
	do(GET, "/api/v1/webhooks?limit=x", nil, 400)
	do(GET, "/api/v1/webhooks?limit=2&ending_before="+testEvent, nil, 200)
	gw.WaitFor(t, "/api/v1/webhooks/"+testEvent, func(l map[string]any) bool { return l["status"] == "success" })
	do(GET, "/api/v1/webhooks/"+testEvent, nil, 200)
	do(GET, "/api/v1/webhooks/evt_0000000000000000", nil, 404)
	do(POST, "/api/v1/webhooks/"+testEvent+"/retry", nil, 200)
	do(POST, "/api/v1/webhooks/evt_0000000000000000/retry", nil, 404)
	gw.WaitFor(t, "/api/v1/webhooks/"+testEvent, func(l map[string]any) bool { return l["status"] == "success" })
	do(GET, "/api/v1/webhooks/"+testEvent, nil, 200)

	eventsSpecChecks(t, gw, do, c.checkDelivery)

	// Unknown routes and methods.
	do(GET, "/api/v1/nope", nil, 404)
	do(DELETE, "/api/v1/orders", nil, 405)
	do(PUT, "/api/v1/payments/"+upiID, nil, 405)

	// Statuses that whole kinds of operations document, checked on every operation that documents
	// them: 401 without credentials and 403 for a cross-origin cookie on merchant routes, 413
	// wherever a body is read, 409 and 422 wherever an Idempotency-Key is taken.
	anon(POST, "/api/v1/payments/public", map[string]any{"key": gatewaytest.APIKey, "order_id": "order_0000000000000000", "method": "upi", "vpa": "a@upi"}, 404)
	do(POST, "/api/v1/payments/pay_0000000000000000/refunds", map[string]any{"amount": 100}, 404)
	createBodies := map[string]map[string]any{
		"POST /api/v1/orders":                {"amount": 500},
		"POST /api/v1/payments":              {"order_id": "order_0000000000000000", "method": "upi", "vpa": "a@upi"},
		"POST /api/v1/payments/public":       {"key": gatewaytest.APIKey, "order_id": "order_0000000000000000", "method": "upi", "vpa": "a@upi"},
		"POST /api/v1/payments/{id}/capture": {"amount": 500},
		"POST /api/v1/payments/{id}/void":    {},
		"POST /api/v1/payments/{id}/refunds": {"amount": 100},
		"POST /api/v1/refunds":               {"payment_id": "pay_0000000000000000", "amount": 100},
		"POST /api/v1/webhooks/test":         {},
	}
	// The public routes keep their keys apart from the merchant's: a key used there before.
	publicOrder := do(POST, "/api/v1/orders", map[string]any{"amount": 900}, 201).JSON(t)["id"]
	anon(POST, "/api/v1/payments/public", map[string]any{"key": gatewaytest.APIKey, "order_id": publicOrder, "method": "upi", "vpa": "a@upi"}, 201, key("spec-public"))
	tooLarge := `{"name": "` + strings.Repeat("x", 1<<20) + `"}`
	for i, op := range spec.operations() {
		m, tmpl, _ := strings.Cut(op, " ")
		path := regexp.MustCompile(`\{[^{}]+\}`).ReplaceAllString(tmpl, "x")
		o, _ := spec.deref(pointer("paths", tmpl, strings.ToLower(m)))
		responses := o["responses"].(map[string]any)
		if _, ok := responses["401"]; ok && o["security"] == nil {
			anon(m, path, nil, 401)
		}
		if _, ok := responses["403"]; ok {
			anon(m, path, nil, 403, map[string]string{"Cookie": "gw_session=anything", "Origin": "https://evil.example"})
		}
		if _, ok := responses["413"]; ok {
			do(m, path, tooLarge, 413)
		}
		params, _ := json.Marshal(o["parameters"])
		if !strings.Contains(string(params), "#/components/parameters/IdempotencyKey") {
			continue
		}
		body, ok := createBodies[op]
		if !ok {
			t.Errorf("%s takes an Idempotency-Key: add a request body for it to createBodies", op)
			continue
		}
		scope, used := "api", "spec-order" // the key of another route
		if op == "POST /api/v1/payments/public" {
			scope, used = "public", "spec-public" // the key of another body
		}
		do(m, path, body, 422, key(used))
		// Hold the key's lock as a concurrent request would; idempotencyLockID must stay in step
		// with the API's.
		busy := fmt.Sprintf("spec-busy-%d", i)
		func() {
			tx, err := gw.Pool.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(t.Context())
			if _, err := tx.Exec(t.Context(), `SELECT pg_advisory_xact_lock($1)`, idempotencyLockID(auth.TestMerchantID.String(), scope, busy)); err != nil {
				t.Fatal(err)
			}
			do(m, path, body, 409, key(busy))
		}()
	}

	// Health with the database gone (last: the stack cannot serve much after this).
	gw.Pool.Close()
	anon(GET, "/health", nil, 503)

	// 429 per API key is TestOpenAPIRateLimit's; 500 and 503 need a broken server. The test bank
	// refuses refunds only when it declines everything.
	c.coverage(t, []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable}, "webhook refund.failed")
}

// Every merchant operation answers 429 as documented once the merchant's budget is spent. The
// dashboard session is used (it shares the merchant's budget), so an operation that gets through
// when a token comes back (one a second) changes nothing that matters to the next.
func TestOpenAPIRateLimit(t *testing.T) {
	spec := loadOpenAPI(t)
	gw := gatewaytest.Start(t, func(c *config.Config) {
		c.APIRateLimit, c.APIRateBurst = 1, 1
		c.Limits.PublicPayments, c.Limits.PublicPaymentsBurst, c.Limits.PublicReads, c.Limits.PublicReadsBurst = 1, 1, 1, 1
	})
	c := newAPICheck(spec, gw)
	login := c.send(t, gatewaytest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Anonymous: true,
		Body: map[string]any{"email": "test@example.com", "password": "test123"}}, http.StatusOK)
	session := map[string]string{"Cookie": strings.Split(login.Header.Get("Set-Cookie"), ";")[0], "Origin": gw.URL}
	limited := 0
	for _, op := range spec.operations() {
		m, tmpl, _ := strings.Cut(op, " ")
		if _, ok := spec.lookup(pointer("paths", tmpl, strings.ToLower(m), "responses", "429")); !ok || tmpl == "/api/v1/auth/login" || tmpl == "/api/v1/auth/register" {
			// Only failed logins and registrations that get as far as hashing count: their 429s
			// are tested in auth_test.go and limits_test.go.
			continue
		}
		limited++
		req := gatewaytest.Request{Method: m, Path: regexp.MustCompile(`\{[^{}]+\}`).ReplaceAllString(tmpl, "x"), Anonymous: true, Headers: session}
		if _, ok := spec.lookup(pointer("paths", tmpl, strings.ToLower(m), "requestBody")); ok {
			req.Body = "{" // should a request get through, it is refused
		}
		for attempt := 1; ; attempt++ {
			if r := c.send(t, req, 0); r.Status == http.StatusTooManyRequests {
				break
			}
			if attempt == 5 {
				t.Errorf("%s never answered 429", op)
				break
			}
		}
	}
	if limited < 20 {
		t.Errorf("only %d operations document 429", limited)
	}
}
