package imaplib_test

// Integration tests against a real Courier-IMAP 5 on 127.0.0.1, the server
// at hand that implements ENABLE UTF8=ACCEPT (RFC 6855): UTF-8 mailbox
// names, APPEND in UTF-8 mode, and its stdio mode behind IMAP4_stream. The
// server is started once for the package by scripts/courier-up.sh (in a
// private mount namespace, see there) and stopped after the last test by a
// hook that TestMain (main_test.go) runs. The tests use the public API.
//
// Courier is optional: install it with scripts/install-courier.sh (as root;
// it keeps Dovecot installed). Without it these tests skip, unless CI=true
// and IMAPLIB_COURIER=1, where a missing Courier fails them.
// IMAPLIB_COURIER=0 skips them always.

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pyport/imaplib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coServer is one running Courier started by scripts/courier-up.sh.
type coServer = rsServer

// coKind starts the shared Courier on first use and stops it after the last test.
var coKind = &rsShared{
	name:       "courier",
	title:      "Courier",
	envVar:     "IMAPLIB_COURIER",
	startupKey: "COURIER_STARTUP_MS",
	required:   []string{"IMAP_HOST", "IMAP_PORT", "IMAPS_PORT", "IMAP_USER", "IMAP_PASSWORD", "IMAP_USER2", "IMAP_PASSWORD2", "IMAP_SEPARATOR", "IMAP_CA_CERT", "IMAP_STDIO_CMD", "COURIER_PIDS"},
	missing:    coMissing,
}

func init() { coKind.register() }

// coMissing says why courier-up.sh cannot run here, or "" when it can.
func coMissing() string {
	root := os.Getenv("COURIER_ROOT")
	if root == "" {
		root = "/opt/imaplib-servers/courier-imap"
	}
	for _, p := range []string{
		filepath.Join(root, "usr/bin/imapd"),
		filepath.Join(root, "usr/lib/courier/courier/imaplogin"),
		"/usr/lib/courier/courier-authlib/authdaemond",
		"/usr/sbin/couriertcpd",
		"/usr/sbin/makeuserdb",
	} {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return p + " is missing"
		}
	}
	if os.Geteuid() != 0 {
		return "the Courier daemons need root"
	}
	// the daemons run in their own mount namespace
	if out, err := exec.Command("unshare", "-m", "--propagation", "private", "true").CombinedOutput(); err != nil {
		return fmt.Sprintf("no mount namespace here (unshare -m: %v %s)", err, bytes.TrimSpace(out))
	}
	return ""
}

// coServerFor returns the shared server, starting it on first use.
func coServerFor(t *testing.T) *coServer {
	t.Helper()
	return coKind.serverFor(t)
}

// coDial connects to the plain port; the connection is closed when the
// test ends.
func coDial(t *testing.T, s *coServer) *imaplib.IMAP4 { return s.dial(t) }

// coLogin connects and logs in: which is "" for the main test user, "2"
// for the second one.
func coLogin(t *testing.T, s *coServer, which string) *imaplib.IMAP4 {
	t.Helper()
	m := coDial(t, s)
	dvMust(t)(m.Login(s.env["IMAP_USER"+which], s.env["IMAP_PASSWORD"+which]))
	return m
}

// coUTF8Box returns a mailbox name with non-ASCII letters that no other
// test or run uses. Courier keeps every folder under "INBOX.".
func coUTF8Box(t *testing.T, what string) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "INBOX.Entwürfe-" + what + "-" + hex.EncodeToString(b)
}

// coEnableUTF8 turns UTF-8 mode on and checks the server really did.
func coEnableUTF8(t *testing.T, m *imaplib.IMAP4) {
	t.Helper()
	require.Contains(t, m.Capabilities, "UTF8=ACCEPT")
	typ, data, err := m.Enable("UTF8=ACCEPT")
	require.NoError(t, err)
	require.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes("Options enabled"), data)
	typ, data, err = m.Response("ENABLED")
	require.NoError(t, err)
	assert.Equal(t, "ENABLED", typ)
	require.Equal(t, dvBytes("UTF8=ACCEPT"), data, "the server confirms with * ENABLED")
	require.True(t, m.UTF8Enabled)
}

// A message whose header and body carry raw UTF-8, as RFC 6855 allows once
// UTF8=ACCEPT is on.
const coUTF8Message = "From: Jürgen <juergen@example.org>\r\n" +
	"To: Zoë <zoe@example.org>\r\n" +
	"Subject: Grüße aus Köln\r\n" +
	"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Schöne Grüße.\r\n"

