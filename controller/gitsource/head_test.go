package gitsource_test

import (
	"errors"
	"testing"

	"github.com/drover/drover/controller/gitsource"
	"github.com/drover/drover/controller/gitsource/gittest"
)

func TestHeadFollowsCommits(t *testing.T) {
	tests := []struct {
		name   string
		branch string
	}{
		{"default branch is main", ""},
		{"named branch", "main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := gittest.NewRepo(t)
			c := newClient(t, gitsource.Options{})
			r := gitsource.Remote{URL: repo.URL(), Branch: tt.branch}
			for i, files := range []map[string]string{{"a.hcl": "1"}, {"a.hcl": "2"}, {"b.hcl": "3"}} {
				want := repo.Commit(t, files, "commit")
				got, err := c.Head(t.Context(), r)
				if err != nil {
					t.Fatalf("Head after commit %d: %v", i, err)
				}
				if got != want {
					t.Fatalf("Head after commit %d = %s, want %s", i, got, want)
				}
			}
		})
	}
}

func TestRefNotFound(t *testing.T) {
	repo := gittest.NewRepo(t)
	empty := gittest.NewRepo(t)
	sha := repo.Commit(t, map[string]string{"a.hcl": "a"}, "one")
	c := newClient(t, gitsource.Options{})
	tests := []struct {
		name   string
		remote gitsource.Remote
	}{
		{"unknown branch", gitsource.Remote{URL: repo.URL(), Branch: "nope"}},
		{"unknown tag", gitsource.Remote{URL: repo.URL(), Tag: "v9"}},
		{"empty remote", gitsource.Remote{URL: empty.URL()}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/head", func(t *testing.T) {
			_, err := c.Head(t.Context(), tt.remote)
			if !errors.Is(err, gitsource.ErrRefNotFound) {
				t.Fatalf("Head: %v, want ErrRefNotFound", err)
			}
		})
		t.Run(tt.name+"/fetch", func(t *testing.T) {
			_, err := c.Fetch(t.Context(), "src", tt.remote, sha)
			if !errors.Is(err, gitsource.ErrRefNotFound) {
				t.Fatalf("Fetch: %v, want ErrRefNotFound", err)
			}
		})
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		name      string
		annotated bool
	}{
		{"lightweight", false},
		{"annotated", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := gittest.NewRepo(t)
			tagged := repo.Commit(t, map[string]string{"a.hcl": "tagged"}, "release")
			repo.Tag(t, "v1", tagged, tt.annotated)
			repo.Commit(t, map[string]string{"a.hcl": "later"}, "later")
			c := newClient(t, gitsource.Options{})
			r := gitsource.Remote{URL: repo.URL(), Tag: "v1"}
			got, err := c.Head(t.Context(), r)
			if err != nil {
				t.Fatalf("Head: %v", err)
			}
			if got != tagged {
				t.Fatalf("Head = %s, want the tagged commit %s", got, tagged)
			}
			snap, err := c.Fetch(t.Context(), "src", r, got)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if snap.Commit.SHA != tagged || readFile(t, snap.FS, "a.hcl") != "tagged" {
				t.Fatalf("Fetch = %s with a.hcl %q, want the tagged commit", snap.Commit.SHA, readFile(t, snap.FS, "a.hcl"))
			}
		})
	}
}
