package imaplib_test

// A scripted IMAP4rev1 server for the examples and the IDLE tests. It
// keeps a few mailboxes in memory and answers enough of RFC 3501 for the
// examples to read like real sessions (LOGIN, AUTHENTICATE, STARTTLS,
// SELECT, SEARCH, FETCH, STORE, EXPUNGE, APPEND, IDLE, UID, GETQUOTAROOT,
// ...), and a test can replace the handler of any command with a script of
// its own.
//
// The same server also runs over standard input and output: when the test
// binary starts with exStdioEnv set, it serves one session on its stdio and
// exits, so that IMAP4_stream has a child process to talk to.

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// exCaps is what the server announces before STARTTLS and, without TLS
// configured, all along.
const exCaps = "IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=X-PASSCODE IDLE UIDPLUS QUOTA ID"

// exCapsTLS is what the server announces once TLS is on.
const exCapsTLS = "IMAP4rev1 AUTH=PLAIN AUTH=X-PASSCODE IDLE UIDPLUS QUOTA ID"

// exStdioEnv names the environment variable that makes the test binary
// serve one session on its standard input and output.
const exStdioEnv = "IMAPLIB_EXAMPLE_STDIO_SERVER"

// exUser and exPassword are the one account the server knows.
const (
	exUser     = "user"
	exPassword = "secret"
	exPasscode = "246810"
)

// exHandler answers one command. args are the command's arguments as
// written, quoted strings and parenthesised lists whole, a literal as its
// content.
type exHandler func(c *exConn, tag string, args []string)

// exConfig is what a server instance does; exOption functions change it.
type exConfig struct {
	greeting string
	caps     string
	capsTLS  string
	tls      *tls.Config // offered by STARTTLS when set
	implicit bool        // TLS from the first byte (IMAP4_SSL)
	handlers map[string]exHandler
	idlePush []string // sent during IDLE, after the continuation
	byeOn    string   // a command answered with BYE and a hang-up
	preauth  bool
}

// exOption configures a server.
type exOption func(*exConfig)

// exWithCaps replaces the capabilities the server announces.
func exWithCaps(caps string) exOption {
	return func(c *exConfig) { c.caps, c.capsTLS = caps, caps }
}

// exWithHandler replaces (or adds) the handler of one command.
func exWithHandler(name string, h exHandler) exOption {
	return func(c *exConfig) { c.handlers[strings.ToUpper(name)] = h }
}

// exWithIdlePush makes IDLE push these untagged lines after its
// continuation request, all in one write.
func exWithIdlePush(lines ...string) exOption {
	return func(c *exConfig) { c.idlePush = lines }
}

// exWithByeOn makes the server answer the named command with an untagged
// BYE and hang up, as a server shutting down does.
func exWithByeOn(name string) exOption {
	return func(c *exConfig) { c.byeOn = strings.ToUpper(name) }
}

// exWithSTARTTLS makes the server offer STARTTLS with a certificate for
// 127.0.0.1 and localhost, signed by the test CA (exTestCA).
func exWithSTARTTLS() exOption {
	return func(c *exConfig) { c.tls = exServerTLS() }
}

// exWithImplicitTLS makes the server speak TLS from the first byte, as an
// IMAP4_SSL server on port 993 does.
func exWithImplicitTLS() exOption {
	return func(c *exConfig) { c.tls, c.implicit, c.caps = exServerTLS(), true, exCapsTLS }
}

// exWithPreauth makes the greeting PREAUTH: the session starts
// authenticated, as a server started through a pipe usually does.
func exWithPreauth() exOption {
	return func(c *exConfig) { c.preauth = true }
}

// exServer is one running server: a listener, its sessions and the store
// they share.
type exServer struct {
	cfg   exConfig
	store *exStore
	ln    net.Listener
	host  string
	port  int
	done  chan struct{} // closed by close: blocked scripts give up

	mu       sync.Mutex
	conns    map[io.Closer]struct{}
	received []string // every line a client sent, in order
	wg       sync.WaitGroup
	once     sync.Once
}

// exStart starts a server on 127.0.0.1 and returns its address and the
// function that stops it. The examples call it; a failure to listen panics,
// since an example has no *testing.T to report to.
func exStart(opts ...exOption) (host string, port int, stop func()) {
	s, err := exNewServer(opts...)
	if err != nil {
		panic(err)
	}
	return s.host, s.port, s.close
}

// exNewServer starts a server on a free port of 127.0.0.1.
func exNewServer(opts ...exOption) (*exServer, error) {
	s := exPrepare(opts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln = ln
	addr := ln.Addr().(*net.TCPAddr)
	s.host, s.port = addr.IP.String(), addr.Port
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// exPrepare builds a server's configuration and store without listening.
func exPrepare(opts ...exOption) *exServer {
	cfg := exConfig{
		greeting: "IMAP4rev1 example server ready",
		caps:     exCaps,
		capsTLS:  exCapsTLS,
		handlers: map[string]exHandler{},
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &exServer{
		cfg:   cfg,
		store: exNewStore(),
		done:  make(chan struct{}),
		conns: map[io.Closer]struct{}{},
	}
	return s
}

func (s *exServer) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		var rw net.Conn = nc
		if s.cfg.implicit {
			rw = tls.Server(nc, s.cfg.tls)
		}
		s.mu.Lock()
		s.conns[rw] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			c := &exConn{srv: s, w: rw, r: bufio.NewReader(rw), raw: rw}
			c.serve()
			rw.Close()
			s.mu.Lock()
			delete(s.conns, rw)
			s.mu.Unlock()
		}()
	}
}

