package imaplib

// Wire tests: for every public command, the exact bytes the client sends
// and the (typ, data) it returns.
//
// In the classic profile each expectation is CPython 3.13.0's:
// TestWireClassicCPython runs the Python call of every row against the same
// scripted server and checks that CPython sends and returns what the row
// says, and TestWireClassic checks the port against the same rows.
//
// In the current profile, CPython's July 2026 quoting is known only by
// description, so those rows pin quote.go's rules, designed from RFC 3501.

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fsWireCaps are the capabilities of the wire tests' server.
const fsWireCaps = "ENABLE UTF8=ACCEPT AUTH=CRAM-MD5 NAMESPACE ACL QUOTA"

// fsWireCase is one call: the server's script, the call in Go and in
// Python, and what it must send and give.
type fsWireCase struct {
	name    string
	state   string              // set before the call (Python: M.state = ...)
	replies map[string][]string // the server's answers (fsScriptHandler)
	goSetup func(m *IMAP4) error
	pySetup []string
	goCall  func(m *IMAP4) (string, string, error) // typ, repr(data), err
	pyCall  string
	wire    string // every byte sent after the connection's CAPABILITY, tags as TAG<n>
	typ     string
	data    string // Python's repr of data
	err     string // "class: message" when the call fails
	after   string // the state afterwards
}

// fsD adapts a command's result to a wire row.
func fsD(typ string, data [][]byte, err error) (string, string, error) {
	if err != nil {
		return "", "", err
	}
	return typ, Repr(data), nil
}

// fsUpper is the Python lambda `lambda c: c.upper()` as an authobject.
func fsUpper(c []byte) []byte { return bytes.ToUpper(c) }

