package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/pyport/imaplib"
)

// usageText is printed for -h and after any option error. The host may carry
// a port (an extension: CPython's self-test always uses 143).
const usageText = `usage: %[1]s [-d level] [-s "stream command"] [-i] [host[:port]]

Runs the imaplib self-test: log in, create, rename, append to, search, fetch,
store, expunge and delete test mailboxes, then print "All tests OK.".

  -d level    debug level (0-5); 4 shows every line on the wire
  -s command  talk to the IMAP server through "/bin/sh -c command"
              (IMAP4_stream) instead of a network connection
  -i          interactive mode: type imaplib calls at a prompt, one a line
  -h          show this help

With neither host nor -s, an IMAP server is started inside the program on
127.0.0.1 and the test runs against it, with debug level 4 unless -d is given.
The password comes from IMAP_PASSWORD or is asked for on the terminal; the
user name from LOGNAME, USER, LNAME, USERNAME or the password database.
`

// options is what the command line asks for.
type options struct {
	debug       int
	debugSet    bool // -d was given; otherwise each mode picks its default
	stream      string
	interactive bool
	help        bool
	host        string
	port        int
}

// usageError is an option problem: it is reported with the usage text and
// exit status 2, as Go's flag package does.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseOptions reads the command line the way Python's getopt does for the
// self-test's "d:s:" (plus our -i and -h): options may be bundled ("-id5"),
// an option's value may be attached ("-d5") or the next word, "--" ends the
// options, and the first word that is not an option ends them too. Unlike
// the self-test, which silently ignores a bad command line, errors are
// reported, because running a mail test with half-understood options
// surprises more than it helps.
func parseOptions(args []string) (*options, error) {
	o := &options{port: imaplib.IMAP4_PORT}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if strings.HasPrefix(a, "--") {
			if a == "--help" {
				o.help = true
				continue
			}
			return nil, &usageError{fmt.Sprintf("option %s not recognized", a)}
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch c {
			case 'i':
				o.interactive = true
			case 'h':
				o.help = true
			case 'd', 's':
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, &usageError{fmt.Sprintf("option -%c requires argument", c)}
					}
					i++
					val = args[i]
				}
				if c == 'd' {
					n, err := strconv.Atoi(val)
					if err != nil || n < 0 {
						return nil, &usageError{fmt.Sprintf("option -d: invalid debug level %q", val)}
					}
					o.debug, o.debugSet = n, true
				} else {
					o.stream = val
				}
				j = len(a) // the value used up the rest of the word
			default:
				return nil, &usageError{fmt.Sprintf("option -%c not recognized", c)}
			}
		}
	}
	rest := args[i:]
	switch {
	case len(rest) > 1:
		return nil, &usageError{fmt.Sprintf("too many arguments: %s", strings.Join(rest, " "))}
	case len(rest) == 1:
		o.host, o.port = splitHostPort(rest[0])
	}
	return o, nil
}

// splitHostPort accepts "host", "host:port" and "[v6addr]:port"; anything
// else (a bare IPv6 address, a port that is not a number) is all host, so
// that every host CPython accepts still means what it means there.
func splitHostPort(s string) (string, int) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return s, imaplib.IMAP4_PORT
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n > 65535 {
		return s, imaplib.IMAP4_PORT
	}
	return h, n
}

// printUsage writes the usage text with the program's name.
func printUsage(w io.Writer, prog string) {
	fmt.Fprintf(w, usageText, prog)
}
