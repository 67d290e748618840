package imaplib_test

// Runnable examples. Each starts the scripted server of
// exampleserver_test.go (exStart) and talks to it as a script would talk to
// a real server; the output blocks are checked by go test. Tags are random
// per connection, so the examples print data, not wire lines, or mask the
// tag prefix as TAG.

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/pyport/imaplib"
)

// This is the classic script of Python's imaplib documentation, extended to
// delete the messages from one sender, ported line by line. The Python is
// in the comments.
func Example() {
	host, port, stop := exStart()
	defer stop()

	M, err := imaplib.NewIMAP4(host, port, 0) // M = imaplib.IMAP4(host, port)
	if err != nil {
		log.Fatal(err)
	}
	if _, _, err := M.Login("user", "secret"); err != nil { // M.login('user', 'secret')
		log.Fatal(err)
	}
	M.Select("", false)                   // M.select()
	typ, data, err := M.Search("", "ALL") // typ, data = M.search(None, 'ALL')
	if err != nil {
		log.Fatal(err)
	}
	for _, num := range bytes.Fields(data[0]) { // for num in data[0].split():
		typ, data, err = M.Fetch(string(num), "(RFC822)") //     typ, data = M.fetch(num, '(RFC822)')
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("Message %s\n%s\n\n", // print('Message %s\n%s\n' % (num, data[0][1]))
			imaplib.Repr(num), imaplib.Repr(imaplib.Items(data)[0].Literal))
	}
	typ, data, err = M.Search("", `(FROM "LDJ")`) // typ, data = M.search(None, '(FROM "LDJ")')
	if err != nil {
		log.Fatal(err)
	}
	for _, num := range bytes.Fields(data[0]) { // for num in data[0].split():
		M.Store(string(num), "+FLAGS", `\Deleted`) //     M.store(num, '+FLAGS', '\\Deleted')
	}
	typ, data, err = M.Expunge()         // typ, data = M.expunge()
	fmt.Println(typ, imaplib.Repr(data)) // print(typ, data)
	M.Close()                            // M.close()
	M.Logout()                           // M.logout()
	// Output:
	// Message b'1'
	// b'From: Alice <alice@example.org>\r\nTo: user@example.org\r\nSubject: Lunch on Friday?\r\n\r\nShall we meet at noon?\r\n'
	//
	// Message b'2'
	// b'From: LDJ <ldj@example.org>\r\nTo: user@example.org\r\nSubject: Minutes of the meeting\r\n\r\nThe minutes are attached.\r\n'
	//
	// Message b'3'
	// b'From: Bob <bob@example.org>\r\nTo: user@example.org\r\nSubject: Holiday photos\r\n\r\nHere they are.\r\n'
	//
	// OK [b'2']
}

// Exit is the Go form of Python's with statement: it logs out unless the
// connection is already logged out.
func ExampleIMAP4_Exit() {
	host, port, stop := exStart()
	defer stop()

	var M *imaplib.IMAP4
	func() {
		var err error
		M, err = imaplib.NewIMAP4(host, port, 0) // with imaplib.IMAP4(host, port) as M:
		if err != nil {
			log.Fatal(err)
		}
		defer M.Exit()
		typ, _, err := M.Login("user", "secret") //     typ, data = M.login('user', 'secret')
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(typ, M.State)
	}()
	fmt.Println(M.State)
	// Output:
	// OK AUTH
	// LOGOUT
}

