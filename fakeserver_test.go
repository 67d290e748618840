package imaplib

// The fake IMAP server the unit tests talk to. It ports the behaviour of
// CPython's SimpleIMAPHandler test fixture: a greeting, then lines read one
// byte at a time up to CRLF, split on whitespace into tag, command and
// arguments, and dispatched to one handler per command; an unknown command is
// answered "<tag> BAD <cmd> unknown". Where a Python handler is a generator
// (`line = yield` receives the client's next line, as AUTHENTICATE needs), a
// Go handler calls c.next(): each connection is served by its own goroutine,
// so a blocking read of the next line is what resuming the generator was.
//
// A server can speak plain TCP or implicit TLS (CPython's SecureTCPServer),
// with a certificate made at test time by a throwaway CA, and can switch a
// connection to TLS in place for STARTTLS. The same handlers also run over
// standard input and output for IMAP4_stream (see stream_test.go).
//
// The file also holds the harness that runs CPython 3.13.0 against these
// servers, which the wire and debug tests use to check their expectations.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var fsUpdate = flag.Bool("update", false, "regenerate the golden files in testdata/wire by running CPython 3.13.0")

// fsCmd handles one command, as a cmd_<NAME> method of a handler does.
type fsCmd func(c *fsConn, tag string, args []string)

// fsHandler describes a fake server, as a SimpleIMAPHandler subclass does.
type fsHandler struct {
	// caps follows "IMAP4rev1" in the CAPABILITY answer (the class
	// attribute capabilities).
	caps string
	// greeting replaces "* OK IMAP4rev1".
	greeting string
	// handle, when set, replaces the whole session (overriding handle()).
	// It may still call c.commandLoop() after a greeting of its own.
	handle func(c *fsConn)
	// cmds adds or overrides command handlers.
	cmds map[string]fsCmd
	// fallback answers the commands that have no handler; nil means
	// "<tag> BAD <cmd> unknown".
	fallback func(c *fsConn, tag, cmd string, args []string)
}

// fsDefaultCmds are SimpleIMAPHandler's own commands.
var fsDefaultCmds = map[string]fsCmd{
	"CAPABILITY": func(c *fsConn, tag string, args []string) {
		caps := "* CAPABILITY IMAP4rev1"
		if c.h.caps != "" {
			caps += " " + c.h.caps
		}
		c.sendLine(caps)
		c.sendTagged(tag, "OK", "CAPABILITY completed")
	},
	"LOGOUT": func(c *fsConn, tag string, args []string) {
		c.srv.setLogged(nil)
		c.sendLine("* BYE IMAP4ref1 Server logging out")
		c.sendTagged(tag, "OK", "LOGOUT completed")
	},
	"LOGIN": func(c *fsConn, tag string, args []string) {
		user := ""
		if len(args) > 0 {
			user = args[0]
		}
		c.srv.setLogged(&user)
		c.sendTagged(tag, "OK", "LOGIN completed")
	},
	"SELECT": func(c *fsConn, tag string, args []string) {
		c.srv.setSelected(true)
		c.sendLine("* 2 EXISTS")
		c.sendTagged(tag, "OK", "[READ-WRITE] SELECT completed.")
	},
	"UNSELECT": func(c *fsConn, tag string, args []string) {
		if c.srv.selected() {
			c.srv.setSelected(false)
			c.sendTagged(tag, "OK", "Returned to authenticated state. (Success)")
		} else {
			c.sendTagged(tag, "BAD", "No mailbox selected")
		}
	},
}

// fsServer is a listening fake server. Everything any client sent it is
// recorded, in order.
type fsServer struct {
	h       *fsHandler
	ln      net.Listener
	tlsConf *tls.Config // implicit TLS when set
	port    int
	done    chan struct{}
	wg      sync.WaitGroup // the accept loop and every connection
	served  sync.WaitGroup // the connections only

	mu         sync.Mutex
	conns      []net.Conn
	received   [][]byte
	isSelected bool
	logged     *string
	response   []byte
}

