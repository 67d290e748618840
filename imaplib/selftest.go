package main

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/pyport/imaplib"
)

// testStep is one call of the self-test: the method name and arguments as
// the test prints them (Python's spelling, so the output reads like
// CPython's), and the Go call that performs it.
type testStep struct {
	name string
	args []any
	call func(M *imaplib.IMAP4) (string, [][]byte, error)
}

// quotedName finds a mailbox name that a LIST line ends with in quotes.
var quotedName = regexp.MustCompile(`^.*"([^"]+)"$`)

// uidFetchParts is what the self-test fetches of the last message by UID.
const uidFetchParts = "(FLAGS INTERNALDATE RFC822.SIZE RFC822.HEADER RFC822.TEXT)"

// selfTest runs imaplib's self-test and reports as CPython's does: a blank
// line and "All tests OK." on success; on failure "Tests failed.", a hint to
// use -d5 when debugging was off, and the error.
func (p *program) selfTest() int {
	// The embedded server exists to be watched, so show its wire by default.
	debug := p.debugLevel(0)
	if p.embedded != nil {
		debug = p.debugLevel(4)
	}
	if e := p.embedded; e != nil {
		mesg(p.stderr, fmt.Sprintf("no host given: testing against the embedded IMAP server on %s:%d as %s", e.Host, e.Port, imaplib.Repr(e.User)))
	}
	user, password, err := p.credentials()
	if err == nil {
		err = p.testSequence(user, password, debug)
	}
	if err != nil {
		fmt.Fprintln(p.stdout, "\nTests failed.")
		if debug == 0 {
			fmt.Fprintf(p.stdout, "\nIf you would like to see debugging output,\ntry: %s -d5\n\n", p.prog)
		}
		fmt.Fprintf(p.stderr, "%s: %v\n", p.prog, err)
		return 1
	}
	fmt.Fprintln(p.stdout, "\nAll tests OK.")
	return 0
}

