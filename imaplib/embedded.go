package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// embeddedPassword is the one password the embedded server accepts. It is
// fixed and printed so that a person trying the -i mode can type it.
const embeddedPassword = "imaplib-selftest"

// embeddedWelcome is the message the embedded INBOX starts with, so that the
// self-test's final "uid SEARCH ALL" finds a UID and goes on to its UID FETCH
// step, as it does on a real mailbox.
const embeddedWelcome = "From: imaplib@localhost\r\n" +
	"Subject: welcome to the embedded server\r\n" +
	"\r\n" +
	"This message was placed in INBOX when the server started.\r\n"

// extraCaps are announced before login on top of what go-imap announces
// then. go-imap lists these only once logged in, but imaplib (like CPython)
// asks for the capabilities once, when it connects, and its enable() and
// idle() refuse to run unless ENABLE and IDLE were in that answer. All of
// them work once logged in, which is where they are used.
var extraCaps = []string{
	"UNSELECT", "ENABLE", "IDLE", "UTF8=ACCEPT", "NAMESPACE", "UIDPLUS", "MOVE", "CHILDREN",
}

// embeddedServer is an IMAP server running inside this process on a
// loopback port, so that the self-test and the interactive mode work without
// a mail server to talk to.
type embeddedServer struct {
	Host     string
	Port     int
	User     string
	Password string

	ln   net.Listener
	srv  *imapserver.Server
	done chan struct{}
}

// startEmbedded listens on 127.0.0.1 with a port chosen by the kernel and
// serves one user, user, whose password is embeddedPassword. The server's
// own complaints (not the wire) are written to logw.
func startEmbedded(user string, logw io.Writer) (*embeddedServer, error) {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, embeddedPassword)
	if err := u.Create("INBOX", nil); err != nil {
		return nil, fmt.Errorf("embedded server: create INBOX: %w", err)
	}
	welcome := &literalReader{Reader: strings.NewReader(embeddedWelcome), size: int64(len(embeddedWelcome))}
	if _, err := u.Append("INBOX", welcome, &imap.AppendOptions{Time: time.Now()}); err != nil {
		return nil, fmt.Errorf("embedded server: seed INBOX: %w", err)
	}
	mem.AddUser(u)

	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		// IMAP4rev1 only: a rev1 server keeps the rev1 responses (RECENT,
		// untagged SEARCH) that imaplib reads. The extensions are the ones
		// imapmemserver implements; the self-test uses NAMESPACE.
		Caps: imap.CapSet{
			imap.CapIMAP4rev1: {},
			imap.CapNamespace: {},
			imap.CapUIDPlus:   {},
			imap.CapMove:      {},
			imap.CapChildren:  {},
		},
		Logger: lineLogger{w: logw},
		// The loopback link has no TLS; LOGIN must still be allowed.
		InsecureAuth: true,
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	e := &embeddedServer{
		Host:     "127.0.0.1",
		Port:     ln.Addr().(*net.TCPAddr).Port,
		User:     user,
		Password: embeddedPassword,
		ln:       ln,
		srv:      srv,
		done:     make(chan struct{}),
	}
	go func() {
		defer close(e.done)
		_ = srv.Serve(capsListener{ln})
	}()
	return e, nil
}

// Close stops the listener and every open connection, and waits for the
// accept loop to end so that no goroutine outlives the caller's use.
func (e *embeddedServer) Close() error {
	err := e.srv.Close()
	// go-imap closes only the listeners its Serve has registered; one
	// closed before Serve got going would go on accepting into its backlog.
	_ = e.ln.Close()
	<-e.done
	return err
}

// capsListener hands the server connections that announce extraCaps.
type capsListener struct{ net.Listener }

// Accept wraps each new connection.
func (l capsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return capsConn{c}, nil
}

// capsConn adds extraCaps to the capability lists the server writes: the
// untagged CAPABILITY response and the CAPABILITY response code of the
// greeting. go-imap flushes each response line with one Write, so a line
// arrives whole.
type capsConn struct{ net.Conn }

// Write passes p on, with a capability line extended.
func (c capsConn) Write(p []byte) (int, error) {
	if _, err := c.Conn.Write(addCaps(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// addCaps inserts the extra capabilities not already present into a line
// "* CAPABILITY ..." or "* OK [CAPABILITY ...] text"; anything else comes
// back unchanged.
func addCaps(p []byte) []byte {
	// Only a write that is exactly one line qualifies, so that a chunk of a
	// message body that happens to start with these words is left alone.
	crlf := []byte("\r\n")
	if !bytes.HasSuffix(p, crlf) || bytes.Count(p, crlf) != 1 {
		return p
	}
	var start, end int
	switch {
	case bytes.HasPrefix(p, []byte("* CAPABILITY ")):
		start, end = len("* CAPABILITY "), len(p)-len(crlf)
	case bytes.HasPrefix(p, []byte("* OK [CAPABILITY ")):
		start, end = len("* OK [CAPABILITY "), bytes.IndexByte(p, ']')
	default:
		return p
	}
	if end < start {
		return p
	}
	have := map[string]bool{}
	for _, f := range strings.Fields(string(p[start:end])) {
		have[strings.ToUpper(f)] = true
	}
	var b bytes.Buffer
	b.Write(p[:end])
	for _, c := range extraCaps {
		if !have[c] {
			b.WriteString(" " + c)
		}
	}
	b.Write(p[end:])
	return b.Bytes()
}

// literalReader gives a byte stream the size imapmemserver's Append asks for.
type literalReader struct {
	io.Reader
	size int64
}

// Size reports the literal's length.
func (r *literalReader) Size() int64 { return r.size }

// lineLogger writes go-imap's log messages as lines naming their source. Each
// line is one Write, so a lockedWriter keeps them whole.
type lineLogger struct{ w io.Writer }

// Printf writes one message.
func (l lineLogger) Printf(format string, args ...interface{}) {
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	_, _ = io.WriteString(l.w, "embedded server: "+msg+"\n")
}
