package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pyport/imaplib"
)

// shellCmd is one IMAP4 method offered at the interactive prompt.
type shellCmd struct {
	// sig is the Python signature, shown by help and, unless bind is set,
	// the parameters the typed arguments are matched to.
	sig string
	// bind replaces sig for matching where Python takes something that
	// cannot be typed (a callback, an SSL context).
	bind string
	// goSig is the Go method, shown by help and used to print each call in
	// Go.
	goSig string
	// note is help's remark on the prompt's version of the call.
	note string
	// run makes the call and prints its result.
	run func(sh *shell, a *boundArgs) error

	name   string
	params []param
	goArgs []goParam
}

// goParam is one parameter of a Go signature.
type goParam struct{ name, typ string }

// tagged builds the run function of the many methods that take strings and
// return (typ, data, err).
func tagged(f func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error)) func(*shell, *boundArgs) error {
	return func(sh *shell, a *boundArgs) error {
		typ, data, err := f(sh.M, a)
		if err != nil {
			return err
		}
		sh.printResult(typ, imaplib.Repr(data))
		return nil
	}
}

// shellCommands lists the IMAP4 methods in Python's alphabetical order, each
// with its Go counterpart.
func shellCommands() []*shellCmd {
	cmds := []*shellCmd{
		{sig: "append(mailbox, flags, date_time, message)", goSig: "M.Append(mailbox, flags string, dateTime any, message []byte)",
			note: "message: a 'Python string', \\n for new lines",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Append(a.str("mailbox"), a.str("flags"), dateArg(a.value("date_time")), []byte(a.str("message")))
			})},
		{sig: "authenticate(mechanism, authobject)", bind: "authenticate(mechanism, user=None, password=None)",
			goSig: "M.Authenticate(mechanism string, authobject func(challenge []byte) []byte)",
			note:  "PLAIN answers with user and password (default: the login's); other mechanisms ask you for each answer",
			run:   (*shell).authenticate},
		{sig: "capability()", goSig: "M.Capability()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Capability() })},
		{sig: "check()", goSig: "M.Check()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Check() })},
		{sig: "close()", goSig: "M.Close()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Close() })},
		{sig: "copy(message_set, new_mailbox)", goSig: "M.Copy(messageSet, newMailbox string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Copy(a.str("message_set"), a.str("new_mailbox"))
			})},
		{sig: "create(mailbox)", goSig: "M.Create(mailbox string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.Create(a.str("mailbox")) })},
		{sig: "delete(mailbox)", goSig: "M.Delete(mailbox string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.Delete(a.str("mailbox")) })},
		{sig: "deleteacl(mailbox, who)", goSig: "M.DeleteACL(mailbox, who string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.DeleteACL(a.str("mailbox"), a.str("who"))
			})},
		{sig: "enable(capability)", goSig: "M.Enable(capability string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.Enable(a.str("capability")) })},
		{sig: "expunge()", goSig: "M.Expunge()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Expunge() })},
		{sig: "fetch(message_set, message_parts)", goSig: "M.Fetch(messageSet, messageParts string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Fetch(a.str("message_set"), a.str("message_parts"))
			})},
		{sig: "getacl(mailbox)", goSig: "M.GetACL(mailbox string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.GetACL(a.str("mailbox")) })},
		{sig: "getannotation(mailbox, entry, attribute)", goSig: "M.GetAnnotation(mailbox, entry, attribute string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.GetAnnotation(a.str("mailbox"), a.str("entry"), a.str("attribute"))
			})},
		{sig: "getquota(root)", goSig: "M.GetQuota(root string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.GetQuota(a.str("root")) })},
		{sig: "getquotaroot(mailbox)", goSig: "M.GetQuotaRoot(mailbox string)", note: "Go returns (typ, quotaroot, quota, err)",
			run: func(sh *shell, a *boundArgs) error {
				typ, root, quota, err := sh.M.GetQuotaRoot(a.str("mailbox"))
				if err != nil {
					return err
				}
				sh.printResult(typ, "["+imaplib.Repr(root)+", "+imaplib.Repr(quota)+"]")
				return nil
			}},
		{sig: "idle(duration=None)", goSig: "M.Idle(duration time.Duration)",
			note: "seconds; prints each response while idling (here None means 10 seconds, to give the prompt back)",
			run:  (*shell).idle},
		{sig: "list(directory='\"\"', pattern='*')", goSig: "M.List(directory, pattern string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.List(a.str("directory"), a.str("pattern"))
			})},
		{sig: "login(user, password)", bind: "login(user=None, password=None)", goSig: "M.Login(user, password string)",
			note: "with no arguments: the program's user and password",
			run:  (*shell).login},
		{sig: "login_cram_md5(user, password)", goSig: "M.LoginCRAMMD5(user, password string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.LoginCRAMMD5(a.str("user"), a.str("password"))
			})},
		{sig: "logout()", goSig: "M.Logout()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Logout() })},
		{sig: "lsub(directory='\"\"', pattern='*')", goSig: "M.Lsub(directory, pattern string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Lsub(a.str("directory"), a.str("pattern"))
			})},
		{sig: "myrights(mailbox)", goSig: "M.MyRights(mailbox string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.MyRights(a.str("mailbox")) })},
		{sig: "namespace()", goSig: "M.Namespace()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Namespace() })},
		{sig: "noop()", goSig: "M.Noop()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Noop() })},
		{sig: "partial(message_num, message_part, start, length)", goSig: "M.Partial(messageNum, messagePart, start, length string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Partial(a.str("message_num"), a.str("message_part"), a.str("start"), a.str("length"))
			})},
		{sig: "print_log()", goSig: "M.PrintLog()", note: "the last interactions, to the trace (debug level 1 and up)",
			run: func(sh *shell, _ *boundArgs) error { sh.M.PrintLog(); return nil }},
		{sig: "proxyauth(user)", goSig: "M.ProxyAuth(user string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.ProxyAuth(a.str("user")) })},
		{sig: "recent()", goSig: "M.Recent()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Recent() })},
		{sig: "rename(oldmailbox, newmailbox)", goSig: "M.Rename(oldMailbox, newMailbox string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Rename(a.str("oldmailbox"), a.str("newmailbox"))
			})},
		{sig: "response(code)", goSig: "M.Response(code string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.Response(a.str("code")) })},
		{sig: "search(charset, *criteria)", goSig: "M.Search(charset string, criteria ...string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Search(a.str("charset"), a.restStrings()...)
			})},
		{sig: "select(mailbox='INBOX', readonly=False)", goSig: "M.Select(mailbox string, readonly bool)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Select(a.str("mailbox"), a.bool("readonly"))
			})},
		{sig: "setacl(mailbox, who, what)", goSig: "M.SetACL(mailbox, who, what string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.SetACL(a.str("mailbox"), a.str("who"), a.str("what"))
			})},
		{sig: "setannotation(*args)", goSig: "M.SetAnnotation(args ...string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.SetAnnotation(a.restStrings()...)
			})},
		{sig: "setquota(root, limits)", goSig: "M.SetQuota(root, limits string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.SetQuota(a.str("root"), a.str("limits"))
			})},
		{sig: "socket()", goSig: "M.Socket()", note: "shows the connection's addresses",
			run: func(sh *shell, _ *boundArgs) error {
				c := sh.M.Socket()
				if c == nil {
					fmt.Fprintln(sh.out, "None")
					return nil
				}
				fmt.Fprintf(sh.out, "<connection %s -> %s>\n", c.LocalAddr(), c.RemoteAddr())
				return nil
			}},
		{sig: "sort(sort_criteria, charset, *search_criteria)", goSig: "M.Sort(sortCriteria, charset string, searchCriteria ...string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Sort(a.str("sort_criteria"), a.str("charset"), a.restStrings()...)
			})},
		{sig: "starttls(ssl_context=None)", bind: "starttls()", goSig: "M.StartTLS(sslContext *tls.Config)",
			note: "with Go's default context, which verifies the server's certificate",
			run:  tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.StartTLS(nil) })},
		{sig: "status(mailbox, names)", goSig: "M.Status(mailbox, names string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Status(a.str("mailbox"), a.str("names"))
			})},
		{sig: "store(message_set, command, flags)", goSig: "M.Store(messageSet, command, flags string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Store(a.str("message_set"), a.str("command"), a.str("flags"))
			})},
		{sig: "subscribe(mailbox)", goSig: "M.Subscribe(mailbox string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.Subscribe(a.str("mailbox")) })},
		{sig: "thread(threading_algorithm, charset, *search_criteria)", goSig: "M.Thread(threadingAlgorithm, charset string, searchCriteria ...string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.Thread(a.str("threading_algorithm"), a.str("charset"), a.restStrings()...)
			})},
		{sig: "uid(command, *args)", goSig: "M.UID(command string, args ...string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.UID(a.str("command"), a.restStrings()...)
			})},
		{sig: "unselect()", goSig: "M.Unselect()", run: tagged(func(M *imaplib.IMAP4, _ *boundArgs) (string, [][]byte, error) { return M.Unselect() })},
		{sig: "unsubscribe(mailbox)", goSig: "M.Unsubscribe(mailbox string)", run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) { return M.Unsubscribe(a.str("mailbox")) })},
		{sig: "xatom(name, *args)", goSig: "M.XAtom(name string, args ...string)",
			run: tagged(func(M *imaplib.IMAP4, a *boundArgs) (string, [][]byte, error) {
				return M.XAtom(a.str("name"), a.restStrings()...)
			})},
	}
	for _, c := range cmds {
		bind := c.sig
		if c.bind != "" {
			bind = c.bind
		}
		c.name, c.params = parseSignature(bind)
		c.goArgs = parseGoParams(c.goSig)
	}
	return cmds
}

