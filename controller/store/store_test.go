package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/drover/drover/specs"
)

var clock = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// openAt opens a store at path with a fixed clock, closing it at cleanup.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newStore opens a store in a new temporary data dir.
func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "drover.db")
	return openAt(t, path), path
}

func sampleBundle(i int) specs.Bundle {
	return specs.Bundle{
		Specs: []string{"main.hcl"},
		Files: map[string][]byte{"main.hcl": fmt.Appendf(nil, "group \"web\" { replicas = %d }\n", i)},
		Env:   map[string]string{"TOKEN": fmt.Sprintf("secret-%d", i)},
	}
}

func mustAppend(t *testing.T, s *Store, rec Record, retired map[string]int64) Record {
	t.Helper()
	got, err := s.Append(context.Background(), rec, retired)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return got
}

func TestAppendCurrentGetList(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	given := clock.Add(-time.Hour)
	tests := []struct {
		name     string
		rec      Record
		wantTime time.Time
	}{
		{"apply", Record{Kind: "apply", Hash: "h1", Author: "ann", Message: "first", Resources: []string{"group.web"}, Bundle: sampleBundle(1)}, clock},
		{"apply with time", Record{Kind: "apply", Hash: "h2", Time: given, Bundle: sampleBundle(2)}, given},
		{"rollback", Record{Number: 99, Kind: "rollback", Hash: "h1", RollbackOf: 1, Bundle: sampleBundle(1)}, clock},
	}
	var appended []Record
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustAppend(t, s, tt.rec, nil)
			if want := int64(i + 1); got.Number != want {
				t.Errorf("Number = %d, want %d", got.Number, want)
			}
			if !got.Time.Equal(tt.wantTime) {
				t.Errorf("Time = %v, want %v", got.Time, tt.wantTime)
			}
			cur, ok, err := s.Current(ctx)
			if err != nil || !ok || !reflect.DeepEqual(cur, got) {
				t.Errorf("Current = %+v, %v, %v; want %+v", cur, ok, err, got)
			}
			appended = append(appended, got)
		})
	}
	for _, want := range appended {
		got, err := s.Get(ctx, want.Number)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Get(%d) = %+v, %v; want %+v", want.Number, got, err, want)
		}
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != len(appended) {
		t.Fatalf("List has %d records, want %d", len(list), len(appended))
	}
	for i, got := range list {
		want := appended[len(appended)-1-i]
		want.Bundle = specs.Bundle{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("List[%d] = %+v, want %+v (newest first, no bundle)", i, got, want)
		}
	}
}

func TestEmptyStore(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if rec, ok, err := s.Current(ctx); err != nil || ok {
		t.Errorf("Current = %+v, %v, %v; want none", rec, ok, err)
	}
	if list, err := s.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("List = %v, %v; want empty", list, err)
	}
	if retired, err := s.Retired(ctx); err != nil || retired == nil || len(retired) != 0 {
		t.Errorf("Retired = %#v, %v; want an empty map", retired, err)
	}
}

func TestZeroLengthFileIsInitialised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drover.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if got := mustAppend(t, s, Record{Kind: "apply"}, nil); got.Number != 1 {
		t.Errorf("Number = %d, want 1", got.Number)
	}
}

func TestNumberingSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	mustAppend(t, s, Record{Kind: "apply", Hash: "a"}, nil)
	mustAppend(t, s, Record{Kind: "apply", Hash: "b"}, map[string]int64{"old": 1})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openAt(t, path)
	if cur, ok, err := s.Current(ctx); err != nil || !ok || cur.Number != 2 || cur.Hash != "b" {
		t.Fatalf("Current after reopen = %+v, %v, %v; want revision 2", cur, ok, err)
	}
	if got := mustAppend(t, s, Record{Kind: "destroy"}, map[string]int64{"old": 1}); got.Number != 3 {
		t.Errorf("Number after reopen = %d, want 3", got.Number)
	}
	if list, err := s.List(ctx); err != nil || len(list) != 3 {
		t.Errorf("List = %d records, %v; want 3", len(list), err)
	}
}

