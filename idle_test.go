package imaplib_test

// IDLE (RFC 2177) as CPython 3.14 implements it: IMAP4.idle() and its
// Idler. The scenarios follow CPython's test_imaplib (test_idle_capability,
// test_idle_denied, test_idle_iter, test_idle_burst,
// test_idle_delayed_packet), played by the scripted server of
// exampleserver_test.go. Where CPython's server sleeps between two
// responses, these scripts wait for the test to release them instead, so
// that no outcome depends on how fast the machine is.

import (
	"bytes"
	"crypto/tls"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyport/imaplib"
)

// exIOTimeout bounds every read and write of a test connection, so that a
// server script that goes wrong fails the test instead of hanging it.
const exIOTimeout = 10 * time.Second

// exStartT starts a scripted server for one test.
func exStartT(t *testing.T, opts ...exOption) *exServer {
	t.Helper()
	s, err := exNewServer(opts...)
	require.NoError(t, err)
	t.Cleanup(s.close)
	return s
}

// exDial connects to s (with IMAP4_SSL when s speaks TLS) and logs in: the
// state is AUTH, tags 0 and 1 are used (CAPABILITY, LOGIN).
func exDial(t *testing.T, s *exServer) *imaplib.IMAP4 {
	t.Helper()
	var M *imaplib.IMAP4
	if s.cfg.implicit {
		S, err := imaplib.NewIMAP4_SSL(s.host, s.port, &tls.Config{RootCAs: exTestCA()}, exIOTimeout)
		require.NoError(t, err)
		M = S.IMAP4
	} else {
		var err error
		M, err = imaplib.NewIMAP4(s.host, s.port, exIOTimeout)
		require.NoError(t, err)
	}
	t.Cleanup(func() { M.Shutdown() })
	typ, _, err := M.Login(exUser, exPassword)
	require.NoError(t, err)
	require.Equal(t, "OK", typ)
	require.Equal(t, "AUTH", M.State)
	return M
}

// exEachClass runs test once per class CPython runs its IDLE tests with
// (NewIMAPTests and NewIMAPSSLTests): IMAP4 on a plain server, IMAP4_SSL on
// a TLS one. opts configure the server for the class.
func exEachClass(t *testing.T, test func(t *testing.T, opts ...exOption)) {
	t.Run("IMAP4", func(t *testing.T) { test(t) })
	t.Run("IMAP4_SSL", func(t *testing.T) { test(t, exWithImplicitTLS()) })
}

// exFetchDate is the literal of CPython's IdleCmdHandler: 41 bytes.
const exFetchDate = "Date: Fri, 06 Dec 2024 06:00:00 +0000\r\n\r\n"

// exCPythonIdle plays CPython's IdleCmdHandler: "* 0 EXISTS" before the
// continuation, then three responses back to back (one a FETCH with a
// literal), then "* 1 RECENT" once released (CPython sleeps one second
// there), then "* 9 RECENT" and the completion after DONE.
func exCPythonIdle(release <-chan struct{}) exHandler {
	return func(c *exConn, tag string, args []string) {
		c.sendRaw("* 0 EXISTS\r\n+ idling\r\n* 2 EXISTS\r\n" +
			"* 1 FETCH (BODY[HEADER.FIELDS (DATE)] {41}\r\n" + exFetchDate + ")\r\n" +
			"* 3 EXISTS\r\n")
		if !c.wait(release) {
			return
		}
		c.send("* 1 RECENT")
		line, err := c.readLine()
		if err != nil {
			return
		}
		if line == "DONE" {
			c.send("* 9 RECENT", tag+" OK Idle completed")
		} else {
			c.send(tag + " BAD Expected DONE")
		}
	}
}

// exClosed is a channel that is already closed: a script waiting on it goes
// on at once.
func exClosed() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// exResp is one (typ, data) pair an Idler yields.
type exResp struct {
	Typ  string
	Data [][]byte
}