// fsStart starts a plain fake server on 127.0.0.1, stopped when the test
// ends.
func fsStart(t testing.TB, h *fsHandler) *fsServer { return fsStartServer(t, h, nil) }

func fsStartServer(t testing.TB, h *fsHandler, tlsConf *tls.Config) *fsServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &fsServer{h: h, ln: ln, tlsConf: tlsConf, port: ln.Addr().(*net.TCPAddr).Port, done: make(chan struct{})}
	s.wg.Add(1)
	go s.acceptLoop()
	t.Cleanup(s.stop)
	return s
}

func (s *fsServer) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		select {
		case <-s.done:
			s.mu.Unlock()
			nc.Close()
			return
		default:
		}
		s.conns = append(s.conns, nc)
		s.wg.Add(1)
		s.served.Add(1)
		s.mu.Unlock()
		go s.serveConn(nc)
	}
}

func (s *fsServer) serveConn(nc net.Conn) {
	defer s.wg.Done()
	defer s.served.Done()
	defer nc.Close()
	var rw net.Conn = nc
	if s.tlsConf != nil {
		tc := tls.Server(nc, s.tlsConf)
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			return
		}
		tc.SetDeadline(time.Time{})
		rw = tc
	}
	c := &fsConn{srv: s, h: s.h, rw: rw, nc: rw}
	c.serve()
}

// stop closes the listener and every connection and waits for the
// handlers to return.
func (s *fsServer) stop() {
	s.mu.Lock()
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.ln.Close()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// drain waits until every connection accepted so far has been served to
// its end (the client closed it, or the handler returned), so that all a
// client sent is recorded.
func (s *fsServer) drain() { s.served.Wait() }

// dial connects the port to the server: IMAP4_SSL, trusting the test CA,
// for a TLS server, IMAP4 otherwise.
func (s *fsServer) dial(timeout time.Duration) (*IMAP4, error) {
	if s.tlsConf != nil {
		m, err := NewIMAP4_SSL("127.0.0.1", s.port, fsClientTLS(), timeout)
		if err != nil {
			return nil, err
		}
		return m.IMAP4, nil
	}
	return NewIMAP4("127.0.0.1", s.port, timeout)
}

func (s *fsServer) record(b []byte) {
	s.mu.Lock()
	s.received = append(s.received, append([]byte(nil), b...))
	s.mu.Unlock()
}

// lines returns what clients sent, one entry per line or literal read.
func (s *fsServer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.received))
	for i, b := range s.received {
		out[i] = string(b)
	}
	return out
}

// stream returns everything clients sent as one string.
func (s *fsServer) stream() string { return strings.Join(s.lines(), "") }

func (s *fsServer) setLogged(user *string) {
	s.mu.Lock()
	s.logged = user
	s.mu.Unlock()
}

// loggedUser mirrors CPython's server.logged: the user of the last LOGIN,
// reset by LOGOUT (false: None).
func (s *fsServer) loggedUser() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logged == nil {
		return "", false
	}
	return *s.logged, true
}

func (s *fsServer) setSelected(v bool) {
	s.mu.Lock()
	s.isSelected = v
	s.mu.Unlock()
}

func (s *fsServer) selected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isSelected
}

// setResponse and getResponse hold CPython's server.response: what a
// handler wants the test to see.
func (s *fsServer) setResponse(b []byte) {
	s.mu.Lock()
	s.response = append([]byte(nil), b...)
	s.mu.Unlock()
}

func (s *fsServer) getResponse() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.response
}

// fsConn is one client connection being served.
type fsConn struct {
	srv *fsServer
	h   *fsHandler
	rw  io.ReadWriter
	nc  net.Conn // nil over standard input and output
}

// serve is SimpleIMAPHandler.handle.
func (c *fsConn) serve() {
	if c.h.handle != nil {
		c.h.handle(c)
		return
	}
	greeting := c.h.greeting
	if greeting == "" {
		greeting = "* OK IMAP4rev1"
	}
	c.sendLine(greeting)
	c.commandLoop()
}

