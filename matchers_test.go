package imaplib

import (
	"fmt"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bnMatcher pairs a hand-written matcher with the regexp it stands for.
type bnMatcher struct {
	name  string
	re    *regexp.Regexp
	match func(dst [][]byte, b []byte) [][]byte
}

// bnTagpre is the tag prefix the tagged matcher is checked with in the
// table; the fuzz test varies it.
const bnTagpre = "JGLM"

var bnTagre = pyMatch(tagrePattern([]byte(bnTagpre)))

func bnMatchers() []bnMatcher {
	return []bnMatcher{
		{"tagre", bnTagre, func(dst [][]byte, b []byte) [][]byte { return matchTagged(dst, []byte(bnTagpre), b) }},
		{"Untagged_response", Untagged_response, matchUntaggedResponse},
		{"Untagged_status", Untagged_status, matchUntaggedStatus},
		{"Continuation", Continuation, matchContinuation},
		{"Literal", Literal, matchLiteral},
		{"Response_code", Response_code, matchResponseCode},
	}
}

// bnGroups builds expected submatches: a nil argument is a group that took
// no part, a string is a group that matched (possibly empty).
func bnGroups(groups ...any) [][]byte {
	out := make([][]byte, len(groups))
	for i, g := range groups {
		if g != nil {
			out[i] = []byte(g.(string))
		}
	}
	return out
}

// bnSameSubmatches checks got against want group by group, telling a nil
// group from an empty one, and checks that every group is capped at its
// length, as regexp returns them. who names the result checked.
func bnSameSubmatches(t *testing.T, want, got [][]byte, who string) {
	t.Helper()
	if want == nil || got == nil {
		assert.Equal(t, want == nil, got == nil, "%s: no match on one side only (want %q, got %q)", who, want, got)
		return
	}
	if !assert.Len(t, got, len(want), who) {
		return
	}
	for i := range want {
		assert.Equal(t, want[i] == nil, got[i] == nil, "%s: group %d taking part", who, i)
		assert.Equal(t, string(want[i]), string(got[i]), "%s: group %d", who, i)
		assert.Equal(t, len(got[i]), cap(got[i]), "%s: group %d is capped at its length", who, i)
	}
}

func TestBnMatchersTable(t *testing.T) {
	cases := []struct {
		matcher string
		in      string
		want    [][]byte // nil: no match
	}{
		{"tagre", "JGLM12 OK FETCH completed", bnGroups("JGLM12 OK FETCH completed", "JGLM12", "OK", "FETCH completed")},
		{"tagre", "JGLM12 OK ", bnGroups("JGLM12 OK ", "JGLM12", "OK", "")},
		{"tagre", "JGLM12 OK", nil},
		{"tagre", "JGLM OK done", nil},
		{"tagre", "JGLX12 OK done", nil},
		{"tagre", "JGLM12 OK-X done", nil},
		{"tagre", "JGLM12  OK done", nil},
		{"tagre", "JGLM7 NO [ALERT] a\nb", bnGroups("JGLM7 NO [ALERT] a", "JGLM7", "NO", "[ALERT] a")},
		{"Untagged_response", "* OK [UIDNEXT 4] Predicted", bnGroups("* OK [UIDNEXT 4] Predicted", "OK", " [UIDNEXT 4] Predicted", "[UIDNEXT 4] Predicted")},
		{"Untagged_response", "* SEARCH", bnGroups("* SEARCH", "SEARCH", nil, nil)},
		{"Untagged_response", "* SEARCH ", bnGroups("* SEARCH ", "SEARCH", " ", "")},
		{"Untagged_response", "* X-ONE(2)", bnGroups("* X-ONE", "X-ONE", nil, nil)},
		{"Untagged_response", "* 12 EXISTS", nil},
		{"Untagged_response", "*  OK", nil},
		{"Untagged_response", "* ok", nil},
		{"Untagged_response", "* BYE a\nb", bnGroups("* BYE a", "BYE", " a", "a")},
		{"Untagged_status", "* 12 FETCH (FLAGS (\\Seen) UID 12)", bnGroups("* 12 FETCH (FLAGS (\\Seen) UID 12)", "12", "FETCH", " (FLAGS (\\Seen) UID 12)", "(FLAGS (\\Seen) UID 12)")},
		{"Untagged_status", "* 3 EXISTS", bnGroups("* 3 EXISTS", "3", "EXISTS", nil, nil)},
		{"Untagged_status", "* 3 EXISTS\xff", bnGroups("* 3 EXISTS", "3", "EXISTS", nil, nil)},
		{"Untagged_status", "* 3  EXISTS", nil},
		{"Untagged_status", "* 3 exists", nil},
		{"Untagged_status", "* OK done", nil},
		{"Untagged_status", "* 3", nil},
		{"Continuation", "+ go ahead", bnGroups("+ go ahead", " go ahead", "go ahead")},
		{"Continuation", "+", bnGroups("+", nil, nil)},
		{"Continuation", "+ ", bnGroups("+ ", " ", "")},
		{"Continuation", "+go", bnGroups("+", nil, nil)},
		{"Continuation", "+ a\nb", bnGroups("+ a", " a", "a")},
		{"Continuation", " + a", nil},
		{"Literal", "1 (RFC822 {65536}", bnGroups("1 (RFC822 {65536}", "65536")},
		{"Literal", "{0}", bnGroups("{0}", "0")},
		{"Literal", "a {{12}", bnGroups("a {{12}", "12")},
		{"Literal", "1 (RFC822 {65536} ", nil},
		{"Literal", "1 (RFC822 {}", nil},
		{"Literal", "1 (RFC822 {6a5}", nil},
		{"Literal", "a\nb {5}", nil},
		{"Literal", "ab {5}\n", nil},
		{"Literal", "\xff\xfe{5}", bnGroups("\xff\xfe{5}", "5")},
		{"Response_code", "[UIDNEXT 4] Predicted", bnGroups("[UIDNEXT 4]", "UIDNEXT", " 4", "4")},
		{"Response_code", "[READ-WRITE] SELECT completed", bnGroups("[READ-WRITE]", "READ-WRITE", nil, nil)},
		{"Response_code", "[PERMANENTFLAGS (\\Seen [x])] ok ] tail", bnGroups("[PERMANENTFLAGS (\\Seen [x])] ok ]", "PERMANENTFLAGS", " (\\Seen [x])] ok ", "(\\Seen [x])] ok ")},
		{"Response_code", "[ALERT ]", bnGroups("[ALERT ]", "ALERT", " ", "")},
		{"Response_code", "[ALERT x]\n]", bnGroups("[ALERT x]", "ALERT", " x", "x")},
		{"Response_code", "[ALERT x\n]", nil},
		{"Response_code", "[ALERT", nil},
		{"Response_code", "[alert]", nil},
		{"Response_code", "[]", nil},
		{"Response_code", "OK [ALERT]", nil},
	}
	byName := map[string]bnMatcher{}
	for _, m := range bnMatchers() {
		byName[m.name] = m
	}
	for _, tc := range cases {
		t.Run(tc.matcher+"/"+fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			m, ok := byName[tc.matcher]
			require.True(t, ok, "unknown matcher %s", tc.matcher)
			in := []byte(tc.in)
			bnSameSubmatches(t, tc.want, m.re.FindSubmatch(in), "the regexp")
			bnSameSubmatches(t, tc.want, m.match(nil, in), "the matcher")
			var g submatches
			bnSameSubmatches(t, tc.want, m.match(g[:0], in), "the matcher into an array")
		})
	}
}

