package imaplib

// Generated sessions for the differential suite: a seeded generator picks
// the client's calls and a reactive server that answers each command with
// seeded responses, grammatical or deliberately broken. The same session is
// played to CPython 3.13.0 and to the port and the outcomes must be the
// same. A failing session is shrunk and written back as a transcript,
// testdata/compat/generated-fail-<seed>.txt, which TestCompat then replays.
//
// IMAPLIB_COMPAT_GEN_COUNT (default 5000) and IMAPLIB_COMPAT_GEN_SEED
// (default 1) choose the sessions; session i uses seed SEED+i, so one
// session is replayed with IMAPLIB_COMPAT_GEN_SEED=<seed> and a count of 1.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cpGenSession is one generated session.
type cpGenSession struct {
	seed    uint64
	session cpSession
}

func cpGenRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

func cpPick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// cpChance is true with probability p percent.
func cpChance(r *rand.Rand, p int) bool { return r.IntN(100) < p }

// cpGenerate makes the client half of session seed: settings and calls.
func cpGenerate(seed uint64) cpGenSession {
	r := cpGenRand(seed, 1)
	s := cpSession{debug: cpPick(r, 0, 0, 1, 1, 2, 3, 4, 4, 5, 5), timeout: 10 * time.Second}
	if cpChance(r, 4) {
		s.maxline = 40 + r.IntN(200)
	}
	state := "NONAUTH"
	n := 1 + r.IntN(9)
	for i := 0; i < n; i++ {
		call := cpGenCall(r, state)
		switch {
		case strings.HasPrefix(call, "login") || strings.HasPrefix(call, "authenticate"):
			state = "AUTH"
		case strings.HasPrefix(call, "select"):
			state = "SELECTED"
		case strings.HasPrefix(call, "close") || strings.HasPrefix(call, "unselect"):
			state = "AUTH"
		}
		s.calls = append(s.calls, call)
	}
	return cpGenSession{seed: seed, session: s}
}

var (
	cpGenMailboxes = []string{"INBOX", "Sent", "Drafts", "Trash", "Archive/2024", "a", "\"quoted box\""}
	cpGenFlags     = []string{`\Seen`, `\Deleted`, `(\Seen \Answered)`, `\Flagged \Draft`, `$Label1`, ``}
	cpGenSets      = []string{"1", "1:*", "2,4:6", "*", "7"}
	cpGenParts     = []string{"(FLAGS)", "(UID BODY[])", "BODY[HEADER]", "(RFC822.SIZE INTERNALDATE)", "FAST"}
	cpGenCodes     = []string{"EXISTS", "RECENT", "FETCH", "OK", "NO", "ALERT", "READ-ONLY", "READ-WRITE", "UIDVALIDITY", "CAPABILITY", "FLAGS", "LIST", "SEARCH", "exists", "BYE"}
)