func TestRetiredReplaced(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	steps := []struct {
		name    string
		retired map[string]int64
		wantErr bool
		want    map[string]int64
	}{
		{"set", map[string]int64{"a": 1, "b": 1}, false, map[string]int64{"a": 1, "b": 1}},
		{"replace", map[string]int64{"c": 2}, false, map[string]int64{"c": 2}},
		{"empty name rejected", map[string]int64{"": 1}, true, map[string]int64{"c": 2}},
		{"revision 0 rejected", map[string]int64{"d": 0}, true, map[string]int64{"c": 2}},
		{"future revision rejected", map[string]int64{"d": 99}, true, map[string]int64{"c": 2}},
		{"nil empties", nil, false, map[string]int64{}},
	}
	number := int64(0)
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, err := s.Append(ctx, Record{Kind: "apply"}, st.retired)
			if (err != nil) != st.wantErr {
				t.Fatalf("Append error = %v, want error %v", err, st.wantErr)
			}
			if err == nil {
				number++
			}
			cur, _, err := s.Current(ctx)
			if err != nil || cur.Number != number {
				t.Errorf("current = %d, %v; want %d (a failed Append must add no revision)", cur.Number, err, number)
			}
			got, err := s.Retired(ctx)
			if err != nil || !reflect.DeepEqual(got, st.want) {
				t.Errorf("Retired = %v, %v; want %v", got, err, st.want)
			}
		})
	}
}

func TestForget(t *testing.T) {
	tests := []struct {
		name  string
		group string
		rev   int64
		want  map[string]int64
	}{
		{"matching revision", "a", 1, map[string]int64{"b": 2}},
		{"newer retirement kept", "b", 1, map[string]int64{"a": 1, "b": 2}},
		{"absent group", "zzz", 1, map[string]int64{"a": 1, "b": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newStore(t)
			mustAppend(t, s, Record{Kind: "apply"}, nil)
			mustAppend(t, s, Record{Kind: "apply"}, map[string]int64{"a": 1, "b": 2})
			if err := s.Forget(ctx, tt.group, tt.rev); err != nil {
				t.Fatalf("Forget: %v", err)
			}
			if got, err := s.Retired(ctx); err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Retired = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	s, _ := newStore(t)
	mustAppend(t, s, Record{Kind: "apply"}, nil)
	for _, n := range []int64{-1, 0, 2, 1 << 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if _, err := s.Get(context.Background(), n); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(%d) error = %v, want ErrNotFound", n, err)
			}
		})
	}
}

func TestBundleRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	bundle := specs.Bundle{
		Specs:    []string{"a.hcl", "b.hcl"},
		Files:    map[string][]byte{"a.hcl": []byte("x = 1\n"), "b.hcl": {0, 0xff, 0xfe, '\n'}, "vars.hcl": []byte("v = 2")},
		Vars:     []string{"region=eu"},
		VarFiles: []string{"vars.hcl"},
		Env:      map[string]string{"DB_PASSWORD": "p@ss wörd\n\"quoted\"", "EMPTY": "", "DROVER_VAR_x": "1"},
	}
	rec := mustAppend(t, s, Record{Kind: "apply", Bundle: bundle}, nil)
	check := func(t *testing.T, s *Store) {
		got, err := s.Get(ctx, rec.Number)
		if err != nil || !reflect.DeepEqual(got.Bundle, bundle) {
			t.Errorf("Bundle = %+v, %v; want %+v", got.Bundle, err, bundle)
		}
	}
	t.Run("open", func(t *testing.T) { check(t, s) })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("reopened", func(t *testing.T) { check(t, openAt(t, path)) })
}

func TestFileModesAndPIDFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "drover.db")
	s := openAt(t, path)
	modes := []struct {
		path string
		want os.FileMode
	}{
		{path, 0o600},
		{filepath.Join(dir, "a"), os.ModeDir | 0o700},
		{filepath.Join(dir, "a", "b"), os.ModeDir | 0o700},
	}
	for _, m := range modes {
		t.Run(strings.TrimPrefix(m.path, dir), func(t *testing.T) {
			info, err := os.Stat(m.path)
			if err != nil || info.Mode() != m.want {
				t.Errorf("mode = %v, %v; want %v", info.Mode(), err, m.want)
			}
		})
	}
	if got := readPID(path); got != os.Getpid() {
		t.Errorf("pid file holds %d, want %d", got, os.Getpid())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pidPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file after Close: %v, want it removed", err)
	}
}

func TestContextDone(t *testing.T) {
	s, _ := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Append":  func() error { _, err := s.Append(ctx, Record{}, nil); return err },
		"Current": func() error { _, _, err := s.Current(ctx); return err },
		"Get":     func() error { _, err := s.Get(ctx, 1); return err },
		"List":    func() error { _, err := s.List(ctx); return err },
		"Retired": func() error { _, err := s.Retired(ctx); return err },
		"Forget":  func() error { return s.Forget(ctx, "a", 1) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
		})
	}
	if list, err := s.List(context.Background()); err != nil || len(list) != 0 {
		t.Errorf("List = %v, %v; a cancelled Append must add nothing", list, err)
	}
}

