package scalestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/internal/atomicfile"
	"github.com/drover/drover/resource"
)

// maxFile bounds the size of a state file read back: a state holds a
// window of recommendations, a few KiB.
const maxFile = 1 << 20

// FileStore keeps each autoscaler's state in a JSON file under a
// directory, DIR/KIND.NAME.json, written atomically.
type FileStore struct{ dir string }

// NewFileStore returns a store in dir, created if missing.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("autoscale state: %w", err)
	}
	return &FileStore{dir: dir}, nil
}

// path is the file of key; keys are spec names (letters, digits, dashes),
// checked again here so that no key leaves the directory.
func (s *FileStore) path(key resource.Key) (string, error) {
	name := key.String()
	if !filepath.IsLocal(name) || filepath.Base(name) != name {
		return "", fmt.Errorf("autoscale state: %w", resource.ErrBadKey)
	}
	return filepath.Join(s.dir, name+".json"), nil
}

// Get returns key's state; false when none is recorded.
func (s *FileStore) Get(_ context.Context, key resource.Key) (autoscale.State, bool, error) {
	p, err := s.path(key)
	if err != nil {
		return autoscale.State{}, false, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return autoscale.State{}, false, nil
	}
	if err != nil {
		return autoscale.State{}, false, fmt.Errorf("autoscale state: %w", err)
	}
	defer f.Close()
	var st autoscale.State
	dec := json.NewDecoder(io.LimitReader(f, maxFile)) // a huge file fails to decode
	if err := dec.Decode(&st); err != nil {
		return autoscale.State{}, false, fmt.Errorf("autoscale state of %s is corrupt (left for inspection): %w", key, err)
	}
	return st, true, nil
}

// Put records key's state.
func (s *FileStore) Put(_ context.Context, key resource.Key, st autoscale.State) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("autoscale state: %w", err)
	}
	if err := atomicfile.Write(p, b, 0o600); err != nil {
		return fmt.Errorf("autoscale state: %w", err)
	}
	return nil
}

// Delete forgets key's state; a missing one is not an error.
func (s *FileStore) Delete(_ context.Context, key resource.Key) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("autoscale state: %w", err)
	}
	return nil
}

// MemStore keeps states in memory, for tests.
type MemStore struct {
	mu sync.Mutex
	m  map[resource.Key]autoscale.State
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{m: map[resource.Key]autoscale.State{}} }

// Get implements the store.
func (s *MemStore) Get(_ context.Context, key resource.Key) (autoscale.State, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.m[key]
	return st, ok, nil
}

// Put implements the store.
func (s *MemStore) Put(_ context.Context, key resource.Key, st autoscale.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = st
	return nil
}

// Delete implements the store.
func (s *MemStore) Delete(_ context.Context, key resource.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}
