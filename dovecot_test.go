package imaplib_test

// Integration tests against a real Dovecot 2.3 on 127.0.0.1, started once
// for the whole package by scripts/dovecot-up.sh and stopped after the last
// test by a hook that the package's TestMain (main_test.go) runs.
// They use only the public API, in the default (current) profile, as a
// program ported from Python would.
//
// Without dovecot installed these tests skip, or fail when CI=true: install
// it with scripts/install-deps.sh (as root) or run `make test`.

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pyport/imaplib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dvTimeout bounds each read and write on a test connection, so that a
// server that stops answering fails the test instead of hanging it.
const dvTimeout = 10 * time.Second

// dvServer is one running Dovecot started by scripts/dovecot-up.sh.
type dvServer struct {
	dir     string
	env     map[string]string
	upWall  time.Duration // the whole start script, certificate included
	started bool
}

var (
	dvOnce     sync.Once
	dvShared   *dvServer
	dvStartErr error
	// dvTestTime adds up the wall time of the tests that used the server.
	dvTestTime atomic.Int64
)

func init() { imaplib.RegisterAfterTestHook(dvAfterTests) }

// dvAfterTests stops the shared Dovecot after every test has run
// (registered with main_test.go's TestMain).
func dvAfterTests(code int) int {
	if dvShared != nil && dvShared.started {
		t0 := time.Now()
		err := dvShared.stop()
		down := time.Since(t0)
		fmt.Fprintf(os.Stderr, "dovecot: up in %s ms (start script %d ms), real-server tests %.1f s, down %d ms\n",
			dvShared.env["DOVECOT_STARTUP_MS"], dvShared.upWall.Milliseconds(),
			time.Duration(dvTestTime.Load()).Seconds(), down.Milliseconds())
		if err != nil {
			fmt.Fprintf(os.Stderr, "dovecot: stopping the test server: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		if code == 0 {
			os.RemoveAll(dvShared.dir)
		} else {
			fmt.Fprintf(os.Stderr, "dovecot: logs kept in %s\n", filepath.Join(dvShared.dir, "log"))
		}
	}
	return code
}

// dvInstalled reports whether the Dovecot binaries the scripts run exist.
func dvInstalled() bool {
	for _, p := range []string{
		dvGetenv("DOVECOT_BIN", "/usr/sbin/dovecot"),
		dvGetenv("DOVECOT_IMAP_BIN", "/usr/lib/dovecot/imap"),
	} {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

func dvGetenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// dvRequireDovecot skips the test when Dovecot is missing, except on CI,
// where a missing server must not pass unnoticed.
func dvRequireDovecot(t *testing.T) {
	t.Helper()
	if dvInstalled() {
		return
	}
	msg := "dovecot is not installed: run `make test` (it installs it) or scripts/install-deps.sh as root"
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// dvServerFor returns the shared server, starting it on first use.
func dvServerFor(t *testing.T) *dvServer {
	t.Helper()
	dvRequireDovecot(t)
	dvOnce.Do(func() {
		dvShared, dvStartErr = dvStart("imaplib-dovecot-")
	})
	require.NoError(t, dvStartErr, "starting the shared dovecot")
	start := time.Now()
	t.Cleanup(func() { dvTestTime.Add(int64(time.Since(start))) })
	return dvShared
}

// dvStart runs scripts/dovecot-up.sh in a new temporary directory.
func dvStart(prefix string) (*dvServer, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	s := &dvServer{dir: dir}
	t0 := time.Now()
	out, err := dvRunScript("dovecot-up.sh", dir)
	s.upWall = time.Since(t0)
	if err != nil {
		// the script has already stopped whatever it started
		os.RemoveAll(dir)
		return nil, fmt.Errorf("scripts/dovecot-up.sh: %v\n%s", err, out)
	}
	s.started = true
	raw, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		s.stop()
		return nil, err
	}
	s.env = dvParseEnv(string(raw))
	for _, k := range []string{"IMAP_HOST", "IMAP_PORT", "IMAPS_PORT", "IMAP_USER", "IMAP_PASSWORD",
		"IMAP_USER2", "IMAP_PASSWORD2", "IMAP_MASTER_USER", "IMAP_MASTER_PASSWORD",
		"IMAP_MASTER_SEPARATOR", "IMAP_SEPARATOR", "IMAP_CA_CERT", "IMAP_STDIO_CMD", "DOVECOT_PID"} {
		if s.env[k] == "" {
			s.stop()
			return nil, fmt.Errorf("%s/env lacks %s", dir, k)
		}
	}
	return s, nil
}

// stop runs scripts/dovecot-down.sh for the server's directory.
func (s *dvServer) stop() error {
	if !s.started {
		return nil
	}
	s.started = false
	if out, err := dvRunScript("dovecot-down.sh", s.dir); err != nil {
		return fmt.Errorf("scripts/dovecot-down.sh: %v\n%s", err, out)
	}
	return nil
}

// dvRunScript runs one of the scripts with a time limit. The scripts live
// in scripts/ beside this file; go test runs in the package directory.
func dvRunScript(name string, args ...string) ([]byte, error) {
	path, err := filepath.Abs(filepath.Join("scripts", name))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("bash", append([]string{path}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	done := make(chan struct{})
	timer := time.AfterFunc(60*time.Second, func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
		}
		close(done)
	})
	out, err := cmd.CombinedOutput()
	if !timer.Stop() {
		<-done
		return out, fmt.Errorf("timed out after 60 s: %v", err)
	}
	return out, err
}

// dvParseEnv reads the KEY=value lines of DIR/env, undoing sh quoting
// ('...', and \x outside quotes).
func dvParseEnv(s string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		key, raw, ok := strings.Cut(line, "=")
		if !ok || key == "" || strings.HasPrefix(key, "#") {
			continue
		}
		var val strings.Builder
		for i := 0; i < len(raw); i++ {
			switch c := raw[i]; c {
			case '\'':
				j := strings.IndexByte(raw[i+1:], '\'')
				if j < 0 {
					j = len(raw) - i - 1
				}
				val.WriteString(raw[i+1 : i+1+j])
				i += j + 1
			case '\\':
				if i+1 < len(raw) {
					i++
					val.WriteByte(raw[i])
				}
			default:
				val.WriteByte(c)
			}
		}
		env[key] = val.String()
	}
	return env
}

func (s *dvServer) port(t *testing.T, key string) int {
	t.Helper()
	p, err := strconv.Atoi(s.env[key])
	require.NoError(t, err, key)
	return p
}

// caPool holds the server's freshly made CA, and nothing else.
func (s *dvServer) caPool(t *testing.T) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(s.env["IMAP_CA_CERT"])
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pem), "no certificate in %s", s.env["IMAP_CA_CERT"])
	return pool
}

