package imaplib

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
)

// This file is the command engine: building and sending a command line,
// reading responses, storing untagged data, and waiting for completion. It
// follows CPython's private methods of the same purpose one for one
// (_command, _get_response, _get_line, _command_complete, ...), so that the
// bytes on the wire, the stored data and the errors are CPython's.

// checkState is the first step of _command: the command must be legal in
// the current state.
func (m *IMAP4) checkState(name string) error {
	states, _ := Commands.States(name)
	for _, s := range states {
		if s == m.State {
			return nil
		}
	}
	return newError("command " + name + " illegal in state " + m.State +
		", only allowed in states " + strings.Join(states, ", "))
}

// clearLiteral forgets a pending literal. CPython forgets it only on the
// state error; forgetting it on every early exit keeps a failed APPEND from
// leaking its message into the next command.
func (m *IMAP4) clearLiteral() {
	m.Literal, m.literator, m.literalTail = nil, nil, nil
}

// SimpleCommand mirrors _simple_command: it sends name with args (an empty
// arg is skipped, as Python skips None) and waits for the completion.
// Arguments go out exactly as given: no quoting in either profile.
func (m *IMAP4) SimpleCommand(name string, args ...string) (string, [][]byte, error) {
	return m.simple(name, nonEmpty(args)...)
}

// simple runs a command whose arguments are already shaped and quoted.
func (m *IMAP4) simple(name string, args ...string) (string, [][]byte, error) {
	tag, err := m.command(name, args...)
	if err != nil {
		return "", nil, err
	}
	return m.commandComplete(name, tag)
}

