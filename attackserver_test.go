package imaplib

// A tiny scripted IMAP server on 127.0.0.1 for the attack suite and the leak
// tests. Each case gives it a script: a Go function that plays the server's
// side of one connection, byte for byte, including the hostile parts
// (hanging up mid-literal, stalling, injecting lines, sending garbage). The
// same script serves the port and, in the attack suite, a real CPython, so
// that both clients meet exactly the same peer.

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// atServerWait bounds every read and write the scripted server makes, so
// that a client that stops talking cannot hang a script forever.
const atServerWait = 15 * time.Second

// atScript plays the server's side of one connection.
type atScript func(c *atConn)

// atServer is a listening scripted server. It serves connections one after
// the other with the same script, until it is closed.
type atServer struct {
	ln     net.Listener
	script atScript
	tlsCfg *tls.Config // implicit TLS (IMAP4_SSL) when not nil

	mu       sync.Mutex
	conns    []*atConn
	problems []string // script expectations the client did not meet
	wg       sync.WaitGroup
	closed   chan struct{}
}

// atServe starts a scripted server; it is closed, and its goroutines
// joined, when the test ends.
func atServe(t testing.TB, script atScript) *atServer {
	t.Helper()
	s, err := atListen(script, nil)
	if err != nil {
		t.Fatalf("scripted server: %v", err)
	}
	t.Cleanup(s.close)
	return s
}

// atServeTLS starts a scripted server that speaks TLS from the first byte,
// with the given certificate.
func atServeTLS(t testing.TB, cert tls.Certificate, script atScript) *atServer {
	t.Helper()
	s, err := atListen(script, &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatalf("scripted TLS server: %v", err)
	}
	t.Cleanup(s.close)
	return s
}

func atListen(script atScript, cfg *tls.Config) (*atServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &atServer{ln: ln, script: script, tlsCfg: cfg, closed: make(chan struct{})}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

func (s *atServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *atServer) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &atConn{srv: s, raw: nc}
		c.setConn(nc)
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.hangup()
			defer func() {
				// A script stops early with panic(atStop{}) when the client
				// went away; anything else is a bug in the script.
				if r := recover(); r != nil {
					if _, ok := r.(atStop); !ok {
						s.problem("script panic: %v", r)
					}
				}
			}()
			if s.tlsCfg != nil {
				tc := tls.Server(nc, s.tlsCfg)
				nc.SetDeadline(time.Now().Add(atServerWait))
				if err := tc.Handshake(); err != nil {
					c.handshakeErr = err
					return
				}
				nc.SetDeadline(time.Time{})
				c.setConn(tc)
			}
			s.script(c)
		}()
	}
}

// close stops accepting, hangs up every connection and waits for the
// scripts to end.
func (s *atServer) close() {
	select {
	case <-s.closed:
		return
	default:
	}
	close(s.closed)
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.hangup()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// finish waits for the scripts to end by themselves (they do when their
// client hangs up), then closes the server. Use it before reading what the
// server received from a client that has gone.
func (s *atServer) finish(wait time.Duration) {
	s.ln.Close()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(wait):
	}
	s.close()
}

func (s *atServer) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// problemList returns what went differently from the script's
// expectations.
func (s *atServer) problemList() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// received returns every line the server read, on every connection so far.
func (s *atServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.conns {
		out = append(out, c.lines()...)
	}
	return out
}

// atStop unwinds a script whose client has gone.
type atStop struct{}

// atConn is the server's side of one connection, as a script sees it.
type atConn struct {
	srv          *atServer
	raw          net.Conn // the TCP connection, for RST and deadlines
	handshakeErr error

	mu   sync.Mutex
	conn net.Conn // raw, or TLS over it
	rd   *bufio.Reader
	got  []string // the lines read, CRLF removed
	shut bool
}

func (c *atConn) setConn(nc net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = nc
	c.rd = bufio.NewReader(nc)
}

func (c *atConn) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

// write sends s in one write call (so that, on loopback, it arrives in one
// segment when small). It stops the script if the client has gone.
func (c *atConn) write(s string) {
	c.conn.SetWriteDeadline(time.Now().Add(atServerWait))
	if _, err := c.conn.Write([]byte(s)); err != nil {
		panic(atStop{})
	}
}

// tryWrite is write for scripts that expect the client may be gone.
func (c *atConn) tryWrite(s string) error {
	c.conn.SetWriteDeadline(time.Now().Add(atServerWait))
	_, err := c.conn.Write([]byte(s))
	return err
}

// readLine returns the next line from the client without its CRLF, and
// stops the script when the client has gone.
func (c *atConn) readLine() string {
	line, err := c.readLineErr(atServerWait)
	if err != nil {
		panic(atStop{})
	}
	return line
}

func (c *atConn) readLineErr(wait time.Duration) (string, error) {
	c.conn.SetReadDeadline(time.Now().Add(wait))
	line, err := c.rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	c.mu.Lock()
	c.got = append(c.got, line)
	c.mu.Unlock()
	return line, nil
}

// expect reads a command line and returns its tag. A command other than
// want is recorded as a problem; the script goes on.
func (c *atConn) expect(want string) string {
	line := c.readLine()
	tag, rest, _ := strings.Cut(line, " ")
	cmd, _, _ := strings.Cut(rest, " ")
	if !strings.EqualFold(cmd, want) {
		c.srv.problem("expected %s, got %q", want, line)
	}
	return tag
}