// cpGenCall picks one call, usually one the state allows.
func cpGenCall(r *rand.Rand, state string) string {
	f := cpFormatCall
	if state == "NONAUTH" && cpChance(r, 65) {
		switch r.IntN(6) {
		case 0, 1, 2:
			return f("login", cpPick(r, "user", "us er", "u"), cpPick(r, "pass", `p"w\d`, ""))
		case 3:
			return f("authenticate", cpPick(r, "PLAIN", "plain", "X-TEST"), cpLiteral(cpPick(r,
				`lambda x: b'\x00user\x00pass'`, `lambda x: None`, `lambda x: 'grüße'`, `lambda x: b''`, `echo`,
				`rounds(b'one', b'two', None)`)))
		case 4:
			return f("login_cram_md5", "tim", cpPick(r, "tanstaaftanstaaf", "x"))
		default:
			return f("starttls")
		}
	}
	if state == "AUTH" && cpChance(r, 40) {
		return f("select", cpPick(r, cpGenMailboxes...), cpPick(r, false, false, true))
	}
	mb := func() string { return cpPick(r, cpGenMailboxes...) }
	switch r.IntN(44) {
	case 0:
		return f("noop")
	case 1:
		return f("capability")
	case 2:
		return f("check")
	case 3:
		return f("close")
	case 4:
		return f("unselect")
	case 5:
		return f("expunge")
	case 6:
		return f("fetch", cpPick(r, cpGenSets...), cpPick(r, cpGenParts...))
	case 7:
		if cpChance(r, 30) {
			return f("search", "UTF-8", "SUBJECT", "hi")
		}
		return f("search", nil, cpPick(r, "ALL", "UNSEEN", "(FROM \"LDJ\")"))
	case 8:
		fl := cpPick(r, cpGenFlags...)
		if fl == "" {
			fl = `\Seen`
		}
		return f("store", cpPick(r, cpGenSets...), cpPick(r, "+FLAGS", "-FLAGS.SILENT", "FLAGS"), fl)
	case 9:
		return f("copy", cpPick(r, cpGenSets...), mb())
	case 10:
		return f("uid", cpPick(r, "FETCH", "fetch", "SEARCH", "COPY", "STORE", "SORT", "THREAD", "BOGUS", "login"),
			cpPick(r, "1:*", "5", "ALL"), cpPick(r, "(FLAGS)", "ALL", "Trash", "(UID)"))
	case 11:
		return f("list", cpPick(r, `""`, "~/Mail", "INBOX"), cpPick(r, "*", "%", "Sent*"))
	case 12:
		return f("lsub")
	case 13:
		return f("status", mb(), cpPick(r, "(MESSAGES UNSEEN)", "(UIDNEXT)"))
	case 14:
		return f("create", mb())
	case 15:
		return f("delete", mb())
	case 16:
		return f("rename", mb(), mb())
	case 17:
		return f("subscribe", mb())
	case 18:
		return f("unsubscribe", mb())
	case 19:
		return f("getacl", mb())
	case 20:
		return f("setacl", mb(), "fred", "lrswi")
	case 21:
		return f("deleteacl", mb(), "fred")
	case 22:
		return f("myrights", mb())
	case 23:
		return f("getquota", cpPick(r, `""`, "user.fred"))
	case 24:
		return f("getquotaroot", mb())
	case 25:
		return f("setquota", `""`, "(STORAGE 512)")
	case 26:
		return f("getannotation", mb(), `"/comment"`, `"value.priv"`)
	case 27:
		return f("setannotation", mb(), `"/comment"`, `("value.priv" "hi")`)
	case 28:
		return f("namespace")
	case 29:
		return f("partial", "1", "BODY[]", "0", "10")
	case 30:
		return f("proxyauth", "fred")
	case 31:
		return f("sort", cpPick(r, "DATE", "(REVERSE ARRIVAL)"), "UTF-8", "ALL")
	case 32:
		return f("thread", cpPick(r, "REFERENCES", "ORDEREDSUBJECT"), "UTF-8", "ALL")
	case 33:
		return f("xatom", cpPick(r, "XGENA", "xgenb", "NOOP", "ID"), cpPick(r, "NIL", `("name" "x")`))
	case 34:
		msg := cpPick(r, "Subject: hi\r\n\r\nbody\r\n", "a\rb\nc", "", "x")
		return f("append", cpPick[any](r, nil, "INBOX", "Drafts"), cpPick[any](r, nil, `\Seen`, `(\Seen \Draft)`), nil, []byte(msg))
	case 35:
		return f("enable", cpPick(r, "UTF8=ACCEPT", "CONDSTORE", "utf8=accept"))
	case 36:
		return f("recent")
	case 37:
		return f("response", cpPick(r, cpGenCodes...))
	case 38:
		return f("logout")
	case 39:
		return f("print_log")
	case 40:
		return f("_simple_command", cpPick(r, "NOOP", "CHECK"))
	case 41:
		return f("select", mb(), cpPick(r, false, true))
	case 42:
		return f("login", "user", "pass")
	default:
		return f("authenticate", "PLAIN", cpLiteral(`lambda x: b'\x00u\x00p'`))
	}
}

