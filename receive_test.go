package imaplib

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rcPiece is one thing the peer sends: a line, or a literal read with
// lineReader.read.
type rcPiece struct {
	line    bool
	payload []byte
}

// rcCheck sends pieces through a lineReader in reads of at most chunk
// bytes (that also stop at the end of each piece, when aligned), keeps
// everything it returns, and only then compares it all with what was
// sent: nothing returned may share memory that later reads reuse, and a
// caller appending to what it got must not reach other bytes.
func rcCheck(t *testing.T, pieces []rcPiece, chunk int, aligned bool) {
	t.Helper()
	var stream []byte
	var ends []int
	for _, p := range pieces {
		stream = append(stream, p.payload...)
		ends = append(ends, len(stream))
	}
	feed := &atFeed{data: stream, chunk: chunk}
	lr := lineReader{src: feed}
	if aligned {
		// Each read stops at the end of a piece, as when a server writes
		// one response at a time: the buffer is then often consumed whole.
		lr.src = &rcAligned{atFeed: feed, ends: ends}
	}
	got := make([][]byte, len(pieces))
	for i, p := range pieces {
		var err error
		if p.line {
			got[i], err = lr.readline()
		} else {
			got[i], err = lr.read(len(p.payload))
		}
		require.NoError(t, err, "piece %d", i)
		// A caller may append to what it got: that must not reach the
		// bytes still to be read.
		_ = append(got[i], "XXXXXXXX"...)
	}
	for i, p := range pieces {
		require.True(t, bytes.Equal(p.payload, got[i]), "piece %d (%d bytes, line %v) changed after later reads", i, len(p.payload), p.line)
	}
	for i := range got {
		_ = append(got[i], "XXXXXXXX"...)
	}
	for i, p := range pieces {
		require.True(t, bytes.Equal(p.payload, got[i]), "piece %d changed when another was appended to", i)
	}
	rest, err := lr.readline()
	require.NoError(t, err)
	assert.Empty(t, rest, "bytes left over")
	atCheckRoom(t, feed, len(stream))
}

// rcLiteral is a literal of n bytes whose content tells its own index and
// offsets apart, so that any overlap shows.
func rcLiteral(i, n int) []byte {
	b := make([]byte, n)
	for k := range b {
		b[k] = byte(k*31 + i*7 + k>>8)
	}
	return b
}

func rcFetch(sizes ...int) []rcPiece {
	var ps []rcPiece
	for i, n := range sizes {
		ps = append(ps,
			rcPiece{line: true, payload: fmt.Appendf(nil, "* %d FETCH (RFC822 {%d}\r\n", i+1, n)},
			rcPiece{payload: rcLiteral(i, n)},
			rcPiece{line: true, payload: []byte(")\r\n")})
	}
	return append(ps, rcPiece{line: true, payload: []byte("a1 OK FETCH completed\r\n")})
}

func TestReceiveBufferKeepsWhatItReturned(t *testing.T) {
	k := 1 << 10
	cases := []struct {
		name  string
		sizes []int
	}{
		{"bulk of 64 KiB", []int{64 * k, 64 * k, 64 * k, 64 * k, 64 * k, 64 * k, 64 * k, 64 * k, 64 * k}},
		{"either side of populateMin", []int{populateMin - 1, populateMin, populateMin + 1, populateMin - 1, populateMin}},
		{"filling a receive buffer to its end", []int{100 * k, 100 * k, 45 * k, 100 * k}},
		{"either side of firstReadLimit", []int{firstReadLimit, firstReadLimit + 1, firstReadLimit - 1, 3 * firstReadLimit}},
		{"mixed", []int{10, 40 * k, 200 * k, 3, 0, 70 * k, 2 << 20, 33 * k, 255 * k, 1}},
	}
	for _, c := range cases {
		for _, chunk := range []int{0, 1 << 10, 60 * k, 64*k + 7, 300 * k} {
			for _, aligned := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/reads of %d/aligned %v", c.name, chunk, aligned), func(t *testing.T) {
					rcCheck(t, rcFetch(c.sizes...), chunk, aligned)
				})
			}
		}
	}
}

