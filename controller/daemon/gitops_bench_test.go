package daemon_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/gitsource/gittest"
	"github.com/drover/drover/resource"
)

// BenchmarkPushToApplied measures, on the daemon with the fake provider
// and a local bare repository, the time from a push to the revision that
// applies it (the source's applied event):
//   - apply: the same change applied by hand through the API, the
//     baseline: what applying costs whatever triggers it;
//   - webhook: a signed delivery sent right after the push, the source
//     polling every 10 minutes (aim: under 2 s);
//   - poll-1s: no webhook, the source polling every second (aim: at most
//     the interval plus the apply).
//
// Each op is one push, alternating between two sizes of a group.
func BenchmarkPushToApplied(b *testing.B) {
	const secret = "bench-secret-bench-secret"
	for _, mode := range []string{"apply", "webhook", "poll-1s"} {
		b.Run(mode, func(b *testing.B) {
			h := gitHarness(b, mode == "webhook")
			repo := gittest.NewRepo(b)
			first := repo.Commit(b, map[string]string{"main.hcl": groupsHCL("web=1")}, "first")
			if mode != "apply" {
				spec := api.SourceSpec{Name: "app", URL: repo.URL(), WebhookSecret: secret}
				if mode == "poll-1s" {
					spec.Interval = time.Second
				}
				h.addSource(spec)
				h.awaitSource("app", "the first commit applied", applied(first))
			}
			var lat []time.Duration
			i := 0
			for b.Loop() {
				i++
				files := map[string]string{"main.hcl": groupsHCL(fmt.Sprintf("web=%d", 1+i%2))}
				_, ch := h.d.Subscribe(b.Context(), 1<<62)
				if mode == "apply" {
					start := time.Now()
					if _, err := h.d.Apply(b.Context(), api.ApplyRequest{Bundle: bundle(fmt.Sprintf("web=%d", 1+i%2))}); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, await(b, ch, "the revision", func(e resource.Event) bool { return e.Kind == "applied" }).Sub(start))
					continue
				}
				sha := repo.Commit(b, files, fmt.Sprintf("push %d", i))
				pushed := time.Now()
				if mode == "webhook" {
					body := []byte(`{"ref":"refs/heads/main"}`)
					if code := deliver(b, h.d.WebhookAddr(), "app", sign(secret, body), fmt.Sprintf("bench-%d", i), body); code != http.StatusAccepted {
						b.Fatalf("delivery: HTTP %d", code)
					}
				}
				lat = append(lat, await(b, ch, "commit "+sha, func(e resource.Event) bool {
					return e.Resource == resource.Source.KeyOf("app") && e.Kind == "applied"
				}).Sub(pushed))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms/push")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms/push")
		})
	}
}
