package main

import (
	"bufio"
	"fmt"
	"io"
	"sync"

	"github.com/pyport/imaplib"
)

// program is one run of the command: its streams, what the command line
// asked for, and the embedded server when there is no host.
type program struct {
	prog     string
	opts     *options
	stdin    io.Reader
	in       *bufio.Reader // stdin, buffered once for passwords and commands
	stdout   io.Writer
	stderr   io.Writer
	embedded *embeddedServer
}

// debugLevel is -d's level, or def when -d was not given.
func (p *program) debugLevel(def int) int {
	if p.opts.debugSet {
		return p.opts.debug
	}
	return def
}

// where names the server as the password prompt does: the host, the stream
// command standing in for it, or "localhost".
func (p *program) where() string {
	switch {
	case p.opts.host != "":
		return p.opts.host
	case p.opts.stream != "":
		return p.opts.stream
	case p.embedded != nil:
		return fmt.Sprintf("%s:%d", p.embedded.Host, p.embedded.Port)
	}
	return "localhost"
}

// credentials returns the user and password to log in with: the embedded
// server's own, or the login name and a password from IMAP_PASSWORD or the
// terminal, asked as the self-test asks.
func (p *program) credentials() (string, string, error) {
	if p.embedded != nil {
		return p.embedded.User, p.embedded.Password, nil
	}
	user, err := loginName()
	if err != nil {
		return "", "", err
	}
	prompt := fmt.Sprintf("IMAP password for %s on %s: ", user, p.where())
	pw, err := readPassword(prompt, p.stdin, p.in, p.stderr)
	return user, pw, err
}

// globalsMu guards imaplib.Debug and imaplib.DebugOutput while connect sets
// them: a connection copies both when it is constructed, as CPython copies
// its module-level Debug, and tests run several programs in one process.
var globalsMu sync.Mutex

// connect opens the connection the options ask for, with the debug level
// and the trace going to this program's stderr.
func (p *program) connect(debug int) (*imaplib.IMAP4, error) {
	globalsMu.Lock()
	defer globalsMu.Unlock()
	savedDebug, savedOut := imaplib.Debug, imaplib.DebugOutput
	imaplib.Debug, imaplib.DebugOutput = debug, p.stderr
	defer func() { imaplib.Debug, imaplib.DebugOutput = savedDebug, savedOut }()

	switch {
	case p.opts.stream != "":
		s, err := imaplib.NewIMAP4_stream(p.opts.stream)
		if err != nil {
			return nil, err
		}
		return s.IMAP4, nil
	case p.embedded != nil:
		return imaplib.NewIMAP4(p.embedded.Host, p.embedded.Port, 0)
	default:
		return imaplib.NewIMAP4(p.opts.host, p.opts.port, 0)
	}
}

// constructorCall shows how the connection was made, in Python and in Go,
// for the interactive mode's banner.
func (p *program) constructorCall() (py, goCall string) {
	switch {
	case p.opts.stream != "":
		return fmt.Sprintf("M = imaplib.IMAP4_stream(%s)", imaplib.Repr(p.opts.stream)),
			fmt.Sprintf("M, err := imaplib.NewIMAP4_stream(%q)", p.opts.stream)
	case p.embedded != nil:
		return fmt.Sprintf("M = imaplib.IMAP4(%s, %d)", imaplib.Repr(p.embedded.Host), p.embedded.Port),
			fmt.Sprintf("M, err := imaplib.NewIMAP4(%q, %d, 0)", p.embedded.Host, p.embedded.Port)
	case p.opts.port != imaplib.IMAP4_PORT:
		return fmt.Sprintf("M = imaplib.IMAP4(%s, %d)", imaplib.Repr(p.opts.host), p.opts.port),
			fmt.Sprintf("M, err := imaplib.NewIMAP4(%q, %d, 0)", p.opts.host, p.opts.port)
	}
	return fmt.Sprintf("M = imaplib.IMAP4(%s)", imaplib.Repr(p.opts.host)),
		fmt.Sprintf("M, err := imaplib.NewIMAP4(%q, imaplib.IMAP4_PORT, 0)", p.opts.host)
}
