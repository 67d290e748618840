package imaplib

import "bytes"

// Hand-written matchers for the regular expressions the response reader
// applies to every line it receives: the connection's tagged-response
// pattern, Untagged_response, Untagged_status, Continuation, Literal and
// Response_code. The regexp package runs a general matching machine and
// allocates its result; these walk the line once, byte by byte, which is
// what decides how many small responses per second the reader handles.
//
// Each matcher returns exactly what FindSubmatch of its regexp returns for
// the same input: nil when there is no match, otherwise the whole match
// followed by one slice per group, nil for a group that took no part, and
// every slice capped at its length as regexp caps them (so appending to a
// group never writes into the line). The results are appended to dst[:0]:
// pass the zero value of a submatches array kept on the caller's stack to
// match without allocating, or nil to get a fresh slice.
//
// The patterns only name ASCII bytes, and regexp reads an invalid UTF-8
// byte as U+FFFD, which none of the named classes contain, so comparing
// bytes gives the same answers as comparing runes. "." matches anything but
// a newline, so ".*" ends at the first "\n" or at the end of the input.

// submatches has room for the groups of any matcher in this file.
type submatches [5][]byte

// capped is b[i:j] with its capacity cut at j, as regexp returns groups.
func capped(b []byte, i, j int) []byte { return b[i:j:j] }

// dotStarEnd is where ".*" starting at i stops.
func dotStarEnd(b []byte, i int) int {
	if k := bytes.IndexByte(b[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(b)
}

// skipDigits returns the end of the run of ASCII digits starting at i.
func skipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// skipAtomWord returns the end of the run of [A-Z-] (dash true) or [A-Z]
// (dash false) starting at i.
func skipAtomWord(b []byte, i int, dash bool) int {
	for i < len(b) && ('A' <= b[i] && b[i] <= 'Z' || dash && b[i] == '-') {
		i++
	}
	return i
}

// matchTagged is FindSubmatch of the tagged-response regexp a connection
// compiles from its tag prefix (tagrePattern(tagpre) through pyMatch):
// (?P<tag>TAGPRE\d+) (?P<type>[A-Z]+) (?P<data>.*)
// The groups are the whole match, tag, type and data.
func matchTagged(dst [][]byte, tagpre, b []byte) [][]byte {
	if !bytes.HasPrefix(b, tagpre) {
		return nil
	}
	tagEnd := skipDigits(b, len(tagpre))
	if tagEnd == len(tagpre) || tagEnd == len(b) || b[tagEnd] != ' ' {
		return nil
	}
	typEnd := skipAtomWord(b, tagEnd+1, false)
	if typEnd == tagEnd+1 || typEnd == len(b) || b[typEnd] != ' ' {
		return nil
	}
	end := dotStarEnd(b, typEnd+1)
	return append(dst[:0], capped(b, 0, end), capped(b, 0, tagEnd),
		capped(b, tagEnd+1, typEnd), capped(b, typEnd+1, end))
}

// matchUntaggedResponse is Untagged_response.FindSubmatch:
// \* (?P<type>[A-Z-]+)( (?P<data>.*))?
// The groups are the whole match, type, " data" and data.
func matchUntaggedResponse(dst [][]byte, b []byte) [][]byte {
	if len(b) < 3 || b[0] != '*' || b[1] != ' ' {
		return nil
	}
	typEnd := skipAtomWord(b, 2, true)
	if typEnd == 2 {
		return nil
	}
	if typEnd < len(b) && b[typEnd] == ' ' {
		end := dotStarEnd(b, typEnd+1)
		return append(dst[:0], capped(b, 0, end), capped(b, 2, typEnd),
			capped(b, typEnd, end), capped(b, typEnd+1, end))
	}
	return append(dst[:0], capped(b, 0, typEnd), capped(b, 2, typEnd), nil, nil)
}

// matchUntaggedStatus is Untagged_status.FindSubmatch:
// \* (?P<data>\d+) (?P<type>[A-Z-]+)( (?P<data2>.*))?
// The groups are the whole match, data, type, " data2" and data2.
func matchUntaggedStatus(dst [][]byte, b []byte) [][]byte {
	if len(b) < 3 || b[0] != '*' || b[1] != ' ' {
		return nil
	}
	numEnd := skipDigits(b, 2)
	if numEnd == 2 || numEnd == len(b) || b[numEnd] != ' ' {
		return nil
	}
	typEnd := skipAtomWord(b, numEnd+1, true)
	if typEnd == numEnd+1 {
		return nil
	}
	if typEnd < len(b) && b[typEnd] == ' ' {
		end := dotStarEnd(b, typEnd+1)
		return append(dst[:0], capped(b, 0, end), capped(b, 2, numEnd),
			capped(b, numEnd+1, typEnd), capped(b, typEnd, end), capped(b, typEnd+1, end))
	}
	return append(dst[:0], capped(b, 0, typEnd), capped(b, 2, numEnd),
		capped(b, numEnd+1, typEnd), nil, nil)
}

// matchContinuation is Continuation.FindSubmatch: \+( (?P<data>.*))?
// The groups are the whole match, " data" and data.
func matchContinuation(dst [][]byte, b []byte) [][]byte {
	if len(b) == 0 || b[0] != '+' {
		return nil
	}
	if len(b) > 1 && b[1] == ' ' {
		end := dotStarEnd(b, 2)
		return append(dst[:0], capped(b, 0, end), capped(b, 1, end), capped(b, 2, end))
	}
	return append(dst[:0], capped(b, 0, 1), nil, nil)
}

// matchLiteral is Literal.FindSubmatch: .*{(?P<size>\d+)}$
// The groups are the whole match (all of b) and size. Since the digits
// must run up to a final "}", the "{" can only be the byte before them,
// and the ".*" in front must not cross a newline.
func matchLiteral(dst [][]byte, b []byte) [][]byte {
	last := len(b) - 1
	if last < 2 || b[last] != '}' {
		return nil
	}
	start := last
	for start > 0 && '0' <= b[start-1] && b[start-1] <= '9' {
		start--
	}
	if start == last || start == 0 || b[start-1] != '{' {
		return nil
	}
	if bytes.IndexByte(b[:start-1], '\n') >= 0 {
		return nil
	}
	return append(dst[:0], capped(b, 0, len(b)), capped(b, start, last))
}

// matchResponseCode is Response_code.FindSubmatch:
// \[(?P<type>[A-Z-]+)( (?P<data>.*))?\]
// The groups are the whole match, type, " data" and data. The ".*" is
// greedy, so data runs to the last "]" before the first newline. A shorter
// type never helps: the byte after it would be a letter or "-", neither a
// space nor "]".
func matchResponseCode(dst [][]byte, b []byte) [][]byte {
	if len(b) < 3 || b[0] != '[' {
		return nil
	}
	typEnd := skipAtomWord(b, 1, true)
	if typEnd == 1 || typEnd == len(b) {
		return nil
	}
	switch b[typEnd] {
	case ' ':
		end := dotStarEnd(b, typEnd+1)
		k := bytes.LastIndexByte(b[typEnd+1:end], ']')
		if k < 0 {
			return nil
		}
		k += typEnd + 1
		return append(dst[:0], capped(b, 0, k+1), capped(b, 1, typEnd),
			capped(b, typEnd, k), capped(b, typEnd+1, k))
	case ']':
		return append(dst[:0], capped(b, 0, typEnd+1), capped(b, 1, typEnd), nil, nil)
	}
	return nil
}
