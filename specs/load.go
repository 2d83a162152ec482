package specs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/drover/drover/schema"
)

// SchemaSource gives the schemas that plugins declare.
type SchemaSource interface {
	// Schema returns the schema of the named plugin of a kind (PluginInstance, ...).
	Schema(kind, name string) (*schema.Block, bool)
	// Names lists the plugins of a kind, for suggestions.
	Names(kind string) []string
}

// A SchemaSource may also say why a plugin it has could not be provided
// (an external plugin that does not start), with a method
// Unavailable(kind, name string) error; the diagnostic then says so
// instead of "unknown plugin".

// Options configure a Loader.
type Options struct {
	// Schemas gives plugin schemas. Required.
	Schemas SchemaSource
	// Vars are "-var NAME=VALUE" assignments; they win over every other source.
	Vars []string
	// VarFiles are HCL or JSON files of NAME = VALUE, applied in order,
	// above DROVER_VAR_NAME environment variables and below Vars.
	VarFiles []string
	// LookupEnv reads the environment for env() and DROVER_VAR_NAME.
	// Default: os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// ReadFile reads var files, spec files in directories and file()
	// arguments. Default: os.ReadFile, limited to MaxFileSize.
	ReadFile func(string) ([]byte, error)
	// Now reads the clock that bounds evaluation time (MaxLoadTime).
	// Default: time.Now.
	Now func() time.Time
}

// Loader loads specs.
type Loader struct {
	opts Options
}

// NewLoader applies defaults to opts and checks them.
func NewLoader(opts Options) (*Loader, error) {
	if opts.Schemas == nil {
		return nil, errors.New("specs: Options.Schemas is required")
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	if opts.ReadFile == nil {
		opts.ReadFile = readFileLimited
	}

	return &Loader{opts: opts}, nil
}

// Source is a spec file held in memory.
type Source struct {
	Name string
	Src  []byte
}

// LoadError is the error of a spec that did not load. Its diagnostics hold
// every error found (and the warnings), with source ranges into Files.
type LoadError struct {
	Diagnostics hcl.Diagnostics
	Files       map[string]*hcl.File
}

func (e *LoadError) Error() string {
	errs := e.Diagnostics.Errs()
	if len(errs) == 0 {
		return "spec did not load"
	}
	msg := errs[0].Error()
	if len(errs) > 1 {
		msg += fmt.Sprintf(" (and %d more errors)", len(errs)-1)
	}
	return msg
}

// Load reads the spec made of the given paths: files, or directories whose
// *.hcl files are read in name order.
func (l *Loader) Load(paths ...string) (*Spec, error) {
	var srcs []Source
	for _, p := range paths {
		files, err := l.expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := l.opts.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("read spec: %w", err)
			}
			srcs = append(srcs, Source{Name: f, Src: b})
		}
	}
	return l.LoadSources(srcs...)
}

func (l *Loader) expand(p string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	if !fi.IsDir() {
		return []string{p}, nil
	}
	files, err := filepath.Glob(filepath.Join(p, "*.hcl"))
	if err != nil {
		return nil, fmt.Errorf("read spec %s: %w", p, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read spec: directory %s holds no *.hcl files", p)
	}
	sort.Strings(files)
	return files, nil
}

// LoadSources loads the spec made of srcs.
func (l *Loader) LoadSources(srcs ...Source) (*Spec, error) {
	if len(srcs) == 0 {
		return nil, errors.New("read spec: no files given")
	}
	now := l.opts.Now
	if now == nil { // a Loader made without NewLoader, as LoadBundle does
		now = time.Now
	}
	ld := &load{opts: l.opts, parser: hclparse.NewParser(), decls: newDecls(), budget: newBudget(now)}
	spec, diags := ld.run(srcs)
	if diags.HasErrors() {
		return nil, &LoadError{Diagnostics: diags, Files: ld.parser.Files()}
	}
	spec.Files = ld.parser.Files()
	spec.Warnings = diags
	return spec, nil
}

// readFileLimited reads a regular file of at most MaxFileSize bytes. It
// opens without blocking (a FIFO would block an open for ever), refuses
// anything the opened descriptor shows is not a regular file (devices,
// directories, FIFOs, whatever a symlink points to), and reads no more
// than the limit even if the file grows meanwhile.
func readFileLimited(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, MaxFileSize)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, MaxFileSize)
	}
	return b, nil
}
