package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// stack is one `gateway dev` (its own PostgreSQL, the embedded Temporal server, API and worker) in
// a directory of its own on free loopback ports, as scripts/with-stack.sh starts it.
type stack struct {
	bin, dir                          string
	portAPI, portPG, portTemporal, ui int
	extraEnv                          []string
	cmd                               *exec.Cmd
	exited                            chan struct{}
	log                               *os.File
}

// freePorts returns n distinct free loopback ports, holding every socket open until all are known.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func newStack(bin, dir string, extraEnv ...string) (*stack, error) {
	p, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &stack{bin: bin, dir: dir, portAPI: p[0], portPG: p[1], portTemporal: p[2], ui: p[3], extraEnv: extraEnv}, nil
}

func (s *stack) baseURL() string { return "http://127.0.0.1:" + strconv.Itoa(s.portAPI) }
func (s *stack) pgURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/gateway?sslmode=disable", s.portPG)
}
func (s *stack) temporalAddr() string { return "127.0.0.1:" + strconv.Itoa(s.portTemporal) }
func (s *stack) temporalDir() string  { return filepath.Join(s.dir, "temporal") }

// start runs `gateway dev` (TEST_PROCESSING_DELAY=0, as `make bench`) and waits for /health.
func (s *stack) start(ctx context.Context) error {
	log, err := os.OpenFile(filepath.Join(s.dir, "gateway.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	s.log = log
	cmd := exec.Command(s.bin, "dev")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(),
		"DATA_DIR="+s.dir, "PORT="+strconv.Itoa(s.portAPI), "DEV_POSTGRES_PORT="+strconv.Itoa(s.portPG),
		"DEV_TEMPORAL_PORT="+strconv.Itoa(s.portTemporal), "DEV_TEMPORAL_UI_PORT="+strconv.Itoa(s.ui),
		"TEST_MODE=true", "TEST_PROCESSING_DELAY=0", "WEBHOOK_ALLOW_PRIVATE_TARGETS=true", "WEBHOOK_RETRY_INTERVALS_TEST=true",
		// Loadgen's 50 clients from one address would hit the default per-key limit at times.
		"API_RATE_LIMIT=100000", "API_RATE_BURST=100000")
	cmd.Env = append(cmd.Env, s.extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	exited := make(chan struct{})
	s.exited = exited
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("gateway dev exited; see %s", log.Name())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
		resp, err := http.Get(s.baseURL() + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
	}
	return fmt.Errorf("gateway dev not healthy after 3 minutes; see %s", log.Name())
}

// stop interrupts the gateway (which stops its PostgreSQL and Temporal) and waits for it.
func (s *stack) stop() {
	cmd := s.cmd
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	s.cmd = nil
	if s.log != nil {
		s.log.Close()
	}
}
