package gitsource_test

import (
	"io/fs"
	"testing"

	"github.com/drover/drover/controller/gitsource"
)

func newClient(t testing.TB, opts gitsource.Options) *gitsource.Client {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	c, err := gitsource.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func readFile(t *testing.T, fsys fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatalf("ReadFile %s: %v", name, err)
	}
	return string(b)
}
