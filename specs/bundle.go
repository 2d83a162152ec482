package specs

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Bundle is a spec made hermetic: every file its load read and every
// environment variable it looked up, so that it loads again elsewhere (in
// the daemon, or later, for a rollback) to the very same Spec. A bundle
// may hold secrets; Seal takes them out before it is stored, and a sealed
// bundle reads them from the loading host again.
type Bundle struct {
	// Specs are the spec files, in load order; their contents are in Files.
	Specs []string `json:"specs"`
	// Files hold the contents of every file the load read: the spec files,
	// var files and file() arguments, by the path it read them under.
	Files map[string][]byte `json:"files"`
	// Vars are the -var NAME=VALUE assignments.
	Vars []string `json:"vars,omitempty"`
	// VarFiles are the -var-file paths; their contents are in Files.
	VarFiles []string `json:"var_files,omitempty"`
	// Env holds the environment variables the load looked up and found
	// (env() arguments, DROVER_VAR_*). Sensitive.
	Env map[string]string `json:"env,omitempty"`
	// Withheld are the variables and files Seal took out because they
	// held secrets; LoadBundle reads them from the loading host. Only the
	// daemon seals: a bundle a client sends must have none.
	Withheld []Withheld `json:"withheld,omitempty"`
	// Dir is the working directory of the capture, against which the
	// relative paths of Files are resolved when they are withheld.
	Dir string `json:"dir,omitempty"`
}

// abs is path resolved against the capture's directory.
func (b Bundle) abs(path string) string {
	if filepath.IsAbs(path) || b.Dir == "" {
		return path
	}
	return filepath.Join(b.Dir, path)
}

// Capture loads the spec at paths as l would, recording what the load read
// into a Bundle.
func (l *Loader) Capture(paths ...string) (*Spec, Bundle, error) {
	var specFiles []string
	for _, p := range paths {
		files, err := l.expand(p)
		if err != nil {
			return nil, Bundle{}, err
		}
		specFiles = append(specFiles, files...)
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, Bundle{}, fmt.Errorf("capture: the working directory: %w", err)
	}
	return l.capture(specFiles, dir)
}

// capture loads the spec files (read with l's ReadFile) recording what the
// load read; dir is the directory relative paths are in ("" when they are
// not a host's).
func (l *Loader) capture(specFiles []string, dir string) (*Spec, Bundle, error) {
	rec := &recorder{opts: l.opts, files: map[string][]byte{}, env: map[string]string{}}
	opts := l.opts
	opts.ReadFile, opts.LookupEnv = rec.readFile, rec.lookupEnv
	srcs := make([]Source, 0, len(specFiles))
	var spec *Spec
	var err error
	for _, f := range specFiles {
		var b []byte
		if b, err = opts.ReadFile(f); err != nil {
			err = fmt.Errorf("read spec: %w", err)
			break
		}
		srcs = append(srcs, Source{Name: f, Src: b})
	}
	if err == nil {
		spec, err = (&Loader{opts: opts}).LoadSources(srcs...)
	}
	b := Bundle{Specs: specFiles, Files: rec.files, Vars: l.opts.Vars, VarFiles: l.opts.VarFiles, Env: rec.env, Dir: dir}
	return spec, b, err
}

// LoadBundle loads a bundle with the schemas of l, reading nothing but
// the bundle, except what it withheld (Seal): those variables and files l
// reads from this host, as it would for Load. A file or variable the
// bundle neither holds nor withholds is absent.
func (l *Loader) LoadBundle(b Bundle) (*Spec, error) {
	if len(b.Specs) == 0 {
		return nil, fmt.Errorf("read spec: the bundle names no spec files")
	}
	host := map[Withheld]bool{}
	var mu sync.Mutex
	var missing []Withheld // withheld, and this host lacks them
	for _, w := range b.Withheld {
		host[w] = true
		if w.Kind == "var" {
			host[Withheld{Kind: "env", Name: "DROVER_VAR_" + w.Name}] = true
		}
	}
	opts := Options{
		Schemas: l.opts.Schemas, Vars: b.Vars, VarFiles: b.VarFiles,
		LookupEnv: func(name string) (string, bool) {
			if v, ok := b.Env[name]; ok {
				return v, ok
			}
			if !host[Withheld{Kind: "env", Name: name}] {
				return "", false
			}
			v, ok := l.opts.LookupEnv(name)
			if !ok {
				mu.Lock()
				missing = append(missing, Withheld{Kind: "env", Name: name})
				mu.Unlock()
			}
			return v, ok
		},
		ReadFile: func(path string) ([]byte, error) {
			if src, ok := b.Files[path]; ok {
				return src, nil
			}
			if abs := b.abs(path); host[Withheld{Kind: "file", Name: abs}] {
				return l.opts.ReadFile(abs)
			}
			return nil, fmt.Errorf("%s: not in the applied bundle (it was not read when the spec was applied)", path)
		},
	}
	srcs := make([]Source, 0, len(b.Specs))
	for _, name := range b.Specs {
		src, err := opts.ReadFile(name)
		if err != nil {
			if len(b.Withheld) > 0 {
				err = withheldError(err, b.Withheld)
			}
			return nil, fmt.Errorf("read spec: %w", err)
		}
		srcs = append(srcs, Source{Name: name, Src: src})
	}
	spec, err := (&Loader{opts: opts}).LoadSources(srcs...)
	if err == nil && len(missing) > 0 {
		// The spec loads without them (an unset env() is ""), but it is
		// not the spec that was applied.
		err = fmt.Errorf("a secret of the applied spec is missing")
	}
	if err != nil && len(b.Withheld) > 0 {
		return nil, withheldError(err, b.Withheld)
	}
	return spec, err
}

// EnvNames lists the names of the bundle's environment variables, sorted:
// what may be shown of them.
func (b Bundle) EnvNames() []string { return slices.Sorted(maps.Keys(b.Env)) }

// recorder wraps a loader's file and environment access, keeping what it
// served. The load may call it from more than one goroutine.
type recorder struct {
	opts  Options
	mu    sync.Mutex
	files map[string][]byte
	env   map[string]string
}

func (r *recorder) readFile(path string) ([]byte, error) {
	b, err := r.opts.ReadFile(path)
	if err == nil {
		r.mu.Lock()
		r.files[path] = b
		r.mu.Unlock()
	}
	return b, err
}

func (r *recorder) lookupEnv(name string) (string, bool) {
	v, ok := r.opts.LookupEnv(name)
	if ok {
		r.mu.Lock()
		r.env[name] = v
		r.mu.Unlock()
	}
	return v, ok
}
