// Package imaplib is a faithful port of Python's standard-library imaplib:
// the IMAP4, IMAP4_SSL and IMAP4_stream classes, every command, the
// module's helper functions, its errors and its debug output, so that a
// Python mail script moves to Go line by line.
//
// Every command returns (typ string, data [][]byte, err error), where typ and
// data are what CPython returns. A Python tuple (header, literal) inside data
// becomes two consecutive elements; Items restores the tuples. Python's None
// is a nil element, b” an empty non-nil one.
//
// Two behaviour profiles exist (see Compat): the newest CPython's, the
// default, and CPython 3.13.0's classic wire format.
package imaplib

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Module constants and settings, as in Python's imaplib module.
const (
	// IMAP4_PORT mirrors imaplib.IMAP4_PORT.
	IMAP4_PORT = 143
	// IMAP4_SSL_PORT mirrors imaplib.IMAP4_SSL_PORT.
	IMAP4_SSL_PORT = 993
	// CRLF mirrors imaplib.CRLF, the line ending of the protocol.
	CRLF = "\r\n"
	// Version mirrors imaplib.__version__ of the newest releases.
	Version = "2.60"
)

var (
	// MaxLine mirrors imaplib._MAXLINE: the longest response line accepted,
	// CRLF included. Tests may lower it; change it only while no connection
	// is reading.
	MaxLine = 1000000
	// Debug mirrors imaplib.Debug: the debug level new connections start
	// with (M.Debug).
	Debug = 0
	// DebugOutput is where new connections write debug output
	// (M.DebugOutput); Python writes to sys.stderr.
	DebugOutput io.Writer = os.Stderr
	// AllowedVersions mirrors imaplib.AllowedVersions, most recent first.
	AllowedVersions = []string{"IMAP4REV1", "IMAP4"}
)

// CommandTable mirrors imaplib.Commands: for each command, the states it is
// allowed in. It is shared by every connection and guarded, because XAtom
// registers unknown commands in it, as CPython does, globally.
type CommandTable struct {
	mu     sync.RWMutex
	states map[string][]string
}

// States returns the states name is allowed in, and whether it is known.
func (t *CommandTable) States(name string) ([]string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	s, ok := t.states[name]
	return s, ok
}

// Register sets the states name is allowed in, as assigning
// Commands[name] = states does in Python.
func (t *CommandTable) Register(name string, states ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.states[name] = append([]string(nil), states...)
}

// registerIfAbsent adds name with one state unless it is known: the
// check-and-insert of xatom, made atomic.
func (t *CommandTable) registerIfAbsent(name, state string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.states[name]; !ok {
		t.states[name] = []string{state}
	}
}

// Commands mirrors imaplib.Commands (the 3.14 table, with IDLE).
var Commands = &CommandTable{states: map[string][]string{
	"APPEND":        {"AUTH", "SELECTED"},
	"AUTHENTICATE":  {"NONAUTH"},
	"CAPABILITY":    {"NONAUTH", "AUTH", "SELECTED", "LOGOUT"},
	"CHECK":         {"SELECTED"},
	"CLOSE":         {"SELECTED"},
	"COPY":          {"SELECTED"},
	"CREATE":        {"AUTH", "SELECTED"},
	"DELETE":        {"AUTH", "SELECTED"},
	"DELETEACL":     {"AUTH", "SELECTED"},
	"ENABLE":        {"AUTH"},
	"EXAMINE":       {"AUTH", "SELECTED"},
	"EXPUNGE":       {"SELECTED"},
	"FETCH":         {"SELECTED"},
	"GETACL":        {"AUTH", "SELECTED"},
	"GETANNOTATION": {"AUTH", "SELECTED"},
	"GETQUOTA":      {"AUTH", "SELECTED"},
	"GETQUOTAROOT":  {"AUTH", "SELECTED"},
	"IDLE":          {"AUTH", "SELECTED"},
	"MYRIGHTS":      {"AUTH", "SELECTED"},
	"LIST":          {"AUTH", "SELECTED"},
	"LOGIN":         {"NONAUTH"},
	"LOGOUT":        {"NONAUTH", "AUTH", "SELECTED", "LOGOUT"},
	"LSUB":          {"AUTH", "SELECTED"},
	"MOVE":          {"SELECTED"},
	"NAMESPACE":     {"AUTH", "SELECTED"},
	"NOOP":          {"NONAUTH", "AUTH", "SELECTED", "LOGOUT"},
	"PARTIAL":       {"SELECTED"},
	"PROXYAUTH":     {"AUTH"},
	"RENAME":        {"AUTH", "SELECTED"},
	"SEARCH":        {"SELECTED"},
	"SELECT":        {"AUTH", "SELECTED"},
	"SETACL":        {"AUTH", "SELECTED"},
	"SETANNOTATION": {"AUTH", "SELECTED"},
	"SETQUOTA":      {"AUTH", "SELECTED"},
	"SORT":          {"SELECTED"},
	"STARTTLS":      {"NONAUTH"},
	"STATUS":        {"AUTH", "SELECTED"},
	"STORE":         {"SELECTED"},
	"SUBSCRIBE":     {"AUTH", "SELECTED"},
	"THREAD":        {"SELECTED"},
	"UID":           {"SELECTED"},
	"UNSUBSCRIBE":   {"AUTH", "SELECTED"},
	"UNSELECT":      {"SELECTED"},
}}

