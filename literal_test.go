package imaplib

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// M.Literal is Python's M.literal: the next command announces it as a
// literal and sends it when the server asks, as in the common idiom
//
//	M.literal = 'Grüße'.encode(); M.search('CHARSET', 'UTF-8', 'SUBJECT')
func TestLiteralAttributeSendsTheNextCommandsLiteral(t *testing.T) {
	for _, c := range []Compat{CompatClassic, CompatCurrent} {
		t.Run(c.Name, func(t *testing.T) {
			fsProfile(t, c)
			h := fsScriptHandler("", map[string][]string{
				"SELECT": {"S * 2 EXISTS", "S {tag} OK done"},
				"SEARCH": {"L", "S * SEARCH 2", "S {tag} OK SEARCH completed"},
			})
			m, srv := fsSetup(t, h, false)
			_, _, err := m.Login("user", "pass")
			require.NoError(t, err)
			_, _, err = m.Select("", false)
			require.NoError(t, err)

			m.Literal = []byte("Grüße")
			typ, data, err := m.Search("", "CHARSET", "UTF-8", "SUBJECT")
			require.NoError(t, err)
			assert.Equal(t, "OK", typ)
			assert.Equal(t, [][]byte{[]byte("2")}, data)
			assert.Nil(t, m.Literal, "the command clears the literal")

			// The literal goes once: the next command has none.
			_, _, err = m.Noop()
			require.NoError(t, err)
			got := fsNormTags(srv.stream())
			assert.Contains(t, got, "TAG3 SEARCH CHARSET UTF-8 SUBJECT {7}\r\nGrüße\r\nTAG4 NOOP\r\n")
		})
	}
}

// An empty, non-nil M.Literal is a literal of zero bytes; nil is none.
func TestLiteralAttributeEmptyIsZeroBytes(t *testing.T) {
	fsProfile(t, CompatClassic)
	h := fsScriptHandler("", map[string][]string{
		"XZERO": {"L", "S {tag} OK done"},
	})
	m, srv := fsSetup(t, h, false)
	m.Literal = []byte{}
	_, _, err := m.XAtom("XZERO")
	require.NoError(t, err)
	assert.Contains(t, fsNormTags(srv.stream()), "TAG1 XZERO {0}\r\n\r\n")
}
