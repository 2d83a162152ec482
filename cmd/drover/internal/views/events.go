package views

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/drover/drover/resource"
)

// EventLog writes events as they come (drover events, apply --watch): a
// line each for people, or one JSON object a line. It is a resource.Sink;
// Err says whether a write failed (the events after it are dropped).
type EventLog struct {
	w      io.Writer
	render func(io.Writer, resource.Event) error
	mu     sync.Mutex
	err    error
}

// Events is the view's event log.
func (v *View) Events() *EventLog {
	if v.json() {
		return &EventLog{w: v.Out, render: func(w io.Writer, e resource.Event) error { return writeLine(w, e) }}
	}
	return &EventLog{w: v.Out, render: eventLine}
}

// Emit implements resource.Sink.
func (l *EventLog) Emit(e resource.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = l.render(l.w, e)
	}
}

// Err is the first write's error, if any.
func (l *EventLog) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// eventLine writes one event with its id and local time:
//
//	2026-01-02 15:04:05  #12  created  group.web  web-3  (revision 2)  missing
func eventLine(w io.Writer, e resource.Event) error {
	s := fmt.Sprintf("%s  #%d  %s", e.Time.Local().Format(time.DateTime), e.ID, e.Kind)
	if !e.Resource.IsZero() {
		s += "  " + e.Resource.String()
	}
	if e.Instance != "" {
		s += "  " + e.Instance
	}
	if e.Revision > 0 {
		s += fmt.Sprintf("  (revision %d)", e.Revision)
	}
	if e.Reason != "" {
		s += "  " + e.Reason
	}
	if e.Error != "" {
		s += "  error: " + e.Error
	}
	_, err := fmt.Fprintln(w, s)
	return err
}