// TaggedResponse is a command's completion as CPython keeps it in
// tagged_commands: the status word and the list holding the text.
type TaggedResponse struct {
	Typ  string
	Data [][]byte
}

// IMAP4 mirrors imaplib.IMAP4: one connection to an IMAP4rev1 server. Its
// exported fields hold what the Python attributes of the same names hold.
// One IMAP4 is used by one goroutine at a time, as a Python object is by one
// thread.
type IMAP4 struct {
	// Transport does the I/O; its methods are promoted (M.Readline, ...).
	Transport

	// State mirrors state: LOGOUT, NONAUTH, AUTH, SELECTED or IDLING.
	State string
	// Debug mirrors debug, copied from the package's Debug.
	Debug int
	// DebugOutput receives debug output; copied from the package's
	// DebugOutput.
	DebugOutput io.Writer
	// Capabilities mirrors capabilities: upper-cased, as CPython's tuple.
	Capabilities []string
	// ProtocolVersion mirrors PROTOCOL_VERSION.
	ProtocolVersion string
	// Welcome mirrors welcome: the greeting line (nil if it was a
	// continuation).
	Welcome []byte
	// UntaggedResponses mirrors untagged_responses, flattened as data is.
	UntaggedResponses map[string][][]byte
	// TaggedCommands mirrors tagged_commands: a pending tag maps to nil.
	TaggedCommands map[string]*TaggedResponse
	// ContinuationResponse mirrors continuation_response: the text after
	// "+ " of the last continuation, nil for Python's None.
	ContinuationResponse []byte
	// IsReadonly mirrors is_readonly.
	IsReadonly bool
	// Tagpre mirrors tagpre, the tag prefix.
	Tagpre []byte
	// Tagnum mirrors tagnum, the number of the next tag.
	Tagnum int
	// UTF8Enabled mirrors utf8_enabled.
	UTF8Enabled bool
	// Host mirrors host.
	Host string
	// Port mirrors port.
	Port int
	// Compat is this connection's behaviour profile, copied from
	// DefaultCompat at construction.
	Compat Compat
	// Literal mirrors literal: when not nil, the next command announces
	// it as a literal ({N} at the end of its line) and sends it once the
	// server asks for it, as in Python's
	// M.literal = text; M.search('CHARSET', 'UTF-8', 'SUBJECT'). The command
	// clears it. An empty non-nil slice is a literal of zero bytes.
	Literal []byte
	// MaxLiteral, when positive, caps the size of a literal the server may
	// announce; a larger one is an abort. Off by default, as in CPython.
	MaxLiteral int64

	tagre     *regexp.Regexp // CPython's self.tagre; the engine matches with matchTagged
	tagrePat  string         // its pattern, shown at debug level 5
	tagreLit  []byte         // the tag prefix it was built from, for matchTagged
	respKind  respKind
	byeStored bool // a BYE was stored since the engine last cleared this
	// While readResponse runs, data for one type accumulates in hot
	// instead of going through the map for every response; flushHot
	// stores it. See addUntagged.
	hotTyp      string
	hot         [][]byte
	hotRefs     []hotRef // data of hotTyp after hot, kept as places in line slabs; see addRef
	hotSegs     []hotSeg
	deferStore  bool
	urOrder     []string                     // insertion order of UntaggedResponses keys, for debug dumps
	literator   func([]byte) ([]byte, error) // the AUTHENTICATE answerer, when pending
	literalTail []byte                       // sent after the literal: ")" in RFC 6855 UTF-8 APPEND
	tlsOn       bool
	cmdLog      [cmdLogLen]logEntry
	cmdLogIdx   int
	cmdLogUsed  int
	idle        idleCapture
}