// APPEND takes the message as bytes and turns every line ending into CRLF;
// the date may be a time.Time, Unix seconds or an already quoted string.
func ExampleIMAP4_Append() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")

	msg := []byte("From: user@example.org\nSubject: Notes\n\nRemember the milk.\n")
	when := time.Date(2024, time.March, 7, 18, 0, 0, 0, time.FixedZone("", 3600))
	typ, data, err := M.Append("Archive", `\Seen`, when, msg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ, imaplib.Repr(data))
	_, data, _ = M.Response("APPENDUID") // the response code of the completion
	fmt.Println(imaplib.Repr(data))

	M.Select("Archive", true)
	_, data, _ = M.Fetch("1", "(FLAGS INTERNALDATE BODY.PEEK[])")
	item := imaplib.Items(data)[0]
	fmt.Println(string(item.Bytes))
	fmt.Println(imaplib.Repr(item.Literal))
	// Output:
	// OK [b'[APPENDUID 1 1] APPEND completed']
	// [b'1 1']
	// 1 (FLAGS (\Seen) INTERNALDATE "07-Mar-2024 18:00:00 +0100" BODY[] {62}
	// b'From: user@example.org\r\nSubject: Notes\r\n\r\nRemember the milk.\r\n'
}

// IDLE (RFC 2177) as Python 3.14 has it: Enter and Exit stand for the with
// block, and All for iterating over the Idler.
func ExampleIMAP4_Idle() {
	host, port, stop := exStart(exWithIdlePush("* 4 EXISTS", "* 1 RECENT"))
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")
	M.Select("", false)

	idler, err := M.Idle(29 * time.Minute) // with M.idle(duration=29*60) as idler:
	if err != nil {
		log.Fatal(err)
	}
	if err := idler.Enter(); err != nil {
		log.Fatal(err)
	}
	for typ, data := range idler.All() { //     for typ, data in idler:
		fmt.Println(typ, imaplib.Repr(data)) //         print(typ, data)
		if typ == "RECENT" {
			break
		}
	}
	if err := idler.Exit(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(M.State)
	// Output:
	// EXISTS [b'4']
	// RECENT [b'1']
	// SELECTED
}

// Burst yields the responses that arrive together, and stops after a pause
// of interval (0.1 s by default, as in Python).
func ExampleIdler_Burst() {
	host, port, stop := exStart(exWithIdlePush("* 4 EXISTS", "* 1 RECENT"))
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")
	M.Select("", false)

	idler, err := M.Idle(0)
	if err != nil {
		log.Fatal(err)
	}
	if err := idler.Enter(); err != nil {
		log.Fatal(err)
	}
	var batch []string
	for typ, data := range idler.Burst(0) { // batch = list(idler.burst())
		batch = append(batch, typ+" "+imaplib.Repr(data))
	}
	idler.Exit()
	fmt.Printf("processing %d responses...\n", len(batch))
	fmt.Println(strings.Join(batch, "\n"))
	// Output:
	// processing 2 responses...
	// EXISTS [b'4']
	// RECENT [b'1']
}

// STARTTLS with a private CA. The port verifies the certificate against
// sslContext (or the system roots when it is nil) and the host name;
// CPython's default context verifies nothing.
func ExampleIMAP4_StartTLS() {
	host, port, stop := exStart(exWithSTARTTLS())
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	fmt.Println(imaplib.Repr(M.Capabilities))

	typ, data, err := M.StartTLS(&tls.Config{RootCAs: exTestCA()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ, imaplib.Repr(data))
	fmt.Println(imaplib.Repr(M.Capabilities)) // read again, over TLS
	_, isTLS := M.Socket().(*tls.Conn)
	fmt.Println(isTLS)
	// Output:
	// ('IMAP4REV1', 'STARTTLS', 'AUTH=PLAIN', 'AUTH=X-PASSCODE', 'IDLE', 'UIDPLUS', 'QUOTA', 'ID')
	// OK [None]
	// ('IMAP4REV1', 'AUTH=PLAIN', 'AUTH=X-PASSCODE', 'IDLE', 'UIDPLUS', 'QUOTA', 'ID')
	// true
}

// IMAP4_SSL speaks TLS from the first byte (port 993 by default).
func ExampleNewIMAP4_implicitTLS() {
	host, port, stop := exStart(exWithImplicitTLS())
	defer stop()
	S, err := imaplib.NewIMAP4_SSL(host, port, &tls.Config{RootCAs: exTestCA()}, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer S.Exit()
	typ, _, err := S.Login("user", "secret")
	fmt.Println(typ, err, S.SSLContext.ServerName)
	// Output:
	// OK <nil> 127.0.0.1
}

// A mechanism of your own: the callback gets each challenge decoded from
// base64 and returns the answer to encode (nil cancels, as Python's None).
func ExampleIMAP4_Authenticate() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()

	answers := map[string]string{"Username:": "user", "Passcode:": "246810"}
	typ, data, err := M.Authenticate("x-passcode", func(challenge []byte) []byte {
		fmt.Printf("server asks %s\n", imaplib.Repr(challenge))
		return []byte(answers[string(challenge)])
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ, imaplib.Repr(data), M.State)
	// Output:
	// server asks b'Username:'
	// server asks b'Passcode:'
	// OK [b'user authenticated'] AUTH
}

// AUTHENTICATE PLAIN, as M.authenticate('PLAIN', lambda _: b'\0user\0secret')
// does it in Python.
func ExampleIMAP4_Authenticate_plain() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()

	typ, data, err := M.Authenticate("PLAIN", func([]byte) []byte { return []byte("\x00user\x00secret") })
	fmt.Println(typ, imaplib.Repr(data), err)
	// Output:
	// OK [b'user authenticated'] <nil>
}

// exLoggingTransport is what a Python subclass of IMAP4 overriding
// readline() becomes: a struct embedding SocketTransport, with the one
// method it changes.
type exLoggingTransport struct {
	imaplib.SocketTransport
	log io.Writer
}

// Readline logs each line the server sends, tags masked.
func (t *exLoggingTransport) Readline() ([]byte, error) {
	line, err := t.SocketTransport.Readline()
	fmt.Fprintf(t.log, "S: %s\n", exMaskTags(strings.TrimRight(string(line), "\r\n")))
	return line, err
}

// The Go form of subclassing IMAP4 to override readline (or open, read,
// send, shutdown).
func ExampleNewIMAP4WithTransport() {
	host, port, stop := exStart()
	defer stop()

	t := &exLoggingTransport{log: os.Stdout}
	M, err := imaplib.NewIMAP4WithTransport(t, host, port, 30*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	M.Login("user", "secret")
	M.Logout()
	// Output:
	// S: * OK IMAP4rev1 example server ready
	// S: * CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=X-PASSCODE IDLE UIDPLUS QUOTA ID
	// S: TAG0 OK CAPABILITY completed
	// S: TAG1 OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=X-PASSCODE IDLE UIDPLUS QUOTA ID] Logged in
	// S: * BYE Logging out
}

// IMAP4_stream runs a command through /bin/sh -c and speaks IMAP over its
// standard input and output, typically "ssh host imapd" or a server's stdio
// mode. Here the command is this test binary, serving one session.
func ExampleNewIMAP4_stream() {
	S, err := imaplib.NewIMAP4_stream(exStreamCommand("preauth"))
	if err != nil {
		log.Fatal(err)
	}
	defer S.Shutdown()
	fmt.Println(S.State, imaplib.Repr(S.Welcome))
	typ, data, err := S.List("", "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ)
	for _, mbox := range data {
		fmt.Println(string(mbox))
	}
	typ, _, _ = S.Logout()
	fmt.Println(typ)
	// Output:
	// AUTH b'* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=X-PASSCODE IDLE UIDPLUS QUOTA ID] Logged in as user'
	// OK
	// (\HasNoChildren) "/" Archive
	// (\HasNoChildren) "/" INBOX
	// BYE
}

// XAtom sends a command the module has no method for; its untagged data
// waits in UntaggedResponses for Response.
func ExampleIMAP4_XAtom() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")

	typ, data, err := M.XAtom("ID", `("name" "imaplib-example")`) // M.xatom('ID', '("name" "imaplib-example")')
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ, imaplib.Repr(data))
	typ, data, _ = M.Response("ID") // M.response('ID')
	fmt.Println(typ, imaplib.Repr(data))
	// Output:
	// OK [b'ID completed']
	// ID [b'("name" "exampleserver" "version" "1.0")']
}

// Response pops what the server sent for one code or response type; SELECT
// leaves everything it received there.
func ExampleIMAP4_Response() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")

	typ, data, _ := M.Select("INBOX", false)
	fmt.Println(typ, imaplib.Repr(data)) // the EXISTS count
	for _, code := range []string{"UIDVALIDITY", "READ-WRITE", "FLAGS", "uidvalidity"} {
		typ, data, _ = M.Response(code)
		fmt.Println(typ, imaplib.Repr(data))
	}
	// Output:
	// OK [b'3']
	// UIDVALIDITY [b'1']
	// READ-WRITE [b'']
	// FLAGS [b'(\\Answered \\Flagged \\Deleted \\Seen \\Draft)']
	// uidvalidity [None]
}

// Recent returns stored RECENT data if there is any (b'0' counts), and
// otherwise asks the server with a NOOP.
func ExampleIMAP4_Recent() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")
	M.Select("", false)

	typ, data, _ := M.Recent() // from SELECT's "* 0 RECENT"
	fmt.Println(typ, imaplib.Repr(data))
	M.Append("", "", nil, []byte("Subject: new\r\n\r\nhi\r\n")) // the server reports 1 recent
	typ, data, _ = M.Recent()
	fmt.Println(typ, imaplib.Repr(data))
	typ, data, _ = M.Recent() // nothing stored: a NOOP, which brings none
	fmt.Println(typ, imaplib.Repr(data))
	// Output:
	// OK [b'0']
	// OK [b'1']
	// OK [None]
}

