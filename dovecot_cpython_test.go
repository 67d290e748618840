package imaplib_test

// CPython's imaplib and the port, in the classic profile, play the same
// plan of calls against the shared Dovecot, each on mailboxes of its own;
// what each call returned or raised, and the connection's attributes after
// it, must be the same once what the server varies is normalised.
//
// The plan is written once, here, as data. scripts/dovecot_cpython.py
// plays it with CPython (one process for the whole plan, JSON out) and
// dsPlayGo plays it with the port. The interpreters are python3 and, when
// pyenv has it, 3.13.0; without python3 the test skips, or fails when
// CI=true.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyport/imaplib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dsStep is one call of the plan: an IMAP4 method by its Python name, or
// "connect" (a new IMAP4), or "register" (assign Commands[name]).
type dsStep struct {
	Op   string
	Args []any // nil (None), string, []byte, int64 or bool
	// uvData: every datum starts with a UIDVALIDITY, which Dovecot makes
	// from the clock.
	uvData bool
}

// dsRecord is what one step did, as both sides report it. Data and the
// untagged lists hold nil (None), string (bytes) and []any (a nested list).
type dsRecord struct {
	Typ         any // nil when the call raised, or for connect
	Data        any
	ErrClass    string
	ErrText     string
	State       any
	IsReadonly  any
	UTF8Enabled any
	Untagged    map[string]any
	Extra       map[string]any
}

// dsNames are the mailboxes of one run, all under a random base name so
// that runs never meet, and so that normalising the base hides which run
// it was.
type dsNames struct {
	base, box, dest, spaced, renamed, child, missing string
}

func dsNewNames(t *testing.T) dsNames {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	base := "ds" + hex.EncodeToString(b)
	return dsNames{
		base:    base,
		box:     base,
		dest:    base + "-dest",
		spaced:  base + " sp",
		renamed: base + "-ren",
		child:   base + "/kid",
		missing: base + "-missing",
	}
}

// dsQ puts a mailbox name in double quotes: the classic profile sends
// arguments as given, so a name with a space must arrive quoted.
func dsQ(s string) string { return `"` + s + `"` }

