// Command imaplib is the Go counterpart of "python -m imaplib": it runs
// imaplib's self-test against an IMAP server, and offers an interactive mode
// for trying the library's calls one at a time.
//
// Usage:
//
//	imaplib [-d level] [-s "stream command"] [-i] [host[:port]]
//
// Given a host, it connects to port 143 there (or to the port given after a
// colon), as CPython's self-test does. With -s it talks to the server
// through a shell command (IMAP4_stream). With neither, it starts an IMAP
// server inside the program on 127.0.0.1 and runs against that, with the
// wire shown (debug level 4).
//
// With -i, instead of the self-test, it reads imaplib calls from its input,
// one a line, in Python's form (select('INBOX')) or as words (select INBOX),
// and prints each call's Go form, the wire, and the (typ, data) result as
// Python shows it. "help" lists the calls.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program behind main, taking its command line (args[0]
// is the program name) and streams, and returning the exit status, so that
// tests can drive it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	prog := "imaplib"
	if len(args) > 0 {
		prog = filepath.Base(args[0])
		args = args[1:]
	}
	opts, err := parseOptions(args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		printUsage(stderr, prog)
		return 2
	}
	if opts.help {
		printUsage(stdout, prog)
		return 0
	}

	p := &program{
		prog:   prog,
		opts:   opts,
		stdin:  stdin,
		in:     bufio.NewReader(stdin),
		stdout: stdout,
		// The embedded server logs from its own goroutines onto the same
		// stream as the client's trace.
		stderr: &lockedWriter{w: stderr},
	}
	if opts.host == "" && opts.stream == "" {
		user, err := loginName()
		if err != nil {
			// Any name will do for a server that exists only here.
			user = "imaplib"
		}
		srv, err := startEmbedded(user, p.stderr)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		defer srv.Close()
		p.embedded = srv
	}
	if opts.interactive {
		return p.interactive()
	}
	return p.selfTest()
}