// dvDial connects to the plain port; the connection is closed when the
// test ends.
func dvDial(t *testing.T, s *dvServer) *imaplib.IMAP4 {
	t.Helper()
	m, err := imaplib.NewIMAP4(s.env["IMAP_HOST"], s.port(t, "IMAP_PORT"), dvTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { dvClose(m) })
	dvCurrentProfile(t, m)
	return m
}

// dvCurrentProfile makes sure the connection got the default profile these
// tests are written for: another test that changed DefaultCompat and did not
// restore it would show up here rather than as odd server replies.
func dvCurrentProfile(t *testing.T, m *imaplib.IMAP4) {
	t.Helper()
	require.Equal(t, imaplib.CompatCurrent, m.Compat, "imaplib.DefaultCompat was left changed")
}

// dvClose logs out if the session is still open, then makes sure the
// connection is closed.
func dvClose(m *imaplib.IMAP4) {
	if m.State != "LOGOUT" {
		m.Logout()
	}
	m.Shutdown()
}

// dvLogin connects and logs in as the given account: "" is the main test
// user, "2" the second one.
func dvLogin(t *testing.T, s *dvServer, which string) *imaplib.IMAP4 {
	t.Helper()
	m := dvDial(t, s)
	typ, _, err := m.Login(s.env["IMAP_USER"+which], s.env["IMAP_PASSWORD"+which])
	require.NoError(t, err)
	require.Equal(t, "OK", typ)
	return m
}

// dvBox returns a mailbox name no other test or run uses.
func dvBox(t *testing.T, what string) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "dv-" + what + "-" + hex.EncodeToString(b)
}

// dvMust checks a step that has to succeed, as dvMust(t)(m.Create(box)),
// and returns its data.
func dvMust(t *testing.T) func(typ string, data [][]byte, err error) [][]byte {
	t.Helper()
	return func(typ string, data [][]byte, err error) [][]byte {
		t.Helper()
		require.NoError(t, err)
		require.Equal(t, "OK", typ, "data: %s", imaplib.Repr(data))
		return data
	}
}

// dvPrefix checks that data is a single element starting with prefix:
// Dovecot appends timings like "(0.001 + 0.000 secs)." to its texts.
func dvPrefix(t *testing.T, data [][]byte, prefix string) {
	t.Helper()
	if assert.Len(t, data, 1) {
		assert.True(t, bytes.HasPrefix(data[0], []byte(prefix)), "got %s, want prefix %q", imaplib.Repr(data), prefix)
	}
}

func dvBytes(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// The messages appended by the fetch, search, sort and UID tests: LF line
// endings on purpose, which APPEND turns into CRLF. Message 2 answers 1;
// message 3 stands alone.
var dvMessages = []string{
	"From: Alice Example <alice@example.org>\n" +
		"To: Bob <bob@example.org>\n" +
		"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Alice\n" +
		"Date: Mon, 1 Jan 2024 10:00:00 +0000\n" +
		"Message-ID: <m1@example.org>\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\n" +
		"\n" +
		"Hello Bob.\n",
	"From: Bob <bob@example.org>\n" +
		"To: Alice Example <alice@example.org>\n" +
		"Subject: Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Alice\n" +
		"Date: Tue, 2 Jan 2024 10:00:00 +0000\n" +
		"Message-ID: <m2@example.org>\n" +
		"In-Reply-To: <m1@example.org>\n" +
		"References: <m1@example.org>\n" +
		"\n" +
		"Hi Alice.\n",
	"From: Carol <carol@example.org>\n" +
		"To: Bob <bob@example.org>\n" +
		"Subject: Other topic\n" +
		"Date: Wed, 3 Jan 2024 10:00:00 +0000\n" +
		"Message-ID: <m3@example.org>\n" +
		"\n" +
		"Something else.\n",
}

func dvCRLF(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// dvFilledBox creates a mailbox holding dvMessages (the first one \Seen)
// and selects it.
func dvFilledBox(t *testing.T, m *imaplib.IMAP4, what string) string {
	t.Helper()
	box := dvBox(t, what)
	dvMust(t)(m.Create(box))
	for i, msg := range dvMessages {
		flags := ""
		if i == 0 {
			flags = `(\Seen)`
		}
		date := time.Date(2024, 1, 1+i, 12, 0, 0, 0, time.UTC)
		dvMust(t)(m.Append(box, flags, date, []byte(msg)))
	}
	data := dvMust(t)(m.Select(box, false))
	require.Equal(t, dvBytes("3"), data)
	return box
}

// dvNoHang runs f and fails the test if it has not returned in time: a
// dead peer must produce an error, never a hang.
func dvNoHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(3 * dvTimeout):
		t.Fatalf("%s did not return", what)
	}
}

// dvAssertClass checks err is an *imaplib.Error of the given class.
func dvAssertClass(t *testing.T, err error, class string) *imaplib.Error {
	t.Helper()
	var e *imaplib.Error
	if !assert.ErrorAs(t, err, &e) {
		return nil
	}
	assert.Equal(t, class, e.Class(), "error %q", e.Error())
	return e
}

func TestDovecotLogin(t *testing.T) {
	s := dvServerFor(t)
	cases := []struct {
		name, user, password string
	}{
		{"first user", s.env["IMAP_USER"], s.env["IMAP_PASSWORD"]},
		{"second user", s.env["IMAP_USER2"], s.env["IMAP_PASSWORD2"]},
		{"master user", s.env["IMAP_USER"] + s.env["IMAP_MASTER_SEPARATOR"] + s.env["IMAP_MASTER_USER"], s.env["IMAP_MASTER_PASSWORD"]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := dvDial(t, s)
			assert.Equal(t, "NONAUTH", m.State)
			assert.True(t, bytes.HasPrefix(m.Welcome, []byte("* OK [CAPABILITY IMAP4rev1 ")), "welcome %q", m.Welcome)
			assert.Equal(t, "IMAP4REV1", m.ProtocolVersion)
			assert.Contains(t, m.Capabilities, "STARTTLS")
			assert.Contains(t, m.Capabilities, "AUTH=CRAM-MD5")

			typ, data, err := m.Login(tc.user, tc.password)
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, dvBytes("Logged in"), data)
			assert.Equal(t, "AUTH", m.State)

			data = dvMust(t)(m.Select("", false))
			assert.Len(t, data, 1, "EXISTS of INBOX")
			assert.Equal(t, "SELECTED", m.State)

			typ, data, err = m.Logout()
			require.NoError(t, err)
			assert.Equal(t, "BYE", typ)
			assert.Equal(t, dvBytes("Logging out"), data)
			assert.Equal(t, "LOGOUT", m.State)
		})
	}
}

