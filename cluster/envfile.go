package cluster

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// ReadEnvFile reads an env file as docker compose's env_file does for the simple form the files
// under deploy/ use: KEY=VALUE lines, blank lines and # comments, no quoting or interpolation.
func ReadEnvFile(path string) ([][2]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var vars [][2]string
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") || strings.ContainsAny(v, `"'$`) {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE without quotes or $", path, n)
		}
		vars = append(vars, [2]string{k, v})
	}
	return vars, s.Err()
}

// environ is a process environment built in layers, later values winning.
type environ struct {
	order []string
	vals  map[string]string
}

// inheritedVars are the only variables of this program's environment its processes get: they
// see what docker-compose.yml would give them, whatever the shell running `make cluster` holds.
var inheritedVars = []string{"PATH", "HOME", "USER", "TMPDIR", "LANG", "LC_ALL", "TZ", "GOGC", "GOMAXPROCS", "GOMEMLIMIT"}

func newEnviron() *environ {
	e := &environ{vals: map[string]string{}}
	for _, k := range inheritedVars {
		if v, ok := os.LookupEnv(k); ok {
			e.set(k, v)
		}
	}
	return e
}

func (e *environ) set(k, v string) *environ {
	if _, ok := e.vals[k]; !ok {
		e.order = append(e.order, k)
	}
	e.vals[k] = v
	return e
}

func (e *environ) setAll(kv map[string]string) *environ {
	for k, v := range kv {
		e.set(k, v)
	}
	return e
}

func (e *environ) file(path string) error {
	vars, err := ReadEnvFile(path)
	if err != nil {
		return err
	}
	for _, kv := range vars {
		e.set(kv[0], kv[1])
	}
	return nil
}

func (e *environ) clone() *environ {
	c := &environ{order: append([]string(nil), e.order...), vals: map[string]string{}}
	for k, v := range e.vals {
		c.vals[k] = v
	}
	return c
}

func (e *environ) list() []string {
	out := make([]string, 0, len(e.order))
	for _, k := range e.order {
		out = append(out, k+"="+e.vals[k])
	}
	return out
}
