package imaplib

// Transport tests: partial data kept across deadline expiries, reads that
// grow only as bytes arrive, the literal cap, per-operation timeouts versus
// whole-command deadlines, user transports (the Python-subclass pattern),
// connection resets and Shutdown.

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fsWait blocks a handler until ch is closed or the server stops; it
// reports whether ch was closed.
func fsWait(c *fsConn, ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-c.srv.done:
		return false
	}
}

// fsAllocated returns how many bytes f allocated, as the runtime counts
// them for the whole process.
func fsAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The partial-data tests wait until the server has written the first part,
// so that it is in the client's socket buffer before the first read: the
// read then gets it at once and the deadline expires on the wait for the
// rest.

func TestTransportReadlineKeepsPartialLine(t *testing.T) {
	sent, proceed := make(chan struct{}), make(chan struct{})
	srv := fsStart(t, &fsHandler{handle: func(c *fsConn) {
		c.send([]byte("* 1 EX"))
		close(sent)
		if fsWait(c, proceed) {
			c.send([]byte("ISTS\r\n"))
			c.readLine()
		}
	}})
	var st SocketTransport
	require.NoError(t, st.Open("127.0.0.1", srv.port, 100*time.Millisecond))
	defer st.Shutdown()
	<-sent
	_, err := st.Readline()
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	close(proceed)
	line, err := st.Readline()
	require.NoError(t, err)
	assert.Equal(t, "* 1 EXISTS\r\n", string(line), "the bytes read before the timeout must not be lost")
}

func TestTransportReadKeepsPartialData(t *testing.T) {
	sent, proceed := make(chan struct{}), make(chan struct{})
	srv := fsStart(t, &fsHandler{handle: func(c *fsConn) {
		c.send([]byte("0123"))
		close(sent)
		if fsWait(c, proceed) {
			c.send([]byte("456789\r\n"))
			c.readLine()
		}
	}})
	var st SocketTransport
	require.NoError(t, st.Open("127.0.0.1", srv.port, 100*time.Millisecond))
	defer st.Shutdown()
	<-sent
	_, err := st.Read(10)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	close(proceed)
	got, err := st.Read(10)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(got))
	line, err := st.Readline()
	require.NoError(t, err)
	assert.Equal(t, "\r\n", string(line))
}

func TestTransportReadGrowsOnlyAsBytesArrive(t *testing.T) {
	const announced = 4000000000
	t.Run("engine", func(t *testing.T) {
		srv := fsStart(t, &fsHandler{handle: func(c *fsConn) {
			c.send([]byte(fmt.Sprintf("* OK {%d}\r\n0123456789", announced)))
		}})
		var err error
		n := fsAllocated(func() { _, err = srv.dial(10 * time.Second) })
		fsAssertErr(t, err, "abort", "socket error: EOF")
		assert.Less(t, n, uint64(16<<20), "bytes allocated for a literal of which 10 bytes arrived")
	})
	t.Run("transport", func(t *testing.T) {
		srv := fsStart(t, &fsHandler{handle: func(c *fsConn) { c.send([]byte("0123456789")) }})
		var st SocketTransport
		require.NoError(t, st.Open("127.0.0.1", srv.port, 10*time.Second))
		defer st.Shutdown()
		var got []byte
		var err error
		n := fsAllocated(func() { got, err = st.Read(announced) })
		require.NoError(t, err, "a short read at end of input is not an error")
		assert.Equal(t, "0123456789", string(got))
		assert.Less(t, n, uint64(16<<20))
		line, err := st.Readline()
		require.NoError(t, err)
		assert.Empty(t, line, "end of input reads as an empty line")
	})
}

