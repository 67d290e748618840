package imaplib_test

// Load tests against the real Dovecot of dovecot_test.go (the shared server
// it starts on first use): many concurrent sessions hammering one mailbox,
// and a round trip of many random messages through APPEND and FETCH. They
// run under -race in CI. IMAPLIB_LOAD=full makes them long (30 s, 10,000
// messages); the default keeps CI fast (3 s, 300 messages). Without Dovecot
// they skip, or fail when CI=true.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyport/imaplib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// atLoadFull reports IMAPLIB_LOAD=full.
func atLoadFull() bool { return os.Getenv("IMAPLIB_LOAD") == "full" }

// atLoadTimeout bounds each read and write of a load connection.
const atLoadTimeout = 30 * time.Second

// atLoadLogin connects to the shared Dovecot and logs in as the test user.
func atLoadLogin(s *dvServer) (*imaplib.IMAP4, error) {
	port, err := strconv.Atoi(s.env["IMAP_PORT"])
	if err != nil {
		return nil, err
	}
	m, err := imaplib.NewIMAP4(s.env["IMAP_HOST"], port, atLoadTimeout)
	if err != nil {
		return nil, err
	}
	if _, _, err := m.Login(s.env["IMAP_USER"], s.env["IMAP_PASSWORD"]); err != nil {
		m.Shutdown()
		return nil, err
	}
	return m, nil
}

// atLoadBox makes a mailbox name no other test or run uses, and deletes the
// mailbox when the test ends.
func atLoadBox(t *testing.T, s *dvServer, what string) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	box := "at-load-" + what + "-" + hex.EncodeToString(b)
	m, err := atLoadLogin(s)
	require.NoError(t, err)
	defer m.Logout()
	typ, data, err := m.Create(box)
	require.NoError(t, err)
	require.Equal(t, "OK", typ, "CREATE %s: %s", box, imaplib.Repr(data))
	t.Cleanup(func() {
		m, err := atLoadLogin(s)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer m.Logout()
		if typ, data, err := m.Delete(box); err != nil || typ != "OK" {
			t.Logf("cleanup: DELETE %s: %s %s %v", box, typ, imaplib.Repr(data), err)
		}
	})
	return box
}

// atLoadErrors counts the errors of many goroutines and keeps the first
// few for the report.
type atLoadErrors struct {
	mu    sync.Mutex
	n     int
	first []string
}

func (e *atLoadErrors) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if len(e.first) < 10 {
		e.first = append(e.first, fmt.Sprintf(format, args...))
	}
}

// atFetchHeaderRe finds the header of a FETCH response that carries a
// message's header section.
var atFetchHeaderRe = regexp.MustCompile(`^\d+ \(.*BODY\[HEADER\] \{\d+\}$`)

