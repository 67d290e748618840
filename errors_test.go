package imaplib

// The error type: Python's exception hierarchy through errors.Is, Class(),
// and the messages of the catalogue that the other test files do not reach.

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorHierarchy(t *testing.T) {
	cases := []struct {
		err                        *Error
		class                      string
		isError, isAbort, isReadon bool
	}{
		{newError("e"), "error", true, false, false},
		{newAbort("a"), "abort", true, true, false},
		{newReadonly("r"), "readonly", true, true, true},
	}
	for _, c := range cases {
		t.Run(c.class, func(t *testing.T) {
			assert.Equal(t, c.class, c.err.Class())
			assert.Equal(t, c.isError, errors.Is(c.err, ErrError), "isinstance(e, IMAP4.error)")
			assert.Equal(t, c.isAbort, errors.Is(c.err, ErrAbort), "isinstance(e, IMAP4.abort)")
			assert.Equal(t, c.isReadon, errors.Is(c.err, ErrReadonly), "isinstance(e, IMAP4.readonly)")

			// Wrapping keeps the class.
			wrapped := fmt.Errorf("while fetching: %w", c.err)
			assert.Equal(t, c.isAbort, errors.Is(wrapped, ErrAbort))
			var e *Error
			require.True(t, errors.As(wrapped, &e))
			assert.Equal(t, c.class, e.Class())
			assert.Same(t, c.err, e)

			// An imaplib error is no other error, and no other error is one.
			assert.False(t, errors.Is(c.err, io.EOF))
			assert.False(t, errors.Is(c.err, ErrControlCharacters))
		})
	}

	t.Run("sentinels", func(t *testing.T) {
		// The sentinels stand for the classes: issubclass holds between them.
		assert.True(t, errors.Is(ErrReadonly, ErrAbort))
		assert.True(t, errors.Is(ErrAbort, ErrError))
		assert.False(t, errors.Is(ErrError, ErrAbort))
		assert.False(t, errors.Is(ErrAbort, ErrReadonly))
		assert.Equal(t, "error", ErrError.Class())
		assert.Equal(t, "abort", ErrAbort.Class())
		assert.Equal(t, "readonly", ErrReadonly.Class())
	})

	t.Run("others_are_not_imaplib_errors", func(t *testing.T) {
		for _, err := range []error{io.EOF, ErrControlCharacters, errors.New("x")} {
			assert.False(t, errors.Is(err, ErrError), "%v", err)
			var e *Error
			assert.False(t, errors.As(err, &e), "%v", err)
		}
		assert.Equal(t, "Control characters not allowed in commands", ErrControlCharacters.Error())
	})

	t.Run("message_is_str_of_the_exception", func(t *testing.T) {
		for _, msg := range []string{"", "b'* BYE go away'", "caf\u00e9", "a\nb"} {
			assert.Equal(t, msg, newAbort(msg).Error())
		}
	})
}