// close stops the server: it closes the listener and every session, and
// waits for their goroutines. Calling it twice is safe.
func (s *exServer) close() {
	s.once.Do(func() {
		close(s.done)
		if s.ln != nil {
			s.ln.Close()
		}
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
}

// lines returns what clients have sent so far, one line each, without
// line endings.
func (s *exServer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

func (s *exServer) record(line string) {
	s.mu.Lock()
	s.received = append(s.received, line)
	s.mu.Unlock()
}

// exConn is one session.
type exConn struct {
	srv      *exServer
	r        *bufio.Reader
	w        io.Writer
	raw      net.Conn // nil over stdio
	authed   bool
	tlsOn    bool
	selected *exMailbox
	readonly bool
	cmd      string // the command being answered
	closed   bool   // the server hung up; serve stops
}

// send writes each line with CRLF, all in one write, so that the client
// receives them together.
func (c *exConn) send(lines ...string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	c.sendRaw(b.String())
}

// sendRaw writes s as it is.
func (c *exConn) sendRaw(s string) {
	if _, err := io.WriteString(c.w, s); err != nil {
		c.closed = true
	}
}

// readLine returns the next client line without its CRLF.
func (c *exConn) readLine() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	c.srv.record(line)
	return line, nil
}

// wait blocks until ch is closed, or the server stops (false).
func (c *exConn) wait(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-c.srv.done:
		return false
	}
}

// pause sleeps for d, or until the server stops (false).
func (c *exConn) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.srv.done:
		return false
	}
}

func (c *exConn) serve() {
	cfg := &c.srv.cfg
	if cfg.preauth {
		c.authed = true
		c.send("* PREAUTH [CAPABILITY " + c.caps() + "] Logged in as " + exUser)
	} else {
		c.send("* OK " + cfg.greeting)
	}
	for !c.closed {
		tag, name, args, err := c.readCommand()
		if err != nil {
			return
		}
		if tag == "" {
			continue
		}
		if name == "" {
			c.send(tag + " BAD Missing command")
			continue
		}
		if name == cfg.byeOn {
			c.send("* BYE Server shutting down")
			return
		}
		h := cfg.handlers[name]
		if h == nil {
			h = exDefaultHandlers[name]
		}
		if h == nil {
			c.send(tag + " BAD Unknown command " + name)
			continue
		}
		c.cmd = name
		h(c, tag, args)
	}
}

func (c *exConn) caps() string {
	if c.tlsOn {
		return c.srv.cfg.capsTLS
	}
	return c.srv.cfg.caps
}

// exLiteralAtEnd finds a literal announced at the end of a command line,
// {N} or the non-synchronizing {N+}.
var exLiteralAtEnd = regexp.MustCompile(`\{(\d+)(\+?)\}$`)

// readCommand reads one command, with any literals it carries, and splits
// it into tag, upper-cased name and arguments.
func (c *exConn) readCommand() (tag, name string, args []string, err error) {
	line, err := c.readLine()
	if err != nil {
		return "", "", nil, err
	}
	var toks []string
	for {
		m := exLiteralAtEnd.FindStringSubmatchIndex(line)
		if m == nil {
			toks = append(toks, exTokens(line)...)
			break
		}
		toks = append(toks, exTokens(line[:m[0]])...)
		n, _ := strconv.Atoi(line[m[2]:m[3]])
		if m[4] == m[5] {
			c.send("+ Ready for literal data")
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return "", "", nil, err
		}
		toks = append(toks, string(buf))
		if line, err = c.readLine(); err != nil {
			return "", "", nil, err
		}
	}
	switch len(toks) {
	case 0:
		return "", "", nil, nil
	case 1:
		return toks[0], "", nil, nil
	}
	return toks[0], strings.ToUpper(toks[1]), toks[2:], nil
}

// exTokens splits IMAP arguments at spaces, keeping quoted strings,
// parenthesised lists and bracketed sections (BODY[HEADER.FIELDS (FROM)])
// whole.
func exTokens(s string) []string {
	var toks []string
	i := 0
	for i < len(s) {
		if s[i] == ' ' {
			i++
			continue
		}
		start := i
		depth, inQuote := 0, false
		for i < len(s) {
			ch := s[i]
			if inQuote {
				if ch == '\\' {
					i++
				} else if ch == '"' {
					inQuote = false
				}
			} else if ch == '"' {
				inQuote = true
			} else if ch == '(' || ch == '[' {
				depth++
			} else if ch == ')' || ch == ']' {
				depth--
			} else if ch == ' ' && depth <= 0 {
				break
			}
			i++
		}
		toks = append(toks, s[start:min(i, len(s))])
	}
	return toks
}