// greet sends an OK greeting and answers the CAPABILITY every client sends
// next; caps are added after IMAP4rev1.
func (c *atConn) greet(caps string) {
	c.greetWith("* OK IMAP4rev1 scripted server ready\r\n", caps)
}

// preauth greets with PREAUTH: the client starts in the AUTH state.
func (c *atConn) preauth(caps string) {
	c.greetWith("* PREAUTH IMAP4rev1 scripted server ready\r\n", caps)
}

func (c *atConn) greetWith(greeting, caps string) {
	c.write(greeting)
	tag := c.expect("CAPABILITY")
	if caps != "" {
		caps = " " + caps
	}
	c.write("* CAPABILITY IMAP4rev1" + caps + "\r\n" + tag + " OK CAPABILITY completed\r\n")
}

// selected greets with PREAUTH and answers a SELECT: the client is then in
// the SELECTED state.
func (c *atConn) selected() {
	c.preauth("")
	tag := c.expect("SELECT")
	c.write("* 1 EXISTS\r\n* 0 RECENT\r\n" + tag + " OK [READ-WRITE] SELECT completed\r\n")
}

// serveRest answers whatever else the client sends: LOGOUT with BYE, any
// other command with a tagged OK, until the client hangs up.
func (c *atConn) serveRest() {
	for {
		line, err := c.readLineErr(atServerWait)
		if err != nil {
			return
		}
		tag, rest, _ := strings.Cut(line, " ")
		cmd, _, _ := strings.Cut(rest, " ")
		if strings.EqualFold(cmd, "LOGOUT") {
			c.tryWrite("* BYE logging out\r\n" + tag + " OK LOGOUT completed\r\n")
			return
		}
		if c.tryWrite(tag+" OK "+strings.ToUpper(cmd)+" completed\r\n") != nil {
			return
		}
	}
}

// waitClosed waits until the client closes the connection (or the wait
// runs out), discarding anything it sends.
func (c *atConn) waitClosed(wait time.Duration) {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if _, err := c.readLineErr(time.Until(deadline)); err != nil {
			return
		}
	}
}

// hangup closes the connection; calling it again does nothing.
func (c *atConn) hangup() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shut {
		return
	}
	c.shut = true
	if c.conn != nil {
		c.conn.Close()
	}
	c.raw.Close()
}

// reset closes the connection with a TCP RST instead of a FIN.
func (c *atConn) reset() {
	if tc, ok := c.raw.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.hangup()
}

// startTLS switches the connection to TLS as a server, after the script
// has answered STARTTLS. A failed handshake stops the script.
func (c *atConn) startTLS(cert tls.Certificate) {
	tc := tls.Server(c.raw, &tls.Config{Certificates: []tls.Certificate{cert}})
	c.raw.SetDeadline(time.Now().Add(atServerWait))
	if err := tc.Handshake(); err != nil {
		c.handshakeErr = err
		panic(atStop{})
	}
	c.raw.SetDeadline(time.Time{})
	c.setConn(tc)
}

// atCerts are the certificates of the TLS cases, made once per run: a CA,
// a server certificate it signs for 127.0.0.1 and localhost, one it signs
// for another host only, and a self-signed one for 127.0.0.1.
type atCerts struct {
	caPEM     []byte
	caPool    *x509.CertPool
	good      tls.Certificate
	wrongHost tls.Certificate
	selfSign  tls.Certificate
}

var (
	atCertsOnce sync.Once
	atCertsVal  *atCerts
	atCertsErr  error
)

func atGetCerts(t testing.TB) *atCerts {
	t.Helper()
	atCertsOnce.Do(func() { atCertsVal, atCertsErr = atMakeCerts() })
	if atCertsErr != nil {
		t.Fatalf("making test certificates: %v", atCertsErr)
	}
	return atCertsVal
}

func atMakeCerts() (*atCerts, error) {
	now := time.Now()
	newKey := func() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
		return n
	}
	caKey, err := newKey()
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "imaplib attack-suite CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leaf := func(cn string, dns []string, ips []net.IP, selfSigned bool) (tls.Certificate, error) {
		key, err := newKey()
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames:     dns,
			IPAddresses:  ips,
		}
		parent, signer := caCert, any(caKey)
		if selfSigned {
			parent, signer = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
		if err != nil {
			return tls.Certificate{}, err
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
	}
	loop := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	c := &atCerts{caPool: x509.NewCertPool()}
	c.caPool.AddCert(caCert)
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if c.good, err = leaf("localhost", []string{"localhost"}, loop, false); err != nil {
		return nil, err
	}
	if c.wrongHost, err = leaf("mail.example.org", []string{"mail.example.org"}, nil, false); err != nil {
		return nil, err
	}
	if c.selfSign, err = leaf("localhost", []string{"localhost"}, loop, true); err != nil {
		return nil, err
	}
	return c, nil
}

// caFile writes the CA certificate to a file in the test's directory, for
// a CPython client to trust.
func (c *atCerts) caFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, c.caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// atIsTimeout reports a timeout, however it is wrapped.
func atIsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
