package imaplib

import "regexp"

// The module's regular expressions. Each pattern text is kept exactly as
// CPython spells it, because debug level 5 prints it (as a bytes repr) in its
// "matched" lines. The compiled values are anchored at the start, so that
// FindSubmatch behaves like Python's re.match: anchored at the start, free at
// the end unless the pattern itself says $.
const (
	continuationPattern     = `\+( (?P<data>.*))?`
	flagsPattern            = `.*FLAGS \((?P<flags>[^\)]*)\)`
	internalDatePattern     = `.*INTERNALDATE "(?P<day>[ 0123][0-9])-(?P<mon>[A-Z][a-z][a-z])-(?P<year>[0-9][0-9][0-9][0-9]) (?P<hour>[0-9][0-9]):(?P<min>[0-9][0-9]):(?P<sec>[0-9][0-9]) (?P<zonen>[-+])(?P<zoneh>[0-9][0-9])(?P<zonem>[0-9][0-9])"`
	literalPattern          = `.*{(?P<size>\d+)}$`
	mapCRLFPattern          = `\r\n|\r|\n`
	responseCodePattern     = `\[(?P<type>[A-Z-]+)( (?P<data>.*))?\]`
	untaggedResponsePattern = `\* (?P<type>[A-Z-]+)( (?P<data>.*))?`
	untaggedStatusPattern   = `\* (?P<data>\d+) (?P<type>[A-Z-]+)( (?P<data2>.*))?`
)

// pyMatch compiles a Python pattern so that matching it is anchored at the
// start of the input, as re.match is.
func pyMatch(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`^(?:` + pattern + `)`)
}

var (
	// Continuation mirrors imaplib.Continuation: a line starting with "+".
	Continuation = pyMatch(continuationPattern)
	// Flags mirrors imaplib.Flags, used by ParseFlags.
	Flags = pyMatch(flagsPattern)
	// InternalDate mirrors imaplib.InternalDate, used by Internaldate2tuple.
	InternalDate = pyMatch(internalDatePattern)
	// Literal mirrors imaplib.Literal: a line announcing a literal, {N} at its end.
	Literal = pyMatch(literalPattern)
	// MapCRLF mirrors imaplib.MapCRLF: any line ending APPEND turns into CRLF.
	// It is not anchored: it is used for replacing, not for matching.
	MapCRLF = regexp.MustCompile(mapCRLFPattern)
	// Response_code mirrors imaplib.Response_code. It is greedy on purpose,
	// as in CPython: the code runs to the last "]" on the line, so that flags
	// containing "]" survive.
	Response_code = pyMatch(responseCodePattern)
	// Untagged_response mirrors imaplib.Untagged_response: "* WORD ...".
	Untagged_response = pyMatch(untaggedResponsePattern)
	// Untagged_status mirrors imaplib.Untagged_status: "* 12 WORD ...".
	Untagged_status = pyMatch(untaggedStatusPattern)
)

// tagrePattern returns the pattern of a connection's tagged-response
// regexp (CPython's self.tagre) for its tag prefix.
func tagrePattern(tagpre []byte) string {
	return `(?P<tag>` + regexp.QuoteMeta(string(tagpre)) + `\d+) (?P<type>[A-Z]+) (?P<data>.*)`
}