// bnTagreCache holds the tagged regexps the fuzz test compiled, by prefix.
var bnTagreCache = map[string]*regexp.Regexp{}

func FuzzMatchers(f *testing.F) {
	for _, seed := range []string{
		"JGLM1 OK done", "* 1 FETCH (UID 1)", "* OK [ALERT] x", "+ ready", "x {12}",
		"[CAPABILITY IMAP4rev1] y", "* 2 EXPUNGE", "* SEARCH 1 2 3",
	} {
		f.Add([]byte(seed), bnTagpre)
	}
	f.Fuzz(func(t *testing.T, line []byte, tagpre string) {
		for _, m := range bnMatchers() {
			if m.name == "tagre" {
				continue
			}
			bnSameSubmatches(t, m.re.FindSubmatch(line), m.match(nil, line), m.name)
		}
		// A tag prefix the regexp package refuses (invalid UTF-8) could
		// never be compiled by a connection either.
		if !utf8.ValidString(tagpre) || len(tagpre) > 8 {
			return
		}
		re, ok := bnTagreCache[tagpre]
		if !ok {
			re = pyMatch(tagrePattern([]byte(tagpre)))
			bnTagreCache[tagpre] = re
		}
		bnSameSubmatches(t, re.FindSubmatch(line), matchTagged(nil, []byte(tagpre), line), "tagre "+tagpre)
	})
}

// TestBnMatchersNoAlloc checks that a matcher writing into an array on the
// caller's stack allocates nothing, which is what makes them worth having
// on the hot path.
func TestBnMatchersNoAlloc(t *testing.T) {
	line := []byte("* 12 FETCH (FLAGS (\\Seen) UID 12)")
	code := []byte("[UIDNEXT 4] Predicted")
	allocs := testing.AllocsPerRun(100, func() {
		var g submatches
		if matchUntaggedStatus(g[:0], line) == nil || matchResponseCode(g[:0], code) == nil ||
			matchUntaggedResponse(g[:0], line) != nil || matchLiteral(g[:0], line) != nil {
			panic("unexpected match result")
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkMatchers(b *testing.B) {
	inputs := map[string][]byte{
		"tagre":             []byte("JGLM12 OK FETCH completed"),
		"Untagged_response": []byte("* OK [UIDNEXT 4] Predicted next UID"),
		"Untagged_status":   []byte("* 12 FETCH (FLAGS (\\Seen) UID 12)"),
		"Continuation":      []byte("+ go ahead"),
		"Literal":           []byte("12 (RFC822 {65536}"),
		"Response_code":     []byte("[UIDNEXT 4] Predicted next UID"),
	}
	for _, m := range bnMatchers() {
		in := inputs[m.name]
		b.Run(m.name+"/regexp", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if m.re.FindSubmatch(in) == nil {
					b.Fatal("no match")
				}
			}
		})
		b.Run(m.name+"/hand", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if !bnMatchDirect(m.name, in) {
					b.Fatal("no match")
				}
			}
		})
	}
}

// bnMatchDirect calls a matcher directly, not through a function value, so
// that its result array stays on the stack as it does in the engine.
func bnMatchDirect(name string, in []byte) bool {
	var g submatches
	switch name {
	case "tagre":
		return matchTagged(g[:0], []byte(bnTagpre), in) != nil
	case "Untagged_response":
		return matchUntaggedResponse(g[:0], in) != nil
	case "Untagged_status":
		return matchUntaggedStatus(g[:0], in) != nil
	case "Continuation":
		return matchContinuation(g[:0], in) != nil
	case "Literal":
		return matchLiteral(g[:0], in) != nil
	case "Response_code":
		return matchResponseCode(g[:0], in) != nil
	}
	panic("unknown matcher " + name)
}
