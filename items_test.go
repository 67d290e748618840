package imaplib

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// utFlatten is the inverse of Items: the [][]byte the port returns for the
// list CPython returns.
func utFlatten(items []Item) [][]byte {
	if items == nil {
		return nil
	}
	out := make([][]byte, 0, len(items))
	for _, it := range items {
		out = append(out, it.Bytes)
		if it.Tuple {
			out = append(out, it.Literal)
		}
	}
	return out
}

func utBytes(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestItems(t *testing.T) {
	tuple := func(h, l string) Item { return Item{Bytes: []byte(h), Literal: []byte(l), Tuple: true} }
	plain := func(s string) Item { return Item{Bytes: []byte(s)} }
	tests := []struct {
		name string
		in   [][]byte
		want []Item
	}{
		{"nil", nil, nil},
		{"empty", [][]byte{}, []Item{}},
		{"fetch", utBytes("1 (RFC822 {3}", "abc", ")"),
			[]Item{tuple("1 (RFC822 {3}", "abc"), plain(")")}},
		{"two messages", utBytes("1 (BODY[] {2}", "ab", ")", "2 (BODY[] {1}", "c", ")"),
			[]Item{tuple("1 (BODY[] {2}", "ab"), plain(")"), tuple("2 (BODY[] {1}", "c"), plain(")")}},
		{"literal then literal", utBytes("1 (BODY[1] {1}", "a", " BODY[2] {2}", "bc", ")"),
			[]Item{tuple("1 (BODY[1] {1}", "a"), tuple(" BODY[2] {2}", "bc"), plain(")")}},
		{"empty literal", utBytes("1 (BODY[] {0}", "", ")"),
			[]Item{tuple("1 (BODY[] {0}", ""), plain(")")}},
		{"literal that looks like a header", utBytes("x {5}", "y {1}", "z"),
			[]Item{tuple("x {5}", "y {1}"), plain("z")}},
		{"literal cut short by the end of the connection", utBytes("1 (BODY[] {10}", "short"),
			[]Item{tuple("1 (BODY[] {10}", "short")}},
		{"nothing read before the end", utBytes("x {3}", ""), []Item{tuple("x {3}", "")}},
		{"short literal not last stays flat", utBytes("x {4}", "abc", ")"), []Item{plain("x {4}"), plain("abc"), plain(")")}},
		{"longer than announced stays flat", utBytes("x {2}", "abc"), []Item{plain("x {2}"), plain("abc")}},
		{"header last", utBytes("a", "x {3}"), []Item{plain("a"), plain("x {3}")}},
		{"None is never a literal", [][]byte{[]byte("x {0}"), nil}, []Item{plain("x {0}"), {}}},
		{"None is never a header", [][]byte{nil, []byte("x")}, []Item{{}, plain("x")}},
		{"b'' kept apart from None", [][]byte{{}, nil}, []Item{{Bytes: []byte{}}, {}}},
		{"braces not at the end", utBytes("x {3} ", "abc"), []Item{plain("x {3} "), plain("abc")}},
		{"not digits", utBytes("x {+3}", "abc"), []Item{plain("x {+3}"), plain("abc")}},
		{"newline before the size", utBytes("x\n{3}", "abc"), []Item{plain("x\n{3}"), plain("abc")}},
		{"size too large", utBytes("x {99999999999999999999}", "abc"),
			[]Item{plain("x {99999999999999999999}"), plain("abc")}},
		{"leading zeros", utBytes("x {003}", "abc"), []Item{tuple("x {003}", "abc")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Items(tc.in)
			assert.Equal(t, tc.want, got)
			for i := range got {
				// Equal does not tell a nil slice from an empty one.
				assert.Equal(t, tc.want[i].Bytes == nil, got[i].Bytes == nil, "item %d: None versus b''", i)
			}
			assert.Equal(t, tc.in, utFlatten(got))
		})
	}
}

func TestItemsSharesMemory(t *testing.T) {
	// Python's data[0][1] is the very bytes read; the Go view copies nothing.
	data := utBytes("1 (RFC822 {3}", "abc")
	items := Items(data)
	require.Len(t, items, 1)
	items[0].Literal[0] = 'X'
	assert.Equal(t, "Xbc", string(data[1]))
}

// utItemsFromFuzz turns fuzz bytes into data: elements split at '|', with
// "~" standing for a nil element.
func utItemsFromFuzz(b []byte) [][]byte {
	if len(b) == 0 {
		return [][]byte{}
	}
	var out [][]byte
	for _, part := range bytes.Split(b, []byte("|")) {
		if string(part) == "~" {
			out = append(out, nil)
			continue
		}
		out = append(out, append([]byte{}, part...))
	}
	return out
}

func FuzzItems(f *testing.F) {
	f.Add([]byte("1 (RFC822 {3}|abc|)"))
	f.Add([]byte("x {0}||~|y {1}|z|{2}|ab"))
	f.Add([]byte("~|{1}|~"))
	f.Fuzz(func(t *testing.T, b []byte) {
		data := utItemsFromFuzz(b)
		items := Items(data)
		back := utFlatten(items)
		require.Equal(t, data, back, "flattening the items gives the data back")
		for i := range data {
			assert.Equal(t, data[i] == nil, back[i] == nil, "element %d: None versus b''", i)
		}
		for i, it := range items {
			if it.Tuple {
				m := Literal.FindSubmatch(it.Bytes)
				require.NotNil(t, m, "tuple %d header %q announces a literal", i, it.Bytes)
				n, err := strconv.Atoi(string(m[1]))
				require.NoError(t, err)
				assert.NotNil(t, it.Literal)
				if i == len(items)-1 {
					assert.LessOrEqual(t, len(it.Literal), n, "a last literal may be cut short")
				} else {
					assert.Len(t, it.Literal, n)
				}
				continue
			}
			assert.Nil(t, it.Literal)
			// The scan is greedy from the left: a plain element never
			// announces the element after it.
			if i+1 < len(items) {
				nextIsLast := i+1 == len(items)-1 && !items[i+1].Tuple
				assert.False(t, literalFollows(it.Bytes, items[i+1].Bytes, nextIsLast), "items %d and %d should pair", i, i+1)
			}
		}
	})
}