// ---- The reactive server ------------------------------------------------------

// cpGenPlayer answers each client line with seeded responses. It must
// always let the client finish waiting: every reply ends in a tagged
// completion, a BYE, a line the client rejects, or the end of the session.
func cpGenPlayer(seed uint64) cpPlayer {
	return func(k *cpConn) {
		r := cpGenRand(seed, 2)
		g := &cpGen{r: r, k: k, noReadOnly: cpGenAppends(seed)}
		if !g.greeting() {
			return
		}
		for {
			line, err := k.readLine(cpGenRecvWait)
			if err != nil {
				if cpIsTimeout(err) {
					k.problems = append(k.problems, "the client stopped talking without closing")
				}
				return
			}
			if !g.answer(line) {
				return
			}
		}
	}
}

// cpGenAppends reports whether the session generated from seed calls
// append.
func cpGenAppends(seed uint64) bool {
	for _, c := range cpGenerate(seed).session.calls {
		if strings.HasPrefix(c, "append(") {
			return true
		}
	}
	return false
}

// cpGenRecvWait bounds the reactive server's wait for a line; a client
// waits for the server only until the server's reply ends, so a long wait
// here means the harness is broken.
const cpGenRecvWait = 8 * time.Second

type cpGen struct {
	r *rand.Rand
	k *cpConn
	// inLoop is set while the client waits in _command's continuation
	// loop (AUTHENTICATE, or APPEND before its literal is invited), where
	// a BYE does not end the wait: the server then has to close.
	inLoop bool
	// noReadOnly keeps READ-ONLY out of sessions that APPEND: after a
	// readonly error CPython leaves the APPEND literal pending and sends it
	// with the next command, a leak the port deliberately does not copy
	// (see testdata/compat/readonly-stray-literal.txt).
	noReadOnly bool
}

func (g *cpGen) line(s string) { g.send(s + "\r\n") }

// send writes raw bytes with the TAG and TAGP placeholders filled in.
func (g *cpGen) send(s string) { g.k.send(g.k.subst([]byte(s))) }

// greeting sends the greeting; false ends the session.
func (g *cpGen) greeting() bool {
	r := g.r
	switch n := r.IntN(100); {
	case n < 55:
		g.line("* OK " + cpPick(r, "IMAP4rev1 ready", "Dovecot ready.", "hi"))
	case n < 65:
		g.line("* OK [CAPABILITY IMAP4rev1 " + g.caps() + "] ready")
	case n < 80:
		g.line("* PREAUTH " + cpPick(r, "logged in", "[CAPABILITY IMAP4rev1] hello"))
	case n < 83:
		g.line("* BYE " + cpPick(r, "go away", "too many connections"))
		return false
	case n < 85:
		g.line(cpPick(r, "hello", "* ok lower", "+ nope", "+"))
	case n < 87:
		g.send(cpPick(r, "* OK no end", "* OK bare lf\n"))
		return false
	case n < 89:
		return false
	default:
		g.untagged(1)
		g.line("* OK ready")
	}
	return true
}

func (g *cpGen) caps() string {
	var out []string
	for _, c := range []string{"AUTH=PLAIN", "AUTH=CRAM-MD5", "ENABLE", "UTF8=ACCEPT", "STARTTLS", "IDLE", "LITERAL+", "UIDPLUS", "QUOTA", "ACL", "namespace", "sort"} {
		if cpChance(g.r, 45) {
			out = append(out, c)
		}
	}
	return strings.Join(out, " ")
}

