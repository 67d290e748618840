package imaplib

import "strings"

// Argument quoting of the current profile (Compat.QuoteArguments), designed
// from RFC 3501's grammar because CPython's July 2026 rules are known only
// by description (gh-40038): arguments that need quoting are quoted and
// escaped, while flags, sequence sets, LIST wildcards and arguments the
// caller already quoted or parenthesised go out as written.
//
// Each argument position has a kind:
//   - astring: a mailbox name, user name, ACL identifier and the like
//     (RFC 3501 astring). Bare when it is non-empty and all ASTRING-CHAR,
//     otherwise a quoted string.
//   - list-mailbox: LIST and LSUB patterns, where % and * stay bare.
//   - string: ANNOTATEMORE entries and attributes, which its grammar makes
//     strings, not atoms: always quoted (servers such as Cyrus refuse a
//     bare /comment).
//   - raw: sequence sets, flag lists, fetch items, status items, and
//     anything whose grammar the caller composes: never quoted.
//   - search criteria: raw, except the value that follows a search key
//     taking a string (FROM, SUBJECT, HEADER name and value, ...), which is
//     an astring. So Search("", "FROM", "John Smith") sends
//     FROM "John Smith", while Search("", `(FROM "LDJ")`) and
//     Search("", "FROM", `"LDJ"`) go out as written.
//
// Bytes of 0x80 and above force quoting: a quoted string is what RFC 6855
// allows them in once UTF-8 is enabled.

// isAtomSpecial reports the bytes that cannot stand in an atom (RFC 3501
// atom-specials plus 8-bit bytes).
func isAtomSpecial(c byte) bool {
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return true
	}
	return c < 0x20 || c >= 0x7f
}

// alreadyWrapped reports an argument the caller quoted or parenthesised
// itself; it is sent unchanged so that code written for classic imaplib
// keeps working.
func alreadyWrapped(s string) bool {
	n := len(s)
	return n >= 2 && ((s[0] == '"' && s[n-1] == '"') || (s[0] == '(' && s[n-1] == ')'))
}

// quoteAstring returns s as an RFC 3501 astring; wildcards allows % and *
// bare, as list-mailbox does.
func quoteAstring(s string, wildcards bool) string {
	if alreadyWrapped(s) {
		return s
	}
	bare := s != ""
	for i := 0; i < len(s) && bare; i++ {
		c := s[i]
		switch {
		case c == ']':
			// ASTRING-CHAR allows resp-specials.
		case wildcards && (c == '%' || c == '*'):
		case isAtomSpecial(c):
			bare = false
		}
	}
	if bare {
		return s
	}
	return pyQuote(s)
}

// pyQuote is CPython's _quote: escape \ and ", then wrap in double quotes.
func pyQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// astr shapes an astring argument for the connection's profile.
func (m *IMAP4) astr(s string) string {
	if !m.Compat.QuoteArguments {
		return s
	}
	return quoteAstring(s, false)
}

// listMailbox shapes a LIST or LSUB pattern for the connection's profile.
func (m *IMAP4) listMailbox(s string) string {
	if !m.Compat.QuoteArguments {
		return s
	}
	return quoteAstring(s, true)
}

// qstring shapes a string argument (an annotation entry or attribute) for
// the connection's profile: quoted unless the caller quoted or
// parenthesised it.
func (m *IMAP4) qstring(s string) string {
	if !m.Compat.QuoteArguments || alreadyWrapped(s) {
		return s
	}
	return pyQuote(s)
}

// searchKeyValues is how many astring values follow each search key that
// takes strings (RFC 3501 section 6.4.4).
var searchKeyValues = map[string]int{
	"BCC": 1, "BODY": 1, "CC": 1, "FROM": 1, "SUBJECT": 1, "TEXT": 1, "TO": 1,
	"KEYWORD": 1, "UNKEYWORD": 1, "HEADER": 2,
}

// criteria shapes search criteria for the connection's profile, dropping
// the empty ones as Python drops None.
func (m *IMAP4) criteria(args []string) []string {
	args = nonEmpty(args)
	if !m.Compat.QuoteArguments {
		return args
	}
	out := make([]string, len(args))
	values := 0
	for i, a := range args {
		if values > 0 {
			out[i] = quoteAstring(a, false)
			values--
			continue
		}
		out[i] = a
		values = searchKeyValues[strings.ToUpper(a)]
	}
	return out
}
