package imaplib

// The behaviours CPython's test_imaplib pins, against the fake server.
// Subtests keep CPython's test names: TestNewIMAPTests and
// TestNewIMAPSSLTests are NewIMAPTestsMixin run over TCP and over TLS,
// TestThreadedNetworkedTests holds the tests only the older class has, and
// TestImaplibBehaviour the further behaviours of the facts file (greeting,
// capabilities, response parsing, BYE, READ-ONLY, the command table).
// TestDebugOutput compares the debug output with what CPython 3.13.0
// prints for the same sessions.

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fsXAtomRuns numbers the extension commands the tests register, since
// the registry outlives a test run under -count.
var fsXAtomRuns atomic.Int64

// fsBox collects what a server handler wants the test to see.
type fsBox struct {
	mu    sync.Mutex
	items []string
}

func (b *fsBox) add(s ...string) {
	b.mu.Lock()
	b.items = append(b.items, s...)
	b.mu.Unlock()
}

func (b *fsBox) get() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.items...)
}

// fsTLSConf is the server configuration of a variant: nil for plain TCP.
func fsTLSConf(t testing.TB, ssl bool) *tls.Config {
	if !ssl {
		return nil
	}
	return fsServerTLS(fsTestPKI(t).full)
}

// fsFakeAuth answers every challenge with "fake", as the Python tests'
// lambda x: b'fake'.
func fsFakeAuth([]byte) []byte { return []byte("fake") }

// fsAuthCapture is CPython's AUTHENTICATE handler that stores the client's
// answer in server.response and accepts it.
func fsAuthCapture(c *fsConn, tag string, args []string) {
	c.sendLine("+")
	line, ok := c.next()
	if !ok {
		return
	}
	c.srv.setResponse(line)
	c.sendTagged(tag, "OK", "FAKEAUTH successful")
}

// fsAssertErr checks an error's class and CPython's str() of it.
func fsAssertErr(t *testing.T, err error, class, msg string) {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.True(t, errors.As(err, &e), "want an *imaplib.Error, got %T: %v", err, err)
	assert.Equal(t, class, e.Class())
	assert.Equal(t, msg, e.Error())
}

func TestNewIMAPTests(t *testing.T)    { fsMixinTests(t, false) }
func TestNewIMAPSSLTests(t *testing.T) { fsMixinTests(t, true) }