// answer replies to one client line; false ends the session.
func (g *cpGen) answer(line []byte) bool {
	r := g.r
	text := strings.TrimRight(string(line), "\r\n")
	fields := strings.Fields(text)
	if len(fields) < 2 || g.k.lastTag == "" || fields[0] != g.k.lastTag {
		// Not a command (an answer to a challenge read out of turn, or
		// raw data): a BAD for the last command ends any wait.
		g.line("TAG BAD unexpected line")
		return true
	}
	g.inLoop = false
	cmd := strings.ToUpper(fields[1])
	if cmd == "UID" && len(fields) > 2 {
		cmd = "UID " + strings.ToUpper(fields[2])
	}
	switch cmd {
	case "STARTTLS":
		// No TLS here: a handshake's bytes differ from run to run, so the
		// generated server always refuses (a transcript can test TLS).
		g.untagged(r.IntN(2))
		g.line(cpPick(r, "TAG NO not now", "TAG BAD no TLS", "* BYE no TLS"))
		return true
	case "CAPABILITY":
		switch n := r.IntN(100); {
		case n < 80:
			g.line("* CAPABILITY " + cpPick(r, "IMAP4rev1", "IMAP4rev1", "IMAP4rev1", "IMAP4", "imap4rev1", "IMAP4rev2") + " " + g.caps())
		case n < 85:
			g.line("* CAPABILITY IMAP4rev1 OLD")
			g.line("* CAPABILITY IMAP4rev1 " + g.caps())
		case n < 90:
		default:
			g.untagged(2)
		}
		return g.complete()
	case "LOGOUT":
		if cpChance(g.r, 80) {
			g.line("* BYE " + cpPick(r, "logging out", "IMAP4rev1 Server logging out"))
		}
		return g.complete()
	case "AUTHENTICATE":
		for rounds := r.IntN(4); rounds > 0; rounds-- {
			g.untagged(r.IntN(2) * r.IntN(2))
			g.line(cpPick(r, "+", "+ ", "+ "+base64.StdEncoding.EncodeToString([]byte(cpPick(r, "user", "<1896.697170952@postoffice.example>", "x"))), "+ not base64!"))
			tag := g.k.lastTag
			next, err := g.k.readLine(cpGenRecvWait)
			if err != nil {
				return false
			}
			if g.k.lastTag != tag {
				// The client gave up on the exchange (a challenge it could
				// not decode) and sent its next command.
				return g.answer(next)
			}
		}
		g.inLoop = true
		return g.complete()
	case "SELECT", "EXAMINE":
		g.line("* " + strconv.Itoa(r.IntN(20)) + " EXISTS")
		if cpChance(r, 70) {
			g.line("* " + strconv.Itoa(r.IntN(3)) + " RECENT")
		}
		if cpChance(r, 60) {
			g.line(`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`)
		}
		if cpChance(r, 50) {
			g.line("* OK [UIDVALIDITY " + strconv.Itoa(1+r.IntN(9999)) + "] UIDs valid")
		}
		g.untagged(r.IntN(2))
		code := cpPick(r, "[READ-WRITE] ", "[READ-WRITE] ", "[READ-ONLY] ", "")
		if g.noReadOnly && code == "[READ-ONLY] " {
			code = "[READ-WRITE] "
		}
		return g.completeWith(code)
	}
	if m := cpLiteralRe.FindStringSubmatch(string(line)); m != nil {
		// A literal is announced: invite it, or refuse it at once.
		g.untagged(r.IntN(2))
		if cpChance(r, 80) {
			g.line(cpPick(r, "+ Ready for literal data", "+", "+ ", "+ go ahead"))
			if _, err := g.k.readLine(cpGenRecvWait); err != nil {
				return false
			}
		} else {
			g.inLoop = true
		}
		return g.complete()
	}
	g.untagged(r.IntN(5))
	if cpChance(r, 5) {
		g.line(cpPick(r, "+ unexpected continuation", "+"))
	}
	return g.complete()
}

