package dofake_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"go.yaml.in/yaml/v3"
)

// loadAPI loads the subset of DigitalOcean's OpenAPI description kept in
// testdata/openapi (see its README.md), resolving the $refs between its
// files, and returns a router over it.
func loadAPI(t *testing.T) routers.Router {
	t.Helper()
	const root = "testdata/openapi/drover-subset.yaml"
	data, err := inlineOperations(root)
	if err != nil {
		t.Fatalf("%s: %v", root, err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		b, err := os.ReadFile(u.Path)
		if err != nil {
			return nil, err
		}
		return neutralizeNotes(b)
	}
	if data, err = neutralizeNotes(data); err != nil {
		t.Fatalf("%s: %v", root, err)
	}
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: root})
	if err != nil {
		t.Fatalf("loading the OpenAPI description: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the OpenAPI description is invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return router
}

// inlineOperations reads the root file and replaces each operation that is
// a $ref to a file (DigitalOcean's layout, which its bundler resolves but
// OpenAPI 3.0 loaders do not) by that file's content, its relative $refs
// rewritten to stay relative to the root.
func inlineOperations(root string) ([]byte, error) {
	b, err := os.ReadFile(root)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	dir := filepath.Dir(root)
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			ref, _ := op.(map[string]any)["$ref"].(string)
			if ref == "" {
				continue
			}
			ob, err := os.ReadFile(filepath.Join(dir, ref))
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, p, err)
			}
			var inlined map[string]any
			if err := yaml.Unmarshal(ob, &inlined); err != nil {
				return nil, fmt.Errorf("%s: %w", ref, err)
			}
			rebaseRefs(inlined, path.Dir(ref))
			ops[method] = inlined
		}
	}
	return json.Marshal(doc)
}

// neutralizeNotes marks each member of an allOf that is only a note (a
// description and nothing else) nullable. DigitalOcean writes
// `allOf: [$ref: model, {description: ...}]` to describe a field, with the
// model nullable (next_backup_window is null on a droplet without backups,
// as its own examples show). In OpenAPI 3.0.3, nullable only acts beside a
// type, so a note constrains nothing; kin-openapi reads a note without
// nullable as refusing null. Marking the note nullable restores the
// description's meaning and touches nothing else.
func neutralizeNotes(b []byte) ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if all, ok := v["allOf"].([]any); ok {
				for _, m := range all {
					if note, ok := m.(map[string]any); ok && len(note) == 1 && note["description"] != nil {
						note["nullable"] = true
					}
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return json.Marshal(doc)
}

// rebaseRefs prefixes every relative file reference under v (a $ref, or a
// discriminator's mapping) with dir.
func rebaseRefs(v any, dir string) {
	rebase := func(m map[string]any, k string) {
		if s, ok := m[k].(string); ok && !strings.HasPrefix(s, "#") {
			m[k] = path.Join(dir, s)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			switch mapping, isMap := e.(map[string]any); {
			case k == "$ref":
				rebase(v, k)
			case k == "mapping" && isMap:
				for mk := range mapping {
					rebase(mapping, mk)
				}
			default:
				rebaseRefs(e, dir)
			}
		}
	case []any:
		for _, e := range v {
			rebaseRefs(e, dir)
		}
	}
}
