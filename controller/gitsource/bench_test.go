package gitsource_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/drover/drover/controller/gitsource"
	"github.com/drover/drover/controller/gitsource/gittest"
)

// BenchmarkHeadAndFetch measures a poll's two costs over file:// on a
// 50-file tree: head-unchanged is Head on a remote that did not move (every
// poll), fetch-new-commit a Fetch of a new commit into a warm cache (a poll
// that found one).
func BenchmarkHeadAndFetch(b *testing.B) {
	files := func(gen int) map[string]string {
		m := make(map[string]string, 50)
		for i := range 50 {
			m[fmt.Sprintf("stacks/s%02d/main.hcl", i)] = strings.Repeat(fmt.Sprintf("# %d %d\n", gen, i), 100)
		}
		return m
	}
	repo := gittest.NewRepo(b)
	sha := repo.Commit(b, files(0), "gen 0")
	c := newClient(b, gitsource.Options{})
	r := gitsource.Remote{URL: repo.URL()}
	if _, err := c.Fetch(b.Context(), "src", r, sha); err != nil {
		b.Fatal(err)
	}
	b.Run("head-unchanged", func(b *testing.B) {
		for b.Loop() {
			got, err := c.Head(b.Context(), r)
			if err != nil || got != sha {
				b.Fatalf("Head = %s, %v; want %s", got, err, sha)
			}
		}
	})
	b.Run("fetch-new-commit", func(b *testing.B) {
		gen := 0
		for b.Loop() {
			b.StopTimer()
			gen++
			next := repo.Commit(b, files(gen), fmt.Sprintf("gen %d", gen))
			b.StartTimer()
			snap, err := c.Fetch(b.Context(), "src", r, next)
			if err != nil || snap.Commit.SHA != next {
				b.Fatalf("Fetch: %v", err)
			}
		}
	})
}
