//go:build linux

package imaplib

import (
	"errors"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// madvPopulateWrite is Linux's MADV_POPULATE_WRITE (5.14 and later): map
// a range's pages writable now, as first writes would, without touching
// what they hold.
const madvPopulateWrite = 23

// populateOff is set once the kernel refuses MADV_POPULATE_WRITE, so that
// an older kernel is asked once, not once per literal.
var populateOff atomic.Bool

var pageSize = syscall.Getpagesize()

// populate maps the whole pages inside b in one system call, before bytes
// are received or copied into them. Fresh memory is otherwise mapped one
// page fault per 4 KiB on first write, and a Go program takes those faults
// slowly: each one that lands while the collector is stopping the reading
// goroutine is retried, and a 200 MiB literal takes 51,200 of them. The
// call changes no byte of b, so it is safe on memory another read is
// filling. Failure is harmless: the pages then fault in as before.
func populate(b []byte) {
	if len(b) < pageSize || populateOff.Load() {
		return
	}
	// Whole pages only: madvise needs an aligned start, and a page shared
	// with a neighbouring object is left to fault in normally.
	skip := (pageSize - int(uintptr(unsafe.Pointer(&b[0])))%pageSize) % pageSize
	if skip >= len(b) {
		return
	}
	b = b[skip:]
	n := len(b) &^ (pageSize - 1)
	if n == 0 {
		return
	}
	if err := syscall.Madvise(b[:n], madvPopulateWrite); errors.Is(err, syscall.EINVAL) {
		populateOff.Store(true)
	}
}
