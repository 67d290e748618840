package imaplib

import (
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The benchmarks here drive the real engine and the real SocketTransport
// buffering over an in-memory connection whose server side answers every
// command from bytes rendered once, so that what is measured is the client
// alone: no kernel, no scheduler hand-off, no server work per byte.
//
// Run them with:
//
//	go test -run '^$' -bench . -benchmem .

// bnConn is the in-memory connection. Commands written to it are parsed
// line by line; reply returns what the server answers to one command line
// (with its tag), and a synchronising literal announced at the end of a
// line is acknowledged with a continuation, swallowed, and then completed.
type bnConn struct {
	out   [][]byte // queued server bytes, served in order
	line  []byte   // the command line being written
	skip  int      // literal bytes still to swallow
	reply func(tag, line []byte) [][]byte
	// lit counts the literal bytes swallowed, so APPEND benchmarks can
	// check what arrived.
	lit    int64
	closed bool
	// The tag and line of a command whose literal is being swallowed.
	pendingTag, pendingLine []byte
}

func (c *bnConn) Read(p []byte) (int, error) {
	for len(c.out) > 0 && len(c.out[0]) == 0 {
		c.out = c.out[1:]
	}
	if len(c.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.out[0])
	c.out[0] = c.out[0][n:]
	return n, nil
}

func (c *bnConn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	n := len(p)
	for len(p) > 0 {
		if c.skip > 0 {
			k := min(c.skip, len(p))
			c.skip -= k
			c.lit += int64(k)
			p = p[k:]
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.line = append(c.line, p...)
			break
		}
		c.line = append(c.line, p[:i+1]...)
		p = p[i+1:]
		c.onLine(bytes.TrimSuffix(c.line, []byte("\r\n")))
		c.line = c.line[:0]
	}
	return n, nil
}

// onLine handles one complete command line (or the rest of one after a
// literal). A line ending in {N} gets a continuation and N bytes skipped;
// the reply comes once the line that follows the literal ends.
func (c *bnConn) onLine(l []byte) {
	if mo := Literal.FindSubmatch(l); mo != nil {
		n, _ := strconv.Atoi(string(mo[1]))
		c.skip = n
		c.out = append(c.out, []byte("+ go ahead\r\n"))
		// Remember the tag: the reply is due after the literal.
		if sp := bytes.IndexByte(l, ' '); sp > 0 {
			c.pendingTag = append(c.pendingTag[:0], l[:sp]...)
			c.pendingLine = append(c.pendingLine[:0], l...)
		}
		return
	}
	tag, line := c.pendingTag, c.pendingLine
	if len(tag) == 0 {
		sp := bytes.IndexByte(l, ' ')
		if sp < 0 {
			return
		}
		tag, line = l[:sp], l
	}
	c.out = append(c.out, c.reply(tag, line)...)
	c.pendingTag, c.pendingLine = c.pendingTag[:0], c.pendingLine[:0]
}

func (c *bnConn) Close() error                     { c.closed = true; return nil }
func (c *bnConn) LocalAddr() net.Addr              { return bnAddr{} }
func (c *bnConn) RemoteAddr() net.Addr             { return bnAddr{} }
func (c *bnConn) SetDeadline(time.Time) error      { return nil }
func (c *bnConn) SetReadDeadline(time.Time) error  { return nil }
func (c *bnConn) SetWriteDeadline(time.Time) error { return nil }

type bnAddr struct{}

func (bnAddr) Network() string { return "mem" }
func (bnAddr) String() string  { return "mem" }

// bnTransport is SocketTransport over a bnConn: the real receive buffer,
// with Open replaced, as a subclass overriding open() would.
type bnTransport struct {
	*SocketTransport
}

func (bnTransport) Open(string, int, time.Duration) error { return nil }

// bnCapability is the CAPABILITY reply every bnConn gives.
var bnCapability = []byte("* CAPABILITY IMAP4rev1 ENABLE\r\n")

// bnDial builds a connection in SELECTED state whose server answers other
// commands with body (pre-rendered) followed by "TAG OK done".
func bnDial(tb testing.TB, body func(line []byte) [][]byte) (*IMAP4, *bnConn) {
	tb.Helper()
	c := &bnConn{}
	c.out = [][]byte{[]byte("* PREAUTH ready\r\n")}
	c.reply = func(tag, line []byte) [][]byte {
		var out [][]byte
		if bytes.HasSuffix(line, []byte(" CAPABILITY")) {
			out = append(out, bnCapability)
		} else if body != nil {
			out = append(out, body(line)...)
		}
		done := make([]byte, 0, len(tag)+12)
		done = append(append(done, tag...), " OK done\r\n"...)
		return append(out, done)
	}
	st := &SocketTransport{conn: c, in: lineReader{src: c}}
	m, err := NewIMAP4WithTransport(bnTransport{st}, "mem", 143, 0)
	require.NoError(tb, err)
	m.State = "SELECTED"
	return m, c
}

// bnRenderFlags renders n FETCH (FLAGS UID) responses.
func bnRenderFlags(n int) []byte {
	var b []byte
	for i := 1; i <= n; i++ {
		b = append(b, "* "...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ` FETCH (FLAGS (\Seen) UID `...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ")\r\n"...)
	}
	return b
}

// bnMessage is a message of exactly size bytes in 76-byte CRLF lines.
func bnMessage(size int) []byte {
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = 'a' + byte(i%26)
	}
	for i := 76; i+1 < size; i += 78 {
		msg[i], msg[i+1] = '\r', '\n'
	}
	return msg
}