// A literal cut short by the end of input comes back short, and one cut
// by an error is read again whole after it.
func TestReceiveBufferLiteralShortAndRetried(t *testing.T) {
	lit := rcLiteral(0, 100<<10)
	head := []byte("* 1 FETCH (RFC822 {102400}\r\n")

	lr := lineReader{src: &atFeed{data: append(bytes.Clone(head), lit[:50000]...)}}
	_, err := lr.readline()
	require.NoError(t, err)
	got, err := lr.read(len(lit))
	require.NoError(t, err)
	assert.Equal(t, lit[:50000], got, "end of input: what arrived")

	fail := &rcFailOnce{r: &atFeed{data: append(bytes.Clone(head), lit...), chunk: 30000}, after: 2}
	lr = lineReader{src: fail}
	_, err = lr.readline()
	require.NoError(t, err)
	_, err = lr.read(len(lit))
	require.ErrorIs(t, err, errRCTimeout)
	got, err = lr.read(len(lit))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(lit, got), "the retry lost or altered bytes")
}

var errRCTimeout = fmt.Errorf("i/o timeout (test)")

// rcFailOnce returns errRCTimeout once, on its after'th read.
type rcFailOnce struct {
	r     io.Reader
	after int
	n     int
}

func (f *rcFailOnce) Read(p []byte) (int, error) {
	f.n++
	if f.n == f.after {
		return 0, errRCTimeout
	}
	return f.r.Read(p)
}

// FuzzReceiveBuffer sends random sequences of lines and literals of every
// size class (copied from the receive buffer, read into a buffer of their
// own, read in chunks until trusted) in random pieces and checks
// everything returned after the last read.
func FuzzReceiveBuffer(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, uint32(0), int64(1), false)
	f.Add([]byte{200, 200, 200, 200, 200}, uint32(65536), int64(2), true)
	f.Add([]byte{255, 17, 128, 64, 9}, uint32(4096), int64(3), false)
	f.Fuzz(func(t *testing.T, plan []byte, chunk uint32, seed int64, aligned bool) {
		if len(plan) > 24 {
			plan = plan[:24]
		}
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(len(plan))))
		var sizes []int
		for _, b := range plan {
			// The byte picks a size class, the generator a size in it.
			switch b % 4 {
			case 0:
				sizes = append(sizes, rng.IntN(recvChunk))
			case 1:
				sizes = append(sizes, recvChunk+rng.IntN(firstReadLimit-recvChunk+1))
			case 2:
				sizes = append(sizes, firstReadLimit+1+rng.IntN(2*firstReadLimit))
			default:
				sizes = append(sizes, int(binary.LittleEndian.Uint16([]byte{b, byte(rng.IntN(256))})))
			}
		}
		rcCheck(t, rcFetch(sizes...), int(chunk%(512<<10)), aligned)
	})
}

// rcAligned ends every read at the end of a piece.
type rcAligned struct {
	*atFeed
	ends []int
}

func (a *rcAligned) Read(p []byte) (int, error) {
	for len(a.ends) > 0 && a.ends[0] <= a.off {
		a.ends = a.ends[1:]
	}
	if len(a.ends) > 0 && len(p) > a.ends[0]-a.off {
		p = p[:a.ends[0]-a.off]
	}
	return a.atFeed.Read(p)
}

// The receive buffer doubles, up to recvMax, while reads come back full,
// and stays at recvChunk while the peer sends less than it could take.
func TestReceiveBufferGrowsWhileReadsComeBackFull(t *testing.T) {
	line := bytes.Repeat([]byte("x"), 99)
	line = append(line, '\n')
	stream := bytes.Repeat(line, 20000) // 2 MB of 100-byte lines
	for _, c := range []struct {
		name  string
		chunk int
		caps  []int // the buffer sizes seen, in order
	}{
		{"bulk", 0, []int{recvChunk, 2 * recvChunk, recvMax}},
		{"trickle", 4 << 10, []int{recvChunk}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lr := lineReader{src: &atFeed{data: stream, chunk: c.chunk}}
			var caps []int
			for i := 0; i < 20000; i++ {
				got, err := lr.readline()
				require.NoError(t, err)
				require.Equal(t, line, got)
				if len(caps) == 0 || caps[len(caps)-1] != cap(lr.buf) {
					caps = append(caps, cap(lr.buf))
				}
			}
			assert.Equal(t, c.caps, caps)
		})
	}
}
