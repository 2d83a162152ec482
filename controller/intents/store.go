package intents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/drover/drover/group"
	"github.com/drover/drover/internal/atomicfile"
)

// FileStore keeps each intent in a JSON file under a directory:
// DIR/GROUP/NAME.json. Writes are atomic (a temporary file renamed), so a
// crash leaves either the old state or the new.
type FileStore struct {
	dir string
}

// NewFileStore returns a store in dir, created if missing.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("intents: %w", err)
	}
	return &FileStore{dir: dir}, nil
}

func (s *FileStore) path(groupName, name string) string {
	return filepath.Join(s.dir, groupName, name+".json")
}

// Put records an intent.
func (s *FileStore) Put(_ context.Context, it group.Intent) error {
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("intents: %w", err)
	}
	p := s.path(it.Group, it.Name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("intents: %w", err)
	}
	if err := atomicfile.Write(p, b, 0o600); err != nil {
		return fmt.Errorf("intents: %w", err)
	}
	return nil
}

// Delete removes an intent; a missing one is not an error.
func (s *FileStore) Delete(_ context.Context, groupName, name string) error {
	if err := os.Remove(s.path(groupName, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("intents: %w", err)
	}
	return nil
}

// List returns a group's intents by name. An unreadable file is an error:
// a lost intent could mean a duplicate create. A file deleted between the
// listing and its reading (a pass forgetting it while a plan lists) is
// left out: Delete is the only way one goes.
func (s *FileStore) List(_ context.Context, groupName string) ([]group.Intent, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, groupName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("intents: %w", err)
	}
	var out []group.Intent
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.dir, groupName, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted since the listing: drover forgot it on purpose
		}
		if err != nil {
			return nil, fmt.Errorf("intents: %w", err)
		}
		var it group.Intent
		if err := json.Unmarshal(b, &it); err != nil {
			return nil, fmt.Errorf("intents: %s is corrupt (left for inspection): %w", e.Name(), err)
		}
		out = append(out, it)
	}
	return out, nil
}

// MemStore keeps intents in memory, for tests.
type MemStore struct {
	mu sync.Mutex
	m  map[string]map[string]group.Intent
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{m: map[string]map[string]group.Intent{}} }

// Put records an intent.
func (s *MemStore) Put(_ context.Context, it group.Intent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[it.Group] == nil {
		s.m[it.Group] = map[string]group.Intent{}
	}
	s.m[it.Group][it.Name] = it
	return nil
}

// Delete removes an intent.
func (s *MemStore) Delete(_ context.Context, groupName, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m[groupName], name)
	return nil
}

// List returns a group's intents by name.
func (s *MemStore) List(_ context.Context, groupName string) ([]group.Intent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []group.Intent
	for _, it := range s.m[groupName] {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
