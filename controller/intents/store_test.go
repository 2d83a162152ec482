package intents_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/intents"
	"github.com/drover/drover/group"
)

type store interface {
	Put(context.Context, group.Intent) error
	Delete(context.Context, string, string) error
	List(context.Context, string) ([]group.Intent, error)
}

func TestStores(t *testing.T) {
	fs, err := intents.NewFileStore(filepath.Join(t.TempDir(), "intents"))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]store{"file": fs, "memory": intents.NewMemStore()} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
			a := group.Intent{Group: "web", Name: "web-1", Request: "r1", Created: at}
			b := group.Intent{Group: "web", Name: "web-2", LogicalID: "m2", Request: "r2", Created: at}
			other := group.Intent{Group: "db", Name: "db-1", Request: "r3", Created: at}
			for _, it := range []group.Intent{a, b, other} {
				if err := s.Put(ctx, it); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.List(ctx, "web")
			if err != nil || !reflect.DeepEqual(got, []group.Intent{a, b}) {
				t.Fatalf("List = %v, %v", got, err)
			}
			if err := s.Delete(ctx, "web", "web-1"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "web", "web-1"); err != nil {
				t.Fatalf("deleting twice: %v", err)
			}
			got, _ = s.List(ctx, "web")
			if !reflect.DeepEqual(got, []group.Intent{b}) {
				t.Fatalf("after delete: %v", got)
			}
			if got, err := s.List(ctx, "none"); err != nil || len(got) != 0 {
				t.Fatalf("empty group: %v %v", got, err)
			}
		})
	}
}

// A corrupt intent file is an error naming it, and it is left in place.
func TestFileStoreCorrupt(t *testing.T) {
	dir := t.TempDir()
	s, _ := intents.NewFileStore(dir)
	os.MkdirAll(filepath.Join(dir, "web"), 0o700)
	bad := filepath.Join(dir, "web", "web-1.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	if _, err := s.List(t.Context(), "web"); err == nil || !strings.Contains(err.Error(), "web-1.json is corrupt") {
		t.Fatalf("List = %v", err)
	}
	if _, err := os.Stat(bad); err != nil {
		t.Fatal("the corrupt file was removed")
	}
}

// An intent whose file goes between the listing of the directory and its
// reading (here: a link to nothing, which the listing shows and reading
// cannot open) was forgotten meanwhile: it is left out, not an error. A
// file that cannot be read for another reason still is one.
func TestFileStoreGoneWhileListing(t *testing.T) {
	dir := t.TempDir()
	s, _ := intents.NewFileStore(dir)
	os.MkdirAll(filepath.Join(dir, "web"), 0o700)
	if err := os.Symlink(filepath.Join(dir, "gone.json"), filepath.Join(dir, "web", "web-1.json")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.List(t.Context(), "web"); err != nil || len(got) != 0 {
		t.Fatalf("List = %v, %v; want nothing and no error", got, err)
	}
	if err := os.Mkdir(filepath.Join(dir, "web", "web-2.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(t.Context(), "web"); err == nil {
		t.Fatal("an intent that cannot be read is no error")
	}
}