// fsMixinTests is NewIMAPTestsMixin: every test runs over TCP and TLS.
func fsMixinTests(t *testing.T, ssl bool) {
	start := func(t *testing.T, h *fsHandler) *fsServer { return fsStartServer(t, h, fsTLSConf(t, ssl)) }
	setup := func(t *testing.T, h *fsHandler) (*IMAP4, *fsServer) { return fsSetup(t, h, ssl) }

	t.Run("test_EOF_without_complete_welcome_message", func(t *testing.T) {
		srv := start(t, &fsHandler{handle: func(c *fsConn) { c.send([]byte("* OK")) }})
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "abort", "socket error: unterminated line: b'* OK'")
	})

	t.Run("test_line_termination", func(t *testing.T) {
		srv := start(t, &fsHandler{cmds: map[string]fsCmd{"CAPABILITY": func(c *fsConn, tag string, args []string) {
			c.send([]byte("* CAPABILITY IMAP4rev1 AUTH\n"))
			c.sendTagged(tag, "OK", "CAPABILITY completed")
		}}})
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "abort", `command: CAPABILITY => socket error: unterminated line: b'* CAPABILITY IMAP4rev1 AUTH\n'`)
	})

	t.Run("test_enable_raises_error_if_not_AUTH", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{caps: "AUTH ENABLE UTF8=ACCEPT"})
		assert.False(t, m.UTF8Enabled)
		_, _, err := m.Enable("foo")
		fsAssertErr(t, err, "error", "command ENABLE illegal in state NONAUTH, only allowed in states AUTH")
		assert.Regexp(t, `ENABLE.*NONAUTH`, err.Error())
		assert.False(t, m.UTF8Enabled)
	})

	t.Run("test_enable_raises_error_if_no_capability", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{caps: "AUTH"})
		_, _, err := m.Enable("foo")
		fsAssertErr(t, err, "error", "Server does not support ENABLE")
	})

	t.Run("test_enable_UTF8_raises_error_if_not_supported", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{})
		_, _, err := m.Login("user", "pass")
		require.NoError(t, err)
		_, _, err = m.Enable("UTF8=ACCEPT")
		fsAssertErr(t, err, "error", "Server does not support ENABLE")
		assert.False(t, m.UTF8Enabled)
	})

	// The server records the APPEND arguments and the two lines that follow
	// the continuation, as CPython's UTF8AppendServer does.
	utf8Server := func(box *fsBox) *fsHandler {
		return &fsHandler{caps: "AUTH ENABLE UTF8=ACCEPT", cmds: map[string]fsCmd{
			"ENABLE":       func(c *fsConn, tag string, args []string) { c.sendTagged(tag, "OK", "ENABLE successful") },
			"AUTHENTICATE": fsAuthCapture,
			"APPEND": func(c *fsConn, tag string, args []string) {
				c.sendLine("+")
				box.add(args...)
				for i := 0; i < 2; i++ {
					line, ok := c.next()
					if !ok {
						return
					}
					box.add(string(line))
				}
				c.sendTagged(tag, "OK", "okay")
			},
		}}
	}
	msg := "Subject: \u00fc\u00f1\u00ed\u00a9\u00f6\u00f0\u00e9"
	for _, p := range []struct {
		profile Compat
		want    []string
	}{
		// The newest CPython (gh-78319): the literal is announced inside
		// UTF8 (...) and the closing parenthesis follows it.
		{CompatCurrent, []string{"INBOX", "UTF8", "(~{25}", msg + "\r\n", ")\r\n"}},
		// CPython 3.13.0 wrapped "UTF8 (...)" inside the literal itself.
		{CompatClassic, []string{"INBOX", "{32}", "UTF8 (" + msg + "\r\n", ")\r\n"}},
	} {
		t.Run("test_enable_UTF8_True_append/"+p.profile.Name, func(t *testing.T) {
			fsProfile(t, p.profile)
			box := &fsBox{}
			m, srv := setup(t, utf8Server(box))
			typ, _, err := m.Authenticate("MYAUTH", fsFakeAuth)
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, "ZmFrZQ==\r\n", string(srv.getResponse()))
			typ, _, err = m.Enable("UTF8=ACCEPT")
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.True(t, m.UTF8Enabled)
			typ, _, err = m.Append("", "", nil, []byte(msg+"\n"))
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, p.want, box.get())
		})
	}

	t.Run("test_search_disallows_charset_in_utf8_mode", func(t *testing.T) {
		m, _ := setup(t, utf8Server(&fsBox{}))
		_, _, err := m.Authenticate("MYAUTH", fsFakeAuth)
		require.NoError(t, err)
		_, _, err = m.Enable("UTF8=ACCEPT")
		require.NoError(t, err)
		require.True(t, m.UTF8Enabled)
		m.State = "SELECTED"
		_, _, err = m.Search("foo", "bar")
		fsAssertErr(t, err, "error", "Non-None charset not valid in UTF8 mode")
		assert.Regexp(t, `charset.*UTF8`, err.Error())
	})

	t.Run("test_bad_auth_name", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{cmds: map[string]fsCmd{"AUTHENTICATE": func(c *fsConn, tag string, args []string) {
			c.sendTagged(tag, "NO", "unrecognized authentication type "+args[0])
		}}})
		_, _, err := m.Authenticate("METHOD", func([]byte) []byte { return []byte("1") })
		fsAssertErr(t, err, "error", "unrecognized authentication type METHOD")
		assert.Equal(t, "NONAUTH", m.State)
	})

	t.Run("test_invalid_authentication", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{cmds: map[string]fsCmd{"AUTHENTICATE": func(c *fsConn, tag string, args []string) {
			c.sendLine("+")
			if line, ok := c.next(); ok {
				c.srv.setResponse(line)
				c.sendTagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid")
			}
		}}})
		_, _, err := m.Authenticate("MYAUTH", fsFakeAuth)
		fsAssertErr(t, err, "error", "[AUTHENTICATIONFAILED] invalid")
	})

	t.Run("test_valid_authentication_bytes", func(t *testing.T) {
		m, srv := setup(t, &fsHandler{cmds: map[string]fsCmd{"AUTHENTICATE": fsAuthCapture}})
		typ, data, err := m.Authenticate("MYAUTH", fsFakeAuth)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'FAKEAUTH successful']", Repr(data))
		assert.Equal(t, "ZmFrZQ==\r\n", string(srv.getResponse()))
		assert.Equal(t, "AUTH", m.State)
	})

	cramMD5 := &fsHandler{caps: "LOGINDISABLED AUTH=CRAM-MD5", cmds: map[string]fsCmd{"AUTHENTICATE": func(c *fsConn, tag string, args []string) {
		c.sendLine("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ=")
		line, ok := c.next()
		if !ok {
			return
		}
		if string(line) == "dGltIGYxY2E2YmU0NjRiOWVmYTFjY2E2ZmZkNmNmMmQ5ZjMy\r\n" {
			c.sendTagged(tag, "OK", "CRAM-MD5 successful")
		} else {
			c.sendTagged(tag, "NO", "No access")
		}
	}}}

	t.Run("test_login_cram_md5_bytes", func(t *testing.T) {
		m, _ := setup(t, cramMD5)
		assert.Contains(t, m.Capabilities, "AUTH=CRAM-MD5")
		typ, data, err := m.LoginCRAMMD5("tim", "tanstaaftanstaaf")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'CRAM-MD5 successful']", Repr(data))
		assert.Equal(t, "AUTH", m.State)
	})

	t.Run("test_login_cram_md5_wrong_password", func(t *testing.T) {
		m, _ := setup(t, cramMD5)
		_, _, err := m.LoginCRAMMD5("tim", "wrong")
		fsAssertErr(t, err, "error", "No access")
		assert.Equal(t, "NONAUTH", m.State)
	})

	t.Run("test_aborted_authentication", func(t *testing.T) {
		m, srv := setup(t, &fsHandler{cmds: map[string]fsCmd{"AUTHENTICATE": func(c *fsConn, tag string, args []string) {
			c.sendLine("+")
			line, ok := c.next()
			if !ok {
				return
			}
			c.srv.setResponse(line)
			if string(line) == "*\r\n" {
				c.sendTagged(tag, "NO", "[AUTHENTICATIONFAILED] aborted")
			} else {
				c.sendTagged(tag, "OK", "MYAUTH successful")
			}
		}}})
		_, _, err := m.Authenticate("MYAUTH", func([]byte) []byte { return nil })
		fsAssertErr(t, err, "error", "[AUTHENTICATIONFAILED] aborted")
		assert.Equal(t, "*\r\n", string(srv.getResponse()))
	})

	t.Run("test_linetoolong", func(t *testing.T) {
		saved := MaxLine
		MaxLine = 10
		t.Cleanup(func() { MaxLine = saved })
		srv := start(t, &fsHandler{handle: func(c *fsConn) { c.sendLine("* OK " + strings.Repeat("x", 11)) }})
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "error", "got more than 10 bytes")
		assert.NotErrorIs(t, err, ErrAbort, "CPython raises IMAP4.error, not abort")
	})

	t.Run("test_simple_with_statement", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{})
		func() {
			defer func() { assert.NoError(t, m.Exit()) }()
		}()
		assert.Equal(t, "LOGOUT", m.State)
	})

	t.Run("test_imaplib_timeout_test", func(t *testing.T) {
		// CPython refuses timeout=0; the port reads 0 as "no timeout", so a
		// slow greeting is still waited for.
		srv := start(t, &fsHandler{handle: func(c *fsConn) {
			if c.sleep(150 * time.Millisecond) {
				c.sendLine("* OK IMAP4rev1")
				c.commandLoop()
			}
		}})
		m, err := srv.dial(0)
		require.NoError(t, err)
		defer m.Shutdown()
		assert.Equal(t, "NONAUTH", m.State)
		assert.NotNil(t, m.Socket())
	})

	t.Run("test_imaplib_timeout_functionality_test", func(t *testing.T) {
		srv := start(t, &fsHandler{handle: func(c *fsConn) {
			if c.sleep(5 * time.Second) {
				c.sendLine("* OK IMAP4rev1")
			}
		}})
		began := time.Now()
		_, err := srv.dial(50 * time.Millisecond)
		require.Error(t, err)
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		var ne net.Error
		require.True(t, errors.As(err, &ne), "want a net.Error, got %T", err)
		assert.True(t, ne.Timeout())
		assert.Less(t, time.Since(began), 4*time.Second, "the timeout, not the server, must end the wait")
	})

	t.Run("test_with_statement", func(t *testing.T) {
		m, srv := setup(t, &fsHandler{})
		func() {
			defer func() { assert.NoError(t, m.Exit()) }()
			_, _, err := m.Login("user", "pass")
			require.NoError(t, err)
			user, ok := srv.loggedUser()
			assert.True(t, ok)
			assert.Equal(t, "user", user)
		}()
		_, ok := srv.loggedUser()
		assert.False(t, ok, "Exit must log out")
		assert.Equal(t, "LOGOUT", m.State)
	})

	t.Run("test_with_statement_logout", func(t *testing.T) {
		m, srv := setup(t, &fsHandler{})
		func() {
			defer func() { assert.NoError(t, m.Exit()) }()
			_, _, err := m.Logout()
			require.NoError(t, err)
			assert.Equal(t, "LOGOUT", m.State)
		}()
		n := 0
		for _, l := range srv.lines() {
			if strings.Contains(l, " LOGOUT") {
				n++
			}
		}
		assert.Equal(t, 1, n, "Exit after Logout must not log out again")
	})

	t.Run("test_with_statement_dead_connection", func(t *testing.T) {
		// __exit__ swallows OSError only: an abort from a dead connection
		// propagates.
		m, _ := setup(t, &fsHandler{cmds: map[string]fsCmd{"LOGIN": func(c *fsConn, tag string, args []string) {
			c.sendTagged(tag, "OK", "LOGIN completed")
			c.nc.Close()
		}}})
		_, _, err := m.Login("user", "pass")
		require.NoError(t, err)
		err = m.Exit()
		assert.ErrorIs(t, err, ErrAbort)
		assert.Equal(t, "LOGOUT", m.State)
	})

	t.Run("test_login", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{})
		typ, data, err := m.Login("user", "pass")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, [][]byte{[]byte("LOGIN completed")}, data)
		assert.Equal(t, "AUTH", m.State)
	})

	t.Run("test_logout", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{})
		_, _, err := m.Login("user", "pass")
		require.NoError(t, err)
		typ, data, err := m.Logout()
		require.NoError(t, err)
		assert.Equal(t, "BYE", typ)
		assert.Equal(t, "[b'IMAP4ref1 Server logging out']", Repr(data))
		assert.Equal(t, "LOGOUT", m.State)
	})

	t.Run("test_lsub", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{cmds: map[string]fsCmd{"LSUB": func(c *fsConn, tag string, args []string) {
			c.sendLine(`* LSUB () "." directoryA`)
			c.sendTagged(tag, "OK", "LSUB completed")
		}}})
		_, _, err := m.Login("user", "pass")
		require.NoError(t, err)
		typ, data, err := m.Lsub("", "")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		require.NotEmpty(t, data)
		assert.Equal(t, `() "." directoryA`, string(data[0]))
	})

	t.Run("test_unselect", func(t *testing.T) {
		m, _ := setup(t, &fsHandler{})
		_, _, err := m.Login("user", "pass")
		require.NoError(t, err)
		typ, data, err := m.Select("", false)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, [][]byte{[]byte("2")}, data)
		typ, data, err = m.Unselect()
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "Returned to authenticated state. (Success)", string(data[0]))
		assert.Equal(t, "AUTH", m.State)
	})

	t.Run("test_control_characters", func(t *testing.T) {
		// The newest CPython refuses NUL, CR and LF only; the other C0
		// characters and DEL are valid quoted characters and go out quoted.
		fsProfile(t, CompatCurrent)
		m, srv := setup(t, &fsHandler{})
		for c := 0; c < 0x80; c++ {
			if c >= 0x20 && c < 0x7f {
				continue
			}
			user := "user" + string(rune(c))
			m.State = "NONAUTH"
			before := len(srv.stream())
			_, _, err := m.Login(user, "pass")
			if c == 0 || c == '\r' || c == '\n' {
				assert.ErrorIs(t, err, ErrControlCharacters, "byte %#x", c)
				assert.Equal(t, before, len(srv.stream()), "byte %#x: nothing may be sent", c)
			} else {
				assert.NoError(t, err, "byte %#x", c)
				assert.Contains(t, srv.stream()[before:], ` LOGIN "`+user+`" "pass"`+"\r\n", "byte %#x", c)
			}
		}
	})
}

