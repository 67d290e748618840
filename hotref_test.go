package imaplib

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hrPlain is a transport over the real SocketTransport that does not tell
// where its lines lie, so the engine stores every datum as a plain slice:
// the reference addRef must match.
type hrPlain struct{ s *SocketTransport }

func (hrPlain) Open(string, int, time.Duration) error { return nil }
func (p hrPlain) Read(n int) ([]byte, error)          { return p.s.Read(n) }
func (p hrPlain) Readline() ([]byte, error)           { return p.s.Readline() }
func (p hrPlain) Send(b []byte) error                 { return p.s.Send(b) }
func (p hrPlain) Shutdown() error                     { return p.s.Shutdown() }

// hrDial is bnDial with the choice of transport: the slab-aware one
// (bnTransport) or hrPlain.
func hrDial(t *testing.T, plain bool, body []byte) (*IMAP4, *bnConn) {
	t.Helper()
	c := &bnConn{}
	c.out = [][]byte{[]byte("* PREAUTH ready\r\n")}
	c.reply = func(tag, line []byte) [][]byte {
		var out [][]byte
		if bytes.HasSuffix(line, []byte(" CAPABILITY")) {
			out = append(out, bnCapability)
		} else if body != nil {
			out = append(out, append([]byte(nil), body...))
		}
		return append(out, append(append([]byte(nil), tag...), " OK done\r\n"...))
	}
	st := &SocketTransport{conn: c, in: lineReader{src: c}}
	var tr Transport = bnTransport{st}
	if plain {
		tr = hrPlain{st}
	}
	m, err := NewIMAP4WithTransport(tr, "mem", 143, 0)
	require.NoError(t, err)
	m.State = "SELECTED"
	return m, c
}

// hrBody mixes what a FETCH may bring: many short FETCH lines over several
// slabs, other types in between, a literal, a line too long for a slab,
// empty data and response codes.
func hrBody() []byte {
	var b strings.Builder
	for i := 1; i <= 300; i++ {
		b.WriteString("* " + strconv.Itoa(i) + " FETCH (FLAGS (\\Seen) UID " + strconv.Itoa(i) + ")\r\n")
	}
	b.WriteString("* 301 EXISTS\r\n")
	b.WriteString("* 2 FETCH (FLAGS ())\r\n")
	b.WriteString("* 3 FETCH (UID 3 BODY[] {5}\r\nhello)\r\n")
	b.WriteString("* 4 FETCH (UID 4 X \"" + strings.Repeat("x", 2000) + "\")\r\n")
	b.WriteString("* OK [UIDNEXT 302] predicted\r\n")
	b.WriteString("* SEARCH 1 2 3\r\n")
	b.WriteString("* SEARCH\r\n")
	b.WriteString("* 5 FETCH\r\n")
	for i := 6; i <= 200; i++ {
		b.WriteString("* " + strconv.Itoa(i) + " FETCH (UID " + strconv.Itoa(i) + ")\r\n")
	}
	return []byte(b.String())
}

func TestHotRefsStoreWhatPlainSlicesStore(t *testing.T) {
	body := hrBody()
	type outcome struct {
		typ  string
		data [][]byte
		ur   map[string][][]byte
	}
	run := func(plain bool) outcome {
		m, _ := hrDial(t, plain, body)
		for round := 0; round < 2; round++ { // the second round reuses the places' buffer
			typ, data, err := m.Fetch("1:*", "(FLAGS UID)")
			require.NoError(t, err)
			if round == 1 {
				return outcome{typ, data, m.UntaggedResponses}
			}
		}
		panic("unreachable")
	}
	slab, plain := run(false), run(true)
	assert.Equal(t, plain.typ, slab.typ)
	require.Equal(t, plain.data, slab.data)
	// 300 short FETCH lines, "2", the literal as three items, the long line, "5", 195 more.
	assert.Equal(t, 300+1+3+1+1+195, len(slab.data))
	require.Equal(t, plain.ur, slab.ur)
	for i := range plain.data {
		assert.Equal(t, cap(plain.data[i]), cap(slab.data[i]), "capacity of datum %d", i)
	}
	for k, list := range plain.ur {
		for i := range list {
			assert.Equal(t, cap(list[i]), cap(slab.ur[k][i]), "capacity of %s datum %d", k, i)
		}
	}
}

func TestAddRefKeepsOnlyDataInTheLastSlab(t *testing.T) {
	m, c := hrDial(t, false, nil)
	c.out = append(c.out, []byte("* 9 FETCH (UID 9)\r\n"))
	line, err := m.getLine()
	require.NoError(t, err)
	m.hotTyp, m.hot, m.deferStore = "FETCH", [][]byte{[]byte("first")}, true

	assert.False(t, m.addRef([]byte("9 (UID 9)")), "a copy lies in no slab")
	assert.False(t, m.addRef(line[:0]), "an empty datum has no place")
	dat := line[len("* "):]
	require.True(t, m.addRef(dat))

	list := m.hotList()
	require.Len(t, list, 2)
	assert.Equal(t, "first", string(list[0]))
	assert.Same(t, &dat[0], &list[1][0], "the datum is the very slice, not a copy")
	assert.Equal(t, len(dat), len(list[1]))
	assert.Equal(t, cap(dat), cap(list[1]))
	assert.Empty(t, m.hotRefs)
	assert.Empty(t, m.hotSegs)
}