// exCPythonIdleResponses are the four responses CPython's test_idle_iter
// reads: the FETCH arrives whole, its literal flattened after its header.
var exCPythonIdleResponses = []exResp{
	{"EXISTS", [][]byte{[]byte("0")}},
	{"EXISTS", [][]byte{[]byte("2")}},
	{"FETCH", [][]byte{[]byte("1 (BODY[HEADER.FIELDS (DATE)] {41}"), []byte(exFetchDate), []byte(")")}},
	{"EXISTS", [][]byte{[]byte("3")}},
}

// exTake collects at most n responses from seq.
func exTake(seq func(func(string, [][]byte) bool), n int) []exResp {
	var got []exResp
	if n == 0 {
		return got
	}
	for typ, data := range seq {
		got = append(got, exResp{typ, data})
		if len(got) == n {
			break
		}
	}
	return got
}

// exTraceLines splits debug output into messages without their timestamps,
// with the tag prefix replaced by TAG.
func exTraceLines(out string, tagpre []byte) []string {
	out = strings.ReplaceAll(out, string(tagpre), "TAG")
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		lines = append(lines, exStampRe.ReplaceAllString(l, ""))
	}
	return lines
}

func TestIdleCapability(t *testing.T) {
	// test_idle_capability: no IDLE capability, no Idler.
	exEachClass(t, func(t *testing.T, opts ...exOption) {
		srv := exStartT(t, append(opts, exWithCaps("IMAP4rev1"))...)
		M := exDial(t, srv)
		idler, err := M.Idle(0)
		assert.Nil(t, idler)
		require.EqualError(t, err, "Server does not support IMAP4 IDLE")
		assert.ErrorIs(t, err, imaplib.ErrError)
		assert.NotErrorIs(t, err, imaplib.ErrAbort)
		for _, l := range srv.lines() {
			assert.NotContains(t, l, "IDLE", "nothing is sent")
		}
	})
}

func TestIdleDenied(t *testing.T) {
	// test_idle_denied: a NO to IDLE is an error naming the server's text
	// as a Python list; the connection stays usable.
	exEachClass(t, func(t *testing.T, opts ...exOption) {
		srv := exStartT(t, append(opts, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
			c.send(tag + " NO IDLE is not allowed at this time")
		}))...)
		M := exDial(t, srv)
		idler, err := M.Idle(0)
		require.NoError(t, err)
		err = idler.Enter()
		require.EqualError(t, err, "idle denied: [b'IDLE is not allowed at this time']")
		var ie *imaplib.Error
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "error", ie.Class())
		assert.Equal(t, "AUTH", M.State)

		// Exit after a failed Enter does nothing: no DONE goes out.
		require.NoError(t, idler.Exit())
		typ, _, err := M.Noop()
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.NotContains(t, srv.lines(), "DONE")
	})
}

func TestIdleUnexpectedStatus(t *testing.T) {
	// An OK instead of the continuation is an abort quoting the line.
	srv := exStartT(t, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
		c.send(tag + " OK IDLE done already")
	}))
	M := exDial(t, srv)
	idler, err := M.Idle(0)
	require.NoError(t, err)
	err = idler.Enter()
	require.EqualError(t, err, "unexpected status response: b'"+string(M.Tagpre)+"2 OK IDLE done already'")
	assert.ErrorIs(t, err, imaplib.ErrAbort)
	assert.Equal(t, "AUTH", M.State)
}

func TestIdleIter(t *testing.T) {
	// test_idle_iter: four responses, one at a time; the one that arrives
	// later, and the one after DONE, are stored as usual once IDLE is over.
	exEachClass(t, func(t *testing.T, opts ...exOption) {
		srv := exStartT(t, append(opts, exWithHandler("IDLE", exCPythonIdle(exClosed())))...)
		M := exDial(t, srv)
		idler, err := M.Idle(0)
		require.NoError(t, err)
		require.NoError(t, idler.Enter())
		assert.Equal(t, "IDLING", M.State)

		got := exTake(idler.All(), 4)
		require.NoError(t, idler.Err())
		assert.Equal(t, exCPythonIdleResponses, got)

		require.NoError(t, idler.Exit())
		assert.Equal(t, "AUTH", M.State)
		typ, data, err := M.Response("EXISTS")
		require.NoError(t, err)
		assert.Equal(t, "EXISTS", typ)
		assert.Equal(t, [][]byte{nil}, data, "iterated responses are not stored")
		_, data, err = M.Response("RECENT")
		require.NoError(t, err)
		assert.Equal(t, [][]byte{[]byte("1"), []byte("9")}, data)
		assert.Contains(t, srv.lines(), "DONE")
	})
}

