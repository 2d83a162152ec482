package group_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/controller/intents"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
)

var errDelete = errors.New("the store is read-only")

// undeletable is an intent store whose deletes fail.
type undeletable struct{ *intents.MemStore }

func (undeletable) Delete(context.Context, string, string) error { return errDelete }

// A create that made nothing forgets its intent; when the intent cannot be
// forgotten, the pass says so with the create's own error.
func TestCreateFailureIntentNotForgotten(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"definitive", spierr.Invalid("provision", "no such image")},
		{"not done", spierr.MarkNotDone(spierr.Unavailable("provision", "engine busy"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 1)
			rec, err := group.New(r.targets, group.Options{Intents: undeletable{r.store}, Clock: r.clock, Events: r.events})
			if err != nil {
				t.Fatal(err)
			}
			r.plugin.Inject(fake.Faults{ProvisionErr: tt.err})
			_, err = rec.Reconcile(t.Context(), "web")
			if !errors.Is(err, tt.err) || !errors.Is(err, errDelete) {
				t.Fatalf("pass error %v: want the create's error and the failed delete", err)
			}
			if st, _ := rec.Status("web"); !strings.Contains(st.LastError, "forget intent") {
				t.Errorf("LastError %q does not say the intent stays", st.LastError)
			}
		})
	}
}
