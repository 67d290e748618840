package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cmdExchange is one line typed at the prompt and what was printed for it.
type cmdExchange struct {
	input, output string
}

// cmdTranscript splits the interactive mode's output at its prompts. Input
// from a pipe is echoed after the prompt, so each part starts with the line
// typed. The part before the first prompt is the banner.
func cmdTranscript(t *testing.T, stdout string) (string, []cmdExchange) {
	t.Helper()
	parts := strings.Split(stdout, prompt)
	require.NotEmpty(t, parts)
	var ex []cmdExchange
	for _, p := range parts[1:] {
		in, out, _ := strings.Cut(p, "\n")
		ex = append(ex, cmdExchange{input: in, output: out})
	}
	return parts[0], ex
}

func TestCmdInteractiveEmbedded(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	input := strings.Join([]string{
		"state",
		"login",
		"select INBOX",
		"fetch 1 (FLAGS BODY[HEADER])",
		"uid SEARCH ALL",
		"M.select('INBOX', readonly=True)",
		"search(None, 'SUBJECT', 'welcome')",
		"state",
		"bogus 1",
		"select a b c",
		"# a comment line is skipped",
		"",
		"response('READ-ONLY')",
		"quit",
		"noop", // not reached
	}, "\n") + "\n"
	code, stdout, stderr := cmdRun(t, input, "-i")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)

	banner, ex := cmdTranscript(t, stdout)
	assert.Contains(t, banner, "Connected to the embedded IMAP server on 127.0.0.1:")
	assert.Contains(t, banner, "user 'cmdtester', password 'imaplib-selftest'.")
	assert.Contains(t, banner, "  Python: M = imaplib.IMAP4('127.0.0.1', ")
	assert.Contains(t, banner, "  Go:     M, err := imaplib.NewIMAP4(\"127.0.0.1\", ")

	want := []cmdExchange{
		{"state", "'NONAUTH'\n"},
		{"login", "# Go: M.Login(user, password)\n" +
			"('OK', [b'[CAPABILITY IMAP4rev1 SASL-IR LITERAL- UNSELECT ENABLE IDLE UTF8=ACCEPT NAMESPACE UIDPLUS MOVE CHILDREN] Logged in'])\n"},
		{"select INBOX", "# Go: M.Select(\"INBOX\", false)\n('OK', [b'1'])\n"},
		{"fetch 1 (FLAGS BODY[HEADER])", "# Go: M.Fetch(\"1\", \"(FLAGS BODY[HEADER])\")\n" +
			`('OK', [(b'1 (UID 1 FLAGS (\\seen) BODY[HEADER] {68}', b'From: imaplib@localhost\r\nSubject: welcome to the embedded server\r\n\r\n'), b')', b'1 (UID 1 FLAGS (\\seen))'])` + "\n"},
		{"uid SEARCH ALL", "# Go: M.UID(\"SEARCH\", \"ALL\")\n('OK', [b'1'])\n"},
		{"M.select('INBOX', readonly=True)", "# Go: M.Select(\"INBOX\", true)\n('OK', [b'1'])\n"},
		{"search(None, 'SUBJECT', 'welcome')", "# Go: M.Search(\"\", \"SUBJECT\", \"welcome\")\n('OK', [b'1'])\n"},
		{"state", "'SELECTED'\n"},
		{"bogus 1", "AttributeError: Unknown IMAP4 command: 'bogus'\n"},
		{"select a b c", "TypeError: select() takes 2 positional arguments but 3 were given\n"},
		{"# a comment line is skipped", ""},
		{"", ""},
		{"response('READ-ONLY')", "# Go: M.Response(\"READ-ONLY\")\n('READ-ONLY', [b''])\n"},
		{"quit", ""},
	}
	assert.Equal(t, want, ex)

	// The wire is traced on stderr, and quit logs out.
	assert.Equal(t, []string{
		"CAPABILITY",
		`LOGIN cmdtester "imaplib-selftest"`,
		"SELECT INBOX",
		"FETCH 1 (FLAGS BODY[HEADER])",
		"UID SEARCH ALL",
		"EXAMINE INBOX",
		"SEARCH SUBJECT welcome",
		"LOGOUT",
	}, cmdSent(stderr))
}

