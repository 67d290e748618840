package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCmdAddCaps(t *testing.T) {
	all := " UNSELECT ENABLE IDLE UTF8=ACCEPT NAMESPACE UIDPLUS MOVE CHILDREN"
	cases := []struct{ name, in, want string }{
		{"greeting", "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] IMAP server ready\r\n",
			"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN" + all + "] IMAP server ready\r\n"},
		{"untagged", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n", "* CAPABILITY IMAP4rev1 AUTH=PLAIN" + all + "\r\n"},
		{"no duplicates", "* CAPABILITY IMAP4rev1 IDLE enable UNSELECT NAMESPACE UIDPLUS MOVE CHILDREN UTF8=ACCEPT\r\n",
			"* CAPABILITY IMAP4rev1 IDLE enable UNSELECT NAMESPACE UIDPLUS MOVE CHILDREN UTF8=ACCEPT\r\n"},
		{"other response", "* 1 EXISTS\r\n", "* 1 EXISTS\r\n"},
		{"tagged code", "A1 OK [CAPABILITY IMAP4rev1] Logged in\r\n", "A1 OK [CAPABILITY IMAP4rev1] Logged in\r\n"},
		{"more than a line", "* CAPABILITY IMAP4rev1\r\nA1 OK done\r\n", "* CAPABILITY IMAP4rev1\r\nA1 OK done\r\n"},
		{"part of a line", "* CAPABILITY IMAP4rev1", "* CAPABILITY IMAP4rev1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(addCaps([]byte(tc.in))))
		})
	}
}