func TestIdleIterResumes(t *testing.T) {
	// Breaking out of a range over All leaves the Idler running: the next
	// range picks up where the first stopped, as next() does in Python.
	srv := exStartT(t, exWithHandler("IDLE", exCPythonIdle(exClosed())))
	M := exDial(t, srv)
	idler, err := M.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	first := exTake(idler.All(), 2)
	second := exTake(idler.All(), 2)
	assert.Equal(t, exCPythonIdleResponses, append(first, second...))
	require.NoError(t, idler.Exit())
}

func TestIdleBurst(t *testing.T) {
	// test_idle_burst: the four responses sent back to back form one burst;
	// it ends before the one the server holds back.
	exEachClass(t, func(t *testing.T, opts ...exOption) {
		release := make(chan struct{})
		srv := exStartT(t, append(opts, exWithHandler("IDLE", exCPythonIdle(release)))...)
		M := exDial(t, srv)
		idler, err := M.Idle(0)
		require.NoError(t, err)
		require.NoError(t, idler.Enter())

		batch := exTake(idler.Burst(0), -1)
		close(release)
		require.NoError(t, idler.Err())
		assert.Equal(t, exCPythonIdleResponses, batch)

		require.NoError(t, idler.Exit())
		_, data, err := M.Response("RECENT")
		require.NoError(t, err)
		assert.Equal(t, [][]byte{[]byte("1"), []byte("9")}, data)
	})
}

func TestIdleDelayedPacket(t *testing.T) {
	// test_idle_delayed_packet: a line that trickles in over several
	// packets and is still incomplete when the duration is over yields
	// nothing and does not break the connection; the bytes already received
	// are kept, and the line, once complete, is stored after DONE.
	exEachClass(t, func(t *testing.T, opts ...exOption) {
		release := make(chan struct{})
		srv := exStartT(t, append(opts, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
			c.sendRaw("+ idling\r\n* 1 EX")
			if !c.pause(100 * time.Millisecond) {
				return
			}
			c.sendRaw("IS")
			if !c.wait(release) {
				return
			}
			c.sendRaw("TS\r\n")
			exAwaitDone(c, tag, "OK Idle completed")
		}))...)
		M := exDial(t, srv)
		const duration = 500 * time.Millisecond
		idler, err := M.Idle(duration)
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, idler.Enter())

		got := exTake(idler.All(), -1)
		elapsed := time.Since(start)
		close(release)
		assert.Empty(t, got)
		require.NoError(t, idler.Err(), "a timeout ends the iteration; it is not an error")
		assert.GreaterOrEqual(t, elapsed, duration)

		require.NoError(t, idler.Exit(), "no abort on exit")
		_, data, err := M.Response("EXISTS")
		require.NoError(t, err)
		assert.Equal(t, [][]byte{[]byte("1")}, data)
	})
}

func TestIdleDuration(t *testing.T) {
	// A duration bounds the wait for new responses, but responses already
	// queued are delivered even after it: here "* 7 EXISTS", which arrived
	// before the continuation. "* 8 EXISTS", pushed after it, is not read
	// once the duration is over, and is stored after DONE.
	srv := exStartT(t, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
		c.send("* 7 EXISTS", "+ idling", "* 8 EXISTS")
		exAwaitDone(c, tag, "OK Idle completed")
	}))
	M := exDial(t, srv)
	const duration = 200 * time.Millisecond
	idler, err := M.Idle(duration)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	time.Sleep(duration + 100*time.Millisecond) // let the duration run out

	got := exTake(idler.All(), -1)
	require.NoError(t, idler.Err())
	assert.Equal(t, []exResp{{"EXISTS", [][]byte{[]byte("7")}}}, got)
	require.NoError(t, idler.Exit())
	_, data, err := M.Response("EXISTS")
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("8")}, data)
}