func TestDovecotLoginCRAMMD5(t *testing.T) {
	s := dvServerFor(t)
	m := dvDial(t, s)
	typ, data, err := m.LoginCRAMMD5(s.env["IMAP_USER2"], s.env["IMAP_PASSWORD2"])
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes("Logged in"), data)
	assert.Equal(t, "AUTH", m.State)
	dvMust(t)(m.Noop())
}

func TestDovecotAuthenticatePLAIN(t *testing.T) {
	s := dvServerFor(t)
	// a mailbox only the first user has, to tell whose session we get
	owner := dvLogin(t, s, "")
	box := dvBox(t, "authz")
	dvMust(t)(owner.Create(box))

	user, pass := s.env["IMAP_USER"], s.env["IMAP_PASSWORD"]
	cases := []struct {
		name, response string
	}{
		{"own credentials", "\x00" + user + "\x00" + pass},
		// authorization identity: act as the user with the master's password
		{"master user with authzid", user + "\x00" + s.env["IMAP_MASTER_USER"] + "\x00" + s.env["IMAP_MASTER_PASSWORD"]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := dvDial(t, s)
			var challenges [][]byte
			typ, data, err := m.Authenticate("PLAIN", func(challenge []byte) []byte {
				challenges = append(challenges, challenge)
				return []byte(tc.response)
			})
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, dvBytes("Logged in"), data)
			assert.Equal(t, "AUTH", m.State)
			assert.Equal(t, [][]byte{{}}, challenges, "PLAIN starts with an empty challenge")

			data = dvMust(t)(m.List("", box))
			if assert.Len(t, data, 1) {
				assert.True(t, bytes.HasSuffix(data[0], []byte(`"/" `+box)), "LIST %s", imaplib.Repr(data))
			}
			dvMust(t)(m.Select("INBOX", false))
		})
	}
}

func TestDovecotStartTLS(t *testing.T) {
	s := dvServerFor(t)

	t.Run("verified with the test CA", func(t *testing.T) {
		m := dvDial(t, s)
		typ, data, err := m.StartTLS(&tls.Config{RootCAs: s.caPool(t)})
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, [][]byte{nil}, data)
		// capabilities are read again over TLS
		assert.NotContains(t, m.Capabilities, "STARTTLS")
		assert.Contains(t, m.Capabilities, "AUTH=PLAIN")
		if cs, ok := m.Socket().(interface{ ConnectionState() tls.ConnectionState }); assert.True(t, ok, "socket %T is not TLS", m.Socket()) {
			st := cs.ConnectionState()
			assert.True(t, st.HandshakeComplete)
			assert.NotEmpty(t, st.VerifiedChains, "the chain was verified")
		}

		_, _, err = m.StartTLS(&tls.Config{RootCAs: s.caPool(t)})
		if e := dvAssertClass(t, err, "abort"); e != nil {
			assert.Equal(t, "TLS session already established", e.Error())
		}

		typ, _, err = m.Login(s.env["IMAP_USER"], s.env["IMAP_PASSWORD"])
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		dvMust(t)(m.Noop())
	})

	t.Run("nil config refuses the self-signed CA", func(t *testing.T) {
		m := dvDial(t, s)
		_, _, err := m.StartTLS(nil)
		var unknown x509.UnknownAuthorityError
		assert.ErrorAs(t, err, &unknown)
	})

	t.Run("wrong host name", func(t *testing.T) {
		m := dvDial(t, s)
		_, _, err := m.StartTLS(&tls.Config{RootCAs: s.caPool(t), ServerName: "imap.example.org"})
		var host x509.HostnameError
		assert.ErrorAs(t, err, &host)
	})
}

func TestDovecotIMAP4SSL(t *testing.T) {
	s := dvServerFor(t)
	port := s.port(t, "IMAPS_PORT")

	// the certificate names both; localhost may be tried on ::1 first
	for _, host := range []string{s.env["IMAP_HOST"], "localhost"} {
		t.Run("verified "+host, func(t *testing.T) {
			m, err := imaplib.NewIMAP4_SSL(host, port, &tls.Config{RootCAs: s.caPool(t)}, dvTimeout)
			require.NoError(t, err)
			t.Cleanup(func() { dvClose(m.IMAP4) })
			dvCurrentProfile(t, m.IMAP4)
			assert.Equal(t, "NONAUTH", m.State)
			assert.Equal(t, host, m.Host)
			assert.NotContains(t, m.Capabilities, "STARTTLS")
			typ, data, err := m.Login(s.env["IMAP_USER"], s.env["IMAP_PASSWORD"])
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, dvBytes("Logged in"), data)
			dvMust(t)(m.Select("", true))
		})
	}

	t.Run("nil config refuses the self-signed CA", func(t *testing.T) {
		m, err := imaplib.NewIMAP4_SSL(s.env["IMAP_HOST"], port, nil, dvTimeout)
		var unknown x509.UnknownAuthorityError
		assert.ErrorAs(t, err, &unknown)
		assert.Nil(t, m)
	})
}

// dvStdioCmd is the IMAP4_stream command line for a user.
func dvStdioCmd(t *testing.T, s *dvServer, user string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("scripts", "dovecot-stdio.sh"))
	require.NoError(t, err)
	return dvShQuote(script) + " " + dvShQuote(s.dir) + " " + dvShQuote(user)
}

func dvShQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func TestDovecotStream(t *testing.T) {
	s := dvServerFor(t)
	box := dvBox(t, "stream")
	cases := []struct {
		name, command, user string
	}{
		{"IMAP_STDIO_CMD", s.env["IMAP_STDIO_CMD"], s.env["IMAP_USER"]},
		{"second user", dvStdioCmd(t, s, s.env["IMAP_USER2"]), s.env["IMAP_USER2"]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := imaplib.NewIMAP4_stream(tc.command)
			require.NoError(t, err)
			t.Cleanup(func() { dvClose(m.IMAP4) })
			dvCurrentProfile(t, m.IMAP4)
			assert.True(t, bytes.HasPrefix(m.Welcome, []byte("* PREAUTH [CAPABILITY IMAP4rev1 ")), "welcome %q", m.Welcome)
			assert.True(t, bytes.HasSuffix(m.Welcome, []byte("Logged in as "+tc.user)), "welcome %q", m.Welcome)
			assert.Equal(t, "AUTH", m.State)
			assert.Contains(t, m.Capabilities, "QUOTA")
			assert.Nil(t, m.Socket())

			dvMust(t)(m.Create(box))
			data := dvMust(t)(m.List("", box))
			assert.Equal(t, dvBytes(`(\HasNoChildren) "/" `+box), data)
			dvMust(t)(m.Append(box, "", nil, []byte(dvMessages[2])))
			data = dvMust(t)(m.Select(box, false))
			assert.Equal(t, dvBytes("1"), data)

			typ, data, err := m.Logout()
			require.NoError(t, err)
			assert.Equal(t, "BYE", typ)
			assert.Equal(t, dvBytes("Logging out"), data)
		})
	}

	// the stream session wrote into the same mail store the daemon serves
	m := dvLogin(t, s, "")
	data := dvMust(t)(m.Status(box, "(MESSAGES)"))
	assert.Equal(t, dvBytes(box+" (MESSAGES 1)"), data)
}

func TestDovecotMailboxes(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	base := dvBox(t, "mbox")
	spaced := base + " with space"
	child := base + "/child"
	renamed := base + "-renamed"

	for _, name := range []string{base, spaced, child} {
		typ, data, err := m.Create(name)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ, name)
		dvPrefix(t, data, "Create completed")
	}

	data := dvMust(t)(m.List("", base+"*"))
	assert.ElementsMatch(t, dvBytes(
		`(\HasChildren) "/" `+base,
		`(\HasNoChildren) "/" `+child,
		`(\HasNoChildren) "/" "`+spaced+`"`,
	), data)

	// the % wildcard stops at the hierarchy separator
	data = dvMust(t)(m.List(base, "/%"))
	assert.Equal(t, dvBytes(`(\HasNoChildren) "/" `+child), data)

	typ, data, err := m.Rename(spaced, renamed)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	dvPrefix(t, data, "Rename completed")
	data = dvMust(t)(m.List("", base+"*"))
	assert.ElementsMatch(t, dvBytes(
		`(\HasChildren) "/" `+base,
		`(\HasNoChildren) "/" `+child,
		`(\HasNoChildren) "/" `+renamed,
	), data)

	typ, data, err = m.Subscribe(base)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	dvPrefix(t, data, "Subscribe completed")
	data = dvMust(t)(m.Lsub("", base))
	assert.Equal(t, dvBytes(`() "/" `+base), data)
	typ, data, err = m.Unsubscribe(base)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	dvPrefix(t, data, "Unsubscribe completed")
	data = dvMust(t)(m.Lsub("", base))
	assert.Equal(t, [][]byte{nil}, data, "no LSUB line is Python's [None]")

	data = dvMust(t)(m.Status(base, "(MESSAGES UIDNEXT UNSEEN)"))
	assert.Equal(t, dvBytes(base+" (MESSAGES 0 UIDNEXT 1 UNSEEN 0)"), data)

	for _, name := range []string{child, renamed} {
		typ, data, err := m.Delete(name)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ, name)
		dvPrefix(t, data, "Delete completed")
	}
	data = dvMust(t)(m.List("", base+"*"))
	assert.Equal(t, dvBytes(`(\HasNoChildren) "/" `+base), data)
}

func TestDovecotAppendSelectExamine(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	box := dvBox(t, "append")
	dvMust(t)(m.Create(box))

	when := time.Date(2023, 11, 14, 22, 13, 20, 0, time.FixedZone("", 2*3600))
	cases := []struct {
		name      string
		flags     string
		date      any
		wantFlags []string
		wantDate  time.Time // zero: the server's clock
	}{
		{"flags list and time.Time", `(\Seen \Flagged)`, when, []string{`\Seen`, `\Flagged`}, when},
		{"bare flag and Unix seconds", `\Answered`, when.Unix() + 60, []string{`\Answered`}, when.Add(time.Minute)},
		{"no flags, no date", "", nil, nil, time.Time{}},
	}
	for i, tc := range cases {
		seq := strconv.Itoa(i + 1)
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now().Add(-2 * time.Second)
			typ, data, err := m.Append(box, tc.flags, tc.date, []byte(dvMessages[i]))
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			if assert.Len(t, data, 1) {
				assert.Regexp(t, `^\[APPENDUID \d+ `+seq+`\] Append completed`, string(data[0]))
			}
			typ, data, err = m.Response("APPENDUID")
			require.NoError(t, err)
			assert.Equal(t, "APPENDUID", typ)
			if assert.Len(t, data, 1) {
				assert.Regexp(t, `^\d+ `+seq+`$`, string(data[0]))
			}

			data = dvMust(t)(m.Select(box, true))
			assert.Equal(t, dvBytes(seq), data)
			data = dvMust(t)(m.Fetch(seq, "(FLAGS INTERNALDATE)"))
			require.Len(t, data, 1)
			flags := imaplib.ParseFlags(data[0])
			for _, f := range tc.wantFlags {
				assert.Contains(t, flags, []byte(f))
			}
			if tc.wantFlags == nil {
				assert.NotContains(t, flags, []byte(`\Seen`))
			}
			got, ok := imaplib.Internaldate2tuple(data[0])
			require.True(t, ok, "INTERNALDATE in %q", data[0])
			if tc.wantDate.IsZero() {
				assert.WithinRange(t, got, before, time.Now().Add(2*time.Second))
			} else {
				assert.True(t, got.Equal(tc.wantDate), "INTERNALDATE %v, want %v", got, tc.wantDate)
			}
		})
	}

	t.Run("select", func(t *testing.T) {
		typ, data, err := m.Select(box, false)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, dvBytes("3"), data)
		assert.Equal(t, "SELECTED", m.State)
		assert.False(t, m.IsReadonly)
		_, data, err = m.Response("READ-ONLY")
		require.NoError(t, err)
		assert.Equal(t, [][]byte{nil}, data)
		_, data, err = m.Response("UIDNEXT")
		require.NoError(t, err)
		assert.Equal(t, dvBytes("4"), data)
	})

	t.Run("examine", func(t *testing.T) {
		typ, data, err := m.Select(box, true)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, dvBytes("3"), data)
		assert.Equal(t, "SELECTED", m.State)
		assert.True(t, m.IsReadonly)
		typ, data, err = m.Response("READ-ONLY")
		require.NoError(t, err)
		assert.Equal(t, "READ-ONLY", typ)
		assert.Equal(t, [][]byte{{}}, data)
		// reading does not set \Seen in an examined mailbox
		dvMust(t)(m.Fetch("3", "(BODY[])"))
		data = dvMust(t)(m.Fetch("3", "(FLAGS)"))
		assert.NotContains(t, imaplib.ParseFlags(data[0]), []byte(`\Seen`))
	})
}

