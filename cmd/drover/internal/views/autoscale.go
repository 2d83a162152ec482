package views

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/drover/drover/resource"
)

// autoscaleTable writes the autoscalers of resources, one line each, with
// what they last read and decided and when they may next act:
//
//	AUTOSCALER   COUNT  RANGE  METRICS              DECISION                NEXT UP   NEXT DOWN
//	service.web  4 -> 6  1..10  cpu 0.82/0.50 -> 7  up (target)             15:04:05  15:08:05
func autoscaleTable(w io.Writer, resources []resource.Status) error {
	var rows []resource.Status
	for _, rs := range resources {
		if rs.Autoscale != nil {
			rows = append(rows, rs)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := newTable(w)
	fmt.Fprintln(tw, "AUTOSCALER\tCOUNT\tRANGE\tMETRICS\tDECISION\tNEXT UP\tNEXT DOWN")
	for _, rs := range rows {
		a := rs.Autoscale
		count := strconv.Itoa(a.Current)
		if a.Desired != a.Current {
			count += " -> " + strconv.Itoa(a.Desired)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d..%d\t%s\t%s (%s)\t%s\t%s\n", rs.Resource, count, a.Min, a.Max,
			MetricsLine(a.Metrics), a.Action, a.Rule, nextChange(a.NextUp, a.At), nextChange(a.NextDown, a.At))
	}
	return tw.Flush()
}

// MetricsLine renders readings in a line: "cpu 0.82/0.50 -> 7, prometheus
// unreadable -> 4 (hold)".
func MetricsLine(ms []resource.MetricReading) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		var s string
		switch {
		case m.Error != "":
			s = fmt.Sprintf("%s unreadable -> %d (hold)", m.Metric, m.Recommended)
		case m.Target > 0:
			s = fmt.Sprintf("%s %s/%s -> %d", m.Metric, number(m.Value), number(m.Target), m.Recommended)
		default:
			s = fmt.Sprintf("%s %s -> %d", m.Metric, number(m.Value), m.Recommended)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// number is v with at most 3 decimals and no trailing zeros.
func number(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// nextChange is when a direction may act: "now" when it is not blocked at
// the evaluation made at at, else the local time.
func nextChange(next, at time.Time) string {
	if next.IsZero() || !next.After(at) {
		return "now"
	}
	return next.Local().Format("15:04:05")
}
