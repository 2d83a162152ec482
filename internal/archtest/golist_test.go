package archtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// listed is what `go list -json` says of a package, as far as the rules
// need it.
type listed struct {
	ImportPath   string
	Module       *struct{ Path string }
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// goList lists every package of the module rooted at dir, with its
// imports of the module's packages, relative to the module.
func goList(ctx context.Context, dir string) ([]pkg, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-json", "./...")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %w\n%s", err, stderr.Bytes())
	}
	return decode(&stdout)
}

// decode reads go list's stream of JSON objects.
func decode(r io.Reader) ([]pkg, error) {
	var pkgs []pkg
	dec := json.NewDecoder(r)
	for {
		var l listed
		err := dec.Decode(&l)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("go list's output: %w", err)
		}
		if l.Module == nil {
			return nil, fmt.Errorf("go list: package %s is in no module", l.ImportPath)
		}
		mod := l.Module.Path
		pkgs = append(pkgs, pkg{
			path:    inModule(mod, l.ImportPath),
			imports: ofModule(mod, l.Imports),
			tests:   ofModule(mod, append(l.TestImports, l.XTestImports...)),
		})
	}
}

// ofModule keeps the imports of module mod's packages, relative to it.
func ofModule(mod string, imports []string) []string {
	var out []string
	for _, imp := range imports {
		if imp == mod || strings.HasPrefix(imp, mod+"/") {
			out = append(out, inModule(mod, imp))
		}
	}
	return out
}

// inModule is p's path relative to module mod; "." for the module's root.
func inModule(mod, p string) string {
	if p == mod {
		return "."
	}
	return strings.TrimPrefix(p, mod+"/")
}

// readDirs reads every directory under root that holds Go sources
// (skipping what the go command skips: names starting with '.' or '_',
// and testdata). go list reads the sources in a process of its own,
// unseen by go test's cache; reading their directories here makes the
// cache rerun the test when a source file changes or a package appears.
func readDirs(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == root {
			return err
		}
		if name := d.Name(); strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" {
			return filepath.SkipDir
		}
		return nil
	})
}

// moduleRoot is the directory of the go.mod that holds the working
// directory (a test runs in its package's directory).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