func TestDovecotFetch(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	dvFilledBox(t, m, "fetch")

	t.Run("RFC822 round trip", func(t *testing.T) {
		for i, msg := range dvMessages {
			seq := strconv.Itoa(i + 1)
			data := dvMust(t)(m.Fetch(seq, "(RFC822)"))
			items := imaplib.Items(data)
			require.NotEmpty(t, items)
			assert.True(t, items[0].Tuple)
			// an unseen message gets its new FLAGS in the same response
			assert.Regexp(t, fmt.Sprintf(`^%s \(.*RFC822 \{%d\}$`, seq, len(dvCRLF(msg))), string(items[0].Bytes))
			assert.Equal(t, string(dvCRLF(msg)), string(items[0].Literal), "byte-exact after CRLF normalisation")
		}
	})

	t.Run("header fields", func(t *testing.T) {
		data := dvMust(t)(m.Fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
		items := imaplib.Items(data)
		require.Len(t, items, 2)
		assert.Equal(t, "1 (BODY[HEADER.FIELDS (SUBJECT)] {51}", string(items[0].Bytes))
		assert.Equal(t, "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Alice\r\n\r\n", string(items[0].Literal))
		assert.Equal(t, imaplib.Item{Bytes: []byte(")")}, items[1])
	})

	t.Run("partial", func(t *testing.T) {
		data := dvMust(t)(m.Fetch("2", "(BODY[]<0.10>)"))
		items := imaplib.Items(data)
		require.Len(t, items, 2)
		assert.Equal(t, "2 (BODY[]<0> {10}", string(items[0].Bytes))
		assert.Equal(t, "From: Bob ", string(items[0].Literal))

		data = dvMust(t)(m.UID("FETCH", "3", "(BODY.PEEK[TEXT]<10.4>)"))
		items = imaplib.Items(data)
		require.NotEmpty(t, items)
		assert.Equal(t, "else", string(items[0].Literal))
	})

	t.Run("bodystructure and envelope", func(t *testing.T) {
		data := dvMust(t)(m.Fetch("1", "(BODYSTRUCTURE ENVELOPE)"))
		require.Len(t, data, 1)
		line := string(data[0])
		assert.Contains(t, line, `BODYSTRUCTURE ("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 12 1 `)
		assert.Contains(t, line, `ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Alice" (("Alice Example" NIL "alice" "example.org"))`)
		assert.Contains(t, line, `(("Bob" NIL "bob" "example.org")) NIL NIL NIL "<m1@example.org>")`)
	})

	t.Run("several messages", func(t *testing.T) {
		data := dvMust(t)(m.Fetch("1:3", "(FLAGS RFC822.SIZE)"))
		require.Len(t, data, 3)
		for i, line := range data {
			assert.True(t, bytes.HasPrefix(line, []byte(strconv.Itoa(i+1)+" (")), "%q", line)
			assert.Contains(t, string(line), fmt.Sprintf("RFC822.SIZE %d", len(dvCRLF(dvMessages[i]))))
		}
	})
}

func TestDovecotSearch(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	dvFilledBox(t, m, "search")

	cases := []struct {
		name     string
		charset  string
		criteria []string
		want     string
	}{
		{"all", "", []string{"ALL"}, "1 2 3"},
		{"key and value apart", "", []string{"FROM", "alice"}, "1"},
		{"value already quoted", "", []string{"FROM", `"bob@example.org"`}, "2"},
		{"parenthesised", "", []string{`(FROM "carol")`}, "3"},
		{"value with a space", "", []string{"SUBJECT", "Other topic"}, "3"},
		{"unseen", "", []string{"UNSEEN"}, "2 3"},
		{"sent since", "", []string{"SENTSINCE", "02-Jan-2024"}, "2 3"},
		{"header", "", []string{"HEADER", "In-Reply-To", "<m1@example.org>"}, "2"},
		{"no match", "", []string{"FROM", "nobody"}, ""},
		{"charset UTF-8", "UTF-8", []string{"SUBJECT", "grüße"}, "1 2"},
		{"charset UTF-8 body", "UTF-8", []string{"BODY", "Hello"}, "1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ, data, err := m.Search(tc.charset, tc.criteria...)
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, dvBytes(tc.want), data)
		})
	}
}

func TestDovecotStoreCopyExpunge(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	box := dvFilledBox(t, m, "store")
	dest := dvBox(t, "copy")
	dvMust(t)(m.Create(dest))

	data := dvMust(t)(m.Store("1", "+FLAGS", `(\Answered)`))
	require.Len(t, data, 1)
	assert.True(t, bytes.HasPrefix(data[0], []byte("1 (FLAGS (")), "%q", data[0])
	flags := imaplib.ParseFlags(data[0])
	assert.Contains(t, flags, []byte(`\Answered`))
	assert.Contains(t, flags, []byte(`\Seen`))

	data = dvMust(t)(m.Store("2", "+FLAGS.SILENT", `\Flagged`))
	assert.Equal(t, [][]byte{nil}, data, ".SILENT sends no FETCH back")
	data = dvMust(t)(m.Fetch("2", "(FLAGS)"))
	assert.Contains(t, imaplib.ParseFlags(data[0]), []byte(`\Flagged`))

	data = dvMust(t)(m.Store("1", "-FLAGS", `(\Seen)`))
	assert.NotContains(t, imaplib.ParseFlags(data[0]), []byte(`\Seen`))

	typ, data, err := m.Copy("1:2", dest)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	if assert.Len(t, data, 1) {
		assert.Regexp(t, `^\[COPYUID \d+ 1:2 1:2\] Copy completed`, string(data[0]))
	}
	data = dvMust(t)(m.Status(dest, "(MESSAGES)"))
	assert.Equal(t, dvBytes(dest+" (MESSAGES 2)"), data)

	dvMust(t)(m.Store("2", "+FLAGS", `(\Deleted)`))
	typ, data, err = m.Expunge()
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes("2"), data)
	data = dvMust(t)(m.Select(box, false))
	assert.Equal(t, dvBytes("2"), data)
}