func TestCourierLogin(t *testing.T) {
	s := coServerFor(t)
	m := coDial(t, s)
	assert.Equal(t, "NONAUTH", m.State)
	assert.True(t, bytes.HasPrefix(m.Welcome, []byte("* OK [CAPABILITY IMAP4rev1 ")), "welcome %q", m.Welcome)
	assert.Contains(t, string(m.Welcome), "] Courier-IMAP ready.")
	for _, c := range []string{"STARTTLS", "ENABLE", "UTF8=ACCEPT", "AUTH=PLAIN"} {
		assert.Contains(t, m.Capabilities, c)
	}

	pem, err := os.ReadFile(s.env["IMAP_CA_CERT"])
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pem))
	typ, _, err := m.StartTLS(&tls.Config{RootCAs: pool})
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.NotContains(t, m.Capabilities, "STARTTLS")

	typ, data, err := m.Login(s.env["IMAP_USER"], s.env["IMAP_PASSWORD"])
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes("LOGIN Ok."), data)
	assert.Equal(t, "AUTH", m.State)

	data = dvMust(t)(m.Namespace())
	assert.Equal(t, dvBytes(`(("INBOX." ".")) NIL (("#shared." ".")("shared." "."))`), data)
	dvMust(t)(m.Select("INBOX", false))

	typ, data, err = m.Logout()
	require.NoError(t, err)
	assert.Equal(t, "BYE", typ)
	assert.Equal(t, dvBytes("Courier-IMAP server shutting down"), data)
}

func TestCourierUTF8Mailbox(t *testing.T) {
	s := coServerFor(t)
	m := coLogin(t, s, "")
	coEnableUTF8(t, m)
	box := coUTF8Box(t, "box")

	// current profile: the name is quoted, and goes out as UTF-8
	typ, data, err := m.Create(box)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes(`"`+box+`" created.`), data)

	data = dvMust(t)(m.List("", box))
	assert.Equal(t, dvBytes(`(\HasNoChildren) "." "`+box+`"`), data)
	data = dvMust(t)(m.List("INBOX.", "Entwürfe-box-%"))
	assert.Contains(t, data, []byte(`(\HasNoChildren) "." "`+box+`"`))

	data = dvMust(t)(m.Select(box, false))
	assert.Equal(t, dvBytes("0"), data)
	assert.Equal(t, "SELECTED", m.State)
	data = dvMust(t)(m.Status(box, "(MESSAGES UNSEEN)"))
	assert.Equal(t, dvBytes(`"`+box+`" (MESSAGES 0 UNSEEN 0)`), data)
	// (no RENAME or DELETE here: Courier takes about 2 s for each)

	// The classic profile sends names as given: an 8-bit atom, which
	// Courier refuses. Quoting it is up to the caller there.
	t.Run("classic profile", func(t *testing.T) {
		m := coLogin(t, s, "")
		m.Compat = imaplib.CompatClassic
		coEnableUTF8(t, m)
		bare := coUTF8Box(t, "bare")
		typ, data, err := m.Create(bare)
		require.NoError(t, err)
		assert.Equal(t, "NO", typ)
		assert.Equal(t, dvBytes("Error in IMAP command received by server."), data)
		dvMust(t)(m.Create(`"` + bare + `"`))
		data = dvMust(t)(m.List("", `"`+bare+`"`))
		assert.Equal(t, dvBytes(`(\HasNoChildren) "." "`+bare+`"`), data)
	})
}

// APPEND in UTF-8 mode. The current profile sends RFC 6855's
// `UTF8 (~{N}` framing; Courier stores the message as sent.
func TestCourierUTF8Append(t *testing.T) {
	s := coServerFor(t)
	m := coLogin(t, s, "")
	coEnableUTF8(t, m)
	box := coUTF8Box(t, "append")
	dvMust(t)(m.Create(box))
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

	cases := []struct {
		name  string
		flags string
		date  any
	}{
		{"flags", `(\Seen)`, nil},
		{"date", "", when},
		{"flags and date", `\Flagged`, when},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ, data, err := m.Append(box, tc.flags, tc.date, []byte(coUTF8Message))
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			if assert.Len(t, data, 1) {
				assert.Regexp(t, fmt.Sprintf(`^\[APPENDUID \d+ %d\] APPEND Ok\.$`, i+1), string(data[0]))
			}
		})
	}

	// Courier 5.0.13 rejects `APPEND box UTF8 (...)` when neither flags nor
	// a date come before UTF8 (RFC 4466 allows it), and it says so before
	// asking for the literal: the command fails cleanly and the session
	// goes on.
	t.Run("no flags and no date", func(t *testing.T) {
		typ, data, err := m.Append(box, "", nil, []byte(coUTF8Message))
		require.NoError(t, err)
		assert.Equal(t, "NO", typ)
		assert.Equal(t, dvBytes("Error in IMAP command received by server."), data)
		dvMust(t)(m.Noop())
	})

	data := dvMust(t)(m.Select(box, true))
	require.Equal(t, dvBytes(strconv.Itoa(len(cases))), data)
	for i := range cases {
		seq := strconv.Itoa(i + 1)
		data := dvMust(t)(m.Fetch(seq, "(BODY.PEEK[])"))
		items := imaplib.Items(data)
		require.NotEmpty(t, items, "message %s", seq)
		assert.Equal(t, coUTF8Message, string(items[0].Literal), "message %s byte for byte", seq)
	}
	data = dvMust(t)(m.Fetch("3", "(FLAGS INTERNALDATE)"))
	require.Len(t, data, 1)
	assert.Contains(t, imaplib.ParseFlags(data[0]), []byte(`\Flagged`))
	got, ok := imaplib.Internaldate2tuple(data[0])
	if assert.True(t, ok, "INTERNALDATE in %q", data[0]) {
		assert.True(t, got.Equal(when), "INTERNALDATE %v, want %v", got, when)
	}
}

