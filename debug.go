package imaplib

import (
	"fmt"
	"strings"
	"time"
)

// cmdLogLen is the size of the interaction log print_log shows.
const cmdLogLen = 10

// logEntry is one remembered interaction: the direction ("< " or "> "),
// the line as it went over the wire, and when. The repr is built only if
// PrintLog shows the entry: building it for every line cost more than
// reading the line.
type logEntry struct {
	dir  string // "" for a slot not used yet
	line []byte // a copy, in a buffer the slot reuses
	at   time.Time
}

// logKeepCap is the most a log slot keeps allocated once the lines it holds
// are short again, so that one long line is not held for good.
const logKeepCap = 4 << 10

// mesg writes one debug line in CPython's format: two spaces, MM:SS.cc in
// local time, a space, the message.
func (m *IMAP4) mesg(s string) { m.mesgAt(s, time.Now()) }

func (m *IMAP4) mesgAt(s string, at time.Time) {
	w := m.DebugOutput
	if w == nil {
		return
	}
	fmt.Fprintf(w, "  %s.%02d %s\n", at.Format("04:05"), at.Nanosecond()/10_000_000, s)
}

// log remembers a sent or received line for PrintLog, as CPython does below
// debug level 4.
func (m *IMAP4) log(dir string, line []byte, at time.Time) {
	e := &m.cmdLog[m.cmdLogIdx]
	if cap(e.line) > logKeepCap && len(line) <= logKeepCap {
		e.line = nil
	}
	e.dir, e.line, e.at = dir, append(e.line[:0], line...), at
	m.cmdLogIdx = (m.cmdLogIdx + 1) % cmdLogLen
	if m.cmdLogUsed < cmdLogLen {
		m.cmdLogUsed++
	}
}

// traceSent shows a line sent at debug level 4 and up, and logs it
// otherwise.
func (m *IMAP4) traceSent(line []byte) {
	if m.Debug >= 4 {
		m.mesg("> " + bytesRepr(line))
	} else {
		m.log("> ", line, time.Now())
	}
}

// lineClock is implemented by transports that know when the bytes of the
// line Readline last returned arrived. The log takes that time rather than
// reading the clock once per line, which costs a tenth of the time a small
// response takes; the two differ by far less than the hundredth of a
// second the log shows.
type lineClock interface {
	lineTime() time.Time
}

// traceReceived shows a line received at debug level 4 and up, and logs
// it otherwise.
func (m *IMAP4) traceReceived(line []byte) {
	if m.Debug >= 4 {
		m.mesg("< " + bytesRepr(line))
		return
	}
	var at time.Time
	if c, ok := m.Transport.(lineClock); ok {
		at = c.lineTime()
	}
	if at.IsZero() {
		at = time.Now()
	}
	m.log("< ", line, at)
}

// PrintLog mirrors print_log(): the last ten interactions, oldest first,
// each with its own time. Lines are only logged below debug level 4, where
// they are not printed as they happen.
func (m *IMAP4) PrintLog() {
	m.mesg(fmt.Sprintf("last %d IMAP4 interactions:", m.cmdLogUsed))
	i := m.cmdLogIdx
	for n := 0; n < cmdLogLen; n++ {
		if e := m.cmdLog[i]; e.dir != "" {
			m.mesgAt(e.dir+bytesRepr(e.line), e.at)
		}
		i = (i + 1) % cmdLogLen
	}
}

// dumpUR mirrors _dump_ur: every untagged response, in the order the keys
// were added, as one message.
func (m *IMAP4) dumpUR() {
	keys := m.urKeys()
	if len(keys) == 0 {
		return
	}
	items := make([]string, len(keys))
	for i, k := range keys {
		items[i] = k + ": " + Repr(m.UntaggedResponses[k])
	}
	m.mesg("untagged responses dump:" + strings.Join(items, "\n\t\t"))
}

// matched is the debug level 5 line for a successful match, with Python's
// repr of the pattern and of the groups tuple.
func (m *IMAP4) matched(pattern string, groups [][]byte) {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = reprOrNone(g)
	}
	tuple := "(" + strings.Join(parts, ", ")
	if len(groups) == 1 {
		tuple += ","
	}
	m.mesg("\tmatched " + bytesRepr([]byte(pattern)) + " => " + tuple + ")")
}

// reprOrNone is Python's repr of a bytes value that may be None.
func reprOrNone(b []byte) string {
	if b == nil {
		return "None"
	}
	return bytesRepr(b)
}