func fsClassicWireCases() []fsWireCase {
	ok := func(steps ...string) []string { return steps }
	return []fsWireCase{
		{
			name: "append", state: "AUTH",
			replies: map[string][]string{"APPEND": ok("L", "S {tag} OK [APPENDUID 38505 3955] APPEND completed")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Append("INBOX", `(\Seen)`, `"01-Jan-2000 00:00:00 +0000"`, []byte("Subject: hi\n\nbody\r\n")))
			},
			pyCall: `M.append('INBOX', r'(\Seen)', '"01-Jan-2000 00:00:00 +0000"', b'Subject: hi\n\nbody\r\n')`,
			wire:   "TAG1 APPEND INBOX (\\Seen) \"01-Jan-2000 00:00:00 +0000\" {21}\r\nSubject: hi\r\n\r\nbody\r\n\r\n",
			typ:    "OK",
			data:   "[b'[APPENDUID 38505 3955] APPEND completed']",
			after:  "AUTH",
		},
		{
			name: "append_defaults_and_line_endings", state: "AUTH",
			replies: map[string][]string{"APPEND": ok("L", "S {tag} OK APPEND completed")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Append("", `\Seen \Draft`, nil, []byte("a\rb\nc\r\nd\r\r\n")))
			},
			pyCall: `M.append(None, '\\Seen \\Draft', None, b'a\rb\nc\r\nd\r\r\n')`,
			wire:   "TAG1 APPEND INBOX (\\Seen \\Draft) {14}\r\na\r\nb\r\nc\r\nd\r\n\r\n\r\n",
			typ:    "OK",
			data:   "[b'APPEND completed']",
			after:  "AUTH",
		},
		{
			name: "append_refused_before_literal", state: "AUTH",
			replies: map[string][]string{"APPEND": ok("S {tag} NO [TRYCREATE] no such mailbox")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Append("Nope", "", nil, []byte("x")))
			},
			pyCall: `M.append('Nope', None, None, b'x')`,
			wire:   "TAG1 APPEND Nope {1}\r\n",
			typ:    "NO",
			data:   "[b'[TRYCREATE] no such mailbox']",
			after:  "AUTH",
		},
		{
			name: "append_utf8_mode", state: "AUTH",
			replies: map[string][]string{
				"ENABLE": ok("S * ENABLED UTF8=ACCEPT", "S {tag} OK ENABLE completed"),
				"APPEND": ok("L", "S {tag} OK APPEND completed"),
			},
			goSetup: func(m *IMAP4) error { _, _, err := m.Enable("UTF8=ACCEPT"); return err },
			pySetup: []string{`M.enable('UTF8=ACCEPT')`},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Append("", "", nil, []byte("Subject: \u00fc\u00f1\u00ed\u00a9\u00f6\u00f0\u00e9\n")))
			},
			pyCall: `M.append(None, None, None, 'Subject: \u00fc\u00f1\u00ed\u00a9\u00f6\u00f0\u00e9\n'.encode())`,
			wire:   "TAG1 ENABLE UTF8=ACCEPT\r\nTAG2 APPEND INBOX {32}\r\nUTF8 (Subject: üñí©öðé\r\n)\r\n",
			typ:    "OK",
			data:   "[b'APPEND completed']",
			after:  "AUTH",
		},
		{
			name: "authenticate", state: "NONAUTH",
			replies: map[string][]string{"AUTHENTICATE": ok("C", "S {tag} OK AUTHENTICATE completed")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Authenticate("plain", func([]byte) []byte { return []byte("\x00user\x00pass") }))
			},
			pyCall: `M.authenticate('plain', lambda c: b'\x00user\x00pass')`,
			wire:   "TAG1 AUTHENTICATE PLAIN\r\nAHVzZXIAcGFzcw==\r\n",
			typ:    "OK",
			data:   "[b'AUTHENTICATE completed']",
			after:  "AUTH",
		},
		{
			name: "authenticate_two_challenges", state: "NONAUTH",
			replies: map[string][]string{"AUTHENTICATE": ok("C Zmlyc3Q=", "C c2Vjb25k", "S {tag} OK done")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Authenticate("X-ECHO", fsUpper))
			},
			pyCall: `M.authenticate('X-ECHO', lambda c: c.upper())`,
			wire:   "TAG1 AUTHENTICATE X-ECHO\r\nRklSU1Q=\r\nU0VDT05E\r\n",
			typ:    "OK",
			data:   "[b'done']",
			after:  "AUTH",
		},
		{
			name: "authenticate_aborted", state: "NONAUTH",
			replies: map[string][]string{"AUTHENTICATE": ok("C", "S {tag} NO [AUTHENTICATIONFAILED] aborted")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Authenticate("MYAUTH", func([]byte) []byte { return nil }))
			},
			pyCall: `M.authenticate('MYAUTH', lambda c: None)`,
			wire:   "TAG1 AUTHENTICATE MYAUTH\r\n*\r\n",
			err:    "error: [AUTHENTICATIONFAILED] aborted",
			after:  "NONAUTH",
		},
		{
			name: "authenticate_empty_answer", state: "NONAUTH",
			replies: map[string][]string{"AUTHENTICATE": ok("C", "S {tag} OK done")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Authenticate("MYAUTH", func([]byte) []byte { return []byte{} }))
			},
			pyCall: `M.authenticate('MYAUTH', lambda c: b'')`,
			wire:   "TAG1 AUTHENTICATE MYAUTH\r\n\r\n",
			typ:    "OK",
			data:   "[b'done']",
			after:  "AUTH",
		},
		{
			name: "capability", state: "NONAUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Capability()) },
			pyCall: `M.capability()`,
			wire:   "TAG1 CAPABILITY\r\n",
			typ:    "OK",
			data:   "[b'IMAP4rev1 ENABLE UTF8=ACCEPT AUTH=CRAM-MD5 NAMESPACE ACL QUOTA']",
			after:  "NONAUTH",
		},
		{
			name: "check", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Check()) },
			pyCall: `M.check()`,
			wire:   "TAG1 CHECK\r\n",
			typ:    "OK",
			data:   "[b'CHECK completed']",
			after:  "SELECTED",
		},
		{
			name: "close", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Close()) },
			pyCall: `M.close()`,
			wire:   "TAG1 CLOSE\r\n",
			typ:    "OK",
			data:   "[b'CLOSE completed']",
			after:  "AUTH",
		},
		{
			name: "close_bad", state: "SELECTED",
			replies: map[string][]string{"CLOSE": ok("S {tag} BAD no mailbox")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Close()) },
			pyCall:  `M.close()`,
			wire:    "TAG1 CLOSE\r\n",
			err:     "error: CLOSE command error: BAD [b'no mailbox']",
			after:   "AUTH",
		},
		{
			name: "copy", state: "SELECTED",
			replies: map[string][]string{"COPY": ok("S {tag} OK [COPYUID 38505 304,319:320 3956:3958] Done")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Copy("2:4", "MEETING")) },
			pyCall:  `M.copy('2:4', 'MEETING')`,
			wire:    "TAG1 COPY 2:4 MEETING\r\n",
			typ:     "OK",
			data:    "[b'[COPYUID 38505 304,319:320 3956:3958] Done']",
			after:   "SELECTED",
		},
		{
			name: "create_unquoted", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Create("my box")) },
			pyCall: `M.create('my box')`,
			wire:   "TAG1 CREATE my box\r\n",
			typ:    "OK",
			data:   "[b'CREATE completed']",
			after:  "AUTH",
		},
		{
			name: "create_tab_sent_as_is", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Create("a\tb")) },
			pyCall: `M.create('a\tb')`,
			wire:   "TAG1 CREATE a\tb\r\n",
			typ:    "OK",
			data:   "[b'CREATE completed']",
			after:  "AUTH",
		},
		{
			name: "delete", state: "AUTH",
			replies: map[string][]string{"DELETE": ok("S {tag} NO Name \"foo\" has inferior hierarchical names")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Delete("foo")) },
			pyCall:  `M.delete('foo')`,
			wire:    "TAG1 DELETE foo\r\n",
			typ:     "NO",
			data:    "[b'Name \"foo\" has inferior hierarchical names']",
			after:   "AUTH",
		},
		{
			name: "deleteacl", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.DeleteACL("INBOX", "fred")) },
			pyCall: `M.deleteacl('INBOX', 'fred')`,
			wire:   "TAG1 DELETEACL INBOX fred\r\n",
			typ:    "OK",
			data:   "[b'DELETEACL completed']",
			after:  "AUTH",
		},
		{
			name: "enable", state: "AUTH",
			replies: map[string][]string{"ENABLE": ok("S * ENABLED CONDSTORE", "S {tag} OK ENABLE completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Enable("CONDSTORE")) },
			pyCall:  `M.enable('CONDSTORE')`,
			wire:    "TAG1 ENABLE CONDSTORE\r\n",
			typ:     "OK",
			data:    "[b'ENABLE completed']",
			after:   "AUTH",
		},
		{
			name: "expunge", state: "SELECTED",
			replies: map[string][]string{"EXPUNGE": ok("S * 3 EXPUNGE", "S * 3 EXPUNGE", "S * 5 EXPUNGE", "S {tag} OK EXPUNGE completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Expunge()) },
			pyCall:  `M.expunge()`,
			wire:    "TAG1 EXPUNGE\r\n",
			typ:     "OK",
			data:    "[b'3', b'3', b'5']",
			after:   "SELECTED",
		},
		{
			name: "fetch_literal", state: "SELECTED",
			replies: map[string][]string{"FETCH": ok(
				"S * 1 FETCH (UID 5 BODY[] {5}", `S hello FLAGS (\Seen))`,
				"S * 2 FETCH (UID 6 BODY[] {0}", "S )",
				"S {tag} OK FETCH completed")},
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Fetch("1:2", "(UID BODY[])")) },
			pyCall: `M.fetch('1:2', '(UID BODY[])')`,
			wire:   "TAG1 FETCH 1:2 (UID BODY[])\r\n",
			typ:    "OK",
			data:   "[(b'1 (UID 5 BODY[] {5}', b'hello'), b' FLAGS (\\\\Seen))', (b'2 (UID 6 BODY[] {0}', b''), b')']",
			after:  "SELECTED",
		},
		{
			name: "fetch_two_literals", state: "SELECTED",
			replies: map[string][]string{"FETCH": ok(
				"S * 1 FETCH (BODY[1] {2}", "S ab BODY[2] {3}", "S cde)", "S {tag} OK FETCH completed")},
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Fetch("1", "(BODY[1] BODY[2])")) },
			pyCall: `M.fetch('1', '(BODY[1] BODY[2])')`,
			wire:   "TAG1 FETCH 1 (BODY[1] BODY[2])\r\n",
			typ:    "OK",
			data:   "[(b'1 (BODY[1] {2}', b'ab'), (b' BODY[2] {3}', b'cde'), b')']",
			after:  "SELECTED",
		},
		{
			name: "fetch_none", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Fetch("9", "(FLAGS)")) },
			pyCall: `M.fetch('9', '(FLAGS)')`,
			wire:   "TAG1 FETCH 9 (FLAGS)\r\n",
			typ:    "OK",
			data:   "[None]",
			after:  "SELECTED",
		},
		{
			name: "getacl", state: "AUTH",
			replies: map[string][]string{"GETACL": ok("S * ACL INBOX Fred rwipsldexta", "S {tag} OK Getacl complete")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.GetACL("INBOX")) },
			pyCall:  `M.getacl('INBOX')`,
			wire:    "TAG1 GETACL INBOX\r\n",
			typ:     "OK",
			data:    "[b'INBOX Fred rwipsldexta']",
			after:   "AUTH",
		},
		{
			name: "getannotation", state: "AUTH",
			replies: map[string][]string{"GETANNOTATION": ok(`S * ANNOTATION INBOX "/comment" ("value.priv" "My comment")`, "S {tag} OK done")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.GetAnnotation("INBOX", `"/comment"`, `"value.priv"`))
			},
			pyCall: `M.getannotation('INBOX', '"/comment"', '"value.priv"')`,
			wire:   "TAG1 GETANNOTATION INBOX \"/comment\" \"value.priv\"\r\n",
			typ:    "OK",
			data:   "[b'INBOX \"/comment\" (\"value.priv\" \"My comment\")']",
			after:  "AUTH",
		},
		{
			name: "getquota", state: "AUTH",
			replies: map[string][]string{"GETQUOTA": ok(`S * QUOTA "" (STORAGE 10 512)`, "S {tag} OK Getquota completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.GetQuota(`""`)) },
			pyCall:  `M.getquota('""')`,
			wire:    "TAG1 GETQUOTA \"\"\r\n",
			typ:     "OK",
			data:    "[b'\"\" (STORAGE 10 512)']",
			after:   "AUTH",
		},
		{
			name: "getquotaroot", state: "AUTH",
			replies: map[string][]string{"GETQUOTAROOT": ok(`S * QUOTAROOT INBOX ""`, `S * QUOTA "" (STORAGE 10 512)`, "S {tag} OK Getquota completed")},
			goCall: func(m *IMAP4) (string, string, error) {
				typ, root, quota, err := m.GetQuotaRoot("INBOX")
				if err != nil {
					return "", "", err
				}
				return typ, "[" + Repr(root) + ", " + Repr(quota) + "]", nil
			},
			pyCall: `M.getquotaroot('INBOX')`,
			wire:   "TAG1 GETQUOTAROOT INBOX\r\n",
			typ:    "OK",
			data:   "[[b'INBOX \"\"'], [b'\"\" (STORAGE 10 512)']]",
			after:  "AUTH",
		},
		{
			name: "getquotaroot_no", state: "AUTH",
			replies: map[string][]string{"GETQUOTAROOT": ok(`S {tag} NO quota not supported`)},
			goCall: func(m *IMAP4) (string, string, error) {
				typ, root, quota, err := m.GetQuotaRoot("INBOX")
				if err != nil {
					return "", "", err
				}
				return typ, "[" + Repr(root) + ", " + Repr(quota) + "]", nil
			},
			pyCall: `M.getquotaroot('INBOX')`,
			wire:   "TAG1 GETQUOTAROOT INBOX\r\n",
			typ:    "NO",
			data:   "[[b'quota not supported'], [b'quota not supported']]",
			after:  "AUTH",
		},
		{
			name: "list_defaults", state: "AUTH",
			replies: map[string][]string{"LIST": ok(`S * LIST (\HasNoChildren) "/" INBOX`, `S * LIST () "/" {3}`, "S abc", "S {tag} OK LIST completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.List("", "")) },
			pyCall:  `M.list()`,
			wire:    "TAG1 LIST \"\" *\r\n",
			typ:     "OK",
			data:    "[b'(\\\\HasNoChildren) \"/\" INBOX', (b'() \"/\" {3}', b'abc'), b'']",
			after:   "AUTH",
		},
		{
			name: "list_args", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.List("~/Mail", "%")) },
			pyCall: `M.list('~/Mail', '%')`,
			wire:   "TAG1 LIST ~/Mail %\r\n",
			typ:    "OK",
			data:   "[None]",
			after:  "AUTH",
		},
		{
			name: "login", state: "NONAUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Login("us er", `p"a\ss`)) },
			pyCall: `M.login('us er', 'p"a\\ss')`,
			wire:   "TAG1 LOGIN us er \"p\\\"a\\\\ss\"\r\n",
			typ:    "OK",
			data:   "[b'LOGIN completed']",
			after:  "AUTH",
		},
		{
			name: "login_refused", state: "NONAUTH",
			replies: map[string][]string{"LOGIN": ok("S {tag} NO [AUTHENTICATIONFAILED] Authentication failed.")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Login("user", "bad")) },
			pyCall:  `M.login('user', 'bad')`,
			wire:    "TAG1 LOGIN user \"bad\"\r\n",
			err:     "error: b'[AUTHENTICATIONFAILED] Authentication failed.'",
			after:   "NONAUTH",
		},
		{
			name: "login_cram_md5", state: "NONAUTH",
			replies: map[string][]string{"AUTHENTICATE": ok("C PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ=", "S {tag} OK CRAM-MD5 successful")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.LoginCRAMMD5("tim", "tanstaaftanstaaf")) },
			pyCall:  `M.login_cram_md5('tim', 'tanstaaftanstaaf')`,
			wire:    "TAG1 AUTHENTICATE CRAM-MD5\r\ndGltIGYxY2E2YmU0NjRiOWVmYTFjY2E2ZmZkNmNmMmQ5ZjMy\r\n",
			typ:     "OK",
			data:    "[b'CRAM-MD5 successful']",
			after:   "AUTH",
		},
		{
			name: "logout", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Logout()) },
			pyCall: `M.logout()`,
			wire:   "TAG1 LOGOUT\r\n",
			typ:    "BYE",
			data:   "[b'IMAP4ref1 Server logging out']",
			after:  "LOGOUT",
		},
		{
			name: "logout_without_bye", state: "AUTH",
			replies: map[string][]string{"LOGOUT": ok("S {tag} OK LOGOUT completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Logout()) },
			pyCall:  `M.logout()`,
			wire:    "TAG1 LOGOUT\r\n",
			typ:     "OK",
			data:    "[b'LOGOUT completed']",
			after:   "LOGOUT",
		},
		{
			name: "lsub", state: "AUTH",
			replies: map[string][]string{"LSUB": ok(`S * LSUB () "." directoryA`, "S {tag} OK LSUB completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Lsub("", "")) },
			pyCall:  `M.lsub()`,
			wire:    "TAG1 LSUB \"\" *\r\n",
			typ:     "OK",
			data:    "[b'() \".\" directoryA']",
			after:   "AUTH",
		},
		{
			name: "myrights", state: "AUTH",
			replies: map[string][]string{"MYRIGHTS": ok("S * MYRIGHTS INBOX rwiptsldaex", "S {tag} OK Myrights complete")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.MyRights("INBOX")) },
			pyCall:  `M.myrights('INBOX')`,
			wire:    "TAG1 MYRIGHTS INBOX\r\n",
			typ:     "OK",
			data:    "[b'INBOX rwiptsldaex']",
			after:   "AUTH",
		},
		{
			name: "namespace", state: "AUTH",
			replies: map[string][]string{"NAMESPACE": ok(`S * NAMESPACE (("" "/")) NIL NIL`, "S {tag} OK NAMESPACE command completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Namespace()) },
			pyCall:  `M.namespace()`,
			wire:    "TAG1 NAMESPACE\r\n",
			typ:     "OK",
			data:    "[b'((\"\" \"/\")) NIL NIL']",
			after:   "AUTH",
		},
		{
			name: "noop", state: "SELECTED",
			replies: map[string][]string{"NOOP": ok("S * 22 EXPUNGE", "S * 23 EXISTS", "S {tag} OK NOOP completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Noop()) },
			pyCall:  `M.noop()`,
			wire:    "TAG1 NOOP\r\n",
			typ:     "OK",
			data:    "[b'NOOP completed']",
			after:   "SELECTED",
		},
		{
			name: "noop_bad", state: "AUTH",
			replies: map[string][]string{"NOOP": ok("S {tag} BAD nope")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Noop()) },
			pyCall:  `M.noop()`,
			wire:    "TAG1 NOOP\r\n",
			err:     "error: NOOP command error: BAD [b'nope']",
			after:   "AUTH",
		},
		{
			name: "partial", state: "SELECTED",
			replies: map[string][]string{"PARTIAL": ok("S * 1 FETCH (BODY[]<0> {10}", "S 0123456789)", "S {tag} OK PARTIAL completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Partial("1", "BODY[]", "0", "10")) },
			pyCall:  `M.partial('1', 'BODY[]', '0', '10')`,
			wire:    "TAG1 PARTIAL 1 BODY[] 0 10\r\n",
			typ:     "OK",
			data:    "[(b'1 (BODY[]<0> {10}', b'0123456789'), b')']",
			after:   "SELECTED",
		},
		{
			name: "proxyauth", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.ProxyAuth("bob")) },
			pyCall: `M.proxyauth('bob')`,
			wire:   "TAG1 PROXYAUTH bob\r\n",
			typ:    "OK",
			data:   "[b'PROXYAUTH completed']",
			after:  "AUTH",
		},
		{
			name: "recent_via_noop", state: "SELECTED",
			replies: map[string][]string{"NOOP": ok("S * 5 RECENT", "S {tag} OK NOOP completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Recent()) },
			pyCall:  `M.recent()`,
			wire:    "TAG1 NOOP\r\n",
			typ:     "OK",
			data:    "[b'5']",
			after:   "SELECTED",
		},
		{
			name: "rename", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Rename("blurdybloop", "sarasoop")) },
			pyCall: `M.rename('blurdybloop', 'sarasoop')`,
			wire:   "TAG1 RENAME blurdybloop sarasoop\r\n",
			typ:    "OK",
			data:   "[b'RENAME completed']",
			after:  "AUTH",
		},
		{
			name: "response_absent", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Response("exists")) },
			pyCall: `M.response('exists')`,
			wire:   "",
			typ:    "exists",
			data:   "[None]",
			after:  "AUTH",
		},
		{
			name: "search", state: "SELECTED",
			replies: map[string][]string{"SEARCH": ok("S * SEARCH 2 84 882", "S {tag} OK SEARCH completed")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Search("", "FLAGGED", "SINCE", "1-Feb-1994", "NOT", "FROM", "Smith"))
			},
			pyCall: `M.search(None, 'FLAGGED', 'SINCE', '1-Feb-1994', 'NOT', 'FROM', 'Smith')`,
			wire:   "TAG1 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n",
			typ:    "OK",
			data:   "[b'2 84 882']",
			after:  "SELECTED",
		},
		{
			name: "search_charset", state: "SELECTED",
			replies: map[string][]string{"SEARCH": ok("S * SEARCH", "S {tag} OK SEARCH completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Search("UTF-8", "SUBJECT", "hi")) },
			pyCall:  `M.search('UTF-8', 'SUBJECT', 'hi')`,
			wire:    "TAG1 SEARCH CHARSET UTF-8 SUBJECT hi\r\n",
			typ:     "OK",
			data:    "[b'']",
			after:   "SELECTED",
		},
		{
			name: "search_seed_parenthesised", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Search("", `(FROM "LDJ")`)) },
			pyCall: `M.search(None, '(FROM "LDJ")')`,
			wire:   "TAG1 SEARCH (FROM \"LDJ\")\r\n",
			typ:    "OK",
			data:   "[None]",
			after:  "SELECTED",
		},
		{
			name: "search_seed_quoted_value", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Search("", "FROM", `"LDJ"`)) },
			pyCall: `M.search(None, 'FROM', '"LDJ"')`,
			wire:   "TAG1 SEARCH FROM \"LDJ\"\r\n",
			typ:    "OK",
			data:   "[None]",
			after:  "SELECTED",
		},
		{
			name: "select", state: "AUTH",
			replies: map[string][]string{"SELECT": ok(
				`S * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
				"S * 172 EXISTS", "S * 1 RECENT",
				"S * OK [UNSEEN 12] Message 12 is first unseen",
				"S * OK [UIDVALIDITY 3857529045] UIDs valid",
				`S * OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited`,
				"S {tag} OK [READ-WRITE] SELECT completed")},
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Select("", false)) },
			pyCall: `M.select()`,
			wire:   "TAG1 SELECT INBOX\r\n",
			typ:    "OK",
			data:   "[b'172']",
			after:  "SELECTED",
		},
		{
			name: "select_examine", state: "AUTH",
			replies: map[string][]string{"EXAMINE": ok("S * 17 EXISTS", "S {tag} OK [READ-ONLY] EXAMINE completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Select("Sent", true)) },
			pyCall:  `M.select('Sent', True)`,
			wire:    "TAG1 EXAMINE Sent\r\n",
			typ:     "OK",
			data:    "[b'17']",
			after:   "SELECTED",
		},
		{
			name: "select_no", state: "SELECTED",
			replies: map[string][]string{"SELECT": ok("S {tag} NO Mailbox does not exist")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Select("Nope", false)) },
			pyCall:  `M.select('Nope')`,
			wire:    "TAG1 SELECT Nope\r\n",
			typ:     "NO",
			data:    "[b'Mailbox does not exist']",
			after:   "AUTH",
		},
		{
			name: "select_readonly_error", state: "AUTH",
			replies: map[string][]string{"SELECT": ok("S * 3 EXISTS", "S {tag} OK [READ-ONLY] SELECT completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Select("INBOX", false)) },
			pyCall:  `M.select('INBOX')`,
			wire:    "TAG1 SELECT INBOX\r\n",
			err:     "readonly: INBOX is not writable",
			after:   "SELECTED",
		},
		{
			name: "setacl", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.SetACL("INBOX", "fred", "+rwx")) },
			pyCall: `M.setacl('INBOX', 'fred', '+rwx')`,
			wire:   "TAG1 SETACL INBOX fred +rwx\r\n",
			typ:    "OK",
			data:   "[b'SETACL completed']",
			after:  "AUTH",
		},
		{
			name: "setannotation", state: "AUTH",
			replies: map[string][]string{"SETANNOTATION": ok(`S * ANNOTATION INBOX "/comment" ("value.priv" "hi")`, "S {tag} OK done")},
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.SetAnnotation("INBOX", `"/comment"`, `("value.priv" "hi")`))
			},
			pyCall: `M.setannotation('INBOX', '"/comment"', '("value.priv" "hi")')`,
			wire:   "TAG1 SETANNOTATION INBOX \"/comment\" (\"value.priv\" \"hi\")\r\n",
			typ:    "OK",
			data:   "[b'INBOX \"/comment\" (\"value.priv\" \"hi\")']",
			after:  "AUTH",
		},
		{
			name: "setquota", state: "AUTH",
			replies: map[string][]string{"SETQUOTA": ok(`S * QUOTA "" (STORAGE 10 512)`, "S {tag} OK Setquota completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.SetQuota(`""`, "(STORAGE 512)")) },
			pyCall:  `M.setquota('""', '(STORAGE 512)')`,
			wire:    "TAG1 SETQUOTA \"\" (STORAGE 512)\r\n",
			typ:     "OK",
			data:    "[b'\"\" (STORAGE 10 512)']",
			after:   "AUTH",
		},
		{
			name: "sort", state: "SELECTED",
			replies: map[string][]string{"SORT": ok("S * SORT 5 3 4 1 2", "S {tag} OK SORT completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Sort("REVERSE DATE", "UTF-8", "ALL")) },
			pyCall:  `M.sort('REVERSE DATE', 'UTF-8', 'ALL')`,
			wire:    "TAG1 SORT (REVERSE DATE) UTF-8 ALL\r\n",
			typ:     "OK",
			data:    "[b'5 3 4 1 2']",
			after:   "SELECTED",
		},
		{
			name: "sort_parenthesised", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Sort("(SUBJECT)", "US-ASCII", "SINCE", "1-Feb-1994"))
			},
			pyCall: `M.sort('(SUBJECT)', 'US-ASCII', 'SINCE', '1-Feb-1994')`,
			wire:   "TAG1 SORT (SUBJECT) US-ASCII SINCE 1-Feb-1994\r\n",
			typ:    "OK",
			data:   "[None]",
			after:  "SELECTED",
		},
		{
			name: "status", state: "AUTH",
			replies: map[string][]string{"STATUS": ok("S * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)", "S {tag} OK STATUS completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Status("blurdybloop", "(UIDNEXT MESSAGES)")) },
			pyCall:  `M.status('blurdybloop', '(UIDNEXT MESSAGES)')`,
			wire:    "TAG1 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
			typ:     "OK",
			data:    "[b'blurdybloop (MESSAGES 231 UIDNEXT 44292)']",
			after:   "AUTH",
		},
		{
			name: "store", state: "SELECTED",
			replies: map[string][]string{"STORE": ok(`S * 2 FETCH (FLAGS (\Deleted \Seen))`, `S * 3 FETCH (FLAGS (\Deleted))`, "S {tag} OK STORE completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Store("2:3", "+FLAGS", `\Deleted`)) },
			pyCall:  `M.store('2:3', '+FLAGS', '\\Deleted')`,
			wire:    "TAG1 STORE 2:3 +FLAGS (\\Deleted)\r\n",
			typ:     "OK",
			data:    "[b'2 (FLAGS (\\\\Deleted \\\\Seen))', b'3 (FLAGS (\\\\Deleted))']",
			after:   "SELECTED",
		},
		{
			name: "store_parenthesised", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) {
				return fsD(m.Store("1:*", "FLAGS.SILENT", `(\Seen \Answered)`))
			},
			pyCall: `M.store('1:*', 'FLAGS.SILENT', '(\\Seen \\Answered)')`,
			wire:   "TAG1 STORE 1:* FLAGS.SILENT (\\Seen \\Answered)\r\n",
			typ:    "OK",
			data:   "[None]",
			after:  "SELECTED",
		},
		{
			name: "subscribe", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Subscribe("#news.comp.mail.mime")) },
			pyCall: `M.subscribe('#news.comp.mail.mime')`,
			wire:   "TAG1 SUBSCRIBE #news.comp.mail.mime\r\n",
			typ:    "OK",
			data:   "[b'SUBSCRIBE completed']",
			after:  "AUTH",
		},
		{
			name: "thread", state: "SELECTED",
			replies: map[string][]string{"THREAD": ok("S * THREAD (2)(3 6 (4 23)(44 7 96))", "S {tag} OK THREAD completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Thread("REFERENCES", "UTF-8", "ALL")) },
			pyCall:  `M.thread('REFERENCES', 'UTF-8', 'ALL')`,
			wire:    "TAG1 THREAD REFERENCES UTF-8 ALL\r\n",
			typ:     "OK",
			data:    "[b'(2)(3 6 (4 23)(44 7 96))']",
			after:   "SELECTED",
		},
		{
			name: "uid_fetch", state: "SELECTED",
			replies: map[string][]string{"UID": ok(`S * 1 FETCH (UID 5 FLAGS (\Seen))`, "S {tag} OK UID FETCH completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.UID("fetch", "5", "(FLAGS)")) },
			pyCall:  `M.uid('fetch', '5', '(FLAGS)')`,
			wire:    "TAG1 UID FETCH 5 (FLAGS)\r\n",
			typ:     "OK",
			data:    "[b'1 (UID 5 FLAGS (\\\\Seen))']",
			after:   "SELECTED",
		},
		{
			name: "uid_search_none_skipped", state: "SELECTED",
			replies: map[string][]string{"UID": ok("S * SEARCH 5 7", "S {tag} OK UID SEARCH completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.UID("search", "", "ALL")) },
			pyCall:  `M.uid('search', None, 'ALL')`,
			wire:    "TAG1 UID SEARCH ALL\r\n",
			typ:     "OK",
			data:    "[b'5 7']",
			after:   "SELECTED",
		},
		{
			name: "uid_copy_gives_fetch_data", state: "SELECTED",
			replies: map[string][]string{"UID": ok("S {tag} OK [COPYUID 1 5 9] UID COPY completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.UID("COPY", "5", "Archive")) },
			pyCall:  `M.uid('COPY', '5', 'Archive')`,
			wire:    "TAG1 UID COPY 5 Archive\r\n",
			typ:     "OK",
			data:    "[None]",
			after:   "SELECTED",
		},
		{
			name: "uid_unknown", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.UID("bogus", "1")) },
			pyCall: `M.uid('bogus', '1')`,
			wire:   "",
			err:    "error: Unknown IMAP4 UID command: BOGUS",
			after:  "SELECTED",
		},
		{
			name: "uid_inner_state", state: "SELECTED",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.UID("login", "a", "b")) },
			pyCall: `M.uid('login', 'a', 'b')`,
			wire:   "",
			err:    "error: command LOGIN illegal in state SELECTED, only allowed in states NONAUTH",
			after:  "SELECTED",
		},
		{
			name: "unselect", state: "SELECTED",
			replies: map[string][]string{"UNSELECT": ok("S {tag} OK Returned to authenticated state. (Success)")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Unselect()) },
			pyCall:  `M.unselect()`,
			wire:    "TAG1 UNSELECT\r\n",
			typ:     "OK",
			data:    "[b'Returned to authenticated state. (Success)']",
			after:   "AUTH",
		},
		{
			name: "unselect_without_mailbox", state: "SELECTED",
			replies: map[string][]string{"UNSELECT": ok("S {tag} BAD No mailbox selected")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Unselect()) },
			pyCall:  `M.unselect()`,
			wire:    "TAG1 UNSELECT\r\n",
			err:     "error: UNSELECT command error: BAD [b'No mailbox selected']",
			after:   "AUTH",
		},
		{
			name: "unsubscribe", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Unsubscribe("#news.comp.mail.mime")) },
			pyCall: `M.unsubscribe('#news.comp.mail.mime')`,
			wire:   "TAG1 UNSUBSCRIBE #news.comp.mail.mime\r\n",
			typ:    "OK",
			data:   "[b'UNSUBSCRIBE completed']",
			after:  "AUTH",
		},
		{
			name: "xatom", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.XAtom("xfswire", "a", "", "b")) },
			pyCall: `M.xatom('xfswire', 'a', None, 'b')`,
			wire:   "TAG1 XFSWIRE a b\r\n",
			typ:    "OK",
			data:   "[b'XFSWIRE completed']",
			after:  "AUTH",
		},
		{
			name: "simple_command", state: "AUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.SimpleCommand("LIST", `""`, "%")) },
			pyCall: `M._simple_command('LIST', '""', '%')`,
			wire:   "TAG1 LIST \"\" %\r\n",
			typ:    "OK",
			data:   "[b'LIST completed']",
			after:  "AUTH",
		},
		{
			name: "recent_zero_is_data", state: "AUTH",
			replies: map[string][]string{"SELECT": ok("S * 3 EXISTS", "S * 0 RECENT", "S {tag} OK [READ-WRITE] SELECT completed")},
			goSetup: func(m *IMAP4) error { _, _, err := m.Select("", false); return err },
			pySetup: []string{`M.select()`},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Recent()) },
			pyCall:  `M.recent()`,
			wire:    "TAG1 SELECT INBOX\r\n",
			typ:     "OK",
			data:    "[b'0']",
			after:   "SELECTED",
		},
		{
			name: "response_code_greedy", state: "SELECTED",
			replies: map[string][]string{"NOOP": ok(`S * OK [PERMANENTFLAGS (\Seen a]b)] ok [x]`, "S {tag} OK NOOP completed")},
			goSetup: func(m *IMAP4) error { _, _, err := m.Noop(); return err },
			pySetup: []string{`M.noop()`},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Response("PERMANENTFLAGS")) },
			pyCall:  `M.response('PERMANENTFLAGS')`,
			wire:    "TAG1 NOOP\r\n",
			typ:     "PERMANENTFLAGS",
			data:    "[b'(\\\\Seen a]b)] ok [x']",
			after:   "SELECTED",
		},
		{
			name: "bye_during_noop", state: "SELECTED",
			replies: map[string][]string{"NOOP": ok("S * BYE shutting down", "S {tag} OK NOOP completed")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Noop()) },
			pyCall:  `M.noop()`,
			wire:    "TAG1 NOOP\r\n",
			err:     "abort: command: NOOP => shutting down",
			after:   "SELECTED",
		},
		{
			name: "unsolicited_read_only", state: "SELECTED",
			replies: map[string][]string{"NOOP": ok("S * OK [READ-ONLY] now read-only", "S {tag} OK NOOP completed")},
			goSetup: func(m *IMAP4) error { _, _, err := m.Noop(); return err },
			pySetup: []string{`M.noop()`},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Check()) },
			pyCall:  `M.check()`,
			wire:    "TAG1 NOOP\r\n",
			err:     "readonly: mailbox status changed to READ-ONLY",
			after:   "SELECTED",
		},
		{
			name: "login_then_capability_not_refreshed", state: "NONAUTH",
			replies: map[string][]string{"LOGIN": ok("S * CAPABILITY IMAP4rev1 NEWCAP", "S {tag} OK LOGIN completed")},
			goSetup: func(m *IMAP4) error { _, _, err := m.Login("u", "p"); return err },
			pySetup: []string{`M.login('u', 'p')`},
			goCall:  func(m *IMAP4) (string, string, error) { return "caps", Repr(m.Capabilities), nil },
			pyCall:  `('caps', M.capabilities)`,
			wire:    "TAG1 LOGIN u \"p\"\r\n",
			typ:     "caps",
			data:    "('IMAP4REV1', 'ENABLE', 'UTF8=ACCEPT', 'AUTH=CRAM-MD5', 'NAMESPACE', 'ACL', 'QUOTA')",
			after:   "AUTH",
		},
		{
			name: "bye_then_logout", state: "AUTH",
			replies: map[string][]string{"NOOP": ok("S * BYE shutting down", "S {tag} OK NOOP completed")},
			goSetup: func(m *IMAP4) error { m.Noop(); return nil },
			pySetup: []string{"try:\n    M.noop()\nexcept imaplib.IMAP4.abort:\n    pass"},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Logout()) },
			pyCall:  `M.logout()`,
			wire:    "TAG1 NOOP\r\nTAG2 LOGOUT\r\n",
			typ:     "BYE",
			data:    "[b'shutting down']",
			after:   "LOGOUT",
		},
		{
			name: "continuation_without_literal", state: "AUTH",
			replies: map[string][]string{"NOOP": ok("S + go on", "S {tag} OK done")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Noop()) },
			pyCall:  `M.noop()`,
			wire:    "TAG1 NOOP\r\n",
			typ:     "OK",
			data:    "[b'done']",
			after:   "AUTH",
		},
		{
			name: "lowercase_untagged", state: "AUTH",
			replies: map[string][]string{"NOOP": ok("S * ok fine", "S {tag} OK done")},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Noop()) },
			pyCall:  `M.noop()`,
			wire:    "TAG1 NOOP\r\n",
			err:     "abort: command: NOOP => unexpected response: b'* ok fine'",
			after:   "AUTH",
		},
		{
			name: "status_response_trailing_space", state: "SELECTED",
			replies: map[string][]string{"NOOP": ok("S * 3 EXISTS ", "S * 4 EXPUNGE x", "S {tag} OK done")},
			goSetup: func(m *IMAP4) error { _, _, err := m.Noop(); return err },
			pySetup: []string{`M.noop()`},
			goCall: func(m *IMAP4) (string, string, error) {
				_, exists, _ := m.Response("EXISTS")
				typ, expunge, err := m.Response("EXPUNGE")
				return typ, Repr(exists) + " " + Repr(expunge), err
			},
			pyCall: `('EXPUNGE', repr(M.response('EXISTS')[1]) + ' ' + repr(M.response('EXPUNGE')[1]))`,
			wire:   "TAG1 NOOP\r\n",
			typ:    "EXPUNGE",
			data:   "[b'3'] [b'4 x']",
			after:  "SELECTED",
		},
		{
			name: "tagged_no_with_code", state: "AUTH",
			replies: map[string][]string{"CREATE": ok("S {tag} NO [ALREADYEXISTS] exists")},
			goSetup: func(m *IMAP4) error { _, _, err := m.Create("x"); return err },
			pySetup: []string{`M.create('x')`},
			goCall:  func(m *IMAP4) (string, string, error) { return fsD(m.Response("ALREADYEXISTS")) },
			pyCall:  `M.response('ALREADYEXISTS')`,
			wire:    "TAG1 CREATE x\r\n",
			typ:     "ALREADYEXISTS",
			data:    "[b'']",
			after:   "AUTH",
		},
		{
			name: "untagged_bad_with_code", state: "AUTH",
			replies: map[string][]string{"NOOP": ok("S * BAD [PARSE] odd", "S {tag} OK done")},
			goCall: func(m *IMAP4) (string, string, error) {
				typ, data, err := m.Noop()
				if err != nil {
					return "", "", err
				}
				return typ, Repr(data) + " " + Repr(m.UntaggedResponses["BAD"]) + " " + Repr(m.UntaggedResponses["PARSE"]), nil
			},
			pyCall: `(lambda r: (r[0], repr(r[1]) + ' ' + repr(M.untagged_responses['BAD']) + ' ' + repr(M.untagged_responses['PARSE'])))(M.noop())`,
			wire:   "TAG1 NOOP\r\n",
			typ:    "OK",
			data:   "[b'done'] [b'[PARSE] odd'] [b'']",
			after:  "AUTH",
		},
		{
			name: "state_error", state: "NONAUTH",
			goCall: func(m *IMAP4) (string, string, error) { return fsD(m.Fetch("1", "(FLAGS)")) },
			pyCall: `M.fetch('1', '(FLAGS)')`,
			wire:   "",
			err:    "error: command FETCH illegal in state NONAUTH, only allowed in states SELECTED",
			after:  "NONAUTH",
		},
	}
}

