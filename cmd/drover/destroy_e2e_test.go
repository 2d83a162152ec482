package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// With a daemon, destroy SPEC removes what SPEC declares and nothing else:
// the daemon applied a directory of two files, and destroying one file's
// group leaves the other's machines alone.
func TestDestroySpecOnDaemonEndToEnd(t *testing.T) {
	w := newDaemonWorld(t, "scoped")
	d := w.start()
	dir := t.TempDir()
	group := func(name string, size int) string {
		return fmt.Sprintf("group %q {\n  size = %d\n  instance \"docker\" { image = %q }\n  flavor \"vanilla\" {}\n}\n", name, size, w.image)
	}
	for name, src := range map[string]string{"web.hcl": group("web", 2), "db.hcl": group("db", 1)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w.mustDrover("apply", "--wait", dir)
	if got := sortedNames(w.machines()); !slices.Equal(got, []string{"db-1", "web-1", "web-2"}) {
		t.Fatalf("machines after apply: %v", got)
	}

	db := filepath.Join(dir, "db.hcl")
	code, out := w.drover("destroy", "--wait", db)
	if code != exitError || !strings.Contains(out, "group.db (1 machine)") || !strings.Contains(out, "-auto-approve") {
		t.Fatalf("destroy without a terminal exited %d, want a refusal that lists group.db:\n%s", code, out)
	}
	out = w.mustDrover("destroy", "-auto-approve", "--wait", db)
	if !strings.Contains(out, "recorded without group.db") {
		t.Fatalf("destroy %s:\n%s", db, out)
	}
	if got := sortedNames(w.machines()); !slices.Equal(got, []string{"web-1", "web-2"}) {
		t.Fatalf("machines after destroying db.hcl: %v, want web's alone", got)
	}
	out = w.mustDrover("destroy", "--auto-approve", "--wait")
	if n := len(w.machines()); n != 0 || !strings.Contains(out, "nothing is desired") {
		t.Fatalf("%d machines left after destroying everything:\n%s", n, out)
	}
	w.stop(d)
}