func TestIdleDurationWithoutResponses(t *testing.T) {
	// With nothing pushed, the iteration ends when the duration is over.
	srv := exStartT(t, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
		c.send("+ idling")
		exAwaitDone(c, tag, "OK Idle completed")
	}))
	M := exDial(t, srv)
	const duration = 300 * time.Millisecond
	idler, err := M.Idle(duration)
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, idler.Enter())
	got := exTake(idler.All(), -1)
	assert.Empty(t, got)
	assert.GreaterOrEqual(t, time.Since(start), duration)
	require.NoError(t, idler.Err())
	require.NoError(t, idler.Exit())
}

func TestIdleStateIdling(t *testing.T) {
	// While idling the state is IDLING, which no command allows: each
	// fails with CPython's state message, and nothing is sent.
	srv := exStartT(t, exWithHandler("IDLE", exCPythonIdle(exClosed())))
	M := exDial(t, srv)
	_, _, err := M.Select("INBOX", false)
	require.NoError(t, err)
	idler, err := M.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	sentBefore := len(srv.lines())

	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"NOOP", func() error { _, _, err := M.Noop(); return err },
			"command NOOP illegal in state IDLING, only allowed in states NONAUTH, AUTH, SELECTED, LOGOUT"},
		{"FETCH", func() error { _, _, err := M.Fetch("1", "(FLAGS)"); return err },
			"command FETCH illegal in state IDLING, only allowed in states SELECTED"},
		{"UID FETCH names the inner command", func() error { _, _, err := M.UID("FETCH", "1", "(FLAGS)"); return err },
			"command FETCH illegal in state IDLING, only allowed in states SELECTED"},
		{"STATUS", func() error { _, _, err := M.Status("INBOX", "(MESSAGES)"); return err },
			"command STATUS illegal in state IDLING, only allowed in states AUTH, SELECTED"},
		{"XATOM", func() error { _, _, err := M.XAtom("CHECK"); return err },
			"command CHECK illegal in state IDLING, only allowed in states SELECTED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.EqualError(t, err, tc.want)
			assert.ErrorIs(t, err, imaplib.ErrError)
			assert.NotErrorIs(t, err, imaplib.ErrAbort)
		})
	}
	assert.Len(t, srv.lines(), sentBefore, "a refused command sends nothing")

	// The Idler still works, and Exit restores the state it found.
	assert.Equal(t, exCPythonIdleResponses, exTake(idler.All(), 4))
	require.NoError(t, idler.Exit())
	assert.Equal(t, "SELECTED", M.State)
	typ, _, err := M.Noop()
	require.NoError(t, err)
	assert.Equal(t, "OK", typ)
}

func TestIdleSecondEnterWhileIdling(t *testing.T) {
	// A second IDLE while idling is refused by the state check, and must
	// leave the running Idler as it was: its responses still arrive through
	// the iteration, not in UntaggedResponses.
	srv := exStartT(t, exWithHandler("IDLE", exCPythonIdle(exClosed())))
	M := exDial(t, srv)
	idler, err := M.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	second, err := M.Idle(0)
	require.NoError(t, err)
	require.EqualError(t, second.Enter(), "command IDLE illegal in state IDLING, only allowed in states AUTH, SELECTED")
	require.NoError(t, second.Exit())

	got := exTake(idler.All(), 4)
	require.NoError(t, idler.Err())
	assert.Equal(t, exCPythonIdleResponses, got)
	require.NoError(t, idler.Exit())
}

