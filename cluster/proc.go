package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// Proc is one process of the topology, which the cluster (or a test) starts, stops, kills and
// starts again. Its output is appended to logs/<name>.log under the cluster's directory (and
// copied, each line prefixed with the name, to the cluster's Output when set).
type Proc struct {
	Name string
	path string
	args []string
	env  []string
	dir  string
	log  string
	out  io.Writer // nil: the log file only

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{} // closed once cmd has been reaped
	err    error         // cmd.Wait's answer
	killed bool          // stopped or killed on purpose
}

// LogPath is the file the process's output is appended to.
func (p *Proc) LogPath() string { return p.log }

// Start starts the process (again, after it exited). It runs in a process group of its own, so a
// Ctrl-C in the terminal reaches only the cluster, which stops the processes in order, and it is
// killed if the program that started it dies.
func (p *Proc) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done != nil && !closed(p.done) {
		return fmt.Errorf("%s is already running", p.Name)
	}
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "=== start of %s at %s\n", p.Name, time.Now().Format(time.RFC3339Nano))
	var w io.Writer = f
	var pipeDone chan struct{}
	var pw *io.PipeWriter
	if p.out != nil {
		var pr *io.PipeReader
		pr, pw = io.Pipe()
		w = pw
		pipeDone = make(chan struct{})
		go func() {
			defer close(pipeDone)
			copyLines(pr, f, p.out, p.Name)
		}()
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr, cmd.Dir = p.env, w, w, p.dir
	if err := StartChild(cmd); err != nil {
		if pw != nil {
			pw.Close()
			<-pipeDone
		}
		f.Close()
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.err, p.killed = cmd, done, nil, false
	go func() {
		err := cmd.Wait()
		if pw != nil {
			pw.Close()
			<-pipeDone
		}
		f.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// copyLines copies r to the log file and, prefixed with name, to out.
func copyLines(r io.Reader, log io.Writer, out io.Writer, name string) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Bytes()
		log.Write(append(line, '\n'))
		fmt.Fprintf(out, "%-10s | %s\n", name, line)
	}
	io.Copy(log, r) // a line longer than the buffer: the rest to the log only
}

// Running reports whether the process is running.
func (p *Proc) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done != nil && !closed(p.done)
}

// Pid is the process id of the latest start.
func (p *Proc) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Done is closed when the latest start has exited.
func (p *Proc) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return p.done
}

// Err is the latest start's exit error (nil while running or after a clean exit).
func (p *Proc) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Wait waits up to timeout for the process to exit and reports whether it did.
func (p *Proc) Wait(timeout time.Duration) bool {
	select {
	case <-p.Done():
		return true
	case <-time.After(timeout):
		return false
	}
}

// Run starts the process and waits up to timeout for it to exit with status 0.
func (p *Proc) Run(timeout time.Duration) error {
	if err := p.Start(); err != nil {
		return err
	}
	if !p.Wait(timeout) {
		p.Kill()
		return fmt.Errorf("%s did not finish within %s (log: %s)", p.Name, timeout, p.log)
	}
	if err := p.Err(); err != nil {
		return fmt.Errorf("%s: %w (log: %s)", p.Name, err, p.log)
	}
	return nil
}

func (p *Proc) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done != nil && !closed(p.done) {
		p.killed = true
		syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// Kill sends SIGKILL to the process group and waits until the process is reaped.
func (p *Proc) Kill() error {
	p.signal(syscall.SIGKILL)
	if !p.Wait(10 * time.Second) {
		return fmt.Errorf("%s did not die from SIGKILL", p.Name)
	}
	return nil
}

// Stop asks the process to stop (SIGINT) and kills it if it has not within grace.
func (p *Proc) Stop(grace time.Duration) error {
	p.signal(syscall.SIGINT)
	if p.Wait(grace) {
		return nil
	}
	return errors.Join(fmt.Errorf("%s did not stop within %s; killed", p.Name, grace), p.Kill())
}

// exitedOnItsOwn reports whether the latest start exited without Stop or Kill.
func (p *Proc) exitedOnItsOwn() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done != nil && closed(p.done) && !p.killed
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Processes are started from one goroutine locked to its OS thread for the life of the program:
// their parent-death signal (SIGKILL) is tied to the thread that started them, and Go may end
// other threads.
var spawn = make(chan spawnRequest)

type spawnRequest struct {
	cmd  *exec.Cmd
	done chan error
}

func init() {
	go func() {
		runtime.LockOSThread()
		for req := range spawn {
			req.done <- req.cmd.Start()
		}
	}()
}

// StartChild starts cmd in a process group of its own (so that a kill reaches its children),
// killed with SIGKILL if this program dies (a test binary's -timeout panic, say).
func StartChild(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	done := make(chan error, 1)
	spawn <- spawnRequest{cmd, done}
	return <-done
}

func newProc(c *Cluster, name, path string, env []string, args ...string) *Proc {
	return &Proc{Name: name, path: path, args: args, env: env, dir: c.opts.Root,
		log: filepath.Join(c.opts.Dir, "logs", name+".log"), out: c.opts.Output}
}
