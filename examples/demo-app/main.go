// Command demo-app is a tiny HTTP service for `make demo` and tests: GET /
// greets with the hostname and $GREETING, GET /healthz answers 503 after
// POST /sick until POST /well, CRASH=1 or CRASH_AFTER=<duration> exit with
// status 3, LOAD=<share of a core> or POST /load?cpu=<share> burns CPU
// (for autoscaling), and -check probes /healthz for the image's HEALTHCHECK (a FROM
// scratch image has no shell or curl).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// app holds the state behind the handlers.
type app struct {
	hostname, greeting string
	sick               atomic.Bool
	load               burner
}

func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s: %s\n", a.hostname, a.greeting)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if a.sick.Load() {
			http.Error(w, "unhealthy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("POST /sick", func(w http.ResponseWriter, r *http.Request) { a.sick.Store(true); fmt.Fprintln(w, "sick") })
	mux.HandleFunc("POST /well", func(w http.ResponseWriter, r *http.Request) { a.sick.Store(false); fmt.Fprintln(w, "well") })
	a.load.handle(mux)
	return logRequests(mux)
}

// statusWriter records the response status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// logRequests logs one line per request.
func logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, sw := time.Now(), &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		log.Printf("%s %s %s %d %s", r.RemoteAddr, r.Method, r.URL.Path, sw.status, time.Since(start).Round(time.Microsecond))
	})
}

// check GETs url with the given timeout and returns nil only on a 200.
func check(url string, timeout time.Duration) error {
	resp, err := (&http.Client{Timeout: timeout}).Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}

// checkURL turns a listen address such as ":8080" into a loopback /healthz URL.
func checkURL(listen string) string {
	_, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" {
		port = "8080"
	}
	return "http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz"
}

func main() {
	listen := flag.String("listen", ":8080", "address to listen on")
	probe := flag.Bool("check", false, "probe /healthz on the -listen port; exit 0 if healthy, else 1")
	flag.Parse()
	log.SetOutput(os.Stdout)
	if *probe {
		if err := check(checkURL(*listen), 5*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv("CRASH") == "1" {
		log.Print("CRASH=1: exiting with status 3")
		os.Exit(3)
	}
	if s := os.Getenv("CRASH_AFTER"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			log.Fatalf("bad CRASH_AFTER %q: %v", s, err)
		}
		time.AfterFunc(d, func() { log.Printf("CRASH_AFTER=%s: exiting with status 3", s); os.Exit(3) })
	}
	a := &app{greeting: "hello"}
	a.hostname, _ = os.Hostname()
	if g := os.Getenv("GREETING"); g != "" {
		a.greeting = g
	}
	if l := os.Getenv("LOAD"); l != "" {
		m, err := parseLoad(l)
		if err != nil {
			log.Fatalf("LOAD: %v", err)
		}
		a.load.milli.Store(m)
	}
	srv := &http.Server{Addr: *listen, Handler: a.handler(), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go a.load.run(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("demo-app listening on %s", *listen)
	select {
	case err := <-errc:
		log.Fatal(err) // could not listen
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	log.Printf("demo-app stopped (shutdown error: %v)", srv.Shutdown(shutdownCtx))
}
