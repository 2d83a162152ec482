package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/drover/drover/specs"
)

const (
	// schemaVersion is the layout this package writes and reads.
	schemaVersion = 1

	defaultLockTimeout = 200 * time.Millisecond

	bucketMeta      = "meta"      // keyVersion, keyCurrent -> big-endian uint64
	bucketRevisions = "revisions" // big-endian uint64 number -> JSON Record
	bucketRetired   = "retired"   // group name -> big-endian int64 revision
	bucketSources   = "sources"   // source name -> JSON, the daemon's (added by drover 0.x with GitOps: created when missing)

	keyVersion = "version"
	keyCurrent = "current"
)

// Options configure Open. Zero fields take the defaults given.
type Options struct {
	// LockTimeout is how long Open waits for another process's lock on the
	// file. Default 200ms; negative: do not wait. bbolt retries the lock
	// every 50ms, so the wait is rounded to that.
	LockTimeout time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Record is one revision.
type Record struct {
	Number     int64        `json:"number"` // assigned by Append: last+1, starting at 1
	Kind       string       `json:"kind"`   // "apply", "rollback", "destroy" (free text to the store)
	Hash       string       `json:"hash"`
	Author     string       `json:"author,omitempty"`
	Message    string       `json:"message,omitempty"`
	Time       time.Time    `json:"time"` // set by Append from Now when zero
	RollbackOf int64        `json:"rollback_of,omitempty"`
	Resources  []string     `json:"resources,omitempty"`
	Bundle     specs.Bundle `json:"bundle"`
	// Stack is the stack the revision changed; "" in revisions recorded
	// before stacks, which all changed the one stack there was.
	Stack string `json:"stack,omitempty"`
	// Stacks are every stack of the desired state after this revision,
	// each to the revision that last defined it (this one for Stack, when
	// the revision did not remove it). Nil in revisions recorded before
	// stacks.
	Stacks map[string]int64 `json:"stacks,omitempty"`
	// Commit is the git commit the revision applied, for a source's.
	Commit *Commit `json:"commit,omitempty"`
	// Carried are resources (kind.name) the stack keeps although its
	// bundle no longer declares them (orphans of a source without prune),
	// as revision CarriedFrom's spec of the stack defined them.
	Carried     []string `json:"carried,omitempty"`
	CarriedFrom int64    `json:"carried_from,omitempty"`
}

// Commit identifies a git commit: never with credentials.
type Commit struct {
	Source  string `json:"source"`
	SHA     string `json:"sha"`
	Author  string `json:"author,omitempty"`
	Message string `json:"message,omitempty"`
}

// head decodes a revision without its bundle: its Bundle field shadows the
// Record's and, having no fields, skips the bundle's content.
type head struct {
	Record
	Bundle struct{} `json:"bundle"`
}

// Store is the revision store. It is safe for concurrent use.
type Store struct {
	db        *bbolt.DB
	path      string
	now       func() time.Time
	closeOnce sync.Once
	closeErr  error
}

// Open opens the store at path, creating it (and its parent directories)
// when missing, and verifies it. Another process holding it gives a
// *LockedError; a file that is not a readable drover store gives a
// *CorruptError and is left untouched.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = defaultLockTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, err := openBolt(path, opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, now: opts.Now}
	writePID(path)
	if err := s.prepare(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the store and its lock. Later calls return the first's
// result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		// Remove the pid file while still holding the lock, so that a
		// successor's is never removed.
		_ = os.Remove(pidPath(s.path))
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// Path returns the store file's path.
func (s *Store) Path() string { return s.path }

// Append records rec as the next revision and makes it current (a stack of
// rec.Stacks numbered 0 is given rec's number); retired
// replaces the whole set of retired groups (group name -> the revision number
// holding that group's last definition; nil empties it); both in one bbolt
// transaction. Returns rec with Number and Time set.
func (s *Store) Append(ctx context.Context, rec Record, retired map[string]int64) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	if rec.Time.IsZero() {
		rec.Time = s.now()
	}
	rec.Time = rec.Time.Round(0) // the monotonic reading does not persist
	err := s.update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		cur, _ := number(meta.Get([]byte(keyCurrent)))
		rec.Number = int64(cur) + 1
		for stack, n := range rec.Stacks {
			if n == 0 { // this revision
				rec.Stacks[stack] = rec.Number
			}
		}
		if err := checkRetired(retired, rec.Number); err != nil {
			return err
		}
		data, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode revision: %w", err)
		}
		if err := tx.Bucket([]byte(bucketRevisions)).Put(encode(rec.Number), data); err != nil {
			return err
		}
		if err := meta.Put([]byte(keyCurrent), encode(rec.Number)); err != nil {
			return err
		}
		return replaceRetired(tx, retired)
	})
	if err != nil {
		return Record{}, fmt.Errorf("append revision: %w", err)
	}
	return rec, nil
}

