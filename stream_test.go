package imaplib

// IMAP4_stream tests. The command the port runs through /bin/sh -c is this
// test binary itself, started again with FS_STREAM_SERVER set: the init
// function below then serves the fake server's handlers over standard
// input and output instead of running tests. The shell writes its process
// id to a file first and then execs the binary, so the test knows which
// process must have been reaped.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fsStreamEnv = "FS_STREAM_SERVER"

func init() {
	if mode := os.Getenv(fsStreamEnv); mode != "" {
		os.Exit(fsStreamChild(mode))
	}
}

// fsStreamChild is the child side: it serves one session on standard input
// and output in the given mode and returns the exit status.
func fsStreamChild(mode string) int {
	stdio := struct {
		io.Reader
		io.Writer
	}{os.Stdin, os.Stdout}
	srv := &fsServer{done: make(chan struct{})}
	var h *fsHandler
	switch mode {
	case "simple":
		h = fsScriptHandler("IDLE STARTTLS", map[string][]string{
			"FETCH": {"S * 1 FETCH (UID 5 BODY[] {5}", `S hello FLAGS (\Seen))`, "S {tag} OK FETCH completed"},
		})
		for name, cmd := range fsDefaultCmds {
			if _, scripted := h.cmds[name]; !scripted {
				h.cmds[name] = cmd
			}
		}
	case "bye-then-hang":
		// Refuses the client, then ignores the end of its input: only a
		// kill ends it early.
		h = &fsHandler{handle: func(c *fsConn) {
			c.sendLine("* BYE go away")
			time.Sleep(60 * time.Second)
		}}
	case "endless":
		h = &fsHandler{handle: func(c *fsConn) {
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			c.send([]byte("* OK "))
			for {
				if _, err := c.rw.Write(chunk); err != nil {
					return
				}
			}
		}}
	default:
		fmt.Fprintln(os.Stderr, "unknown", fsStreamEnv, "mode", mode)
		return 2
	}
	c := &fsConn{srv: srv, h: h, rw: stdio}
	c.serve()
	return 0
}

// fsShellQuote quotes s for /bin/sh.
func fsShellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fsStreamCommand returns a shell command that records its process id in
// a file and then runs body, and a function reading that id back.
func fsStreamCommand(t *testing.T, body string) (string, func() int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the reaping checks read /proc")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd := "echo $$ > " + fsShellQuote(pidFile) + "; " + body
	return cmd, func() int {
		b, err := os.ReadFile(pidFile)
		require.NoError(t, err)
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		require.NoError(t, err)
		return pid
	}
}

// fsChildCommand runs the fake server child in mode.
func fsChildCommand(t *testing.T, mode string) (string, func() int) {
	exe, err := os.Executable()
	require.NoError(t, err)
	// A race-enabled binary sleeps a second at exit unless told not to.
	return fsStreamCommand(t, "GORACE=atexit_sleep_ms=0 "+fsStreamEnv+"="+mode+" exec "+fsShellQuote(exe))
}

// fsReaped reports whether pid is no child of ours any more, zombie or
// alive: its /proc entry is gone, or belongs to someone else's process.
func fsReaped(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// pid (comm) state ppid ...; comm may hold spaces, so cut at the last ')'.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) < 2 || fields[1] != strconv.Itoa(os.Getpid())
}

func TestIMAP4_stream(t *testing.T) {
	t.Run("session_and_logout_reaps", func(t *testing.T) {
		cmd, pid := fsChildCommand(t, "simple")
		s, err := NewIMAP4_stream(cmd)
		require.NoError(t, err)
		assert.Equal(t, cmd, s.Command)
		assert.Equal(t, "NONAUTH", s.State)
		assert.Equal(t, []string{"IMAP4REV1", "IDLE", "STARTTLS"}, s.Capabilities)
		assert.Nil(t, s.Socket(), "a stream has no socket")
		assert.False(t, fsReaped(pid()), "the child runs while the session does")

		typ, data, err := s.Login("user", "pass")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'LOGIN completed']", Repr(data))
		typ, data, err = s.Select("", false)
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, "[b'2']", Repr(data))
		typ, data, err = s.Fetch("1", "(UID BODY[])")
		require.NoError(t, err)
		assert.Equal(t, "OK", typ)
		assert.Equal(t, `[(b'1 (UID 5 BODY[] {5}', b'hello'), b' FLAGS (\\Seen))']`, Repr(data))

		// Without a socket, IDLE has no time limit and STARTTLS nothing to wrap.
		_, err = s.Idle(time.Second)
		fsAssertErr(t, err, "error", "duration requires a socket connection")
		_, _, err = s.StartTLS(nil)
		assert.Error(t, err)

		typ, data, err = s.Logout()
		require.NoError(t, err)
		assert.Equal(t, "BYE", typ)
		assert.Equal(t, "[b'IMAP4ref1 Server logging out']", Repr(data))
		assert.True(t, fsReaped(pid()), "Logout must wait for the child")
		assert.NoError(t, s.Shutdown(), "a second Shutdown is safe")
	})

	t.Run("shutdown_reaps", func(t *testing.T) {
		cmd, pid := fsChildCommand(t, "simple")
		s, err := NewIMAP4_stream(cmd)
		require.NoError(t, err)
		assert.NoError(t, s.Shutdown())
		assert.True(t, fsReaped(pid()))
		assert.NoError(t, s.Shutdown())
		// Sending to a child that is gone is an abort, not a panic.
		_, _, err = s.Noop()
		assert.ErrorIs(t, err, ErrAbort)
	})

	t.Run("command_exits_at_once", func(t *testing.T) {
		cmd, pid := fsStreamCommand(t, "exit 3")
		_, err := NewIMAP4_stream(cmd)
		fsAssertErr(t, err, "abort", "socket error: EOF")
		assert.True(t, fsReaped(pid()), "a failed constructor must reap the child")
	})

	t.Run("printf_greeting_then_exit", func(t *testing.T) {
		// A shell-only server: a greeting, then it reads the CAPABILITY
		// command and leaves without answering.
		cmd, pid := fsStreamCommand(t, `printf '* OK IMAP4rev1\r\n'; read line`)
		_, err := NewIMAP4_stream(cmd)
		fsAssertErr(t, err, "abort", "command: CAPABILITY => socket error: EOF")
		assert.True(t, fsReaped(pid()))
	})

	t.Run("refused_then_hanging_child_is_killed", func(t *testing.T) {
		cmd, pid := fsChildCommand(t, "bye-then-hang")
		began := time.Now()
		_, err := NewIMAP4_stream(cmd)
		fsAssertErr(t, err, "error", "b'* BYE go away'")
		assert.True(t, fsReaped(pid()), "the child must be killed and reaped")
		assert.Less(t, time.Since(began), 30*time.Second, "the child was killed, not waited out")
	})

	t.Run("endless_line", func(t *testing.T) {
		// A deliberate difference: CPython reads stream lines of any
		// length; the port bounds them by MaxLine, with the same error.
		cmd, pid := fsChildCommand(t, "endless")
		_, err := NewIMAP4_stream(cmd)
		fsAssertErr(t, err, "error", fmt.Sprintf("got more than %d bytes", MaxLine))
		assert.True(t, fsReaped(pid()))
	})

	t.Run("command_not_found", func(t *testing.T) {
		cmd, pid := fsStreamCommand(t, "exec /nonexistent/imapd 2>/dev/null")
		_, err := NewIMAP4_stream(cmd)
		fsAssertErr(t, err, "abort", "socket error: EOF")
		assert.True(t, fsReaped(pid()))
	})
}
