package imaplib

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// utRegexps are the module regexps that are matched at the start of a line,
// by their Python names.
var utRegexps = []struct {
	name string
	rx   *regexp.Regexp
	text string // the pattern as CPython spells it
}{
	{"Continuation", Continuation, continuationPattern},
	{"Flags", Flags, flagsPattern},
	{"InternalDate", InternalDate, internalDatePattern},
	{"Literal", Literal, literalPattern},
	{"Response_code", Response_code, responseCodePattern},
	{"Untagged_response", Untagged_response, untaggedResponsePattern},
	{"Untagged_status", Untagged_status, untaggedStatusPattern},
}

func TestRegexpPatternTexts(t *testing.T) {
	// Debug level 5 prints the pattern texts, so they must be CPython's to
	// the character. Expected values printed by CPython 3.13.
	want := map[string]string{
		"Continuation":      `\+( (?P<data>.*))?`,
		"Flags":             `.*FLAGS \((?P<flags>[^\)]*)\)`,
		"InternalDate":      `.*INTERNALDATE "(?P<day>[ 0123][0-9])-(?P<mon>[A-Z][a-z][a-z])-(?P<year>[0-9][0-9][0-9][0-9]) (?P<hour>[0-9][0-9]):(?P<min>[0-9][0-9]):(?P<sec>[0-9][0-9]) (?P<zonen>[-+])(?P<zoneh>[0-9][0-9])(?P<zonem>[0-9][0-9])"`,
		"Literal":           `.*{(?P<size>\d+)}$`,
		"Response_code":     `\[(?P<type>[A-Z-]+)( (?P<data>.*))?\]`,
		"Untagged_response": `\* (?P<type>[A-Z-]+)( (?P<data>.*))?`,
		"Untagged_status":   `\* (?P<data>\d+) (?P<type>[A-Z-]+)( (?P<data2>.*))?`,
	}
	for _, r := range utRegexps {
		assert.Equal(t, want[r.name], r.text, r.name)
	}
	assert.Equal(t, `\r\n|\r|\n`, mapCRLFPattern)
	assert.Equal(t, `(?P<tag>DCGF\d+) (?P<type>[A-Z]+) (?P<data>.*)`, tagrePattern([]byte("DCGF")))
}

func TestRegexpPatternTextsMatchPython(t *testing.T) {
	names := []string{"MapCRLF"}
	texts := []string{mapCRLFPattern}
	for _, r := range utRegexps {
		names = append(names, r.name)
		texts = append(texts, r.text)
	}
	var want []string
	utAskPython(t, "", map[string]any{"kind": "pattern", "in": names}, &want)
	assert.Equal(t, want, texts)
}

// utGroups renders a match as CPython's (m.group(0),) + m.groups(), with
// "<None>" for a group that did not take part.
func utGroups(m [][]byte) []string {
	if m == nil {
		return nil
	}
	out := make([]string, len(m))
	for i, g := range m {
		if g == nil {
			out[i] = "<None>"
		} else {
			out[i] = string(g)
		}
	}
	return out
}