// bnRenderLiterals renders n FETCH (RFC822) responses carrying msg, as
// three pieces per message so the body is never copied.
func bnRenderLiterals(n int, msg []byte) [][]byte {
	out := make([][]byte, 0, 3*n)
	for i := 1; i <= n; i++ {
		head := "* " + strconv.Itoa(i) + " FETCH (RFC822 {" + strconv.Itoa(len(msg)) + "}\r\n"
		out = append(out, []byte(head), msg, []byte(")\r\n"))
	}
	return out
}

// bnRenderSearch renders one SEARCH response listing 1..n.
func bnRenderSearch(n int) []byte {
	b := []byte("* SEARCH")
	for i := 1; i <= n; i++ {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(i), 10)
	}
	return append(b, "\r\n"...)
}

// bnCopies returns fresh slice headers over the same pieces, since the
// connection consumes what it serves.
func bnCopies(pieces [][]byte) [][]byte {
	return append([][]byte(nil), pieces...)
}

// bnMallocs is the number of heap allocations so far.
func bnMallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// bnCheckData fails the benchmark when data does not hold n elements whose
// sizes add up to total, so a fast wrong reader cannot pass.
func bnCheckData(b *testing.B, data [][]byte, n int, total int64) {
	b.Helper()
	var sum int64
	for _, d := range data {
		sum += int64(len(d))
	}
	if len(data) != n || sum != total {
		b.Fatalf("got %d elements, %d bytes; want %d, %d", len(data), sum, n, total)
	}
}

func BenchmarkReadSmallUntagged(b *testing.B) {
	const n = 1000
	rendered := bnRenderFlags(n)
	// Each datum is its line less "* ", "FETCH " and the CRLF.
	want := int64(len(rendered) - n*len("* FETCH \r\n"))
	m, _ := bnDial(b, func([]byte) [][]byte { return [][]byte{rendered} })
	b.ReportAllocs()
	b.ResetTimer()
	before := bnMallocs()
	for i := 0; i < b.N; i++ {
		typ, data, err := m.Fetch("1:1000", "(FLAGS UID)")
		if err != nil || typ != "OK" {
			b.Fatal(typ, err)
		}
		if i == 0 {
			bnCheckData(b, data, n, want)
		}
	}
	b.StopTimer()
	allocs := bnMallocs() - before
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "resp/s")
	b.ReportMetric(float64(allocs)/float64(b.N*n), "allocs/resp")
}

