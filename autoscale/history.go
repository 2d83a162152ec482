package autoscale

import "time"

// remember is history with rec appended and what is older than the window
// before rec.At dropped. It returns a new slice: the caller's State is
// never written to.
func remember(history []Recommendation, rec Recommendation, window time.Duration) []Recommendation {
	since := rec.At.Add(-window)
	kept := make([]Recommendation, 0, len(history)+1)
	for _, h := range history {
		if !h.At.Before(since) {
			kept = append(kept, h)
		}
	}
	return append(kept, rec)
}

// highest is the highest count recommended in history; history is never
// empty when it is asked (it holds the recommendation just made).
func highest(history []Recommendation) int {
	hi := history[0].Count
	for _, h := range history[1:] {
		hi = max(hi, h.Count)
	}
	return hi
}