// untagged sends n untagged responses, mostly well formed.
func (g *cpGen) untagged(n int) {
	r := g.r
	for ; n > 0; n-- {
		num := strconv.Itoa(r.IntN(30))
		switch r.IntN(24) {
		case 0:
			g.line("* " + num + " EXISTS")
		case 1:
			g.line("* " + num + " RECENT")
		case 2:
			g.line("* " + num + " EXPUNGE")
		case 3:
			g.line("* " + num + " FETCH (FLAGS (\\Seen) UID " + num + ")")
		case 4:
			body := cpPick(r, "hello", "", "Subject: x\r\n\r\nbody\r\n", "* 1 EXISTS\r\n", "{5}\r\n")
			g.line("* " + num + " FETCH (UID 7 BODY[] {" + strconv.Itoa(len(body)) + "}")
			g.send(body)
			if cpChance(r, 30) {
				body2 := cpPick(r, "ab", "")
				g.line(" BODY[1] {" + strconv.Itoa(len(body2)) + "}")
				g.send(body2)
			}
			g.line(cpPick(r, ")", " FLAGS (\\Seen))", ""))
		case 5:
			g.line("* OK [" + cpPick(r, "UIDVALIDITY 3857529045", "UIDNEXT 4392", "UNSEEN 12", "PERMANENTFLAGS (\\Deleted \\Seen \\*)", "ALERT", "HIGHESTMODSEQ 7") + "] " + cpPick(r, "ok", "", "text [with] brackets"))
		case 6:
			if g.noReadOnly {
				g.line("* OK [READ-WRITE] still writable")
				break
			}
			g.line("* OK [READ-ONLY] now read-only")
		case 7:
			g.line("* NO [" + cpPick(r, "ALERT", "OVERQUOTA") + "] " + cpPick(r, "disk full", "careful"))
		case 8:
			g.line("* BAD " + cpPick(r, "stray", "[CLIENTBUG] oops"))
		case 9:
			g.line(`* LIST (\HasNoChildren) "/" ` + cpPick(r, "INBOX", `"a b"`, "Sent"))
		case 10:
			g.line(`* LIST () "/" {3}`)
			g.send("abc")
			g.line("")
		case 11:
			g.line("* SEARCH" + cpPick(r, "", " 1 2 3", " 5"))
		case 12:
			g.line("* STATUS INBOX (MESSAGES " + num + " UNSEEN 1)")
		case 13:
			g.line(`* FLAGS (\Seen \Deleted)`)
		case 14:
			g.line(`* CAPABILITY IMAP4rev1 ` + g.caps())
		case 15:
			g.line(`* QUOTAROOT INBOX ""`)
			g.line(`* QUOTA "" (STORAGE 10 512)`)
		case 16:
			g.line(`* ACL INBOX fred lrswi`)
		case 17:
			g.line(`* NAMESPACE (("" "/")) NIL NIL`)
		case 18:
			g.line(`* SORT 2 3 1`)
		case 19:
			g.line(`* ENABLED ` + cpPick(r, "UTF8=ACCEPT", "CONDSTORE"))
		case 20:
			g.line(`* METADATA "" (/private/comment {2}`)
			g.send("hi")
			g.line(")")
		case 21:
			g.line("* " + num + " " + cpPick(r, "FOO", "FOO bar", "THREAD"))
		case 22:
			g.line(cpPick(r, "* PREAUTH odd", "* ANNOTATION INBOX \"/comment\" (\"value.priv\" \"x\")", "* MYRIGHTS INBOX lr"))
		default:
			g.send(cpPick(r, "* 1 FETCH (X \"a\rb\")\r\n", "* OK caf\xc3\xa9\r\n", "* 2 FETCH (X \"\x00\xff\")\r\n"))
		}
	}
}

func (g *cpGen) complete() bool { return g.completeWith("") }