func BenchmarkReadSearchLine(b *testing.B) {
	const n = 100000
	rendered := bnRenderSearch(n)
	m, _ := bnDial(b, func([]byte) [][]byte { return [][]byte{rendered} })
	b.SetBytes(int64(len(rendered)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		typ, data, err := m.Search("", "ALL")
		if err != nil || typ != "OK" {
			b.Fatal(typ, err)
		}
		if i == 0 {
			bnCheckData(b, data, 1, int64(len(rendered)-len("* SEARCH \r\n")))
		}
	}
}

func BenchmarkReadFetchLiterals(b *testing.B) {
	const n, size = 64, 64 << 10
	pieces := bnRenderLiterals(n, bnMessage(size))
	m, _ := bnDial(b, func([]byte) [][]byte { return bnCopies(pieces) })
	b.SetBytes(n * size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		typ, data, err := m.Fetch("1:64", "(RFC822)")
		if err != nil || typ != "OK" {
			b.Fatal(typ, err)
		}
		if i == 0 {
			var lits int64
			for _, it := range Items(data) {
				if it.Tuple {
					lits += int64(len(it.Literal))
				}
			}
			if len(Items(data)) != 2*n || lits != n*size {
				b.Fatalf("got %d items, %d literal bytes", len(Items(data)), lits)
			}
		}
	}
}

func BenchmarkReadLargeLiteral(b *testing.B) {
	const size = 32 << 20
	pieces := bnRenderLiterals(1, bnMessage(size))
	m, _ := bnDial(b, func([]byte) [][]byte { return bnCopies(pieces) })
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		typ, data, err := m.Fetch("1", "(RFC822)")
		if err != nil || typ != "OK" {
			b.Fatal(typ, err)
		}
		if len(data) != 3 || len(data[1]) != size {
			b.Fatalf("got %d elements", len(data))
		}
	}
}

func BenchmarkCommandSimple(b *testing.B) {
	m, _ := bnDial(b, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if typ, _, err := m.Noop(); err != nil || typ != "OK" {
			b.Fatal(typ, err)
		}
	}
}

func BenchmarkCommandArgs(b *testing.B) {
	m, _ := bnDial(b, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if typ, _, err := m.UID("STORE", "1:100", "+FLAGS", `(\Seen \Flagged)`); err != nil || typ != "OK" {
			b.Fatal(typ, err)
		}
	}
}

func BenchmarkAppend64K(b *testing.B) {
	const size = 64 << 10
	msg := bnMessage(size)
	m, c := bnDial(b, nil)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if typ, _, err := m.Append("INBOX", "", nil, msg); err != nil || typ != "OK" {
			b.Fatal(typ, err)
		}
	}
	b.StopTimer()
	if c.lit != int64(b.N)*size {
		b.Fatalf("server got %d literal bytes, want %d", c.lit, int64(b.N)*size)
	}
}

// TestBnHostileLiteralMemory checks that a literal announced far larger
// than what follows costs memory for what arrives, not for what was
// announced.
func TestBnHostileLiteralMemory(t *testing.T) {
	m, c := bnDial(t, nil)
	m.State = "SELECTED"
	c.reply = func(tag, line []byte) [][]byte {
		return [][]byte{[]byte("* 1 FETCH (RFC822 {4000000000}\r\n"), []byte("a few bytes")}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := m.Fetch("1", "(RFC822)")
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	var e *Error
	assert.True(t, errors.As(err, &e), "a server closing mid-literal is an IMAP abort, got %v", err)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(32<<20),
		"bytes allocated for a {4000000000} literal followed by a few bytes")
}

// TestBnLargeLiteralMemory checks that a large literal that does arrive is
// held about once: what reading it allocates stays within the bound the
// benchmark targets set for peak memory, 1.1 times the literal plus 16 MiB.
func TestBnLargeLiteralMemory(t *testing.T) {
	const size = 48 << 20
	pieces := bnRenderLiterals(1, bnMessage(size))
	m, _ := bnDial(t, func([]byte) [][]byte { return bnCopies(pieces) })
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	typ, data, err := m.Fetch("1", "(RFC822)")
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Equal(t, "OK", typ)
	require.Len(t, data, 3)
	assert.Len(t, data[1], size)
	assert.LessOrEqual(t, after.TotalAlloc-before.TotalAlloc, uint64(size+size/10+16<<20),
		"bytes allocated to read a %d-byte literal", size)
}

// TestBnSmallResponseAllocations checks the allocation budget of the read
// path: at most 3 heap allocations per small untagged response.
func TestBnSmallResponseAllocations(t *testing.T) {
	const n = 1000
	rendered := bnRenderFlags(n)
	m, _ := bnDial(t, func([]byte) [][]byte { return [][]byte{rendered} })
	allocs := testing.AllocsPerRun(20, func() {
		if typ, _, err := m.Fetch("1:1000", "(FLAGS UID)"); err != nil || typ != "OK" {
			t.Fatal(typ, err)
		}
	})
	assert.LessOrEqual(t, allocs/n, 3.0, "allocations per small untagged response")
}