// dsPlan is the whole session. idStates is the Commands entry for ID at
// the start, if idKnown: the Go process may hold one from an earlier test,
// and a fresh CPython must start from the same table.
func dsPlan(env map[string]string, n dsNames, idStates []string, idKnown bool) []dsStep {
	user, pass, other := env["IMAP_USER"], env["IMAP_PASSWORD"], env["IMAP_USER2"]
	msg := func(i int) []byte { return []byte(dvMessages[i]) }
	utf8Subject := []byte("gr\xc3\xbc\xc3\x9fe")
	st := func(op string, args ...any) dsStep { return dsStep{Op: op, Args: args} }
	uv := func(code string) dsStep { return dsStep{Op: "response", Args: []any{code}, uvData: true} }

	var plan []dsStep
	if idKnown {
		args := []any{"ID"}
		for _, s := range idStates {
			args = append(args, s)
		}
		plan = append(plan, st("register", args...))
	}
	plan = append(plan,
		// not logged in
		st("connect"),
		st("capability"),
		st("select", "INBOX", false),
		st("login", user, "wrong-password"),
		st("login", user, pass),
		st("capability"),
		st("namespace"),

		// mailboxes
		st("create", n.box),
		st("create", n.dest),
		st("create", dsQ(n.spaced)),
		// unquoted, as 3.13.0 sends it: Dovecot takes the first word, a
		// mailbox that exists
		st("create", n.spaced),
		st("create", n.child),
		st("create", n.box),
		st("list", `""`, n.base+"*"),
		st("list", n.box, "/%"),
		st("rename", dsQ(n.spaced), n.renamed),
		st("list", `""`, n.base+"*"),
		st("subscribe", n.box),
		st("lsub", `""`, n.base+"*"),
		st("unsubscribe", n.box),
		st("lsub", `""`, n.base+"*"),
		st("status", n.box, "(MESSAGES UIDNEXT UNSEEN)"),

		// append: flags as a list, a bare flag, none; the date as a quoted
		// string, as Unix seconds (local time on both sides), and none
		st("append", n.box, `(\Seen)`, `"01-Jan-2024 12:00:00 +0000"`, msg(0)),
		uv("APPENDUID"),
		st("append", n.box, `\Answered`, int64(1704196800), msg(1)),
		st("append", n.box, nil, `"03-Jan-2024 12:00:00 +0100"`, msg(2)),
		st("append", n.dest, nil, nil, msg(2)),
		st("status", n.box, "(MESSAGES UIDNEXT UNSEEN)"),

		// select and fetch
		st("select", n.box),
		st("response", "FLAGS"),
		st("response", "PERMANENTFLAGS"),
		uv("UIDVALIDITY"),
		st("response", "UIDNEXT"),
		st("response", "READ-WRITE"),
		st("fetch", "1", "(RFC822)"),
		st("fetch", "2", "(RFC822)"),
		st("fetch", "1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"),
		st("fetch", "1:3", "(BODYSTRUCTURE)"),
		st("fetch", "1:3", "(ENVELOPE)"),
		st("fetch", "3", "(BODY[]<0.10>)"),
		st("fetch", "3", "(BODY.PEEK[TEXT]<2.5>)"),
		st("fetch", "1:3", "(FLAGS INTERNALDATE RFC822.SIZE)"),
		st("fetch", "1", "(NOSUCHITEM)"),
		st("partial", "1", "BODY[]", "0", "10"),

		// search, sort, thread
		st("search", nil, "ALL"),
		st("search", nil, "FROM", `"bob@example.org"`),
		st("search", "UTF-8", "SUBJECT", utf8Subject), // 8-bit atom: BAD
		st("search", "UTF-8", "SUBJECT", append(append([]byte{'"'}, utf8Subject...), '"')),
		st("search", nil, "SUBJECT", "Other topic"), // unquoted: TOPIC is no key
		st("search", nil, "NOSUCHKEY"),
		st("sort", "REVERSE DATE", "UTF-8", "ALL"),
		st("sort", "(FROM)", "UTF-8", "ALL"),
		st("thread", "REFERENCES", "UTF-8", "ALL"),
		st("thread", "ORDEREDSUBJECT", "UTF-8", "ALL"),
		st("uid", "SORT", "(DATE)", "UTF-8", "ALL"),
		st("uid", "THREAD", "REFERENCES", "UTF-8", "ALL"),

		// store and copy
		st("store", "1", "+FLAGS", `(\Answered)`),
		st("store", "2", "+FLAGS.SILENT", `\Flagged`),
		st("store", "1", "-FLAGS", `\Seen`),
		st("copy", "1:2", n.dest),
		uv("COPYUID"),

		// by UID
		st("uid", "SEARCH", "ALL"),
		st("uid", "search", "FROM", "carol"),
		st("uid", "FETCH", "1:*", "(UID FLAGS)"),
		st("uid", "STORE", "2", "+FLAGS", `(\Flagged)`),
		st("uid", "COPY", "1", n.dest),
		uv("COPYUID"),
		st("uid", "MOVE", "3", n.dest),
		uv("COPYUID"),
		st("response", "EXPUNGE"),
		st("uid", "STORE", "1", "+FLAGS.SILENT", `(\Deleted)`),
		st("uid", "EXPUNGE", "1"),
		st("uid", "SEARCH", "ALL"),
		st("uid", "NOSUCH", "1"),

		// expunge and session commands
		st("select", n.dest),
		st("store", "2", "+FLAGS", `(\Deleted)`),
		st("expunge"),
		st("check"),
		st("noop"),
		st("recent"),

		// ACL and quota
		st("myrights", n.box),
		st("getacl", n.box),
		st("setacl", n.box, other, "lrs"),
		st("getacl", n.box),
		st("deleteacl", n.box, other),
		st("getacl", n.box),
		st("getacl", n.missing),
		st("getquotaroot", "INBOX"),
		st("getquota", `"User quota"`),

		// an extension command: registered for this state only
		st("xatom", "ID", `("name" "imaplib")`),
		st("response", "ID"),
		st("close"),
		st("xatom", "ID", "NIL"),

		// examine
		st("select", n.box, true),
		st("response", "READ-ONLY"),
		st("fetch", "1", "(FLAGS)"),
		st("store", "1", "+FLAGS", `\Seen`),
		st("enable", "CONDSTORE"), // AUTH only
		st("unselect"),

		// missing mailbox
		st("select", n.missing),
		st("status", n.missing, "(MESSAGES)"),
		st("delete", n.missing),

		// ENABLE, and UTF-8 mode
		st("enable", "CONDSTORE"),
		st("response", "ENABLED"),
		st("enable", "UTF8=ACCEPT"),
		st("append", n.box, nil, `"04-Jan-2024 12:00:00 +0000"`, msg(2)),
		st("select", n.box),
		st("search", "UTF-8", "ALL"),
		st("search", nil, "ALL"),
		st("fetch", "2", "(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])"),
		st("close"),

		// clean up, and leave
		st("delete", n.child),
		st("delete", n.renamed),
		st("delete", n.dest),
		st("delete", n.box),
		st("list", `""`, n.base+"*"),
		st("logout"),
	)
	return plan
}

