package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The CPU split comes from /proc, like top: utime+stime of the gateway process (API and worker),
// of the Temporal server when it is another process (`gateway dev` runs its embedded one as a
// child), of PostgreSQL (the postmaster and its children) and of this process (HTTP clients,
// webhook receiver, the baseline's worker), plus
// the machine's busy time from /proc/stat. Processes are found by the loopback ports they listen
// on, so no pid has to be passed in.

const clockTicks = 100 // USER_HZ: 100 on every Linux this runs on

// processes names the groups to watch; a group's pids are listed again at every sample.
type processes struct {
	groups map[string]func() []int
	pids   map[string]int // the root pid of each group, for the report
}

func findProcesses(o options) *processes {
	p := &processes{groups: map[string]func() []int{}, pids: map[string]int{}}
	self := os.Getpid()
	p.groups["loadgen"] = func() []int { return []int{self} }
	p.pids["loadgen"] = self
	// One -url: the gateway process. Several (a cluster's API replicas): "api" is their
	// processes and "worker" the `gateway worker` processes, found by their command line.
	urls := strings.Split(o.url, ",")
	var apiPids []int
	for _, raw := range urls {
		if u, err := url.Parse(raw); err == nil {
			if pid := listenerPID(u.Port()); pid > 0 {
				apiPids = append(apiPids, pid)
			}
		}
	}
	if len(urls) == 1 && len(apiPids) == 1 && !o.peer {
		p.groups["gateway"] = func() []int { return apiPids }
		p.pids["gateway"] = apiPids[0]
	} else if len(apiPids) > 0 {
		// API replicas, or the peer's API server (its workers and Redis come with -cpu-group).
		p.groups["api"] = func() []int { return apiPids }
		p.pids["api"] = apiPids[0]
		if workers := gatewayWorkers(); len(workers) > 0 && !o.peer {
			p.groups["worker"] = func() []int { return workers }
			p.pids["worker"] = workers[0]
		}
	}
	if _, port, err := net.SplitHostPort(o.temporal); o.temporal != "" && err == nil {
		if pid := listenerPID(port); pid > 0 && pid != p.pids["gateway"] {
			p.groups["temporal"] = func() []int { return []int{pid} }
			p.pids["temporal"] = pid
		}
	}
	if d, err := url.Parse(o.database); o.database != "" && err == nil {
		port := d.Port()
		if port == "" {
			port = "5432"
		}
		if pid := listenerPID(port); pid > 0 {
			p.groups["postgres"] = func() []int { return append(childrenOf(pid), pid) }
			p.pids["postgres"] = pid
		}
	}
	for name, pids := range o.cpuGroups {
		if _, taken := p.groups[name]; taken || len(pids) == 0 {
			continue
		}
		p.groups[name] = func() []int { return pids }
		p.pids[name] = pids[0]
	}
	return p
}

func (p *processes) describe() map[string]string {
	out := map[string]string{}
	for name, pid := range p.pids {
		out[name] = fmt.Sprintf("%d %s", pid, cmdline(pid))
	}
	return out
}

// CPU is a group's CPU use over a phase.
type CPU struct {
	Seconds float64 `json:"cpu_seconds"`
	Percent float64 `json:"percent_of_one_core"`
	// PerItemMillis is CPU milliseconds per payment (or per empty workflow).
	PerItemMillis float64 `json:"cpu_ms_per_item"`
}

// cpuSampler samples the groups every 250 ms until stopped.
type cpuSampler struct {
	p       *processes
	began   time.Time
	host0   [2]uint64 // busy, total jiffies at start
	first   map[int]uint64
	last    map[int]uint64
	groupOf map[int]string
	mu      sync.Mutex
	done    chan struct{}
	wg      sync.WaitGroup
}

func (p *processes) start() *cpuSampler {
	s := &cpuSampler{p: p, first: map[int]uint64{}, last: map[int]uint64{}, groupOf: map[int]string{}, done: make(chan struct{})}
	s.began = time.Now()
	s.host0 = hostJiffies()
	s.sample(true)
	s.wg.Go(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample(false)
			}
		}
	})
	return s
}

func (s *cpuSampler) sample(initial bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, list := range s.p.groups {
		for _, pid := range list() {
			j, ok := procJiffies(pid)
			if !ok {
				continue
			}
			if _, seen := s.last[pid]; !seen {
				s.groupOf[pid] = name
				if initial {
					s.first[pid] = j
				} // a process born during the phase starts from zero
			}
			s.last[pid] = j
		}
	}
}

