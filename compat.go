package imaplib

// Compat holds the few behaviours that changed between CPython releases, so
// that one port can speak both the newest imaplib (the default) and the
// classic 3.13.0 wire format that the CPythons of the differential suite
// implement. Each connection copies DefaultCompat into M.Compat when it is
// constructed, since the constructor already talks to the server.
type Compat struct {
	// Name is "current" or "classic" for the presets.
	Name string
	// Version is the imaplib __version__ of the release the profile follows.
	Version string
	// QuoteArguments quotes arguments per RFC 3501 (gh-40038), leaving
	// already quoted or parenthesised arguments, flags, sequence sets, search
	// keys and LIST wildcards as written. See quote.go for the rules.
	QuoteArguments bool
	// RejectControlChars refuses NUL, CR or LF in an argument before
	// anything is sent (gh-143921).
	RejectControlChars bool
	// UTF8AppendRFC6855 frames APPEND in UTF-8 mode as ` UTF8 (~{N}`, the
	// message, then `)` (gh-78319); off, it wraps "UTF8 (...)" inside the
	// literal as 3.13.0 did.
	UTF8AppendRFC6855 bool
	// LoginErrorAsText makes a failed LOGIN's error the decoded server text
	// rather than the repr of its bytes (gh-91099).
	LoginErrorAsText bool
	// DebugVersionLine prints "imaplib version X" at debug level 1 and up,
	// as releases up to 3.14 do.
	DebugVersionLine bool
	// SkipBlankAfterLiteral skips the empty line some servers send after a
	// literal in the middle of a response. Designed from the description of
	// the change, not from seen code: the blank line is skipped only while
	// the response's parentheses are still open, so that a literal ending a
	// response (as a LIST mailbox name can) keeps its empty trailer.
	SkipBlankAfterLiteral bool
}

var (
	// CompatCurrent follows the newest CPython imaplib (3.15 with the
	// July 2026 fixes). It is the default.
	CompatCurrent = Compat{
		Name:                  "current",
		Version:               Version,
		QuoteArguments:        true,
		RejectControlChars:    true,
		UTF8AppendRFC6855:     true,
		LoginErrorAsText:      true,
		DebugVersionLine:      false,
		SkipBlankAfterLiteral: true,
	}
	// CompatClassic follows CPython 3.13.0 byte for byte, as the CPythons of
	// the differential suite do.
	CompatClassic = Compat{
		Name:             "classic",
		Version:          "2.58",
		DebugVersionLine: true,
	}
	// DefaultCompat is the profile new connections copy.
	DefaultCompat = CompatCurrent
)
