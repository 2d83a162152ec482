// Package syncbuf holds Buffer, a bytes.Buffer that goroutines may write
// and read at once: what tests use to capture a process's output or logs
// while it runs.
package syncbuf