// commandLoop reads commands until the client goes away.
func (c *fsConn) commandLoop() {
	for {
		line, err := c.readLine()
		if err != nil {
			return
		}
		f := strings.Fields(string(line))
		if len(f) < 2 {
			return // CPython's handler dies on such a line too
		}
		tag, cmd, args := f[0], f[1], f[2:]
		if fn := c.h.cmds[cmd]; fn != nil {
			fn(c, tag, args)
		} else if fn := fsDefaultCmds[cmd]; fn != nil {
			fn(c, tag, args)
		} else if c.h.fallback != nil {
			c.h.fallback(c, tag, cmd, args)
		} else {
			c.sendTagged(tag, "BAD", cmd+" unknown")
		}
	}
}

// readLine reads one byte at a time up to and including CRLF, as the
// Python fixture does. At end of input it returns what it has and the error.
func (c *fsConn) readLine() ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := c.rw.Read(b[:])
		if n == 1 {
			line = append(line, b[0])
			if bytes.HasSuffix(line, []byte("\r\n")) {
				c.srv.record(line)
				return line, nil
			}
		}
		if err != nil {
			if len(line) > 0 {
				c.srv.record(line)
			}
			return line, err
		}
	}
}

// next is the generator's `line = yield`: the client's next line, or
// false once the client has gone.
func (c *fsConn) next() ([]byte, bool) {
	line, err := c.readLine()
	return line, err == nil
}

// readN reads exactly n bytes, a literal the client announced.
func (c *fsConn) readN(n int) ([]byte, error) {
	b := make([]byte, n)
	got, err := io.ReadFull(c.rw, b)
	if got > 0 {
		c.srv.record(b[:got])
	}
	return b[:got], err
}

// send writes raw bytes; a client that went away is not the server's
// problem.
func (c *fsConn) send(b []byte) { c.rw.Write(b) }

func (c *fsConn) sendLine(s string) { c.send([]byte(s + "\r\n")) }

func (c *fsConn) sendTagged(tag, code, msg string) { c.sendLine(tag + " " + code + " " + msg) }

// sleep waits d, or less if the server is stopping; it reports whether the
// whole wait happened.
func (c *fsConn) sleep(d time.Duration) bool {
	select {
	case <-c.srv.done:
		return false
	case <-time.After(d):
		return true
	}
}

// startTLS turns the connection into the server side of a TLS session, as
// a STARTTLS handler does after its OK.
func (c *fsConn) startTLS(conf *tls.Config) error {
	tc := tls.Server(c.nc, conf)
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		return err
	}
	tc.SetDeadline(time.Time{})
	c.nc, c.rw = tc, tc
	return nil
}

// fsSetup starts a server for h, plain or TLS, and connects to it, as
// CPython's _setup does; the client is shut down at the end of the test
// unless it logged out.
func fsSetup(t testing.TB, h *fsHandler, ssl bool) (*IMAP4, *fsServer) {
	t.Helper()
	var conf *tls.Config
	if ssl {
		conf = fsServerTLS(fsTestPKI(t).full)
	}
	s := fsStartServer(t, h, conf)
	m, err := s.dial(10 * time.Second)
	require.NoError(t, err)
	t.Cleanup(func() {
		if m.State != "LOGOUT" {
			m.Shutdown()
		}
	})
	return m, s
}

// fsProfile makes connections constructed during the test use profile c.
func fsProfile(t testing.TB, c Compat) {
	saved := DefaultCompat
	DefaultCompat = c
	t.Cleanup(func() { DefaultCompat = saved })
}

// fsTagRe matches the tag at the start of a client line: CPython's tag
// prefixes are four letters from A to P.
var fsTagRe = regexp.MustCompile(`(?m)^[A-P]{4}(\d+) `)

// fsNormTags replaces the random tag prefix at the start of each line with
// "TAG", keeping the number.
func fsNormTags(s string) string { return fsTagRe.ReplaceAllString(s, "TAG$1 ") }