func TestIdleLeftovers(t *testing.T) {
	// Responses queued but not iterated are moved into UntaggedResponses on
	// Exit, in order, datum by datum: a FETCH keeps its literal after its
	// header, and a response code gives two entries (OK and ALERT), as
	// CPython queues them.
	script := func(c *exConn, tag string, args []string) {
		c.sendRaw("* 0 EXISTS\r\n* 1 FETCH (BODY[] {3}\r\nabc)\r\n* OK [ALERT] Quota low\r\n+ idling\r\n")
		exAwaitDone(c, tag, "OK Idle completed")
	}
	cases := []struct {
		name      string
		take      int
		leftovers string
		want      map[string][][]byte
	}{
		{"none iterated", 0, "idle quit with 4 leftover responses", map[string][][]byte{
			"EXISTS": {[]byte("0")},
			"FETCH":  {[]byte("1 (BODY[] {3}"), []byte("abc"), []byte(")")},
			"OK":     {[]byte("[ALERT] Quota low")},
			"ALERT":  {[]byte("")},
		}},
		{"two iterated", 2, "idle quit with 2 leftover responses", map[string][][]byte{
			"OK":    {[]byte("[ALERT] Quota low")},
			"ALERT": {[]byte("")},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := exStartT(t, exWithHandler("IDLE", script))
			M := exDial(t, srv)
			var trace bytes.Buffer
			M.Debug, M.DebugOutput = 4, &trace
			idler, err := M.Idle(0)
			require.NoError(t, err)
			require.NoError(t, idler.Enter())
			assert.Len(t, exTake(idler.All(), tc.take), tc.take)
			require.NoError(t, idler.Exit())
			for _, key := range []string{"EXISTS", "FETCH", "OK", "ALERT"} {
				assert.Equal(t, tc.want[key], M.UntaggedResponses[key], key)
			}
			assert.Contains(t, exTraceLines(trace.String(), M.Tagpre), tc.leftovers)
		})
	}
}

func TestIdleTaggedLineEndsIteration(t *testing.T) {
	// A server may end IDLE on its own with a tagged reply. CPython then
	// fails with IndexError inside the iterator; the port ends the iteration
	// without an error, and Exit finds the completion already there.
	srv := exStartT(t, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
		c.send("+ idling", "* 1 EXISTS", tag+" OK IDLE terminated by the server")
		c.readLine() // the client's DONE, which comes all the same
	}))
	M := exDial(t, srv)
	idler, err := M.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	got := exTake(idler.All(), -1)
	require.NoError(t, idler.Err())
	assert.Equal(t, []exResp{{"EXISTS", [][]byte{[]byte("1")}}}, got)
	require.NoError(t, idler.Exit())
	assert.Equal(t, "AUTH", M.State)
	assert.Empty(t, M.TaggedCommands, "the IDLE completion was consumed")

	typ, _, err := M.Noop()
	require.NoError(t, err, "the connection is still in step")
	assert.Equal(t, "OK", typ)
}

func TestIdleDoneReply(t *testing.T) {
	// After DONE, a NO is accepted silently, as CPython does; a BAD is the
	// usual command error.
	cases := []struct {
		reply   string
		wantErr string
	}{
		{"OK Idle completed", ""},
		{"NO Idle went wrong", ""},
		{"BAD Not idling", "IDLE command error: BAD [b'Not idling']"},
	}
	for _, tc := range cases {
		t.Run(tc.reply, func(t *testing.T) {
			srv := exStartT(t, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
				c.send("+ idling")
				exAwaitDone(c, tag, tc.reply)
			}))
			M := exDial(t, srv)
			idler, err := M.Idle(0)
			require.NoError(t, err)
			require.NoError(t, idler.Enter())
			err = idler.Exit()
			if tc.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tc.wantErr)
			}
			assert.Equal(t, "AUTH", M.State)
		})
	}
}

func TestIdleServerBye(t *testing.T) {
	// A BYE during IDLE is delivered like any response; the hang-up that
	// follows ends the iteration with CPython's abort, and Exit reports the
	// dead connection.
	srv := exStartT(t, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
		c.send("+ idling", "* BYE Server shutting down")
		c.closed = true
	}))
	M := exDial(t, srv)
	idler, err := M.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	got := exTake(idler.All(), -1)
	assert.Equal(t, []exResp{{"BYE", [][]byte{[]byte("Server shutting down")}}}, got)
	require.EqualError(t, idler.Err(), "socket error: EOF")
	assert.ErrorIs(t, idler.Err(), imaplib.ErrAbort)
	assert.Error(t, idler.Exit())
}

func TestIdleNotEntered(t *testing.T) {
	// Iterating an Idler that was never entered fails as CPython's _pop
	// does; Exit without Enter sends nothing.
	srv := exStartT(t)
	M := exDial(t, srv)
	idler, err := M.Idle(0)
	require.NoError(t, err)
	assert.Empty(t, exTake(idler.All(), -1))
	require.EqualError(t, idler.Err(), "_pop() only works during IDLE")
	require.NoError(t, idler.Exit())
	assert.NotContains(t, srv.lines(), "DONE")
}