// fsWireResult is what one run of a row gave.
type fsWireResult struct {
	wire, typ, data, err, after string
}

// check compares a result with the row.
func (c fsWireCase) check(t *testing.T, who string, got fsWireResult) {
	t.Helper()
	ok := assert.Equal(t, c.wire, got.wire, "%s: bytes sent", who)
	ok = assert.Equal(t, c.err, got.err, "%s: error", who) && ok
	if c.err == "" {
		ok = assert.Equal(t, c.typ, got.typ, "%s: typ", who) && ok
		ok = assert.Equal(t, c.data, got.data, "%s: data", who) && ok
	}
	ok = assert.Equal(t, c.after, got.after, "%s: state afterwards", who) && ok
	if !ok {
		t.Logf("%s gave:\n\twire: %q,\n\ttyp: %q, data: %q,\n\terr: %q,\n\tafter: %q,",
			who, got.wire, got.typ, got.data, got.err, got.after)
	}
}

// fsRunWireGo runs a row against the port.
func fsRunWireGo(t *testing.T, c fsWireCase) fsWireResult {
	t.Helper()
	srv := fsStart(t, fsScriptHandler(fsWireCaps, c.replies))
	m, err := NewIMAP4("127.0.0.1", srv.port, 10*time.Second)
	require.NoError(t, err)
	before := len(srv.stream())
	if c.state != "" {
		m.State = c.state
	}
	if c.goSetup != nil {
		require.NoError(t, c.goSetup(m))
	}
	typ, data, err := c.goCall(m)
	after := m.State
	// The call may return before the server has read all it sent (after a
	// BYE, say): close, and wait for the server to reach the end.
	m.Shutdown()
	srv.drain()
	return fsWireResult{
		wire: fsNormTags(srv.stream()[before:]), typ: typ, data: data, err: fsErrText(err), after: after,
	}
}