// exUnquote returns the value of an astring: a quoted string unescaped, an
// atom as it is.
func exUnquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '\\' && i+1 < len(s)-1 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// exQuoted writes s as an IMAP quoted string.
func exQuoted(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// exMailboxName is a mailbox name as the server writes it: bare when it is
// an atom, quoted otherwise.
func exMailboxName(s string) string {
	if s == "" || strings.ContainsAny(s, " (){%*\"\\]") {
		return exQuoted(s)
	}
	return s
}

// exUnparen strips one pair of enclosing parentheses.
func exUnparen(s string) string {
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		return s[1 : len(s)-1]
	}
	return s
}

// The store: mailboxes of messages.

type exMessage struct {
	uid   int
	flags []string
	date  time.Time
	body  []byte
}

func (m *exMessage) hasFlag(f string) bool {
	for _, g := range m.flags {
		if strings.EqualFold(g, f) {
			return true
		}
	}
	return false
}

func (m *exMessage) setFlag(f string, on bool) {
	for i, g := range m.flags {
		if strings.EqualFold(g, f) {
			if !on {
				m.flags = append(m.flags[:i], m.flags[i+1:]...)
			}
			return
		}
	}
	if on {
		m.flags = append(m.flags, f)
	}
}

// header returns the message's header block, its final blank line
// included.
func (m *exMessage) header() []byte {
	if i := bytes.Index(m.body, []byte("\r\n\r\n")); i >= 0 {
		return m.body[:i+4]
	}
	return m.body
}

// text returns the message's body after the header.
func (m *exMessage) text() []byte {
	return m.body[len(m.header()):]
}