// stop ends the phase and returns each group's use, per item for items > 0.
func (s *cpuSampler) stop(items int) map[string]CPU {
	s.sample(false)
	close(s.done)
	s.wg.Wait()
	wall := time.Since(s.began).Seconds()
	host := hostJiffies()
	ticks := map[string]uint64{}
	for pid, j := range s.last {
		ticks[s.groupOf[pid]] += j - s.first[pid]
	}
	out := map[string]CPU{}
	add := func(name string, seconds float64) {
		c := CPU{Seconds: round(seconds, 2), Percent: round(100*seconds/wall, 1)}
		if items > 0 {
			c.PerItemMillis = round(1000*seconds/float64(items), 3)
		}
		out[name] = c
	}
	for name, t := range ticks {
		add(name, float64(t)/clockTicks)
	}
	if total := host[1] - s.host0[1]; total > 0 {
		busy := float64(host[0]-s.host0[0]) / float64(total) // share of all cores
		hostSeconds := busy * wall * float64(runtime.NumCPU())
		add("host", hostSeconds)
		// What no watched process was charged: other processes, and interrupt and softirq time
		// (loopback TCP is processed there).
		other := hostSeconds
		for _, t := range ticks {
			other -= float64(t) / clockTicks
		}
		add("other", max(other, 0))
	}
	return out
}

// procJiffies is utime+stime of a process.
func procJiffies(pid int) (uint64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	f := statFields(string(b))
	if len(f) < 15 {
		return 0, false
	}
	u, _ := strconv.ParseUint(f[13], 10, 64)
	s, _ := strconv.ParseUint(f[14], 10, 64)
	return u + s, true
}

// statFields splits /proc/PID/stat; the command (field 2) may hold spaces and parentheses.
func statFields(stat string) []string {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil
	}
	return append([]string{"pid", "comm"}, strings.Fields(stat[i+1:])...)
}

// hostJiffies is busy and total time of all CPUs from /proc/stat.
func hostJiffies() [2]uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return [2]uint64{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var total, idle uint64
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		if i >= 8 { // guest time is already in user
			break
		}
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return [2]uint64{total - idle, total}
}

func childrenOf(ppid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if f := statFields(string(b)); len(f) > 3 && f[3] == strconv.Itoa(ppid) {
			out = append(out, pid)
		}
	}
	return out
}

// listenerPID finds the process listening on a TCP port of this machine (0 if none is visible).
func listenerPID(port string) int {
	p, err := strconv.Atoi(port)
	if err != nil {
		return 0
	}
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, ino := range listeningInodes(string(b), p) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	return 0
}

// listeningInodes parses /proc/net/tcp{,6} for sockets in LISTEN state on port.
func listeningInodes(table string, port int) []string {
	var out []string
	for _, line := range strings.Split(table, "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 10 || f[3] != "0A" {
			continue
		}
		_, hexPort, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(hexPort, 16, 32); err == nil && int(n) == port {
			out = append(out, f[9])
		}
	}
	return out
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	s := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// waitQuiet waits, up to limit, for a 2-second window in which the machine is less than
// threshold busy (a share of all CPUs), so that a run does not start while something else
// (a build, a test suite) is using the machine. It returns the last window's busy share.
func waitQuiet(ctx context.Context, limit time.Duration, threshold float64) float64 {
	deadline := time.Now().Add(limit)
	for said := false; ; {
		h0 := hostJiffies()
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(2 * time.Second):
		}
		h1 := hostJiffies()
		busy := 0.0
		if total := h1[1] - h0[1]; total > 0 {
			busy = float64(h1[0]-h0[0]) / float64(total)
		}
		if busy < threshold || time.Now().After(deadline) {
			return round(busy, 3)
		}
		if !said {
			fmt.Fprintf(os.Stderr, "loadgen: machine %.0f%% busy; waiting up to %s for it to calm down\n", 100*busy, limit)
			said = true
		}
	}
}

// gatewayWorkers lists the `gateway worker` processes on this machine.
func gatewayWorkers() []int {
	dirs, _ := os.ReadDir("/proc")
	var pids []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		args := strings.Split(string(b), "\x00")
		if len(args) >= 2 && filepath.Base(args[0]) == "gateway" && args[1] == "worker" {
			pids = append(pids, pid)
		}
	}
	return pids
}
