// Command cluster runs, in the foreground, the topology docker-compose.yml describes as
// processes on this machine (`make cluster`): PostgreSQL under .data/cluster, Temporal's schema
// step, the official Temporal server on :7233 with its Web UI on :8233, `gateway migrate`, two
// API replicas on :8000 and :8001 and two workers. Ctrl-C stops them all; a second run keeps the
// data and resumes unfinished workflows.
//
//	cluster [-dir .data/cluster] [-workers 2] [-overlay deploy/gateway.test.env] [-set KEY=VALUE]...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/paygate/paygate/cluster"
)

type kvFlag map[string]string

func (f kvFlag) String() string { return "" }

func (f kvFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return errors.New("want KEY=VALUE")
	}
	f[k] = v
	return nil
}

type listFlag []string

func (f *listFlag) String() string     { return strings.Join(*f, ",") }
func (f *listFlag) Set(s string) error { *f = append(*f, s); return nil }

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("cluster", "error", err.Error())
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	opts := cluster.Options{Root: ".", Ports: cluster.DefaultPorts(), GatewayEnv: kvFlag{}, Logger: log, Output: os.Stdout}
	var overlays listFlag
	flag.StringVar(&opts.Dir, "dir", ".data/cluster", "data and logs")
	flag.IntVar(&opts.Workers, "workers", 2, "gateway worker processes")
	apis := flag.Int("api", 2, "API replicas, on ports 8000 and up")
	flag.Var(&overlays, "overlay", "env file applied over deploy/gateway.env (repeatable)")
	flag.Var(kvFlag(opts.GatewayEnv), "set", "KEY=VALUE for every gateway process, applied last (repeatable)")
	pprof := flag.Int("temporal-pprof", 0, "port of the Temporal server's pprof endpoint (0: off)")
	quiet := flag.Bool("quiet", false, "keep the processes' output in the log files only")
	flag.Parse()
	opts.Overlays = overlays
	opts.Ports.TemporalPprof = *pprof
	opts.Ports.API = nil
	for i := range *apis {
		opts.Ports.API = append(opts.Ports.API, 8000+i)
	}
	if *quiet {
		opts.Output = nil
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := cluster.Start(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\nPayGate cluster running (Ctrl-C stops it; data and logs in %s):\n", opts.Dir)
	for i := range opts.Ports.API {
		fmt.Fprintf(os.Stderr, "  API replica %d     %s\n", i+1, c.APIURL(i))
	}
	fmt.Fprintf(os.Stderr, "  Temporal frontend  %s\n  Temporal Web UI    %s\n  PostgreSQL         %s\n\n",
		c.TemporalAddress(), c.UIURL(), c.DatabaseURL())

	var failed error
	select {
	case <-ctx.Done():
	case p := <-c.Exited(ctx):
		failed = fmt.Errorf("%s exited (%v); see %s", p.Name, p.Err(), p.LogPath())
	}
	log.Info("stopping")
	return errors.Join(failed, c.Stop())
}
