package specs_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// TestCaptureFS loads specs from a tree as a git source does: reads stay
// inside the tree, env() sees only the variables given.
func TestCaptureFS(t *testing.T) {
	group := func(image string) string {
		return `group "w" {
  size = 1
  instance "docker" { image = ` + image + ` }
  flavor "vanilla" {}
}
`
	}
	cases := []struct {
		name    string
		files   map[string]string
		env     map[string]string
		dir     string
		want    string // the image the group gets
		wantErr string
		outside bool // the error matches specs.ErrOutsideRoot
	}{
		{name: "file inside", dir: "deploy", files: map[string]string{
			"deploy/main.hcl": group(`trimspace(file("../images/web"))`), "images/web": "nginx\n"}, want: "nginx"},
		{name: "env named by the source", files: map[string]string{"main.hcl": group(`env("IMAGE")`)},
			env: map[string]string{"IMAGE": "redis"}, want: "redis"},
		{name: "env not named reads empty", files: map[string]string{"main.hcl": group(`env("HOME", "none")`)}, want: "none"},
		{name: "file climbing out", dir: "deploy", files: map[string]string{"deploy/main.hcl": group(`file("../../etc/passwd")`)},
			wantErr: "outside the repository", outside: true},
		{name: "absolute file", files: map[string]string{"main.hcl": group(`file("/etc/passwd")`)},
			wantErr: "outside the repository", outside: true},
		{name: "directory outside", dir: "../x", files: map[string]string{"main.hcl": group(`"x"`)}, outside: true,
			wantErr: "outside the repository"},
		{name: "no spec files", dir: "empty", files: map[string]string{"empty/README": "x"}, wantErr: "holds no *.hcl files"},
		{name: "load error names file and line", dir: "deploy", files: map[string]string{"deploy/main.hcl": "group \"w\" {\n  size = \n}\n"},
			wantErr: "deploy/main.hcl:2"},
	}
	l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}),
		LookupEnv: env{"HOME": "/root", "IMAGE": "host-image"}.lookup})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, content := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(content)}
			}
			spec, b, err := l.CaptureFS(fsys, tc.dir, tc.env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if tc.outside && !errors.Is(err, specs.ErrOutsideRoot) && !strings.Contains(err.Error(), specs.ErrOutsideRoot.Error()) {
					t.Fatalf("err = %v, want ErrOutsideRoot", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := spec.Groups[0].String(); !strings.Contains(got, tc.want) {
				t.Fatalf("instance = %s, want image %s", got, tc.want)
			}
			if b.Dir != "" {
				t.Fatalf("bundle dir = %q: a tree's bundle names no host directory", b.Dir)
			}
			again, err := l.LoadBundle(b)
			if err != nil {
				t.Fatalf("the bundle does not load again: %v", err)
			}
			if again.Groups[0].Hash != spec.Groups[0].Hash {
				t.Fatalf("the bundle loads to another spec")
			}
		})
	}
}