// TestThreadedNetworkedTests holds the tests only CPython's older
// ThreadedNetworkedTests class (and its SSL twin) has.
func TestThreadedNetworkedTests(t *testing.T) {
	for _, ssl := range []bool{false, true} {
		name := "ThreadedNetworkedTests"
		if ssl {
			name = "ThreadedNetworkedTestsSSL"
		}
		t.Run(name, func(t *testing.T) { fsThreadedTests(t, ssl) })
	}
}

func fsThreadedTests(t *testing.T, ssl bool) {
	t.Run("test_bracket_flags", func(t *testing.T) {
		// ']' in flags breaks RFC 3501, but servers send such flags; the
		// greedy response code keeps them whole (CPython issue #21815).
		flags := []string{"Answered", "Flagged", "Deleted", "Seen", "Draft"}
		h := &fsHandler{cmds: map[string]fsCmd{
			"AUTHENTICATE": fsAuthCapture,
			"SELECT": func(c *fsConn, tag string, args []string) {
				flagMsg := strings.Join(flags, ` \`)
				c.sendLine("* FLAGS (" + flagMsg + ")")
				c.sendLine("* 2 EXISTS")
				c.sendLine("* 0 RECENT")
				c.sendLine(`* OK [PERMANENTFLAGS ` + flagMsg + ` \*)] Flags permitted.`)
				c.sendTagged(tag, "OK", "[READ-WRITE] SELECT completed.")
			},
			"STORE": func(c *fsConn, tag string, args []string) {
				flags = append(flags, strings.Fields(strings.Trim(args[2], "()"))...)
				c.sendLine("* " + args[0] + " FETCH (FLAGS (" + strings.Join(flags, ` \`) + "))")
				c.sendTagged(tag, "OK", "STORE completed.")
			},
		}}
		m, srv := fsSetup(t, h, ssl)
		typ, _, err := m.Authenticate("MYAUTH", fsFakeAuth)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "ZmFrZQ==\r\n", string(srv.getResponse()))
		_, _, err = m.Select("test", false)
		require.NoError(t, err)
		_, data, err := m.Store("1", "+FLAGS", "[test]")
		require.NoError(t, err)
		require.Len(t, data, 1)
		assert.Contains(t, string(data[0]), "[test]")
		_, _, err = m.Select("test", false)
		require.NoError(t, err)
		_, data, err = m.Response("PERMANENTFLAGS")
		require.NoError(t, err)
		require.Len(t, data, 1)
		assert.Contains(t, string(data[0]), "[test]")
		assert.Equal(t, `Answered \Flagged \Deleted \Seen \Draft \[test] \*)`, string(data[0]))
	})

	t.Run("test_issue5949", func(t *testing.T) {
		srv := fsStartServer(t, &fsHandler{handle: func(c *fsConn) { c.send([]byte("* OK")) }}, fsTLSConf(t, ssl))
		_, err := srv.dial(10 * time.Second)
		assert.ErrorIs(t, err, ErrAbort)
	})

	t.Run("test_truncated_large_literal", func(t *testing.T) {
		// gh-119511: a server announcing a huge literal and then closing
		// must not make the client allocate what it announced.
		conf := fsTLSConf(t, ssl)
		for e := 15; e < 64; e++ {
			size := uint64(1) << e
			srv := fsStartServer(t, &fsHandler{handle: func(c *fsConn) {
				c.sendLine(fmt.Sprintf("* OK {%d}", size))
				c.sendLine("IMAP4rev1")
			}}, conf)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := srv.dial(10 * time.Second)
			runtime.ReadMemStats(&after)
			assert.ErrorIs(t, err, ErrAbort, "size 2**%d", e)
			if e < 63 {
				// The literal ends short at EOF; the next line read finds EOF.
				assert.EqualError(t, err, "socket error: EOF", "size 2**%d", e)
			} else {
				// No int64 holds the size: an abort at once (CPython 3.13
				// raises OverflowError).
				assert.EqualError(t, err, "literal of 9223372036854775808 bytes is too large")
			}
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "size 2**%d: bytes allocated", e)
			srv.stop()
		}
	})

	t.Run("test_dump_ur", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{}, ssl)
		var out bytes.Buffer
		m.DebugOutput = &out
		m.Debug = 1
		m.UntaggedResponses = map[string][][]byte{"READ-WRITE": {{}}}
		m.dumpUR()
		assert.Equal(t, "  MM:SS.cc untagged responses dump:READ-WRITE: [b'']\n", fsMaskTimes(out.String()))
	})
}

// TestImaplibBehaviour covers the behaviours of the facts file that
// CPython's suite does not test by name.
func TestImaplibBehaviour(t *testing.T) {
	t.Run("preauth_greeting", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{greeting: "* PREAUTH IMAP4rev1 server logged in as Smith"}, false)
		assert.Equal(t, "AUTH", m.State)
		assert.Equal(t, "* PREAUTH IMAP4rev1 server logged in as Smith", string(m.Welcome))
		// PREAUTH is not one of the OK/NO/BAD entries commands clear.
		assert.Equal(t, "[b'IMAP4rev1 server logged in as Smith']", Repr(m.UntaggedResponses["PREAUTH"]))
		assert.Equal(t, "IMAP4REV1", m.ProtocolVersion)
	})

	t.Run("ok_greeting", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{caps: "IDLE auth=plain"}, false)
		assert.Equal(t, "NONAUTH", m.State)
		assert.Equal(t, "* OK IMAP4rev1", string(m.Welcome))
		assert.Equal(t, []string{"IMAP4REV1", "IDLE", "AUTH=PLAIN"}, m.Capabilities)
		_, greetingKept := m.UntaggedResponses["OK"]
		assert.False(t, greetingKept, "the CAPABILITY command clears the greeting's OK")
		assert.Equal(t, 1, m.Tagnum)
		assert.Regexp(t, `^[B-P][A-P]{3}$`, string(m.Tagpre))
	})

	t.Run("bad_greeting", func(t *testing.T) {
		srv := fsStart(t, &fsHandler{greeting: "* BYE go away"})
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "error", "b'* BYE go away'")
	})

	t.Run("no_capability_response", func(t *testing.T) {
		srv := fsStart(t, &fsHandler{cmds: map[string]fsCmd{"CAPABILITY": func(c *fsConn, tag string, args []string) {
			c.sendTagged(tag, "OK", "done")
		}}})
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "error", "no CAPABILITY response from server")
	})

	t.Run("server_not_IMAP4_compliant", func(t *testing.T) {
		srv := fsStart(t, &fsHandler{cmds: map[string]fsCmd{"CAPABILITY": func(c *fsConn, tag string, args []string) {
			c.sendLine("* CAPABILITY IMAP4rev2 AUTH=PLAIN")
			c.sendTagged(tag, "OK", "done")
		}}})
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "error", "server not IMAP4 compliant")
	})

	t.Run("IMAP4_only_server", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"CAPABILITY": func(c *fsConn, tag string, args []string) {
			c.sendLine("* CAPABILITY IMAP4")
			c.sendTagged(tag, "OK", "done")
		}}}, false)
		assert.Equal(t, "IMAP4", m.ProtocolVersion)
	})

	t.Run("unexpected_tagged_response", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
			c.sendTagged(tag[:4]+"99", "OK", "foo")
		}}}, false)
		_, _, err := m.Noop()
		fsAssertErr(t, err, "abort", "command: NOOP => unexpected tagged response: b'"+string(m.Tagpre)+"99 OK foo'")
	})

	t.Run("unexpected_response", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
			c.sendLine("hello")
		}}}, false)
		_, _, err := m.Noop()
		fsAssertErr(t, err, "abort", "command: NOOP => unexpected response: b'hello'")
	})

	t.Run("tagged_reply_without_text", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
			c.sendLine(tag + " OK")
		}}}, false)
		_, _, err := m.Noop()
		fsAssertErr(t, err, "abort", "command: NOOP => unexpected response: b'"+string(m.Tagpre)+"1 OK'")
	})

	t.Run("bye_during_command", func(t *testing.T) {
		m, srv := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
			c.sendLine("* BYE shutting down")
			c.sendTagged(tag, "OK", "done")
		}}}, false)
		_, _, err := m.Noop()
		fsAssertErr(t, err, "abort", "command: NOOP => shutting down")
		// The BYE stays: every later command fails with its text, unwrapped,
		// after it was sent.
		_, _, err = m.Noop()
		fsAssertErr(t, err, "abort", "shutting down")
		assert.Equal(t, "[b'shutting down']", Repr(m.UntaggedResponses["BYE"]))
		// The second NOOP was sent before the stored BYE was looked at.
		assert.Eventually(t, func() bool { return strings.Count(srv.stream(), " NOOP\r\n") == 2 },
			5*time.Second, 5*time.Millisecond)
	})

	t.Run("select_readonly", func(t *testing.T) {
		m, srv := fsSetup(t, fsScriptHandler("", map[string][]string{
			"SELECT":  {"S * 3 EXISTS", "S {tag} OK [READ-ONLY] SELECT completed"},
			"EXAMINE": {"S * 3 EXISTS", "S {tag} OK [READ-ONLY] EXAMINE completed"},
		}), false)
		m.State = "AUTH"
		_, _, err := m.Select("INBOX", false)
		fsAssertErr(t, err, "readonly", "INBOX is not writable")
		assert.ErrorIs(t, err, ErrAbort)
		assert.Equal(t, "SELECTED", m.State)
		// From now on every command is refused before it is sent.
		before := len(srv.stream())
		_, _, err = m.Noop()
		fsAssertErr(t, err, "readonly", "mailbox status changed to READ-ONLY")
		assert.Equal(t, before, len(srv.stream()))
		// Until a select clears the untagged responses.
		typ, data, err := m.Select("INBOX", true)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'3']", Repr(data))
		assert.True(t, m.IsReadonly)
		_, _, err = m.Noop()
		assert.NoError(t, err)
	})

	t.Run("unsolicited_read_only", func(t *testing.T) {
		m, srv := fsSetup(t, fsScriptHandler("", map[string][]string{
			"NOOP": {"S * OK [READ-ONLY] now read-only", "S {tag} OK NOOP completed"},
		}), false)
		m.State = "SELECTED"
		_, _, err := m.Noop()
		require.NoError(t, err)
		before := len(srv.stream())
		_, _, err = m.Check()
		fsAssertErr(t, err, "readonly", "mailbox status changed to READ-ONLY")
		assert.Equal(t, before, len(srv.stream()))
		// A refused APPEND must not leave its literal for the next command.
		m.State = "AUTH"
		_, _, err = m.Append("", "", nil, []byte("lost"))
		fsAssertErr(t, err, "readonly", "mailbox status changed to READ-ONLY")
		delete(m.UntaggedResponses, "READ-ONLY")
		_, _, err = m.Noop()
		require.NoError(t, err)
		assert.Equal(t, "TAG2 NOOP\r\n", fsNormTags(srv.stream()[before:]))
	})

	t.Run("recent_and_response", func(t *testing.T) {
		m, srv := fsSetup(t, fsScriptHandler("", map[string][]string{
			"SELECT": {`S * FLAGS (\Seen)`, "S * 4 EXISTS", "S * 0 RECENT", "S {tag} OK [READ-WRITE] done"},
			"NOOP":   {"S {tag} OK NOOP completed"},
			"FETCH":  {"S * 1 FETCH (FLAGS ())", "S {tag} NO fetch failed"},
		}), false)
		m.State = "AUTH"
		_, _, err := m.Select("", false)
		require.NoError(t, err)
		before := len(srv.stream())
		// b'0' is data to CPython: no NOOP is sent.
		typ, data, err := m.Recent()
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'0']", Repr(data))
		assert.Equal(t, before, len(srv.stream()))
		// RECENT was popped: now a NOOP asks the server, which has none.
		typ, data, err = m.Recent()
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[None]", Repr(data))
		assert.Contains(t, srv.stream()[before:], " NOOP\r\n")
		// response() returns the code as given and pops the upper-cased key.
		typ, data, err = m.Response("flags")
		require.NoError(t, err)
		assert.Equal(t, "flags", typ)
		assert.Equal(t, `[b'(\\Seen)']`, Repr(data))
		typ, data, _ = m.Response("FLAGS")
		assert.Equal(t, "FLAGS", typ)
		assert.Equal(t, "[None]", Repr(data))
		// Select's data stays until popped.
		_, data, _ = m.Response("EXISTS")
		assert.Equal(t, "[b'4']", Repr(data))
		_, data, _ = m.Response("READ-WRITE")
		assert.Equal(t, "[b'']", Repr(data))
		// A NO gives the tagged text and leaves the untagged data in place.
		typ, data, err = m.Fetch("1", "(FLAGS)")
		require.NoError(t, err)
		assert.Equal(t, "NO", typ)
		assert.Equal(t, "[b'fetch failed']", Repr(data))
		_, data, _ = m.Response("FETCH")
		assert.Equal(t, "[b'1 (FLAGS ())']", Repr(data))
	})

	t.Run("response_codes", func(t *testing.T) {
		m, _ := fsSetup(t, fsScriptHandler("", map[string][]string{
			"NOOP": {
				"S * OK [UIDVALIDITY 42] ok",
				"S * OK [ALERT] see [x] now",
				"S * NO [OVERQUOTA] soon",
				"S {tag} OK [READ-WRITE] done",
			},
		}), false)
		_, _, err := m.Noop()
		require.NoError(t, err)
		assert.Equal(t, "[b'42']", Repr(m.UntaggedResponses["UIDVALIDITY"]))
		assert.Equal(t, "[b'']", Repr(m.UntaggedResponses["ALERT"]))
		assert.Equal(t, "[b'']", Repr(m.UntaggedResponses["OVERQUOTA"]))
		assert.Equal(t, "[b'']", Repr(m.UntaggedResponses["READ-WRITE"]))
		assert.Equal(t, "[b'[UIDVALIDITY 42] ok', b'[ALERT] see [x] now']", Repr(m.UntaggedResponses["OK"]))
		assert.Equal(t, "[b'[OVERQUOTA] soon']", Repr(m.UntaggedResponses["NO"]))
		// The next command clears OK, NO and BAD, and nothing else.
		_, _, err = m.Noop()
		require.NoError(t, err)
		_, hasOK := m.UntaggedResponses["OK"]
		assert.True(t, hasOK, "the second NOOP's answers are stored again")
		assert.Equal(t, "[b'42', b'42']", Repr(m.UntaggedResponses["UIDVALIDITY"]))
	})

	t.Run("xatom_registry", func(t *testing.T) {
		// The registry is global and permanent: a fresh name per run.
		name := fmt.Sprintf("XFSREGISTRY%d", fsXAtomRuns.Add(1))
		m, srv := fsSetup(t, fsScriptHandler("", nil), false)
		m.State = "AUTH"
		_, known := Commands.States(name)
		require.False(t, known)
		typ, data, err := m.XAtom(strings.ToLower(name), "a", "b")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'"+name+" completed']", Repr(data))
		assert.Contains(t, fsNormTags(srv.stream()), "TAG1 "+name+" a b\r\n")
		states, known := Commands.States(name)
		assert.True(t, known)
		assert.Equal(t, []string{"AUTH"}, states, "registered for the state it was first used in")
		// The registration is global and does not grow.
		m.State = "SELECTED"
		_, _, err = m.XAtom(name)
		fsAssertErr(t, err, "error", "command "+name+" illegal in state SELECTED, only allowed in states AUTH")
		other, _ := fsSetup(t, fsScriptHandler("", nil), false)
		other.State = "AUTH"
		_, _, err = other.XAtom(name)
		assert.NoError(t, err)
		// A known command keeps its states.
		_, _, err = m.XAtom("noop")
		require.NoError(t, err)
		states, _ = Commands.States("NOOP")
		assert.Equal(t, []string{"NONAUTH", "AUTH", "SELECTED", "LOGOUT"}, states)
	})

	t.Run("commands_table_concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				name := fmt.Sprintf("XFSCONCURRENT%d", i)
				for j := 0; j < 100; j++ {
					Commands.Register(name, "AUTH", "SELECTED")
					Commands.States("NOOP")
					Commands.registerIfAbsent(name, "NONAUTH")
				}
			}(i)
		}
		wg.Wait()
		for i := 0; i < 8; i++ {
			states, ok := Commands.States(fmt.Sprintf("XFSCONCURRENT%d", i))
			assert.True(t, ok)
			assert.Equal(t, []string{"AUTH", "SELECTED"}, states)
		}
	})

	t.Run("uid_dispatch", func(t *testing.T) {
		m, srv := fsSetup(t, fsScriptHandler("", map[string][]string{
			"UID": {"S * SORT 3 1", "S * 2 FETCH (UID 3 FLAGS ())", "S {tag} OK done"},
		}), false)
		m.State = "SELECTED"
		typ, data, err := m.UID("sort", "(DATE)", "UTF-8", "ALL")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'3 1']", Repr(data))
		_, data, _ = m.Response("FETCH")
		assert.Equal(t, "[b'2 (UID 3 FLAGS ())']", Repr(data))
		typ, data, err = m.UID("store", "3", "+FLAGS", `(\Seen)`)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'2 (UID 3 FLAGS ())']", Repr(data), "every other command returns FETCH data")
		assert.Contains(t, fsNormTags(srv.stream()), "TAG1 UID SORT (DATE) UTF-8 ALL\r\nTAG2 UID STORE 3 +FLAGS (\\Seen)\r\n")
		m.State = "AUTH"
		_, _, err = m.UID("fetch", "1", "(FLAGS)")
		fsAssertErr(t, err, "error", "command FETCH illegal in state AUTH, only allowed in states SELECTED")
		// The inner command may be legal where UID itself is not.
		_, _, err = m.UID("create", "x")
		fsAssertErr(t, err, "error", "command UID illegal in state AUTH, only allowed in states SELECTED")
	})

	t.Run("login_refused_text_per_profile", func(t *testing.T) {
		for _, p := range []struct {
			profile Compat
			want    string
		}{
			{CompatClassic, "b'[AUTHENTICATIONFAILED] Authentication failed.'"},
			{CompatCurrent, "[AUTHENTICATIONFAILED] Authentication failed."},
		} {
			t.Run(p.profile.Name, func(t *testing.T) {
				fsProfile(t, p.profile)
				m, _ := fsSetup(t, fsScriptHandler("", map[string][]string{
					"LOGIN": {"S {tag} NO [AUTHENTICATIONFAILED] Authentication failed."},
				}), false)
				_, _, err := m.Login("user", "bad")
				fsAssertErr(t, err, "error", p.want)
				assert.Equal(t, "NONAUTH", m.State)
			})
		}
	})

	t.Run("literal_data_items", func(t *testing.T) {
		m, _ := fsSetup(t, fsScriptHandler("", map[string][]string{
			"FETCH": {"S * 1 FETCH (BODY[] {7}", "S a\r\nb\r\n FLAGS (\\Seen))", "S {tag} OK done"},
		}), false)
		m.State = "SELECTED"
		_, data, err := m.Fetch("1", "(BODY[] FLAGS)")
		require.NoError(t, err)
		items := Items(data)
		require.Len(t, items, 2)
		assert.True(t, items[0].Tuple)
		assert.Equal(t, "1 (BODY[] {7}", string(items[0].Bytes))
		assert.Equal(t, "a\r\nb\r\n ", string(items[0].Literal))
		assert.False(t, items[1].Tuple)
		assert.Equal(t, `FLAGS (\Seen))`, string(items[1].Bytes))
	})

	t.Run("continuation_greeting", func(t *testing.T) {
		// A "+" greeting is no greeting: Welcome is None and the state
		// error carries its repr.
		srv := fsStart(t, &fsHandler{greeting: "+ hello"})
		_, err := srv.dial(10 * time.Second)
		fsAssertErr(t, err, "error", "None")
	})
}

// fsTimesRe matches the MM:SS.cc stamp at the start of a debug line.
var fsTimesRe = regexp.MustCompile(`(?m)^  \d\d:\d\d\.\d\d `)

// fsMaskTimes replaces every debug time stamp with MM:SS.cc.
func fsMaskTimes(s string) string { return fsTimesRe.ReplaceAllString(s, "  MM:SS.cc ") }

var fsDebugTagRe = regexp.MustCompile(`new IMAP4 connection, tag=b'([A-P]{4})'`)

// fsMaskDebug masks the time stamps and the random tag prefix (as TAGP)
// of a debug transcript.
func fsMaskDebug(s string) string {
	s = fsMaskTimes(s)
	if m := fsDebugTagRe.FindStringSubmatch(s); m != nil {
		pre := m[1]
		s = strings.ReplaceAll(s, "tag=b'"+pre+"'", "tag=b'TAGP'")
		s = regexp.MustCompile(pre+`(\d|\\\\d)`).ReplaceAllString(s, "TAGP$1")
	}
	return s
}

// fsDebugSession is a scripted session run at several debug levels, by the
// port and by CPython.
type fsDebugSession struct {
	name    string
	replies map[string][]string
	goRun   func(m *IMAP4)
	py      []string
}

func fsDebugSessions() []fsDebugSession {
	return []fsDebugSession{
		{
			name: "session",
			replies: map[string][]string{
				"SELECT": {`S * FLAGS (\Answered \Seen)`, "S * 2 EXISTS", "S * 0 RECENT",
					"S * OK [UIDVALIDITY 42] UIDs valid", "S {tag} OK [READ-WRITE] SELECT completed"},
				"FETCH":  {"S * 1 FETCH (UID 5 BODY[] {5}", `S hello FLAGS (\Seen))`, "S {tag} OK FETCH completed"},
				"NOOP":   {"S * 3 EXISTS", "S {tag} OK NOOP completed"},
				"CREATE": {"S {tag} NO [ALREADYEXISTS] Mailbox exists"},
				"DELETE": {"S {tag} NO no such mailbox"},
			},
			goRun: func(m *IMAP4) {
				m.Login("u", "p")
				m.Select("", false)
				m.Fetch("1", "(UID BODY[])")
				m.Noop()
				m.Create("x")
				m.Delete("y")
				m.Logout()
			},
			py: []string{
				"M.login('u', 'p')", "M.select()", "M.fetch('1', '(UID BODY[])')", "M.noop()",
				"M.create('x')", "M.delete('y')", "M.logout()",
			},
		},
		{
			// More than ten interactions before the abort, so that the log
			// print_log shows has wrapped around.
			name: "abort",
			replies: map[string][]string{
				"NOOP":  {"S * 1 EXISTS", "S {tag} OK NOOP completed"},
				"CHECK": {"S * 2 EXISTS", "S garbage"},
			},
			goRun: func(m *IMAP4) {
				m.Login("u", "p")
				m.Noop()
				m.Noop()
				m.Noop()
				m.State = "SELECTED"
				m.Check()
			},
			py: []string{"M.login('u', 'p')", "M.noop()", "M.noop()", "M.noop()", "M.state = 'SELECTED'",
				"try:\n    M.check()\nexcept imaplib.IMAP4.abort:\n    pass"},
		},
		{
			name: "readonly",
			replies: map[string][]string{
				"SELECT": {"S * 1 EXISTS", "S * OK [READ-ONLY] read-only", "S {tag} OK SELECT completed"},
			},
			goRun: func(m *IMAP4) {
				m.Login("u", "p")
				m.Select("INBOX", false)
			},
			py: []string{"M.login('u', 'p')", "try:\n    M.select('INBOX')\nexcept imaplib.IMAP4.readonly:\n    pass"},
		},
	}
}

var fsDebugLevels = []int{1, 3, 4, 5}

func fsGoldenPath(session string, level int) string {
	return filepath.Join("testdata", "wire", fmt.Sprintf("debug_%s_%d.golden", session, level))
}

// TestDebugOutput compares the port's debug output, classic profile, with
// CPython 3.13.0's for the same sessions, time stamps and tag prefix
// masked. Run with -update to regenerate the golden files from CPython.
func TestDebugOutput(t *testing.T) {
	fsProfile(t, CompatClassic)
	sessions := fsDebugSessions()
	if *fsUpdate {
		var jobs []fsPyJob
		for _, s := range sessions {
			for _, level := range fsDebugLevels {
				srv := fsStart(t, fsScriptHandler("AUTH=PLAIN", s.replies))
				jobs = append(jobs, fsPyJob{Port: srv.port, Debug: level, Setup: s.py})
			}
		}
		results := fsRunCPython(t, jobs)
		i := 0
		for _, s := range sessions {
			for _, level := range fsDebugLevels {
				r := results[i]
				i++
				require.Empty(t, r.Error, "CPython session %s failed", s.name)
				require.NoError(t, os.WriteFile(fsGoldenPath(s.name, level), []byte(fsMaskDebug(r.Debug)), 0o644))
			}
		}
	}
	t.Run("current_profile_has_no_version_line", func(t *testing.T) {
		fsProfile(t, CompatCurrent)
		var out bytes.Buffer
		savedDebug, savedOut := Debug, DebugOutput
		Debug, DebugOutput = 1, &out
		defer func() { Debug, DebugOutput = savedDebug, savedOut }()
		m, _ := fsSetup(t, &fsHandler{}, false)
		assert.Equal(t, 1, m.Debug)
		assert.Equal(t, "  MM:SS.cc new IMAP4 connection, tag=b'TAGP'\n", fsMaskDebug(out.String()))
	})
	for _, s := range sessions {
		for _, level := range fsDebugLevels {
			t.Run(fmt.Sprintf("%s/level%d", s.name, level), func(t *testing.T) {
				want, err := os.ReadFile(fsGoldenPath(s.name, level))
				require.NoError(t, err, "golden file missing: run go test -run TestDebugOutput -update")
				var out bytes.Buffer
				savedDebug, savedOut := Debug, DebugOutput
				Debug, DebugOutput = level, &out
				defer func() { Debug, DebugOutput = savedDebug, savedOut }()
				srv := fsStart(t, fsScriptHandler("AUTH=PLAIN", s.replies))
				m, err := NewIMAP4("127.0.0.1", srv.port, 10*time.Second)
				require.NoError(t, err)
				s.goRun(m)
				if m.State != "LOGOUT" {
					m.Shutdown()
				}
				assert.Equal(t, string(want), fsMaskDebug(out.String()))
			})
		}
	}
}
