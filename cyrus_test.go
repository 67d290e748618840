package imaplib_test

// Integration tests against a real Cyrus IMAP 3.6 on 127.0.0.1: the server
// that implements what Dovecot lacks among imaplib's commands, namely
// GETANNOTATION/SETANNOTATION (the ANNOTATEMORE draft) and a SETQUOTA that
// changes the limit, plus an IDLE that reports another session's APPEND at
// once. The server is started once for the package by scripts/cyrus-up.sh
// and stopped after the last test by a hook that TestMain (main_test.go)
// runs. The tests use the public API in the default profile.
//
// Cyrus is optional: install it with scripts/install-cyrus.sh (as root; it
// keeps Dovecot installed). Without it these tests skip, unless CI=true and
// IMAPLIB_CYRUS=1, where a missing Cyrus fails them. IMAPLIB_CYRUS=0 skips
// them always.

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pyport/imaplib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cyServer is one running Cyrus started by scripts/cyrus-up.sh.
type cyServer = rsServer

// cyKind starts the shared Cyrus on first use and stops it after the last test.
var cyKind = &rsShared{
	name:       "cyrus",
	title:      "Cyrus",
	envVar:     "IMAPLIB_CYRUS",
	startupKey: "CYRUS_STARTUP_MS",
	required:   []string{"IMAP_HOST", "IMAP_PORT", "IMAPS_PORT", "IMAP_USER", "IMAP_PASSWORD", "IMAP_USER2", "IMAP_PASSWORD2", "IMAP_ADMIN_USER", "IMAP_ADMIN_PASSWORD", "IMAP_CA_CERT", "CYRUS_PID"},
	missing:    cyMissing,
}

func init() { cyKind.register() }

// cyMissing says why cyrus-up.sh cannot run here, or "" when it can.
func cyMissing() string {
	root := os.Getenv("CYRUS_ROOT")
	if root == "" {
		root = "/opt/imaplib-servers/cyrus-imapd"
	}
	for _, p := range []string{
		filepath.Join(root, "usr/lib/cyrus/bin/imapd"),
		filepath.Join(root, "usr/lib/cyrus/bin/idled"),
		"/usr/lib/cyrus/bin/master",
	} {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return p + " is missing"
		}
	}
	if _, err := exec.LookPath("saslpasswd2"); err != nil {
		return "saslpasswd2 is missing"
	}
	if os.Geteuid() != 0 {
		return "the Cyrus master must be started as root"
	}
	return ""
}

// cyServerFor returns the shared server, starting it on first use.
func cyServerFor(t *testing.T) *cyServer {
	t.Helper()
	return cyKind.serverFor(t)
}

// cyDial connects to the plain port; the connection is closed when the
// test ends.
func cyDial(t *testing.T, s *cyServer) *imaplib.IMAP4 { return s.dial(t) }

// cyLogin connects and logs in: which is "" for the main test user, "2"
// for the second one, "admin" for the Cyrus administrator.
func cyLogin(t *testing.T, s *cyServer, which string) *imaplib.IMAP4 {
	t.Helper()
	m := cyDial(t, s)
	user, pass := s.env["IMAP_USER"+which], s.env["IMAP_PASSWORD"+which]
	if which == "admin" {
		user, pass = s.env["IMAP_ADMIN_USER"], s.env["IMAP_ADMIN_PASSWORD"]
	}
	dvMust(t)(m.Login(user, pass))
	return m
}

// cyBox returns a mailbox name no other test or run uses.
func cyBox(t *testing.T, what string) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "cy-" + what + "-" + hex.EncodeToString(b)
}

const cyMessage = "From: Alice <alice@example.org>\r\n" +
	"To: Bob <bob@example.org>\r\n" +
	"Subject: Cyrus smoke test\r\n" +
	"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n" +
	"Message-ID: <cy1@example.org>\r\n" +
	"\r\n" +
	"Hello from the Go port.\r\n"

