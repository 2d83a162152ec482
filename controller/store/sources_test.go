package store

import (
	"errors"
	"testing"

	"go.etcd.io/bbolt"
)

func TestSources(t *testing.T) {
	s, path := newStore(t)
	ctx := t.Context()
	if err := s.PutSource(ctx, "app", []byte(`{}`)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("PutSource of a missing source: %v, want ErrNotFound", err)
	}
	if err := s.CreateSource(ctx, "app", []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSource(ctx, "app", []byte(`{"v":2}`)); !errors.Is(err, ErrSourceExists) {
		t.Fatalf("CreateSource of a taken name: %v, want ErrSourceExists", err)
	}
	if err := s.PutSource(ctx, "app", []byte(`{"v":3}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSource(ctx, "infra", []byte(`{"v":4}`)); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	s = openAt(t, path) // they persist, and the file verifies with them
	got, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got["app"]) != `{"v":3}` || string(got["infra"]) != `{"v":4}` {
		t.Fatalf("Sources = %q", got)
	}
	if err := s.DeleteSource(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Sources(ctx); len(got) != 1 {
		t.Fatalf("after delete: %q", got)
	}
}

// TestUpgradeAddsSources opens a store written before sources existed.
func TestUpgradeAddsSources(t *testing.T) {
	s, path := newStore(t)
	if _, err := s.Append(t.Context(), Record{Kind: "apply", Bundle: sampleBundle(1)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(bucketSources)) }); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	s = openAt(t, path)
	if err := s.CreateSource(t.Context(), "app", []byte(`{}`)); err != nil {
		t.Fatalf("an upgraded store takes sources: %v", err)
	}
	if rec, ok, err := s.Current(t.Context()); err != nil || !ok || rec.Number != 1 {
		t.Fatalf("Current after upgrade = %v %v %v", rec.Number, ok, err)
	}
}

func TestHeadLeavesTheBundle(t *testing.T) {
	s, _ := newStore(t)
	rec, err := s.Append(t.Context(), Record{Kind: "apply", Stack: "app", Commit: &Commit{Source: "app", SHA: "abc"}, Bundle: sampleBundle(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.Head(t.Context(), rec.Number)
	if err != nil {
		t.Fatal(err)
	}
	if head.Stack != "app" || head.Commit == nil || head.Commit.SHA != "abc" || len(head.Bundle.Files) != 0 {
		t.Fatalf("Head = %+v", head)
	}
	if _, err := s.Head(t.Context(), 9); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Head of a missing revision: %v", err)
	}
}
