package views

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/resource"
)

// Progress shows apply, destroy and rollback --wait at work: each event
// as it happens, each resource's status line when it changes, and what
// the command says between them. It is a resource.Sink; reconcilers'
// workers emit to it at once, hence the lock.
type Progress struct {
	w   io.Writer
	now func() time.Time

	mu       sync.Mutex
	lines    map[string]string
	watching bool
}

// NewProgress is a progress view writing to w.
func NewProgress(w io.Writer) *Progress {
	return &Progress{w: w, now: time.Now, lines: map[string]string{}}
}

// Watch marks the start of watching: from now on every line starts with
// the time.
func (p *Progress) Watch() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.watching = true
}

// Emit implements resource.Sink: one line per event, indented, such as
// "+ group.web: web-3 created (missing)", "* service.api: updated (image
// changed)" or "* revision 2 recorded (apply by ann@host)". An
// autoscaler's evaluation that holds is shown when the rule that holds it
// changes, not every interval.
func (p *Progress) Emit(e resource.Event) {
	if e.Autoscale != nil && !p.heldChanged(e) {
		return
	}
	p.Printf("%s\n", progressLine(e))
}

// heldChanged says whether an autoscaler's evaluation is to be shown:
// an action always is, a hold when its rule differs from the last
// evaluation's of its resource.
func (p *Progress) heldChanged(e resource.Event) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := "autoscale " + e.Resource.String()
	last := p.lines[key]
	p.lines[key] = e.Kind + " " + e.Autoscale.Rule
	return e.Kind != autoscale.EventHeld || last != p.lines[key]
}

var eventSymbol = map[string]string{
	"created": "+", "destroyed": "-", "lost": "!", "create_failed": "x", "destroy_failed": "x", "held": "?",
	autoscale.EventAutoscaled: "~", autoscale.EventHeld: "=", autoscale.EventFailed: "x",
}

func progressLine(e resource.Event) string {
	if e.Resource.IsZero() {
		return fmt.Sprintf("  * revision %d recorded (%s)", e.Revision, e.Reason)
	}
	sym := eventSymbol[e.Kind]
	if sym == "" {
		sym = "*"
	}
	line := fmt.Sprintf("  %s %s: ", sym, e.Resource)
	if e.Instance != "" {
		line += e.Instance + " "
	}
	line += strings.ReplaceAll(e.Kind, "_", " ")
	if e.Reason != "" {
		line += " (" + e.Reason + ")"
	}
	if e.Error != "" {
		line += ": " + e.Error
	}
	return line
}

// Line prints the status line of key when it is not the one printed last.
func (p *Progress) Line(key, line string) {
	p.mu.Lock()
	changed := p.lines[key] != line
	p.lines[key] = line
	p.mu.Unlock()
	if changed {
		p.Printf("%s\n", line)
	}
}

// Printf prints a line of its own, with the time once watching.
func (p *Progress) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.watching {
		fmt.Fprintf(p.w, "[%s] ", p.now().Format("15:04:05"))
	}
	fmt.Fprintf(p.w, format, args...)
}