// completeWith ends the command, usually with a tagged status.
func (g *cpGen) completeWith(code string) bool {
	r := g.r
	switch n := r.IntN(100); {
	case n < 68:
		g.line("TAG OK " + code + cpPick(r, "done", "Completed", "[ALERT] see [x]", "ok"))
	case n < 80:
		g.line("TAG NO " + cpPick(r, "[AUTHENTICATIONFAILED] no", "no such thing", "[TRYCREATE] create first", "[NONEXISTENT] gone"))
	case n < 87:
		g.line("TAG BAD " + cpPick(r, "syntax error", "[CLIENTBUG] what"))
	case n < 90:
		g.line("* BYE " + cpPick(r, "shutting down", "timeout"))
		return !g.inLoop && cpChance(r, 50)
	case n < 92:
		g.line(cpPick(r, "TAG OK", "TAG ok fine", "TAGP999 OK stale", "garbage", "* ok x"))
	case n < 94:
		g.send("TAG OK bare lf\n")
	case n < 95:
		g.send("* 1 FETCH (BODY[] {10}\r\nshort")
		return false
	case n < 97:
		g.send(cpPick(r, "TAG OK no crlf", "* 3 EX"))
		return false
	case n < 98:
		return false
	default:
		g.line("* " + strings.Repeat("x", 50+g.r.IntN(300)))
		g.line("TAG OK long line before")
	}
	return true
}

// ---- Running ---------------------------------------------------------------------

// cpGenSettings reads the count and seed from the environment.
func cpGenSettings(t *testing.T) (count int, seed uint64) {
	count, seed = 5000, 1
	if v := os.Getenv("IMAPLIB_COMPAT_GEN_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "IMAPLIB_COMPAT_GEN_COUNT")
		count = n
	}
	if v := os.Getenv("IMAPLIB_COMPAT_GEN_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "IMAPLIB_COMPAT_GEN_SEED")
		seed = n
	}
	return count, seed
}

// cpGenPair plays one session to the port, then to CPython with the
// port's tag prefix.
func cpGenPair(py *cpPython, g cpGenSession) (pyOut, goOut cpOutcome) {
	p, o, err := cpGenBatch(py, []cpGenSession{g})
	if err != nil {
		return cpOutcome{Err: err}, cpOutcome{Err: err}
	}
	return p[0], o[0]
}

// cpGenBatch plays many sessions: first to the port, then to CPython in
// one request, each session with the tag prefix the port chose for it.
func cpGenBatch(py *cpPython, gens []cpGenSession) (pyOuts, goOuts []cpOutcome, err error) {
	goOuts = make([]cpOutcome, len(gens))
	for i, g := range gens {
		s, err := cpServe(cpGenPlayer(g.seed))
		if err != nil {
			return nil, nil, err
		}
		goOuts[i] = cpRunGo(g.session, s.port())
		goOuts[i].Server = s.wait(30 * time.Second)
	}
	pySrvs := make([]*cpServer, len(gens))
	reqs := make([]cpPySession, len(gens))
	for i, g := range gens {
		s, err := cpServe(cpGenPlayer(g.seed))
		if err != nil {
			return nil, nil, err
		}
		pySrvs[i] = s
		reqs[i] = g.session.forPython(s.port(), goOuts[i].prefix())
	}
	pyOuts, err = py.run(reqs)
	for i, s := range pySrvs {
		res := s.wait(30 * time.Second)
		if err == nil {
			pyOuts[i].Server = res
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return pyOuts, goOuts, nil
}

// cpGenDiffers tells whether the two outcomes differ, and how.
func cpGenDiffers(pyOut, goOut cpOutcome) (bool, string) {
	if pyOut.Err != nil || goOut.Err != nil {
		return true, fmt.Sprintf("harness error: CPython %v, port %v", pyOut.Err, goOut.Err)
	}
	if len(pyOut.Server.problems) > 0 {
		return true, "server problems with CPython: " + strings.Join(pyOut.Server.problems, "; ")
	}
	a, b := pyOut.render(), goOut.render()
	if a != b {
		return true, cpDiff(a, b)
	}
	return false, ""
}

// cpFirstChange is the first changed line pair of a diff, for a one-line
// mention of a failing session.
func cpFirstChange(diff string) string {
	var out []string
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "+ ") {
			out = append(out, strings.TrimSpace(l))
			if len(out) == 2 {
				break
			}
		}
	}
	if len(out) == 0 {
		return diff
	}
	return strings.Join(out, " | ")
}

