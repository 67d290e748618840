package imaplib

import (
	"errors"
	"iter"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// idleCapture is the queue of untagged responses gathered while IDLE runs
// (CPython's _idle_capture and _idle_responses).
type idleCapture struct {
	on        bool
	responses []idleResponse
}

// idleResponse is one queued response: its type and its data, flattened.
type idleResponse struct {
	typ     string
	data    [][]byte
	partial bool // the last datum was a literal: the response continues
}

// capture queues a datum while capturing and reports whether it did.
func (c *idleCapture) capture(m *IMAP4, typ string, dat, literal []byte, pair bool) bool {
	if !c.on {
		return false
	}
	n := len(c.responses)
	if n == 0 || !c.responses[n-1].partial {
		c.responses = append(c.responses, idleResponse{typ: typ})
		n++
	}
	r := &c.responses[n-1]
	r.data = append(r.data, dat)
	if pair {
		r.data = append(r.data, literal)
	}
	r.partial = pair
	if m.Debug >= 5 {
		shown := bytesRepr(dat)
		if pair {
			shown = "(" + shown + ", " + bytesRepr(literal) + ")"
		}
		m.mesg("idle: queue untagged " + typ + " " + shown)
	}
	return true
}

// Idler mirrors CPython 3.14's imaplib.Idler, the object IMAP4.idle()
// returns: Enter starts IDLE (RFC 2177), All or Burst yield the untagged
// responses the server pushes as (typ, data), and Exit sends DONE. While it
// runs, the connection's state is IDLING, so every other command fails with
// CPython's state error.
type Idler struct {
	imap       *IMAP4
	duration   time.Duration // zero: no time limit (Python's None)
	deadline   time.Time
	tag        []byte
	savedState string
	entered    bool
	err        error
}

// Idle mirrors idle(duration=None): it returns an Idler for an IDLE of at
// most duration (0 means no limit, Python's None; a negative duration has
// already run out, as in Python).
func (m *IMAP4) Idle(duration time.Duration) (*Idler, error) {
	if !m.hasCapability("IDLE") {
		return nil, newError("Server does not support IMAP4 IDLE")
	}
	if duration != 0 && m.Socket() == nil {
		return nil, newError("duration requires a socket connection")
	}
	return &Idler{imap: m, duration: duration}, nil
}

// pySeconds formats seconds as Python's str() of a float does.
func pySeconds(d time.Duration) string {
	f := d.Seconds()
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Python writes at least two exponent digits, as Go does.
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// durationText is how CPython prints the optional duration: None, or the
// number given.
func (i *Idler) durationText(d time.Duration, set bool) string {
	if !set {
		return "None"
	}
	return pySeconds(d)
}

// Enter mirrors Idler.__enter__: send IDLE and wait for the server's
// continuation, queueing untagged responses that arrive first so that the
// iteration delivers them. A NO is an error `idle denied: [...]`.
func (i *Idler) Enter() error {
	m := i.imap
	if m.idle.on {
		// Another Idler is running (CPython asserts here): refuse with the
		// state error and leave its capture alone.
		return m.checkState("IDLE")
	}
	if m.Debug >= 4 {
		// Python prints the duration as given; scripts give whole seconds
		// as an int (29*60), fractions as a float, and a Duration keeps no
		// such difference, so whole seconds print as an int.
		shown := i.durationText(i.duration, i.duration != 0)
		if i.duration != 0 && i.duration%time.Second == 0 {
			shown = strconv.FormatInt(int64(i.duration/time.Second), 10)
		}
		m.mesg("idle start duration=" + shown)
	}
	m.idle.on = true
	fail := func(err error) error {
		m.idle.on = false
		return err
	}
	tag, err := m.command("IDLE")
	if err != nil {
		return fail(err)
	}
	for {
		resp, err := m.getResponse()
		if err != nil {
			return fail(err)
		}
		if resp == nil {
			break
		}
		if done := m.TaggedCommands[string(tag)]; done != nil {
			delete(m.TaggedCommands, string(tag))
			if done.Typ == "NO" {
				return fail(newError("idle denied: " + Repr(done.Data)))
			}
			return fail(newAbort("unexpected status response: " + bytesRepr(resp)))
		}
	}
	if m.Debug >= 4 {
		m.mesg("idle continuation prompt: " + reprOrNone(m.ContinuationResponse))
	}
	if i.duration != 0 {
		i.deadline = time.Now().Add(i.duration)
	}
	i.tag = tag
	i.savedState = m.State
	m.State = "IDLING"
	i.entered = true
	return nil
}

// pop mirrors Idler._pop: the oldest queued response, or the next one read
// within timeout (negative: wait without limit). ok is false when nothing
// came in time, or when the iteration must end.
func (i *Idler) pop(timeout time.Duration, limited bool) (typ string, data [][]byte, ok bool) {
	m := i.imap
	if m.State != "IDLING" {
		i.err = newError("_pop() only works during IDLE")
		return "", nil, false
	}
	shown := i.durationText(timeout, limited)
	if len(m.idle.responses) > 0 {
		r := m.idle.responses[0]
		m.idle.responses = m.idle.responses[1:]
		if m.Debug >= 4 {
			m.mesg("idle _pop(" + shown + ") de-queued " + r.typ)
		}
		return r.typ, r.data, true
	}
	if m.Debug >= 4 {
		m.mesg("idle _pop(" + shown + ") reading")
	}
	if limited && timeout <= 0 {
		return "", nil, false
	}
	timedOut, err := i.readWithin(timeout, limited)
	if err != nil {
		i.err = err
		return "", nil, false
	}
	if timedOut {
		if m.Debug >= 4 {
			m.mesg("idle _pop(" + shown + ") done")
		}
		return "", nil, false
	}
	if len(m.idle.responses) == 0 {
		// A tagged or continuation line arrived: nothing to deliver.
		// CPython raises IndexError here; the port ends the iteration and
		// leaves a completion for Exit to find.
		return "", nil, false
	}
	r := m.idle.responses[0]
	m.idle.responses = m.idle.responses[1:]
	if m.Debug >= 4 {
		m.mesg("idle _pop(" + shown + ") read " + r.typ)
	}
	return r.typ, r.data, true
}

// readWithin reads one response, allowing at most timeout for its first
// line to arrive when limited. Bytes of a line cut short stay buffered.
func (i *Idler) readWithin(timeout time.Duration, limited bool) (timedOut bool, err error) {
	m := i.imap
	if limited {
		conn := m.Socket()
		if conn == nil {
			return false, newError("duration requires a socket connection")
		}
		// CPython saves the socket timeout and restores it after the line;
		// the port restores the read deadline a caller may have set.
		var saved time.Time
		if d, ok := m.Transport.(readDeadliner); ok {
			saved = d.readDeadline()
		}
		conn.SetReadDeadline(time.Now().Add(timeout))
		line, err := m.getLine()
		conn.SetReadDeadline(saved)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		_, err = m.handleResponse(line)
		return false, err
	}
	_, err = m.getResponse()
	return false, err
}

// next mirrors Idler.__next__: the time left before the deadline bounds
// the wait.
func (i *Idler) next() (string, [][]byte, bool) {
	var left time.Duration
	limited := i.duration != 0
	if limited {
		left = time.Until(i.deadline)
	}
	typ, data, ok := i.pop(left, limited)
	if !ok && i.imap.Debug >= 4 && i.err == nil {
		i.imap.mesg("idle iterator exhausted")
	}
	return typ, data, ok
}

// All mirrors iterating over the Idler: it yields each pushed response as
// (typ, data) until the duration is over (forever without one). An error
// ends the iteration; Err returns it.
func (i *Idler) All() iter.Seq2[string, [][]byte] {
	return func(yield func(string, [][]byte) bool) {
		for {
			typ, data, ok := i.next()
			if !ok || !yield(typ, data) {
				return
			}
		}
	}
}

// Burst mirrors Idler.burst(interval=0.1): it yields the next response
// (waiting as the duration allows), then every further response that
// follows within interval of the previous one. interval 0 means 0.1 s.
func (i *Idler) Burst(interval time.Duration) iter.Seq2[string, [][]byte] {
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	return func(yield func(string, [][]byte) bool) {
		if i.imap.Socket() == nil {
			i.err = newError("burst() requires a socket connection")
			return
		}
		typ, data, ok := i.next()
		if !ok || !yield(typ, data) {
			return
		}
		for {
			typ, data, ok := i.pop(interval, true)
			if !ok || !yield(typ, data) {
				return
			}
		}
	}
}

// Err returns the error that ended an iteration early, if any.
func (i *Idler) Err() error { return i.err }

// Exit mirrors Idler.__exit__: restore the state, move responses that were
// queued but not iterated into UntaggedResponses, send DONE and read the
// tagged reply (a NO is accepted, a BAD is an error).
func (i *Idler) Exit() error {
	m := i.imap
	if !i.entered {
		return nil
	}
	i.entered = false
	if m.Debug >= 4 {
		m.mesg("idle done")
	}
	m.State = i.savedState
	m.idle.on = false
	if n := len(m.idle.responses); n > 0 {
		if m.Debug >= 4 {
			m.mesg("idle quit with " + strconv.Itoa(n) + " leftover responses")
		}
		for _, r := range m.idle.responses {
			for _, it := range Items(r.data) {
				if it.Tuple {
					m.appendUntaggedPair(r.typ, it.Bytes, it.Literal)
				} else {
					m.appendUntagged(r.typ, it.Bytes)
				}
			}
		}
		m.idle.responses = nil
	}
	if err := m.Send([]byte("DONE" + CRLF)); err != nil {
		return err
	}
	status, data, err := m.commandComplete("IDLE", i.tag)
	if err != nil {
		return err
	}
	if m.Debug >= 4 && len(data) > 0 {
		m.mesg("idle status: " + status + " " + reprOrNone(data[0]))
	}
	return nil
}
