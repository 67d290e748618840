package imaplib

import "errors"

// errorClass is one of CPython's three exception classes, ordered so that a
// class "is" every class at or below it: readonly is an abort, and an abort
// is an error.
type errorClass int

const (
	classError    errorClass = iota // IMAP4.error
	classAbort                      // IMAP4.abort
	classReadonly                   // IMAP4.readonly
)

var classNames = [...]string{"error", "abort", "readonly"}

// Error is the one error type for CPython's IMAP4.error, IMAP4.abort and
// IMAP4.readonly. Error() is CPython's str(exception), character for
// character; Class tells which of the three it is. Test the class with
// errors.Is against ErrError, ErrAbort or ErrReadonly, which keeps Python's
// hierarchy: every abort is an error, every readonly an abort.
type Error struct {
	class errorClass
	msg   string
}

// Sentinels for errors.Is. They are compared by class, not identity, so
// errors.Is(err, ErrAbort) holds for any abort or readonly error.
var (
	// ErrError mirrors IMAP4.error: the base class of all three.
	ErrError = &Error{class: classError, msg: "imaplib error"}
	// ErrAbort mirrors IMAP4.abort: a server or connection failure; the
	// connection should be dropped.
	ErrAbort = &Error{class: classAbort, msg: "imaplib abort"}
	// ErrReadonly mirrors IMAP4.readonly: the mailbox became read-only.
	ErrReadonly = &Error{class: classReadonly, msg: "imaplib readonly"}
)

// ErrControlCharacters is returned, in the current profile, when an argument
// holds NUL, CR or LF; CPython raises ValueError with this text. Nothing has
// been sent and the connection is still usable.
var ErrControlCharacters = errors.New("Control characters not allowed in commands")

// Error returns CPython's str() of the exception.
func (e *Error) Error() string { return e.msg }

// Class returns the name of the Python class: "error", "abort" or "readonly".
func (e *Error) Class() string { return classNames[e.class] }

// Is reports whether e belongs to the class of target, one of the sentinels,
// following Python's isinstance over the hierarchy.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrError, ErrAbort, ErrReadonly:
		return e.class >= target.(*Error).class
	}
	return false
}

func newError(msg string) *Error    { return &Error{class: classError, msg: msg} }
func newAbort(msg string) *Error    { return &Error{class: classAbort, msg: msg} }
func newReadonly(msg string) *Error { return &Error{class: classReadonly, msg: msg} }