const holdEnv = "DROVER_STORE_TEST_HOLD"

// TestMain makes the test binary, started by holdInChild with holdEnv
// set, a process that holds a store until its stdin closes.
func TestMain(m *testing.M) {
	if path := os.Getenv(holdEnv); path != "" {
		holdStore(path)
		return
	}
	os.Exit(m.Run())
}

func holdStore(path string) {
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("held")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = s.Close()
}

// holdInProcess holds the store at path from this process.
func holdInProcess(t *testing.T, path string) (pid int, release func()) {
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return os.Getpid(), func() { _ = s.Close() }
}

// holdInChild holds the store at path from a child process.
func holdInChild(t *testing.T, path string) (pid int, release func()) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	release = func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "held\n" {
		release()
		t.Fatalf("helper process said %q, want held", line)
	}
	return cmd.Process.Pid, release
}

func TestOpenLocked(t *testing.T) {
	holders := []struct {
		name string
		hold func(*testing.T, string) (int, func())
	}{
		{"same process", holdInProcess},
		{"other process", holdInChild},
	}
	for _, h := range holders {
		t.Run(h.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "drover.db")
			pid, release := h.hold(t, path)
			defer release()
			start := time.Now()
			s, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
			if err == nil {
				_ = s.Close()
				t.Fatal("second Open succeeded, want *LockedError")
			}
			var locked *LockedError
			if !errors.As(err, &locked) || locked.PID != pid || locked.Path != path {
				t.Fatalf("error = %#v (%v), want *LockedError for %s with pid %d", err, err, path, pid)
			}
			// Not before the timeout (less bolt's 50 ms retry step); the
			// upper bound only tells a wait from a hang on a loaded machine.
			if waited := time.Since(start); waited < 50*time.Millisecond || waited > 30*time.Second {
				t.Errorf("Open waited %v for the lock, want 100ms and not much more", waited)
			}
			if readPID(path) != pid {
				t.Errorf("the failed Open changed the holder's pid file")
			}
			release()
			openAt(t, path) // free once released
		})
	}
}

func TestErrorMessages(t *testing.T) {
	cause := errors.New("invalid database")
	tests := []struct {
		err  error
		want string
	}{
		{&LockedError{Path: "/x/drover.db", PID: 1234}, "data dir /x is in use by another drover daemon (pid 1234): stop it, or give this one another --data-dir"},
		{&LockedError{Path: "/x/drover.db"}, "data dir /x is in use by another drover daemon: stop it, or give this one another --data-dir"},
		{&CorruptError{Path: "/x/drover.db", Err: cause}, "store /x/drover.db is unreadable (invalid database); it was left as it is for inspection: move it aside to start with an empty store"},
	}
	for _, tt := range tests {
		t.Run(tt.want[:20], func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if !errors.Is(&CorruptError{Err: cause}, cause) {
		t.Error("CorruptError does not unwrap to its cause")
	}
}

// fill makes a valid store at path holding n revisions with bundles of a
// few KiB each, so that it spans many pages.
func fill(t *testing.T, path string, n int) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		blob := make([]byte, 3000)
		for j := range blob {
			blob[j] = byte(rng.Uint32())
		}
		b := sampleBundle(i)
		b.Env["BLOB"] = base64.StdEncoding.EncodeToString(blob)
		mustAppend(t, s, Record{Kind: "apply", Hash: fmt.Sprint(i), Bundle: b}, map[string]int64{fmt.Sprint("g", i): int64(i + 1)})
	}
}

