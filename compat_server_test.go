package imaplib

// The scripted loopback server of the differential suite, and the transcript
// format it plays. The same server plays one transcript to CPython's imaplib
// (through scripts/compat_driver.py) and to the port, and records every byte
// each client sent, so the two runs can be compared. docs/compat.md describes
// the format for people writing transcripts.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Step kinds of a transcript.
const (
	cpStepSend    = iota // S: a line (CRLF added) or B: raw bytes
	cpStepRecv           // C: wait for one client line
	cpStepLiteral        // L: read the literal the last client line announced
	cpStepPause          // pause: the server sleeps
)

// cpStep is one server action of a transcript.
type cpStep struct {
	kind   int
	data   []byte        // bytes to send, or the expected client bytes
	check  bool          // C:/L: carried an expectation
	repeat int           // B*N: sends data N times
	pause  time.Duration // pause:
	line   int           // line in the transcript, for messages
}

// cpVersionRange is the `# pythons:` header: which CPython versions a
// transcript applies to, as a list of comparisons that must all hold.
type cpVersionRange struct {
	text  string
	conds []cpVersionCond
}

type cpVersionCond struct {
	op  string
	ver [3]int
}

// cpScenario is one parsed transcript.
type cpScenario struct {
	name    string
	path    string
	profile string
	debug   int
	maxline int
	timeout time.Duration
	// deliberate, from a `# deliberate:` header, says why the port
	// differs from CPython on purpose here; the suite then checks that the
	// two do differ, so the difference stays documented and tested.
	deliberate string
	pythons    cpVersionRange
	steps      []cpStep
	calls      []string
}

var cpHeaderRe = regexp.MustCompile(`^#\s*([a-z]+):\s*(.*?)\s*$`)

// cpParseScenario reads the transcript format: `# key: value` headers,
// `S:`, `B:`, `B*N:`, `C:`, `L:`, `pause:` server steps and `call:` client
// calls. Other lines starting with # are comments; blank lines are ignored.
func cpParseScenario(name string, src []byte) (*cpScenario, error) {
	sc := &cpScenario{name: name, profile: "classic", timeout: 10 * time.Second}
	for i, raw := range strings.Split(string(src), "\n") {
		lineNo := i + 1
		line := strings.TrimSuffix(raw, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if m := cpHeaderRe.FindStringSubmatch(line); m != nil {
				if err := sc.header(m[1], m[2]); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", name, lineNo, err)
				}
			}
			continue
		}
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: no directive (S:, B:, C:, L:, call:, pause:) in %q", name, lineNo, line)
		}
		// Exactly one space separates the directive from its text, so that
		// a server line's own spaces, trailing ones included, are kept.
		rest = strings.TrimPrefix(rest, " ")
		st := cpStep{line: lineNo, repeat: 1}
		switch {
		case key == "S":
			st.kind = cpStepSend
			st.data = []byte(rest + "\r\n")
		case key == "B" || strings.HasPrefix(key, "B*"):
			st.kind = cpStepSend
			if key != "B" {
				n, err := strconv.Atoi(key[2:])
				if err != nil || n < 1 {
					return nil, fmt.Errorf("%s:%d: bad repeat count in %q", name, lineNo, key)
				}
				st.repeat = n
			}
			b, err := cpUnescape(rest)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, lineNo, err)
			}
			st.data = b
		case key == "C":
			st.kind = cpStepRecv
			st.check = rest != ""
			st.data = []byte(rest)
		case key == "L":
			st.kind = cpStepLiteral
			b, err := cpUnescape(rest)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, lineNo, err)
			}
			st.check = rest != ""
			st.data = b
		case key == "pause":
			d, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: bad pause %q", name, lineNo, rest)
			}
			st.kind = cpStepPause
			st.pause = time.Duration(d * float64(time.Second))
		case key == "call":
			if _, err := cpParseCall(rest); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, lineNo, err)
			}
			sc.calls = append(sc.calls, strings.TrimSpace(rest))
			continue
		default:
			return nil, fmt.Errorf("%s:%d: unknown directive %q", name, lineNo, key)
		}
		sc.steps = append(sc.steps, st)
	}
	return sc, nil
}