func TestLoadConcurrentSessions(t *testing.T) {
	s := dvServerFor(t)
	const conns = 50
	const messages = 20
	duration := 3 * time.Second
	if atLoadFull() {
		duration = 30 * time.Second
	}
	box := atLoadBox(t, s, "sessions")
	setup, err := atLoadLogin(s)
	require.NoError(t, err)
	for i := 0; i < messages; i++ {
		msg := fmt.Sprintf("From: load%d@example.org\nSubject: load message %d\n\nbody %d\n", i, i, i)
		typ, _, err := setup.Append(box, "", nil, []byte(msg))
		require.NoError(t, err)
		require.Equal(t, "OK", typ)
	}
	setup.Logout()

	var ops atomic.Int64
	var errs atLoadErrors
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rnd := mrand.New(mrand.NewPCG(uint64(c), uint64(start.UnixNano())))
			m, err := atLoadLogin(s)
			if err != nil {
				errs.add("connection %d: login: %v", c, err)
				return
			}
			defer func() {
				if _, _, err := m.Logout(); err != nil {
					errs.add("connection %d: logout: %v", c, err)
				}
			}()
			// check turns a command's outcome into an operation or an error.
			check := func(what string, typ string, data [][]byte, err error, ok func([][]byte) bool) bool {
				if err != nil || typ != "OK" || (ok != nil && !ok(data)) {
					errs.add("connection %d: %s: %s %s %v", c, what, typ, imaplib.Repr(data), err)
					return false
				}
				ops.Add(1)
				return true
			}
			for time.Now().Before(deadline) {
				typ, data, err := m.Select(box, false)
				if !check("SELECT", typ, data, err, func(d [][]byte) bool {
					return len(d) > 0 && string(d[len(d)-1]) == strconv.Itoa(messages)
				}) {
					return
				}
				n := strconv.Itoa(1 + rnd.IntN(messages))
				typ, data, err = m.Fetch(n, "(FLAGS BODY.PEEK[HEADER])")
				if !check("FETCH "+n, typ, data, err, func(d [][]byte) bool {
					for _, it := range imaplib.Items(d) {
						if it.Tuple && atFetchHeaderRe.Match(it.Bytes) && bytes.Contains(it.Literal, []byte("Subject: load message")) {
							return true
						}
					}
					return false
				}) {
					return
				}
				op := "+FLAGS"
				if rnd.IntN(2) == 0 {
					op = "-FLAGS"
				}
				typ, data, err = m.Store(n, op, `\Flagged`)
				if !check("STORE "+n+" "+op, typ, data, err, nil) {
					return
				}
				typ, data, err = m.Noop()
				if !check("NOOP", typ, data, err, nil) {
					return
				}
			}
		}(c)
	}
	wg.Wait()
	el := time.Since(start)
	t.Logf("%d concurrent connections for %.1f s: %d operations (SELECT, FETCH, STORE, NOOP), %.0f per second, %d errors",
		conns, el.Seconds(), ops.Load(), float64(ops.Load())/el.Seconds(), errs.n)
	for _, e := range errs.first {
		t.Logf("error: %s", e)
	}
	assert.Zero(t, errs.n, "errors")
	assert.Greater(t, ops.Load(), int64(4*conns), "every connection must have completed at least one round")
}

// atLoadMessage makes a random message of the given size: any byte but
// NUL (which an IMAP literal may not carry), with bare CR, bare LF, CRLF
// and LFCR sprinkled in on purpose.
func atLoadMessage(rnd *mrand.Rand, size int) []byte {
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(1 + rnd.IntN(255))
	}
	for k := size / 64; k > 0; k-- {
		i := rnd.IntN(size)
		switch rnd.IntN(4) {
		case 0:
			msg[i] = '\r'
		case 1:
			msg[i] = '\n'
		case 2:
			if i+1 < size {
				msg[i], msg[i+1] = '\r', '\n'
			}
		default:
			if i+1 < size {
				msg[i], msg[i+1] = '\n', '\r'
			}
		}
	}
	return msg
}

// atLoadSize draws a message size up to 1 MiB: mostly small, some
// medium, a few large, as a mailbox holds them.
func atLoadSize(rnd *mrand.Rand) int {
	switch p := rnd.IntN(100); {
	case p < 70:
		return 1 + rnd.IntN(4<<10)
	case p < 95:
		return 4<<10 + rnd.IntN(124<<10)
	default:
		return 128<<10 + rnd.IntN(896<<10+1)
	}
}

// atCRLF is what APPEND sends for a message: every CR, LF or CRLF turned
// into CRLF (CPython's MapCRLF).
func atCRLF(msg []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(msg) + len(msg)/16)
	for i := 0; i < len(msg); i++ {
		switch msg[i] {
		case '\r':
			if i+1 < len(msg) && msg[i+1] == '\n' {
				i++
			}
			out.WriteString("\r\n")
		case '\n':
			out.WriteString("\r\n")
		default:
			out.WriteByte(msg[i])
		}
	}
	return out.Bytes()
}