// NewIMAP4 mirrors IMAP4(host, port, timeout): it connects over TCP, reads
// the greeting and the capabilities. Port 0 means IMAP4_PORT; timeout 0
// means none (Python would refuse 0: see docs/porting.md).
func NewIMAP4(host string, port int, timeout time.Duration) (*IMAP4, error) {
	if port == 0 {
		port = IMAP4_PORT
	}
	return NewIMAP4WithTransport(&SocketTransport{}, host, port, timeout)
}

// NewIMAP4WithTransport is the Go form of subclassing IMAP4 to override
// open, read, readline, send or shutdown: it opens t, then reads the
// greeting and the capabilities through it.
func NewIMAP4WithTransport(t Transport, host string, port int, timeout time.Duration) (*IMAP4, error) {
	m := newIMAP4(t)
	m.Host, m.Port = host, port
	if err := m.Open(host, port, timeout); err != nil {
		return nil, err
	}
	if err := m.connect(); err != nil {
		m.Shutdown()
		return nil, err
	}
	return m, nil
}

// newIMAP4 sets the attributes CPython's __init__ sets before opening.
func newIMAP4(t Transport) *IMAP4 {
	return &IMAP4{
		Transport:            t,
		State:                "LOGOUT",
		Debug:                Debug,
		DebugOutput:          DebugOutput,
		UntaggedResponses:    map[string][][]byte{},
		TaggedCommands:       map[string]*TaggedResponse{},
		ContinuationResponse: []byte{},
		Compat:               DefaultCompat,
	}
}

// connect mirrors _connect: tag prefix, greeting, state, capabilities.
func (m *IMAP4) connect() error {
	m.Tagpre = Int2AP(rand.IntN(65535-4096+1) + 4096)
	m.tagrePat = tagrePattern(m.Tagpre)
	m.tagre = pyMatch(m.tagrePat)
	m.tagreLit = append([]byte(nil), m.Tagpre...)
	if m.Debug >= 1 {
		if m.Compat.DebugVersionLine {
			m.mesg("imaplib version " + m.Compat.Version)
		}
		m.mesg("new IMAP4 connection, tag=" + bytesRepr(m.Tagpre))
	}
	welcome, err := m.getResponse()
	if err != nil {
		return err
	}
	m.Welcome = welcome
	if _, ok := m.UntaggedResponses["PREAUTH"]; ok {
		m.State = "AUTH"
	} else if _, ok := m.UntaggedResponses["OK"]; ok {
		m.State = "NONAUTH"
	} else {
		return newError(reprOrNone(welcome))
	}
	if err := m.getCapabilities(); err != nil {
		return err
	}
	if m.Debug >= 3 {
		m.mesg("CAPABILITIES: " + Repr(m.Capabilities))
	}
	for _, v := range AllowedVersions {
		if m.hasCapability(v) {
			m.ProtocolVersion = v
			return nil
		}
	}
	return newError("server not IMAP4 compliant")
}

// getCapabilities mirrors _get_capabilities.
func (m *IMAP4) getCapabilities() error {
	_, dat, err := m.Capability()
	if err != nil {
		return err
	}
	if len(dat) == 1 && dat[0] == nil {
		return newError("no CAPABILITY response from server")
	}
	m.Capabilities = pySplit(strings.ToUpper(string(dat[len(dat)-1])))
	return nil
}

func (m *IMAP4) hasCapability(name string) bool {
	for _, c := range m.Capabilities {
		if c == name {
			return true
		}
	}
	return false
}

// pySplit is Python's str.split() with no argument, for ASCII text.
func pySplit(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0:
			return true
		}
		return false
	})
}

// Socket mirrors IMAP4.socket(): the connection, or nil when the transport
// has none (IMAP4_stream).
func (m *IMAP4) Socket() net.Conn {
	if s, ok := m.Transport.(socketHolder); ok {
		return s.Socket()
	}
	return nil
}

// Exit is the Go form of leaving a with block (__exit__): it logs out unless
// the state is already LOGOUT. Use it as defer M.Exit().
func (m *IMAP4) Exit() error {
	if m.State == "LOGOUT" {
		return nil
	}
	_, _, err := m.Logout()
	var e *Error
	if err != nil && !errors.As(err, &e) {
		// Python swallows OSError here; an IMAP error still surfaces.
		return nil
	}
	return err
}