// nonEmpty drops the empty arguments, Go's stand-in for Python's None in
// optional and variadic positions.
func nonEmpty(args []string) []string {
	out := args[:0:0]
	for _, a := range args {
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// command mirrors _command: state check, clearing OK/NO/BAD, the READ-ONLY
// check, then the tagged line, and for a pending literal the continuation
// loop. It returns the tag.
func (m *IMAP4) command(name string, args ...string) ([]byte, error) {
	if err := m.checkState(name); err != nil {
		m.clearLiteral()
		return nil, err
	}
	for _, typ := range [...]string{"OK", "NO", "BAD"} {
		m.popUntagged(typ)
	}
	if _, ok := m.UntaggedResponses["READ-ONLY"]; ok && !m.IsReadonly {
		m.clearLiteral()
		return nil, newReadonly("mailbox status changed to READ-ONLY")
	}
	if m.Compat.RejectControlChars {
		for _, a := range args {
			if strings.ContainsAny(a, "\x00\r\n") {
				m.clearLiteral()
				return nil, ErrControlCharacters
			}
		}
	}
	tag := m.NewTag()
	line := make([]byte, 0, len(tag)+len(name)+64)
	line = append(line, tag...)
	line = append(line, ' ')
	line = append(line, name...)
	for _, a := range args {
		line = append(line, ' ')
		line = append(line, a...)
	}
	literal, literator, tail := m.Literal, m.literator, m.literalTail
	hasLiteral := literal != nil || literator != nil
	m.clearLiteral()
	if hasLiteral && literator == nil {
		if tail != nil {
			// RFC 6855: the literal is announced inside UTF8 (...).
			line = append(line, " UTF8 (~{"...)
			line = strconv.AppendInt(line, int64(len(literal)), 10)
			line = append(line, '}')
		} else {
			line = append(line, " {"...)
			line = strconv.AppendInt(line, int64(len(literal)), 10)
			line = append(line, '}')
		}
	}
	m.traceSent(line)
	if err := m.Send(append(line, CRLF...)); err != nil {
		return nil, socketError(err)
	}
	if !hasLiteral {
		return tag, nil
	}
	for {
		for {
			resp, err := m.getResponse()
			if err != nil {
				return nil, err
			}
			if resp == nil {
				break // a continuation: send the literal
			}
			if m.TaggedCommands[string(tag)] != nil {
				return tag, nil // the server answered without asking
			}
		}
		if literator != nil {
			out, err := literator(m.ContinuationResponse)
			if err != nil {
				return nil, err
			}
			literal = out
		}
		if m.Debug >= 4 {
			m.mesg("write literal size " + strconv.Itoa(len(literal)+len(tail)))
		}
		if err := m.sendLiteral(literal, tail); err != nil {
			return nil, socketError(err)
		}
		if literator == nil {
			return tag, nil
		}
	}
}

// crlf is CRLF as bytes; never written to.
var crlf = []byte(CRLF)

// sendLiteral sends a literal, then tail (the ")" that closes RFC 6855's
// UTF8 (...), or nil), then the CRLF that ends the command line. A
// transport of the caller's own sees CPython's calls, send(literal) and
// send(CRLF). The built-in socket transport sends the pieces with one
// writev: the message, which may be the caller's own slice, is neither
// copied nor followed by a packet of two bytes.
func (m *IMAP4) sendLiteral(literal, tail []byte) error {
	if s, ok := m.Transport.(*SocketTransport); ok {
		return s.sendBuffers(literal, tail, crlf)
	}
	if tail != nil {
		literal = append(literal[:len(literal):len(literal)], tail...)
	}
	if err := m.Send(literal); err != nil {
		return err
	}
	return m.Send([]byte(CRLF))
}

// socketError is CPython's abort for a failed send.
func socketError(err error) error {
	return newAbort("socket error: " + err.Error())
}

// NewTag mirrors _new_tag: it returns the next tag and registers it as
// pending in TaggedCommands.
func (m *IMAP4) NewTag() []byte {
	tag := strconv.AppendInt(append([]byte(nil), m.Tagpre...), int64(m.Tagnum), 10)
	m.Tagnum++
	m.TaggedCommands[string(tag)] = nil
	return tag
}

// commandComplete mirrors _command_complete: wait for the tagged reply,
// turning BYE into an abort and BAD into an error.
func (m *IMAP4) commandComplete(name string, tag []byte) (string, [][]byte, error) {
	logout := name == "LOGOUT"
	if !logout {
		if err := m.checkBye(); err != nil {
			return "", nil, err
		}
	}
	typ, data, err := m.getTaggedResponse(tag, logout)
	if err != nil {
		if e, ok := err.(*Error); ok {
			if e.class >= classAbort {
				return "", nil, newAbort("command: " + name + " => " + e.msg)
			}
			return "", nil, newError("command: " + name + " => " + e.msg)
		}
		return "", nil, err
	}
	if !logout {
		if err := m.checkBye(); err != nil {
			return "", nil, err
		}
	}
	if typ == "BAD" {
		return "", nil, newError(name + " command error: " + typ + " " + Repr(data))
	}
	return typ, data, nil
}

// getTaggedResponse mirrors _get_tagged_response.
func (m *IMAP4) getTaggedResponse(tag []byte, expectBye bool) (string, [][]byte, error) {
	for {
		if result := m.TaggedCommands[string(tag)]; result != nil {
			delete(m.TaggedCommands, string(tag))
			return result.Typ, result.Data, nil
		}
		if expectBye {
			if bye, ok := m.popUntagged("BYE"); ok {
				return "BYE", bye, nil
			}
		}
		if err := m.checkBye(); err != nil {
			return "", nil, err
		}
		// CPython repeats the checks above after every response. Only a
		// tagged response, a continuation or a stored BYE can change what
		// they find, so plain untagged responses are read on without them.
		for {
			m.byeStored = false
			if err := m.readResponse(); err != nil {
				m.flushHot()
				if e, ok := err.(*Error); ok && e.class >= classAbort && m.Debug >= 1 {
					m.PrintLog()
				}
				return "", nil, err
			}
			if m.respKind != respUntagged || m.byeStored {
				break
			}
		}
		m.flushHot()
	}
}

// readResponse is getResponse for a caller that has no use for the line:
// its bytes may then hold the datum stored.
func (m *IMAP4) readResponse() error {
	resp, err := m.getLine()
	if err != nil {
		return err
	}
	m.deferStore = true
	_, err = m.handleLine(resp, true)
	m.deferStore = false
	return err
}

// respKind tells what handleLine read last.
type respKind uint8

const (
	respUntagged respKind = iota
	respTagged
	respContinuation
)

// checkBye mirrors _check_bye: a stored BYE fails every command from then
// on, with the server's text.
func (m *IMAP4) checkBye() error {
	bye := m.UntaggedResponses["BYE"]
	if len(bye) == 0 {
		return nil
	}
	return newAbort(m.decodeReplace(bye[len(bye)-1]))
}

// decodeReplace is bytes.decode(encoding, 'replace') for the connection's
// encoding: ASCII before ENABLE UTF8=ACCEPT, UTF-8 after.
func (m *IMAP4) decodeReplace(b []byte) string {
	if m.UTF8Enabled {
		return utf8Replace(b)
	}
	return asciiReplace(b)
}

// getLine mirrors _get_line: one CRLF-terminated line, without its CRLF.
func (m *IMAP4) getLine() ([]byte, error) {
	line, err := m.Readline()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, newAbort("socket error: EOF")
	}
	if !bytes.HasSuffix(line, []byte(CRLF)) {
		return nil, newAbort("socket error: unterminated line: " + bytesRepr(line))
	}
	line = line[:len(line)-2]
	m.traceReceived(line)
	return line, nil
}

// match mirrors _match: given what one of the hand-written matchers of
// matchers.go (each equal to FindSubmatch of a module regex) returned, it
// adds the debug level 5 trace naming pattern.
func (m *IMAP4) match(pattern string, mo [][]byte) [][]byte {
	if mo != nil && m.Debug >= 5 {
		m.matched(pattern, mo[1:])
	}
	return mo
}

// getResponse mirrors _get_response: read one response (with its literals)
// and store it. It returns the line, or nil for a continuation request.
func (m *IMAP4) getResponse() ([]byte, error) {
	resp, err := m.getLine()
	if err != nil {
		return nil, err
	}
	return m.handleResponse(resp)
}

// handleResponse is getResponse once the first line has been read.
func (m *IMAP4) handleResponse(resp []byte) ([]byte, error) {
	return m.handleLine(resp, false)
}

// handleLine is handleResponse. With reuse, the caller has no use for the
// line afterwards and its bytes may hold the datum stored:
// "* 12 FETCH (...)" becomes "12 (...)" in place, without an allocation.
func (m *IMAP4) handleLine(resp []byte, reuse bool) ([]byte, error) {
	var typ string
	var dat []byte
	var g submatches // room for the groups, on the stack
	if mo := m.match(m.tagrePat, matchTagged(g[:0], m.tagreLit, resp)); mo != nil {
		if _, ok := m.TaggedCommands[string(mo[1])]; !ok {
			return nil, newAbort("unexpected tagged response: " + bytesRepr(resp))
		}
		typ, dat = responseType(mo[2]), mo[3]
		m.TaggedCommands[string(mo[1])] = &TaggedResponse{Typ: typ, Data: [][]byte{dat}}
		m.respKind = respTagged
	} else {
		m.respKind = respUntagged
		var dat2 []byte
		end := 0 // where the match, and so dat2, ends in resp
		mo := m.match(untaggedResponsePattern, matchUntaggedResponse(g[:0], resp))
		if mo != nil {
			typ, dat = responseType(mo[1]), mo[3]
		} else if mo = m.match(untaggedStatusPattern, matchUntaggedStatus(g[:0], resp)); mo != nil {
			typ, dat, dat2, end = responseType(mo[2]), mo[1], mo[4], len(mo[0])
		} else if mo = m.match(continuationPattern, matchContinuation(g[:0], resp)); mo != nil {
			m.ContinuationResponse = mo[2]
			m.respKind = respContinuation
			return nil, nil
		} else {
			return nil, newAbort("unexpected response: " + bytesRepr(resp))
		}
		if dat == nil {
			dat = []byte{}
		}
		if len(dat2) > 0 {
			// Python's dat + b' ' + dat2.
			if reuse {
				// dat moves right, over the end of the type word (typ is
				// a string of its own by now), to sit just before the
				// space that precedes dat2.
				at := end - len(dat2)
				copy(resp[at-1-len(dat):], dat)
				dat = resp[at-1-len(dat) : end : end]
			} else {
				joined := make([]byte, 0, len(dat)+1+len(dat2))
				dat = append(append(append(joined, dat...), ' '), dat2...)
			}
		}
		if err := m.readLiterals(typ, &dat); err != nil {
			return nil, err
		}
		m.appendUntagged(typ, dat)
	}
	if typ == "OK" || typ == "NO" || typ == "BAD" {
		if mo := m.match(responseCodePattern, matchResponseCode(g[:0], dat)); mo != nil {
			typ = responseType(mo[1])
			code := mo[3]
			if code == nil {
				code = []byte{}
			}
			m.appendUntagged(typ, code)
		}
	}
	if m.Debug >= 1 && (typ == "NO" || typ == "BAD" || typ == "BYE") {
		m.mesg(typ + " response: " + bytesRepr(dat))
	}
	return resp, nil
}

// readLiterals is the literal loop of _get_response: while the text ends
// with {N}, read N bytes, store (text, literal), and read the line that
// follows, which becomes the text.
func (m *IMAP4) readLiterals(typ string, dat *[]byte) error {
	for {
		var g submatches
		mo := m.match(literalPattern, matchLiteral(g[:0], *dat))
		if mo == nil {
			return nil
		}
		size, err := strconv.ParseInt(string(mo[1]), 10, 64)
		if err != nil || size > math.MaxInt {
			// No buffer can hold it (on 32-bit platforms, 4 GB already
			// overflows int). CPython 3.13 raises OverflowError here; the
			// port aborts at once rather than wait for what cannot come.
			return newAbort("literal of " + string(mo[1]) + " bytes is too large")
		}
		if m.MaxLiteral > 0 && size > m.MaxLiteral {
			return newAbort("literal of " + string(mo[1]) + " bytes exceeds the limit of " +
				strconv.FormatInt(m.MaxLiteral, 10) + " bytes")
		}
		if m.Debug >= 4 {
			m.mesg("read literal size " + string(mo[1]))
		}
		data, err := m.Read(int(size))
		if err != nil {
			return err
		}
		m.appendUntaggedPair(typ, *dat, data)
		next, err := m.getLine()
		if err != nil {
			return err
		}
		if len(next) == 0 && m.Compat.SkipBlankAfterLiteral && parensOpen(m.storedSoFar(typ)) {
			if next, err = m.getLine(); err != nil {
				return err
			}
		}
		*dat = next
	}
}

// storedSoFar is where the response being read has its parts so far: the
// IDLE queue while IDLE captures responses, UntaggedResponses otherwise.
func (m *IMAP4) storedSoFar(typ string) [][]byte {
	m.flushHot()
	if q := m.idle.responses; m.idle.on && len(q) > 0 {
		return q[len(q)-1].data
	}
	return m.UntaggedResponses[typ]
}

// parensOpen reports whether the response stored so far for a type, read
// as IMAP text, leaves a parenthesis open: the last response's header parts
// are scanned outside quoted strings, literal bodies are skipped.
func parensOpen(stored [][]byte) bool {
	items := Items(stored)
	// Walk back to the start of the current response: the trailing run of
	// tuples.
	start := len(items)
	for start > 0 && items[start-1].Tuple {
		start--
	}
	depth := 0
	for _, it := range items[start:] {
		inQuote, esc := false, false
		for _, c := range it.Bytes {
			switch {
			case esc:
				esc = false
			case inQuote && c == '\\':
				esc = true
			case c == '"':
				inQuote = !inQuote
			case !inQuote && c == '(':
				depth++
			case !inQuote && c == ')':
				depth--
			}
		}
	}
	return depth > 0
}

// appendUntagged mirrors _append_untagged for a plain datum.
func (m *IMAP4) appendUntagged(typ string, dat []byte) {
	if m.idle.capture(m, typ, dat, nil, false) {
		return
	}
	if m.Debug >= 5 {
		m.flushHot()
		m.mesg("untagged_responses[" + typ + "] " + strconv.Itoa(len(Items(m.UntaggedResponses[typ]))) +
			" += [\"" + bytesRepr(dat) + "\"]")
	}
	m.addUntagged(typ, dat)
}

// appendUntaggedPair mirrors _append_untagged for a (text, literal) tuple,
// stored flattened as two elements.
func (m *IMAP4) appendUntaggedPair(typ string, head, literal []byte) {
	if m.idle.capture(m, typ, head, literal, true) {
		return
	}
	if m.Debug >= 5 {
		m.flushHot()
		m.mesg("untagged_responses[" + typ + "] " + strconv.Itoa(len(Items(m.UntaggedResponses[typ]))) +
			" += [\"(" + bytesRepr(head) + ", " + bytesRepr(literal) + ")\"]")
	}
	m.addUntagged(typ, head, literal)
}

// addUntagged appends to UntaggedResponses[typ], remembering the key's
// insertion order as a Python dict would.
//
// Inside readResponse (deferStore), the list being appended to stays in
// m.hot and reaches the map only when a response of another type comes or
// flushHot runs: a FETCH of 100,000 messages then costs two map operations
// instead of 200,000. getTaggedResponse flushes when its read loop ends,
// so no code outside that loop sees the map behind.
func (m *IMAP4) addUntagged(typ string, vals ...[]byte) {
	if typ == m.hotTyp && len(vals) == 1 && m.addRef(vals[0]) {
		return
	}
	var cur [][]byte
	if typ == m.hotTyp {
		cur = m.hotList()
	} else {
		m.flushHot()
		var ok bool
		cur, ok = m.UntaggedResponses[typ]
		if !ok {
			m.noteKey(typ)
		}
	}
	if typ == "BYE" {
		m.byeStored = true
	}
	if len(cur)+len(vals) > cap(cur) {
		// Grow fourfold where append grows a long slice by a quarter: a
		// FETCH of 100,000 messages would otherwise allocate five times
		// its final list on the way, and every pointer copied while the
		// collector runs costs a write barrier. The spare room is at most
		// three slice headers per stored datum.
		grown := make([][]byte, len(cur), 4*len(cur)+len(vals)+6)
		copy(grown, cur)
		cur = grown
	}
	cur = append(cur, vals...)
	if m.deferStore {
		m.hotTyp, m.hot = typ, cur
		return
	}
	m.hotTyp, m.hot = "", nil
	m.UntaggedResponses[typ] = cur
}

// flushHot stores the list addUntagged keeps aside, if any.
func (m *IMAP4) flushHot() {
	if m.hotTyp != "" {
		m.UntaggedResponses[m.hotTyp] = m.hotList()
		m.hotTyp, m.hot = "", nil
	}
}

// hotRef is a datum addRef kept as its place in a line slab: the slice
// slab[off : off+n : off+c].
type hotRef struct{ off, n, c uint16 }

// A slab and the lines copied into it must fit the fields of hotRef.
const _ = uint16(lineSlab - 1)

// lineSlabber is implemented by transports that copy short lines into
// slabs (see lineReader.takeLine). A transport of the caller's own that
// embeds SocketTransport implements it too, even with a Readline of its
// own; addRef then finds its data in no slab, or in the very place it is.
type lineSlabber interface {
	lastLine() ([]byte, int)
}

// hotSeg says that hotRefs up to end lie in slab.
type hotSeg struct {
	slab []byte
	end  int
}

// addRef keeps dat, a datum of the type being accumulated, as its place in
// the slab the socket transport copied its line into, when it lies there.
// The places hold no pointers: while a FETCH of 100,000 messages is read,
// the collector, which a fresh process runs about then, has no list of
// 100,000 slices to scan and no write barrier to run for each, and the
// list is not copied as it grows. hotList turns the places back into the
// very same slices (same bytes, length and capacity), once.
func (m *IMAP4) addRef(dat []byte) bool {
	if !m.deferStore || len(dat) == 0 {
		return false
	}
	s, ok := m.Transport.(lineSlabber)
	if !ok {
		return false
	}
	slab, end := s.lastLine()
	if slab == nil {
		return false
	}
	c := cap(dat)
	// A datum is a subslice of its line, capped at the line's end or, as
	// handleLine caps an "N TYPE data" datum, at the end before the CRLF.
	off := end - c
	if off < 0 || &slab[off] != &dat[0] {
		if off -= 2; off < 0 || &slab[off] != &dat[0] {
			return false
		}
	}
	if n := len(m.hotSegs); n == 0 || &m.hotSegs[n-1].slab[0] != &slab[0] {
		m.hotSegs = append(m.hotSegs, hotSeg{slab: slab})
	}
	if len(m.hotRefs) == cap(m.hotRefs) {
		// Fourfold, as addUntagged grows lists, and with make rather than
		// append, which would clear the new room at once: room never
		// written to is then memory a fresh process never touches.
		grown := make([]hotRef, len(m.hotRefs), 4*len(m.hotRefs)+256)
		copy(grown, m.hotRefs)
		m.hotRefs = grown
	}
	m.hotRefs = append(m.hotRefs, hotRef{uint16(off), uint16(len(dat)), uint16(c)})
	m.hotSegs[len(m.hotSegs)-1].end = len(m.hotRefs)
	return true
}

// hotList returns the list being accumulated with every datum addRef kept
// in it, and forgets the places.
func (m *IMAP4) hotList() [][]byte {
	if len(m.hotRefs) == 0 {
		return m.hot
	}
	cur := m.hot
	if need := len(cur) + len(m.hotRefs); need > cap(cur) {
		// At least double the part already stored, so that data of
		// types that alternate are not copied again and again.
		grown := make([][]byte, len(cur), need+len(cur))
		copy(grown, cur)
		cur = grown
	}
	i := 0
	for _, seg := range m.hotSegs {
		for _, r := range m.hotRefs[i:seg.end] {
			cur = append(cur, seg.slab[r.off:r.off+r.n:r.off+r.c])
		}
		i = seg.end
	}
	clear(m.hotSegs)
	m.hotSegs = m.hotSegs[:0]
	if cap(m.hotRefs) > 4096 {
		m.hotRefs = nil // not kept for good after a large response
	} else {
		m.hotRefs = m.hotRefs[:0]
	}
	m.hot = cur
	return cur
}

func (m *IMAP4) noteKey(typ string) {
	for i, k := range m.urOrder {
		if k == typ {
			m.urOrder = append(m.urOrder[:i], m.urOrder[i+1:]...)
			break
		}
	}
	m.urOrder = append(m.urOrder, typ)
}

// urKeys lists the keys of UntaggedResponses in Python's dict order. Keys a
// caller added to the map directly come last, sorted.
func (m *IMAP4) urKeys() []string {
	keys := make([]string, 0, len(m.UntaggedResponses))
	seen := map[string]bool{}
	for _, k := range m.urOrder {
		if _, ok := m.UntaggedResponses[k]; ok && !seen[k] {
			keys = append(keys, k)
			seen[k] = true
		}
	}
	var extra []string
	for k := range m.UntaggedResponses {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(keys, extra...)
}

// popUntagged removes and returns UntaggedResponses[typ].
func (m *IMAP4) popUntagged(typ string) ([][]byte, bool) {
	v, ok := m.UntaggedResponses[typ]
	if ok {
		delete(m.UntaggedResponses, typ)
	}
	return v, ok
}

// untaggedResponse mirrors _untagged_response: a NO keeps the tagged text;
// otherwise the stored data for name is popped, or [None] if absent.
func (m *IMAP4) untaggedResponse(typ string, dat [][]byte, name string) (string, [][]byte, error) {
	if typ == "NO" {
		return typ, dat, nil
	}
	data, ok := m.popUntagged(name)
	if !ok {
		return typ, [][]byte{nil}, nil
	}
	if m.Debug >= 5 {
		m.mesg("untagged_responses[" + name + "] => " + Repr(data))
	}
	return typ, data, nil
}

// complete runs a command and returns the untagged data stored under key,
// the shape of most CPython commands.
func (m *IMAP4) complete(key, name string, args ...string) (string, [][]byte, error) {
	typ, dat, err := m.simple(name, args...)
	if err != nil {
		return "", nil, err
	}
	return m.untaggedResponse(typ, dat, key)
}

// responseType returns a response or response-code word as a string. The
// words servers send all the time come from constants, so that storing a
// response under its type allocates nothing; other words are converted.
func responseType(b []byte) string {
	switch string(b) {
	case "OK":
		return "OK"
	case "NO":
		return "NO"
	case "BAD":
		return "BAD"
	case "BYE":
		return "BYE"
	case "PREAUTH":
		return "PREAUTH"
	case "FETCH":
		return "FETCH"
	case "EXISTS":
		return "EXISTS"
	case "RECENT":
		return "RECENT"
	case "EXPUNGE":
		return "EXPUNGE"
	case "SEARCH":
		return "SEARCH"
	case "SORT":
		return "SORT"
	case "THREAD":
		return "THREAD"
	case "LIST":
		return "LIST"
	case "LSUB":
		return "LSUB"
	case "STATUS":
		return "STATUS"
	case "FLAGS":
		return "FLAGS"
	case "CAPABILITY":
		return "CAPABILITY"
	case "ENABLED":
		return "ENABLED"
	case "NAMESPACE":
		return "NAMESPACE"
	case "UIDVALIDITY":
		return "UIDVALIDITY"
	case "UIDNEXT":
		return "UIDNEXT"
	case "UNSEEN":
		return "UNSEEN"
	case "PERMANENTFLAGS":
		return "PERMANENTFLAGS"
	case "READ-WRITE":
		return "READ-WRITE"
	case "READ-ONLY":
		return "READ-ONLY"
	case "HIGHESTMODSEQ":
		return "HIGHESTMODSEQ"
	case "APPENDUID":
		return "APPENDUID"
	case "COPYUID":
		return "COPYUID"
	}
	return string(b)
}