func (sc *cpScenario) header(key, value string) error {
	switch key {
	case "profile":
		if value != "classic" {
			return fmt.Errorf("profile %q: only classic can be compared with the local CPythons", value)
		}
		sc.profile = value
	case "debug":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return fmt.Errorf("bad debug level %q", value)
		}
		sc.debug = n
	case "maxline":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return fmt.Errorf("bad maxline %q", value)
		}
		sc.maxline = n
	case "timeout":
		d, err := strconv.ParseFloat(value, 64)
		if err != nil || d <= 0 {
			return fmt.Errorf("bad timeout %q", value)
		}
		sc.timeout = time.Duration(d * float64(time.Second))
	case "deliberate":
		sc.deliberate = value
		return nil
	case "pythons":
		r, err := cpParseVersionRange(value)
		if err != nil {
			return err
		}
		sc.pythons = r
	}
	return nil
}

func cpParseVersionRange(s string) (cpVersionRange, error) {
	r := cpVersionRange{text: s}
	for _, part := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		op := part[:len(part)-len(strings.TrimLeft(part, "<>=!"))]
		v, err := cpParseVersion(part[len(op):])
		if err != nil {
			return r, fmt.Errorf("pythons: %v", err)
		}
		switch op {
		case "", "==":
			op = "=="
		case ">=", "<=", ">", "<", "!=":
		default:
			return r, fmt.Errorf("pythons: bad operator in %q", part)
		}
		r.conds = append(r.conds, cpVersionCond{op, v})
	}
	return r, nil
}

// cpParseVersion reads "3.10" or "3.10.13"; missing parts are zero.
func cpParseVersion(s string) ([3]int, error) {
	var v [3]int
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("bad version %q", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, fmt.Errorf("bad version %q", s)
		}
		v[i] = n
	}
	return v, nil
}