func TestWireClassic(t *testing.T) {
	fsProfile(t, CompatClassic)
	for _, c := range fsClassicWireCases() {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, "port", fsRunWireGo(t, c))
		})
	}
}

// TestWireClassicCPython checks every classic row against CPython 3.13.0
// itself.
func TestWireClassicCPython(t *testing.T) {
	if ok, why := fsCPython(); !ok {
		t.Skip("CPython 3.13.0 is needed to check the rows: " + why)
	}
	cases := fsClassicWireCases()
	servers := make([]*fsServer, len(cases))
	jobs := make([]fsPyJob, len(cases))
	for i, c := range cases {
		servers[i] = fsStart(t, fsScriptHandler(fsWireCaps, c.replies))
		setup := []string{}
		if c.state != "" {
			setup = append(setup, "M.state = '"+c.state+"'")
		}
		jobs[i] = fsPyJob{Port: servers[i].port, Setup: append(setup, c.pySetup...), Call: c.pyCall}
	}
	results := fsRunCPython(t, jobs)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := results[i]
			servers[i].drain()
			// Drop the connection's CAPABILITY exchange, as the port's run does.
			stream := servers[i].stream()
			if first := servers[i].lines(); len(first) > 0 {
				stream = stream[len(first[0]):]
			}
			got := fsWireResult{wire: fsNormTags(stream), typ: r.Typ, data: r.Data, after: r.State}
			if r.Class != "" {
				got.err = r.Class + ": " + r.Error
			}
			c.check(t, "CPython 3.13.0", got)
		})
	}
}

