package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/instance/docker/internal/enginestream"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// DemoImageName is the demo app's image: a FROM scratch HTTP server on
// :8080 with a HEALTHCHECK (see examples/demo-app).
const DemoImageName = "drover/demo-app:latest"

// buildTimeout bounds building a test image.
const buildTimeout = 5 * time.Minute

var demo struct {
	once sync.Once
	err  error
}

// DemoImage makes sure the demo app image exists, by running
// scripts/build-demo-image.sh of this repository once per process (the
// script skips an up-to-date image), and returns its name. It fails the
// test if the image cannot be built.
func DemoImage(t testing.TB) string {
	t.Helper()
	demo.once.Do(func() { demo.err = buildDemo() })
	if demo.err != nil {
		t.Fatalf("demo image: %v", demo.err)
	}
	return DemoImageName
}

// buildDemo runs the build script with DEMO_IMAGE set to DemoImageName.
func buildDemo() error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "build-demo-image.sh"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "DEMO_IMAGE="+DemoImageName)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("scripts/build-demo-image.sh: %w\n%s", err, out)
	}
	return nil
}

// RepoRoot returns the directory holding this module's go.mod: found by
// walking up from the working directory, else from `go env GOMOD`.
func RepoRoot() (string, error) {
	if dir, err := os.Getwd(); err == nil {
		for ; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if gomod := strings.TrimSpace(string(out)); err == nil && gomod != "" && gomod != os.DevNull {
		return filepath.Dir(gomod), nil
	}
	return "", errors.New("cannot find the repository root (no go.mod above the working directory)")
}

// ShellImageName is a tiny image with /bin/sh (the host's dash and the
// libraries it needs) whose default command prints "main".
const ShellImageName = "drover-test/sh:latest"

var shell struct {
	once sync.Once
	err  error
}

// ShellImage makes sure ShellImageName exists, importing it from the
// host's /bin/sh (dash) and its shared libraries when it does not, and
// returns its name. No registry is needed. If the host has no dash to
// copy, the test is skipped, naming what is missing (it fails under
// CI=true, where the machine is known to have it).
func ShellImage(t testing.TB, cli *client.Client) string {
	t.Helper()
	shell.once.Do(func() { shell.err = importShell(cli) })
	var missing *missingShellError
	switch {
	case errors.As(shell.err, &missing) && os.Getenv("CI") != "true":
		t.Skipf("skipped: needs an image with /bin/sh, built from the host's dash: %v", shell.err)
	case shell.err != nil:
		t.Fatalf("shell image: %v", shell.err)
	}
	return ShellImageName
}

// missingShellError says the host lacks what the shell image is made of.
type missingShellError struct{ err error }

func (e *missingShellError) Error() string { return e.err.Error() }

// importShell imports the shell image unless the engine has it.
func importShell(cli *client.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	if _, err := cli.ImageInspect(ctx, ShellImageName); err == nil {
		return nil
	}
	rootfs, err := shellRootfs()
	if err != nil {
		return &missingShellError{err}
	}
	rc, err := cli.ImageImport(ctx, image.ImportSource{Source: rootfs, SourceName: "-"}, ShellImageName,
		image.ImportOptions{Changes: []string{`CMD ["/bin/sh", "-c", "echo main"]`}})
	if err != nil {
		return err
	}
	defer rc.Close()
	return enginestream.Err(rc)
}

// shellRootfs tars the host's dash as /bin/sh, with the libraries ldd
// lists for it at their own paths.
func shellRootfs() (io.Reader, error) {
	dash, err := exec.LookPath("dash")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command("ldd", dash).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w", dash, err)
	}
	files := map[string]string{"/bin/sh": dash}
	for _, lib := range libPaths(string(out)) {
		files[lib] = lib
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for dst, src := range files {
		if err := addFile(tw, dst, src); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}

var libPath = regexp.MustCompile(`(/\S+) \(0x`)

// libPaths returns the absolute paths in ldd's output.
func libPaths(ldd string) []string {
	var out []string
	for _, m := range libPath.FindAllStringSubmatch(ldd, -1) {
		out = append(out, m[1])
	}
	return out
}

// addFile adds the file at src (symlinks followed) to tw as dst.
func addFile(tw *tar.Writer, dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: strings.TrimPrefix(dst, "/"), Mode: 0o755, Size: int64(len(b)), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = tw.Write(b)
	return err
}