// parseGoParams reads "M.Name(a, b string, c bool, d ...string)" into one
// entry per parameter, giving grouped names their shared type.
func parseGoParams(sig string) []goParam {
	_, list, _ := strings.Cut(sig, "(")
	list = strings.TrimSuffix(list, ")")
	var ps []goParam
	pending := 0
	for _, f := range strings.Split(list, ", ") {
		if f == "" {
			continue
		}
		name, typ, ok := strings.Cut(f, " ")
		ps = append(ps, goParam{name: name})
		if !ok {
			pending++
			continue
		}
		for i := len(ps) - 1 - pending; i < len(ps); i++ {
			ps[i].typ = typ
		}
		pending = 0
	}
	return ps
}

// goCall writes the call as Go code would make it, so that each line typed
// at the prompt also shows its Go spelling. A Go parameter takes the Python
// argument of the same name (message_set is messageSet); one with no Python
// counterpart at the prompt (a callback, a context) shows its name.
func (c *shellCmd) goCall(a *boundArgs) string {
	method, _, _ := strings.Cut(c.goSig, "(")
	byName := map[string]param{}
	for _, p := range c.params {
		byName[normName(p.name)] = p
	}
	var out []string
	for _, gp := range c.goArgs {
		p, ok := byName[normName(gp.name)]
		switch {
		case !ok:
			out = append(out, gp.name)
		case p.variadic:
			for _, v := range a.rest {
				out = append(out, goLiteral(v, strings.TrimPrefix(gp.typ, "...")))
			}
		default:
			out = append(out, goLiteral(a.vals[p.name], gp.typ))
		}
	}
	return method + "(" + strings.Join(out, ", ") + ")"
}

