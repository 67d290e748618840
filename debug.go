package imaplib

import (
	"fmt"
	"strings"
	"time"
)

// cmdLogLen is the size of the interaction log print_log shows.
const cmdLogLen = 10

// logEntry is one remembered interaction: the line as its repr, and when.
type logEntry struct {
	line string
	at   time.Time
}

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
func (m *IMAP4) log(line string) {
	m.cmdLog[m.cmdLogIdx] = logEntry{line, time.Now()}
	m.cmdLogIdx = (m.cmdLogIdx + 1) % cmdLogLen
	if m.cmdLogUsed < cmdLogLen {
		m.cmdLogUsed++
	}
}

// trace shows a wire line at debug level 4 and up, and logs it otherwise.
func (m *IMAP4) trace(line string) {
	if m.Debug >= 4 {
		m.mesg(line)
	} else {
		m.log(line)
	}
}

// PrintLog mirrors print_log(): the last ten interactions, oldest first,
// each with its own time. Lines are only logged below debug level 4, where
// they are not printed as they happen.
func (m *IMAP4) PrintLog() {
	m.mesg(fmt.Sprintf("last %d IMAP4 interactions:", m.cmdLogUsed))
	i := m.cmdLogIdx
	for n := 0; n < cmdLogLen; n++ {
		if e := m.cmdLog[i]; !e.at.IsZero() {
			m.mesgAt(e.line, e.at)
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