func TestCyrusLogin(t *testing.T) {
	s := cyServerFor(t)
	cases := []struct {
		name, user, password string
	}{
		{"first user", s.env["IMAP_USER"], s.env["IMAP_PASSWORD"]},
		{"second user", s.env["IMAP_USER2"], s.env["IMAP_PASSWORD2"]},
		{"admin", s.env["IMAP_ADMIN_USER"], s.env["IMAP_ADMIN_PASSWORD"]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := cyDial(t, s)
			assert.Equal(t, "NONAUTH", m.State)
			assert.True(t, bytes.HasPrefix(m.Welcome, []byte("* OK [CAPABILITY IMAP4rev1 ")), "welcome %q", m.Welcome)
			assert.Contains(t, string(m.Welcome), " Cyrus IMAP ")
			assert.Contains(t, m.Capabilities, "STARTTLS")
			assert.Contains(t, m.Capabilities, "AUTH=PLAIN")

			typ, data, err := m.Login(tc.user, tc.password)
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			if assert.Len(t, data, 1) {
				// Cyrus puts the post-login capabilities in the tagged reply
				assert.Regexp(t, `^\[CAPABILITY IMAP4rev1 .* ANNOTATEMORE .*\] User logged in SESSIONID=<.+>$`, string(data[0]))
			}
			assert.Equal(t, "AUTH", m.State)

			typ, data, err = m.Logout()
			require.NoError(t, err)
			assert.Equal(t, "BYE", typ)
			assert.Equal(t, dvBytes("LOGOUT received"), data)
			assert.Equal(t, "LOGOUT", m.State)
		})
	}

	t.Run("admin authorizes as the user", func(t *testing.T) {
		owner := cyLogin(t, s, "")
		box := cyBox(t, "authz")
		dvMust(t)(owner.Create(box))

		m := cyDial(t, s)
		// PLAIN with an authorization identity: the session is testuser's,
		// authenticated by admin's password (admin is in proxyservers)
		resp := s.env["IMAP_USER"] + "\x00" + s.env["IMAP_ADMIN_USER"] + "\x00" + s.env["IMAP_ADMIN_PASSWORD"]
		typ, _, err := m.Authenticate("PLAIN", func([]byte) []byte { return []byte(resp) })
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "AUTH", m.State)
		// testuser's own folders sit beside INBOX, without a prefix
		data := dvMust(t)(m.List("", box))
		assert.Equal(t, dvBytes(`(\HasNoChildren) "/" `+box), data)
	})

	t.Run("IMAP4_SSL verified with the test CA", func(t *testing.T) {
		pem, err := os.ReadFile(s.env["IMAP_CA_CERT"])
		require.NoError(t, err)
		pool := x509.NewCertPool()
		require.True(t, pool.AppendCertsFromPEM(pem))
		m, err := imaplib.NewIMAP4_SSL(s.env["IMAP_HOST"], s.port(t, "IMAPS_PORT"), &tls.Config{RootCAs: pool}, dvTimeout)
		require.NoError(t, err)
		t.Cleanup(func() { dvClose(m.IMAP4) })
		assert.NotContains(t, m.Capabilities, "STARTTLS")
		dvMust(t)(m.Login(s.env["IMAP_USER"], s.env["IMAP_PASSWORD"]))
		dvMust(t)(m.Select("INBOX", true))
		assert.True(t, m.IsReadonly)
	})
}

func TestCyrusAppendFetch(t *testing.T) {
	s := cyServerFor(t)
	m := cyLogin(t, s, "")
	box := cyBox(t, "append")
	typ, data, err := m.Create(box)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	if assert.Len(t, data, 1) {
		assert.Regexp(t, `^\[MAILBOXID \(\S+\)\] Completed$`, string(data[0]))
	}

	when := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	typ, data, err = m.Append(box, `(\Flagged)`, when, []byte(cyMessage))
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	if assert.Len(t, data, 1) {
		assert.Regexp(t, `^\[APPENDUID \d+ 1\] Completed$`, string(data[0]))
	}

	data = dvMust(t)(m.Select(box, false))
	assert.Equal(t, dvBytes("1"), data)
	assert.Equal(t, "SELECTED", m.State)

	data = dvMust(t)(m.Fetch("1", "(FLAGS INTERNALDATE RFC822)"))
	items := imaplib.Items(data)
	require.Len(t, items, 2)
	assert.True(t, items[0].Tuple)
	assert.Equal(t, cyMessage, string(items[0].Literal), "byte-exact round trip")
	assert.Contains(t, imaplib.ParseFlags(items[0].Bytes), []byte(`\Flagged`))
	got, ok := imaplib.Internaldate2tuple(items[0].Bytes)
	if assert.True(t, ok, "INTERNALDATE in %q", items[0].Bytes) {
		assert.True(t, got.Equal(when), "INTERNALDATE %v, want %v", got, when)
	}

	data = dvMust(t)(m.Search("", "SUBJECT", "Cyrus smoke"))
	assert.Equal(t, dvBytes("1"), data)
}