func TestIdleStream(t *testing.T) {
	// IMAP4_stream has no socket: a duration and Burst are refused, with
	// CPython's messages; plain iteration works over the pipes.
	S, err := imaplib.NewIMAP4_stream(exStreamCommand("preauth"))
	require.NoError(t, err)
	defer S.Shutdown()
	require.Equal(t, "AUTH", S.State)

	_, err = S.Idle(time.Second)
	require.EqualError(t, err, "duration requires a socket connection")

	idler, err := S.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	assert.Equal(t, []exResp{
		{"EXISTS", [][]byte{[]byte("4")}},
		{"RECENT", [][]byte{[]byte("1")}},
	}, exTake(idler.All(), 2))
	require.NoError(t, idler.Exit())

	idler, err = S.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	assert.Empty(t, exTake(idler.Burst(0), -1))
	require.EqualError(t, idler.Err(), "burst() requires a socket connection")
	require.NoError(t, idler.Exit())

	typ, _, err := S.Logout()
	require.NoError(t, err)
	assert.Equal(t, "BYE", typ)
}

func TestIdleDebugTrace(t *testing.T) {
	// At debug level 4 IDLE traces itself with CPython's messages.
	t.Run("no duration", func(t *testing.T) {
		srv := exStartT(t, exWithHandler("IDLE", exCPythonIdle(exClosed())))
		M := exDial(t, srv)
		var out bytes.Buffer
		M.Debug, M.DebugOutput = 4, &out
		idler, err := M.Idle(0)
		require.NoError(t, err)
		require.NoError(t, idler.Enter())
		exTake(idler.All(), 4)
		require.NoError(t, idler.Exit())
		assert.Equal(t, []string{
			"idle start duration=None",
			"> b'TAG2 IDLE'",
			"< b'* 0 EXISTS'",
			"< b'+ idling'",
			"idle continuation prompt: b'idling'",
			"idle _pop(None) de-queued EXISTS",
			"idle _pop(None) reading",
			"< b'* 2 EXISTS'",
			"idle _pop(None) read EXISTS",
			"idle _pop(None) reading",
			"< b'* 1 FETCH (BODY[HEADER.FIELDS (DATE)] {41}'",
			"read literal size 41",
			"< b')'",
			"idle _pop(None) read FETCH",
			"idle _pop(None) reading",
			"< b'* 3 EXISTS'",
			"idle _pop(None) read EXISTS",
			"idle done",
			"< b'* 1 RECENT'",
			"< b'* 9 RECENT'",
			"< b'TAG2 OK Idle completed'",
			"idle status: OK b'Idle completed'",
		}, exTraceLines(out.String(), M.Tagpre))
	})
	t.Run("duration runs out", func(t *testing.T) {
		srv := exStartT(t, exWithHandler("IDLE", func(c *exConn, tag string, args []string) {
			c.send("+ idling")
			exAwaitDone(c, tag, "OK Idle completed")
		}))
		M := exDial(t, srv)
		var out bytes.Buffer
		M.Debug, M.DebugOutput = 4, &out
		idler, err := M.Idle(500 * time.Millisecond)
		require.NoError(t, err)
		require.NoError(t, idler.Enter())
		exTake(idler.All(), -1)
		require.NoError(t, idler.Exit())
		// The time left is printed as Python prints a float, and varies.
		seconds := regexp.MustCompile(`\(\d\.\d+\)|\(\d(\.\d+)?e-\d\d\)`)
		var masked []string
		for _, l := range exTraceLines(out.String(), M.Tagpre) {
			masked = append(masked, seconds.ReplaceAllString(l, "(S)"))
		}
		assert.Equal(t, []string{
			"idle start duration=0.5",
			"> b'TAG2 IDLE'",
			"< b'+ idling'",
			"idle continuation prompt: b'idling'",
			"idle _pop(S) reading",
			"idle _pop(S) done",
			"idle iterator exhausted",
			"idle done",
			"< b'TAG2 OK Idle completed'",
			"idle status: OK b'Idle completed'",
		}, masked)
	})
}
