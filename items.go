package imaplib

import "strconv"

// Item is one element of command data as Python shapes it. CPython's data
// lists mix bytes, None and (header, literal) tuples; the port flattens each
// tuple into two consecutive elements of a [][]byte, and Items gives the
// Python shape back.
//
// For a tuple, Tuple is true, Bytes holds the header (Python's data[i][0])
// and Literal the literal (data[i][1]). Otherwise Bytes holds the element
// itself, nil for Python's None, and Literal is nil.
type Item struct {
	Bytes, Literal []byte
	Tuple          bool
}

// Items restores the tuples that the port flattens out of command data,
// giving the list CPython returns: Items(data)[i] stands for Python's
// data[i], and Items(data)[i].Tuple for isinstance(data[i], tuple).
//
// A header announces its literal with {N} at its end (the Literal regexp)
// and the literal that follows is exactly N bytes long, so one scan from the
// left restores every tuple. The one literal that can be shorter is one cut
// off by the end of the connection: CPython still stores the pair, and
// nothing can follow it, so a header followed by a shorter last element is
// a tuple too. An element that ends with {N} but is not followed by its
// literal stays a plain element. Nil elements stay nil. The returned items
// share memory with data.
func Items(data [][]byte) []Item {
	if data == nil {
		return nil
	}
	items := make([]Item, 0, len(data))
	for i := 0; i < len(data); i++ {
		if i+1 < len(data) && literalFollows(data[i], data[i+1], i+2 == len(data)) {
			items = append(items, Item{Bytes: data[i], Literal: data[i+1], Tuple: true})
			i++
			continue
		}
		items = append(items, Item{Bytes: data[i]})
	}
	return items
}

// literalFollows reports whether header announces next as its literal:
// exactly the announced size, or shorter when next is the last element (a
// literal cut short when the connection ended). A nil next is Python's
// None, which is never a literal.
func literalFollows(header, next []byte, nextIsLast bool) bool {
	if header == nil || next == nil {
		return false
	}
	m := Literal.FindSubmatch(header)
	if m == nil {
		return false
	}
	n, err := strconv.ParseUint(string(m[Literal.SubexpIndex("size")]), 10, 63)
	if err != nil {
		// A size no int64 holds: CPython fails to read it (OverflowError)
		// and stores nothing.
		return false
	}
	return n == uint64(len(next)) || (nextIsLast && uint64(len(next)) < n)
}
