package external

import (
	"context"
	"io"
	"log"
	"log/slog"

	hclog "github.com/hashicorp/go-hclog"
)

// slogHCLog is an hclog.Logger writing to a *slog.Logger: go-plugin logs
// through hclog, and relays the plugin's own stderr lines through it.
// go-plugin names its sub-loggers (after the binary, "stdio") and adds a
// "plugin" kv of its own, so a name goes in the "logger" attribute; the
// supervisor's plugin=<name> attribute stays the only "plugin". The
// "timestamp" kv of the plugin's JSON lines is dropped: drover's log has
// its own time.
type slogHCLog struct {
	l    *slog.Logger
	name string
	args []any
}

// newHCLog returns an hclog.Logger over l.
func newHCLog(l *slog.Logger) hclog.Logger { return &slogHCLog{l: l} }

func toSlogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Log logs a line. go-plugin's own lines (the unnamed logger: process
// started, exited) are Debug at most, so that a command using a plugin
// stays quiet; the supervisor logs what matters itself. The plugin's
// lines (a named logger) keep their level.
func (h *slogHCLog) Log(l hclog.Level, msg string, args ...any) {
	lv := toSlogLevel(l)
	if h.name == "" {
		lv = min(lv, slog.LevelDebug)
	}
	h.l.Log(context.Background(), lv, msg, fixArgs(args)...)
}

// fixArgs drops the "timestamp" pair go-plugin copies from JSON lines, and
// renames its "plugin" pair (the binary's path) to "binary", so that the
// supervisor's plugin=<name> is the only "plugin".
func fixArgs(args []any) []any {
	out := make([]any, 0, len(args))
	for i := 0; i < len(args); i += 2 {
		k, ok := args[i].(string)
		switch {
		case i+1 >= len(args):
			out = append(out, args[i])
		case ok && k == "timestamp":
		case ok && k == "plugin":
			out = append(out, "binary", args[i+1])
		default:
			out = append(out, args[i], args[i+1])
		}
	}
	return out
}

func (h *slogHCLog) Trace(m string, a ...any) { h.Log(hclog.Trace, m, a...) }
func (h *slogHCLog) Debug(m string, a ...any) { h.Log(hclog.Debug, m, a...) }
func (h *slogHCLog) Info(m string, a ...any)  { h.Log(hclog.Info, m, a...) }
func (h *slogHCLog) Warn(m string, a ...any)  { h.Log(hclog.Warn, m, a...) }
func (h *slogHCLog) Error(m string, a ...any) { h.Log(hclog.Error, m, a...) }

func (h *slogHCLog) on(l hclog.Level) bool {
	return h.l.Enabled(context.Background(), toSlogLevel(l))
}

func (h *slogHCLog) IsTrace() bool      { return h.on(hclog.Trace) }
func (h *slogHCLog) IsDebug() bool      { return h.on(hclog.Debug) }
func (h *slogHCLog) IsInfo() bool       { return h.on(hclog.Info) }
func (h *slogHCLog) IsWarn() bool       { return h.on(hclog.Warn) }
func (h *slogHCLog) IsError() bool      { return h.on(hclog.Error) }
func (h *slogHCLog) ImpliedArgs() []any { return h.args }

func (h *slogHCLog) With(a ...any) hclog.Logger {
	return &slogHCLog{l: h.l.With(a...), name: h.name, args: append(append([]any{}, h.args...), a...)}
}

func (h *slogHCLog) Name() string { return h.name }

func (h *slogHCLog) Named(n string) hclog.Logger {
	if h.name != "" {
		n = h.name + "." + n
	}
	return &slogHCLog{l: h.l.With("logger", n), name: n, args: h.args}
}

func (h *slogHCLog) ResetNamed(n string) hclog.Logger {
	return &slogHCLog{l: h.l.With("logger", n), name: n, args: h.args}
}

// SetLevel does nothing: drover's --log-level decides.
func (h *slogHCLog) SetLevel(hclog.Level) {}

func (h *slogHCLog) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if h.on(l) {
			return l
		}
	}
	return hclog.Off
}

func (h *slogHCLog) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return slog.NewLogLogger(h.l.Handler(), slog.LevelInfo)
}

func (h *slogHCLog) StandardWriter(o *hclog.StandardLoggerOptions) io.Writer {
	return h.StandardLogger(o).Writer()
}

var _ hclog.Logger = (*slogHCLog)(nil)
