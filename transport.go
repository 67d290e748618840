package imaplib

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// Transport is the I/O a connection runs over: the methods a Python subclass
// of IMAP4 overrides (open, read, readline, send, shutdown). IMAP4 embeds it,
// so M.Open, M.Read, M.Readline, M.Send and M.Shutdown are the transport's,
// promoted. To override one method, embed SocketTransport in a struct of
// your own, define that method, and pass it to NewIMAP4WithTransport.
type Transport interface {
	// Open connects; it mirrors IMAP4.open(host, port, timeout).
	Open(host string, port int, timeout time.Duration) error
	// Read returns exactly size bytes, or fewer only if the peer closed.
	Read(size int) ([]byte, error)
	// Readline returns one line with its line ending, or an empty slice at
	// end of input (Python's b''). Bytes already received when a deadline
	// expires are kept for the next call.
	Readline() ([]byte, error)
	// Send writes all of data.
	Send(data []byte) error
	// Shutdown closes the connection; calling it twice is safe.
	Shutdown() error
}

// socketHolder is implemented by transports that run over a net.Conn, so
// that M.Socket can return it.
type socketHolder interface {
	Socket() net.Conn
}

// readDeadliner is implemented by transports that can tell the read
// deadline a caller set on their connection, so that IDLE can put it back
// after bounding one read.
type readDeadliner interface {
	readDeadline() time.Time
}

// tlsStarter is implemented by transports that can switch to TLS in place,
// as STARTTLS needs.
type tlsStarter interface {
	StartTLS(config *tls.Config) error
}

// SocketTransport is the TCP transport of IMAP4 and, with TLSConfig set, of
// IMAP4_SSL. Its zero value is ready to Open. It buffers what it receives
// itself, so a line cut short by a timeout resumes on the next call.
type SocketTransport struct {
	// TLSConfig, when not nil, makes Open wrap the connection in TLS and
	// complete the handshake before returning.
	TLSConfig *tls.Config

	dc   *deadlineConn // the TCP connection with the per-operation timeout
	conn net.Conn      // what is read and written: dc, or TLS over it
	in   lineReader
	mu   sync.Mutex // guards closed against a Shutdown from another goroutine
	shut bool
}

// Open mirrors IMAP4.open: it connects to host:port, with timeout bounding
// the connect and then every later read and write (zero means none). An
// empty host means this machine, as Python's does.
func (s *SocketTransport) Open(host string, port int, timeout time.Duration) error {
	d := net.Dialer{Timeout: timeout}
	c, err := d.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	s.dc = &deadlineConn{Conn: c, timeout: timeout}
	s.conn = s.dc
	s.in = lineReader{src: s.dc}
	if s.TLSConfig != nil {
		tc := tls.Client(s.dc, s.TLSConfig)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return err
		}
		s.conn = tc
		s.in = lineReader{src: tc}
	}
	return nil
}

// Read mirrors IMAP4.read.
func (s *SocketTransport) Read(size int) ([]byte, error) { return s.in.read(size) }

// Readline mirrors IMAP4.readline. A line longer than MaxLine is an error
// with CPython's text.
func (s *SocketTransport) Readline() ([]byte, error) { return s.in.readline() }

// lineTime is when the bytes of the line Readline last returned arrived,
// for the interaction log.
func (s *SocketTransport) lineTime() time.Time { return s.in.filled }

// lastLine tells where the line Readline last returned lies, for addRef.
func (s *SocketTransport) lastLine() ([]byte, int) { return s.in.lastLine() }

// Send mirrors IMAP4.send: it writes all of data.
func (s *SocketTransport) Send(data []byte) error {
	if s.conn == nil {
		return net.ErrClosed
	}
	_, err := s.conn.Write(data)
	return err
}

// sendBuffers writes the buffers in order, as Send would their
// concatenation; over plain TCP with one writev.
func (s *SocketTransport) sendBuffers(bufs ...[]byte) error {
	if s.conn == nil {
		return net.ErrClosed
	}
	if s.conn == net.Conn(s.dc) {
		return s.dc.writeBuffers(bufs)
	}
	nb := net.Buffers(bufs)
	_, err := nb.WriteTo(s.conn)
	return err
}