func TestTransportEndlessLine(t *testing.T) {
	srv := fsStart(t, &fsHandler{handle: func(c *fsConn) {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		c.send([]byte("* OK "))
		for i := 0; i < 64; i++ { // 4 MiB without a line end
			if _, err := c.rw.Write(chunk); err != nil {
				return
			}
		}
	}})
	var err error
	n := fsAllocated(func() { _, err = srv.dial(10 * time.Second) })
	fsAssertErr(t, err, "error", fmt.Sprintf("got more than %d bytes", MaxLine))
	assert.Less(t, n, uint64(32<<20), "the line buffer must stop near MaxLine")
}

func TestTransportMaxLiteral(t *testing.T) {
	for _, c := range []struct {
		size int
		err  string
	}{
		{100, ""},
		{101, "command: NOOP => literal of 101 bytes exceeds the limit of 100 bytes"},
	} {
		t.Run(fmt.Sprint(c.size), func(t *testing.T) {
			m, _ := fsSetup(t, fsScriptHandler("", map[string][]string{
				"NOOP": {fmt.Sprintf("S * 1 FETCH (BODY[] {%d}", c.size), "S " + strings.Repeat("a", c.size) + ")", "S {tag} OK done"},
			}), false)
			assert.Zero(t, m.MaxLiteral, "the cap is off by default")
			m.MaxLiteral = 100
			_, _, err := m.Noop()
			if c.err == "" {
				require.NoError(t, err)
				assert.Len(t, Items(m.UntaggedResponses["FETCH"])[0].Literal, c.size)
			} else {
				fsAssertErr(t, err, "abort", c.err)
			}
		})
	}
}

func TestTransportTimeoutIsPerOperation(t *testing.T) {
	trickle := func(c *fsConn, s string, every time.Duration) bool {
		for i := 0; i < len(s); i++ {
			c.send([]byte{s[i]})
			if !c.sleep(every) {
				return false
			}
		}
		return true
	}
	// One byte every 60 ms against a 400 ms timeout: the margin is wide
	// because a loaded machine delays the server's wake-ups.
	t.Run("slow_peer_does_not_trip", func(t *testing.T) {
		srv := fsStart(t, &fsHandler{handle: func(c *fsConn) {
			if trickle(c, "* OK IMAP4rev1\r\n", 60*time.Millisecond) {
				c.commandLoop()
			}
		}})
		began := time.Now()
		m, err := srv.dial(400 * time.Millisecond)
		require.NoError(t, err, "a peer that keeps sending must not trip the timeout")
		defer m.Shutdown()
		assert.Greater(t, time.Since(began), 800*time.Millisecond, "the greeting took longer than the timeout in all")
		assert.Equal(t, "NONAUTH", m.State)
	})
	t.Run("silent_peer_trips", func(t *testing.T) {
		// The constructor's timeout stays on the socket for every later read.
		srv := fsStart(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
			c.sleep(5 * time.Second)
		}}})
		m, err := srv.dial(100 * time.Millisecond)
		require.NoError(t, err)
		defer m.Shutdown()
		began := time.Now()
		_, _, err = m.Noop()
		require.Error(t, err)
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		var ie *Error
		assert.False(t, errors.As(err, &ie), "a timeout is the network error, as CPython's TimeoutError")
		assert.Less(t, time.Since(began), 4*time.Second, "the timeout, not the server, must end the wait")
	})
}

func TestTransportSocketDeadlineBoundsCommand(t *testing.T) {
	m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
		for i := 0; i < 200; i++ { // 4 s of one byte every 20 ms
			c.send([]byte("x"))
			if !c.sleep(20 * time.Millisecond) {
				return
			}
		}
	}}}, false)
	// fsSetup's connection has a 10 s per-operation timeout, which the
	// trickle never trips; the socket deadline bounds the whole command.
	sock := m.Socket()
	require.NotNil(t, sock)
	require.NoError(t, sock.SetDeadline(time.Now().Add(300*time.Millisecond)))
	began := time.Now()
	_, _, err := m.Noop()
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Less(t, time.Since(began), 3*time.Second, "the deadline, not the trickle or the timeout, must end the command")
}