func TestCmdInteractiveErrorsAndEOF(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	input := strings.Join([]string{
		"select",               // before login: wrong state
		"login cmdtester nope", // refused
		"login('cmdtester', 'imaplib-selftest')",
		"create \"My Box\"", // IMAP quoted string, sent as typed
		"list('\"\"', 'My*')",
		"getquotaroot INBOX", // go-imap has no QUOTA
		"store 1 +FLAGS",     // missing argument
		"debug = 0",
		"debug",
		"noop",
		// No quit: the end of input leaves, logging out.
	}, "\n") + "\n"
	code, stdout, stderr := cmdRun(t, input, "-i")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)

	_, ex := cmdTranscript(t, stdout)
	want := []cmdExchange{
		{"select", "# Go: M.Select(\"\", false)\n" +
			"imaplib.IMAP4.error: command SELECT illegal in state NONAUTH, only allowed in states AUTH, SELECTED\n"},
		{"login cmdtester nope", "# Go: M.Login(\"cmdtester\", \"nope\")\n" +
			"imaplib.IMAP4.error: [AUTHENTICATIONFAILED] Authentication failed\n"},
		{"login('cmdtester', 'imaplib-selftest')", "# Go: M.Login(\"cmdtester\", \"imaplib-selftest\")\n" +
			"('OK', [b'[CAPABILITY IMAP4rev1 SASL-IR LITERAL- UNSELECT ENABLE IDLE UTF8=ACCEPT NAMESPACE UIDPLUS MOVE CHILDREN] Logged in'])\n"},
		{"create \"My Box\"", "# Go: M.Create(`\"My Box\"`)\n('OK', [b'CREATE completed'])\n"},
		{"list('\"\"', 'My*')", "# Go: M.List(`\"\"`, \"My*\")\n('OK', [b'() \"/\" \"My Box\"'])\n"},
		{"getquotaroot INBOX", "# Go: M.GetQuotaRoot(\"INBOX\")\n" +
			"imaplib.IMAP4.error: GETQUOTAROOT command error: BAD [b'Unknown command']\n"},
		{"store 1 +FLAGS", "TypeError: store() missing 1 required positional argument(s): 'flags'\n"},
		{"debug = 0", "# Go: M.Debug = 0\n"},
		{"debug", "0\n"},
		{"noop", "# Go: M.Noop()\n('OK', [b'NOOP completed'])\n"},
		{"", ""}, // the prompt that met the end of input
	}
	assert.Equal(t, want, ex)

	sent := cmdSent(stderr)
	assert.Contains(t, sent, `CREATE "My Box"`)
	// At debug 0 neither NOOP nor the LOGOUT at the end of input is traced.
	assert.NotContains(t, sent, "NOOP")
	assert.NotContains(t, sent, "LOGOUT")
}

func TestCmdInteractiveLogoutAtEOF(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	code, stdout, stderr := cmdRun(t, "login\n", "-i")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Contains(t, stdout, "Logged in'])\n")
	sent := cmdSent(stderr)
	require.NotEmpty(t, sent)
	assert.Equal(t, "LOGOUT", sent[len(sent)-1], "the end of input logs out")
}

func TestCmdInteractiveIdleAndEnable(t *testing.T) {
	cmdFixedUser(t, "cmdtester")
	input := "login\nenable UTF8=ACCEPT\nutf8_enabled\nselect\nidle(0.2)\nquit\n"
	code, stdout, stderr := cmdRun(t, input, "-i")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	_, ex := cmdTranscript(t, stdout)
	require.Len(t, ex, 6)
	assert.Equal(t, cmdExchange{"enable UTF8=ACCEPT", "# Go: M.Enable(\"UTF8=ACCEPT\")\n('OK', [b'ENABLE completed'])\n"}, ex[1])
	assert.Equal(t, cmdExchange{"utf8_enabled", "True\n"}, ex[2])
	// Nothing happens in the mailbox meanwhile, so IDLE reports nothing.
	assert.Equal(t, cmdExchange{"idle(0.2)", "# Go: M.Idle(0.2 * time.Second)\n"}, ex[4])
	assert.Contains(t, cmdSent(stderr), "ENABLE UTF8=ACCEPT")
	assert.Contains(t, cmdSent(stderr), "IDLE")
}

func TestCmdInteractiveHelp(t *testing.T) {
	code, stdout, _ := cmdRun(t, "help\nhelp getquotaroot\nquit\n", "-i")
	require.Equal(t, 0, code)
	_, ex := cmdTranscript(t, stdout)
	require.Len(t, ex, 3)
	// Every command is listed with its Python and Go forms.
	for _, c := range shellCommands() {
		assert.Regexp(t, fmt.Sprintf(`(?m)^%s +%s$`, regexp.QuoteMeta(c.sig), regexp.QuoteMeta(c.goSig)), ex[0].output)
	}
	assert.Contains(t, ex[0].output, "  untagged_responses   M.UntaggedResponses\n")
	assert.Equal(t, "Python: M.getquotaroot(mailbox)\nGo:     M.GetQuotaRoot(mailbox string)\n"+
		"Note:   Go returns (typ, quotaroot, quota, err)\n", ex[1].output)
}