// UID runs a command with unique identifiers instead of message numbers;
// "" stands for Python's None, as in M.uid('search', None, 'ALL').
func ExampleIMAP4_UID() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")
	M.Select("", false)

	typ, data, err := M.UID("SEARCH", "", "UNSEEN") // typ, data = M.uid('search', None, 'UNSEEN')
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ, imaplib.Repr(data))
	for _, uid := range bytes.Fields(data[0]) {
		_, data, _ = M.UID("STORE", string(uid), "+FLAGS", `(\Seen)`) // M.uid('store', uid, '+FLAGS', '(\\Seen)')
		fmt.Println(imaplib.Repr(data))
	}
	_, data, _ = M.UID("FETCH", "1:*", "(FLAGS)")
	fmt.Println(imaplib.Repr(data))
	// Output:
	// OK [b'2 3']
	// [b'2 (UID 2 FLAGS (\\Seen))']
	// [b'3 (UID 3 FLAGS (\\Flagged \\Seen))']
	// [b'1 (FLAGS (\\Seen) UID 1)', b'2 (FLAGS (\\Seen) UID 2)', b'3 (FLAGS (\\Flagged \\Seen) UID 3)']
}

// Items gives back the shape Python's data has: the port flattens each
// (header, literal) tuple into two elements.
func ExampleItems() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")
	M.Select("", true)

	_, data, _ := M.Fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])")
	fmt.Println(len(data), "flattened elements")
	items := imaplib.Items(data)
	fmt.Println(len(items), "Python elements")
	fmt.Println(imaplib.Repr(items[0].Literal))               // data[0][1]
	fmt.Println(imaplib.Repr(items[1].Bytes))                 // data[1][0]
	fmt.Println(imaplib.Repr(items[1].Literal))               // data[1][1]
	fmt.Println(items[2].Tuple, imaplib.Repr(items[2].Bytes)) // isinstance(data[2], tuple), data[2]
	fmt.Println(imaplib.Repr(data))                           // print(data)
	// Output:
	// 5 flattened elements
	// 3 Python elements
	// b'Subject: Lunch on Friday?\r\n\r\n'
	// b' BODY[TEXT] {24}'
	// b'Shall we meet at noon?\r\n'
	// false b')'
	// [(b'1 (BODY[HEADER.FIELDS (SUBJECT)] {29}', b'Subject: Lunch on Friday?\r\n\r\n'), (b' BODY[TEXT] {24}', b'Shall we meet at noon?\r\n'), b')']
}

