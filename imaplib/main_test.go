package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyport/imaplib"
)

// cmdBuffer collects a stream under a lock: the embedded server's goroutines
// may still log while the test reads.
type cmdBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (c *cmdBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.Write(p)
}

func (c *cmdBuffer) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

// cmdRun runs the program in-process with stdin as its input and returns
// the exit status and both output streams.
func cmdRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut cmdBuffer
	code := run(append([]string{"imaplib"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// cmdFixedUser pins the login name the program finds, so that the output
// can be compared exactly.
func cmdFixedUser(t *testing.T, name string) {
	t.Helper()
	for _, v := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		t.Setenv(v, "")
	}
	t.Setenv("LOGNAME", name)
}

// cmdUnsetenv removes an environment variable for the test's duration.
func cmdUnsetenv(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "") // restores the old value afterwards
	require.NoError(t, os.Unsetenv(key))
}

// cmdSentRE finds the commands of a debug-4 trace, without their tags.
var cmdSentRE = regexp.MustCompile(`(?m)^  \d\d:\d\d\.\d\d > b'[A-P]{4}\d+ (.*)'$`)

// cmdSent lists the commands a trace shows sent, in order.
func cmdSent(trace string) []string {
	var out []string
	for _, m := range cmdSentRE.FindAllStringSubmatch(trace, -1) {
		out = append(out, m[1])
	}
	return out
}

// cmdSelfTestWire is what the self-test sends to the embedded server: the
// sequence of CPython's self-test, with the current profile's quoting of
// the mailbox names that hold a space.
var cmdSelfTestWire = []string{
	"CAPABILITY",
	`LOGIN cmdtester "imaplib-selftest"`,
	`CREATE "/tmp/xxx 1"`,
	`RENAME "/tmp/xxx 1" /tmp/yyy`,
	`CREATE "/tmp/yyz 2"`,
	`APPEND "/tmp/yyz 2" {59}`,
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
	`APPEND INBOX {59}`,
	`LOGOUT`,
}

func TestCmdSelfTestEmbedded(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	code, stdout, stderr := cmdRun(t, "")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, "\nAll tests OK.\n", stdout)

	assert.Equal(t, cmdSelfTestWire, cmdSent(stderr))
	// The self-test's own lines, in imaplib's debug format.
	for _, want := range []string{
		"PROTOCOL_VERSION = IMAP4REV1",
		"CAPABILITIES = ('IMAP4REV1', 'SASL-IR', 'LITERAL-', 'AUTH=PLAIN', 'UNSELECT', 'ENABLE', 'IDLE',",
		"login ('cmdtester', 'imaplib-selftest')",
		"CREATE ('/tmp/yyz 2',)",
		`append ('/tmp/yyz 2', None, None, 'From: cmdtester@localhost\nSubject: IMAP4 test\n\ndata...\n')`,
		"search => OK [b'1']",
		"store ('1', 'FLAGS', '(\\\\Deleted)')",
		"delete (b'/tmp/yyy',)",
		"delete (b'/tmp/yyz 2',)",
		"response => UIDVALIDITY [b'1']",
		"uid => OK [b'1']",
		"uid ('FETCH', '1', '(FLAGS INTERNALDATE RFC822.SIZE RFC822.HEADER RFC822.TEXT)')",
		"b'This message was placed in INBOX when the server started.\\r\\n'",
		"logout => BYE [b'Logging out']",
	} {
		assert.Contains(t, stderr, want)
	}
	// The wire is shown (debug 4): replies as well as commands.
	assert.Regexp(t, `(?m)^  \d\d:\d\d\.\d\d < b'\* SEARCH 1'$`, stderr)
}

func TestCmdSelfTestDebugLevelZero(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	code, stdout, stderr := cmdRun(t, "", "-d0")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, "\nAll tests OK.\n", stdout)
	assert.Empty(t, cmdSent(stderr), "no wire at debug 0")
	// The self-test's progress lines do not depend on the level.
	assert.Contains(t, stderr, "logout => BYE [b'Logging out']")
}