func TestRegexps(t *testing.T) {
	// Expected values printed by CPython 3.11 and 3.13. None marks a group
	// that did not take part, which must stay apart from an empty one.
	const None = "<None>"
	tests := []struct {
		rx   string
		in   string
		want []string // nil: no match
	}{
		{"Continuation", "+", []string{"+", None, None}},
		{"Continuation", "+ ", []string{"+ ", " ", ""}},
		{"Continuation", "+ go ahead", []string{"+ go ahead", " go ahead", "go ahead"}},
		{"Continuation", "+foo", []string{"+", None, None}},
		{"Continuation", "* OK", nil},
		{"Continuation", "+ a\nb", []string{"+ a", " a", "a"}},
		{"Continuation", "", nil},
		{"Response_code", "[READ-WRITE] ok", []string{"[READ-WRITE]", "READ-WRITE", None, None}},
		{"Response_code", `[PERMANENTFLAGS (\Seen [x])] done`, []string{`[PERMANENTFLAGS (\Seen [x])]`, "PERMANENTFLAGS", ` (\Seen [x])`, `(\Seen [x])`}},
		{"Response_code", "[ALERT]", []string{"[ALERT]", "ALERT", None, None}},
		{"Response_code", "[alert]", nil},
		{"Response_code", "x [ALERT]", nil},
		{"Response_code", "[UIDNEXT 5", nil},
		{"Response_code", "[A]]", []string{"[A]", "A", None, None}},
		{"Untagged_response", "* OK ready", []string{"* OK ready", "OK", " ready", "ready"}},
		{"Untagged_response", "* FLAGS", []string{"* FLAGS", "FLAGS", None, None}},
		{"Untagged_response", "* 3 EXISTS", nil},
		{"Untagged_response", "*  OK", nil},
		{"Untagged_response", "* OK-X y", []string{"* OK-X y", "OK-X", " y", "y"}},
		{"Untagged_response", "* ok", nil},
		{"Untagged_status", "* 3 EXISTS", []string{"* 3 EXISTS", "3", "EXISTS", None, None}},
		{"Untagged_status", "* 12 FETCH (UID 1)", []string{"* 12 FETCH (UID 1)", "12", "FETCH", " (UID 1)", "(UID 1)"}},
		{"Untagged_status", "* 3", nil},
		{"Untagged_status", "* x EXISTS", nil},
		{"Untagged_status", "* 1 RECENT ", []string{"* 1 RECENT ", "1", "RECENT", " ", ""}},
		{"Literal", "* 1 FETCH (BODY[] {12}", []string{"* 1 FETCH (BODY[] {12}", "12"}},
		{"Literal", "{0}", []string{"{0}", "0"}},
		{"Literal", "x {3} ", nil},
		{"Literal", "x {a}", nil},
		{"Literal", "x {}", nil},
		{"Literal", "x\n{3}", nil},
		{"Literal", "{1}{2}", []string{"{1}{2}", "2"}},
		{"Flags", `* FLAGS (\Seen)`, []string{`* FLAGS (\Seen)`, `\Seen`}},
		{"Flags", "FLAGS ()", []string{"FLAGS ()", ""}},
		{"Flags", "FLAGS (a", nil},
		{"Flags", "x FLAGS (a) FLAGS (b)", []string{"x FLAGS (a) FLAGS (b)", "b"}},
		{"InternalDate", `1 (INTERNALDATE "17-Jul-1996 02:44:25 -0700")`,
			[]string{`1 (INTERNALDATE "17-Jul-1996 02:44:25 -0700"`, "17", "Jul", "1996", "02", "44", "25", "-", "07", "00"}},
		{"InternalDate", `INTERNALDATE " 1-Jan-2000 00:00:00 +0000"`,
			[]string{`INTERNALDATE " 1-Jan-2000 00:00:00 +0000"`, " 1", "Jan", "2000", "00", "00", "00", "+", "00", "00"}},
		{"InternalDate", `INTERNALDATE "1-Jan-2000 00:00:00 +0000"`, nil},
	}
	byName := map[string]*regexp.Regexp{}
	for _, r := range utRegexps {
		byName[r.name] = r.rx
	}
	for _, tc := range tests {
		t.Run(tc.rx+"/"+strconv.Quote(tc.in), func(t *testing.T) {
			rx := byName[tc.rx]
			require.NotNil(t, rx)
			assert.Equal(t, tc.want, utGroups(rx.FindSubmatch([]byte(tc.in))))
		})
	}
}

func TestRegexpNamedGroups(t *testing.T) {
	// The core reads groups by their Python names.
	want := map[string][]string{
		"Continuation":      {"data"},
		"Flags":             {"flags"},
		"InternalDate":      {"day", "mon", "year", "hour", "min", "sec", "zonen", "zoneh", "zonem"},
		"Literal":           {"size"},
		"Response_code":     {"type", "data"},
		"Untagged_response": {"type", "data"},
		"Untagged_status":   {"data", "type", "data2"},
	}
	for _, r := range utRegexps {
		for _, g := range want[r.name] {
			assert.Positive(t, r.rx.SubexpIndex(g), "%s has group %s", r.name, g)
		}
	}
}

func TestMapCRLF(t *testing.T) {
	// Expected values printed by CPython 3.13 for MapCRLF.sub(CRLF, x).
	assert.Equal(t, "a\r\nb\r\nc\r\nd\r\n\r\ne", string(MapCRLF.ReplaceAll([]byte("a\r\nb\rc\nd\n\re"), []byte("\r\n"))))
	assert.Equal(t, "\r\n\r\n\r\n", string(MapCRLF.ReplaceAll([]byte("\r\r\n\n"), []byte("\r\n"))))
}

// utLine makes a line from pieces that every module regexp cares about.
// Lines never end with "\n": the engine splits at LF, and Python's "$"
// (which also matches before a final newline) never sees one.
func utLine(r interface{ IntN(int) int }) []byte {
	pieces := []string{"* ", "+", " ", "OK", "FETCH", "FLAGS (", "(", ")", "[", "]", "{", "}", "0", "12", "7",
		"-", "A", "x", "READ-ONLY", `\Seen`, "\r", "\n", "\x00", "\xff", "\xc3\xa9", `INTERNALDATE "`,
		"17-Jul-1996 02:44:25 -0700\"", " 1-Jan-2000 00:00:00 +0000\"", "{3}", "{0}"}
	starts := []string{"", "* ", "* 3 ", "* 12 FETCH ", "* OK ", "+", "+ ", "[", "[READ-WRITE", "[A-B "}
	b := []byte(starts[r.IntN(len(starts))])
	for n := r.IntN(10); n > 0; n-- {
		b = append(b, pieces[r.IntN(len(pieces))]...)
	}
	return bytes.TrimRight(b, "\n")
}