// fsQuoteCase is one call of the current profile and the bytes it sends.
type fsQuoteCase struct {
	name  string
	state string
	call  func(m *IMAP4) error
	wire  string
}

// fsE drops a command's result, keeping its error.
func fsE(_ string, _ [][]byte, err error) error { return err }

func fsCurrentQuoteCases() []fsQuoteCase {
	msg := []byte("Subject: x\r\n\r\nhi")
	return []fsQuoteCase{
		// Mailbox names are astrings: quoted when they need it, bare otherwise.
		{"create_space", "AUTH", func(m *IMAP4) error { return fsE(m.Create("my box")) }, "TAG1 CREATE \"my box\"\r\n"},
		{"create_atom", "AUTH", func(m *IMAP4) error { return fsE(m.Create("Archive/2024")) }, "TAG1 CREATE Archive/2024\r\n"},
		{"create_bracket_is_astring_char", "AUTH", func(m *IMAP4) error { return fsE(m.Create("a]b")) }, "TAG1 CREATE a]b\r\n"},
		{"create_empty", "AUTH", func(m *IMAP4) error { return fsE(m.Create("")) }, "TAG1 CREATE \"\"\r\n"},
		{"create_prequoted_unchanged", "AUTH", func(m *IMAP4) error { return fsE(m.Create(`"my box"`)) }, "TAG1 CREATE \"my box\"\r\n"},
		{"create_parenthesised_unchanged", "AUTH", func(m *IMAP4) error { return fsE(m.Create("(x y)")) }, "TAG1 CREATE (x y)\r\n"},
		{"create_escapes", "AUTH", func(m *IMAP4) error { return fsE(m.Create(`a\b"c`)) }, "TAG1 CREATE \"a\\\\b\\\"c\"\r\n"},
		{"create_non_ascii", "AUTH", func(m *IMAP4) error { return fsE(m.Create("Entw\u00fcrfe")) }, "TAG1 CREATE \"Entw\u00fcrfe\"\r\n"},
		{"create_tab_quoted", "AUTH", func(m *IMAP4) error { return fsE(m.Create("a\tb")) }, "TAG1 CREATE \"a\tb\"\r\n"},
		{"create_wildcard_quoted", "AUTH", func(m *IMAP4) error { return fsE(m.Create("a*")) }, "TAG1 CREATE \"a*\"\r\n"},
		{"delete_space", "AUTH", func(m *IMAP4) error { return fsE(m.Delete("old box")) }, "TAG1 DELETE \"old box\"\r\n"},
		{"rename_space", "AUTH", func(m *IMAP4) error { return fsE(m.Rename("old box", "new")) }, "TAG1 RENAME \"old box\" new\r\n"},
		{"subscribe_space", "AUTH", func(m *IMAP4) error { return fsE(m.Subscribe("my box")) }, "TAG1 SUBSCRIBE \"my box\"\r\n"},
		{"unsubscribe_space", "AUTH", func(m *IMAP4) error { return fsE(m.Unsubscribe("my box")) }, "TAG1 UNSUBSCRIBE \"my box\"\r\n"},
		{"select_space", "AUTH", func(m *IMAP4) error { return fsE(m.Select("my box", false)) }, "TAG1 SELECT \"my box\"\r\n"},
		{"select_default", "AUTH", func(m *IMAP4) error { return fsE(m.Select("", false)) }, "TAG1 SELECT INBOX\r\n"},
		{"examine_space", "AUTH", func(m *IMAP4) error { return fsE(m.Select("my box", true)) }, "TAG1 EXAMINE \"my box\"\r\n"},
		{"status_space", "AUTH", func(m *IMAP4) error { return fsE(m.Status("my box", "(MESSAGES UNSEEN)")) }, "TAG1 STATUS \"my box\" (MESSAGES UNSEEN)\r\n"},
		{"copy_space", "SELECTED", func(m *IMAP4) error { return fsE(m.Copy("1:3,5", "my box")) }, "TAG1 COPY 1:3,5 \"my box\"\r\n"},
		{"append_space", "AUTH", func(m *IMAP4) error { return fsE(m.Append("my box", `\Seen`, nil, msg)) }, "TAG1 APPEND \"my box\" (\\Seen) {16}\r\nSubject: x\r\n\r\nhi\r\n"},
		{"getacl_space", "AUTH", func(m *IMAP4) error { return fsE(m.GetACL("my box")) }, "TAG1 GETACL \"my box\"\r\n"},
		{"setacl", "AUTH", func(m *IMAP4) error { return fsE(m.SetACL("my box", "fred smith", "+rwx")) }, "TAG1 SETACL \"my box\" \"fred smith\" +rwx\r\n"},
		{"deleteacl", "AUTH", func(m *IMAP4) error { return fsE(m.DeleteACL("INBOX", "fred")) }, "TAG1 DELETEACL INBOX fred\r\n"},
		{"myrights_space", "AUTH", func(m *IMAP4) error { return fsE(m.MyRights("my box")) }, "TAG1 MYRIGHTS \"my box\"\r\n"},
		{"getquota_prequoted", "AUTH", func(m *IMAP4) error { return fsE(m.GetQuota(`""`)) }, "TAG1 GETQUOTA \"\"\r\n"},
		{"setquota", "AUTH", func(m *IMAP4) error { return fsE(m.SetQuota(`""`, "(STORAGE 512)")) }, "TAG1 SETQUOTA \"\" (STORAGE 512)\r\n"},
		{"proxyauth_space", "AUTH", func(m *IMAP4) error { return fsE(m.ProxyAuth("bob smith")) }, "TAG1 PROXYAUTH \"bob smith\"\r\n"},
		// LIST and LSUB patterns keep their wildcards bare.
		{"list_defaults", "AUTH", func(m *IMAP4) error { return fsE(m.List("", "")) }, "TAG1 LIST \"\" *\r\n"},
		{"list_percent", "AUTH", func(m *IMAP4) error { return fsE(m.List("", "%")) }, "TAG1 LIST \"\" %\r\n"},
		{"list_wildcard_path", "AUTH", func(m *IMAP4) error { return fsE(m.List("Mail", "Archive/*")) }, "TAG1 LIST Mail Archive/*\r\n"},
		{"list_pattern_space", "AUTH", func(m *IMAP4) error { return fsE(m.List("", "my box*")) }, "TAG1 LIST \"\" \"my box*\"\r\n"},
		{"list_directory_space", "AUTH", func(m *IMAP4) error { return fsE(m.List("my dir", "*")) }, "TAG1 LIST \"my dir\" *\r\n"},
		{"lsub_percent", "AUTH", func(m *IMAP4) error { return fsE(m.Lsub("~/Mail", "%")) }, "TAG1 LSUB ~/Mail %\r\n"},
		// Flags, sequence sets and item lists go out as written.
		{"store_seen", "SELECTED", func(m *IMAP4) error { return fsE(m.Store("1:*", "+FLAGS", `\Seen`)) }, "TAG1 STORE 1:* +FLAGS (\\Seen)\r\n"},
		{"store_list_unchanged", "SELECTED", func(m *IMAP4) error { return fsE(m.Store("1,3:5", "-FLAGS", `(\Seen \Deleted)`)) }, "TAG1 STORE 1,3:5 -FLAGS (\\Seen \\Deleted)\r\n"},
		{"fetch_flags", "SELECTED", func(m *IMAP4) error { return fsE(m.Fetch("1:*", "(FLAGS)")) }, "TAG1 FETCH 1:* (FLAGS)\r\n"},
		{"fetch_section", "SELECTED", func(m *IMAP4) error { return fsE(m.Fetch("2", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]")) }, "TAG1 FETCH 2 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n"},
		{"partial", "SELECTED", func(m *IMAP4) error { return fsE(m.Partial("1", "BODY[]", "0", "10")) }, "TAG1 PARTIAL 1 BODY[] 0 10\r\n"},
		{"enable", "AUTH", func(m *IMAP4) error { return fsE(m.Enable("CONDSTORE")) }, "TAG1 ENABLE CONDSTORE\r\n"},
		// Login: the user is an astring, the password is always quoted.
		{"login_plain_user", "NONAUTH", func(m *IMAP4) error { return fsE(m.Login("user", "pass")) }, "TAG1 LOGIN user \"pass\"\r\n"},
		{"login_user_space", "NONAUTH", func(m *IMAP4) error { return fsE(m.Login("us er", `p"a\ss`)) }, "TAG1 LOGIN \"us er\" \"p\\\"a\\\\ss\"\r\n"},
		// Search criteria are raw, except the string after a search key
		// that takes one; the seed's own examples go out unchanged.
		{"search_seed_parenthesised", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", `(FROM "LDJ")`)) }, "TAG1 SEARCH (FROM \"LDJ\")\r\n"},
		{"search_seed_quoted_value", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "FROM", `"LDJ"`)) }, "TAG1 SEARCH FROM \"LDJ\"\r\n"},
		{"search_from_atom", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "FROM", "LDJ")) }, "TAG1 SEARCH FROM LDJ\r\n"},
		{"search_from_space", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "FROM", "John Smith")) }, "TAG1 SEARCH FROM \"John Smith\"\r\n"},
		{"search_subject_after_keys", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "UNSEEN", "SUBJECT", "re: hi")) }, "TAG1 SEARCH UNSEEN SUBJECT \"re: hi\"\r\n"},
		{"search_header_two_values", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "HEADER", "X-Spam Flag", "yes", "ALL")) }, "TAG1 SEARCH HEADER \"X-Spam Flag\" yes ALL\r\n"},
		{"search_keys_and_sets", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "1:*", "NOT", "DELETED", "SINCE", "1-Feb-1994")) }, "TAG1 SEARCH 1:* NOT DELETED SINCE 1-Feb-1994\r\n"},
		{"search_charset", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("UTF-8", "TEXT", "\u00fcn\u00ef")) }, "TAG1 SEARCH CHARSET UTF-8 TEXT \"\u00fcn\u00ef\"\r\n"},
		{"search_none_skipped", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "", "ALL")) }, "TAG1 SEARCH ALL\r\n"},
		{"sort", "SELECTED", func(m *IMAP4) error { return fsE(m.Sort("DATE", "UTF-8", "SUBJECT", "a b")) }, "TAG1 SORT (DATE) UTF-8 SUBJECT \"a b\"\r\n"},
		{"thread", "SELECTED", func(m *IMAP4) error { return fsE(m.Thread("REFERENCES", "UTF-8", "FROM", "x y")) }, "TAG1 THREAD REFERENCES UTF-8 FROM \"x y\"\r\n"},
		// UID shapes its arguments as the command it carries does.
		{"uid_copy_space", "SELECTED", func(m *IMAP4) error { return fsE(m.UID("COPY", "1:*", "my box")) }, "TAG1 UID COPY 1:* \"my box\"\r\n"},
		{"uid_search_value", "SELECTED", func(m *IMAP4) error { return fsE(m.UID("SEARCH", "", "FROM", "a b")) }, "TAG1 UID SEARCH FROM \"a b\"\r\n"},
		{"uid_fetch_unchanged", "SELECTED", func(m *IMAP4) error { return fsE(m.UID("FETCH", "1:*", "(FLAGS)")) }, "TAG1 UID FETCH 1:* (FLAGS)\r\n"},
		{"uid_store_unchanged", "SELECTED", func(m *IMAP4) error { return fsE(m.UID("STORE", "7", "+FLAGS", `(\Seen)`)) }, "TAG1 UID STORE 7 +FLAGS (\\Seen)\r\n"},
		// XAtom and SimpleCommand send their arguments as written.
		{"xatom_as_written", "AUTH", func(m *IMAP4) error { return fsE(m.XAtom("XFSCURRENT", "my box")) }, "TAG1 XFSCURRENT my box\r\n"},
		{"simple_command_as_written", "AUTH", func(m *IMAP4) error { return fsE(m.SimpleCommand("CREATE", "my box")) }, "TAG1 CREATE my box\r\n"},
	}
}