// cmdServer starts an embedded server for a test that connects to it as a
// remote host.
func cmdServer(t *testing.T, user string) *embeddedServer {
	t.Helper()
	srv, err := startEmbedded(user, &cmdBuffer{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func TestCmdSelfTestHost(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	srv := cmdServer(t, "cmdtester")
	t.Setenv("IMAP_PASSWORD", srv.Password)

	code, stdout, stderr := cmdRun(t, "", "-d", "4", fmt.Sprintf("%s:%d", srv.Host, srv.Port))
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, "\nAll tests OK.\n", stdout)
	assert.Equal(t, cmdSelfTestWire, cmdSent(stderr))
}

func TestCmdSelfTestPasswordFromInput(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	srv := cmdServer(t, "cmdtester")
	// Even an empty IMAP_PASSWORD is a password: unset it for the prompt.
	cmdUnsetenv(t, "IMAP_PASSWORD")
	host := fmt.Sprintf("%s:%d", srv.Host, srv.Port)

	code, stdout, stderr := cmdRun(t, srv.Password+"\n", host)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, "\nAll tests OK.\n", stdout)
	// Not a terminal: warned, as getpass warns.
	assert.True(t, strings.HasPrefix(stderr,
		"Warning: Password input may be echoed.\nIMAP password for cmdtester on "+srv.Host+": "), stderr)
}

func TestCmdSelfTestFailures(t *testing.T) {
	cmdFixedUser(t, "cmdtester")

	t.Run("login refused", func(t *testing.T) {
		srv := cmdServer(t, "cmdtester")
		t.Setenv("IMAP_PASSWORD", "wrong")
		code, stdout, stderr := cmdRun(t, "", fmt.Sprintf("%s:%d", srv.Host, srv.Port))
		assert.Equal(t, 1, code)
		// Debugging was off, so the hint is given.
		assert.Equal(t, "\nTests failed.\n\nIf you would like to see debugging output,\ntry: imaplib -d5\n\n", stdout)
		assert.Contains(t, stderr, "imaplib: [AUTHENTICATIONFAILED] Authentication failed")
	})

	t.Run("NO answer", func(t *testing.T) {
		srv := cmdServer(t, "cmdtester")
		// A leftover mailbox makes the test's first CREATE fail with NO.
		M, err := imaplib.NewIMAP4(srv.Host, srv.Port, 0)
		require.NoError(t, err)
		_, _, err = M.Login(srv.User, srv.Password)
		require.NoError(t, err)
		typ, _, err := M.Create("/tmp/xxx 1")
		require.NoError(t, err)
		require.Equal(t, "OK", typ)
		require.NoError(t, M.Exit())

		t.Setenv("IMAP_PASSWORD", srv.Password)
		code, stdout, stderr := cmdRun(t, "", "-d1", fmt.Sprintf("%s:%d", srv.Host, srv.Port))
		assert.Equal(t, 1, code)
		// Debugging was on: no hint.
		assert.Equal(t, "\nTests failed.\n", stdout)
		assert.Contains(t, stderr, "create => NO [b'[ALREADYEXISTS] Mailbox already exists']")
		assert.Contains(t, stderr, "imaplib: create ('/tmp/xxx 1',) => NO [b'[ALREADYEXISTS] Mailbox already exists']\n")
		assert.NotContains(t, stderr, "rename (")
	})

	t.Run("no server", func(t *testing.T) {
		srv := cmdServer(t, "cmdtester")
		addr := fmt.Sprintf("%s:%d", srv.Host, srv.Port)
		require.NoError(t, srv.Close())
		t.Setenv("IMAP_PASSWORD", "x")
		code, stdout, stderr := cmdRun(t, "", addr)
		assert.Equal(t, 1, code)
		assert.True(t, strings.HasPrefix(stdout, "\nTests failed.\n"), stdout)
		assert.Contains(t, stderr, "connection refused")
	})
}

func TestCmdSelfTestStream(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is needed to bridge the stream to the embedded server")
	}
	cmdFixedUser(t, "cmdtester")
	srv := cmdServer(t, "cmdtester")
	t.Setenv("IMAP_PASSWORD", srv.Password)
	// bash's /dev/tcp joins the child's stdin and stdout to the server.
	stream := fmt.Sprintf(`%s -c 'exec 3<>/dev/tcp/%s/%d; cat <&3 & exec cat >&3'`, bash, srv.Host, srv.Port)

	code, stdout, stderr := cmdRun(t, "", "-d4", "-s", stream)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, "\nAll tests OK.\n", stdout)
	assert.Equal(t, cmdSelfTestWire, cmdSent(stderr))
}

func TestCmdUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad debug level", []string{"-d", "x"}, `option -d: invalid debug level "x"`},
		{"bad attached debug level", []string{"-dfive"}, `option -d: invalid debug level "five"`},
		{"negative debug level", []string{"-d", "-1"}, `option -d: invalid debug level "-1"`},
		{"missing debug level", []string{"-d"}, "option -d requires argument"},
		{"missing stream command", []string{"-s"}, "option -s requires argument"},
		{"unknown option", []string{"-x"}, "option -x not recognized"},
		{"unknown long option", []string{"--verbose"}, "option --verbose not recognized"},
		{"two hosts", []string{"a.example", "b.example"}, "too many arguments: a.example b.example"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cmdRun(t, "", tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "imaplib: "+tc.want+"\nusage: imaplib [-d level] [-s \"stream command\"] [-i] [host[:port]]\n"), stderr)
		})
	}
}

func TestCmdHelp(t *testing.T) {
	code, stdout, stderr := cmdRun(t, "", "-h")
	assert.Equal(t, 0, code)
	assert.Empty(t, stderr)
	assert.True(t, strings.HasPrefix(stdout, "usage: imaplib [-d level]"), stdout)
	assert.Contains(t, stdout, "IMAP_PASSWORD")
}

func TestCmdParseOptions(t *testing.T) {
	cases := []struct {
		args []string
		want options
	}{
		{nil, options{port: 143}},
		{[]string{"-d5"}, options{debug: 5, debugSet: true, port: 143}},
		{[]string{"-d", "5", "mail.example"}, options{debug: 5, debugSet: true, host: "mail.example", port: 143}},
		{[]string{"-id3"}, options{debug: 3, debugSet: true, interactive: true, port: 143}},
		{[]string{"-s", "ssh host imapd"}, options{stream: "ssh host imapd", port: 143}},
		{[]string{"-sssh host imapd", "-i"}, options{stream: "ssh host imapd", interactive: true, port: 143}},
		{[]string{"--", "-d"}, options{host: "-d", port: 143}},
		{[]string{"mail.example", "-d5"}, options{}},
		{[]string{"127.0.0.1:1430"}, options{host: "127.0.0.1", port: 1430}},
		{[]string{"[::1]:1430"}, options{host: "::1", port: 1430}},
		{[]string{"::1"}, options{host: "::1", port: 143}},
		{[]string{"host:imap"}, options{host: "host:imap", port: 143}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := parseOptions(tc.args)
			if tc.want.port == 0 {
				// getopt stops at the first word that is not an option,
				// so the rest is a second host.
				assert.ErrorContains(t, err, "too many arguments")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, *got)
		})
	}
}
