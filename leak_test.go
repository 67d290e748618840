package imaplib

// Leak tests: after Logout or Shutdown, nothing a connection used may stay
// behind: no file descriptor (sockets, pipes to an IMAP4_stream child), no
// goroutine, no child process. Each case runs a few times against a scripted
// server (attackserver_test.go), or a shell-scripted IMAP4_stream peer, and
// the counts of /proc/self/fd and runtime.NumGoroutine must come back to
// what they were, allowing a moment for closes to settle.

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// atLeakRounds is how many times each case runs while being measured: a
// leak of one descriptor per run shows as several.
const atLeakRounds = 4

// atFDs lists this process's open file descriptors, with what each points
// to, for the failure message.
func atFDs(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	out := make([]string, 0, len(ents))
	for _, e := range ents {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the directory's own descriptor, closed by now
		}
		out = append(out, e.Name()+" -> "+target)
	}
	return out
}

// atSettle waits until the descriptor and goroutine counts are back at
// the baseline (or the wait runs out) and returns the final counts.
func atSettle(t *testing.T, fds, gs int) (int, int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		f, g := len(atFDs(t)), runtime.NumGoroutine()
		if (f <= fds && g <= gs) || time.Now().After(deadline) {
			return f, g
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// atSteady waits until the counts stop changing (closes still in flight
// have landed) and returns them: the baseline.
func atSteady(t *testing.T) (int, int) {
	t.Helper()
	f, g := len(atFDs(t)), runtime.NumGoroutine()
	for same, i := 0, 0; same < 5 && i < 250; i++ {
		time.Sleep(20 * time.Millisecond)
		runtime.GC()
		f2, g2 := len(atFDs(t)), runtime.NumGoroutine()
		if f2 == f && g2 == g {
			same++
		} else {
			same = 0
		}
		f, g = f2, g2
	}
	return f, g
}

// atAssertNoLeak runs the case once to warm up (lazily started runtime
// helpers are not leaks), then atLeakRounds times, and compares the counts.
func atAssertNoLeak(t *testing.T, run func(t *testing.T)) {
	t.Helper()
	run(t)
	fds0, gs0 := atSteady(t)
	before := atFDs(t)
	for i := 0; i < atLeakRounds; i++ {
		run(t)
	}
	fds1, gs1 := atSettle(t, fds0, gs0)
	t.Logf("open descriptors %d -> %d, goroutines %d -> %d, over %d rounds", fds0, fds1, gs0, gs1, atLeakRounds)
	if !assert.LessOrEqual(t, fds1, fds0, "file descriptors leaked") {
		t.Logf("before: %q\nafter:  %q", before, atFDs(t))
	}
	if !assert.LessOrEqual(t, gs1, gs0, "goroutines leaked") {
		buf := make([]byte, 1<<20)
		t.Logf("goroutines:\n%s", buf[:runtime.Stack(buf, true)])
	}
}

// atLeakServer starts a scripted server that the case closes itself, so
// that its own goroutines and sockets are gone before the counting.
func atLeakServer(t *testing.T, cert *tls.Certificate, script atScript) *atServer {
	t.Helper()
	var cfg *tls.Config
	if cert != nil {
		cfg = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	s, err := atListen(script, cfg)
	require.NoError(t, err)
	return s
}

// atStreamServer is an IMAP server in sh for IMAP4_stream: PREAUTH, then
// CAPABILITY, LOGOUT (BYE, then exit) and a tagged OK to anything else.
const atStreamServer = `printf '* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n'
while read -r tag cmd rest; do
  case $cmd in
  CAPABILITY*) printf '* CAPABILITY IMAP4rev1 IDLE\r\n%s OK CAPABILITY completed\r\n' "$tag" ;;
  LOGOUT*) printf '* BYE logging out\r\n%s OK LOGOUT completed\r\n' "$tag"; exit 0 ;;
  *) printf '%s OK done\r\n' "$tag" ;;
  esac
done`

func TestLeakAfterLogoutAndShutdown(t *testing.T) {
	certs := atGetCerts(t)
	session := func(c *atConn) {
		c.greet("STARTTLS AUTH=PLAIN")
		c.serveRest()
	}
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"IMAP4 login, noop, logout", func(t *testing.T) {
			s := atLeakServer(t, nil, session)
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), atTimeout)
			require.NoError(t, err)
			_, _, err = m.Login("user", "pass")
			require.NoError(t, err)
			_, _, err = m.Noop()
			require.NoError(t, err)
			typ, _, err := m.Logout()
			require.NoError(t, err)
			assert.Equal(t, "BYE", typ)
		}},
		{"IMAP4 shutdown without logout", func(t *testing.T) {
			s := atLeakServer(t, nil, session)
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), atTimeout)
			require.NoError(t, err)
			assert.NoError(t, m.Shutdown())
			assert.NoError(t, m.Shutdown(), "a second Shutdown is harmless")
		}},
		{"IMAP4 Exit", func(t *testing.T) {
			s := atLeakServer(t, nil, session)
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), atTimeout)
			require.NoError(t, err)
			assert.NoError(t, m.Exit())
		}},
		{"IMAP4_SSL login, logout", func(t *testing.T) {
			s := atLeakServer(t, &certs.good, session)
			defer s.close()
			m, err := NewIMAP4_SSL("127.0.0.1", s.port(), &tls.Config{RootCAs: certs.caPool}, atTimeout)
			require.NoError(t, err)
			_, _, err = m.Login("user", "pass")
			require.NoError(t, err)
			_, _, err = m.Logout()
			require.NoError(t, err)
		}},
		{"IMAP4 STARTTLS, logout", func(t *testing.T) {
			s := atLeakServer(t, nil, func(c *atConn) {
				c.greet("STARTTLS")
				tag := c.expect("STARTTLS")
				c.write(tag + " OK go\r\n")
				c.startTLS(certs.good)
				tag = c.expect("CAPABILITY")
				c.write("* CAPABILITY IMAP4rev1\r\n" + tag + " OK done\r\n")
				c.serveRest()
			})
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), atTimeout)
			require.NoError(t, err)
			_, _, err = m.StartTLS(&tls.Config{RootCAs: certs.caPool})
			require.NoError(t, err)
			_, _, err = m.Logout()
			require.NoError(t, err)
		}},
		{"IMAP4_stream logout", func(t *testing.T) {
			m, err := NewIMAP4_stream(atStreamServer)
			require.NoError(t, err)
			_, _, err = m.Noop()
			require.NoError(t, err)
			typ, _, err := m.Logout()
			require.NoError(t, err)
			assert.Equal(t, "BYE", typ)
		}},
		{"IMAP4_stream shutdown while the child still runs", func(t *testing.T) {
			m, err := NewIMAP4_stream(atStreamServer)
			require.NoError(t, err)
			assert.NoError(t, m.Shutdown())
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { atAssertNoLeak(t, c.run) })
	}
}