// TestErrorCatalogue covers the messages of the facts file's catalogue that
// no other test reaches.
func TestErrorCatalogue(t *testing.T) {
	t.Run("idle_not_supported", func(t *testing.T) {
		m, _ := fsSetup(t, fsScriptHandler("", nil), false)
		m.State = "AUTH"
		_, err := m.Idle(0)
		fsAssertErr(t, err, "error", "Server does not support IMAP4 IDLE")
	})

	t.Run("line_too_long_inside_a_command", func(t *testing.T) {
		// A plain error raised while waiting is wrapped as an error, not an
		// abort: "command: NOOP => ...".
		m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
			c.send([]byte("* OK " + strings.Repeat("x", 50)))
		}}}, false)
		saved := MaxLine
		MaxLine = 20
		t.Cleanup(func() { MaxLine = saved })
		_, _, err := m.Noop()
		fsAssertErr(t, err, "error", "command: NOOP => got more than 20 bytes")
		assert.NotErrorIs(t, err, ErrAbort)
	})

	t.Run("bye_text_decoding", func(t *testing.T) {
		// _check_bye decodes with the connection's encoding and 'replace'.
		handler := func() *fsHandler {
			return fsScriptHandler("ENABLE UTF8=ACCEPT", map[string][]string{
				"NOOP": {"S * BYE caf\u00e9 closed", "S {tag} OK done"},
			})
		}
		m, _ := fsSetup(t, handler(), false)
		_, _, err := m.Noop()
		fsAssertErr(t, err, "abort", "command: NOOP => caf\ufffd\ufffd closed")

		m, _ = fsSetup(t, handler(), false)
		m.State = "AUTH"
		_, _, err = m.Enable("UTF8=ACCEPT")
		require.NoError(t, err)
		_, _, err = m.Noop()
		fsAssertErr(t, err, "abort", "command: NOOP => caf\u00e9 closed")
	})

	t.Run("authenticate_text_decoding", func(t *testing.T) {
		m, _ := fsSetup(t, fsScriptHandler("", map[string][]string{
			"AUTHENTICATE": {"C", "S {tag} NO bad \xc3 x"},
		}), false)
		_, _, err := m.Authenticate("MYAUTH", fsFakeAuth)
		fsAssertErr(t, err, "error", "bad \ufffd x")
	})

	t.Run("empty_flags_index_error", func(t *testing.T) {
		// Python looks at flags[0]: IndexError, before anything is sent.
		m, srv := fsSetup(t, fsScriptHandler("", nil), false)
		m.State = "SELECTED"
		before := len(srv.stream())
		_, _, err := m.Store("1", "+FLAGS", "")
		require.EqualError(t, err, "string index out of range")
		var e *Error
		assert.False(t, errors.As(err, &e), "CPython raises IndexError, not an imaplib error")
		_, _, err = m.Sort("", "UTF-8", "ALL")
		assert.EqualError(t, err, "string index out of range")
		assert.Equal(t, before, len(srv.stream()))
	})

	t.Run("append_date_of_unknown_type", func(t *testing.T) {
		m, srv := fsSetup(t, fsScriptHandler("", nil), false)
		m.State = "AUTH"
		before := len(srv.stream())
		_, _, err := m.Append("", "", struct{}{}, []byte("x"))
		require.EqualError(t, err, "date_time not of a known type")
		assert.Equal(t, before, len(srv.stream()))
		// The refused APPEND leaves no literal behind.
		_, _, err = m.Noop()
		require.NoError(t, err)
		assert.Equal(t, "TAG1 NOOP\r\n", fsNormTags(srv.stream()[before:]))
	})

	t.Run("authenticate_bad_base64_challenge", func(t *testing.T) {
		// binascii.Error from decoding the challenge escapes as is.
		for _, c := range []struct{ challenge, msg string }{
			{"abc", "Incorrect padding"},
			{"abcde", "Invalid base64-encoded string: number of data characters (5) cannot be 1 more than a multiple of 4"},
		} {
			t.Run(c.challenge, func(t *testing.T) {
				m, _ := fsSetup(t, fsScriptHandler("", map[string][]string{
					"AUTHENTICATE": {"C " + c.challenge, "S {tag} OK done"},
				}), false)
				_, _, err := m.Authenticate("MYAUTH", fsFakeAuth)
				require.EqualError(t, err, c.msg)
				var e *Error
				assert.False(t, errors.As(err, &e))
			})
		}
	})

	t.Run("lenient_base64_challenge", func(t *testing.T) {
		// a2b_base64 skips characters outside the alphabet.
		var got []byte
		m, _ := fsSetup(t, fsScriptHandler("", map[string][]string{
			"AUTHENTICATE": {"C YW!Jj", "S {tag} OK done"},
		}), false)
		_, _, err := m.Authenticate("MYAUTH", func(c []byte) []byte { got = c; return []byte{} })
		require.NoError(t, err)
		assert.Equal(t, "abc", string(got))
	})

	t.Run("send_after_peer_closed", func(t *testing.T) {
		m, _ := fsSetup(t, &fsHandler{cmds: map[string]fsCmd{"NOOP": func(c *fsConn, tag string, args []string) {
			c.sendTagged(tag, "OK", "bye")
			c.nc.Close()
		}}}, false)
		_, _, err := m.Noop()
		require.NoError(t, err)
		// Writes to a peer that closed fail once the reset arrives; the
		// first may still succeed and then the read finds EOF.
		var last error
		assert.Eventually(t, func() bool {
			_, _, last = m.Noop()
			return last != nil && strings.HasPrefix(last.Error(), "socket error: write")
		}, 5*time.Second, 10*time.Millisecond)
		if last != nil {
			assert.ErrorIs(t, last, ErrAbort)
		}
	})
}