func TestDovecotUID(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	box := dvFilledBox(t, m, "uid")
	dest := dvBox(t, "uiddest")
	dvMust(t)(m.Create(dest))

	data := dvMust(t)(m.UID("SEARCH", "", "ALL"))
	assert.Equal(t, dvBytes("1 2 3"), data)
	data = dvMust(t)(m.UID("search", "FROM", "carol"))
	assert.Equal(t, dvBytes("3"), data)

	data = dvMust(t)(m.UID("FETCH", "1:*", "(UID FLAGS)"))
	require.Len(t, data, 3)
	for i, line := range data {
		assert.Contains(t, string(line), fmt.Sprintf("UID %d FLAGS (", i+1))
	}

	data = dvMust(t)(m.UID("STORE", "2", "+FLAGS", `(\Flagged)`))
	require.Len(t, data, 1)
	assert.Contains(t, string(data[0]), "UID 2")
	assert.Contains(t, imaplib.ParseFlags(data[0]), []byte(`\Flagged`))

	typ, data, err := m.UID("COPY", "1", dest)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, [][]byte{nil}, data, "UID returns the untagged FETCH data")
	_, data, err = m.Response("COPYUID")
	require.NoError(t, err)
	if assert.Len(t, data, 1) {
		assert.Regexp(t, `^\d+ 1 1$`, string(data[0]))
	}

	typ, _, err = m.UID("MOVE", "3", dest)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	_, data, err = m.Response("COPYUID")
	require.NoError(t, err)
	if assert.Len(t, data, 1) {
		assert.Regexp(t, `^\d+ 3 2$`, string(data[0]))
	}
	_, data, err = m.Response("EXPUNGE")
	require.NoError(t, err)
	assert.Equal(t, dvBytes("3"), data)
	data = dvMust(t)(m.Status(dest, "(MESSAGES)"))
	assert.Equal(t, dvBytes(dest+" (MESSAGES 2)"), data)

	dvMust(t)(m.UID("STORE", "1", "+FLAGS.SILENT", `(\Deleted)`))
	typ, _, err = m.UID("EXPUNGE", "1")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	data = dvMust(t)(m.UID("SEARCH", "", "ALL"))
	assert.Equal(t, dvBytes("2"), data)

	data = dvMust(t)(m.Select(box, true))
	assert.Equal(t, dvBytes("1"), data)
}

func TestDovecotSortThread(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	dvFilledBox(t, m, "sort")

	sorts := []struct {
		criteria string
		want     string
	}{
		{"REVERSE DATE", "3 2 1"},
		{"(ARRIVAL)", "1 2 3"},
		{"FROM", "1 2 3"},
		{"(REVERSE FROM)", "3 2 1"},
	}
	for _, tc := range sorts {
		t.Run("sort "+tc.criteria, func(t *testing.T) {
			typ, data, err := m.Sort(tc.criteria, "UTF-8", "ALL")
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, dvBytes(tc.want), data)
		})
	}
	t.Run("uid sort", func(t *testing.T) {
		data := dvMust(t)(m.UID("SORT", "(REVERSE DATE)", "UTF-8", "ALL"))
		assert.Equal(t, dvBytes("3 2 1"), data)
	})

	for _, algo := range []string{"REFERENCES", "ORDEREDSUBJECT"} {
		t.Run("thread "+algo, func(t *testing.T) {
			typ, data, err := m.Thread(algo, "UTF-8", "ALL")
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, dvBytes("(1 2)(3)"), data)
		})
	}
	t.Run("uid thread", func(t *testing.T) {
		data := dvMust(t)(m.UID("THREAD", "REFERENCES", "UTF-8", "ALL"))
		assert.Equal(t, dvBytes("(1 2)(3)"), data)
	})
}

func TestDovecotNamespace(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	typ, data, err := m.Namespace()
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	sep := s.env["IMAP_SEPARATOR"]
	assert.Equal(t, dvBytes(fmt.Sprintf(`(("" "%s")) (("shared%s" "%s")) NIL`, sep, sep, sep)), data)
}

func TestDovecotEnable(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	typ, data, err := m.Enable("CONDSTORE")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	dvPrefix(t, data, "Enabled")
	typ, data, err = m.Response("ENABLED")
	require.NoError(t, err)
	assert.Equal(t, "ENABLED", typ)
	assert.Equal(t, dvBytes("CONDSTORE"), data)
	assert.False(t, m.UTF8Enabled)

	// Dovecot 2.3 answers OK without enabling UTF8=ACCEPT; like CPython,
	// the OK alone switches the client to UTF-8 mode.
	dvMust(t)(m.Enable("UTF8=ACCEPT"))
	_, data, err = m.Response("ENABLED")
	require.NoError(t, err)
	assert.Equal(t, [][]byte{nil}, data)
	assert.True(t, m.UTF8Enabled)
}

// dvRegister makes an extension command legal in every state, once: XAtom
// alone would register it for the state of its first use only.
func dvRegister(names ...string) {
	for _, n := range names {
		if _, ok := imaplib.Commands.States(n); !ok {
			imaplib.Commands.Register(n, "NONAUTH", "AUTH", "SELECTED")
		}
	}
}

func TestDovecotXAtom(t *testing.T) {
	s := dvServerFor(t)
	dvRegister("ID", "GETMETADATA", "SETMETADATA")
	m := dvLogin(t, s, "")
	box := dvBox(t, "meta")
	dvMust(t)(m.Create(box))

	t.Run("ID", func(t *testing.T) {
		typ, data, err := m.XAtom("ID", `("name" "imaplib-go")`)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		dvPrefix(t, data, "ID completed")
		typ, data, err = m.Response("ID")
		require.NoError(t, err)
		assert.Equal(t, "ID", typ)
		assert.Equal(t, dvBytes(`("name" "Dovecot")`), data)
	})

	t.Run("METADATA", func(t *testing.T) {
		typ, data, err := m.XAtom("SETMETADATA", box, `(/private/comment "hello from go")`)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		dvPrefix(t, data, "Setmetadata completed")

		typ, data, err = m.XAtom("GETMETADATA", box, "/private/comment")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		dvPrefix(t, data, "Getmetadata completed")
		// Dovecot sends the value as a literal: Python's (header, value) tuple
		_, data, err = m.Response("METADATA")
		require.NoError(t, err)
		assert.Equal(t, []imaplib.Item{
			{Bytes: []byte(box + " (/private/comment {13}"), Literal: []byte("hello from go"), Tuple: true},
			{Bytes: []byte(")")},
		}, imaplib.Items(data))

		dvMust(t)(m.XAtom("SETMETADATA", box, "(/private/comment NIL)"))
		dvMust(t)(m.XAtom("GETMETADATA", box, "/private/comment"))
		_, data, err = m.Response("METADATA")
		require.NoError(t, err)
		assert.Equal(t, dvBytes(box+" (/private/comment NIL)"), data)
	})
}

