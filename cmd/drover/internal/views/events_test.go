package views

import (
	"errors"
	"testing"

	"github.com/drover/drover/resource"
)

// failingWriter fails every write after the first n.
type failingWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.n == 0 {
		return 0, errWrite
	}
	w.n--
	return len(b), nil
}

// The event log is a resource.Sink that keeps its first write error, in
// either format, and writes nothing after it.
func TestEventLogErr(t *testing.T) {
	for _, f := range []Format{Text, JSON} {
		t.Run(f.String(), func(t *testing.T) {
			w := &failingWriter{n: 1}
			var sink resource.Sink = New(w, w, f).Events()
			sink.Emit(events[0])
			log := sink.(*EventLog)
			if err := log.Err(); err != nil {
				t.Fatalf("Err after a good write: %v", err)
			}
			sink.Emit(events[1])
			sink.Emit(events[2])
			if err := log.Err(); !errors.Is(err, errWrite) {
				t.Fatalf("Err = %v, want %v", err, errWrite)
			}
		})
	}
}