// editBolt opens the bbolt file at path directly and runs fn in an update.
func editBolt(t *testing.T, path string, fn func(*bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// rewrite applies fn to the bytes of the file at path.
func rewrite(t *testing.T, path string, fn func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCorrupt(t *testing.T) {
	page := os.Getpagesize()
	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"random garbage", func(t *testing.T, path string) {
			b := make([]byte, 64<<10)
			rng := rand.New(rand.NewPCG(3, 4))
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"short text", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("not a database\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"wrong magic", func(t *testing.T, path string) {
			fill(t, path, 3)
			rewrite(t, path, func(b []byte) []byte {
				for _, off := range []int{16, page + 16} { // the magic of both meta pages
					b[off] ^= 0xff
				}
				return b
			})
		}},
		{"flipped middle pages", func(t *testing.T, path string) {
			fill(t, path, 60)
			rewrite(t, path, func(b []byte) []byte {
				for i := len(b) / 4; i < len(b)*3/4; i++ {
					b[i] ^= 0xff
				}
				return b
			})
		}},
		{"truncated to half", func(t *testing.T, path string) {
			fill(t, path, 60)
			rewrite(t, path, func(b []byte) []byte { return b[:len(b)/2] })
		}},
		{"another program's bbolt file", func(t *testing.T, path string) {
			editBolt(t, path, func(tx *bbolt.Tx) error {
				b, err := tx.CreateBucket([]byte("other"))
				if err != nil {
					return err
				}
				return b.Put([]byte("k"), []byte("v"))
			})
		}},
		{"record not JSON", func(t *testing.T, path string) {
			fill(t, path, 2)
			editBolt(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte(bucketRevisions)).Put(encode(int64(2)), []byte("{not json"))
			})
		}},
		{"current revision missing", func(t *testing.T, path string) {
			fill(t, path, 2)
			editBolt(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte(bucketRevisions)).Delete(encode(int64(2)))
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "drover.db")
			tt.make(t, path)
			before := fileSum(t, path)
			for attempt := range 2 { // a failed Open must also release the lock
				s, err := Open(path, Options{})
				if err == nil {
					_ = s.Close()
					t.Fatalf("Open #%d succeeded, want *CorruptError", attempt+1)
				}
				var corrupt *CorruptError
				if !errors.As(err, &corrupt) || corrupt.Path != path {
					t.Fatalf("Open #%d error = %v, want *CorruptError for %s", attempt+1, err, path)
				}
				t.Logf("Open #%d: %v", attempt+1, err)
			}
			if after := fileSum(t, path); after != before {
				t.Error("Open changed the corrupt file")
			}
			if _, err := os.Stat(pidPath(path)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("pid file after failed Open: %v, want none", err)
			}
		})
	}
}

func TestOpenNewerVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drover.db")
	fill(t, path, 1)
	editBolt(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(keyVersion), encode(uint64(schemaVersion+1)))
	})
	before := fileSum(t, path)
	_, err := Open(path, Options{})
	var corrupt *CorruptError
	if err == nil || errors.As(err, &corrupt) || !strings.Contains(err.Error(), "schema version 2, newer") {
		t.Fatalf("Open error = %v, want a newer-schema error", err)
	}
	if fileSum(t, path) != before {
		t.Error("Open changed the file")
	}
}

func fileSum(t *testing.T, path string) [sha256.Size]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestOpenCorruptSweep damages a store in every page, one at a time, and
// checks that Open never crashes, never fails but with *CorruptError, and
// never writes to the file. Damage to a free page, or truncation after the
// last used page, is harmless: Open may succeed, and then every revision
// must read back as it was.
func TestOpenCorruptSweep(t *testing.T) {
	page := os.Getpagesize()
	src := filepath.Join(t.TempDir(), "src.db")
	fill(t, src, 30)
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(t, openAt(t, src))
	damages := []struct {
		name   string
		damage func(b []byte, p int) []byte
	}{
		{"truncated", func(b []byte, p int) []byte { return b[:p*page] }},
		{"flipped", func(b []byte, p int) []byte {
			for i := p * page; i < (p+1)*page; i++ {
				b[i] ^= 0xff
			}
			return b
		}},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			detected := 0
			for p := 1; p < len(orig)/page; p++ { // truncated to 0 bytes is a new store
				path := filepath.Join(t.TempDir(), "drover.db")
				if err := os.WriteFile(path, d.damage(bytes.Clone(orig), p), 0o600); err != nil {
					t.Fatal(err)
				}
				before := fileSum(t, path)
				s, err := Open(path, Options{})
				var corrupt *CorruptError
				switch {
				case err == nil:
					if got := readAll(t, s); !reflect.DeepEqual(got, want) {
						t.Errorf("page %d: Open succeeded, but the store reads back differently", p)
					}
					_ = s.Close()
				case errors.As(err, &corrupt):
					detected++
				default:
					t.Errorf("page %d: Open error = %v, want nil or *CorruptError", p, err)
				}
				if fileSum(t, path) != before {
					t.Errorf("page %d: Open changed the file", p)
				}
			}
			t.Logf("%d of %d damaged files detected as corrupt", detected, len(orig)/page-1)
		})
	}
}

// readAll returns every revision of s, with its bundle, and the retired set.
func readAll(t *testing.T, s *Store) []any {
	t.Helper()
	ctx := context.Background()
	list, err := s.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	all := []any{list}
	for _, rec := range list {
		full, err := s.Get(ctx, rec.Number)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		all = append(all, full)
	}
	retired, err := s.Retired(ctx)
	if err != nil {
		t.Fatalf("Retired: %v", err)
	}
	return append(all, retired)
}