func TestDovecotACL(t *testing.T) {
	s := dvServerFor(t)
	owner := dvLogin(t, s, "")
	user, other := s.env["IMAP_USER"], s.env["IMAP_USER2"]
	sep := s.env["IMAP_SEPARATOR"]
	box := dvBox(t, "acl")
	dvMust(t)(owner.Create(box))
	dvMust(t)(owner.Append(box, "", nil, []byte(dvMessages[2])))

	typ, data, err := owner.MyRights(box)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes(box+" lrwstipekxacd"), data)
	data = dvMust(t)(owner.GetACL(box))
	assert.Equal(t, dvBytes(box+" "+user+" lrwstipekxacd"), data)

	typ, data, err = owner.SetACL(box, other, "lrs")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	dvPrefix(t, data, "Setacl complete")
	data = dvMust(t)(owner.GetACL(box))
	if assert.Len(t, data, 1) {
		assert.Contains(t, string(data[0]), " "+other+" lrs")
	}

	t.Run("second user sees the shared mailbox", func(t *testing.T) {
		m := dvLogin(t, s, "2")
		shared := "shared" + sep + user + sep + box
		data := dvMust(t)(m.List("", "shared"+sep+user+sep+"*"))
		assert.Contains(t, data, []byte(`(\HasNoChildren) "`+sep+`" `+shared))
		data = dvMust(t)(m.MyRights(shared))
		assert.Equal(t, dvBytes(shared+" lrs"), data)
		data = dvMust(t)(m.Select(shared, false))
		assert.Equal(t, dvBytes("1"), data)
		data = dvMust(t)(m.Fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
		items := imaplib.Items(data)
		require.NotEmpty(t, items)
		assert.Equal(t, "Subject: Other topic\r\n\r\n", string(items[0].Literal))
	})

	t.Run("anyone", func(t *testing.T) {
		dvMust(t)(owner.SetACL(box, "anyone", "+l"))
		data := dvMust(t)(owner.GetACL(box))
		if assert.Len(t, data, 1) {
			assert.Contains(t, string(data[0]), " anyone l")
		}
		dvMust(t)(owner.DeleteACL(box, "anyone"))
	})

	typ, data, err = owner.DeleteACL(box, other)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	dvPrefix(t, data, "Deleteacl complete")
	data = dvMust(t)(owner.GetACL(box))
	assert.Equal(t, dvBytes(box+" "+user+" lrwstipekxacd"), data)
}

func TestDovecotQuota(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")

	typ, quotaroot, quota, err := m.GetQuotaRoot("INBOX")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes(`INBOX "User quota"`), quotaroot)
	if assert.Len(t, quota, 1) {
		assert.Regexp(t, `^"User quota" \(STORAGE \d+ 102400 MESSAGE \d+ 10000\)$`, string(quota[0]))
	}

	data := dvMust(t)(m.GetQuota(`"User quota"`))
	if assert.Len(t, data, 1) {
		assert.Regexp(t, `^"User quota" \(STORAGE \d+ 102400 MESSAGE \d+ 10000\)$`, string(data[0]))
	}

	// Accepted from an admin user. Dovecot's count backend stores the limit
	// but never applies it, so only the acceptance is checked.
	typ, _, err = m.SetQuota(`"User quota"`, "(STORAGE 204800)")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)

	t.Run("refused to a non-admin user", func(t *testing.T) {
		m := dvLogin(t, s, "2")
		typ, data, err := m.SetQuota(`"User quota"`, "(STORAGE 204800)")
		require.NoError(t, err)
		assert.Equal(t, "NO", typ)
		dvPrefix(t, data, "Quota can be changed only by admin")
	})
}

func TestDovecotSessionCommands(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	box := dvBox(t, "session")
	dvMust(t)(m.Create(box))
	dvMust(t)(m.Select(box, false))

	steps := []struct {
		name   string
		call   func() (string, [][]byte, error)
		prefix string
		state  string
	}{
		{"check", m.Check, "Check completed", "SELECTED"},
		{"noop", m.Noop, "NOOP completed", "SELECTED"},
		{"close", m.Close, "Close completed", "AUTH"},
		{"noop in AUTH", m.Noop, "NOOP completed", "AUTH"},
		{"select again", func() (string, [][]byte, error) {
			typ, _, err := m.Select(box, false)
			return typ, dvBytes("Select done"), err
		}, "Select done", "SELECTED"},
		{"unselect", m.Unselect, "Unselect completed", "AUTH"},
	}
	for _, st := range steps {
		typ, data, err := st.call()
		require.NoError(t, err, st.name)
		assert.Equal(t, "OK", typ, st.name)
		dvPrefix(t, data, st.prefix)
		assert.Equal(t, st.state, m.State, st.name)
	}

	typ, data, err := m.Logout()
	require.NoError(t, err)
	assert.Equal(t, "BYE", typ)
	assert.Equal(t, dvBytes("Logging out"), data)
	assert.Equal(t, "LOGOUT", m.State)

	// the connection is closed: the next call fails at once
	dvNoHang(t, "NOOP after LOGOUT", func() {
		_, _, err = m.Noop()
	})
	dvAssertClass(t, err, "abort")
}

// The tests below provoke failures. A failed login costs about 0.5 s of
// server delay, so there are few of them and they come last.