func TestLeakFailedConstructors(t *testing.T) {
	certs := atGetCerts(t)
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"IMAP4 connection refused", func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			port := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			m, err := NewIMAP4("127.0.0.1", port, atTimeout)
			assert.Nil(t, m)
			assert.Error(t, err)
		}},
		{"IMAP4 garbage greeting", func(t *testing.T) {
			s := atLeakServer(t, nil, func(c *atConn) {
				c.write("HTTP/1.1 400 Bad Request\r\n")
				c.waitClosed(atServerWait)
			})
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), atTimeout)
			assert.Nil(t, m)
			atAssertErr(t, err, "abort", "unexpected response: b'HTTP/1.1 400 Bad Request'")
		}},
		{"IMAP4 no greeting, timeout", func(t *testing.T) {
			s := atLeakServer(t, nil, func(c *atConn) { c.waitClosed(atServerWait) })
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), 100*time.Millisecond)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		}},
		{"IMAP4 not IMAP4 compliant", func(t *testing.T) {
			s := atLeakServer(t, nil, func(c *atConn) {
				c.write("* OK hi\r\n")
				tag := c.expect("CAPABILITY")
				c.write("* CAPABILITY IMAP4rev2\r\n" + tag + " OK done\r\n")
				c.waitClosed(atServerWait)
			})
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), atTimeout)
			assert.Nil(t, m)
			atAssertErr(t, err, "error", "server not IMAP4 compliant")
		}},
		{"IMAP4_SSL untrusted certificate", func(t *testing.T) {
			s := atLeakServer(t, &certs.selfSign, func(c *atConn) { c.greet("") })
			defer s.close()
			m, err := NewIMAP4_SSL("127.0.0.1", s.port(), nil, atTimeout)
			assert.Nil(t, m)
			assert.Error(t, err)
		}},
		{"IMAP4_SSL handshake timeout", func(t *testing.T) {
			s := atLeakServer(t, nil, func(c *atConn) { c.waitClosed(atServerWait) })
			defer s.close()
			m, err := NewIMAP4_SSL("127.0.0.1", s.port(), &tls.Config{InsecureSkipVerify: true}, 100*time.Millisecond)
			assert.Nil(t, m)
			assert.True(t, atIsTimeout(err), "%v", err)
		}},
		{"IMAP4_SSL garbage greeting over TLS", func(t *testing.T) {
			s := atLeakServer(t, &certs.good, func(c *atConn) {
				c.write("garbage\r\n")
				c.waitClosed(atServerWait)
			})
			defer s.close()
			m, err := NewIMAP4_SSL("127.0.0.1", s.port(), &tls.Config{RootCAs: certs.caPool}, atTimeout)
			assert.Nil(t, m)
			atAssertErr(t, err, "abort", "unexpected response: b'garbage'")
		}},
		{"IMAP4_stream command exits at once", func(t *testing.T) {
			m, err := NewIMAP4_stream("exit 3")
			assert.Nil(t, m)
			atAssertErr(t, err, "abort", "socket error: EOF")
		}},
		{"IMAP4_stream command writes garbage and stays", func(t *testing.T) {
			m, err := NewIMAP4_stream(`printf 'garbage\r\n'; exec sleep 30`)
			assert.Nil(t, m)
			atAssertErr(t, err, "abort", "unexpected response: b'garbage'")
		}},
		{"IMAP4_stream command not found", func(t *testing.T) {
			m, err := NewIMAP4_stream("exec /nonexistent/imapd 2>/dev/null")
			assert.Nil(t, m)
			atAssertErr(t, err, "abort", "socket error: EOF")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { atAssertNoLeak(t, c.run) })
	}
}

