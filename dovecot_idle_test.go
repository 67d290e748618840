package imaplib_test

// IDLE (RFC 2177) against the shared Dovecot: one connection idles on a
// mailbox while a second one appends to it. Dovecot tells the idler about
// the new message about 0.5 s after the APPEND (its notification delay),
// as EXISTS and RECENT lines written together.

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/pyport/imaplib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dsIdleLimit is how soon the idler must see the new message.
const dsIdleLimit = 2 * time.Second

// dsIdleSession is an idler's connection on a fresh, empty mailbox, with
// its debug-4 trace, and a second connection to change that mailbox.
type dsIdleSession struct {
	m, other *imaplib.IMAP4
	box      string
	trace    *bytes.Buffer
}

// dsIdleSetup logs both connections in, optionally enables extensions on
// the idler first (ENABLE is legal only before SELECT), selects the new
// mailbox, and drops what SELECT left in UntaggedResponses, so that what
// is there after IDLE came from IDLE.
func dsIdleSetup(t *testing.T, s *dvServer, enable string) *dsIdleSession {
	t.Helper()
	ses := &dsIdleSession{m: dvLogin(t, s, ""), other: dvLogin(t, s, ""), trace: &bytes.Buffer{}}
	ses.box = dvBox(t, "idle")
	dvMust(t)(ses.m.Create(ses.box))
	if enable != "" {
		dvMust(t)(ses.m.Enable(enable))
	}
	require.Equal(t, dvBytes("0"), dvMust(t)(ses.m.Select(ses.box, false)))
	for code := range ses.m.UntaggedResponses {
		_, _, err := ses.m.Response(code)
		require.NoError(t, err)
	}
	ses.m.Debug = 4
	ses.m.DebugOutput = ses.trace
	return ses
}

// appendOne adds a message to the idler's mailbox from the other
// connection and returns when that APPEND completed.
func (ses *dsIdleSession) appendOne(t *testing.T) time.Time {
	t.Helper()
	dvMust(t)(ses.other.Append(ses.box, "", nil, []byte(dvMessages[2])))
	return time.Now()
}

// dsPair is one yielded response, comparable in assertions.
type dsPair struct {
	Typ  string
	Data string // imaplib.Repr of the data, as Python prints it
}

func TestDovecotIdleExists(t *testing.T) {
	s := dvServerFor(t)
	ses := dsIdleSetup(t, s, "")
	m := ses.m

	idler, err := m.Idle(5 * time.Second) // a bound for a broken server only
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	assert.Equal(t, "IDLING", m.State)
	_, _, err = m.Noop()
	if e := dvAssertClass(t, err, "error"); e != nil {
		assert.Equal(t, "command NOOP illegal in state IDLING, only allowed in states NONAUTH, AUTH, SELECTED, LOGOUT", e.Error())
	}

	appended := ses.appendOne(t)
	var seen []dsPair
	existsAfter := time.Duration(-1)
	for typ, data := range idler.All() {
		seen = append(seen, dsPair{typ, imaplib.Repr(data)})
		if typ == "EXISTS" {
			existsAfter = time.Since(appended)
			break
		}
	}
	require.NoError(t, idler.Err())
	require.GreaterOrEqual(t, existsAfter, time.Duration(0), "no EXISTS within the IDLE's 5 s; got %v", seen)
	t.Logf("EXISTS %s after the APPEND", existsAfter.Round(time.Millisecond))
	assert.Less(t, existsAfter, dsIdleLimit)
	assert.Equal(t, []dsPair{{"EXISTS", "[b'1']"}}, seen)

	require.NoError(t, idler.Exit())
	assert.Equal(t, "SELECTED", m.State)
	assert.Regexp(t, `(?m)^  \d\d:\d\d\.\d\d idle status: OK b'Idle completed`, ses.trace.String(), "DONE was answered OK")

	// the yielded EXISTS went to the caller only; the RECENT that came with
	// it was not iterated, so Exit stored it while reading DONE's reply
	_, data, err := m.Response("EXISTS")
	require.NoError(t, err)
	assert.Equal(t, [][]byte{nil}, data)
	_, data, err = m.Response("RECENT")
	require.NoError(t, err)
	assert.Equal(t, dvBytes("1"), data)

	// the session goes on normally
	assert.Equal(t, dvBytes("1"), dvMust(t)(m.Search("", "ALL")))
}

