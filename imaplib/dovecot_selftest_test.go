package main

// The self-test against a real Dovecot, through its stdio mode (PREAUTH, no
// daemon): the configuration is written by scripts/dovecot-up.sh in
// config-only mode into a directory of this test's own, and the stream
// command is the one the script records in DIR/env.
//
// The self-test's mailbox names, such as "/tmp/xxx 1", begin with a slash.
// With "/" as the hierarchy separator (the script's default) Dovecot
// refuses them: "Invalid mailbox name: Begins with hierarchy separator".
// With "." as the separator the Maildir storage refuses a "/" inside a name
// ("Name must not have '/' characters") unless the listescape plugin stores
// it escaped. So this test asks for "." and adds that plugin.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyport/imaplib"
)

// dsRequireDovecot skips without Dovecot, except on CI, where a missing
// server must not pass unnoticed.
func dsRequireDovecot(t *testing.T) {
	t.Helper()
	for _, p := range []string{
		dsGetenv("DOVECOT_BIN", "/usr/sbin/dovecot"),
		dsGetenv("DOVECOT_IMAP_BIN", "/usr/lib/dovecot/imap"),
	} {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			msg := "dovecot is not installed: run `make test` (it installs it) or scripts/install-deps.sh as root"
			if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

func dsGetenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// dsScript runs one of the repository's scripts (they live in ../scripts,
// go test runs in the package directory) with extra environment.
func dsScript(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "scripts", name))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "scripts/%s: %s", name, out)
}

// dsEnvValue reads one KEY=value line of DIR/env, undoing the script's sh
// quoting ('...' with '\” for a quote).
func dsEnvValue(t *testing.T, envFile, key string) string {
	t.Helper()
	raw, err := os.ReadFile(envFile)
	require.NoError(t, err)
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || k != key {
			continue
		}
		if strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") && len(v) >= 2 {
			v = strings.ReplaceAll(v[1:len(v)-1], `'\''`, `'`)
		}
		return v
	}
	t.Fatalf("%s has no %s", envFile, key)
	return ""
}

// dsStdioDovecot writes a Dovecot configuration for the self-test's
// mailbox names and returns the stream command from DIR/env.
func dsStdioDovecot(t *testing.T) string {
	t.Helper()
	dsRequireDovecot(t)
	dir := t.TempDir()
	dsScript(t, []string{"DOVECOT_CONFIG_ONLY=1", "DOVECOT_SEP=.", "DOVECOT_EXTRA_PLUGINS=listescape"}, "dovecot-up.sh", dir)
	// removes the directories the script may have made outside dir
	t.Cleanup(func() { dsScript(t, nil, "dovecot-down.sh", dir) })
	return dsEnvValue(t, filepath.Join(dir, "env"), "IMAP_STDIO_CMD")
}

// dsSyncBuffer collects output under a lock.
type dsSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *dsSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *dsSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// dsSentRE finds the commands of a debug-4 trace, without their tags.
var dsSentRE = regexp.MustCompile(`(?m)^  \d\d:\d\d\.\d\d > b'[A-P]{4}\d+ (.*)'$`)

func TestDovecotSelfTestStdio(t *testing.T) {
	stream := dsStdioDovecot(t)
	t.Setenv("LOGNAME", "testuser")
	// read before connecting even when the server pre-authenticates
	t.Setenv("IMAP_PASSWORD", "unused")

	// a message in INBOX, so that the self-test's last step, a UID FETCH
	// of the newest INBOX message, has one to fetch
	pre, err := imaplib.NewIMAP4_stream(stream)
	require.NoError(t, err)
	typ, _, err := pre.Append("INBOX", "", nil, []byte("Subject: already there\n\nhello\n"))
	require.NoError(t, err)
	require.Equal(t, "OK", typ)
	_, _, err = pre.Logout()
	require.NoError(t, err)

	var stdout, stderr dsSyncBuffer
	t0 := time.Now()
	code := run([]string{"imaplib", "-d", "4", "-s", stream}, strings.NewReader(""), &stdout, &stderr)
	t.Logf("self-test took %s", time.Since(t0).Round(time.Millisecond))
	trace := stderr.String()
	require.Equal(t, 0, code, "trace:\n%s", trace)
	assert.Equal(t, "\nAll tests OK.\n", stdout.String())

	var sent []string
	for _, m := range dsSentRE.FindAllStringSubmatch(trace, -1) {
		sent = append(sent, m[1])
	}
	// the test message, with the login name, as APPEND sends it
	size := len("From: testuser@localhost\r\nSubject: IMAP4 test\r\n\r\ndata...\r\n")
	// PREAUTH: no LOGIN; both test mailboxes are found again and deleted
	assert.Equal(t, []string{
		"CAPABILITY",
		`CREATE "/tmp/xxx 1"`,
		`RENAME "/tmp/xxx 1" /tmp/yyy`,
		`CREATE "/tmp/yyz 2"`,
		fmt.Sprintf(`APPEND "/tmp/yyz 2" {%d}`, size),
		`LIST /tmp yy*`,
		`SELECT "/tmp/yyz 2"`,
		`SEARCH SUBJECT test`,
		`FETCH 1 (FLAGS INTERNALDATE RFC822)`,
		`STORE 1 FLAGS (\\Deleted)`,
		`NAMESPACE`,
		`EXPUNGE`,
		`CLOSE`,
		`LIST /tmp/ yy%`,
		`DELETE /tmp/yyy`,
		`DELETE "/tmp/yyz 2"`,
		`SELECT INBOX`,
		`UID SEARCH ALL`,
		`UID FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE RFC822.HEADER RFC822.TEXT)`,
		fmt.Sprintf(`APPEND INBOX {%d}`, size),
		`LOGOUT`,
	}, sent)
	assert.Contains(t, trace, "search => OK [b'1']")
	assert.Contains(t, trace, `list => OK [b'(\\HasNoChildren) "." /tmp/yyy', b'(\\HasNoChildren) "." "/tmp/yyz 2"']`)
	assert.Contains(t, trace, "uid => OK [b'1']")
	assert.Contains(t, trace, "b'hello\\r\\n'")
	assert.Contains(t, trace, "logout => BYE [b'Logging out']")

	// nothing of the test's mailboxes is left behind
	s, err := imaplib.NewIMAP4_stream(stream)
	require.NoError(t, err)
	defer s.Shutdown()
	typ, data, err := s.List("", "/tmp*")
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, [][]byte{nil}, data, "mailboxes left: %s", imaplib.Repr(data))
	typ, data, err = s.Select("INBOX", true)
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
	assert.Equal(t, [][]byte{[]byte("2")}, data, "ours and the one the self-test appends")
	_, _, err = s.Logout()
	assert.NoError(t, err)
}
