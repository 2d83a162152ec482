package scalestore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/resource"
)

type store interface {
	Get(context.Context, resource.Key) (autoscale.State, bool, error)
	Put(context.Context, resource.Key, autoscale.State) error
	Delete(context.Context, resource.Key) error
}

func TestStoresKeepStateByKey(t *testing.T) {
	fs, err := NewFileStore(filepath.Join(t.TempDir(), "as"))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]store{"file": fs, "mem": NewMemStore()} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			web, workers := resource.Service.KeyOf("web"), resource.Group.KeyOf("web")
			at := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
			want := autoscale.State{Desired: 7, LastAction: at, LastUp: at, History: []autoscale.Recommendation{{At: at, Count: 7}}}
			if _, ok, err := s.Get(ctx, web); ok || err != nil {
				t.Fatalf("empty store: ok=%v err=%v", ok, err)
			}
			if err := s.Put(ctx, web, want); err != nil {
				t.Fatal(err)
			}
			if err := s.Put(ctx, workers, autoscale.State{Desired: 2}); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.Get(ctx, web)
			if !ok || err != nil || got.Desired != 7 || !got.LastUp.Equal(at) || len(got.History) != 1 {
				t.Fatalf("got %+v ok=%v err=%v, want %+v", got, ok, err, want)
			}
			if err := s.Delete(ctx, web); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, web); err != nil {
				t.Fatalf("deleting twice: %v", err)
			}
			if _, ok, _ := s.Get(ctx, web); ok {
				t.Fatal("deleted state still there")
			}
			if got, ok, _ := s.Get(ctx, workers); !ok || got.Desired != 2 {
				t.Fatalf("group.web's state %+v ok=%v: a service's and a group's of one name are apart", got, ok)
			}
		})
	}
}

func TestFileStoreRefusesCorruptAndEscapingKeys(t *testing.T) {
	dir := t.TempDir()
	s, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := os.WriteFile(filepath.Join(dir, "service.web.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, resource.Service.KeyOf("web")); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("corrupt file: %v", err)
	}
	huge := append([]byte(`{"desired":1,"history":[`), []byte(strings.Repeat(`{"count":1},`, maxFile/10))...)
	if err := os.WriteFile(filepath.Join(dir, "service.huge.json"), huge, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, resource.Service.KeyOf("huge")); err == nil {
		t.Fatal("a file over the bound was read")
	}
	if err := s.Put(ctx, resource.Key{Kind: "service", Name: "../../x"}, autoscale.State{}); err == nil {
		t.Fatal("a key leaving the directory was written")
	}
}