// ANNOTATEMORE (draft-daboo-imap-annotatemore), what imaplib's
// getannotation and setannotation speak; Cyrus offers it with
// annotation_enable_legacy_commands.
func TestCyrusAnnotation(t *testing.T) {
	s := cyServerFor(t)
	m := cyLogin(t, s, "")
	box := cyBox(t, "annot")
	dvMust(t)(m.Create(box))
	require.Contains(t, m.Capabilities, "ANNOTATEMORE")

	typ, data, err := m.SetAnnotation(box, `"/comment"`, `("value.priv" "private note" "value.shared" "shared note")`)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, [][]byte{nil}, data, "no untagged ANNOTATION: Python's [None]")

	cases := []struct {
		name, entry, attribute, want string
	}{
		{"private value", `"/comment"`, `"value.priv"`, box + ` "/comment" ("value.priv" "private note")`},
		{"shared value", `"/comment"`, `"value.shared"`, box + ` "/comment" ("value.shared" "shared note")`},
		// Cyrus lists the shared value first
		{"both", `"/comment"`, `("value.priv" "value.shared")`, box + ` "/comment" ("value.shared" "shared note" "value.priv" "private note")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ, data, err := m.GetAnnotation(box, tc.entry, tc.attribute)
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, dvBytes(tc.want), data)
		})
	}

	t.Run("removed with NIL", func(t *testing.T) {
		dvMust(t)(m.SetAnnotation(box, `"/comment"`, `("value.priv" NIL)`))
		data := dvMust(t)(m.GetAnnotation(box, `"/comment"`, `"value.priv"`))
		assert.Equal(t, dvBytes(box+` "/comment" ("value.priv" NIL)`), data)
	})

	// The draft makes entries and attributes strings. /comment is a valid
	// atom, so CPython (and the classic profile) sends it bare, and Cyrus
	// answers BAD; the current profile quotes entries and attributes.
	t.Run("bare entry, current profile", func(t *testing.T) {
		data := dvMust(t)(m.GetAnnotation(box, "/comment", "value.priv"))
		assert.Equal(t, dvBytes(box+` "/comment" ("value.priv" NIL)`), data)
	})
	t.Run("bare entry, classic profile", func(t *testing.T) {
		m.Compat = imaplib.CompatClassic
		defer func() { m.Compat = imaplib.CompatCurrent }()
		typ, data, err := m.GetAnnotation(box, "/comment", "value.priv")
		assert.Equal(t, "", typ)
		assert.Nil(t, data)
		if e := dvAssertClass(t, err, "error"); e != nil {
			assert.Equal(t, `GETANNOTATION command error: BAD [b'Missing annotation entry']`, e.Error())
		}
		dvMust(t)(m.Noop())
	})
}

// The admin's SETQUOTA changes the limit, as GETQUOTA and GETQUOTAROOT
// show, and the server enforces it on the next APPEND.
func TestCyrusQuota(t *testing.T) {
	s := cyServerFor(t)
	// the second user's first login creates its INBOX and quota root
	user := cyLogin(t, s, "2")
	root := "user/" + s.env["IMAP_USER2"]
	quotaRe := func(name, storage, messages string) string {
		return `^` + name + ` \(STORAGE \d+ ` + storage + ` MESSAGE (\d+) ` + messages + `\)$`
	}

	typ, quotaroot, quota, err := user.GetQuotaRoot("INBOX")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, dvBytes("INBOX INBOX"), quotaroot)
	require.Len(t, quota, 1)
	mo := regexp.MustCompile(quotaRe("INBOX", "102400", "10000")).FindStringSubmatch(string(quota[0]))
	require.NotNil(t, mo, "quota %q", quota[0])
	used, err := strconv.Atoi(mo[1])
	require.NoError(t, err)

	t.Run("refused to a user", func(t *testing.T) {
		typ, data, err := user.SetQuota("INBOX", "(STORAGE 1)")
		require.NoError(t, err)
		assert.Equal(t, "NO", typ)
		assert.Equal(t, dvBytes("Permission denied"), data)
	})

	admin := cyLogin(t, s, "admin")
	data := dvMust(t)(admin.GetQuota(root))
	if assert.Len(t, data, 1) {
		assert.Regexp(t, quotaRe(root, "102400", "10000"), string(data[0]))
	}

	limit := strconv.Itoa(used + 1)
	// Put the limits back, so that the test runs again on the same server
	// (go test -count=2).
	t.Cleanup(func() { admin.SetQuota(root, "(STORAGE 102400 MESSAGE 10000)") })
	typ, data, err = admin.SetQuota(root, "(STORAGE 204800 MESSAGE "+limit+")")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, [][]byte{nil}, data, "no untagged QUOTA: Python's [None]")

	data = dvMust(t)(admin.GetQuota(root))
	if assert.Len(t, data, 1) {
		assert.Regexp(t, quotaRe(root, "204800", limit), string(data[0]))
	}
	_, _, quota, err = user.GetQuotaRoot("INBOX")
	require.NoError(t, err)
	if assert.Len(t, quota, 1) {
		assert.Regexp(t, quotaRe("INBOX", "204800", limit), string(quota[0]))
	}

	// room for exactly one more message
	dvMust(t)(user.Append("INBOX", "", nil, []byte(cyMessage)))
	typ, data, err = user.Append("INBOX", "", nil, []byte(cyMessage))
	require.NoError(t, err)
	assert.Equal(t, "NO", typ)
	assert.Equal(t, dvBytes("Over quota"), data)
}

// IDLE: Cyrus's idled tells the idling imapd about another session's
// APPEND at once (cyrus-up.sh sets the polling fallback to 30 s, so a
// change seen within the 5 s window came through idled).
func TestCyrusIdle(t *testing.T) {
	s := cyServerFor(t)
	m := cyLogin(t, s, "")
	other := cyLogin(t, s, "")
	box := cyBox(t, "idle")
	dvMust(t)(m.Create(box))
	data := dvMust(t)(m.Select(box, false))
	assert.Equal(t, dvBytes("0"), data)

	idler, err := m.Idle(5 * time.Second)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	assert.Equal(t, "IDLING", m.State)

	type appendResult struct {
		sent time.Time
		typ  string
		err  error
	}
	done := make(chan appendResult, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		sent := time.Now()
		typ, _, err := other.Append(box, "", nil, []byte(cyMessage))
		done <- appendResult{sent, typ, err}
	}()

	var seen []string
	var exists [][]byte
	var at time.Time
	for typ, data := range idler.All() {
		seen = append(seen, typ)
		if typ == "EXISTS" {
			exists, at = data, time.Now()
			break
		}
	}
	require.NoError(t, idler.Err())
	res := <-done
	require.NoError(t, res.err)
	require.Equal(t, "OK", res.typ)
	require.NoError(t, idler.Exit())
	assert.Equal(t, "SELECTED", m.State)

	require.Equal(t, dvBytes("1"), exists, "responses during IDLE: %v", seen)
	latency := at.Sub(res.sent)
	t.Logf("EXISTS %v after the other session sent APPEND", latency)
	assert.Less(t, latency, 2*time.Second)

	data = dvMust(t)(m.Fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
	items := imaplib.Items(data)
	require.NotEmpty(t, items)
	assert.Equal(t, "Subject: Cyrus smoke test\r\n\r\n", string(items[0].Literal))
}
