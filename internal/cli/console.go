package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
)

// console is how the command talks to its user on stderr. In text, every
// line is "enrich: …" ("enrich: error: …", "enrich: hint: …",
// "enrich: warning: …"); with --log-format json every line is one JSON
// object (log/slog's), errors and hints included, so a log pipeline never
// meets a line it cannot parse. A live progress bar registers a clear
// function so that a line printed meanwhile does not land on top of it.
type console struct {
	w    io.Writer
	json *slog.Logger // nil for text

	mu    sync.Mutex
	clear func() // wipes a live progress bar; called with mu held
}

func newConsole(w io.Writer, logFormat string) *console {
	c := &console{w: w}
	if logFormat == "json" {
		c.json = slog.New(slog.NewJSONHandler(w, nil))
	}
	return c
}

// say prints one message of a kind ("error", "warning", "" for a plain
// note), with a hint when there is one.
//
// msg and hint may quote a provider, a cell or a file name: their control
// characters are shown as escapes, never obeyed by the terminal.
func (c *console) say(level slog.Level, kind, msg, hint string, attrs ...any) {
	msg, hint = safe(msg), safe(hint)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.clear != nil {
		c.clear()
	}
	if c.json != nil {
		if hint != "" {
			attrs = append(attrs, "hint", hint)
		}
		c.json.Log(context.Background(), level, msg, attrs...)
		return
	}
	if kind != "" {
		kind += ": "
	}
	fmt.Fprintf(c.w, "enrich: %s%s\n", kind, msg)
	if hint != "" {
		fmt.Fprintf(c.w, "enrich: hint: %s\n", hint)
	}
}

// fail tells err, with its advice, and returns the exit status it means.
func (c *console) fail(err error) int {
	line, hint := advice(err)
	c.say(slog.LevelError, "error", line, hint)
	return exitCodeFor(err)
}

// warn tells err as a warning, with its advice.
func (c *console) warn(err error) {
	line, hint := advice(err)
	c.say(slog.LevelWarn, "warning", line, hint)
}

// warnf is a warning of the command's own.
func (c *console) warnf(format string, args ...any) {
	c.say(slog.LevelWarn, "warning", fmt.Sprintf(format, args...), "")
}

// hintf is a hint of the command's own.
func (c *console) hintf(format string, args ...any) {
	c.say(slog.LevelInfo, "hint", fmt.Sprintf(format, args...), "")
}

// notef is a line of news: resuming, interrupted, done.
func (c *console) notef(format string, args ...any) {
	c.say(slog.LevelInfo, "", fmt.Sprintf(format, args...), "")
}