// dsCall shows a step as Python would write it, for messages.
func dsCall(s dsStep) string {
	parts := make([]string, len(s.Args))
	for i, a := range s.Args {
		switch v := a.(type) {
		case bool:
			parts[i] = map[bool]string{true: "True", false: "False"}[v]
		case int64:
			parts[i] = strconv.FormatInt(v, 10)
		default:
			parts[i] = imaplib.Repr(a)
		}
	}
	return s.Op + "(" + strings.Join(parts, ", ") + ")"
}

// ---- the port's side -------------------------------------------------------

// dsArgs gives typed access to a step's arguments: None is "", as the
// port spells Python's None.
type dsArgs []any

func (a dsArgs) s(i int) string {
	if i >= len(a) || a[i] == nil {
		return ""
	}
	switch v := a[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	panic(fmt.Sprintf("argument %d is %T, not a string", i, a[i]))
}

func (a dsArgs) rest(from int) []string {
	var out []string
	for i := from; i < len(a); i++ {
		out = append(out, a.s(i))
	}
	return out
}

func (a dsArgs) b(i int) bool {
	if i >= len(a) {
		return false
	}
	return a[i].(bool)
}

// dsInvoke calls the port's method for one step. getquotaroot's data is
// nested, as Python's is.
func dsInvoke(m *imaplib.IMAP4, op string, a dsArgs) (string, any, error) {
	flat := func(typ string, data [][]byte, err error) (string, any, error) {
		if data == nil {
			return typ, nil, err
		}
		return typ, dsFlat(data), err
	}
	switch op {
	case "append":
		return flat(m.Append(a.s(0), a.s(1), a[2], a[3].([]byte)))
	case "capability":
		return flat(m.Capability())
	case "check":
		return flat(m.Check())
	case "close":
		return flat(m.Close())
	case "copy":
		return flat(m.Copy(a.s(0), a.s(1)))
	case "create":
		return flat(m.Create(a.s(0)))
	case "delete":
		return flat(m.Delete(a.s(0)))
	case "deleteacl":
		return flat(m.DeleteACL(a.s(0), a.s(1)))
	case "enable":
		return flat(m.Enable(a.s(0)))
	case "expunge":
		return flat(m.Expunge())
	case "fetch":
		return flat(m.Fetch(a.s(0), a.s(1)))
	case "getacl":
		return flat(m.GetACL(a.s(0)))
	case "getquota":
		return flat(m.GetQuota(a.s(0)))
	case "getquotaroot":
		typ, root, quota, err := m.GetQuotaRoot(a.s(0))
		if err != nil {
			return typ, nil, err
		}
		return typ, []any{dsFlat(root), dsFlat(quota)}, nil
	case "list":
		return flat(m.List(a.s(0), a.s(1)))
	case "login":
		return flat(m.Login(a.s(0), a.s(1)))
	case "logout":
		return flat(m.Logout())
	case "lsub":
		return flat(m.Lsub(a.s(0), a.s(1)))
	case "myrights":
		return flat(m.MyRights(a.s(0)))
	case "namespace":
		return flat(m.Namespace())
	case "noop":
		return flat(m.Noop())
	case "partial":
		return flat(m.Partial(a.s(0), a.s(1), a.s(2), a.s(3)))
	case "recent":
		return flat(m.Recent())
	case "rename":
		return flat(m.Rename(a.s(0), a.s(1)))
	case "response":
		return flat(m.Response(a.s(0)))
	case "search":
		return flat(m.Search(a.s(0), a.rest(1)...))
	case "select":
		return flat(m.Select(a.s(0), a.b(1)))
	case "setacl":
		return flat(m.SetACL(a.s(0), a.s(1), a.s(2)))
	case "sort":
		return flat(m.Sort(a.s(0), a.s(1), a.rest(2)...))
	case "status":
		return flat(m.Status(a.s(0), a.s(1)))
	case "store":
		return flat(m.Store(a.s(0), a.s(1), a.s(2)))
	case "subscribe":
		return flat(m.Subscribe(a.s(0)))
	case "thread":
		return flat(m.Thread(a.s(0), a.s(1), a.rest(2)...))
	case "uid":
		return flat(m.UID(a.s(0), a.rest(1)...))
	case "unselect":
		return flat(m.Unselect())
	case "unsubscribe":
		return flat(m.Unsubscribe(a.s(0)))
	case "xatom":
		return flat(m.XAtom(a.s(0), a.rest(1)...))
	}
	panic("the plan uses an op dsInvoke does not know: " + op)
}

func dsFlat(data [][]byte) []any {
	out := make([]any, len(data))
	for i, d := range data {
		if d != nil {
			out[i] = string(d)
		}
	}
	return out
}

// dsPlayGo plays the plan with the port, in the classic profile.
func dsPlayGo(t *testing.T, s *dvServer, plan []dsStep) []dsRecord {
	t.Helper()
	var m *imaplib.IMAP4
	t.Cleanup(func() {
		if m != nil {
			dvClose(m)
		}
	})
	var out []dsRecord
	for _, step := range plan {
		var rec dsRecord
		var typ string
		var data any
		var err error
		switch step.Op {
		case "register":
			imaplib.Commands.Register(dsArgs(step.Args).s(0), dsArgs(step.Args).rest(1)...)
		case "connect":
			if m != nil {
				dvClose(m)
			}
			saved := imaplib.DefaultCompat
			imaplib.DefaultCompat = imaplib.CompatClassic
			m, err = imaplib.NewIMAP4(s.env["IMAP_HOST"], s.port(t, "IMAP_PORT"), dvTimeout)
			imaplib.DefaultCompat = saved
			if err == nil {
				rec.Extra = map[string]any{
					"welcome":      string(m.Welcome),
					"capabilities": append([]string{}, m.Capabilities...),
					"protocol":     m.ProtocolVersion,
				}
			}
		default:
			require.NotNil(t, m, "%s before connect", step.Op)
			typ, data, err = dsInvoke(m, step.Op, step.Args)
			if err == nil {
				rec.Typ, rec.Data = typ, data
			} else if typ != "" || data != nil {
				// SPEC §3: on error typ is "" and data nil; show it
				// as a difference rather than hide it
				rec.Typ, rec.Data = "with an error: "+typ, data
			}
		}
		if err != nil {
			var e *imaplib.Error
			if errors.As(err, &e) {
				rec.ErrClass = e.Class()
			} else {
				rec.ErrClass = fmt.Sprintf("Go %T", err)
			}
			rec.ErrText = err.Error()
		}
		if m != nil {
			rec.State, rec.IsReadonly, rec.UTF8Enabled = m.State, m.IsReadonly, m.UTF8Enabled
			rec.Untagged = map[string]any{}
			for k, v := range m.UntaggedResponses {
				rec.Untagged[k] = dsFlat(v)
			}
		} else {
			rec.Untagged = map[string]any{}
		}
		out = append(out, rec)
	}
	return out
}

// ---- CPython's side --------------------------------------------------------

// dsPython is an interpreter to compare with.
type dsPython struct {
	name string   // for the subtest
	env  []string // added to the environment
}

// dsPythons finds python3 (required on CI) and pyenv's 3.13.0 (optional).
func dsPythons(t *testing.T) []dsPython {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		msg := "python3 is not installed: the comparison with CPython needs it"
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	pys := []dsPython{{name: "python3"}}
	cmd := exec.Command("python3", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])")
	cmd.Env = append(os.Environ(), "PYENV_VERSION=3.13.0")
	if out, err := cmd.Output(); err == nil && strings.TrimSpace(string(out)) == "3.13.0" {
		pys = append(pys, dsPython{name: "3.13.0", env: []string{"PYENV_VERSION=3.13.0"}})
	} else {
		t.Logf("CPython 3.13.0 not found through pyenv (PYENV_VERSION=3.13.0 python3): comparing with python3 only")
	}
	return pys
}