func TestDovecotIdleBurst(t *testing.T) {
	s := dvServerFor(t)
	ses := dsIdleSetup(t, s, "")
	m := ses.m

	idler, err := m.Idle(5 * time.Second)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	appended := ses.appendOne(t)
	var burst []dsPair
	var first time.Duration
	for typ, data := range idler.Burst(300 * time.Millisecond) {
		if burst == nil {
			first = time.Since(appended)
		}
		burst = append(burst, dsPair{typ, imaplib.Repr(data)})
	}
	ended := time.Since(appended)
	require.NoError(t, idler.Err())
	t.Logf("burst started %s and ended %s after the APPEND", first.Round(time.Millisecond), ended.Round(time.Millisecond))
	assert.Equal(t, []dsPair{{"EXISTS", "[b'1']"}, {"RECENT", "[b'1']"}}, burst)
	assert.Less(t, first, dsIdleLimit)
	// the burst ends one quiet interval after its last response, long
	// before the IDLE's duration
	assert.Less(t, ended, first+2*time.Second)
	require.NoError(t, idler.Exit())
	assert.Equal(t, "SELECTED", m.State)
	assert.Regexp(t, `idle status: OK b'Idle completed`, ses.trace.String())

	t.Run("nothing happens: the duration ends the iteration", func(t *testing.T) {
		const d = 300 * time.Millisecond
		idler, err := m.Idle(d)
		require.NoError(t, err)
		require.NoError(t, idler.Enter())
		t0 := time.Now()
		for typ, data := range idler.All() {
			t.Errorf("unexpected %s %s", typ, imaplib.Repr(data))
		}
		took := time.Since(t0)
		require.NoError(t, idler.Err())
		assert.GreaterOrEqual(t, took, d-50*time.Millisecond)
		assert.Less(t, took, d+2*time.Second)
		require.NoError(t, idler.Exit())
		dvMust(t)(m.Noop())
	})
}

// With QRESYNC on, Dovecot follows the new message with
// `* OK [HIGHESTMODSEQ n] Highest`. That one line is two responses, OK and
// HIGHESTMODSEQ; a loop that stops at the OK leaves the second queued, and
// Exit must move it into UntaggedResponses.
func TestDovecotIdleLeftover(t *testing.T) {
	s := dvServerFor(t)
	ses := dsIdleSetup(t, s, "QRESYNC")
	m := ses.m

	idler, err := m.Idle(5 * time.Second)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	appended := ses.appendOne(t)
	var seen []dsPair
	var ok [][]byte
	for typ, data := range idler.All() {
		seen = append(seen, dsPair{typ, imaplib.Repr(data)})
		if typ == "OK" {
			ok = data
			break
		}
	}
	require.NoError(t, idler.Err())
	t.Logf("OK %s after the APPEND", time.Since(appended).Round(time.Millisecond))
	require.Len(t, ok, 1, "no untagged OK during IDLE; got %v", seen)
	modseq := regexp.MustCompile(`^\[HIGHESTMODSEQ (\d+)\] Highest$`).FindSubmatch(ok[0])
	require.NotNil(t, modseq, "%q", ok[0])
	assert.Equal(t, []dsPair{{"EXISTS", "[b'1']"}, {"RECENT", "[b'1']"}, {"OK", imaplib.Repr(ok)}}, seen)

	require.NoError(t, idler.Exit())
	assert.Equal(t, "SELECTED", m.State)
	trace := ses.trace.String()
	assert.Contains(t, trace, "idle quit with 1 leftover responses")
	assert.Regexp(t, `idle status: OK b'Idle completed`, trace)
	typ, data, err := m.Response("HIGHESTMODSEQ")
	require.NoError(t, err)
	assert.Equal(t, "HIGHESTMODSEQ", typ)
	assert.Equal(t, [][]byte{modseq[1]}, data)
	for _, code := range []string{"EXISTS", "RECENT", "OK"} {
		_, data, err := m.Response(code)
		require.NoError(t, err)
		assert.Equal(t, [][]byte{nil}, data, "%s was iterated, so it is not stored", code)
	}
}

// Over a pipe there is no socket to time reads out: no duration, and no
// burst, as in CPython; plain IDLE still works.
func TestDovecotIdleStream(t *testing.T) {
	s := dvServerFor(t)
	st, err := imaplib.NewIMAP4_stream(s.env["IMAP_STDIO_CMD"])
	require.NoError(t, err)
	m := st.IMAP4
	t.Cleanup(func() { dvClose(m) })
	dvMust(t)(m.Select("INBOX", false))

	_, err = m.Idle(time.Second)
	if e := dvAssertClass(t, err, "error"); e != nil {
		assert.Equal(t, "duration requires a socket connection", e.Error())
	}
	idler, err := m.Idle(0)
	require.NoError(t, err)
	require.NoError(t, idler.Enter())
	for typ := range idler.Burst(0) {
		t.Errorf("burst yielded %s", typ)
	}
	if e := dvAssertClass(t, idler.Err(), "error"); e != nil {
		assert.Equal(t, "burst() requires a socket connection", e.Error())
	}
	require.NoError(t, idler.Exit())
	assert.Equal(t, "SELECTED", m.State)
	dvMust(t)(m.Noop())
}