func TestRegexpsMatchPython(t *testing.T) {
	for ri, r := range utRegexps {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			rnd := utRand(uint64(400 + ri))
			in := make([][]byte, 1500)
			for i := range in {
				in[i] = utLine(rnd)
			}
			var want [][]*[]byte
			utAskPython(t, "", map[string]any{"kind": "match", "name": r.name, "in": in}, &want)
			require.Len(t, want, len(in))
			matched := 0
			for i, x := range in {
				var w []string
				if want[i] != nil {
					matched++
					w = make([]string, len(want[i]))
					for j, g := range want[i] {
						if g == nil {
							w[j] = "<None>"
						} else {
							w[j] = string(*g)
						}
					}
				}
				assert.Equal(t, w, utGroups(r.rx.FindSubmatch(x)), "%s.match(%q)", r.name, x)
			}
			assert.Positive(t, matched, "the inputs should exercise matches")
			t.Logf("compared %d lines with CPython", len(in))
		})
	}
}

func TestMapCRLFMatchesPython(t *testing.T) {
	rnd := utRand(410)
	in := make([][]byte, 1000)
	for i := range in {
		in[i] = []byte{}
		for n := rnd.IntN(12); n > 0; n-- {
			in[i] = append(in[i], "\r\na"[rnd.IntN(3)])
		}
	}
	var want [][]byte
	utAskPython(t, "", map[string]any{"kind": "mapcrlf", "in": in}, &want)
	require.Len(t, want, len(in))
	for i, x := range in {
		assert.Equal(t, string(want[i]), string(MapCRLF.ReplaceAll(x, []byte("\r\n"))), "%q", x)
	}
	t.Logf("compared %d texts with CPython", len(in))
}

// utRefLiteral is an independent reading of Literal: the line ends with
// "{digits}" and no newline comes before the "{". It returns the digits.
// (Python's "$" would also accept one final "\n"; lines never have one.)
func utRefLiteral(b []byte) ([]byte, bool) {
	if !bytes.HasSuffix(b, []byte("}")) {
		return nil, false
	}
	body := b[:len(b)-1]
	i := len(body)
	for i > 0 && body[i-1] >= '0' && body[i-1] <= '9' {
		i--
	}
	if i == len(body) || i == 0 || body[i-1] != '{' {
		return nil, false
	}
	if bytes.IndexByte(body[:i-1], '\n') >= 0 {
		return nil, false
	}
	return body[i:], true
}

// utRefContinuation is an independent reading of Continuation: a line
// starting with "+", with data after "+ " up to the first newline.
func utRefContinuation(b []byte) (data []byte, isCont bool) {
	if len(b) == 0 || b[0] != '+' {
		return nil, false
	}
	if len(b) < 2 || b[1] != ' ' {
		return nil, true
	}
	rest := b[2:]
	if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	return rest, true
}

func FuzzRegexps(f *testing.F) {
	f.Add([]byte("* 1 FETCH (BODY[] {12}"))
	f.Add([]byte("+ "))
	f.Add([]byte("x\n{3}"))
	f.Add([]byte("{1}{2}"))
	f.Add([]byte(`* OK [PERMANENTFLAGS (\Seen [x])] ok`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, r := range utRegexps {
			m := r.rx.FindSubmatch(b)
			if m != nil {
				// re.match semantics: anchored at the start.
				require.True(t, bytes.HasPrefix(b, m[0]), "%s matched away from the start of %q", r.name, b)
			}
		}
		_ = MapCRLF.ReplaceAll(b, []byte("\r\n"))

		m := Literal.FindSubmatch(b)
		size, ok := utRefLiteral(b)
		require.Equal(t, ok, m != nil, "Literal.match(%q)", b)
		if ok {
			assert.Equal(t, string(size), string(m[Literal.SubexpIndex("size")]))
			assert.Equal(t, string(b), string(m[0]), "Literal spans the whole line")
		}

		m = Continuation.FindSubmatch(b)
		data, isCont := utRefContinuation(b)
		require.Equal(t, isCont, m != nil, "Continuation.match(%q)", b)
		if isCont {
			got := m[Continuation.SubexpIndex("data")]
			assert.Equal(t, data == nil, got == nil, "None versus b'' for %q", b)
			assert.Equal(t, string(data), string(got))
		}
	})
}
