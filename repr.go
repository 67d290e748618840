package imaplib

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const lowerHex = "0123456789abcdef"

// reprQuote picks the quote Python's repr uses: a single quote, unless the
// text holds a single quote and no double quote.
func reprQuote(hasSingle, hasDouble bool) byte {
	if hasSingle && !hasDouble {
		return '"'
	}
	return '\''
}

// bytesRepr returns Python's repr() of a bytes object holding b, such as
// b'* OK ready\r\n'. Error messages and debug lines embed it, so it must be
// exact to the character.
func bytesRepr(b []byte) string {
	q := reprQuote(strings.IndexByte(string(b), '\'') >= 0, strings.IndexByte(string(b), '"') >= 0)
	var sb strings.Builder
	sb.Grow(len(b) + 3)
	sb.WriteByte('b')
	sb.WriteByte(q)
	for _, c := range b {
		switch {
		case c == q || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			sb.WriteString(`\x`)
			sb.WriteByte(lowerHex[c>>4])
			sb.WriteByte(lowerHex[c&0xf])
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(q)
	return sb.String()
}

// strRepr returns Python's repr() of a str holding s, read as UTF-8.
//
// A Go string may hold bytes that are not UTF-8; Python would have to decode
// them first. Each such byte is shown as \udcNN, the lone surrogate Python's
// "surrogateescape" error handler turns it into, so the text stays
// unambiguous and matches repr(b.decode('utf-8', 'surrogateescape')).
func strRepr(s string) string {
	q := reprQuote(strings.IndexByte(s, '\'') >= 0, strings.IndexByte(s, '"') >= 0)
	var sb strings.Builder
	sb.Grow(len(s) + 2)
	sb.WriteByte(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			writeEscape(&sb, 'u', 0xdc00|uint32(s[i]), 4)
			i++
			continue
		}
		i += size
		switch {
		case r == rune(q) || r == '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			writeEscape(&sb, 'x', uint32(r), 2)
		case r < 0x7f:
			sb.WriteByte(byte(r))
		case unicode.IsPrint(r):
			// Go's IsPrint and Python's str.isprintable agree: both accept
			// letters, marks, numbers, punctuation, symbols and the ASCII
			// space, and refuse every other separator and control.
			sb.WriteRune(r)
		case r <= 0xff:
			writeEscape(&sb, 'x', uint32(r), 2)
		case r <= 0xffff:
			writeEscape(&sb, 'u', uint32(r), 4)
		default:
			writeEscape(&sb, 'U', uint32(r), 8)
		}
	}
	sb.WriteByte(q)
	return sb.String()
}

// writeEscape writes a backslash escape such as \x7f, \u2028 or
// \U000e0001, in lower-case hex as Python does.
func writeEscape(sb *strings.Builder, kind byte, v uint32, digits int) {
	sb.WriteByte('\\')
	sb.WriteByte(kind)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		sb.WriteByte(lowerHex[(v>>uint(shift))&0xf])
	}
}

// floatRepr returns Python's repr() of a float: the shortest text that
// reads back to the same value, with ".0" on whole numbers and an exponent
// of at least two digits outside 1e-4 <= |f| < 1e16.
func floatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // like -1.2345e+06
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp < -4 || exp >= 16 {
		out = digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		out += fmt.Sprintf("e%s%02d", sign, exp)
	} else if exp < 0 {
		out = "0." + strings.Repeat("0", -exp-1) + digits
	} else if len(digits) <= exp+1 {
		out = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	} else {
		out = digits[:exp+1] + "." + digits[exp+1:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

// itemRepr returns the repr of one element of Python-shaped data: a tuple
// (header, literal), bytes, or None.
func itemRepr(it Item) string {
	if it.Tuple {
		return "(" + bytesOrNone(it.Bytes) + ", " + bytesOrNone(it.Literal) + ")"
	}
	return bytesOrNone(it.Bytes)
}

// bytesOrNone follows the data convention: a nil slice is Python's None, a
// non-nil empty one is the empty bytes object.
func bytesOrNone(b []byte) string {
	if b == nil {
		return "None"
	}
	return bytesRepr(b)
}

// Repr mirrors Python's repr() for the values a ported script prints with
// print(typ, data) or formats with %r:
//
//   - []byte: the bytes repr, b'...'; a nil slice is None, as nil elements
//     of data stand for Python's None
//   - string: the str repr, '...' (see strRepr for bytes that are not UTF-8)
//   - nil: None; bool: True or False; any integer: its decimal digits;
//     float32/float64: Python's shortest float repr, such as 1.0 or 1e+16
//   - [][]byte (command data): Python's list, with each flattened
//     (header, literal) pair shown as the tuple CPython holds, found by Items
//   - []Item: the same list; Item: one element
//   - []string: Python's tuple, as CPython holds capabilities: (), ('X',),
//     ('A', 'B')
//   - []any: a list of the reprs of its elements
//   - map[string][][]byte (UntaggedResponses): a dict repr; Go maps have no
//     order, so keys are sorted where Python would keep insertion order
//
// Anything else is formatted with fmt's %v.
func Repr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case []byte:
		return bytesOrNone(x)
	case string:
		return strRepr(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint:
		return strconv.FormatUint(uint64(x), 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float32:
		return floatRepr(float64(x))
	case float64:
		return floatRepr(x)
	case [][]byte:
		return Repr(Items(x))
	case []Item:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = itemRepr(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case Item:
		return itemRepr(x)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = strRepr(s)
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Repr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string][][]byte:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strRepr(k) + ": " + Repr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("%v", v)
}