func TestLeakAbortedConnections(t *testing.T) {
	// Each peer breaks a selected session in its own way; the client gets
	// an error, then shuts down.
	breaks := []struct {
		name    string
		timeout time.Duration
		peer    func(c *atConn, tag string)
		check   func(t *testing.T, m *IMAP4, err error)
	}{
		{"hang-up mid-literal", atTimeout, func(c *atConn, tag string) {
			c.write("* 1 FETCH (BODY[] {100}\r\nabc")
			c.hangup()
		}, func(t *testing.T, m *IMAP4, err error) {
			atAssertErr(t, err, "abort", "command: FETCH => socket error: EOF")
		}},
		{"connection reset", atTimeout, func(c *atConn, tag string) {
			c.write("* 1 EXISTS\r\n")
			time.Sleep(20 * time.Millisecond)
			c.reset()
		}, func(t *testing.T, m *IMAP4, err error) { assert.Error(t, err) }},
		{"stall until timeout", 100 * time.Millisecond, func(c *atConn, tag string) {
			c.write("* 1 FETCH (BODY[] {100}\r\nabc")
			c.waitClosed(atServerWait)
		}, func(t *testing.T, m *IMAP4, err error) { assert.True(t, atIsTimeout(err), "%v", err) }},
		{"line over MaxLine", atTimeout, func(c *atConn, tag string) {
			c.write("* " + strings.Repeat("x", MaxLine+10))
			c.waitClosed(atServerWait)
		}, func(t *testing.T, m *IMAP4, err error) {
			atAssertErr(t, err, "error", fmt.Sprintf("command: FETCH => got more than %d bytes", MaxLine))
		}},
		{"BYE", atTimeout, func(c *atConn, tag string) {
			c.write("* BYE going away\r\n")
			c.waitClosed(atServerWait)
		}, func(t *testing.T, m *IMAP4, err error) { atAssertErr(t, err, "abort", "command: FETCH => going away") }},
		{"unknown tag", atTimeout, func(c *atConn, tag string) {
			c.write(tag[:4] + "77 OK forged\r\n")
			c.waitClosed(atServerWait)
		}, func(t *testing.T, m *IMAP4, err error) {
			atAssertErr(t, err, "abort", "command: FETCH => unexpected tagged response: b'"+string(m.Tagpre)+"77 OK forged'")
		}},
	}
	for _, b := range breaks {
		t.Run(b.name, func(t *testing.T) {
			atAssertNoLeak(t, func(t *testing.T) {
				s := atLeakServer(t, nil, func(c *atConn) {
					c.selected()
					b.peer(c, c.expect("FETCH"))
				})
				defer s.close()
				m, err := NewIMAP4("127.0.0.1", s.port(), b.timeout)
				require.NoError(t, err)
				_, _, err = m.Select("", false)
				require.NoError(t, err)
				_, _, err = m.Fetch("1", "(BODY[])")
				b.check(t, m, err)
				assert.NoError(t, m.Shutdown())
			})
		})
	}

	t.Run("IMAP4_stream line over MaxLine, then Shutdown", func(t *testing.T) {
		atAssertNoLeak(t, func(t *testing.T) {
			m, err := NewIMAP4_stream(`printf '* PREAUTH ready\r\n'; read -r tag rest; ` +
				`printf '* CAPABILITY IMAP4rev1\r\n%s OK done\r\n' "$tag"; read -r l; exec tr '\000' x </dev/zero`)
			require.NoError(t, err)
			_, _, err = m.Noop()
			atAssertErr(t, err, "error", fmt.Sprintf("command: NOOP => got more than %d bytes", MaxLine))
			assert.NoError(t, m.Shutdown())
		})
	})

	t.Run("IDLE ended by a hang-up", func(t *testing.T) {
		atAssertNoLeak(t, func(t *testing.T) {
			s := atLeakServer(t, nil, func(c *atConn) {
				c.preauth("IDLE")
				c.expect("IDLE")
				c.write("+ idling\r\n* 1 EXISTS\r\n")
				c.hangup()
			})
			defer s.close()
			m, err := NewIMAP4("127.0.0.1", s.port(), atTimeout)
			require.NoError(t, err)
			idler, err := m.Idle(0)
			require.NoError(t, err)
			require.NoError(t, idler.Enter())
			n := 0
			for range idler.All() {
				n++
			}
			assert.Equal(t, 1, n)
			assert.Error(t, idler.Err())
			idler.Exit()
			assert.NoError(t, m.Shutdown())
		})
	})
}
