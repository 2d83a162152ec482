package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

// notifyTimeout bounds a notification's delivery.
const notifyTimeout = 10 * time.Second

// sourceEvents are the event kinds of a source, by its state.
var sourceEvents = map[string]string{api.SourceReady: "applied", api.SourceFailed: "apply_failed", api.SourceHeld: "held"}

// announceSource publishes the event of a source's new state, and posts
// it to the source's notification URL.
func (d *Daemon) announceSource(ctx context.Context, cfg sourceConfig, st api.SourceStatus, out outcome) {
	kind := sourceEvents[st.State]
	e := resource.Event{Resource: resource.Source.KeyOf(cfg.Name), Kind: kind, Revision: out.revision, Error: st.LastError, Reason: st.HeldReason}
	commit := st.Seen
	if out.commit != nil {
		commit = out.commit.SHA
		e.Reason = joinReason("commit "+shortSHA(commit)+": "+firstLine(out.commit.Message), e.Reason)
	}
	d.hub.Publish(e)
	reconcile.Logger(ctx).Info("source "+kind, "commit", shortSHA(commit), "revision", out.revision, "reason", e.Reason, "err", e.Error)
	if cfg.Notify == "" {
		return
	}
	notice := api.SourceNotice{Source: cfg.Name, Event: kind, Commit: commit, Revision: out.revision,
		Reason: joinReason(st.HeldReason, st.LastError), Time: d.opts.Clock.Now().UTC()}
	if err := d.notify(ctx, cfg.Notify, notice); err != nil {
		// A notification is a courtesy: its failure changes nothing the
		// source does, and the event above says the same.
		reconcile.Logger(ctx).Warn("source notification not delivered", "event", kind, "err", err)
	}
}

// notify posts notice to url.
func (d *Daemon) notify(ctx context.Context, url string, notice api.SourceNotice) error {
	body, err := json.Marshal(notice)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the notify URL does not make a request")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.notifier.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", redactURLError(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the receiver answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// redactURLError drops the URL (which may carry a token in its query)
// from an error of http.Client.
func redactURLError(err error) error {
	if ue, ok := err.(interface{ Unwrap() error }); ok {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func joinReason(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' || r == '\r' {
			return s[:i]
		}
	}
	return s
}