// matches reports whether version (e.g. "3.10.13") is in the range. A
// condition written with two parts ("<3.10") compares two parts only.
func (r cpVersionRange) matches(version string) bool {
	v, err := cpParseVersion(version)
	if err != nil {
		return false
	}
	for _, c := range r.conds {
		cmp := 0
		for i := 0; i < 3 && cmp == 0; i++ {
			switch {
			case v[i] < c.ver[i]:
				cmp = -1
			case v[i] > c.ver[i]:
				cmp = 1
			}
		}
		ok := false
		switch c.op {
		case "==":
			ok = cmp == 0
		case "!=":
			ok = cmp != 0
		case ">=":
			ok = cmp >= 0
		case "<=":
			ok = cmp <= 0
		case ">":
			ok = cmp > 0
		case "<":
			ok = cmp < 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// cpUnescape decodes the escapes of B: and L: lines: \r \n \t \0 \\ \' \"
// and \xNN; every other character stands for its UTF-8 bytes.
func cpUnescape(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New("escape at end of line")
		}
		i++
		switch s[i] {
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case '0':
			out = append(out, 0)
		case '\\', '\'', '"':
			out = append(out, s[i])
		case 'x':
			if i+2 >= len(s) {
				return nil, errors.New(`short \x escape`)
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf(`bad \x escape %q`, s[i-1:i+3])
			}
			out = append(out, byte(n))
			i += 2
		default:
			return nil, fmt.Errorf(`unknown escape \%c`, s[i])
		}
	}
	return out, nil
}

// cpEscape is the inverse of cpUnescape, for writing transcripts.
func cpEscape(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\\':
			sb.WriteString(`\\`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// cpTagRe finds the placeholders of server lines: TAG (the tag of the last
// command received) and TAGP, optionally followed by digits (the client's
// tag prefix).
var cpTagRe = regexp.MustCompile(`\bTAG(P\d*)?\b`)

// cpCmdTagRe recognises a command line of imaplib: Int2AP gives four
// letters A to P, followed by the decimal tag number and a space.
var cpCmdTagRe = regexp.MustCompile(`^([A-P]{4})(\d+) `)

// cpLiteralRe finds a client literal announced at the end of a line.
var cpLiteralRe = regexp.MustCompile(`\{(\d+)\}\r?\n$`)

// cpRecorder keeps a copy of every byte read from the connection.
type cpRecorder struct {
	conn net.Conn
	mu   sync.Mutex
	buf  bytes.Buffer
}

func (r *cpRecorder) Read(p []byte) (int, error) {
	n, err := r.conn.Read(p)
	r.mu.Lock()
	r.buf.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

// cpConn is the server's side of one session: it substitutes tags, reads
// client lines and literals, and logs what happened as transcript steps.
type cpConn struct {
	conn     net.Conn
	br       *bufio.Reader
	prefix   string
	lastTag  string
	pending  int  // size of the literal the last client line announced, or -1
	contSent bool // a continuation was sent since that line
	eof      bool // the client closed (or the connection broke)
	log      []cpStep
	problems []string
}

// subst replaces TAG and TAGP placeholders.
func (k *cpConn) subst(b []byte) []byte {
	if !bytes.Contains(b, []byte("TAG")) {
		return b
	}
	return cpTagRe.ReplaceAllFunc(b, func(m []byte) []byte {
		if len(m) == 3 {
			return []byte(k.lastTag)
		}
		return append([]byte(k.prefix), m[4:]...)
	})
}

// send writes data; a write error means the client is gone, which the
// client side reports by itself, so it is not a problem of the script.
func (k *cpConn) send(data []byte) {
	if k.pending >= 0 && (bytes.HasPrefix(data, []byte("+")) || bytes.Contains(data, []byte("\n+"))) {
		k.contSent = true
	}
	k.log = append(k.log, cpStep{kind: cpStepSend, data: append([]byte(nil), data...), repeat: 1})
	if k.eof {
		return
	}
	k.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := k.conn.Write(data); err != nil {
		k.eof = true
	}
}

// readLiteral reads the literal the last client line announced, if the
// server has invited it with a continuation; ok is false otherwise.
func (k *cpConn) readLiteral(wait time.Duration) (lit []byte, ok bool, err error) {
	if k.pending < 0 || !k.contSent || k.eof {
		return nil, false, nil
	}
	n := k.pending
	k.pending = -1
	k.conn.SetReadDeadline(time.Now().Add(wait))
	lit = make([]byte, 0, min(n, 1<<20))
	for len(lit) < n {
		chunk := make([]byte, min(n-len(lit), 1<<16))
		m, rerr := io.ReadFull(k.br, chunk)
		lit = append(lit, chunk[:m]...)
		if rerr != nil {
			k.eof = true
			return lit, true, rerr
		}
	}
	k.log = append(k.log, cpStep{kind: cpStepLiteral, data: lit, check: true})
	return lit, true, nil
}

// readLine reads one client line, first reading an invited literal.
func (k *cpConn) readLine(wait time.Duration) ([]byte, error) {
	if _, _, err := k.readLiteral(wait); err != nil {
		return nil, err
	}
	if k.eof {
		return nil, io.EOF
	}
	k.conn.SetReadDeadline(time.Now().Add(wait))
	var line []byte
	for {
		chunk, err := k.br.ReadSlice('\n')
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull && len(line) < 16<<20 {
			continue
		}
		if err != nil {
			if !cpIsTimeout(err) {
				k.eof = true
			}
			return line, err
		}
		break
	}
	if m := cpCmdTagRe.FindSubmatch(line); m != nil {
		if k.prefix == "" {
			k.prefix = string(m[1])
		}
		if string(m[1]) == k.prefix {
			k.lastTag = string(m[1]) + string(m[2])
		}
	}
	k.pending, k.contSent = -1, false
	if m := cpLiteralRe.FindSubmatch(line); m != nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil {
			k.pending = n
		}
	}
	k.log = append(k.log, cpStep{kind: cpStepRecv, data: bytes.TrimSuffix(line, []byte("\r\n")), check: true})
	return line, nil
}

// normalise writes a client line with its tag as the transcript does.
func (k *cpConn) normalise(line []byte) string {
	s := strings.TrimSuffix(string(line), "\r\n")
	if k.prefix != "" && strings.HasPrefix(s, k.prefix) {
		if m := cpCmdTagRe.FindStringSubmatch(s); m != nil && m[1] == k.prefix {
			return "TAGP" + s[4:]
		}
	}
	return s
}

func cpIsTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// cpServerResult is what the server saw of one session.
type cpServerResult struct {
	received []byte
	prefix   string
	problems []string // the transcript did not fit what the client did
	log      []cpStep // what happened, for writing a transcript back
}

// cpServer serves one session on 127.0.0.1.
type cpServer struct {
	ln   net.Listener
	done chan struct{}
	res  cpServerResult
	mu   sync.Mutex
	conn net.Conn
}

// cpPlayer acts the server's part once the client is connected.
type cpPlayer func(k *cpConn)

// cpServe listens on a free loopback port and plays one session.
func cpServe(play cpPlayer) (*cpServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &cpServer{ln: ln, done: make(chan struct{})}
	go s.run(play)
	return s, nil
}

func (s *cpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *cpServer) run(play cpPlayer) {
	defer close(s.done)
	s.ln.(*net.TCPListener).SetDeadline(time.Now().Add(60 * time.Second))
	conn, err := s.ln.Accept()
	s.ln.Close()
	if err != nil {
		s.res.problems = append(s.res.problems, "no client connected: "+err.Error())
		return
	}
	s.mu.Lock()
	s.conn = conn
	s.mu.Unlock()
	rec := &cpRecorder{conn: conn}
	k := &cpConn{conn: conn, br: bufio.NewReaderSize(rec, 64<<10), pending: -1}
	play(k)
	// Half-close, then read whatever the client still sends until it
	// closes: closing outright with unread bytes would reset the
	// connection and make what the client sees depend on timing.
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	io.Copy(io.Discard, k.br)
	conn.Close()
	rec.mu.Lock()
	s.res.received = append([]byte(nil), rec.buf.Bytes()...)
	rec.mu.Unlock()
	s.res.prefix = k.prefix
	if s.res.prefix == "" {
		if m := cpCmdTagRe.FindSubmatch(s.res.received); m != nil {
			s.res.prefix = string(m[1])
		}
	}
	s.res.problems = append(s.res.problems, k.problems...)
	s.res.log = k.log
}

// wait returns the result once the client has gone; if it does not go
// within d, the connection is cut and that is reported.
func (s *cpServer) wait(d time.Duration) cpServerResult {
	select {
	case <-s.done:
	case <-time.After(d):
		s.ln.Close()
		s.mu.Lock()
		if s.conn != nil {
			s.conn.Close()
		}
		s.mu.Unlock()
		<-s.done
		s.res.problems = append(s.res.problems, fmt.Sprintf("the session did not end within %v", d))
	}
	return s.res
}

// cpScriptPlayer plays a transcript's steps in order. recvWait bounds the
// wait for each client line: a client that never sends one means the
// transcript does not fit the calls, which is reported.
func cpScriptPlayer(steps []cpStep, recvWait time.Duration) cpPlayer {
	return func(k *cpConn) {
		for _, st := range steps {
			switch st.kind {
			case cpStepSend:
				data := k.subst(st.data)
				if st.repeat > 1 {
					data = bytes.Repeat(data, st.repeat)
				}
				k.send(data)
			case cpStepPause:
				time.Sleep(st.pause)
			case cpStepLiteral:
				lit, ok, err := k.readLiteral(recvWait)
				switch {
				case err != nil && cpIsTimeout(err):
					k.problems = append(k.problems, fmt.Sprintf("line %d: timed out reading the literal", st.line))
					return
				case err != nil:
					return
				case !ok:
					k.problems = append(k.problems, fmt.Sprintf("line %d: L: without a literal announced and invited by a continuation", st.line))
				case st.check && !bytes.Equal(lit, st.data):
					k.problems = append(k.problems, fmt.Sprintf("line %d: literal %s, transcript says %s", st.line, cpBytesRepr(lit), cpBytesRepr(st.data)))
				}
			case cpStepRecv:
				line, err := k.readLine(recvWait)
				if err != nil {
					if cpIsTimeout(err) {
						k.problems = append(k.problems, fmt.Sprintf("line %d: waited %v for a client line that never came (got %s)", st.line, recvWait, cpBytesRepr(line)))
					}
					return
				}
				if st.check {
					got := k.normalise(line)
					want := string(st.data)
					if strings.HasPrefix(want, "TAG ") && strings.HasPrefix(got, "TAGP") {
						got = "TAG " + strings.SplitN(got, " ", 2)[1]
					}
					if got != want {
						k.problems = append(k.problems, fmt.Sprintf("line %d: client sent %q, transcript says %q", st.line, got, want))
					}
				}
			}
		}
	}
}

// cpWriteTranscript writes what a server logged as a transcript that
// replays the same session: header, server steps, and the calls.
func cpWriteTranscript(w io.Writer, comments []string, debug, maxline int, log []cpStep, calls []string, prefix string) {
	for _, c := range comments {
		fmt.Fprintf(w, "# %s\n", c)
	}
	fmt.Fprintln(w, "# profile: classic")
	fmt.Fprintf(w, "# debug: %d\n", debug)
	if maxline > 0 {
		fmt.Fprintf(w, "# maxline: %d\n", maxline)
	}
	for _, c := range calls {
		fmt.Fprintf(w, "call: %s\n", c)
	}
	lastTag := ""
	for _, st := range log {
		switch st.kind {
		case cpStepSend:
			data := st.data
			if prefix != "" {
				if lastTag != "" {
					data = bytes.ReplaceAll(data, []byte(lastTag+" "), []byte("TAG "))
				}
				data = cpMaskPrefixBytes(data, prefix, "TAGP")
			}
			if body, ok := bytes.CutSuffix(data, []byte("\r\n")); ok && cpPrintableLine(body) {
				fmt.Fprintf(w, "S: %s\n", body)
			} else {
				fmt.Fprintf(w, "B: %s\n", cpEscape(data))
			}
		case cpStepLiteral:
			fmt.Fprintf(w, "L: %s\n", cpEscape(st.data))
		case cpStepRecv:
			line := st.data
			if m := cpCmdTagRe.FindSubmatch(line); m != nil && string(m[1]) == prefix {
				lastTag = string(m[1]) + string(m[2])
				line = append([]byte("TAG"), line[len(lastTag):]...)
			}
			if cpPrintableLine(line) {
				fmt.Fprintf(w, "C: %s\n", line)
			} else {
				fmt.Fprintln(w, "C:")
			}
		}
	}
}

// cpPrintableLine tells whether b can stand in an S: or C: line as is:
// valid UTF-8 without control characters.
func cpPrintableLine(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// cpMaskPrefixBytes replaces the tag prefix where it stands as a tag, and followed by a digit, a quote or a backslash
// (the tag= debug line and the tag regex shown at debug level 5).
func cpMaskPrefixBytes(b []byte, prefix, mask string) []byte {
	if prefix == "" || !bytes.Contains(b, []byte(prefix)) {
		return b
	}
	var out []byte
	for i := 0; i < len(b); {
		if bytes.HasPrefix(b[i:], []byte(prefix)) {
			// Not after an upper-case letter or digit: the prefix would be
			// part of a longer word. Lower-case letters may precede it, as
			// in a repr's \n escape before a line that starts with a tag.
			before := i == 0 || !(b[i-1] >= 'A' && b[i-1] <= 'Z' || b[i-1] >= '0' && b[i-1] <= '9')
			j := i + len(prefix)
			after := j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '\'' || b[j] == '\\')
			if before && after {
				out = append(out, mask...)
				i = j
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}
