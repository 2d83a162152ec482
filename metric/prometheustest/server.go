package prometheustest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/internal/syncbuf"
)

// StartTimeout bounds how long Start waits for Prometheus to be ready: a
// second or two, unloaded; much more on a loaded 2-core machine.
const StartTimeout = 2 * time.Minute

// ScrapeInterval is how often Prometheus scrapes its targets.
const ScrapeInterval = time.Second

// startAttempts is how many free ports Start tries: another process may
// take the port between its choice and Prometheus's bind.
const startAttempts = 3

// Server is a running Prometheus.
type Server struct {
	url    string
	cmd    *exec.Cmd
	out    *syncbuf.Buffer // its log
	exited chan struct{}   // closed once the process has ended
	stop   sync.Once
}

// Start runs Prometheus on a free localhost port, scraping targets
// (host:port, at /metrics) every ScrapeInterval, its storage in a
// temporary directory, and returns once it is ready. The test's cleanup
// stops it. Without a prometheus binary on PATH, Start fails the test,
// saying how to install one.
func Start(t testing.TB, targets ...string) *Server {
	t.Helper()
	bin := binary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config(targets)), 0o600); err != nil {
		t.Fatalf("prometheustest: write the configuration: %v", err)
	}
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var s *Server
		s, err = launch(t, bin, cfg, filepath.Join(dir, "data"+strconv.Itoa(attempt)))
		if err != nil {
			break
		}
		if err = s.awaitReady(t); err == nil {
			return s
		}
		s.Stop()
		if !s.ended() {
			break // running but not ready: another port would not help
		}
	}
	t.Fatalf("prometheustest: %v", err)
	return nil
}

// binary is the path of the prometheus binary, or the end of the test.
func binary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err == nil {
		return bin
	}
	msg := "this test runs a real Prometheus, but no prometheus binary is on PATH: " +
		"run scripts/ensure-prometheus.sh (as root on Debian: apt-get install --no-install-recommends prometheus)"
	t.Fatalf("prometheustest: %s", msg) // a skipped test would prove nothing
	return ""
}

// config is Prometheus's configuration: targets scraped every
// ScrapeInterval under the job "drover-test".
func config(targets []string) string {
	quoted := make([]string, len(targets))
	for i, target := range targets {
		quoted[i] = strconv.Quote(target)
	}
	interval := ScrapeInterval.String()
	return fmt.Sprintf(`global:
  scrape_interval: %s
  scrape_timeout: %s
  evaluation_interval: %s
scrape_configs:
  - job_name: drover-test
    static_configs:
      - targets: [%s]
`, interval, interval, interval, strings.Join(quoted, ", "))
}

// launch starts Prometheus on a free port, storing into data; the test's
// cleanup stops it.
func launch(t testing.TB, bin, cfg, data string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{url: "http://" + addr, out: &syncbuf.Buffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin,
		"--config.file="+cfg,
		"--storage.tsdb.path="+data,
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(s.Stop)
	return s, nil
}

// freePort is a localhost TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	return port, nil
}

// awaitReady polls /-/ready until Prometheus answers 200, it ends, or
// StartTimeout passes.
func (s *Server) awaitReady(t testing.TB) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(StartTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last := errors.New("no answer yet")
	for {
		if ok, err := s.ready(t, client); ok {
			return nil
		} else if err != nil {
			last = err
		}
		select {
		case <-s.exited:
			return fmt.Errorf("prometheus ended before it was ready: %s", s.log())
		case <-t.Context().Done():
			return fmt.Errorf("the test ended before prometheus was ready (%v)", last)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("prometheus not ready after %v (%v): %s", StartTimeout, last, s.log())
		}
	}
}

// ready is whether Prometheus answers 200 at /-/ready.
func (s *Server) ready(t testing.TB, client *http.Client) (bool, error) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.url+"/-/ready", nil)
	if err != nil {
		return false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("/-/ready answered %s", resp.Status)
	}
	return true, nil
}

// URL is Prometheus's base URL: http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// Stop kills Prometheus and waits for its end; stopping a stopped server
// does nothing. The test's cleanup calls it; a test calls it to see what
// happens when Prometheus goes away.
func (s *Server) Stop() {
	s.stop.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

// ended is whether the process has ended.
func (s *Server) ended() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// log is the end of Prometheus's log, for a failure's message.
func (s *Server) log() string {
	const keep = 2000
	out := s.out.String()
	if len(out) > keep {
		out = "..." + out[len(out)-keep:]
	}
	if out == "" {
		return "(no log)"
	}
	return out
}