// Shutdown mirrors IMAP4.shutdown: it closes the connection. Calling it
// again does nothing.
func (s *SocketTransport) Shutdown() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shut || s.conn == nil {
		return nil
	}
	s.shut = true
	return s.conn.Close()
}

// Socket returns the connection (TLS, once TLS is on), as IMAP4.socket()
// returns the socket object. Deadlines set on it bound whole operations; the
// transport's own timeout still bounds each read and write.
func (s *SocketTransport) Socket() net.Conn { return s.conn }

// readDeadline returns the read deadline last set on Socket().
func (s *SocketTransport) readDeadline() time.Time {
	if s.dc == nil {
		return time.Time{}
	}
	s.dc.mu.Lock()
	defer s.dc.mu.Unlock()
	return s.dc.userRead
}

// StartTLS switches the connection to TLS in place. Bytes received before
// the switch and not yet read are discarded, never parsed as if they had
// come over TLS (STARTTLS response injection).
func (s *SocketTransport) StartTLS(config *tls.Config) error {
	if s.conn == nil {
		return net.ErrClosed
	}
	s.in.discard()
	tc := tls.Client(s.conn, config)
	if err := tc.Handshake(); err != nil {
		return err
	}
	s.conn = tc
	s.in = lineReader{src: tc}
	return nil
}

// deadlineConn applies a per-operation timeout the way a Python socket
// timeout works: each read or write may wait at most timeout for the peer,
// so a peer that keeps sending, however slowly, never trips it. Deadlines a
// caller sets on it are kept too, and the nearer one wins.
type deadlineConn struct {
	net.Conn
	timeout time.Duration

	mu         sync.Mutex
	userRead   time.Time
	userWrite  time.Time
	readArmed  bool // a deadline is set on the underlying read side
	writeArmed bool
}

func nearest(user time.Time, timeout time.Duration) time.Time {
	if timeout <= 0 {
		return user
	}
	t := time.Now().Add(timeout)
	if user.IsZero() || t.Before(user) {
		return t
	}
	return user
}