// Current returns the newest revision; false when none was ever appended.
func (s *Store) Current(ctx context.Context) (Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, false, err
	}
	var rec Record
	err := s.view(func(tx *bbolt.Tx) error {
		cur, _ := number(tx.Bucket([]byte(bucketMeta)).Get([]byte(keyCurrent)))
		if cur == 0 {
			return nil
		}
		var err error
		if rec, err = s.read(tx, int64(cur), true); errors.Is(err, ErrNotFound) {
			return s.corrupt(fmt.Errorf("current revision %d is missing", cur))
		}
		return err
	})
	return rec, rec.Number != 0, err
}

// Get returns revision n, or an error matching ErrNotFound.
func (s *Store) Get(ctx context.Context, n int64) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	var rec Record
	err := s.view(func(tx *bbolt.Tx) (err error) {
		rec, err = s.read(tx, n, true)
		return err
	})
	return rec, err
}

// Head returns revision n without its bundle (Bundle zero), or an error
// matching ErrNotFound: what describing a revision needs, without decoding
// its files.
func (s *Store) Head(ctx context.Context, n int64) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	var rec Record
	err := s.view(func(tx *bbolt.Tx) (err error) {
		rec, err = s.read(tx, n, false)
		return err
	})
	return rec, err
}

// List returns every revision, newest first, without their bundles (Bundle
// zero).
func (s *Store) List(ctx context.Context) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs := []Record{}
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket([]byte(bucketRevisions)).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, _ := number(k)
			rec, err := s.decode(int64(n), v, false)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// Retired returns the retired set (empty, not nil, when none).
func (s *Store) Retired(ctx context.Context) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	retired := map[string]int64{}
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketRetired)).ForEach(func(k, v []byte) error {
			rev, ok := number(v)
			if !ok {
				return s.corrupt(fmt.Errorf("retired group %q has no valid revision", k))
			}
			retired[string(k)] = int64(rev)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return retired, nil
}

// Forget removes group from the retired set if it still maps to rev (a newer
// retirement of the same name is kept). No error if absent.
func (s *Store) Forget(ctx context.Context, group string, rev int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketRetired))
		if got, ok := number(b.Get([]byte(group))); !ok || int64(got) != rev {
			return nil
		}
		return b.Delete([]byte(group))
	})
}

// read returns revision n of tx, with its bundle when full.
func (s *Store) read(tx *bbolt.Tx, n int64, full bool) (Record, error) {
	var v []byte
	if n > 0 {
		v = tx.Bucket([]byte(bucketRevisions)).Get(encode(n))
	}
	if v == nil {
		return Record{}, fmt.Errorf("revision %d: %w", n, ErrNotFound)
	}
	return s.decode(n, v, full)
}

// decode decodes revision n from v, with its bundle when full.
func (s *Store) decode(n int64, v []byte, full bool) (Record, error) {
	var rec Record
	var err error
	if full {
		err = json.Unmarshal(v, &rec)
	} else {
		var h head
		err = json.Unmarshal(v, &h)
		rec = h.Record
	}
	if err == nil && rec.Number != n {
		err = fmt.Errorf("it is numbered %d", rec.Number)
	}
	if err != nil {
		return Record{}, s.corrupt(fmt.Errorf("revision %d: %w", n, err))
	}
	return rec, nil
}

func (s *Store) view(fn func(*bbolt.Tx) error) error {
	return guard(s.path, func() error { return s.db.View(fn) })
}

func (s *Store) update(fn func(*bbolt.Tx) error) error {
	return guard(s.path, func() error { return s.db.Update(fn) })
}

func (s *Store) corrupt(err error) error { return &CorruptError{Path: s.path, Err: err} }