// fsPKI is the throwaway certificate authority of the TLS tests.
type fsPKI struct {
	pool *x509.CertPool
	// full is valid for localhost, 127.0.0.1 and ::1.
	full tls.Certificate
	// dnsOnly is valid for localhost only, like CPython's keycert3.pem.
	dnsOnly tls.Certificate
	// selfSigned is a self-signed certificate for localhost and 127.0.0.1
	// that no pool trusts.
	selfSigned tls.Certificate
}

var (
	fsPKIOnce sync.Once
	fsPKIVal  *fsPKI
	fsPKIErr  error
)

func fsTestPKI(t testing.TB) *fsPKI {
	t.Helper()
	fsPKIOnce.Do(func() { fsPKIVal, fsPKIErr = fsMakePKI() })
	require.NoError(t, fsPKIErr)
	return fsPKIVal
}

func fsMakePKI() (*fsPKI, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "imaplib test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leaf := func(serial int64, ips []net.IP, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (tls.Certificate, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: "localhost"},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames:     []string{"localhost"},
			IPAddresses:  ips,
		}
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
	}
	p := &fsPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	loopback := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if p.full, err = leaf(2, loopback, caCert, caKey); err != nil {
		return nil, err
	}
	if p.dnsOnly, err = leaf(3, nil, caCert, caKey); err != nil {
		return nil, err
	}
	if p.selfSigned, err = leaf(4, loopback, nil, nil); err != nil {
		return nil, err
	}
	return p, nil
}