// Read arms the read deadline (the nearer of the timeout and the caller's)
// before each read.
func (c *deadlineConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	d := nearest(c.userRead, c.timeout)
	if !d.IsZero() || c.readArmed {
		c.Conn.SetReadDeadline(d)
		c.readArmed = !d.IsZero()
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

// Write arms the write deadline before each write.
func (c *deadlineConn) Write(p []byte) (int, error) {
	c.armWrite()
	return c.Conn.Write(p)
}

// writeBuffers writes bufs under the same timeout as Write; over TCP,
// net.Buffers does it with one writev.
func (c *deadlineConn) writeBuffers(bufs net.Buffers) error {
	c.armWrite()
	_, err := bufs.WriteTo(c.Conn)
	return err
}

func (c *deadlineConn) armWrite() {
	c.mu.Lock()
	d := nearest(c.userWrite, c.timeout)
	if !d.IsZero() || c.writeArmed {
		c.Conn.SetWriteDeadline(d)
		c.writeArmed = !d.IsZero()
	}
	c.mu.Unlock()
}

// SetDeadline records the caller's deadline for both directions.
func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.userRead, c.userWrite = t, t
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

// SetReadDeadline records the caller's read deadline.
func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.userRead = t
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

// SetWriteDeadline records the caller's write deadline.
func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.userWrite = t
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

// lineReader is the receive buffer shared by the socket and stream
// transports: lines bounded by MaxLine, and reads of a given size whose
// buffer grows only as bytes arrive, never sized from what a server
// announces.
type lineReader struct {
	src    io.Reader
	buf    []byte // received bytes; buf[start:] are not yet consumed
	start  int
	filled time.Time // when a read from src last returned bytes
	slab   []byte    // where short lines are copied; see takeLine
	// lineEnd is where the last line takeLine copied into slab ends, or 0
	// when the last line has no place in it.
	lineEnd int
	// full is set when the last read filled all the room it offered: the
	// peer is sending faster than it is read, and the buffer grows.
	full bool
}

const (
	lineSlab       = 8 << 10   // size of the slabs short lines share
	recvChunk      = 64 << 10  // size of the first receive buffer
	recvMax        = 256 << 10 // what the receive buffer grows to while reads come back full
	firstReadLimit = 1 << 20   // largest literal buffer allocated before its bytes arrive (CPython's _SAFE_BUF_SIZE)
)

// fill reads once from the source into the free end of the buffer.
//
// The buffer starts at recvChunk bytes and doubles, up to recvMax, each
// time a read fills all the room it offered: a connection that receives
// in bulk then makes a quarter of the reads, and FETCH of 64 KiB messages
// takes a tenth less time, while a quiet one keeps a small buffer.
func (lr *lineReader) fill() error {
	if lr.start > 0 && lr.start == len(lr.buf) {
		lr.buf, lr.start = lr.buf[:0], 0
	}
	grow := lr.full && cap(lr.buf) < recvMax
	if grow || cap(lr.buf)-len(lr.buf) < recvChunk/4 {
		pending := len(lr.buf) - lr.start
		if !grow && lr.start >= pending && cap(lr.buf)-pending >= recvChunk/2 {
			// Enough room once the consumed head is dropped, which costs
			// no more to move than what was consumed.
			copy(lr.buf, lr.buf[lr.start:])
			lr.buf, lr.start = lr.buf[:pending], 0
		} else {
			// A long line doubles the buffer, so that it is copied a few
			// times rather than once per chunk received.
			size := max(pending+recvChunk, 2*pending)
			if grow {
				size = max(size, min(2*cap(lr.buf), recvMax))
			}
			nb := make([]byte, pending, size)
			copy(nb, lr.buf[lr.start:])
			lr.buf, lr.start = nb, 0
		}
	}
	room := lr.buf[len(lr.buf):cap(lr.buf)]
	n, err := lr.src.Read(room)
	lr.buf = lr.buf[:len(lr.buf)+n]
	lr.full = n > 0 && n == len(room)
	if n > 0 {
		lr.filled = time.Now()
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readline returns the next line with its LF, what is left at end of input,
// or an error once more than MaxLine bytes arrive without a LF. On any other
// error the bytes received so far stay buffered for the next call.
func (lr *lineReader) readline() ([]byte, error) {
	// CPython reads at most MaxLine+1 bytes (readline's limit) and refuses
	// the result when it is longer than MaxLine, LF or not.
	limit := MaxLine + 1
	scanned := 0
	for {
		pending := lr.buf[lr.start:]
		n := -1
		if i := indexLF(pending[scanned:]); i >= 0 {
			n = scanned + i + 1
		} else if len(pending) >= limit {
			n = limit
		}
		if n > limit {
			n = limit
		}
		if n >= 0 {
			line := lr.takeLine(n)
			if n > MaxLine {
				return nil, newError("got more than " + strconv.Itoa(MaxLine) + " bytes")
			}
			return line, nil
		}
		scanned = len(pending)
		if err := lr.fill(); err != nil {
			if err == io.EOF {
				return lr.take(len(pending)), nil
			}
			return nil, err
		}
	}
}

// take consumes n bytes from the buffer and returns a copy of them (empty,
// not nil, when n is 0, as Python's empty bytes).
func (lr *lineReader) take(n int) []byte {
	out := append([]byte{}, lr.buf[lr.start:lr.start+n]...) // unlike make, no zeroing first
	lr.start += n
	return out
}

// takeLine is take for a line. Short lines are copied side by side into a
// shared slab, each slice capped at its own end, so that a FETCH of 100,000
// responses costs a few hundred allocations rather than 100,000 and the
// collector has that many fewer objects to mark. The price: a line kept
// alone keeps its slab (at most lineSlab bytes) alive.
func (lr *lineReader) takeLine(n int) []byte {
	if n > lineSlab/8 {
		lr.lineEnd = 0
		return lr.take(n)
	}
	if cap(lr.slab)-len(lr.slab) < n {
		lr.slab = make([]byte, 0, lineSlab)
	}
	at := len(lr.slab)
	lr.slab = append(lr.slab, lr.buf[lr.start:lr.start+n]...)
	lr.start += n
	lr.lineEnd = at + n
	return lr.slab[at : at+n : at+n]
}

// lastLine returns the slab, whole, that the line Readline last returned
// was copied into, and where that line ends in it; a nil slab when it was
// not copied into one.
func (lr *lineReader) lastLine() ([]byte, int) {
	if lr.lineEnd == 0 {
		return nil, 0
	}
	return lr.slab[:cap(lr.slab)], lr.lineEnd
}

// read returns exactly size bytes, fewer only at end of input.
//
// A server's {N} is not trusted with memory until the bytes come: a literal
// of up to firstReadLimit bytes gets its buffer at once; a larger one is
// read into chunks of at most firstReadLimit until a trustFraction'th of it
// has arrived, and only then into one buffer of the announced size. So a
// server that announces gigabytes and sends little costs at most a chunk,
// every allocation is bounded by trustFraction times what arrived, and a
// genuine large literal is held once, with chunks worth a trustFraction'th
// of it beside it while it is read. The buffer's pages are mapped
// (populate) at most populateAhead bytes ahead of what has arrived, so
// what is resident follows what was received.
func (lr *lineReader) read(size int) ([]byte, error) {
	pending := len(lr.buf) - lr.start
	if pending >= size {
		return lr.take(size), nil
	}
	var out []byte      // the whole literal's buffer, once trusted
	mapped := 0         // out[:mapped] has been populated
	var chunks [][]byte // what arrived before that
	if size <= firstReadLimit {
		out = make([]byte, 0, size)
		mapped = size
		if size >= populateMin {
			populate(out[:size])
		}
		out = append(out, lr.buf[lr.start:]...)
	} else if pending > 0 {
		chunks = append(chunks, append([]byte(nil), lr.buf[lr.start:]...))
	}
	lr.buf, lr.start = lr.buf[:0], 0
	got := pending
	var cur []byte // the chunk being filled
	for got < size {
		if out == nil && got >= size/trustFraction {
			out = make([]byte, 0, size)
			mapped = min(size, got+populateAhead)
			populate(out[:mapped])
			out = appendChunks(out, append(chunks, cur))
			chunks, cur = nil, nil
		}
		var n int
		var err error
		if out != nil {
			if mapped < size && got+populateAhead/2 > mapped {
				next := min(size, got+populateAhead)
				populate(out[mapped:next])
				mapped = next
			}
			n, err = lr.src.Read(out[got:max(mapped, min(size, got+recvChunk))])
			out = out[:got+n]
		} else {
			if len(cur) == cap(cur) {
				if cur != nil {
					chunks = append(chunks, cur)
				}
				cur = make([]byte, 0, min(size-got, firstReadLimit))
			}
			n, err = lr.src.Read(cur[len(cur):cap(cur)])
			cur = cur[:len(cur)+n]
		}
		got += n
		if err == io.EOF {
			break
		}
		if err != nil {
			// Keep what arrived so that a retry after a timeout loses nothing.
			if out != nil {
				lr.buf = out
			} else {
				lr.buf = joinChunks(append(chunks, cur), got)
			}
			return nil, err
		}
	}
	if out == nil {
		out = joinChunks(append(chunks, cur), got)
	}
	return out, nil
}

// trustFraction is the share of a large literal that must arrive before
// its whole buffer is allocated.
const trustFraction = 16

// populateAhead is how far ahead of the bytes received a literal's buffer
// is mapped, in one call per half of it. A literal below populateMin is
// left to fault in: for the common message of some KiB the two system calls
// cost more than the faults they save (BenchmarkReadFetchLiterals).
const (
	populateAhead = 4 << 20
	populateMin   = 256 << 10
)

// joinChunks returns the n bytes held by chunks in one slice.
func joinChunks(chunks [][]byte, n int) []byte {
	if len(chunks) == 1 && len(chunks[0]) == n {
		return chunks[0]
	}
	return appendChunks(make([]byte, 0, n), chunks)
}

// appendChunks appends the bytes held by chunks to out, in order.
func appendChunks(out []byte, chunks [][]byte) []byte {
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

// discard drops every received byte not yet consumed.
func (lr *lineReader) discard() { lr.buf, lr.start = lr.buf[:0], 0 }

func indexLF(b []byte) int { return bytes.IndexByte(b, '\n') }