// cpGenShrink drops calls from a failing session while it still fails, so
// the transcript written for it is small.
func cpGenShrink(py *cpPython, g cpGenSession) (cpGenSession, cpOutcome) {
	pyOut, _ := cpGenPair(py, g)
	for i := len(g.session.calls) - 1; i >= 0 && len(g.session.calls) > 1; i-- {
		try := g
		try.session.calls = append(append([]string{}, g.session.calls[:i]...), g.session.calls[i+1:]...)
		p, o := cpGenPair(py, try)
		if bad, _ := cpGenDiffers(p, o); bad {
			g, pyOut = try, p
		}
	}
	return g, pyOut
}

// cpGenWriteFailure writes a failing session as a transcript that replays
// what the server sent to CPython.
func cpGenWriteFailure(g cpGenSession, pyOut cpOutcome) (string, error) {
	var buf bytes.Buffer
	comments := []string{
		fmt.Sprintf("Generated session %d that CPython %s and the port did not play alike.", g.seed, cpReferencePython),
		fmt.Sprintf("Replay the generator with IMAPLIB_COMPAT_GEN_SEED=%d IMAPLIB_COMPAT_GEN_COUNT=1.", g.seed),
	}
	cpWriteTranscript(&buf, comments, g.session.debug, g.session.maxline, pyOut.Server.log, g.session.calls, pyOut.prefix())
	path := filepath.Join("testdata", "compat", fmt.Sprintf("generated-fail-%d.txt", g.seed))
	return path, os.WriteFile(path, buf.Bytes(), 0o644)
}

// TestCompatGenerated plays generated sessions to CPython 3.13.0 and to
// the port.
func TestCompatGenerated(t *testing.T) {
	count, base := cpGenSettings(t)
	py, err := cpGetPython(cpReferencePython)
	if err != nil {
		if cpInCI() {
			t.Fatalf("CPython %s missing (CI=true makes this a failure): %v", cpReferencePython, err)
		}
		t.Skipf("CPython %s is needed for the generated sessions: %v", cpReferencePython, err)
	}
	const batch = 50
	const maxReported = 5 // shrunk and written as transcripts
	const maxListed = 50  // named with their first difference
	start := time.Now()
	failed := 0
	var failures []cpGenSession
	for first := 0; first < count; first += batch {
		var gens []cpGenSession
		for i := first; i < min(first+batch, count); i++ {
			gens = append(gens, cpGenerate(base+uint64(i)))
		}
		pyOuts, goOuts, err := cpGenBatch(py, gens)
		require.NoError(t, err, "running generated sessions %d..%d", first, first+len(gens)-1)
		for i, g := range gens {
			if bad, why := cpGenDiffers(pyOuts[i], goOuts[i]); bad {
				failed++
				if len(failures) < maxReported {
					failures = append(failures, g)
					t.Logf("generated session %d differs:\n%s", g.seed, why)
				} else if failed <= maxListed {
					t.Logf("generated session %d differs too: %s", g.seed, cpFirstChange(why))
				}
			}
		}
	}
	for _, g := range failures {
		small, pyOut := cpGenShrink(py, g)
		path, err := cpGenWriteFailure(small, pyOut)
		if assert.NoError(t, err) {
			t.Errorf("generated session %d: CPython %s and the port differ; shrunk to %d calls in %s", g.seed, cpReferencePython, len(small.session.calls), path)
		}
	}
	assert.Zero(t, failed, "%d of %d generated sessions differ (seeds %d..%d)", failed, count, base, base+uint64(count)-1)
	t.Logf("compat: %d/%d generated sessions identical (seeds %d..%d) in %v", count-failed, count, base, base+uint64(count)-1, time.Since(start).Round(time.Millisecond))
	cpSummary.mu.Lock()
	cpSummary.genRan = true
	cpSummary.genTotal += count
	cpSummary.genIdentical += count - failed
	cpSummary.mu.Unlock()
}
