package imaplib

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBytesRepr(t *testing.T) {
	// Expected values printed by CPython 3.11 and 3.13.
	tests := []struct {
		in, want string
	}{
		{"", `b''`},
		{"abc", `b'abc'`},
		{"'", `b"'"`},
		{`"`, `b'"'`},
		{`'"`, `b'\'"'`},
		{`\`, `b'\\'`},
		{"\t\n\r", `b'\t\n\r'`},
		{"\x00\x1f\x7f\x80\xff", `b'\x00\x1f\x7f\x80\xff'`},
		{"* OK [CAPABILITY IMAP4rev1] ready\r\n", `b'* OK [CAPABILITY IMAP4rev1] ready\r\n'`},
		{"it's", `b"it's"`},
		{"\x0b\x0c\x1b", `b'\x0b\x0c\x1b'`},
		{" ~", `b' ~'`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, bytesRepr([]byte(tc.in)))
		})
	}
}

func TestStrRepr(t *testing.T) {
	// Expected values printed by CPython 3.11 and 3.13; the bytes that are
	// not UTF-8 were decoded with errors='surrogateescape' first.
	tests := []struct {
		in, want string
	}{
		{"", `''`},
		{"abc", `'abc'`},
		{"'", `"'"`},
		{`"`, `'"'`},
		{`'"`, `'\'"'`},
		{`\`, `'\\'`},
		{"\t\n\r", `'\t\n\r'`},
		{"\x00\x1f\x7f", `'\x00\x1f\x7f'`},
		{"\u0080\u009f\u00a0\u00ad\u00e9\u00ff", `'\x80\x9f\xa0\xadéÿ'`},
		{"\u0100\u2028\u2029\u200b\u3000\ufeff\ufffd\uffff", `'Ā\u2028\u2029\u200b\u3000\ufeff�\uffff'`},
		{"\U0001F600\U000E0001\U0010FFFF\U00020000", `'😀\U000e0001\U0010ffff𠀀'`},
		{"a\xffb\xc3", `'a\udcffb\udcc3'`},
		{"\xed\xa0\x80", `'\udced\udca0\udc80'`},
		{"Unknown IMAP4 command: 'foo'", `"Unknown IMAP4 command: 'foo'"`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, strRepr(tc.in))
		})
	}
}

func TestFloatRepr(t *testing.T) {
	// Expected values printed by CPython 3.11 and 3.13.
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{1.5, "1.5"},
		{100, "100.0"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1.2345e16, "1.2345e+16"},
		{1e-4, "0.0001"},
		{1e-5, "1e-05"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{1e300, "1e+300"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{123456789.125, "123456789.125"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, floatRepr(tc.in))
		})
	}
}

type utStringer struct{ n int }

func (s utStringer) String() string { return fmt.Sprintf("stringer %d", s.n) }

func TestRepr(t *testing.T) {
	// Expected values printed by CPython 3.11 for the Python value each Go
	// value stands for.
	fetch := [][]byte{[]byte("1 (RFC822 {3}"), []byte("abc"), []byte(")")}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"None", nil, "None"},
		{"True", true, "True"},
		{"False", false, "False"},
		{"int", 42, "42"},
		{"int64", int64(-7), "-7"},
		{"uint8", uint8(200), "200"},
		{"uint64", uint64(math.MaxUint64), "18446744073709551615"},
		{"float", 2.5, "2.5"},
		{"float32", float32(0.5), "0.5"},
		{"bytes", []byte("a'b"), `b"a'b"`},
		{"empty bytes", []byte{}, `b''`},
		{"nil bytes is None", []byte(nil), "None"},
		{"str", "OK", `'OK'`},
		{"fetch data", fetch, `[(b'1 (RFC822 {3}', b'abc'), b')']`},
		{"None in data", [][]byte{nil}, `[None]`},
		{"b'' in data", [][]byte{{}}, `[b'']`},
		{"empty data", [][]byte{}, `[]`},
		{"nil data", [][]byte(nil), `[]`},
		{"mixed data", [][]byte{[]byte("1 (UID 3 BODY[] {0}"), {}, []byte(")"), nil, []byte("2 {2}"), []byte("\r\n"), []byte("{1}")},
			`[(b'1 (UID 3 BODY[] {0}', b''), b')', None, (b'2 {2}', b'\r\n'), b'{1}']`},
		{"literal cut short", [][]byte{[]byte("1 (BODY[] {10}"), []byte("short")}, `[(b'1 (BODY[] {10}', b'short')]`},
		{"items", Items(fetch), `[(b'1 (RFC822 {3}', b'abc'), b')']`},
		{"one item", Items(fetch)[0], `(b'1 (RFC822 {3}', b'abc')`},
		{"empty tuple", []string{}, `()`},
		{"one-tuple", []string{"X"}, `('X',)`},
		{"capabilities", []string{"IMAP4REV1", "IDLE"}, `('IMAP4REV1', 'IDLE')`},
		{"list", []any{"OK", [][]byte{[]byte("x")}}, `['OK', [b'x']]`},
		{"dict", map[string][][]byte{"FLAGS": {[]byte(`(\Seen)`)}, "EXISTS": {[]byte("1")}}, `{'EXISTS': [b'1'], 'FLAGS': [b'(\\Seen)']}`},
		{"fallback error", errors.New("boom"), "boom"},
		{"fallback stringer", utStringer{3}, "stringer 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Repr(tc.in))
		})
	}
}

// utReprInput makes byte strings rich in what repr treats specially.
func utReprInput(r interface{ IntN(int) int }) []byte {
	b := []byte{}
	for n := r.IntN(24); n > 0; n-- {
		switch r.IntN(4) {
		case 0:
			b = append(b, "'\"\\\t\n\r"[r.IntN(6)])
		case 1:
			b = append(b, byte(r.IntN(256)))
		default:
			b = append(b, byte(0x20+r.IntN(0x5f)))
		}
	}
	return b
}

func TestBytesReprMatchesPython(t *testing.T) {
	r := utRand(10)
	in := make([][]byte, 3000)
	for i := range in {
		in[i] = utReprInput(r)
	}
	var want []string
	utAskPython(t, "", map[string]any{"kind": "bytes_repr", "in": in}, &want)
	require.Len(t, want, len(in))
	for i, x := range in {
		assert.Equal(t, want[i], bytesRepr(x), "%x", x)
	}
	t.Logf("compared %d byte strings with CPython", len(in))
}

// utAssigned reports whether Go's Unicode tables give c a category; the
// time package's tables have no "unassigned" (Cn) table of their own.
func utAssigned(c rune) bool {
	return unicode.IsPrint(c) || unicode.IsControl(c) ||
		unicode.In(c, unicode.Cf, unicode.Co, unicode.Cs, unicode.Zs, unicode.Zl, unicode.Zp)
}

func TestStrReprMatchesPython(t *testing.T) {
	var ver []string
	utAskPython(t, "", map[string]any{"kind": "version"}, &ver)
	require.Len(t, ver, 2)
	r := utRand(11)
	in := make([][]byte, 3000)
	for i := range in {
		b := utReprInput(r)
		for n := r.IntN(8); n > 0; n-- {
			c := rune(r.IntN(unicode.MaxRune + 1))
			switch r.IntN(8) {
			case 0: // anything, unassigned code points included
			case 1, 2:
				c = rune(0x80 + r.IntN(0x780))
			default: // mostly assigned ones: most of the range is not
				for !utAssigned(c) {
					c = rune(r.IntN(unicode.MaxRune + 1))
				}
			}
			if utf8.ValidRune(c) {
				b = utf8.AppendRune(b, c)
			}
		}
		in[i] = b
	}
	var want []struct {
		Repr     string `json:"repr"`
		Assigned bool   `json:"assigned"`
	}
	utAskPython(t, "", map[string]any{"kind": "str_repr", "in": in}, &want)
	require.Len(t, want, len(in))
	compared := 0
	for i, x := range in {
		// Printability follows the Unicode tables. When Python's Unicode
		// version is not Go's, a code point assigned in one and not in the
		// other is printed by one and escaped by the other; such strings
		// are left out.
		if ver[1] != unicode.Version {
			ok := want[i].Assigned
			for _, c := range string(x) {
				ok = ok && (c == utf8.RuneError || utAssigned(c))
			}
			if !ok {
				continue
			}
		}
		compared++
		assert.Equal(t, want[i].Repr, strRepr(string(x)), "%q", x)
	}
	assert.Greater(t, compared, len(in)/2)
	t.Logf("compared %d strings with CPython %s (Unicode %s; Go has %s)", compared, ver[0], ver[1], unicode.Version)
}

func TestFloatReprMatchesPython(t *testing.T) {
	r := utRand(12)
	var in []float64
	for i := 0; i < 2000; i++ {
		switch i % 4 {
		case 0:
			in = append(in, math.Float64frombits(r.Uint64()))
		case 1:
			in = append(in, math.Pow10(r.IntN(40)-20)*float64(r.IntN(100000)))
		case 2:
			in = append(in, float64(r.Int64N(1<<53))/float64(int64(1)<<r.IntN(60)))
		default:
			in = append(in, r.NormFloat64()*math.Pow10(r.IntN(30)))
		}
	}
	texts := make([]string, len(in))
	for i, f := range in {
		texts[i] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	var want []string
	utAskPython(t, "", map[string]any{"kind": "float_repr", "in": texts}, &want)
	require.Len(t, want, len(in))
	for i, f := range in {
		assert.Equal(t, want[i], floatRepr(f), "%v", f)
	}
	t.Logf("compared %d floats with CPython", len(in))
}

// utPyItem is one element of Python-shaped data for the oracle: bytes,
// None (nil) or a (header, literal) tuple.
type utPyItem struct {
	B *[]byte  `json:"b,omitempty"`
	T [][]byte `json:"t,omitempty"`
}

func TestReprDataMatchesPython(t *testing.T) {
	// Random data as CPython shapes it, flattened as the port returns it:
	// Repr must print CPython's repr of the original list.
	r := utRand(13)
	var shapes [][]*utPyItem
	var flat [][][]byte
	for len(flat) < 1000 {
		shape := []*utPyItem{}
		data := [][]byte{}
		for n := r.IntN(6); n > 0; n-- {
			switch r.IntN(4) {
			case 0:
				shape = append(shape, nil)
				data = append(data, nil)
			case 1:
				// A header is a line: it never holds a newline.
				lit := utReprInput(r)
				hdr := bytes.ReplaceAll(utReprInput(r), []byte("\n"), nil)
				hdr = append(hdr, fmt.Sprintf(" {%d}", len(lit))...)
				shape = append(shape, &utPyItem{T: [][]byte{hdr, lit}})
				data = append(data, hdr, lit)
			default:
				b := utReprInput(r)
				shape = append(shape, &utPyItem{B: &b})
				data = append(data, b)
			}
		}
		if !utUnambiguous(shape) {
			continue
		}
		shapes = append(shapes, shape)
		flat = append(flat, data)
	}
	var want []string
	utAskPython(t, "", map[string]any{"kind": "data_repr", "in": shapes}, &want)
	require.Len(t, want, len(flat))
	for i, data := range flat {
		assert.Equal(t, want[i], Repr(data), "%q", data)
	}
	t.Logf("compared %d data lists with CPython", len(flat))
}

// utUnambiguous rejects the Python lists that no server reply produces: a
// plain element announcing a literal right before an element that could be
// it, which flattening cannot tell from a tuple.
func utUnambiguous(shape []*utPyItem) bool {
	for i := 0; i+1 < len(shape); i++ {
		if shape[i] == nil || shape[i].B == nil || shape[i+1] == nil {
			continue
		}
		next, nextIsLast := shape[i+1].B, i+2 == len(shape)
		if shape[i+1].T != nil {
			next, nextIsLast = &shape[i+1].T[0], false
		}
		if literalFollows(*shape[i].B, *next, nextIsLast) {
			return false
		}
	}
	return true
}

// utDecodeRepr reads back a Python bytes repr (b'...') or str repr ('...').
// For str, \udcNN stands for the raw byte NN (surrogateescape) and other
// escapes for the code point encoded in UTF-8.
func utDecodeRepr(s string) ([]byte, error) {
	isBytes := strings.HasPrefix(s, "b")
	body := strings.TrimPrefix(s, "b")
	if len(body) < 2 || (body[0] != '\'' && body[0] != '"') || body[len(body)-1] != body[0] {
		return nil, fmt.Errorf("not quoted: %q", s)
	}
	q := body[0]
	body = body[1 : len(body)-1]
	out := []byte{}
	for i := 0; i < len(body); {
		c := body[i]
		if c == q {
			return nil, fmt.Errorf("bare quote at %d in %q", i, s)
		}
		if c != '\\' {
			if isBytes && (c < 0x20 || c >= 0x7f) {
				return nil, fmt.Errorf("raw byte %#x in bytes repr %q", c, s)
			}
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(body) {
			return nil, fmt.Errorf("dangling backslash in %q", s)
		}
		e := body[i+1]
		i += 2
		switch e {
		case '\\', '\'', '"':
			out = append(out, e)
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if isBytes && e != 'x' || i+width > len(body) {
				return nil, fmt.Errorf("bad \\%c escape in %q", e, s)
			}
			hex := body[i : i+width]
			if strings.ToLower(hex) != hex {
				return nil, fmt.Errorf("upper-case hex in %q", s)
			}
			v, err := strconv.ParseUint(hex, 16, 32)
			if err != nil {
				return nil, err
			}
			i += width
			switch {
			case isBytes:
				out = append(out, byte(v))
			case v >= 0xdc80 && v <= 0xdcff:
				out = append(out, byte(v))
			default:
				out = utf8.AppendRune(out, rune(v))
			}
		default:
			return nil, fmt.Errorf("unknown escape \\%c in %q", e, s)
		}
	}
	return out, nil
}

func TestUtDecodeRepr(t *testing.T) {
	// The fuzz property leans on the decoder: it must refuse what is not a
	// repr, or the property could not fail.
	for _, bad := range []string{`b'a'b'`, `b'\q'`, `b'\x4'`, `b'\xAB'`, "b'\x01'", `b'abc"`, `'\`, `abc`} {
		_, err := utDecodeRepr(bad)
		assert.Error(t, err, bad)
	}
	got, err := utDecodeRepr(`b'\'"\\\t\n\r\x00\xff'`)
	require.NoError(t, err)
	assert.Equal(t, []byte("'\"\\\t\n\r\x00\xff"), got)
	got, err = utDecodeRepr(`'é\u2028\U0001f600\udcff'`)
	require.NoError(t, err)
	assert.Equal(t, []byte("é\u2028\U0001F600\xff"), got)
}

func FuzzBytesRepr(f *testing.F) {
	f.Add([]byte(`'"`))
	f.Add([]byte("it's\r\n"))
	f.Add([]byte("\x00\x7f\x80\xff\\"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := bytesRepr(b)
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] >= 0x7f {
				t.Fatalf("byte %#x at %d of %q is not printable ASCII", s[i], i, s)
			}
		}
		wantQuote := "'"
		if strings.Contains(string(b), "'") && !strings.Contains(string(b), `"`) {
			wantQuote = `"`
		}
		assert.Equal(t, "b"+wantQuote, s[:2])
		back, err := utDecodeRepr(s)
		require.NoError(t, err)
		assert.Equal(t, b, back, "the repr reads back to the input")
	})
}

func FuzzStrRepr(f *testing.F) {
	f.Add("it's")
	f.Add("\u2028\x85\xff\U000E0001")
	f.Add("\xed\xa0\x80")
	f.Fuzz(func(t *testing.T, s string) {
		r := strRepr(s)
		require.True(t, utf8.ValidString(r), "%q", r)
		for _, c := range r {
			if c < 0x20 || c == 0x7f || (c > 0x7f && !unicode.IsPrint(c)) {
				t.Fatalf("%U is not printable in %q", c, r)
			}
		}
		back, err := utDecodeRepr(r)
		require.NoError(t, err)
		assert.Equal(t, []byte(s), back, "the repr reads back to the input")
	})
}
