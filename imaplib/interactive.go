package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/pyport/imaplib"
)

// prompt is what the interactive mode prints before reading a line.
const prompt = "imaplib> "

// shell is the interactive mode: one connection and the commands typed at
// it.
type shell struct {
	p    *program
	M    *imaplib.IMAP4
	out  io.Writer
	cmds []*shellCmd
	echo bool // input is not a terminal: show each line after the prompt
}

// interactive connects, then reads one call a line from the input until
// quit or the end of input, printing each call's Go form and its result;
// the wire is traced on stderr (debug level 4 unless -d says otherwise).
// Leaving logs out unless the connection already has.
func (p *program) interactive() int {
	M, err := p.connect(p.debugLevel(4))
	if err != nil {
		fmt.Fprintf(p.stderr, "%s: %s\n", p.prog, errorText(err))
		return 1
	}
	sh := &shell{p: p, M: M, out: p.stdout, cmds: shellCommands()}
	if f, ok := p.stdin.(*os.File); !ok || !isTerminal(f) {
		sh.echo = true
	}
	sh.banner()
	for {
		fmt.Fprint(sh.out, prompt)
		line, err := p.in.ReadString('\n')
		if line == "" && err != nil {
			fmt.Fprintln(sh.out)
			break
		}
		line = strings.TrimSpace(line)
		if sh.echo {
			fmt.Fprintln(sh.out, line)
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !sh.handle(line) {
			break
		}
	}
	if M.State != "LOGOUT" {
		if err := M.Exit(); err != nil {
			fmt.Fprintln(sh.out, errorText(err))
		}
	}
	return 0
}

// banner says what the prompt is connected to and how the connection was
// made, in Python and in Go.
func (sh *shell) banner() {
	py, goCall := sh.p.constructorCall()
	if e := sh.p.embedded; e != nil {
		fmt.Fprintf(sh.out, "Connected to the embedded IMAP server on %s:%d: user %s, password %s.\n",
			e.Host, e.Port, imaplib.Repr(e.User), imaplib.Repr(e.Password))
	} else {
		fmt.Fprintf(sh.out, "Connected to %s.\n", sh.p.where())
	}
	fmt.Fprintf(sh.out, "  Python: %s\n  Go:     %s\n", py, goCall)
	fmt.Fprintf(sh.out, "State %s. Type help for the commands, quit to log out and leave.\n", imaplib.Repr(sh.M.State))
}

// handle runs one line and reports whether to go on.
func (sh *shell) handle(line string) bool {
	pl, err := parseLine(line)
	if err != nil {
		fmt.Fprintln(sh.out, errorText(err))
		return true
	}
	name := pl.name
	switch strings.ToLower(name) {
	case "quit", "exit", "q":
		return false
	case "help", "?":
		sh.help(pl.args)
		return true
	}
	if pl.assign {
		sh.setAttr(name, pl.args[0].val)
		return true
	}
	if show, ok := attributes[name]; ok && !pl.call {
		if name == "debug" && len(pl.args) == 1 {
			sh.setAttr(name, pl.args[0].val)
			return true
		}
		fmt.Fprintln(sh.out, show(sh.M))
		return true
	}
	// Python accepts the commands' upper-case names too (M.SELECT).
	c := sh.lookup(strings.ToLower(name))
	if c == nil {
		fmt.Fprintf(sh.out, "AttributeError: Unknown IMAP4 command: '%s'\n", name)
		return true
	}
	a, err := bindArgs(c.name, c.params, pl.args, pl.call)
	if err != nil {
		fmt.Fprintln(sh.out, errorText(err))
		return true
	}
	goCall := c.goCall(a)
	if c.name == "login" && !a.given("user") && !a.given("password") {
		goCall = "M.Login(user, password)"
	}
	fmt.Fprintf(sh.out, "# Go: %s\n", goCall)
	if err := c.run(sh, a); err != nil {
		fmt.Fprintln(sh.out, errorText(err))
	}
	return true
}

// lookup finds a command by its Python name.
func (sh *shell) lookup(name string) *shellCmd {
	for _, c := range sh.cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

// printResult prints (typ, data) as Python's prompt shows the tuple a
// method returns; data is already in Python's repr.
func (sh *shell) printResult(typ, data string) {
	fmt.Fprintf(sh.out, "(%s, %s)\n", imaplib.Repr(typ), data)
}

// attributes are the connection's fields that the prompt shows by their
// Python names, in Python's repr.
var attributes = map[string]func(M *imaplib.IMAP4) string{
	"state":              func(M *imaplib.IMAP4) string { return imaplib.Repr(M.State) },
	"capabilities":       func(M *imaplib.IMAP4) string { return imaplib.Repr(M.Capabilities) },
	"PROTOCOL_VERSION":   func(M *imaplib.IMAP4) string { return imaplib.Repr(M.ProtocolVersion) },
	"welcome":            func(M *imaplib.IMAP4) string { return imaplib.Repr(M.Welcome) },
	"untagged_responses": func(M *imaplib.IMAP4) string { return dictRepr(M.UntaggedResponses) },
	"is_readonly":        func(M *imaplib.IMAP4) string { return imaplib.Repr(M.IsReadonly) },
	"utf8_enabled":       func(M *imaplib.IMAP4) string { return imaplib.Repr(M.UTF8Enabled) },
	"tagpre":             func(M *imaplib.IMAP4) string { return imaplib.Repr(M.Tagpre) },
	"tagnum":             func(M *imaplib.IMAP4) string { return imaplib.Repr(M.Tagnum) },
	"host":               func(M *imaplib.IMAP4) string { return imaplib.Repr(M.Host) },
	"port":               func(M *imaplib.IMAP4) string { return imaplib.Repr(M.Port) },
	"debug":              func(M *imaplib.IMAP4) string { return imaplib.Repr(M.Debug) },
}

// goFields names the Go field behind each attribute, for help.
var goFields = map[string]string{
	"state": "State", "capabilities": "Capabilities", "PROTOCOL_VERSION": "ProtocolVersion",
	"welcome": "Welcome", "untagged_responses": "UntaggedResponses", "is_readonly": "IsReadonly",
	"utf8_enabled": "UTF8Enabled", "tagpre": "Tagpre", "tagnum": "Tagnum", "host": "Host",
	"port": "Port", "debug": "Debug",
}

// setAttr handles "debug = N" (or "debug N"), the one attribute worth
// changing at the prompt: it sets how much of the wire is traced.
func (sh *shell) setAttr(name string, v pyValue) {
	if name != "debug" {
		fmt.Fprintf(sh.out, "AttributeError: the prompt only changes debug, not %s\n", name)
		return
	}
	n, err := strconv.Atoi(v.text)
	if v.kind != pyInt && v.kind != pyStr || err != nil || n < 0 {
		fmt.Fprintf(sh.out, "ValueError: debug level must be a whole number, not %s\n", imaplib.Repr(v.goString()))
		return
	}
	sh.M.Debug = n
	fmt.Fprintf(sh.out, "# Go: M.Debug = %d\n", n)
}

// dictRepr renders untagged_responses as Python prints the dict, with the
// keys sorted since a Go map keeps no order.
func dictRepr(m map[string][][]byte) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = imaplib.Repr(k) + ": " + imaplib.Repr(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// help lists every command with its Python and Go forms, or describes the
// commands named.
func (sh *shell) help(args []pyArg) {
	if len(args) > 0 {
		for _, a := range args {
			c := sh.lookup(strings.ToLower(a.val.goString()))
			if c == nil {
				fmt.Fprintf(sh.out, "no command %s\n", imaplib.Repr(a.val.goString()))
				continue
			}
			sh.helpLine(c)
		}
		return
	}
	fmt.Fprint(sh.out, `Type a call as Python writes it, select('INBOX', readonly=True), or as
words, select INBOX. In words, "double-quoted" and (parenthesised) arguments
stay whole and go to the server as typed; 'single-quoted' ones are Python
strings; None, True and False are Python's. Each call shows its Go form.

`)
	w := 0
	for _, c := range sh.cmds {
		w = max(w, len(c.sig))
	}
	fmt.Fprintf(sh.out, "%-*s  %s\n", w, "Python (M.name)", "Go")
	for _, c := range sh.cmds {
		fmt.Fprintf(sh.out, "%-*s  %s\n", w, c.sig, c.goSig)
	}
	names := make([]string, 0, len(attributes))
	for k := range attributes {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintln(sh.out, "\nAttributes (type the name; \"debug = N\" changes the trace):")
	for _, k := range names {
		fmt.Fprintf(sh.out, "  %-20s M.%s\n", k, goFields[k])
	}
	fmt.Fprintln(sh.out, "\nhelp NAME shows notes on a command; quit logs out and leaves.")
}

// helpLine describes one command.
func (sh *shell) helpLine(c *shellCmd) {
	fmt.Fprintf(sh.out, "Python: M.%s\nGo:     %s\n", c.sig, c.goSig)
	if c.note != "" {
		fmt.Fprintf(sh.out, "Note:   %s\n", c.note)
	}
}