// atFetchBodyRe reads the sequence number and size from the header of a
// FETCH response carrying a whole message.
var atFetchBodyRe = regexp.MustCompile(`^(\d+) \(BODY\[\] \{(\d+)\}$`)

func TestLoadAppendFetchRoundTrip(t *testing.T) {
	s := dvServerFor(t)
	total := 300
	if atLoadFull() {
		total = 10000
	}
	// The test user's quota is 100 MB; larger runs go in batches that are
	// checked, then expunged.
	const batch = 500
	seed := uint64(time.Now().UnixNano())
	rnd := mrand.New(mrand.NewPCG(seed, 0x1a9b))
	t.Logf("message seed %d", seed)
	box := atLoadBox(t, s, "append")
	m, err := atLoadLogin(s)
	require.NoError(t, err)
	defer m.Logout()

	var sentBytes, checked, lost, altered int
	fixed := []int{1, 2, 1<<20 - 1, 1 << 20} // the edges come first
	start := time.Now()
	for done := 0; done < total; {
		n := min(batch, total-done)
		want := make([][]byte, n)
		for i := range want {
			size := atLoadSize(rnd)
			if k := done + i; k < len(fixed) {
				size = fixed[k]
			}
			msg := atLoadMessage(rnd, size)
			want[i] = atCRLF(msg)
			sentBytes += len(want[i])
			typ, data, err := m.Append(box, "", nil, msg)
			require.NoError(t, err, "APPEND of message %d (%d bytes)", done+i+1, size)
			require.Equal(t, "OK", typ, "APPEND of message %d: %s", done+i+1, imaplib.Repr(data))
		}
		typ, data, err := m.Select(box, false)
		require.NoError(t, err)
		require.Equal(t, "OK", typ)
		require.Equal(t, strconv.Itoa(n), string(data[len(data)-1]), "messages in the mailbox")

		typ, data, err = m.Fetch("1:*", "(BODY.PEEK[])")
		require.NoError(t, err)
		require.Equal(t, "OK", typ)
		got := make([][]byte, n)
		for _, it := range imaplib.Items(data) {
			if !it.Tuple {
				continue
			}
			mo := atFetchBodyRe.FindSubmatch(it.Bytes)
			require.NotNil(t, mo, "unexpected FETCH header %s", imaplib.Repr([][]byte{it.Bytes}))
			seq, _ := strconv.Atoi(string(mo[1]))
			require.True(t, seq >= 1 && seq <= n, "sequence number %d", seq)
			got[seq-1] = it.Literal
		}
		for i := range want {
			switch {
			case got[i] == nil:
				lost++
				t.Errorf("message %d (%d bytes) came back missing", done+i+1, len(want[i]))
			case !bytes.Equal(got[i], want[i]):
				altered++
				p := 0
				for p < len(got[i]) && p < len(want[i]) && got[i][p] == want[i][p] {
					p++
				}
				t.Errorf("message %d altered: sent %d bytes, got %d, first difference at byte %d", done+i+1, len(want[i]), len(got[i]), p)
			default:
				checked++
			}
		}
		if done+n < total {
			typ, _, err = m.Store("1:*", "+FLAGS", `\Deleted`)
			require.NoError(t, err)
			require.Equal(t, "OK", typ)
			typ, _, err = m.Expunge()
			require.NoError(t, err)
			require.Equal(t, "OK", typ)
		}
		done += n
	}
	el := time.Since(start)
	t.Logf("%d random messages (1 byte to 1 MiB, bare CR and LF included) appended and fetched back in batches of up to %d: "+
		"%.1f MiB after CRLF normalisation, %d identical, %d lost, %d altered, in %.1f s (%.1f MiB/s)",
		total, batch, float64(sentBytes)/(1<<20), checked, lost, altered, el.Seconds(), 2*float64(sentBytes)/(1<<20)/el.Seconds())
	assert.Equal(t, total, checked, "messages that came back identical")
	assert.Zero(t, lost)
	assert.Zero(t, altered)
}
