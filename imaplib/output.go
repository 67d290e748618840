package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pyport/imaplib"
)

// mesg writes one line in imaplib's debug format, "  MM:SS.cc text", the
// format the self-test uses for its own progress lines so that they
// interleave readably with the library's wire trace.
func mesg(w io.Writer, s string) {
	now := time.Now()
	fmt.Fprintf(w, "  %s.%02d %s\n", now.Format("04:05"), now.Nanosecond()/10_000_000, s)
}

// pyTuple renders values as Python prints a tuple of them: "()", "('a',)",
// "('a', None)". Each value is rendered by imaplib.Repr, so strings, bytes and
// None look exactly as they do in CPython's output.
func pyTuple(vals ...any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = imaplib.Repr(v)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// lockedWriter serialises writes: the embedded server logs from its own
// goroutines onto the same stream as the client's debug trace.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write passes p on under the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