// checkRetired checks a retired set for the revision numbered number.
func checkRetired(retired map[string]int64, number int64) error {
	for group, rev := range retired {
		if group == "" {
			return errors.New("retired group with an empty name")
		}
		if rev < 1 || rev > number {
			return fmt.Errorf("retired group %q: revision %d does not exist", group, rev)
		}
	}
	return nil
}

// replaceRetired makes retired the retired set of tx.
func replaceRetired(tx *bbolt.Tx, retired map[string]int64) error {
	if err := tx.DeleteBucket([]byte(bucketRetired)); err != nil {
		return err
	}
	b, err := tx.CreateBucket([]byte(bucketRetired))
	if err != nil {
		return err
	}
	for group, rev := range retired {
		if err := b.Put([]byte(group), encode(rev)); err != nil {
			return err
		}
	}
	return nil
}

// openBolt opens the bbolt file at path. bbolt.Open itself reads the meta
// pages and the freelist, so it runs under guard; a panic or fault in it
// leaves the file open and locked, which the OpenFile hook lets us undo.
func openBolt(path string, timeout time.Duration) (*bbolt.DB, error) {
	var file *os.File
	opts := &bbolt.Options{Timeout: timeout, OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}}
	var db *bbolt.DB
	err := guard(path, func() (err error) {
		db, err = bbolt.Open(path, 0o600, opts)
		return err
	})
	if err == nil {
		return db, nil
	}
	if file != nil {
		_ = file.Close() // bbolt closed it already unless it panicked
	}
	return nil, openError(path, err)
}

// openError classifies an error of bbolt.Open: the lock timing out, a system
// call failing, or else the file's content.
func openError(path string, err error) error {
	var corrupt *CorruptError
	var errno syscall.Errno
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &LockedError{Path: path, PID: readPID(path)}
	case errors.As(err, &corrupt):
		return err
	case errors.As(err, &errno):
		return fmt.Errorf("open store %s: %w", path, err)
	}
	return &CorruptError{Path: path, Err: err}
}

// guard runs fn, turning a panic or a memory fault in it (bbolt reading a
// corrupt page) into a *CorruptError.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &CorruptError{Path: path, Err: fmt.Errorf("reading it failed: %v", r)}
		}
	}()
	return fn()
}

// prepare verifies the file as a drover store, and lays one out in it when
// it holds nothing yet.
func (s *Store) prepare() error {
	var fresh bool
	err := s.view(func(tx *bbolt.Tx) (err error) {
		fresh, err = s.verify(tx)
		return err
	})
	if err != nil {
		return err
	}
	if !fresh {
		return s.upgrade()
	}
	return s.update(initialise)
}

// verify checks tx's file: its size, schema version and every record, then
// bbolt's own consistency check. fresh is true when it holds no bucket yet.
func (s *Store) verify(tx *bbolt.Tx) (fresh bool, err error) {
	info, err := os.Stat(s.path)
	if err != nil {
		return false, fmt.Errorf("open store: %w", err)
	}
	if info.Size() < tx.Size() {
		return false, s.corrupt(fmt.Errorf("truncated: it is %d bytes long, but its pages reach %d", info.Size(), tx.Size()))
	}
	if fresh, err = s.checkVersion(tx); err != nil || fresh {
		return fresh, err
	}
	if err := walk(tx); err != nil {
		return false, s.corrupt(err)
	}
	if err := check(tx); err != nil {
		return false, s.corrupt(err)
	}
	return false, nil
}

// checkVersion checks the schema version of tx; fresh is true when the file
// holds no bucket at all.
func (s *Store) checkVersion(tx *bbolt.Tx) (fresh bool, err error) {
	meta := tx.Bucket([]byte(bucketMeta))
	if meta == nil {
		if k, _ := tx.Cursor().First(); k != nil {
			return false, s.corrupt(errors.New("it has no meta bucket: not a drover store"))
		}
		return true, nil
	}
	v, ok := number(meta.Get([]byte(keyVersion)))
	switch {
	case !ok || v < 1:
		return false, s.corrupt(errors.New("it has no valid schema version"))
	case v > schemaVersion:
		return false, fmt.Errorf("store %s has schema version %d, newer than this drover's %d: upgrade drover, or give this one another --data-dir",
			s.path, v, schemaVersion)
	}
	return false, nil
}