// Repr prints values as Python's print(typ, data) and %r do, so that a
// ported script's output matches the original's.
func ExampleRepr() {
	fmt.Println(imaplib.Repr([]byte("it's \"here\"\r\n")))
	fmt.Println(imaplib.Repr("INBOX"))
	fmt.Println(imaplib.Repr([][]byte{[]byte("1 (RFC822 {2}"), []byte("hi"), []byte(")"), nil}))
	fmt.Println(imaplib.Repr([]string{"IMAP4REV1"}))
	fmt.Println(imaplib.Repr(nil), imaplib.Repr(true), imaplib.Repr(2.5))
	// Output:
	// b'it\'s "here"\r\n'
	// 'INBOX'
	// [(b'1 (RFC822 {2}', b'hi'), b')', None]
	// ('IMAP4REV1',)
	// None True 2.5
}

func ExampleParseFlags() {
	for _, f := range imaplib.ParseFlags([]byte(`1 (FLAGS (\Seen \Answered) UID 3)`)) {
		fmt.Println(string(f))
	}
	fmt.Println(len(imaplib.ParseFlags([]byte("* FLAGS ()"))))
	// Output:
	// \Seen
	// \Answered
	// 0
}

// Internaldate2tuple returns the instant in local time; false stands for
// Python's None.
func ExampleInternaldate2tuple() {
	t, ok := imaplib.Internaldate2tuple([]byte(`25 (INTERNALDATE "05-Mar-2024 09:30:00 +0100")`))
	fmt.Println(t.UTC(), ok)
	_, ok = imaplib.Internaldate2tuple([]byte(`25 (UID 7)`))
	fmt.Println(ok)
	// Output:
	// 2024-03-05 08:30:00 +0000 UTC true
	// false
}

