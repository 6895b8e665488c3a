package devtemporal

import (
	"context"
	"log/slog"
	"strings"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.uber.org/zap/zapcore"
)

// benignWarnings are server warnings that say nothing useful about a dev
// server; they are dropped.
var benignWarnings = []string{
	// Printed on every boot: the frontend HTTP API (and with it Nexus) is off.
	"HTTP API port has not been set",
}

// minLevelHandler drops records below min (which may change, see
// Server.Stop) before they reach the wrapped handler.
type minLevelHandler struct {
	min *slog.LevelVar
	h   slog.Handler
}

func (m minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min.Level() && m.h.Enabled(ctx, l)
}

func (m minLevelHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < m.min.Level() {
		return nil
	}
	if r.Level < slog.LevelError {
		for _, prefix := range benignWarnings {
			if strings.HasPrefix(r.Message, prefix) {
				return nil
			}
		}
	}
	return m.h.Handle(ctx, r)
}

func (m minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevelHandler{min: m.min, h: m.h.WithAttrs(attrs)}
}

func (m minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{min: m.min, h: m.h.WithGroup(name)}
}

// fatalError is what serverLogger's Fatal and Panic panic with. The server
// calls Fatal where it cannot go on (a listener that cannot bind, ...); zap
// would exit the process. Start recovers it and returns it as an error.
type fatalError struct {
	msg   string
	attrs []slog.Attr
}

func (e fatalError) Error() string {
	var b strings.Builder
	b.WriteString(e.msg)
	for _, a := range e.attrs {
		b.WriteString(" ")
		b.WriteString(a.String())
	}
	return b.String()
}

// serverLogger adapts a *slog.Logger to the Temporal server's log.Logger.
// The server's own log package only converts the other way (log.NewSlogLogger).
//
// Fatal and Panic log an error and panic with a fatalError (never os.Exit);
// DPanic only logs an error.
type serverLogger struct {
	l *slog.Logger
}

var (
	_ log.Logger      = serverLogger{}
	_ log.WithLogger  = serverLogger{}
	_ log.SLogWrapper = serverLogger{}
)

// newServerLogger returns a server logger that forwards records at level min
// and above to l (nil l discards everything).
func newServerLogger(l *slog.Logger, min *slog.LevelVar) serverLogger {
	if l == nil {
		return serverLogger{l: slog.New(slog.DiscardHandler)}
	}
	return serverLogger{l: slog.New(minLevelHandler{min: min, h: l.Handler()})}
}

func (s serverLogger) Debug(msg string, tags ...tag.Tag)  { s.log(slog.LevelDebug, msg, tags) }
func (s serverLogger) Info(msg string, tags ...tag.Tag)   { s.log(slog.LevelInfo, msg, tags) }
func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) Panic(msg string, tags ...tag.Tag)  { s.fatal(msg, tags) }
func (s serverLogger) Fatal(msg string, tags ...tag.Tag)  { s.fatal(msg, tags) }

func (s serverLogger) fatal(msg string, tags []tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(fatalError{msg: msg, attrs: tagsToAttrs(tags)})
}

// With returns a logger with tags prepended to every record.
func (s serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{l: slog.New(s.l.Handler().WithAttrs(tagsToAttrs(tags)))}
}

// SLog lets the server's log.NewSlogLogger hand out the (level-filtered)
// slog logger directly instead of wrapping this adapter again.
func (s serverLogger) SLog() *slog.Logger { return s.l }

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	s.l.LogAttrs(ctx, level, msg, tagsToAttrs(tags)...)
}

func tagsToAttrs(tags []tag.Tag) []slog.Attr {
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		if t == nil {
			continue
		}
		if a := tagToAttr(t); a.Key != "" {
			attrs = append(attrs, a)
		}
	}
	return attrs
}

// tagToAttr converts one server tag. Errors become their message only: zap
// would also emit "errorVerbose" (a stack trace) for errors that carry one.
func tagToAttr(t tag.Tag) slog.Attr {
	zt, ok := t.(tag.ZapTag)
	if !ok {
		return slog.Any(t.Key(), t.Value())
	}
	f := zt.Field()
	switch f.Type {
	case zapcore.SkipType:
		return slog.Attr{}
	case zapcore.ErrorType:
		if err, ok := f.Interface.(error); ok && err != nil {
			return slog.String(f.Key, err.Error())
		}
		return slog.Attr{}
	}
	enc := zapcore.NewMapObjectEncoder()
	f.AddTo(enc)
	if v, ok := enc.Fields[f.Key]; ok {
		return slog.Any(f.Key, v)
	}
	return slog.Any(t.Key(), t.Value())
}