// The classic profile (CPython up to 3.13) puts "UTF8 (" and ")" inside the
// literal. Courier takes that as a plain message, warns with an ALERT, and
// stores the wrapper with it: the defect the current framing fixes.
func TestCourierUTF8AppendClassic(t *testing.T) {
	s := coServerFor(t)
	m := coLogin(t, s, "")
	m.Compat.UTF8AppendRFC6855 = false
	coEnableUTF8(t, m)
	box := coUTF8Box(t, "classic")
	dvMust(t)(m.Create(box))

	typ, data, err := m.Append(box, `(\Seen)`, nil, []byte(coUTF8Message))
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	if assert.Len(t, data, 1) {
		assert.Regexp(t, `^\[APPENDUID \d+ 1\] APPEND Ok\.$`, string(data[0]))
	}
	// the code alone is filed under ALERT, the whole text under OK
	typ, data, err = m.Response("ALERT")
	require.NoError(t, err)
	assert.Equal(t, "ALERT", typ)
	assert.Equal(t, [][]byte{{}}, data)
	_, data, err = m.Response("OK")
	require.NoError(t, err)
	assert.Contains(t, data, []byte("[ALERT] Your IMAP client does not appear to correctly implement Unicode messages, see https://tools.ietf.org/html/rfc6855.html"))

	dvMust(t)(m.Select(box, true))
	data = dvMust(t)(m.Fetch("1", "(BODY.PEEK[])"))
	items := imaplib.Items(data)
	require.NotEmpty(t, items)
	// the literal ended in ")", so Courier added the missing line end
	assert.Equal(t, "UTF8 ("+coUTF8Message+")\r\n", string(items[0].Literal))
}

// Courier's imapd on a pipe, already logged in: IMAP4_stream's PREAUTH
// path, in UTF-8 mode.
func TestCourierStream(t *testing.T) {
	s := coServerFor(t)
	script, err := filepath.Abs(filepath.Join("scripts", "courier-stdio.sh"))
	require.NoError(t, err)
	cases := []struct {
		name, command, which string // which: the account, as for coLogin
	}{
		{"IMAP_STDIO_CMD", s.env["IMAP_STDIO_CMD"], ""},
		{"second user", dvShQuote(script) + " " + dvShQuote(s.dir) + " " + dvShQuote(s.env["IMAP_USER2"]), "2"},
	}
	box := coUTF8Box(t, "stream")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := imaplib.NewIMAP4_stream(tc.command)
			require.NoError(t, err)
			t.Cleanup(func() { dvClose(m.IMAP4) })
			require.Equal(t, imaplib.CompatCurrent, m.Compat)
			assert.Equal(t, []byte("* PREAUTH Ready."), m.Welcome)
			assert.Equal(t, "AUTH", m.State)
			assert.Nil(t, m.Socket())
			// no capabilities in the greeting: they were asked for
			assert.Contains(t, m.Capabilities, "IMAP4REV1")

			coEnableUTF8(t, m.IMAP4)
			dvMust(t)(m.Create(box))
			data := dvMust(t)(m.List("", box))
			assert.Equal(t, dvBytes(`(\HasNoChildren) "." "`+box+`"`), data)
			data = dvMust(t)(m.Append(box, `(\Seen)`, nil, []byte(coUTF8Message)))
			if assert.Len(t, data, 1) {
				assert.Regexp(t, `^\[APPENDUID \d+ 1\] APPEND Ok\.$`, string(data[0]))
			}
			data = dvMust(t)(m.Select(box, false))
			assert.Equal(t, dvBytes("1"), data)
			data = dvMust(t)(m.Fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
			items := imaplib.Items(data)
			require.NotEmpty(t, items)
			assert.Equal(t, "Subject: Grüße aus Köln\r\n\r\n", string(items[0].Literal))

			typ, data, err := m.Logout()
			require.NoError(t, err)
			assert.Equal(t, "BYE", typ)
			assert.Equal(t, dvBytes("Courier-IMAP server shutting down"), data)
			assert.Equal(t, "LOGOUT", m.State)

			// the stream session wrote into the maildir the daemon serves
			other := coLogin(t, s, tc.which)
			coEnableUTF8(t, other)
			data = dvMust(t)(other.Status(box, "(MESSAGES)"))
			assert.Equal(t, dvBytes(`"`+box+`" (MESSAGES 1)`), data)
		})
	}
}