// Time2Internaldate takes what Python's takes: a time (an aware datetime),
// Unix seconds, or a string already in double quotes.
func ExampleTime2Internaldate() {
	t := time.Date(2024, time.March, 5, 1, 2, 3, 0, time.FixedZone("", -(5*3600+30*60)))
	s, _ := imaplib.Time2Internaldate(t)
	fmt.Println(s)
	s, _ = imaplib.Time2Internaldate(`"18-May-2033 05:33:20 +0200"`)
	fmt.Println(s)
	_, err := imaplib.Time2Internaldate("yesterday")
	fmt.Println(err)
	// Output:
	// "05-Mar-2024 01:02:03 -0530"
	// "18-May-2033 05:33:20 +0200"
	// date_time not of a known type
}

func ExampleInt2AP() {
	fmt.Printf("%s %s %q\n", imaplib.Int2AP(4096), imaplib.Int2AP(12345), imaplib.Int2AP(0))
	// Output:
	// BAAA DADJ ""
}

// Python's except clauses become errors.Is: every abort is an error, every
// readonly error an abort.
func ExampleErrAbort() {
	host, port, stop := exStart(exWithByeOn("NOOP"))
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Shutdown()

	_, _, err = M.Login("user", "wrong")
	fmt.Println(err)
	fmt.Println(errors.Is(err, imaplib.ErrError), errors.Is(err, imaplib.ErrAbort))

	M.Login("user", "secret")
	_, _, err = M.Noop() // the server says BYE and hangs up
	fmt.Println(err)
	var e *imaplib.Error
	if errors.As(err, &e) {
		fmt.Println(e.Class(), errors.Is(err, imaplib.ErrError), errors.Is(err, imaplib.ErrAbort),
			errors.Is(err, imaplib.ErrReadonly))
	}
	// Output:
	// [AUTHENTICATIONFAILED] Invalid credentials
	// true false
	// command: NOOP => Server shutting down
	// abort true true false
}