// testSequence connects and runs the self-test's calls in CPython's order:
// log in (unless the server pre-authenticated), make and rename test
// mailboxes, append, list, select, search, fetch, store, expunge and close;
// delete every mailbox the second LIST finds; then work on INBOX, ending
// with a UID FETCH of the last message and LOGOUT. A NO answer fails the
// test; so does any error.
func (p *program) testSequence(user, password string, debug int) (err error) {
	M, err := p.connect(debug)
	if err != nil {
		return err
	}
	defer func() {
		// CPython leaves a failed connection to the process's exit; here
		// the process may go on (tests), so drop it, without LOGOUT.
		if err != nil {
			_ = M.Shutdown()
		}
	}()
	w := M.DebugOutput

	// The message is a str in Python, with bare newlines; APPEND turns
	// them into CRLF.
	testMesg := fmt.Sprintf("From: %s@localhost\nSubject: IMAP4 test\n\ndata...\n", user)
	msg := []byte(testMesg)

	seq1 := []testStep{
		{"login", []any{user, password}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Login(user, password) }},
		{"create", []any{"/tmp/xxx 1"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Create("/tmp/xxx 1") }},
		{"rename", []any{"/tmp/xxx 1", "/tmp/yyy"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Rename("/tmp/xxx 1", "/tmp/yyy") }},
		// Upper case, as in CPython's sequence, where it shows that the
		// command names work in either case.
		{"CREATE", []any{"/tmp/yyz 2"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Create("/tmp/yyz 2") }},
		{"append", []any{"/tmp/yyz 2", nil, nil, testMesg}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Append("/tmp/yyz 2", "", nil, msg) }},
		{"list", []any{"/tmp", "yy*"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.List("/tmp", "yy*") }},
		{"select", []any{"/tmp/yyz 2"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Select("/tmp/yyz 2", false) }},
		{"search", []any{nil, "SUBJECT", "test"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Search("", "SUBJECT", "test") }},
		{"fetch", []any{"1", "(FLAGS INTERNALDATE RFC822)"}, func(M *imaplib.IMAP4) (string, [][]byte, error) {
			return M.Fetch("1", "(FLAGS INTERNALDATE RFC822)")
		}},
		{"store", []any{"1", "FLAGS", `(\Deleted)`}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Store("1", "FLAGS", `(\Deleted)`) }},
		{"namespace", nil, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Namespace() }},
		{"expunge", nil, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Expunge() }},
		{"recent", nil, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Recent() }},
		{"close", nil, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Close() }},
	}
	seq2 := []testStep{
		{"select", nil, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Select("", false) }},
		{"response", []any{"UIDVALIDITY"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Response("UIDVALIDITY") }},
		{"uid", []any{"SEARCH", "ALL"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.UID("SEARCH", "ALL") }},
		{"response", []any{"EXISTS"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Response("EXISTS") }},
		{"append", []any{nil, nil, nil, testMesg}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Append("", "", nil, msg) }},
		{"recent", nil, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Recent() }},
		{"logout", nil, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Logout() }},
	}

	if M.State == "AUTH" {
		seq1 = seq1[1:] // pre-authenticated: no LOGIN
	}
	mesg(w, "PROTOCOL_VERSION = "+M.ProtocolVersion)
	mesg(w, "CAPABILITIES = "+imaplib.Repr(M.Capabilities))

	for _, s := range seq1 {
		if _, err := runStep(M, s); err != nil {
			return err
		}
	}

	listed, err := runStep(M, testStep{"list", []any{"/tmp/", "yy%"}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.List("/tmp/", "yy%") }})
	if err != nil {
		return err
	}
	for _, path := range listedNames(listed) {
		if _, err := runStep(M, testStep{"delete", []any{path}, func(M *imaplib.IMAP4) (string, [][]byte, error) { return M.Delete(string(path)) }}); err != nil {
			return err
		}
	}

	for _, s := range seq2 {
		dat, err := runStep(M, s)
		if err != nil {
			return err
		}
		if s.name != "uid" {
			continue
		}
		// Fetch the last message that UID SEARCH found, if any.
		if len(dat) == 0 || dat[len(dat)-1] == nil {
			continue
		}
		uids := bytes.Fields(dat[len(dat)-1])
		if len(uids) == 0 {
			continue
		}
		// CPython formats the UID with '%s' % bytes, which sends "b'1'" and
		// fails on every server; the port sends the number.
		uid := string(uids[len(uids)-1])
		if _, err := runStep(M, testStep{"uid", []any{"FETCH", uid, uidFetchParts}, func(M *imaplib.IMAP4) (string, [][]byte, error) {
			return M.UID("FETCH", uid, uidFetchParts)
		}}); err != nil {
			return err
		}
	}
	return nil
}

// runStep prints the call, makes it, prints its result, and turns a NO into
// an error, as the self-test's run() does.
func runStep(M *imaplib.IMAP4, s testStep) ([][]byte, error) {
	mesg(M.DebugOutput, s.name+" "+pyTuple(s.args...))
	typ, dat, err := s.call(M)
	if err != nil {
		return nil, err
	}
	mesg(M.DebugOutput, fmt.Sprintf("%s => %s %s", s.name, typ, imaplib.Repr(dat)))
	if typ == "NO" {
		return nil, fmt.Errorf("%s %s => %s %s", s.name, pyTuple(s.args...), typ, imaplib.Repr(dat))
	}
	return dat, nil
}

// listedNames takes the mailbox name from each LIST reply: the quoted name
// at the end of the line, else its last word, or the literal when the name
// came as one. A None reply (no mailbox matched) gives nothing. CPython
// applies its text regex to the bytes and so fails here whenever a mailbox
// is listed; the port matches the bytes.
func listedNames(data [][]byte) [][]byte {
	var names [][]byte
	for _, it := range imaplib.Items(data) {
		switch {
		case it.Tuple:
			names = append(names, it.Literal)
		case it.Bytes == nil:
		default:
			if m := quotedName.FindSubmatch(it.Bytes); m != nil {
				names = append(names, m[1])
			} else if f := bytes.Fields(it.Bytes); len(f) > 0 {
				names = append(names, f[len(f)-1])
			}
		}
	}
	return names
}