// initialise lays out an empty store.
func initialise(tx *bbolt.Tx) error {
	for _, name := range []string{bucketMeta, bucketRevisions, bucketRetired, bucketSources} {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
	}
	meta := tx.Bucket([]byte(bucketMeta))
	if err := meta.Put([]byte(keyVersion), encode(uint64(schemaVersion))); err != nil {
		return err
	}
	return meta.Put([]byte(keyCurrent), encode(uint64(0)))
}

// check runs bbolt's consistency check on tx, returning its first finding.
func check(tx *bbolt.Tx) error {
	var first error
	n := 0
	for err := range tx.Check() { // drain it all: bbolt's goroutine blocks on the channel
		if first == nil {
			first = err
		}
		n++
	}
	if n > 1 {
		return fmt.Errorf("%w (and %d more problems)", first, n-1)
	}
	return first
}

// walker checks every key and value of a store against the schema. Besides
// finding bad records, reading everything makes a corrupt page fault here,
// under guard, rather than in the goroutine of bbolt's Check, where a fault
// cannot be recovered and would end the process.
type walker struct {
	current, last uint64
}

// walk walks tx with a walker.
func walk(tx *bbolt.Tx) error {
	for _, name := range []string{bucketRevisions, bucketRetired} {
		if tx.Bucket([]byte(name)) == nil {
			return fmt.Errorf("bucket %s is missing", name)
		}
	}
	cur, ok := number(tx.Bucket([]byte(bucketMeta)).Get([]byte(keyCurrent)))
	if !ok {
		return errors.New("it has no valid current revision number")
	}
	w := &walker{current: cur}
	if err := tx.ForEach(w.bucket); err != nil {
		return err
	}
	if w.last != w.current {
		return fmt.Errorf("current revision is %d, but the newest held is %d", w.current, w.last)
	}
	return nil
}

// bucket checks the bucket named name.
func (w *walker) bucket(name []byte, b *bbolt.Bucket) error {
	checks := map[string]func(k, v []byte) error{
		bucketMeta: w.meta, bucketRevisions: w.revision, bucketRetired: w.retired, bucketSources: w.source,
	}
	fn := checks[string(name)]
	if fn == nil {
		return fmt.Errorf("unexpected bucket %q", name)
	}
	return b.ForEach(func(k, v []byte) error {
		crc32.ChecksumIEEE(k) // read the key: the checks below may not
		if v == nil {
			return fmt.Errorf("bucket %s: unexpected nested bucket %q", name, k)
		}
		if err := fn(k, v); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
		return nil
	})
}

func (w *walker) meta(k, v []byte) error {
	if string(k) != keyVersion && string(k) != keyCurrent {
		return fmt.Errorf("unexpected key %q", k)
	}
	if _, ok := number(v); !ok {
		return fmt.Errorf("key %s: bad value %x", k, v)
	}
	return nil
}

func (w *walker) revision(k, v []byte) error {
	n, ok := number(k)
	if !ok || n < 1 || n > w.current {
		return fmt.Errorf("bad revision key %x", k)
	}
	if !json.Valid(v) {
		return fmt.Errorf("revision %d is not valid JSON", n)
	}
	w.last = n
	return nil
}

func (w *walker) source(k, v []byte) error {
	if !json.Valid(v) {
		return fmt.Errorf("source %q is not valid JSON", k)
	}
	return nil
}

func (w *walker) retired(k, v []byte) error {
	if rev, ok := number(v); !ok || rev < 1 || rev > w.current {
		return fmt.Errorf("group %q: bad revision %x", k, v)
	}
	return nil
}

// encode encodes n as a key or value: big-endian, 8 bytes.
func encode[N int64 | uint64](n N) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}

// number decodes a value of encode; false when b is not 8 bytes long.
func number(b []byte) (uint64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

func pidPath(path string) string { return path + ".pid" }

// writePID records this process as the holder of the store at path, for
// another's LockedError. Best effort.
func writePID(path string) {
	_ = os.WriteFile(pidPath(path), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
}

// readPID returns the pid of the holder of the store at path; 0 when unknown.
func readPID(path string) int {
	b, err := os.ReadFile(pidPath(path))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid < 0 {
		return 0
	}
	return pid
}
