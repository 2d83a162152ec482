//go:build unix

package autoscale_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, user and system, all
// threads (the garbage collector's included); ok is false where it cannot
// be read.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