func TestTransportSocketDeadlineInFuture(t *testing.T) {
	m, _ := fsSetup(t, fsScriptHandler("", nil), false)
	require.NoError(t, m.Socket().SetDeadline(time.Now().Add(10*time.Second)))
	_, _, err := m.Login("user", "pass")
	require.NoError(t, err)
	require.NoError(t, m.Socket().SetDeadline(time.Time{}))
	_, _, err = m.Noop()
	require.NoError(t, err)
}

// fsLFTransport is the Go form of a Python subclass of IMAP4 overriding
// readline: it embeds SocketTransport and turns bare LF line ends into CRLF.
type fsLFTransport struct {
	SocketTransport
	lines int
}

func (t *fsLFTransport) Readline() ([]byte, error) {
	line, err := t.SocketTransport.Readline()
	t.lines++
	if bytes.HasSuffix(line, []byte("\n")) && !bytes.HasSuffix(line, []byte("\r\n")) {
		line = append(line[:len(line)-1], '\r', '\n')
	}
	return line, err
}

func TestTransportOverride(t *testing.T) {
	bareLF := &fsHandler{handle: func(c *fsConn) {
		c.send([]byte("* OK IMAP4rev1\n"))
		c.commandLoop()
	}, cmds: map[string]fsCmd{"CAPABILITY": func(c *fsConn, tag string, args []string) {
		c.send([]byte("* CAPABILITY IMAP4rev1 AUTH=PLAIN\n" + tag + " OK done\n"))
	}}}
	t.Run("plain_transport_aborts", func(t *testing.T) {
		srv := fsStart(t, bareLF)
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "abort", `socket error: unterminated line: b'* OK IMAP4rev1\n'`)
	})
	t.Run("overriding_readline", func(t *testing.T) {
		srv := fsStart(t, bareLF)
		tr := &fsLFTransport{}
		m, err := NewIMAP4WithTransport(tr, "127.0.0.1", srv.port, 10*time.Second)
		require.NoError(t, err)
		defer m.Shutdown()
		assert.Equal(t, []string{"IMAP4REV1", "AUTH=PLAIN"}, m.Capabilities)
		assert.Equal(t, 3, tr.lines, "the engine must read through the override")
		assert.NotNil(t, m.Socket(), "Socket is promoted from the embedded SocketTransport")
		assert.Equal(t, "127.0.0.1", m.Host)
		assert.Equal(t, srv.port, m.Port)
	})
}

// fsReplayTransport is a transport with no socket at all: it plays lines
// and records what it is sent.
type fsReplayTransport struct {
	in   []string
	sent []string
	shut int
}

func (r *fsReplayTransport) Open(host string, port int, timeout time.Duration) error { return nil }

func (r *fsReplayTransport) Read(size int) ([]byte, error) {
	return nil, errors.New("no literals here")
}

func (r *fsReplayTransport) Readline() ([]byte, error) {
	if len(r.in) == 0 {
		return []byte{}, nil
	}
	line := r.in[0]
	r.in = r.in[1:]
	return []byte(line), nil
}

func (r *fsReplayTransport) Send(data []byte) error {
	r.sent = append(r.sent, string(data))
	return nil
}

func (r *fsReplayTransport) Shutdown() error { r.shut++; return nil }

func TestTransportCustom(t *testing.T) {
	r := &fsReplayTransport{in: []string{"* OK hi\r\n", "* CAPABILITY IMAP4rev1\r\n"}}
	m, err := NewIMAP4WithTransport(&fsTagEcho{fsReplayTransport: r}, "nowhere", 1, 0)
	require.NoError(t, err)
	assert.Equal(t, "NONAUTH", m.State)
	assert.Equal(t, "nowhere", m.Host)
	assert.Equal(t, 1, m.Port)
	assert.Nil(t, m.Socket(), "a transport without a socket has none")
	_, _, err = m.Logout()
	require.NoError(t, err)
	pre := string(m.Tagpre)
	assert.Equal(t, []string{pre + "0 CAPABILITY\r\n", pre + "1 LOGOUT\r\n"}, r.sent)
	assert.Equal(t, 1, r.shut, "Logout shuts the transport down")
}