// fsServerTLS is the server side configuration for cert.
func fsServerTLS(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

// fsClientTLS trusts the test CA.
func fsClientTLS() *tls.Config {
	fsPKIOnce.Do(func() { fsPKIVal, fsPKIErr = fsMakePKI() })
	return &tls.Config{RootCAs: fsPKIVal.pool}
}

// fsScriptHandler is a server with capabilities caps whose commands are
// answered from replies, keyed by command name; a command without replies
// (and without a SimpleIMAPHandler command of its own) gets "<tag> OK
// <cmd> completed". Each reply is one step:
//
//	S text   send text and CRLF ({tag} becomes the command's tag)
//	C text   send "+ text" (or "+" when text is empty), then read one line
//	L        send "+ Ready", then read the literal the command line
//	         announced ({N} or ~{N} at its end) and the line that ends it
func fsScriptHandler(caps string, replies map[string][]string) *fsHandler {
	h := &fsHandler{caps: caps, cmds: map[string]fsCmd{}}
	for cmd, steps := range replies {
		h.cmds[cmd] = func(c *fsConn, tag string, args []string) { c.play(tag, steps) }
	}
	h.fallback = func(c *fsConn, tag, cmd string, args []string) {
		c.sendTagged(tag, "OK", cmd+" completed")
	}
	return h
}

// play runs the steps of a scripted answer (see fsScriptHandler).
func (c *fsConn) play(tag string, steps []string) {
	for _, step := range steps {
		op, text, _ := strings.Cut(step, " ")
		text = strings.ReplaceAll(text, "{tag}", tag)
		switch op {
		case "S":
			c.sendLine(text)
		case "C":
			if text == "" {
				c.sendLine("+")
			} else {
				c.sendLine("+ " + text)
			}
			if _, ok := c.next(); !ok {
				return
			}
		case "L":
			lines := c.srv.lines()
			m := fsLiteralRe.FindStringSubmatch(lines[len(lines)-1])
			if m == nil {
				c.sendTagged(tag, "BAD", "no literal announced")
				return
			}
			n, _ := strconv.Atoi(m[1])
			c.sendLine("+ Ready")
			if _, err := c.readN(n); err != nil {
				return
			}
			if _, ok := c.next(); !ok {
				return
			}
		default:
			panic("fsConn.play: unknown step " + step)
		}
	}
}

var fsLiteralRe = regexp.MustCompile(`~?\{(\d+)\}\r\n$`)

// The CPython harness. A small Python driver, written to a temporary
// directory, connects CPython 3.13.0's imaplib to fake servers and reports
// what each call returned, raised and printed at its debug level.

// fsPyJob is one CPython run: connect to port at debug level, run the
// setup statements, then evaluate call (an expression giving (typ, data);
// a data that is a str is reported as it is, anything else as its repr).
type fsPyJob struct {
	Port  int      `json:"port"`
	Debug int      `json:"debug"`
	Setup []string `json:"setup,omitempty"`
	Call  string   `json:"call,omitempty"`
}

// fsPyResult is what a job gave: typ and the repr of data, or the
// exception's class name and str(), and the debug output.
type fsPyResult struct {
	Typ   string `json:"typ"`
	Data  string `json:"data"`
	Class string `json:"class"`
	Error string `json:"error"`
	State string `json:"state"`
	Debug string `json:"debug"`
}

const fsPyDriver = `
import imaplib, io, json, sys

def run(job):
    res = {}
    captured = io.StringIO()
    saved = sys.stderr
    maxline = imaplib._MAXLINE
    imaplib.Debug = job.get('debug', 0)
    sys.stderr = captured
    M = None
    try:
        M = imaplib.IMAP4('127.0.0.1', job['port'], timeout=10)
        ns = {'M': M, 'imaplib': imaplib}
        for stmt in job.get('setup') or []:
            exec(stmt, ns)
        if job.get('call'):
            typ, data = eval(job['call'], ns)
            res['typ'] = typ
            # A call that composes its own text gives a str: kept as is.
            res['data'] = data if isinstance(data, str) else repr(data)
    except Exception as e:
        res['class'] = type(e).__name__
        res['error'] = str(e)
    finally:
        if M is not None:
            res['state'] = M.state
        sys.stderr = saved
        imaplib.Debug = 0
        imaplib._MAXLINE = maxline
        if M is not None and M.state != 'LOGOUT':
            try:
                M.shutdown()
            except Exception:
                pass
    res['debug'] = captured.getvalue()
    return res

print(json.dumps([run(job) for job in json.load(sys.stdin)]))
`

var (
	fsPyOnce sync.Once
	fsPyOK   bool
	fsPyWhy  string
)

// fsCPython reports whether CPython 3.13.0 runs here (as
// `PYENV_VERSION=3.13.0 python3`), and if not, why.
func fsCPython() (bool, string) {
	fsPyOnce.Do(func() {
		cmd := exec.Command("python3", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])")
		cmd.Env = append(os.Environ(), "PYENV_VERSION=3.13.0")
		out, err := cmd.Output()
		switch {
		case err != nil:
			fsPyWhy = "python3 with PYENV_VERSION=3.13.0 does not run: " + err.Error()
		case strings.TrimSpace(string(out)) != "3.13.0":
			fsPyWhy = "python3 with PYENV_VERSION=3.13.0 is " + strings.TrimSpace(string(out))
		default:
			fsPyOK = true
		}
	})
	return fsPyOK, fsPyWhy
}

// fsRunCPython runs the jobs under CPython 3.13.0 and returns one result
// per job. The servers the jobs connect to must be running.
func fsRunCPython(t testing.TB, jobs []fsPyJob) []fsPyResult {
	t.Helper()
	ok, why := fsCPython()
	require.True(t, ok, why)
	script := filepath.Join(t.TempDir(), "driver.py")
	require.NoError(t, os.WriteFile(script, []byte(fsPyDriver), 0o644))
	in, err := json.Marshal(jobs)
	require.NoError(t, err)
	cmd := exec.Command("python3", script)
	cmd.Env = append(os.Environ(), "PYENV_VERSION=3.13.0")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "CPython driver failed: %s", stderr.String())
	var res []fsPyResult
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res, len(jobs))
	return res
}

// fsErrText is "class: message" for an *Error, "go: message" for any other
// error, "" for nil: the same shape as CPython's class name and str().
func fsErrText(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Class() + ": " + e.Error()
	}
	return "go: " + err.Error()
}
