package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/drover/drover/internal/httpjson"
	"github.com/drover/drover/resource"
)

// The event stream is server-sent events
// (https://html.spec.whatwg.org/multipage/server-sent-events.html): each
// event is
//
//	id: <resource.Event.ID>
//	event: <resource.Event.Kind>
//	data: <resource.Event as JSON, on one line>
//
// followed by a blank line; an idle stream carries ": keep-alive" comments.

// maxEventLine bounds one line of an event stream the client reads.
const maxEventLine = 1 << 20

// events serves GET /v1/events.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	since, follow, msg := eventsQuery(r)
	if msg != "" {
		httpjson.Error(w, http.StatusBadRequest, msg)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel() // ends the subscription
	backlog, live := s.opts.Backend.Subscribe(ctx, since)
	if !follow {
		cancel()
	}

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)

	// A stream outlives any one write deadline: each event, and each
	// heartbeat, gets WriteTimeout to reach a client that reads.
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(s.opts.Limits.WriteTimeout)) }
	send := func(ev resource.Event) error {
		extend()
		if err := writeEvent(w, ev); err != nil {
			return err
		}
		return rc.Flush()
	}
	for _, ev := range backlog {
		extend()
		if err := writeEvent(w, ev); err != nil {
			s.streamEnded(r, err)
			return
		}
	}
	if err := rc.Flush(); err != nil || !follow {
		s.streamEnded(r, err)
		return
	}
	heartbeat := time.NewTimer(s.opts.Heartbeat)
	defer heartbeat.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-live:
			if !ok {
				return // the backend ended the subscription
			}
			err = send(ev)
		case <-heartbeat.C:
			extend()
			if _, err = io.WriteString(w, ": keep-alive\n\n"); err == nil {
				err = rc.Flush()
			}
		}
		if err != nil {
			s.streamEnded(r, err)
			return
		}
		heartbeat.Reset(s.opts.Heartbeat)
	}
}

// streamEnded logs why a stream ended early, unless the client left.
func (s *server) streamEnded(r *http.Request, err error) {
	if err != nil && r.Context().Err() == nil {
		s.opts.Log.Debug("event stream ended", "err", err)
	}
}

// eventsQuery reads since (the Last-Event-ID header, else ?since) and
// ?follow, or says what is wrong with them.
func eventsQuery(r *http.Request) (since int64, follow bool, msg string) {
	q := r.URL.Query()
	follow = true
	if v := q.Get("follow"); v != "" {
		f, err := strconv.ParseBool(v)
		if err != nil {
			return 0, false, fmt.Sprintf("follow=%s: want true or false", v)
		}
		follow = f
	}
	from, v := "since", q.Get("since")
	if h := r.Header.Get("Last-Event-ID"); h != "" {
		from, v = "Last-Event-ID", h
	}
	if v == "" {
		return 0, follow, ""
	}
	since, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || since < 0 {
		return 0, false, fmt.Sprintf("%s %q: want an event ID (0, 1, ...)", from, v)
	}
	return since, follow, ""
}

// writeEvent writes ev as one server-sent event.
func writeEvent(w io.Writer, ev resource.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event %d: %w", ev.ID, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %d\n", ev.ID)
	if ev.Kind != "" {
		kind := strings.NewReplacer("\r", " ", "\n", " ").Replace(ev.Kind)
		fmt.Fprintf(&b, "event: %s\n", kind)
	}
	b.WriteString("data: ")
	b.Write(data) // json.Marshal writes no newlines
	b.WriteString("\n\n")
	_, err = w.Write(b.Bytes())
	return err
}

// sseEvent is one event read from a stream.
type sseEvent struct {
	ID, Event string
	Data      []byte
}

// readEvents reads a server-sent event stream, calling fn with each event
// that has data. It returns nil at the end of r, or fn's error, or r's.
func readEvents(r io.Reader, fn func(sseEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxEventLine)
	var (
		ev      sseEvent
		hasData bool
	)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			if hasData {
				if err := fn(ev); err != nil {
					return err
				}
			}
			ev, hasData = sseEvent{}, false
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // a comment: the heartbeat
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID = value
		case "event":
			ev.Event = value
		case "data":
			if hasData {
				ev.Data = append(ev.Data, '\n')
			}
			ev.Data, hasData = append(ev.Data, value...), true
		}
	}
	return sc.Err()
}