// dsPlanJSON is the plan as scripts/dovecot_cpython.py reads it.
func dsPlanJSON(t *testing.T, s *dvServer, plan []dsStep) []byte {
	t.Helper()
	type jsStep struct {
		Op   string `json:"op"`
		Args []any  `json:"args"`
	}
	steps := make([]jsStep, len(plan))
	for i, st := range plan {
		args := make([]any, len(st.Args))
		for j, a := range st.Args {
			if b, ok := a.([]byte); ok {
				args[j] = map[string]string{"b": base64.StdEncoding.EncodeToString(b)}
			} else {
				args[j] = a
			}
		}
		steps[i] = jsStep{Op: st.Op, Args: args}
	}
	raw, err := json.Marshal(map[string]any{
		"host":    s.env["IMAP_HOST"],
		"port":    s.port(t, "IMAP_PORT"),
		"timeout": dvTimeout.Seconds(),
		"steps":   steps,
	})
	require.NoError(t, err)
	return raw
}

// dsPlayPython runs the script once for the whole plan.
func dsPlayPython(t *testing.T, py dsPython, s *dvServer, plan []dsStep) (string, []dsRecord) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("scripts", "dovecot_cpython.py"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", script)
	cmd.Env = append(os.Environ(), py.env...)
	cmd.Stdin = bytes.NewReader(dsPlanJSON(t, s, plan))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "scripts/dovecot_cpython.py: %s", stderr.String())

	var doc struct {
		Python  string `json:"python"`
		Results []struct {
			Typ   *string         `json:"typ"`
			Data  json.RawMessage `json:"data"`
			Error *struct {
				Class string `json:"class"`
				Text  string `json:"text"`
			} `json:"error"`
			State       *string                    `json:"state"`
			IsReadonly  *bool                      `json:"is_readonly"`
			UTF8Enabled *bool                      `json:"utf8_enabled"`
			Untagged    map[string]json.RawMessage `json:"untagged"`
			Extra       *struct {
				Welcome      json.RawMessage `json:"welcome"`
				Capabilities []string        `json:"capabilities"`
				Protocol     string          `json:"protocol"`
			} `json:"extra"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	recs := make([]dsRecord, len(doc.Results))
	for i, r := range doc.Results {
		rec := dsRecord{Untagged: map[string]any{}}
		if r.Typ != nil {
			rec.Typ = *r.Typ
		}
		rec.Data = dsFromJSON(t, r.Data)
		if r.Error != nil {
			rec.ErrClass, rec.ErrText = r.Error.Class, r.Error.Text
		}
		if r.State != nil {
			rec.State = *r.State
		}
		if r.IsReadonly != nil {
			rec.IsReadonly = *r.IsReadonly
		}
		if r.UTF8Enabled != nil {
			rec.UTF8Enabled = *r.UTF8Enabled
		}
		for k, v := range r.Untagged {
			rec.Untagged[k] = dsFromJSON(t, v)
		}
		if r.Extra != nil {
			rec.Extra = map[string]any{
				"welcome":      dsFromJSON(t, r.Extra.Welcome),
				"capabilities": r.Extra.Capabilities,
				"protocol":     r.Extra.Protocol,
			}
		}
		recs[i] = rec
	}
	return strings.TrimSpace(doc.Python), recs
}

// dsFromJSON decodes the script's values: null, {"b": base64}, lists, and
// {"s": ...} or {"repr": ...} for a str or another type where bytes belong
// (kept distinguishable, so that they show as differences).
func dsFromJSON(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	var conv func(v any) any
	conv = func(v any) any {
		switch x := v.(type) {
		case nil:
			return nil
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = conv(e)
			}
			return out
		case map[string]any:
			if b, ok := x["b"].(string); ok {
				dec, err := base64.StdEncoding.DecodeString(b)
				require.NoError(t, err)
				return string(dec)
			}
			if s, ok := x["s"].(string); ok {
				return fmt.Sprintf("Python str %q", s)
			}
			return fmt.Sprintf("Python %v", x["repr"])
		}
		return fmt.Sprintf("unexpected JSON %v", v)
	}
	return conv(v)
}

// ---- normalising what the server varies ----------------------------------

var (
	// Dovecot's command timings: "(0.001 + 0.000 secs)", with one to three
	// figures
	dsTimingRE = regexp.MustCompile(`\((?:\d+\.\d+ \+ )*\d+\.\d+ secs\)`)
	// UIDVALIDITY comes from the clock; in response codes it leads the
	// APPENDUID and COPYUID data
	dsUIDValidityRE = regexp.MustCompile(`\[(UIDVALIDITY|APPENDUID|COPYUID) \d+`)
	dsLeadingNumRE  = regexp.MustCompile(`^\d+`)
	// the quota usage counts everything the test user holds, which other
	// tests change; the limits stay
	dsQuotaRE = regexp.MustCompile(`STORAGE \d+ (\d+) MESSAGE \d+ (\d+)`)
)

// dsNormString hides the run's mailbox base name and the server's
// variations in one string.
func dsNormString(s, base string) string {
	s = strings.ReplaceAll(s, base, "BOX")
	s = dsTimingRE.ReplaceAllString(s, "(T secs)")
	s = dsUIDValidityRE.ReplaceAllString(s, "[$1 UV")
	s = dsQuotaRE.ReplaceAllString(s, "STORAGE N $1 MESSAGE N $2")
	return s
}

func dsNormValue(v any, base string, uv bool) any {
	switch x := v.(type) {
	case string:
		x = dsNormString(x, base)
		if uv {
			x = dsLeadingNumRE.ReplaceAllString(x, "UV")
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = dsNormValue(e, base, uv)
		}
		return out
	}
	return v
}

// dsNormalise returns the record with the variations hidden.
func dsNormalise(step dsStep, rec dsRecord, base string) dsRecord {
	out := rec
	out.Data = dsNormValue(rec.Data, base, step.uvData)
	out.ErrText = dsNormString(rec.ErrText, base)
	out.Untagged = map[string]any{}
	for k, v := range rec.Untagged {
		switch k {
		case "UIDVALIDITY", "APPENDUID", "COPYUID":
			out.Untagged[k] = dsNormValue(v, base, true)
		default:
			out.Untagged[k] = dsNormValue(v, base, false)
		}
	}
	if rec.Extra != nil {
		out.Extra = map[string]any{}
		for k, v := range rec.Extra {
			out.Extra[k] = dsNormValue(v, base, false)
		}
	}
	return out
}

// ---- the comparison ---------------------------------------------------------

func TestDovecotCPython(t *testing.T) {
	s := dvServerFor(t)
	pythons := dsPythons(t)

	// xatom registers ID for one state, in the whole process, as CPython
	// does; afterwards ID is made legal everywhere, as the other tests of
	// this package register it.
	idStates, idKnown := imaplib.Commands.States("ID")
	if !idKnown {
		t.Cleanup(func() { imaplib.Commands.Register("ID", "NONAUTH", "AUTH", "SELECTED") })
	}

	goNames := dsNewNames(t)
	goPlan := dsPlan(s.env, goNames, idStates, idKnown)
	t0 := time.Now()
	goRecs := dsPlayGo(t, s, goPlan)
	t.Logf("the port played %d calls in %s", len(goPlan), time.Since(t0).Round(time.Millisecond))

	for _, py := range pythons {
		t.Run(py.name, func(t *testing.T) {
			names := dsNewNames(t)
			plan := dsPlan(s.env, names, idStates, idKnown)
			t0 := time.Now()
			version, pyRecs := dsPlayPython(t, py, s, plan)
			t.Logf("CPython %s played %d calls in %s", version, len(plan), time.Since(t0).Round(time.Millisecond))
			require.Len(t, pyRecs, len(plan))
			require.Len(t, goRecs, len(goPlan))

			differ := 0
			for i, step := range plan {
				want := dsNormalise(step, pyRecs[i], names.base)
				got := dsNormalise(goPlan[i], goRecs[i], goNames.base)
				if !assert.Equal(t, want, got, "step %d: %s (CPython expected, port actual)", i, dsCall(goPlan[i])) {
					differ++
				}
			}
			t.Logf("%d of %d steps differ", differ, len(plan))
		})
	}
}
