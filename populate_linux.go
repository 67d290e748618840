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
// goroutine is retried, and a 200 MiB literal takes 51,200 of them. Memory
// the runtime reuses is resident already (it zeroed it), and mapping it
// again costs a tenth of a fault per page, so mincore is asked first and
// only the part from the first missing page on is populated. The calls
// change no byte of b, so they are safe on memory another read is filling.
// Failure is harmless: the pages then fault in as before.
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
	b = b[:len(b)&^(pageSize-1)]
	if first := firstMissingPage(b); first >= 0 {
		if err := syscall.Madvise(b[first*pageSize:], madvPopulateWrite); errors.Is(err, syscall.EINVAL) {
			populateOff.Store(true)
		}
	}
}

// firstMissingPage returns the index of b's first page that is not
// resident, or -1 when all are (or mincore cannot tell). b is page-aligned
// and whole pages long.
func firstMissingPage(b []byte) int {
	var vec [256]byte
	for done := 0; done < len(b); {
		n := min(len(b)-done, len(vec)*pageSize)
		_, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&b[done])), uintptr(n), uintptr(unsafe.Pointer(&vec[0])))
		if errno != 0 {
			return 0 // cannot tell: populate all
		}
		for i, v := range vec[:n/pageSize] {
			if v&1 == 0 {
				return done/pageSize + i
			}
		}
		done += n
	}
	return -1
}
