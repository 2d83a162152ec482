package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// loadPeriod is the burner's duty cycle: busy for a share of it, asleep
// for the rest.
const loadPeriod = 100 * time.Millisecond

// burner keeps a settable share of one CPU core busy, so that autoscaling
// can be shown and tested: LOAD=0.5 at start, POST /load?cpu=0.5 at run
// time.
type burner struct {
	milli atomic.Int64 // thousandths of a core
}

// parseLoad reads a share of one core, from 0 to 1.
func parseLoad(s string) (int64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1 {
		return 0, fmt.Errorf("want a share of one core from 0 to 1")
	}
	return int64(v * 1000), nil
}

// run burns until ctx ends.
func (b *burner) run(ctx context.Context) {
	for ctx.Err() == nil {
		busy := time.Duration(b.milli.Load()) * loadPeriod / 1000
		start := time.Now()
		for time.Since(start) < busy {
		}
		select {
		case <-ctx.Done():
		case <-time.After(loadPeriod - busy):
		}
	}
}

// handle serves GET /load (the share burnt now) and POST /load?cpu=X.
func (b *burner) handle(mux *http.ServeMux) {
	mux.HandleFunc("GET /load", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%.3f\n", float64(b.milli.Load())/1000)
	})
	mux.HandleFunc("POST /load", func(w http.ResponseWriter, r *http.Request) {
		m, err := parseLoad(r.URL.Query().Get("cpu"))
		if err != nil {
			http.Error(w, "cpu: "+err.Error(), http.StatusBadRequest)
			return
		}
		b.milli.Store(m)
		fmt.Fprintf(w, "%.3f\n", float64(m)/1000)
	})
}