func TestDovecotErrorMissingMailbox(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	missing := dvBox(t, "missing")

	typ, data, err := m.Delete(missing)
	require.NoError(t, err, "NO is a result, not an error")
	assert.Equal(t, "NO", typ)
	dvPrefix(t, data, "[NONEXISTENT] Mailbox doesn't exist: "+missing)
	typ, data, err = m.Response("NONEXISTENT")
	require.NoError(t, err)
	assert.Equal(t, "NONEXISTENT", typ)
	assert.Equal(t, [][]byte{{}}, data)

	dvMust(t)(m.Select("INBOX", false))
	typ, data, err = m.Select(missing, false)
	require.NoError(t, err)
	assert.Equal(t, "NO", typ)
	dvPrefix(t, data, "Mailbox doesn't exist: "+missing)
	assert.Equal(t, "AUTH", m.State, "a failed SELECT leaves no mailbox selected")

	typ, data, err = m.Status(missing, "(MESSAGES)")
	require.NoError(t, err)
	assert.Equal(t, "NO", typ)
	dvPrefix(t, data, "Mailbox doesn't exist: "+missing)
}

func TestDovecotErrorBadCommand(t *testing.T) {
	s := dvServerFor(t)
	m := dvLogin(t, s, "")
	dvFilledBox(t, m, "bad")

	cases := []struct {
		name string
		call func() (string, [][]byte, error)
		want string
	}{
		{"unknown fetch item", func() (string, [][]byte, error) { return m.Fetch("1", "(NOSUCHITEM)") },
			`FETCH command error: BAD [b'Error in IMAP command FETCH: Unknown parameter: NOSUCHITEM`},
		{"unknown search key", func() (string, [][]byte, error) { return m.Search("", "NOSUCHKEY") },
			`SEARCH command error: BAD [b'Error in IMAP command SEARCH: Unknown argument NOSUCHKEY`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ, data, err := tc.call()
			assert.Equal(t, "", typ)
			assert.Nil(t, data)
			if e := dvAssertClass(t, err, "error"); e != nil {
				assert.True(t, strings.HasPrefix(e.Error(), tc.want), "error %q, want prefix %q", e.Error(), tc.want)
				assert.False(t, errors.Is(err, imaplib.ErrAbort))
			}
			// a BAD leaves the session usable
			dvMust(t)(m.Noop())
			assert.Equal(t, "SELECTED", m.State)
		})
	}
}

func TestDovecotErrorWrongPassword(t *testing.T) {
	s := dvServerFor(t)
	m := dvDial(t, s)
	typ, data, err := m.Login(s.env["IMAP_USER"], "wrong-password")
	assert.Equal(t, "", typ)
	assert.Nil(t, data)
	if e := dvAssertClass(t, err, "error"); e != nil {
		assert.Equal(t, "[AUTHENTICATIONFAILED] Authentication failed.", e.Error())
	}
	assert.Equal(t, "NONAUTH", m.State)

	// the same connection can still log in, without the auth penalty
	// (seconds) that the server setup turns off
	t0 := time.Now()
	typ, _, err = m.Login(s.env["IMAP_USER"], s.env["IMAP_PASSWORD"])
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Less(t, time.Since(t0), 2*time.Second)
}

// dvProcCmdline returns a process's command line with spaces for NULs.
func dvProcCmdline(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return ""
	}
	return string(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
}

// dvAfterKill checks what a client sees once its server process is gone:
// an abort for the next command, no hang, and a clean failure again after.
// Over TCP the kernel may answer the NOOP with a reset before the EOF is
// read; like CPython's OSError, that error then surfaces as is.
func dvAfterKill(t *testing.T, m *imaplib.IMAP4, resetOK bool) {
	t.Helper()
	var err error
	dvNoHang(t, "NOOP on a dead connection", func() { _, _, err = m.Noop() })
	t.Logf("first call after the kill: %v", err)
	var e *imaplib.Error
	if resetOK && !errors.As(err, &e) {
		assert.ErrorIs(t, err, syscall.ECONNRESET)
	} else {
		dvAssertClass(t, err, "abort")
	}
	dvNoHang(t, "a second NOOP on a dead connection", func() { _, _, err = m.Noop() })
	assert.Error(t, err)
	dvNoHang(t, "LOGOUT on a dead connection", func() { _, _, err = m.Logout() })
	assert.Error(t, err)
	assert.Equal(t, "LOGOUT", m.State)
	dvNoHang(t, "Shutdown", func() { m.Shutdown() })
}

func TestDovecotErrorConnectionKilled(t *testing.T) {
	s := dvServerFor(t)

	t.Run("stream child killed", func(t *testing.T) {
		pidFile := filepath.Join(t.TempDir(), "pid")
		// the shell, the script and imap are one process, each exec'ing the next
		cmd := "echo $$ > " + dvShQuote(pidFile) + "; exec " + s.env["IMAP_STDIO_CMD"]
		m, err := imaplib.NewIMAP4_stream(cmd)
		require.NoError(t, err)
		t.Cleanup(func() { m.Shutdown() })
		dvMust(t)(m.Select("INBOX", false))

		raw, err := os.ReadFile(pidFile)
		require.NoError(t, err)
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		require.NoError(t, err)
		require.Contains(t, dvProcCmdline(pid), "imap", "pid %d is not the imap process", pid)
		require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))

		dvAfterKill(t, m.IMAP4, false)
	})

	t.Run("server process killed", func(t *testing.T) {
		// a separate server, so that only its own process is killed
		own, err := dvStart("imaplib-dovecot-kill-")
		require.NoError(t, err)
		t.Cleanup(func() {
			assert.NoError(t, own.stop())
			os.RemoveAll(own.dir)
		})
		m, err := imaplib.NewIMAP4(own.env["IMAP_HOST"], own.port(t, "IMAP_PORT"), dvTimeout)
		require.NoError(t, err)
		t.Cleanup(func() { m.Shutdown() })
		dvMust(t)(m.Login(own.env["IMAP_USER"], own.env["IMAP_PASSWORD"]))
		dvMust(t)(m.Select("INBOX", false))

		master, err := strconv.Atoi(own.env["DOVECOT_PID"])
		require.NoError(t, err)
		imapPids := dvChildrenNamed(master, "/imap")
		require.Len(t, imapPids, 1, "the one imap process serving this test")
		require.NoError(t, syscall.Kill(imapPids[0], syscall.SIGKILL))

		dvAfterKill(t, m, true)
	})
}

// dvChildrenNamed lists the children of ppid whose command line ends with
// suffix (Dovecot names its processes "<instance_name>/<service>").
func dvChildrenNamed(ppid int, suffix string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// fields after the ")" that closes the command name: state, ppid
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		fields := strings.Fields(string(rest))
		if len(fields) < 2 || fields[1] != strconv.Itoa(ppid) {
			continue
		}
		if strings.HasSuffix(strings.TrimSpace(dvProcCmdline(pid)), suffix) {
			pids = append(pids, pid)
		}
	}
	return pids
}