// fsTagEcho completes every command it is sent with "<tag> OK done".
type fsTagEcho struct {
	*fsReplayTransport
}

func (e *fsTagEcho) Send(data []byte) error {
	if err := e.fsReplayTransport.Send(data); err != nil {
		return err
	}
	if tag, _, ok := strings.Cut(string(data), " "); ok {
		e.in = append(e.in, tag+" OK done\r\n")
	}
	return nil
}

func TestTransportConnectionReset(t *testing.T) {
	m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
		tc := c.nc.(*net.TCPConn)
		tc.SetLinger(0) // close with RST
		tc.Close()
	}}}, false)
	_, _, err := m.Noop()
	require.Error(t, err)
	// While reading, the network error surfaces as it is (CPython's OSError).
	assert.ErrorIs(t, err, syscall.ECONNRESET)
	var ne *net.OpError
	assert.True(t, errors.As(err, &ne), "want *net.OpError, got %T", err)
	var ie *Error
	assert.False(t, errors.As(err, &ie))

	// While sending, it is an abort: "socket error: ...".
	m.State = "AUTH"
	_, _, err = m.Noop()
	require.Error(t, err)
	require.True(t, errors.As(err, &ie), "want *imaplib.Error, got %T: %v", err, err)
	assert.Equal(t, "abort", ie.Class())
	assert.True(t, strings.HasPrefix(ie.Error(), "socket error: "), ie.Error())
}

func TestTransportResetDuringExitSwallowed(t *testing.T) {
	// __exit__ swallows OSError: a reset while reading LOGOUT's answer is
	// not reported by Exit.
	m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"LOGOUT": func(c *fsConn, tag string, args []string) {
		tc := c.nc.(*net.TCPConn)
		tc.SetLinger(0)
		tc.Close()
	}}}, false)
	assert.NoError(t, m.Exit())
	assert.Equal(t, "LOGOUT", m.State)
}

func TestTransportShutdownTwice(t *testing.T) {
	var zero SocketTransport
	assert.NoError(t, zero.Shutdown(), "a transport never opened")

	m, _ := fsSetup(t, &fsHandler{}, false)
	assert.NoError(t, m.Shutdown())
	assert.NoError(t, m.Shutdown())

	m2, _ := fsSetup(t, &fsHandler{}, true)
	_, _, err := m2.Logout()
	require.NoError(t, err)
	assert.NoError(t, m2.Shutdown(), "Logout already shut the connection down")

	// After Shutdown, sending is an abort, not a panic.
	m.State = "AUTH"
	_, _, err = m.Noop()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrAbort)
	assert.True(t, strings.HasPrefix(err.Error(), "socket error: "), err.Error())
}

func TestTransportMaxLineBoundary(t *testing.T) {
	saved := MaxLine
	MaxLine = 20
	t.Cleanup(func() { MaxLine = saved })
	line20 := "* " + strings.Repeat("x", 16) + "\r\n"
	line21 := "* " + strings.Repeat("x", 17) + "\r\n"
	srv := fsStart(t, &fsHandler{handle: func(c *fsConn) {
		c.send([]byte(line20 + line21))
		c.readLine()
	}})
	var st SocketTransport
	require.NoError(t, st.Open("127.0.0.1", srv.port, 10*time.Second))
	defer st.Shutdown()
	got, err := st.Readline()
	require.NoError(t, err)
	assert.Equal(t, line20, string(got), "a line of exactly MaxLine bytes, CRLF included, is accepted")
	t.Run("one_byte_more", func(t *testing.T) {
		_, err := st.Readline()
		fsAssertErr(t, err, "error", "got more than 20 bytes")
	})
}