// normName folds a Python or Go parameter name to compare them.
func normName(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// goLiteral writes a typed value as a Go literal of type typ; an omitted
// value (the zero pyValue is a str "") is the zero value, which is how the
// port selects Python's defaults.
func goLiteral(v pyValue, typ string) string {
	switch typ {
	case "bool":
		return strconv.FormatBool(v.truthy())
	case "time.Duration":
		if v.kind == pyNone || v.text == "" {
			return fmt.Sprintf("%d * time.Second", int(idleDefault/time.Second))
		}
		return v.text + " * time.Second"
	case "any":
		switch v.kind {
		case pyNone:
			return "nil"
		case pyInt, pyFloat:
			return v.text
		}
	case "[]byte":
		return "[]byte(" + goString(v.goString()) + ")"
	}
	return goString(v.goString())
}

// goString quotes s as Go source, preferring a raw string where that reads
// as the user typed it (flags such as \Deleted, IMAP quoted strings).
func goString(s string) string {
	if strings.ContainsAny(s, "\\\"") && !strings.ContainsAny(s, "`\r\n") && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// dateArg gives Append's date_time what Python's value stands for: None is
// no date, a number is Unix seconds, a string is passed as is.
func dateArg(v pyValue) any {
	switch v.kind {
	case pyNone:
		return nil
	case pyInt:
		n, err := strconv.ParseInt(v.text, 10, 64)
		if err == nil {
			return n
		}
	case pyFloat:
		f, err := strconv.ParseFloat(v.text, 64)
		if err == nil {
			return f
		}
	}
	if v.text == "" {
		return nil
	}
	return v.text
}

// idleDefault bounds an idle() typed without a duration, so that the prompt
// comes back; Python's None would wait for ever.
const idleDefault = 10 * time.Second

// idle runs IDLE for the given number of seconds, printing each response
// the server pushes as Python's "for typ, data in idler" would see it.
func (sh *shell) idle(a *boundArgs) error {
	d := idleDefault
	if v := a.value("duration"); a.given("duration") && v.kind != pyNone {
		secs, err := strconv.ParseFloat(v.text, 64)
		if err != nil || secs <= 0 {
			return fmt.Errorf("ValueError: duration must be a positive number of seconds, not %s", imaplib.Repr(v.goString()))
		}
		d = time.Duration(secs * float64(time.Second))
	}
	idler, err := sh.M.Idle(d)
	if err != nil {
		return err
	}
	if err := idler.Enter(); err != nil {
		return err
	}
	for typ, data := range idler.All() {
		sh.printResult(typ, imaplib.Repr(data))
	}
	iterErr := idler.Err()
	if err := idler.Exit(); err != nil {
		return err
	}
	return iterErr
}

// login logs in with the given user and password, or with the program's
// own when none are given, so that a password need not be typed in clear.
func (sh *shell) login(a *boundArgs) error {
	user, password := a.str("user"), a.str("password")
	if !a.given("user") && !a.given("password") {
		var err error
		if user, password, err = sh.p.credentials(); err != nil {
			return err
		}
	}
	typ, data, err := sh.M.Login(user, password)
	if err != nil {
		return err
	}
	sh.printResult(typ, imaplib.Repr(data))
	return nil
}

// authenticate runs AUTHENTICATE. For PLAIN the answer is built from the
// user and password; for any other mechanism each challenge is shown and the
// answer read from the input, a line "*" cancelling as Python's None does.
func (sh *shell) authenticate(a *boundArgs) error {
	mech := a.str("mechanism")
	var answer func([]byte) []byte
	if strings.EqualFold(mech, "PLAIN") {
		user, password := a.str("user"), a.str("password")
		if !a.given("user") {
			var err error
			if user, password, err = sh.p.credentials(); err != nil {
				return err
			}
		}
		answer = func([]byte) []byte { return []byte("\x00" + user + "\x00" + password) }
	} else {
		answer = func(challenge []byte) []byte {
			fmt.Fprintf(sh.out, "challenge %s; answer (* to cancel): ", imaplib.Repr(challenge))
			line, err := sh.p.in.ReadString('\n')
			line = strings.TrimRight(line, "\r\n")
			if (err != nil && line == "") || line == "*" {
				return nil
			}
			return []byte(line)
		}
	}
	typ, data, err := sh.M.Authenticate(mech, answer)
	if err != nil {
		return err
	}
	sh.printResult(typ, imaplib.Repr(data))
	return nil
}

// errorText words err as the last line of a Python traceback would, so the
// prompt teaches which exception a script would have to catch.
func errorText(err error) string {
	var ie *imaplib.Error
	switch {
	case errors.As(err, &ie):
		return "imaplib.IMAP4." + ie.Class() + ": " + ie.Error()
	case errors.Is(err, imaplib.ErrControlCharacters):
		return "ValueError: " + err.Error()
	case strings.HasPrefix(err.Error(), "TypeError: "), strings.HasPrefix(err.Error(), "ValueError: "),
		strings.HasPrefix(err.Error(), "SyntaxError: "), strings.HasPrefix(err.Error(), "NameError: "),
		strings.HasPrefix(err.Error(), "AttributeError: "):
		return err.Error()
	}
	return "error: " + err.Error()
}
