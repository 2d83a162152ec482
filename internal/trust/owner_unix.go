//go:build unix

package trust

import (
	"io/fs"
	"syscall"
)

// ownerOf is the uid that owns fi's file.
func ownerOf(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