// The classic profile reproduces CPython 3.13.0 byte for byte: no argument
// quoting, and a failed LOGIN shows the bytes repr. Set DefaultCompat
// before connecting, or change M.Compat on one connection.
func ExampleCompat() {
	host, port, stop := exStart()
	defer stop()

	imaplib.DefaultCompat = imaplib.CompatClassic
	defer func() { imaplib.DefaultCompat = imaplib.CompatCurrent }()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	fmt.Println(M.Compat.Name)

	_, _, err = M.Login("user", "wrong")
	fmt.Println(err)
	M.Login("user", "secret")
	_, _, err = M.Create("Project X") // sent as CREATE Project X
	fmt.Println(err)

	M.Compat = imaplib.CompatCurrent
	typ, _, err := M.Create("Project X") // sent as CREATE "Project X"
	fmt.Println(typ, err)
	// Output:
	// classic
	// b'[AUTHENTICATIONFAILED] Invalid credentials'
	// CREATE command error: BAD [b'Invalid arguments']
	// OK <nil>
}

// GETQUOTAROOT is the one command whose Python data is nested,
// [quotaroot, quota]; the port returns the two lists separately.
func ExampleIMAP4_GetQuotaRoot() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")

	typ, quotaroot, quota, err := M.GetQuotaRoot("INBOX") // typ, [quotaroot, quota] = M.getquotaroot('INBOX')
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ, imaplib.Repr(quotaroot), imaplib.Repr(quota))
	// Output:
	// OK [b'INBOX ""'] [b'"" (STORAGE 1 1024)']
}

// exClientID is a method a Python script would add to imaplib.IMAP4 at run
// time:
//
//	def id_(self, fields):
//	    typ, dat = self._simple_command('ID', fields)
//	    return self._untagged_response(typ, dat, 'ID')
//	imaplib.Commands['ID'] = ('NONAUTH', 'AUTH', 'SELECTED')
//	imaplib.IMAP4.id_ = id_
//
// In Go it is a plain function taking the connection.
func exClientID(M *imaplib.IMAP4, fields string) (string, [][]byte, error) {
	typ, _, err := M.SimpleCommand("ID", fields)
	if err != nil {
		return "", nil, err
	}
	_, data, err := M.Response("ID")
	return typ, data, err
}

// SimpleCommand is CPython's _simple_command, for commands the module has no
// method for.
func ExampleIMAP4_SimpleCommand() {
	imaplib.Commands.Register("ID", "NONAUTH", "AUTH", "SELECTED")
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()

	typ, data, err := exClientID(M, `("name" "imaplib-example")`) // M.id_('("name" "imaplib-example")')
	fmt.Println(typ, imaplib.Repr(data), err)
	// Output:
	// OK [b'("name" "exampleserver" "version" "1.0")'] <nil>
}

// Go's net/mail takes over from Python's email package for the message
// itself.
func ExampleIMAP4_Fetch() {
	host, port, stop := exStart()
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer M.Exit()
	M.Login("user", "secret")
	M.Select("", true)

	_, data, err := M.Fetch("2", "(BODY.PEEK[])") // typ, data = M.fetch('2', '(BODY.PEEK[])')
	if err != nil {
		log.Fatal(err)
	}
	// msg = email.message_from_bytes(data[0][1])
	msg, err := mail.ReadMessage(bytes.NewReader(imaplib.Items(data)[0].Literal))
	if err != nil {
		log.Fatal(err)
	}
	from, _ := mail.ParseAddress(msg.Header.Get("From"))
	body, _ := io.ReadAll(msg.Body)
	fmt.Printf("%s <%s>: %s\n%s", from.Name, from.Address, msg.Header.Get("Subject"), body)
	// Output:
	// LDJ <ldj@example.org>: Minutes of the meeting
	// The minutes are attached.
}

