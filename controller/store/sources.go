package store

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// ErrSourceExists is returned by CreateSource for a name that is taken.
var ErrSourceExists = errors.New("source exists")

// upgrade adds what a store written by an older drover lacks: the sources
// bucket. A store that has it is not written to.
func (s *Store) upgrade() error {
	var has bool
	if err := s.view(func(tx *bbolt.Tx) error {
		has = tx.Bucket([]byte(bucketSources)) != nil
		return nil
	}); err != nil || has {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(bucketSources))
		return err
	})
}

// CreateSource stores a source's settings (the caller's encoding) under
// name, refusing a name that is taken with ErrSourceExists.
func (s *Store) CreateSource(ctx context.Context, name string, data []byte) error {
	return s.putSource(ctx, name, data, true)
}

// PutSource replaces a source's settings, or an error matching ErrNotFound.
func (s *Store) PutSource(ctx context.Context, name string, data []byte) error {
	return s.putSource(ctx, name, data, false)
}

func (s *Store) putSource(ctx context.Context, name string, data []byte, create bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if name == "" {
		return errors.New("store: a source needs a name")
	}
	return s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketSources))
		switch have := b.Get([]byte(name)) != nil; {
		case create && have:
			return fmt.Errorf("source %s: %w", name, ErrSourceExists)
		case !create && !have:
			return fmt.Errorf("source %s: %w", name, ErrNotFound)
		}
		return b.Put([]byte(name), data)
	})
}

// DeleteSource removes a source; no error if absent.
func (s *Store) DeleteSource(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte(bucketSources)).Delete([]byte(name)) })
}

// Sources returns every source's settings by name.
func (s *Store) Sources(ctx context.Context) (map[string][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketSources)).ForEach(func(k, v []byte) error {
			out[string(k)] = append([]byte(nil), v...)
			return nil
		})
	})
	return out, err
}