// field returns the value of the first header field called name.
func (m *exMessage) field(name string) string {
	for _, l := range strings.Split(string(m.header()), "\r\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

type exMailbox struct {
	name    string
	msgs    []*exMessage
	uidNext int
}

func (b *exMailbox) add(flags []string, date time.Time, body []byte) {
	b.msgs = append(b.msgs, &exMessage{uid: b.uidNext, flags: flags, date: date, body: body})
	b.uidNext++
}

type exStore struct {
	mu    sync.Mutex
	boxes map[string]*exMailbox
}

// exSampleDate is when the sample messages arrived.
var exSampleDate = time.Date(2024, time.March, 5, 9, 30, 0, 0, time.FixedZone("", 3600))

// exSampleMessages are the three messages of the sample INBOX.
var exSampleMessages = []struct {
	flags []string
	body  string
}{
	{[]string{`\Seen`}, "From: Alice <alice@example.org>\r\nTo: user@example.org\r\nSubject: Lunch on Friday?\r\n\r\nShall we meet at noon?\r\n"},
	{nil, "From: LDJ <ldj@example.org>\r\nTo: user@example.org\r\nSubject: Minutes of the meeting\r\n\r\nThe minutes are attached.\r\n"},
	{[]string{`\Flagged`}, "From: Bob <bob@example.org>\r\nTo: user@example.org\r\nSubject: Holiday photos\r\n\r\nHere they are.\r\n"},
}

// exNewStore returns the sample INBOX and an empty Archive.
func exNewStore() *exStore {
	st := &exStore{boxes: map[string]*exMailbox{}}
	inbox := &exMailbox{name: "INBOX", uidNext: 1}
	for i, m := range exSampleMessages {
		inbox.add(append([]string(nil), m.flags...), exSampleDate.Add(time.Duration(i)*time.Hour), []byte(m.body))
	}
	st.boxes["INBOX"] = inbox
	st.boxes["Archive"] = &exMailbox{name: "Archive", uidNext: 1}
	return st
}

func (st *exStore) get(name string) *exMailbox {
	if strings.EqualFold(name, "INBOX") {
		name = "INBOX"
	}
	return st.boxes[name]
}

// The default handlers. Each runs with the store locked where it touches
// mailboxes, so that tests running servers side by side stay race-free.

var exDefaultHandlers map[string]exHandler

func init() {
	exDefaultHandlers = map[string]exHandler{
		"CAPABILITY":   exCapability,
		"NOOP":         exNoop,
		"LOGOUT":       exLogout,
		"LOGIN":        exLogin,
		"AUTHENTICATE": exAuthenticate,
		"STARTTLS":     exStartTLS,
		"ID":           exID,
		"SELECT":       exSelect,
		"EXAMINE":      exSelect,
		"CREATE":       exCreate,
		"LIST":         exList,
		"APPEND":       exAppend,
		"SEARCH":       func(c *exConn, tag string, args []string) { exSearch(c, tag, args, false) },
		"FETCH":        func(c *exConn, tag string, args []string) { exFetch(c, tag, args, false) },
		"STORE":        func(c *exConn, tag string, args []string) { exStoreFlags(c, tag, args, false) },
		"UID":          exUID,
		"EXPUNGE":      exExpunge,
		"CLOSE":        exClose,
		"IDLE":         exIdle,
		"GETQUOTAROOT": exGetQuotaRoot,
		"GETQUOTA":     exGetQuota,
	}
}

func exCapability(c *exConn, tag string, args []string) {
	c.send("* CAPABILITY "+c.caps(), tag+" OK CAPABILITY completed")
}

func exNoop(c *exConn, tag string, args []string) {
	c.send(tag + " OK NOOP completed")
}

func exLogout(c *exConn, tag string, args []string) {
	c.send("* BYE Logging out", tag+" OK LOGOUT completed")
	c.closed = true
}

func exLogin(c *exConn, tag string, args []string) {
	if len(args) != 2 {
		c.send(tag + " BAD Expected user name and password")
		return
	}
	if exUnquote(args[0]) != exUser || exUnquote(args[1]) != exPassword {
		c.send(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials")
		return
	}
	c.authed = true
	c.send(tag + " OK [CAPABILITY " + c.caps() + "] Logged in")
}

// exChallenge sends one base64 challenge and returns the decoded answer;
// ok is false when the client cancelled with "*" or sent bad base64 (the
// reply has then been sent).
func exChallenge(c *exConn, tag, challenge string) (answer []byte, ok bool) {
	c.send("+ " + base64.StdEncoding.EncodeToString([]byte(challenge)))
	line, err := c.readLine()
	if err != nil {
		c.closed = true
		return nil, false
	}
	if line == "*" {
		c.send(tag + " NO [AUTHENTICATIONFAILED] Authentication cancelled")
		return nil, false
	}
	answer, err = base64.StdEncoding.DecodeString(line)
	if err != nil {
		c.send(tag + " BAD Invalid base64 data")
		return nil, false
	}
	return answer, true
}

// exAuthenticate knows PLAIN (RFC 4616) and X-PASSCODE, a two-round
// mechanism of this server: it asks for the user name, then for a passcode.
func exAuthenticate(c *exConn, tag string, args []string) {
	if len(args) < 1 {
		c.send(tag + " BAD Missing mechanism")
		return
	}
	var user string
	switch strings.ToUpper(args[0]) {
	case "PLAIN":
		ans, ok := exChallenge(c, tag, "")
		if !ok {
			return
		}
		parts := strings.Split(string(ans), "\x00")
		if len(parts) != 3 || parts[1] != exUser || parts[2] != exPassword {
			c.send(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials")
			return
		}
		user = parts[1]
	case "X-PASSCODE":
		name, ok := exChallenge(c, tag, "Username:")
		if !ok {
			return
		}
		code, ok := exChallenge(c, tag, "Passcode:")
		if !ok {
			return
		}
		if string(name) != exUser || string(code) != exPasscode {
			c.send(tag + " NO [AUTHENTICATIONFAILED] Invalid passcode")
			return
		}
		user = string(name)
	default:
		c.send(tag + " NO Unsupported authentication mechanism")
		return
	}
	c.authed = true
	c.send(tag + " OK " + user + " authenticated")
}

func exStartTLS(c *exConn, tag string, args []string) {
	cfg := c.srv.cfg.tls
	if cfg == nil || c.tlsOn || c.raw == nil {
		c.send(tag + " BAD STARTTLS not available")
		return
	}
	c.send(tag + " OK Begin TLS negotiation now")
	tc := tls.Server(c.raw, cfg)
	if err := tc.Handshake(); err != nil {
		c.closed = true
		return
	}
	c.tlsOn = true
	c.w, c.r = tc, bufio.NewReader(tc)
}

func exID(c *exConn, tag string, args []string) {
	c.send(`* ID ("name" "exampleserver" "version" "1.0")`, tag+" OK ID completed")
}

// exFlagList is the FLAGS of every mailbox.
const exFlagList = `\Answered \Flagged \Deleted \Seen \Draft`

func exSelect(c *exConn, tag string, args []string) {
	if len(args) != 1 {
		c.send(tag + " BAD Invalid arguments")
		return
	}
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	box := st.get(exUnquote(args[0]))
	c.selected = nil
	if box == nil {
		c.send(tag + " NO [NONEXISTENT] Mailbox doesn't exist")
		return
	}
	c.selected = box
	mode, name := "READ-WRITE", "SELECT"
	c.readonly = c.cmd == "EXAMINE"
	if c.readonly {
		mode, name = "READ-ONLY", "EXAMINE"
	}
	c.send("* FLAGS ("+exFlagList+")",
		"* OK [PERMANENTFLAGS ("+exFlagList+` \*)] Flags permitted`,
		"* "+strconv.Itoa(len(box.msgs))+" EXISTS",
		"* 0 RECENT",
		"* OK [UIDVALIDITY 1] UIDs valid",
		"* OK [UIDNEXT "+strconv.Itoa(box.uidNext)+"] Predicted next UID",
		tag+" OK ["+mode+"] "+name+" completed")
}

func exCreate(c *exConn, tag string, args []string) {
	if len(args) != 1 {
		c.send(tag + " BAD Invalid arguments")
		return
	}
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	name := exUnquote(args[0])
	if st.get(name) != nil {
		c.send(tag + " NO [ALREADYEXISTS] Mailbox already exists")
		return
	}
	st.boxes[name] = &exMailbox{name: name, uidNext: 1}
	c.send(tag + " OK CREATE completed")
}

func exList(c *exConn, tag string, args []string) {
	if len(args) != 2 {
		c.send(tag + " BAD Invalid arguments")
		return
	}
	pattern := exUnquote(args[1])
	re := regexp.MustCompile("^" + strings.NewReplacer(`\*`, ".*", "%", "[^/]*").Replace(regexp.QuoteMeta(pattern)) + "$")
	st := c.srv.store
	st.mu.Lock()
	names := make([]string, 0, len(st.boxes))
	for n := range st.boxes {
		if re.MatchString(n) {
			names = append(names, n)
		}
	}
	st.mu.Unlock()
	sort.Strings(names)
	lines := make([]string, 0, len(names)+1)
	cmd := c.cmd
	for _, n := range names {
		lines = append(lines, "* "+cmd+` (\HasNoChildren) "/" `+exMailboxName(n))
	}
	c.send(append(lines, tag+" OK "+cmd+" completed")...)
}

// exAppend stores a message. Appending to the selected mailbox reports the
// new EXISTS and RECENT counts before the completion, as servers do.
func exAppend(c *exConn, tag string, args []string) {
	if len(args) < 2 {
		c.send(tag + " BAD Invalid arguments")
		return
	}
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	box := st.get(exUnquote(args[0]))
	if box == nil {
		c.send(tag + " NO [TRYCREATE] Mailbox doesn't exist")
		return
	}
	var flags []string
	date := time.Date(2024, time.March, 6, 12, 0, 0, 0, time.UTC)
	for _, a := range args[1 : len(args)-1] {
		switch {
		case strings.HasPrefix(a, "("):
			flags = strings.Fields(exUnparen(a))
		case strings.HasPrefix(a, `"`):
			d, err := time.Parse("02-Jan-2006 15:04:05 -0700", exUnquote(a))
			if err != nil {
				c.send(tag + " BAD Invalid date-time")
				return
			}
			date = d
		}
	}
	box.add(flags, date, []byte(args[len(args)-1]))
	var lines []string
	if c.selected == box {
		lines = append(lines, "* "+strconv.Itoa(len(box.msgs))+" EXISTS", "* 1 RECENT")
	}
	uid := box.uidNext - 1
	c.send(append(lines, tag+" OK [APPENDUID 1 "+strconv.Itoa(uid)+"] APPEND completed")...)
}

// exSequence parses a sequence set against a mailbox: message numbers, or
// UIDs when uid is set. It returns the 0-based indexes, ascending.
func exSequence(box *exMailbox, set string, uid bool) ([]int, bool) {
	n := len(box.msgs)
	maxv := n
	if uid && n > 0 {
		maxv = box.msgs[n-1].uid
	}
	num := func(s string) (int, bool) {
		if s == "*" {
			return maxv, true
		}
		v, err := strconv.Atoi(s)
		return v, err == nil && v > 0
	}
	want := map[int]bool{}
	for _, part := range strings.Split(set, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, ok := num(lo)
		if !ok {
			return nil, false
		}
		b := a
		if isRange {
			if b, ok = num(hi); !ok {
				return nil, false
			}
		}
		if a > b {
			a, b = b, a
		}
		for v := a; v <= b && v <= max(maxv, 0); v++ {
			want[v] = true
		}
	}
	var idx []int
	for i, m := range box.msgs {
		key := i + 1
		if uid {
			key = m.uid
		}
		if want[key] {
			idx = append(idx, i)
		}
	}
	return idx, true
}

// exNeedSelected answers BAD and returns nil when no mailbox is selected.
func exNeedSelected(c *exConn, tag string) *exMailbox {
	if c.selected == nil {
		c.send(tag + " BAD No mailbox selected")
	}
	return c.selected
}

// exSearch knows ALL, the flag keys, FROM, TO, SUBJECT, BODY, TEXT,
// HEADER, UID and sequence sets, ANDed; parentheses group.
func exSearch(c *exConn, tag string, args []string, uid bool) {
	box := exNeedSelected(c, tag)
	if box == nil {
		return
	}
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(args) >= 2 && strings.EqualFold(args[0], "CHARSET") {
		args = args[2:]
	}
	var keys []string
	var flatten func([]string)
	flatten = func(ts []string) {
		for _, t := range ts {
			if strings.HasPrefix(t, "(") {
				flatten(exTokens(exUnparen(t)))
			} else {
				keys = append(keys, t)
			}
		}
	}
	flatten(args)
	var hits []string
	for i, m := range box.msgs {
		ok, valid := exMatches(box, i, m, keys)
		if !valid {
			c.send(tag + " BAD Invalid search criteria")
			return
		}
		if ok {
			if uid {
				hits = append(hits, strconv.Itoa(m.uid))
			} else {
				hits = append(hits, strconv.Itoa(i+1))
			}
		}
	}
	c.send(strings.TrimRight("* SEARCH "+strings.Join(hits, " "), " "), tag+" OK SEARCH completed")
}

// exFlagKeys maps the search keys that test a system flag to the flag;
// UN+key tests its absence.
var exFlagKeys = map[string]string{"SEEN": `\Seen`, "DELETED": `\Deleted`, "FLAGGED": `\Flagged`, "ANSWERED": `\Answered`, "DRAFT": `\Draft`}

// exMatches reports whether message i matches every key; valid is false
// for criteria the server does not know.
func exMatches(box *exMailbox, i int, m *exMessage, keys []string) (ok, valid bool) {
	contains := func(hay, needle string) bool {
		return strings.Contains(strings.ToLower(hay), strings.ToLower(exUnquote(needle)))
	}
	ok = true
	for k := 0; k < len(keys); k++ {
		key := strings.ToUpper(keys[k])
		arg := func() (string, bool) {
			if k+1 >= len(keys) {
				return "", false
			}
			k++
			return keys[k], true
		}
		switch {
		case key == "ALL":
		case exFlagKeys[key] != "":
			ok = ok && m.hasFlag(exFlagKeys[key])
		case strings.HasPrefix(key, "UN") && exFlagKeys[key[2:]] != "":
			ok = ok && !m.hasFlag(exFlagKeys[key[2:]])
		case key == "FROM" || key == "TO" || key == "SUBJECT" || key == "CC" || key == "BCC":
			v, has := arg()
			if !has {
				return false, false
			}
			ok = ok && contains(m.field(key), v)
		case key == "BODY":
			v, has := arg()
			if !has {
				return false, false
			}
			ok = ok && contains(string(m.text()), v)
		case key == "TEXT":
			v, has := arg()
			if !has {
				return false, false
			}
			ok = ok && contains(string(m.body), v)
		case key == "HEADER":
			f, has := arg()
			v, has2 := arg()
			if !has || !has2 {
				return false, false
			}
			ok = ok && contains(m.field(exUnquote(f)), v)
		case key == "UID":
			v, has := arg()
			if !has {
				return false, false
			}
			idx, valid := exSequence(box, v, true)
			if !valid {
				return false, false
			}
			ok = ok && exContainsInt(idx, i)
		default:
			idx, valid := exSequence(box, key, false)
			if !valid {
				return false, false
			}
			ok = ok && exContainsInt(idx, i)
		}
	}
	return ok, true
}

func exContainsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// exFetchItems expands the FAST macro and splits an item list.
func exFetchItems(s string) []string {
	if strings.EqualFold(s, "FAST") {
		return []string{"FLAGS", "INTERNALDATE", "RFC822.SIZE"}
	}
	return exTokens(exUnparen(s))
}

// exFetchOne renders the FETCH response of one message: text parts and
// literals. ok is false for an item the server does not know. Fetching a
// body section without PEEK sets \Seen, as RFC 3501 says.
func exFetchOne(num int, m *exMessage, items []string, uid bool) (resp string, ok bool) {
	var b strings.Builder
	b.WriteString("* " + strconv.Itoa(num) + " FETCH (")
	first := true
	put := func(s string) {
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(s)
	}
	literal := func(name string, data []byte) {
		put(name + " {" + strconv.Itoa(len(data)) + "}\r\n")
		b.Write(data)
	}
	hasUID := false
	for _, it := range items {
		up := strings.ToUpper(it)
		switch {
		case up == "FLAGS":
			put("FLAGS (" + strings.Join(m.flags, " ") + ")")
		case up == "UID":
			put("UID " + strconv.Itoa(m.uid))
			hasUID = true
		case up == "RFC822.SIZE":
			put("RFC822.SIZE " + strconv.Itoa(len(m.body)))
		case up == "INTERNALDATE":
			put(`INTERNALDATE "` + m.date.Format("02-Jan-2006 15:04:05 -0700") + `"`)
		case up == "RFC822":
			m.setFlag(`\Seen`, true)
			literal("RFC822", m.body)
		case up == "RFC822.HEADER":
			literal("RFC822.HEADER", m.header())
		case up == "RFC822.TEXT":
			m.setFlag(`\Seen`, true)
			literal("RFC822.TEXT", m.text())
		case strings.HasPrefix(up, "BODY[") || strings.HasPrefix(up, "BODY.PEEK["):
			peek := strings.HasPrefix(up, "BODY.PEEK[")
			section := it[strings.Index(it, "[")+1 : strings.LastIndex(it, "]")]
			data, known := exSection(m, section)
			if !known {
				return "", false
			}
			if !peek {
				m.setFlag(`\Seen`, true)
			}
			literal("BODY["+strings.ToUpper(section)+"]", data)
		default:
			return "", false
		}
	}
	if uid && !hasUID {
		put("UID " + strconv.Itoa(m.uid))
	}
	b.WriteString(")")
	return b.String(), true
}

// exSection returns a body section: "", TEXT, HEADER or
// HEADER.FIELDS (names).
func exSection(m *exMessage, section string) ([]byte, bool) {
	up := strings.ToUpper(section)
	switch {
	case up == "":
		return m.body, true
	case up == "TEXT":
		return m.text(), true
	case up == "HEADER":
		return m.header(), true
	case strings.HasPrefix(up, "HEADER.FIELDS "):
		names := strings.Fields(exUnparen(strings.TrimSpace(section[len("HEADER.FIELDS "):])))
		var out []byte
		for _, l := range strings.Split(string(m.header()), "\r\n") {
			k, _, ok := strings.Cut(l, ":")
			for _, n := range names {
				if ok && strings.EqualFold(k, n) {
					out = append(out, l+"\r\n"...)
				}
			}
		}
		return append(out, "\r\n"...), true
	}
	return nil, false
}

func exFetch(c *exConn, tag string, args []string, uid bool) {
	box := exNeedSelected(c, tag)
	if box == nil {
		return
	}
	if len(args) != 2 {
		c.send(tag + " BAD Invalid arguments")
		return
	}
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	idx, ok := exSequence(box, args[0], uid)
	if !ok {
		c.send(tag + " BAD Invalid sequence set")
		return
	}
	items := exFetchItems(args[1])
	var lines []string
	for _, i := range idx {
		resp, ok := exFetchOne(i+1, box.msgs[i], items, uid)
		if !ok {
			c.send(tag + " BAD Invalid fetch items")
			return
		}
		lines = append(lines, resp)
	}
	c.send(append(lines, tag+" OK FETCH completed")...)
}

func exStoreFlags(c *exConn, tag string, args []string, uid bool) {
	box := exNeedSelected(c, tag)
	if box == nil {
		return
	}
	if len(args) != 3 {
		c.send(tag + " BAD Invalid arguments")
		return
	}
	if c.readonly {
		c.send(tag + " NO Mailbox is read-only")
		return
	}
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	idx, ok := exSequence(box, args[0], uid)
	if !ok {
		c.send(tag + " BAD Invalid sequence set")
		return
	}
	op := strings.ToUpper(args[1])
	silent := strings.HasSuffix(op, ".SILENT")
	op = strings.TrimSuffix(op, ".SILENT")
	flags := strings.Fields(exUnparen(args[2]))
	var lines []string
	for _, i := range idx {
		m := box.msgs[i]
		switch op {
		case "FLAGS":
			m.flags = append([]string(nil), flags...)
		case "+FLAGS", "-FLAGS":
			for _, f := range flags {
				m.setFlag(f, op == "+FLAGS")
			}
		default:
			c.send(tag + " BAD Invalid STORE operation")
			return
		}
		if !silent {
			items := []string{"FLAGS"}
			if uid {
				items = []string{"UID", "FLAGS"}
			}
			resp, _ := exFetchOne(i+1, m, items, false)
			lines = append(lines, resp)
		}
	}
	c.send(append(lines, tag+" OK STORE completed")...)
}

func exUID(c *exConn, tag string, args []string) {
	if len(args) < 1 {
		c.send(tag + " BAD Missing UID command")
		return
	}
	rest := args[1:]
	switch strings.ToUpper(args[0]) {
	case "FETCH":
		exFetch(c, tag, rest, true)
	case "SEARCH":
		exSearch(c, tag, rest, true)
	case "STORE":
		exStoreFlags(c, tag, rest, true)
	default:
		c.send(tag + " BAD Unknown UID command")
	}
}

// expunge removes the \Deleted messages and returns the EXPUNGE lines.
func (c *exConn) expunge(box *exMailbox) []string {
	var lines []string
	kept := box.msgs[:0]
	for _, m := range box.msgs {
		if m.hasFlag(`\Deleted`) {
			// Each number is the message's position at the moment it goes.
			lines = append(lines, "* "+strconv.Itoa(len(kept)+1)+" EXPUNGE")
			continue
		}
		kept = append(kept, m)
	}
	box.msgs = kept
	return lines
}

func exExpunge(c *exConn, tag string, args []string) {
	box := exNeedSelected(c, tag)
	if box == nil {
		return
	}
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c.send(append(c.expunge(box), tag+" OK EXPUNGE completed")...)
}

func exClose(c *exConn, tag string, args []string) {
	box := exNeedSelected(c, tag)
	if box == nil {
		return
	}
	st := c.srv.store
	st.mu.Lock()
	if !c.readonly {
		c.expunge(box) // CLOSE expunges silently
	}
	st.mu.Unlock()
	c.selected = nil
	c.send(tag + " OK CLOSE completed")
}

// exIdle asks for the continuation, pushes the configured lines and waits
// for DONE.
func exIdle(c *exConn, tag string, args []string) {
	c.send(append([]string{"+ idling"}, c.srv.cfg.idlePush...)...)
	exAwaitDone(c, tag, "OK IDLE terminated")
}

// exAwaitDone reads the line that ends IDLE and answers it: reply after
// DONE, BAD otherwise.
func exAwaitDone(c *exConn, tag, reply string) {
	line, err := c.readLine()
	if err != nil {
		c.closed = true
		return
	}
	if strings.EqualFold(line, "DONE") {
		c.send(tag + " " + reply)
		return
	}
	c.send(tag + " BAD Expected DONE")
}

func exGetQuotaRoot(c *exConn, tag string, args []string) {
	if len(args) != 1 {
		c.send(tag + " BAD Invalid arguments")
		return
	}
	name := exUnquote(args[0])
	st := c.srv.store
	st.mu.Lock()
	box := st.get(name)
	st.mu.Unlock()
	if box == nil {
		c.send(tag + " NO [NONEXISTENT] Mailbox doesn't exist")
		return
	}
	c.send("* QUOTAROOT "+exMailboxName(box.name)+` ""`, `* QUOTA "" (STORAGE `+c.usedKB()+` 1024)`,
		tag+" OK GETQUOTAROOT completed")
}

func exGetQuota(c *exConn, tag string, args []string) {
	if len(args) != 1 || exUnquote(args[0]) != "" {
		c.send(tag + " NO [NONEXISTENT] No such quota root")
		return
	}
	c.send(`* QUOTA "" (STORAGE `+c.usedKB()+` 1024)`, tag+" OK GETQUOTA completed")
}

// usedKB is the storage the account uses, in KiB rounded up.
func (c *exConn) usedKB() string {
	st := c.srv.store
	st.mu.Lock()
	defer st.mu.Unlock()
	total := 0
	for _, b := range st.boxes {
		for _, m := range b.msgs {
			total += len(m.body)
		}
	}
	return strconv.Itoa((total + 1023) / 1024)
}

// The test PKI: a CA and a server certificate for 127.0.0.1, ::1 and
// localhost, made once per test binary.

var (
	exPKIOnce  sync.Once
	exCAPool   *x509.CertPool
	exLeafCert tls.Certificate
)

func exMakePKI() {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "imaplib example test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		panic(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		panic(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		panic(err)
	}
	exCAPool = x509.NewCertPool()
	exCAPool.AddCert(caCert)
	exLeafCert = tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}

// exTestCA returns the pool holding the test CA, for a client's RootCAs.
func exTestCA() *x509.CertPool {
	exPKIOnce.Do(exMakePKI)
	return exCAPool
}

// exServerTLS is the server side of the test PKI.
func exServerTLS() *tls.Config {
	exPKIOnce.Do(exMakePKI)
	return &tls.Config{Certificates: []tls.Certificate{exLeafCert}}
}

// Serving over standard input and output, for IMAP4_stream.

// exStdio joins the process's standard input and output.
type exStdio struct {
	io.Reader
	io.Writer
}

func init() {
	mode := os.Getenv(exStdioEnv)
	if mode == "" {
		return
	}
	var opts []exOption
	switch mode {
	case "preauth":
		opts = append(opts, exWithPreauth())
	case "plain":
	default:
		fmt.Fprintf(os.Stderr, "unknown %s mode %q\n", exStdioEnv, mode)
		os.Exit(2)
	}
	opts = append(opts, exWithIdlePush("* 4 EXISTS", "* 1 RECENT"))
	s := exPrepare(opts...)
	rw := exStdio{os.Stdin, os.Stdout}
	c := &exConn{srv: s, w: rw, r: bufio.NewReader(rw)}
	c.serve()
	os.Exit(0)
}

// exStreamCommand is a shell command line that runs this test binary as a
// stdio server in the given mode ("plain" or "preauth"). Under the race
// detector a binary sleeps a second before exiting; the child is told not
// to, so that Shutdown, which waits for it, stays quick.
func exStreamCommand(mode string) string {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return `GORACE="${GORACE:+$GORACE }atexit_sleep_ms=0" ` + exStdioEnv + "=" + mode +
		" exec '" + strings.ReplaceAll(exe, "'", `'\''`) + "'"
}

// Masking what varies between runs, for output that examples can pin.

// exTagRe matches a tag: CPython's prefix of four letters A to P, then the
// counter.
var exTagRe = regexp.MustCompile(`\b[A-P]{4}(\d+)\b`)

// exMaskTags replaces the random tag prefix with "TAG", keeping the counter.
func exMaskTags(s string) string { return exTagRe.ReplaceAllString(s, "TAG$1") }

// exTraceWriter passes debug output on without the leading spaces and
// timestamps, and with the tag prefix (learnt from the "new IMAP4
// connection" line) replaced by "TAG", so that a trace reads the same on
// every run.
type exTraceWriter struct {
	w      io.Writer
	prefix string
	buf    []byte
}

var exStampRe = regexp.MustCompile(`^  \d\d:\d\d\.\d\d `)
var exNewConnRe = regexp.MustCompile(`new IMAP4 connection, tag=b'([A-P]+)'`)

func (t *exTraceWriter) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(t.buf[:i])
		t.buf = t.buf[i+1:]
		line = exStampRe.ReplaceAllString(line, "")
		if m := exNewConnRe.FindStringSubmatch(line); m != nil {
			t.prefix = m[1]
		}
		if t.prefix != "" {
			line = strings.ReplaceAll(line, t.prefix, "TAG")
		}
		if _, err := io.WriteString(t.w, line+"\n"); err != nil {
			return 0, err
		}
	}
}
