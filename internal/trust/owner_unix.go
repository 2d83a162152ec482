//go:build unix

package trust

import (
	"io/fs"
	"syscall"
)

// Owner is the uid that owns fi's file.
func Owner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
