package imaplib

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// Expected texts were produced by CPython: bytes.decode('utf-8', 'replace')
// and bytes.decode('ascii', 'replace').
func TestUTF8ReplaceMatchesPython(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"\xff\xfe", "\ufffd\ufffd"},
		{"\xe2\x82", "\ufffd"},
		{"\xe2\x82a", "\ufffda"},
		{"\xe2\x82\xac", "\u20ac"},
		{"\xed\xa0\x80", "\ufffd\ufffd\ufffd"},
		{"\xf0\x90\x80", "\ufffd"},
		{"\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd"},
		{"\xc0\xaf", "\ufffd\ufffd"},
		{"caf\xc3\xa9 \xc3", "café \ufffd"},
		{"\xe0\x80\x80", "\ufffd\ufffd\ufffd"},
		{"\xf0\x80\x80\x80", "\ufffd\ufffd\ufffd\ufffd"},
		{"\x80\xbf", "\ufffd\ufffd"},
		{"[AUTHENTICATIONFAILED] \xffbad", "[AUTHENTICATIONFAILED] \ufffdbad"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, utf8Replace([]byte(c.in)), "%q", c.in)
	}
}

func TestASCIIReplaceMatchesPython(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"\xff\x7f\x80", "\ufffd\x7f\ufffd"},
		{"shutting down \xc3\xa9", "shutting down \ufffd\ufffd"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, asciiReplace([]byte(c.in)), "%q", c.in)
	}
}

// FuzzUTF8Replace checks the decoder's invariants: the result is valid
// UTF-8, valid input passes unchanged, and every input byte is accounted
// for by a kept byte or a replacement.
func FuzzUTF8Replace(f *testing.F) {
	for _, s := range []string{"", "abc", "\xe2\x82a", "\xf4\x90\x80\x80", "caf\xc3\xa9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := utf8Replace(b)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 out of %q", b)
		}
		if utf8.Valid(b) && got != string(b) {
			t.Fatalf("valid input changed: %q -> %q", b, got)
		}
		if utf8.RuneCountInString(got) > len(b) {
			t.Fatalf("more runes than input bytes: %q -> %q", b, got)
		}
	})
}
