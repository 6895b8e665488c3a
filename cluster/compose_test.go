package cluster

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeFile is docker-compose.yml as far as these tests read it.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		EnvFile     []string          `yaml:"env_file"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

// configVars are the variables config.FromEnv reads, from its source.
func configVars(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../config/config.go")
	if err != nil {
		t.Fatal(err)
	}
	var vars []string
	for _, m := range regexp.MustCompile(`e\.(?:str|int|bool)\("([A-Z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
		vars = append(vars, m[1])
	}
	if len(vars) < 10 {
		t.Fatalf("found only %d variables in config/config.go: has FromEnv changed shape?", len(vars))
	}
	return vars
}

func envFileKeys(t *testing.T, path string) []string {
	t.Helper()
	vars, err := ReadEnvFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, kv := range vars {
		keys = append(keys, kv[0])
	}
	return keys
}

// goModVersion is the version go.mod requires of module.
func goModVersion(t *testing.T, module string) string {
	t.Helper()
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("go.mod does not require %s", module)
	}
	return m[1]
}

// TestComposeGatewayEnv: every variable docker-compose.yml gives a gateway process (its
// environment and env files), and every one make cluster's test overlay sets, is one the gateway
// reads; the production file sets no test-mode variable and no literal secret.
func TestComposeGatewayEnv(t *testing.T) {
	known := configVars(t)
	c := readCompose(t)
	gateways := 0
	for name, s := range c.Services {
		if s.Build == nil && !strings.HasPrefix(s.Image, "paygate/") {
			continue
		}
		gateways++
		keys := []string{}
		for k, v := range s.Environment {
			keys = append(keys, k)
			if strings.Contains(strings.ToLower(k+v), "password") || strings.Contains(v, "@") {
				if !strings.Contains(v, "${") {
					t.Errorf("service %s: %s holds a literal secret; take it from .env (${VAR})", name, k)
				}
			}
		}
		for _, f := range s.EnvFile {
			keys = append(keys, envFileKeys(t, f)...)
		}
		for _, k := range keys {
			if !slices.Contains(known, k) {
				t.Errorf("service %s sets %s, which config.FromEnv does not read", name, k)
			}
			if k == "TEST_MODE" || k == "SEED_TEST_MERCHANT" || strings.HasPrefix(k, "TEST_") || k == "WEBHOOK_ALLOW_PRIVATE_TARGETS" {
				t.Errorf("service %s sets %s: docker-compose.yml is the production example", name, k)
			}
		}
	}
	if gateways < 3 {
		t.Errorf("found %d gateway services, want migrate, api and worker", gateways)
	}
	for _, k := range envFileKeys(t, "deploy/gateway.test.env") {
		if !slices.Contains(known, k) {
			t.Errorf("deploy/gateway.test.env sets %s, which config.FromEnv does not read", k)
		}
	}
}

// TestComposeTemporalVersion: the Temporal images are the versions go.mod builds (the server
// and its admin tools at go.temporal.io/server's, the Web UI at ui-server's), and Temporal's
// ports are published on loopback only.
func TestComposeTemporalVersion(t *testing.T) {
	server := goModVersion(t, "go.temporal.io/server")
	ui := goModVersion(t, "github.com/temporalio/ui-server/v2")
	want := map[string]string{"temporalio/server": server, "temporalio/admin-tools": server, "temporalio/ui": ui}
	seen := map[string]bool{}
	for name, s := range readCompose(t).Services {
		repo, tag, _ := strings.Cut(s.Image, ":")
		if v, ok := want[repo]; ok {
			seen[repo] = true
			if tag != v {
				t.Errorf("service %s runs %s, want tag %s (go.mod)", name, s.Image, v)
			}
		}
		if strings.HasPrefix(repo, "temporalio/") {
			for _, p := range s.Ports {
				if !strings.HasPrefix(p, "127.0.0.1:") {
					t.Errorf("service %s publishes %s beyond loopback", name, p)
				}
			}
		}
		if strings.Contains(repo, "auto-setup") {
			t.Errorf("service %s uses the deprecated auto-setup image", name)
		}
	}
	for repo := range want {
		if !seen[repo] {
			t.Errorf("no service runs %s", repo)
		}
	}
}

// TestComposeMountsClusterFiles: the Temporal services read the files under deploy/ that
// `make cluster` reads (package cluster), so the two cannot drift.
func TestComposeMountsClusterFiles(t *testing.T) {
	c := readCompose(t)
	checks := []struct{ service, envFile, volume string }{
		{"temporal", "deploy/temporal.env", "./deploy/temporal:"},
		{"temporal-schema", "deploy/temporal.env", "./deploy/temporal:"},
		{"temporal-ui", "deploy/temporal-ui.env", "./deploy/temporal-ui/docker.yaml:"},
		{"api", "deploy/gateway.env", ""},
		{"worker", "deploy/gateway.env", ""},
		{"migrate", "deploy/gateway.env", ""},
	}
	for _, ch := range checks {
		s, ok := c.Services[ch.service]
		if !ok {
			t.Errorf("no service %s", ch.service)
			continue
		}
		if !slices.Contains(s.EnvFile, ch.envFile) {
			t.Errorf("service %s: env_file %v lacks %s", ch.service, s.EnvFile, ch.envFile)
		}
		if ch.volume != "" && !slices.ContainsFunc(s.Volumes, func(v string) bool { return strings.HasPrefix(v, ch.volume) }) {
			t.Errorf("service %s does not mount %s", ch.service, ch.volume)
		}
	}
	if p := c.Services["temporal"].Environment["DYNAMIC_CONFIG_FILE_PATH"]; p != "/etc/paygate/temporal/dynamicconfig.yaml" {
		t.Errorf("temporal's DYNAMIC_CONFIG_FILE_PATH is %q, not the mounted deploy/temporal/dynamicconfig.yaml", p)
	}
	for _, f := range []string{"deploy/temporal/dynamicconfig.yaml", "deploy/temporal/setup-schema.sh", "deploy/temporal-ui/docker.yaml"} {
		if _, err := os.Stat(filepath.Join("..", f)); err != nil {
			t.Error(err)
		}
	}
}