// At debug level 4 every line sent and received is traced, in CPython's
// format (timestamps and the tag prefix masked here). docs/teaching.md
// annotates this session.
func Example_debugTrace() {
	host, port, stop := exStart()
	defer stop()
	imaplib.Debug, imaplib.DebugOutput = 4, &exTraceWriter{w: os.Stdout}
	defer func() { imaplib.Debug, imaplib.DebugOutput = 0, os.Stderr }()

	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	M.Login("user", "secret")
	M.Select("INBOX", false)
	M.Search("", "UNSEEN")
	M.Fetch("2", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
	M.Store("2", "+FLAGS", `\Seen`)
	M.Logout()
	// Output:
	// new IMAP4 connection, tag=b'TAG'
	// < b'* OK IMAP4rev1 example server ready'
	// > b'TAG0 CAPABILITY'
	// < b'* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=X-PASSCODE IDLE UIDPLUS QUOTA ID'
	// < b'TAG0 OK CAPABILITY completed'
	// CAPABILITIES: ('IMAP4REV1', 'STARTTLS', 'AUTH=PLAIN', 'AUTH=X-PASSCODE', 'IDLE', 'UIDPLUS', 'QUOTA', 'ID')
	// > b'TAG1 LOGIN user "secret"'
	// < b'TAG1 OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=X-PASSCODE IDLE UIDPLUS QUOTA ID] Logged in'
	// > b'TAG2 SELECT INBOX'
	// < b'* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)'
	// < b'* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted'
	// < b'* 3 EXISTS'
	// < b'* 0 RECENT'
	// < b'* OK [UIDVALIDITY 1] UIDs valid'
	// < b'* OK [UIDNEXT 4] Predicted next UID'
	// < b'TAG2 OK [READ-WRITE] SELECT completed'
	// > b'TAG3 SEARCH UNSEEN'
	// < b'* SEARCH 2 3'
	// < b'TAG3 OK SEARCH completed'
	// > b'TAG4 FETCH 2 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])'
	// < b'* 2 FETCH (FLAGS () BODY[HEADER.FIELDS (SUBJECT)] {35}'
	// read literal size 35
	// < b')'
	// < b'TAG4 OK FETCH completed'
	// > b'TAG5 STORE 2 +FLAGS (\\Seen)'
	// < b'* 2 FETCH (FLAGS (\\Seen))'
	// < b'TAG5 OK STORE completed'
	// > b'TAG6 LOGOUT'
	// < b'* BYE Logging out'
	// BYE response: b'Logging out'
}

// The second session of docs/teaching.md: APPEND sends its message as a
// literal after the server's continuation request, and IDLE waits for
// responses the server pushes.
func Example_debugTraceAppendIdle() {
	host, port, stop := exStart(exWithIdlePush("* 5 EXISTS", "* 1 RECENT"))
	defer stop()
	M, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		log.Fatal(err)
	}
	M.Login("user", "secret")
	M.Select("", false)
	M.Debug, M.DebugOutput = 4, &exTraceWriter{w: os.Stdout, prefix: string(M.Tagpre)}

	M.Append("INBOX", `\Draft`, `"07-Mar-2024 18:00:00 +0100"`, []byte("Subject: hi\n\nSee you.\n"))
	idler, _ := M.Idle(0)
	idler.Enter()
	for typ := range idler.All() {
		if typ == "RECENT" {
			break
		}
	}
	idler.Exit()
	M.Logout()
	// Output:
	// > b'TAG3 APPEND INBOX (\\Draft) "07-Mar-2024 18:00:00 +0100" {25}'
	// < b'+ Ready for literal data'
	// write literal size 25
	// < b'* 4 EXISTS'
	// < b'* 1 RECENT'
	// < b'TAG3 OK [APPENDUID 1 4] APPEND completed'
	// idle start duration=None
	// > b'TAG4 IDLE'
	// < b'+ idling'
	// idle continuation prompt: b'idling'
	// idle _pop(None) reading
	// < b'* 5 EXISTS'
	// idle _pop(None) read EXISTS
	// idle _pop(None) reading
	// < b'* 1 RECENT'
	// idle _pop(None) read RECENT
	// idle done
	// < b'TAG4 OK IDLE terminated'
	// idle status: OK b'IDLE terminated'
	// > b'TAG5 LOGOUT'
	// < b'* BYE Logging out'
	// BYE response: b'Logging out'
}