func TestWireCurrentQuoting(t *testing.T) {
	fsProfile(t, CompatCurrent)
	for _, c := range fsCurrentQuoteCases() {
		t.Run(c.name, func(t *testing.T) {
			srv := fsStart(t, fsScriptHandler(fsWireCaps, map[string][]string{"APPEND": {"L", "S {tag} OK APPEND completed"}}))
			m, err := NewIMAP4("127.0.0.1", srv.port, 10*time.Second)
			require.NoError(t, err)
			defer m.Shutdown()
			before := len(srv.stream())
			m.State = c.state
			require.NoError(t, c.call(m))
			assert.Equal(t, c.wire, fsNormTags(srv.stream()[before:]))
		})
	}
}

// TestWireCurrentControlCharacters: NUL, CR or LF in any argument is
// refused before anything is sent; the connection stays usable and the
// refused command takes no tag.
func TestWireCurrentControlCharacters(t *testing.T) {
	fsProfile(t, CompatCurrent)
	cases := []struct {
		name  string
		state string
		call  func(m *IMAP4) error
	}{
		{"create_crlf", "AUTH", func(m *IMAP4) error { return fsE(m.Create("a\r\nb")) }},
		{"login_user_nul", "NONAUTH", func(m *IMAP4) error { return fsE(m.Login("user\x00", "pass")) }},
		{"login_password_lf", "NONAUTH", func(m *IMAP4) error { return fsE(m.Login("user", "pa\nss")) }},
		{"select_cr", "AUTH", func(m *IMAP4) error { return fsE(m.Select("a\rb", false)) }},
		{"search_value_lf", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("", "SUBJECT", "x\ny")) }},
		{"search_charset_nul", "SELECTED", func(m *IMAP4) error { return fsE(m.Search("UTF-8\x00", "ALL")) }},
		{"fetch_parts_crlf", "SELECTED", func(m *IMAP4) error { return fsE(m.Fetch("1", "(FLAGS)\r\nX LOGOUT")) }},
		{"store_flags_lf", "SELECTED", func(m *IMAP4) error { return fsE(m.Store("1", "+FLAGS", "\\Seen\n")) }},
		{"append_mailbox_lf", "AUTH", func(m *IMAP4) error { return fsE(m.Append("a\nb", "", nil, []byte("msg"))) }},
		{"uid_arg_cr", "SELECTED", func(m *IMAP4) error { return fsE(m.UID("SEARCH", "SUBJECT", "a\rb")) }},
		{"xatom_arg_lf", "AUTH", func(m *IMAP4) error { return fsE(m.XAtom("XFSCTL", "a\nb")) }},
		{"simple_command_nul", "AUTH", func(m *IMAP4) error { return fsE(m.SimpleCommand("NOOP", "\x00")) }},
		{"status_names_crlf", "AUTH", func(m *IMAP4) error { return fsE(m.Status("INBOX", "(MESSAGES)\r\n")) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := fsStart(t, fsScriptHandler(fsWireCaps, nil))
			m, err := NewIMAP4("127.0.0.1", srv.port, 10*time.Second)
			require.NoError(t, err)
			defer m.Shutdown()
			m.State = c.state
			before, tagnum := srv.stream(), m.Tagnum
			err = c.call(m)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrControlCharacters)
			var ie *Error
			assert.False(t, errors.As(err, &ie), "a refused argument is a plain error, as CPython's ValueError")
			assert.Equal(t, "Control characters not allowed in commands", err.Error())
			assert.Equal(t, tagnum, m.Tagnum, "the refused command must take no tag")
			assert.Equal(t, before, srv.stream(), "nothing may be sent")

			// The connection still works, with the next tag and no stray literal.
			typ, data, err := m.Noop()
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, "[b'NOOP completed']", Repr(data))
			assert.Equal(t, fmt.Sprintf("TAG%d NOOP\r\n", tagnum), fsNormTags(srv.stream()[len(before):]))
		})
	}

	t.Run("tab_and_literal_bytes_allowed", func(t *testing.T) {
		srv := fsStart(t, fsScriptHandler(fsWireCaps, map[string][]string{"APPEND": {"L", "S {tag} OK APPEND completed"}}))
		m, err := NewIMAP4("127.0.0.1", srv.port, 10*time.Second)
		require.NoError(t, err)
		defer m.Shutdown()
		m.State = "AUTH"
		before := len(srv.stream())
		_, _, err = m.Create("a\tb")
		require.NoError(t, err)
		// Only arguments are checked: a NUL inside the message is literal data.
		_, _, err = m.Append("", "", nil, []byte("a\x00b"))
		require.NoError(t, err)
		assert.Equal(t, "TAG1 CREATE \"a\tb\"\r\nTAG2 APPEND INBOX {3}\r\na\x00b\r\n", fsNormTags(srv.stream()[before:]))
	})
}
