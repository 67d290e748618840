package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestWireMatchesRendering checks the size arithmetic the raw readers
// rely on against a rendered reply.
func TestWireMatchesRendering(t *testing.T) {
	for _, size := range []int{0, 1, 77, 78, 79, 155, 156, 157, 65536} {
		w := workload{Name: "fetch-bulk", Count: 3, Size: size}
		msg := message(size)
		assert.Equal(t, int64(bytes.Count(msg, []byte("\n"))), messageNewlines(size), "newlines of a %d-byte message", size)
		var rendered expect
		for _, p := range w.reply(msg, false) {
			rendered.Count += int64(bytes.Count(p, []byte("\n")))
			rendered.Check += int64(len(p))
		}
		rendered.Count++
		rendered.Check += int64(len(completion("a3", "FETCH")))
		assert.Equal(t, rendered, w.wire("a3"), "wire counts for %d-byte messages", size)
	}
}

// TestLiteralSize checks the server's reading of APPEND's literal.
func TestLiteralSize(t *testing.T) {
	cases := []struct {
		args string
		n    int64
		ok   bool
	}{
		{"INBOX {65536}", 65536, true},
		{"INBOX (\\Seen) {12+}", 12, true},
		{"INBOX", 0, false},
		{"INBOX {x}", 0, false},
	}
	for _, c := range cases {
		n, ok := literalSize(c.args)
		assert.Equal(t, c.ok, ok, c.args)
		assert.Equal(t, c.n, n, c.args)
	}
}
