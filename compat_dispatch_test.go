package imaplib

// The Go side of the differential suite: it reads a call written in Python
// syntax (`login('user', 'pass')`), finds the port's method with the name
// of SPEC §2, converts the Python literals to the Go parameter types, calls
// it, and reports what happened in the form the CPython driver reports it.

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// cpArgKind is the kind of a Python literal in a call.
type cpArgKind int

const (
	cpNone cpArgKind = iota
	cpStr
	cpBytesArg
	cpInt
	cpFloat
	cpBool
	cpFunc // a callback: lambda, rounds(...) or echo
)

// cpArg is one parsed argument.
type cpArg struct {
	kind cpArgKind
	s    string // str, or bytes as a Go string
	i    int64
	f    float64
	b    bool
	fn   func([]byte) []byte
}

// cpCall is a parsed call: name(args..., key=value...).
type cpCall struct {
	name   string
	args   []cpArg
	kwargs map[string]cpArg
}

// cpMethod describes one Python method: its Go name and its Python
// parameter names, so keyword arguments can be placed.
type cpMethod struct {
	goName string
	params []string
}

// cpMethods maps imaplib.IMAP4's public methods (and the few private ones
// SPEC §2a names) to the port's, per SPEC §2.
var cpMethods = map[string]cpMethod{
	"append":          {"Append", []string{"mailbox", "flags", "date_time", "message"}},
	"authenticate":    {"Authenticate", []string{"mechanism", "authobject"}},
	"capability":      {"Capability", nil},
	"check":           {"Check", nil},
	"close":           {"Close", nil},
	"copy":            {"Copy", []string{"message_set", "new_mailbox"}},
	"create":          {"Create", []string{"mailbox"}},
	"delete":          {"Delete", []string{"mailbox"}},
	"deleteacl":       {"DeleteACL", []string{"mailbox", "who"}},
	"enable":          {"Enable", []string{"capability"}},
	"expunge":         {"Expunge", nil},
	"fetch":           {"Fetch", []string{"message_set", "message_parts"}},
	"getacl":          {"GetACL", []string{"mailbox"}},
	"getannotation":   {"GetAnnotation", []string{"mailbox", "entry", "attribute"}},
	"getquota":        {"GetQuota", []string{"root"}},
	"getquotaroot":    {"GetQuotaRoot", []string{"mailbox"}},
	"list":            {"List", []string{"directory", "pattern"}},
	"login":           {"Login", []string{"user", "password"}},
	"login_cram_md5":  {"LoginCRAMMD5", []string{"user", "password"}},
	"logout":          {"Logout", nil},
	"lsub":            {"Lsub", []string{"directory", "pattern"}},
	"myrights":        {"MyRights", []string{"mailbox"}},
	"namespace":       {"Namespace", nil},
	"noop":            {"Noop", nil},
	"partial":         {"Partial", []string{"message_num", "message_part", "start", "length"}},
	"proxyauth":       {"ProxyAuth", []string{"user"}},
	"recent":          {"Recent", nil},
	"rename":          {"Rename", []string{"oldmailbox", "newmailbox"}},
	"response":        {"Response", []string{"code"}},
	"search":          {"Search", []string{"charset"}},
	"select":          {"Select", []string{"mailbox", "readonly"}},
	"setacl":          {"SetACL", []string{"mailbox", "who", "what"}},
	"setannotation":   {"SetAnnotation", nil},
	"setquota":        {"SetQuota", []string{"root", "limits"}},
	"sort":            {"Sort", []string{"sort_criteria", "charset"}},
	"starttls":        {"StartTLS", []string{"ssl_context"}},
	"status":          {"Status", []string{"mailbox", "names"}},
	"store":           {"Store", []string{"message_set", "command", "flags"}},
	"subscribe":       {"Subscribe", []string{"mailbox"}},
	"thread":          {"Thread", []string{"threading_algorithm", "charset"}},
	"uid":             {"UID", []string{"command"}},
	"unselect":        {"Unselect", nil},
	"unsubscribe":     {"Unsubscribe", []string{"mailbox"}},
	"xatom":           {"XAtom", []string{"name"}},
	"print_log":       {"PrintLog", nil},
	"shutdown":        {"Shutdown", nil},
	"readline":        {"Readline", nil},
	"read":            {"Read", []string{"size"}},
	"send":            {"Send", []string{"data"}},
	"_simple_command": {"SimpleCommand", []string{"name"}},
	"_new_tag":        {"NewTag", nil},
	"__exit__":        {"Exit", nil},
}

// ---- Parsing Python call syntax -------------------------------------------

type cpParser struct {
	s   string
	pos int
}

func (p *cpParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func (p *cpParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *cpParser) expect(c byte) error {
	if p.peek() != c {
		return fmt.Errorf("expected %q at column %d of %q", c, p.pos+1, p.s)
	}
	p.pos++
	return nil
}

func (p *cpParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || p.pos > start && c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	return p.s[start:p.pos]
}

// cpParseCall parses `name(arg, ..., key=value)` where every argument is a
// Python literal (str, bytes, int, float, None, True, False), or for
// authenticate a callback: `lambda x: <literal>`, `lambda x: x`, `echo`,
// or `rounds(<literal>, ...)`, which answers the challenges in turn.
func cpParseCall(s string) (*cpCall, error) {
	p := &cpParser{s: strings.TrimSpace(s)}
	c := &cpCall{name: p.ident(), kwargs: map[string]cpArg{}}
	if c.name == "" {
		return nil, fmt.Errorf("no method name in %q", s)
	}
	if _, ok := cpMethods[c.name]; !ok {
		return nil, fmt.Errorf("unknown method %q in %q", c.name, s)
	}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	for p.peek() != ')' {
		save := p.pos
		key := p.ident()
		if key != "" && p.peek() == '=' && !strings.HasPrefix(p.s[p.pos:], "==") && key != "lambda" {
			p.pos++
			a, err := p.arg()
			if err != nil {
				return nil, err
			}
			c.kwargs[key] = a
		} else {
			p.pos = save
			if len(c.kwargs) > 0 {
				return nil, fmt.Errorf("positional argument after keyword in %q", s)
			}
			a, err := p.arg()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
		}
		if p.peek() == ',' {
			p.pos++
			continue
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("expected ',' or ')' at column %d of %q", p.pos+1, s)
		}
	}
	p.pos++
	if p.peek() != 0 {
		return nil, fmt.Errorf("trailing text in %q", s)
	}
	return c, nil
}

func (p *cpParser) arg() (cpArg, error) {
	c := p.peek()
	switch {
	case c == '\'' || c == '"':
		return p.str(false)
	case c == 'b' || c == 'r' || c == 'B' || c == 'R':
		rest := p.s[p.pos:]
		for _, pre := range []string{"rb", "br", "Rb", "bR", "RB", "BR", "rB", "Br", "b", "B", "r", "R"} {
			if strings.HasPrefix(rest, pre) && len(rest) > len(pre) && (rest[len(pre)] == '\'' || rest[len(pre)] == '"') {
				p.pos += len(pre)
				a, err := p.strBody(strings.ContainsAny(pre, "bB"), strings.ContainsAny(pre, "rR"))
				return a, err
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	word := p.ident()
	switch word {
	case "None":
		return cpArg{kind: cpNone}, nil
	case "True":
		return cpArg{kind: cpBool, b: true}, nil
	case "False":
		return cpArg{kind: cpBool, b: false}, nil
	case "echo":
		return cpArg{kind: cpFunc, fn: func(ch []byte) []byte { return append([]byte{}, ch...) }}, nil
	case "lambda":
		param := p.ident()
		if param == "" {
			return cpArg{}, fmt.Errorf("lambda without a parameter in %q", p.s)
		}
		if err := p.expect(':'); err != nil {
			return cpArg{}, err
		}
		save := p.pos
		if p.ident() == param {
			return cpArg{kind: cpFunc, fn: func(ch []byte) []byte { return append([]byte{}, ch...) }}, nil
		}
		p.pos = save
		v, err := p.arg()
		if err != nil {
			return cpArg{}, err
		}
		answer, err := cpAnswer(v)
		if err != nil {
			return cpArg{}, err
		}
		return cpArg{kind: cpFunc, fn: func([]byte) []byte { return cpCopyAnswer(answer) }}, nil
	case "rounds":
		if err := p.expect('('); err != nil {
			return cpArg{}, err
		}
		var answers [][]byte
		for p.peek() != ')' {
			v, err := p.arg()
			if err != nil {
				return cpArg{}, err
			}
			a, err := cpAnswer(v)
			if err != nil {
				return cpArg{}, err
			}
			answers = append(answers, a)
			if p.peek() == ',' {
				p.pos++
			}
		}
		p.pos++
		if len(answers) == 0 {
			return cpArg{}, errors.New("rounds() needs at least one answer")
		}
		i := 0
		return cpArg{kind: cpFunc, fn: func([]byte) []byte {
			a := answers[min(i, len(answers)-1)]
			i++
			return cpCopyAnswer(a)
		}}, nil
	}
	return cpArg{}, fmt.Errorf("unsupported argument at column %d of %q", p.pos+1, p.s)
}

// cpAnswer is what a callback literal makes the Go callback return: bytes
// as they are, a str as its UTF-8 (as imaplib encodes it), None as nil.
func cpAnswer(v cpArg) ([]byte, error) {
	switch v.kind {
	case cpNone:
		return nil, nil
	case cpStr, cpBytesArg:
		return []byte(v.s), nil
	}
	return nil, errors.New("a callback may only return bytes, str or None")
}

func cpCopyAnswer(a []byte) []byte {
	if a == nil {
		return nil
	}
	return append([]byte{}, a...)
}

func (p *cpParser) str(_ bool) (cpArg, error) { return p.strBody(false, false) }

// strBody reads a quoted Python string (no triple quotes) with its escapes.
func (p *cpParser) strBody(isBytes, raw bool) (cpArg, error) {
	q := p.s[p.pos]
	p.pos++
	var out []byte
	for {
		if p.pos >= len(p.s) {
			return cpArg{}, fmt.Errorf("unterminated string in %q", p.s)
		}
		c := p.s[p.pos]
		p.pos++
		if c == q {
			break
		}
		if c != '\\' {
			if isBytes && c >= 0x80 {
				// Python allows only ASCII characters in a bytes literal.
				return cpArg{}, fmt.Errorf("non-ASCII character in a bytes literal in %q", p.s)
			}
			out = append(out, c)
			continue
		}
		if p.pos >= len(p.s) {
			return cpArg{}, fmt.Errorf("unterminated string in %q", p.s)
		}
		e := p.s[p.pos]
		p.pos++
		if raw {
			out = append(out, '\\', e)
			continue
		}
		switch e {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'v':
			out = append(out, 11)
		case '\\', '\'', '"':
			out = append(out, e)
		case '\n':
		case 'x':
			if p.pos+2 > len(p.s) {
				return cpArg{}, fmt.Errorf(`short \x escape in %q`, p.s)
			}
			n, err := strconv.ParseUint(p.s[p.pos:p.pos+2], 16, 8)
			if err != nil {
				return cpArg{}, fmt.Errorf(`bad \x escape in %q`, p.s)
			}
			p.pos += 2
			if isBytes {
				out = append(out, byte(n))
			} else {
				out = utf8.AppendRune(out, rune(n))
			}
		case 'u', 'U':
			if isBytes {
				out = append(out, '\\', e)
				continue
			}
			width := 4
			if e == 'U' {
				width = 8
			}
			if p.pos+width > len(p.s) {
				return cpArg{}, fmt.Errorf(`short \%c escape in %q`, e, p.s)
			}
			n, err := strconv.ParseUint(p.s[p.pos:p.pos+width], 16, 32)
			if err != nil {
				return cpArg{}, fmt.Errorf(`bad \%c escape in %q`, e, p.s)
			}
			p.pos += width
			out = utf8.AppendRune(out, rune(n))
		default:
			if e >= '0' && e <= '7' {
				n := int(e - '0')
				for k := 0; k < 2 && p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '7'; k++ {
					n = n*8 + int(p.s[p.pos]-'0')
					p.pos++
				}
				if isBytes {
					out = append(out, byte(n))
				} else {
					out = utf8.AppendRune(out, rune(n))
				}
				continue
			}
			out = append(out, '\\', e)
		}
	}
	if isBytes {
		return cpArg{kind: cpBytesArg, s: string(out)}, nil
	}
	return cpArg{kind: cpStr, s: string(out)}, nil
}

func (p *cpParser) number() (cpArg, error) {
	start := p.pos
	if p.s[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.s) && strings.IndexByte("0123456789._eE+-", p.s[p.pos]) >= 0 {
		if (p.s[p.pos] == '+' || p.s[p.pos] == '-') && !(p.s[p.pos-1] == 'e' || p.s[p.pos-1] == 'E') {
			break
		}
		p.pos++
	}
	text := strings.ReplaceAll(p.s[start:p.pos], "_", "")
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return cpArg{kind: cpInt, i: i}, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return cpArg{}, fmt.Errorf("bad number %q in %q", text, p.s)
	}
	return cpArg{kind: cpFloat, f: f}, nil
}

// ---- Calling the port -------------------------------------------------------

var (
	cpErrorType    = reflect.TypeOf((*error)(nil)).Elem()
	cpBytesType    = reflect.TypeOf([]byte(nil))
	cpDataType     = reflect.TypeOf([][]byte(nil))
	cpCallbackType = reflect.TypeOf((func([]byte) []byte)(nil))
	cpTLSType      = reflect.TypeOf((*tls.Config)(nil))
	cpDurationType = reflect.TypeOf(time.Duration(0))
	cpAnyType      = reflect.TypeOf((*any)(nil)).Elem()
)

// cpConvert turns a Python literal into a value of the Go parameter type,
// following SPEC §2a/§3: None is "" for a string and nil for a []byte, an
// any or a callback; bytes become a Go string of the same bytes.
func cpConvert(a cpArg, t reflect.Type, where string) (reflect.Value, error) {
	bad := func() (reflect.Value, error) {
		return reflect.Value{}, fmt.Errorf("%s: cannot pass %s to a Go %s", where, cpArgKindName(a.kind), t)
	}
	switch {
	case t == cpCallbackType:
		switch a.kind {
		case cpFunc:
			return reflect.ValueOf(a.fn), nil
		case cpNone:
			return reflect.Zero(t), nil
		}
		return bad()
	case t == cpTLSType:
		if a.kind != cpNone {
			return bad()
		}
		// CPython's default context verifies nothing; the port's nil would
		// verify, so the suite passes the equivalent of Python's default.
		return reflect.ValueOf(&tls.Config{InsecureSkipVerify: true}), nil
	case t == cpDurationType:
		switch a.kind {
		case cpNone:
			return reflect.Zero(t), nil
		case cpInt:
			return reflect.ValueOf(time.Duration(a.i) * time.Second), nil
		case cpFloat:
			return reflect.ValueOf(time.Duration(a.f * float64(time.Second))), nil
		}
		return bad()
	case t == cpBytesType:
		switch a.kind {
		case cpNone:
			return reflect.Zero(t), nil
		case cpBytesArg:
			return reflect.ValueOf([]byte(a.s)), nil
		}
		return bad()
	case t == cpAnyType:
		var v any
		switch a.kind {
		case cpNone:
			return reflect.Zero(t), nil
		case cpStr:
			v = a.s
		case cpBytesArg:
			v = []byte(a.s)
		case cpInt:
			v = a.i
		case cpFloat:
			v = a.f
		case cpBool:
			v = a.b
		default:
			return bad()
		}
		rv := reflect.New(t).Elem()
		rv.Set(reflect.ValueOf(v))
		return rv, nil
	}
	switch t.Kind() {
	case reflect.String:
		switch a.kind {
		case cpNone:
			return reflect.ValueOf("").Convert(t), nil
		case cpStr, cpBytesArg:
			return reflect.ValueOf(a.s).Convert(t), nil
		}
	case reflect.Bool:
		switch a.kind {
		case cpNone:
			return reflect.ValueOf(false), nil
		case cpBool:
			return reflect.ValueOf(a.b), nil
		case cpInt:
			return reflect.ValueOf(a.i != 0), nil
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if a.kind == cpInt {
			return reflect.ValueOf(a.i).Convert(t), nil
		}
	}
	return bad()
}

func cpArgKindName(k cpArgKind) string {
	return [...]string{"None", "a str", "bytes", "an int", "a float", "a bool", "a callback"}[k]
}

// cpInvoke calls the port's method for a parsed call. A returned error is
// a harness error (the call cannot be expressed in Go), not a port result.
func cpInvoke(m *IMAP4, c *cpCall) (cpStepOut, error) {
	spec := cpMethods[c.name]
	method := reflect.ValueOf(m).MethodByName(spec.goName)
	if !method.IsValid() {
		return cpStepOut{}, fmt.Errorf("the port has no method %s for %s", spec.goName, c.name)
	}
	mt := method.Type()
	nFixed := mt.NumIn()
	if mt.IsVariadic() {
		nFixed--
	}
	args := append([]cpArg(nil), c.args...)
	for key, a := range c.kwargs {
		idx := -1
		for i, name := range spec.params {
			if name == key {
				idx = i
			}
		}
		if idx < 0 {
			return cpStepOut{}, fmt.Errorf("%s() has no parameter %q", c.name, key)
		}
		for len(args) <= idx {
			args = append(args, cpArg{kind: -1})
		}
		args[idx] = a
	}
	if c.name == "__exit__" {
		args = nil // the Go Exit takes no exception triple
	}
	if len(args) > nFixed && !mt.IsVariadic() {
		return cpStepOut{}, fmt.Errorf("%s: %d arguments for %s, which takes %d", c.name, len(args), spec.goName, nFixed)
	}
	in := make([]reflect.Value, 0, len(args))
	for i := 0; i < nFixed; i++ {
		t := mt.In(i)
		if i >= len(args) || args[i].kind == -1 {
			// A Python default: the Go zero value selects it (SPEC §3).
			in = append(in, reflect.Zero(t))
			continue
		}
		v, err := cpConvert(args[i], t, fmt.Sprintf("%s argument %d", c.name, i+1))
		if err != nil {
			return cpStepOut{}, err
		}
		in = append(in, v)
	}
	if mt.IsVariadic() {
		et := mt.In(nFixed).Elem()
		for i := nFixed; i < len(args); i++ {
			v, err := cpConvert(args[i], et, fmt.Sprintf("%s argument %d", c.name, i+1))
			if err != nil {
				return cpStepOut{}, err
			}
			in = append(in, v)
		}
	}
	outs := method.Call(in)
	st := cpStepOut{}
	if n := len(outs); n > 0 && mt.Out(n-1) == cpErrorType {
		if err, _ := outs[n-1].Interface().(error); err != nil {
			st.Exc = cpGoExc(err)
			return st, nil
		}
		outs = outs[:n-1]
	}
	switch {
	case len(outs) == 0:
		st.Ret, st.HasRet = nil, true
	case len(outs) == 1 && mt.Out(0) == cpBytesType:
		st.Ret, st.HasRet = cpBytesVal(outs[0].Interface().([]byte)), true
	case len(outs) == 2 && mt.Out(0).Kind() == reflect.String && mt.Out(1) == cpDataType:
		st.Ret = cpTuple{outs[0].String(), cpDataVal(outs[1].Interface().([][]byte))}
		st.HasRet = true
	case len(outs) == 3 && mt.Out(1) == cpDataType && mt.Out(2) == cpDataType:
		// getquotaroot: Python's data is [quotaroot_list, quota_list].
		st.Ret = cpTuple{outs[0].String(), []any{
			cpDataVal(outs[1].Interface().([][]byte)),
			cpDataVal(outs[2].Interface().([][]byte)),
		}}
		st.HasRet = true
	case len(outs) == 1 && outs[0].Type().Implements(reflect.TypeOf((*net.Conn)(nil)).Elem()):
		st.Ret, st.HasRet = cpOpaque("socket"), true
	default:
		return st, fmt.Errorf("%s: unexpected results %v", spec.goName, mt)
	}
	return st, nil
}

func cpBytesVal(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// cpDataVal is [][]byte as the list of Python values it stands for.
func cpDataVal(d [][]byte) []any {
	out := make([]any, len(d))
	for i, b := range d {
		out[i] = cpBytesVal(b)
	}
	return out
}

// cpGoExc names a Go error the way the driver names Python exceptions.
func cpGoExc(err error) *cpExc {
	var e *Error
	switch {
	case errors.As(err, &e):
		return &cpExc{Cls: e.Class(), Msg: e.Error()}
	case errors.Is(err, ErrControlCharacters):
		return &cpExc{Cls: "ValueError", Msg: err.Error()}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &cpExc{Cls: "TimeoutError", OS: true}
	case errors.Is(err, syscall.ECONNRESET):
		return &cpExc{Cls: "ConnectionResetError", OS: true}
	case errors.Is(err, syscall.EPIPE):
		return &cpExc{Cls: "BrokenPipeError", OS: true}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &cpExc{Cls: "ConnectionRefusedError", OS: true}
	}
	var opErr *net.OpError
	var errno syscall.Errno
	if errors.As(err, &opErr) || errors.As(err, &errno) || errors.Is(err, net.ErrClosed) {
		return &cpExc{Cls: "OSError", OS: true}
	}
	// Any other Go error stands where CPython raises ValueError or one of
	// its subclasses (SPEC §4: the natural Go error).
	return &cpExc{Cls: "ValueError", Msg: err.Error()}
}

// cpAttrs reads the attributes the suite compares.
func cpAttrs(m *IMAP4) map[string]any {
	caps := cpTuple{}
	for _, c := range m.Capabilities {
		caps = append(caps, c)
	}
	ur := cpDict{}
	for k, v := range m.UntaggedResponses {
		ur = append(ur, cpPair{k, cpDataVal(v)})
	}
	return map[string]any{
		"state":        m.State,
		"capabilities": caps,
		"protocol":     m.ProtocolVersion,
		"welcome":      cpBytesVal(m.Welcome),
		"untagged":     ur,
		"tagnum":       int64(m.Tagnum),
		"readonly":     m.IsReadonly,
		"utf8":         m.UTF8Enabled,
		"continuation": cpBytesVal(m.ContinuationResponse),
	}
}

// cpGlobals guards the package settings a Go session changes.
type cpGlobals struct {
	debug   int
	output  io.Writer
	compat  Compat
	maxline int
}

// cpEnterSession sets the package settings a Go session runs under (debug
// level with its output captured, profile, MaxLine) and gives each session
// the Commands table as the package defines it, as the Python driver starts
// each from its own pristine table: other tests of this process may have
// registered commands (xatom's global registry, faithfully kept). take
// returns and clears the debug output so far; restore puts everything back.
func cpEnterSession(debug int, compat Compat, maxline int) (take func() string, restore func()) {
	saved := cpGlobals{debug: Debug, output: DebugOutput, compat: DefaultCompat, maxline: MaxLine}
	buf := &bytes.Buffer{}
	Debug = debug
	DebugOutput = buf
	DefaultCompat = compat
	if maxline > 0 {
		MaxLine = maxline
	}
	snapshot := cpSnapshotCommands()
	cpRestoreCommands(cpCopyCommands(cpPristineCommands))
	take = func() string {
		s := buf.String()
		buf.Reset()
		return s
	}
	restore = func() {
		Debug = saved.debug
		DebugOutput = saved.output
		DefaultCompat = saved.compat
		MaxLine = saved.maxline
		cpRestoreCommands(snapshot)
	}
	return take, restore
}

// cpRunGo plays one session with the port against the server on port,
// in the classic profile, with debug output captured per step.
func cpRunGo(s cpSession, port int) (out cpOutcome) {
	take, restore := cpEnterSession(s.debug, CompatClassic, s.maxline)
	defer restore()
	timeout := s.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	m, err := NewIMAP4("127.0.0.1", port, timeout)
	st := cpStepOut{Call: "IMAP4()"}
	if err != nil {
		st.Exc = cpGoExc(err)
	} else {
		st.Attrs = cpAttrs(m)
		out.Tagpre = string(m.Tagpre)
	}
	st.Debug = take()
	out.Steps = append(out.Steps, st)
	if m == nil {
		return out
	}
	defer m.Shutdown()
	for _, call := range s.calls {
		c, err := cpParseCall(call)
		if err != nil {
			out.Err = err
			return out
		}
		st, err := cpInvoke(m, c)
		if err != nil {
			out.Err = err
			return out
		}
		st.Call = call
		st.Attrs = cpAttrs(m)
		st.Debug = take()
		out.Steps = append(out.Steps, st)
	}
	return out
}

// cpSnapshotCommands copies the Commands table, which xatom changes for
// good, so that one session's registrations do not leak into the next
// (the driver restores Python's table the same way).
func cpSnapshotCommands() map[string][]string {
	Commands.mu.RLock()
	defer Commands.mu.RUnlock()
	return cpCopyCommands(Commands.states)
}

// cpPristineCommands is the Commands table before any test ran (package
// variables are set before TestMain).
var cpPristineCommands = cpSnapshotCommands()

// cpCopyCommands returns a copy of a table snapshot, so that a session
// registering commands leaves the snapshot as it was.
func cpCopyCommands(snap map[string][]string) map[string][]string {
	out := make(map[string][]string, len(snap))
	for k, v := range snap {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func cpRestoreCommands(snap map[string][]string) {
	Commands.mu.Lock()
	defer Commands.mu.Unlock()
	Commands.states = snap
}

// cpFormatCall writes a Python literal for a Go string argument, for the
// generator's calls: a str when it is printable ASCII, bytes otherwise.
func cpFormatCall(name string, args ...any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			parts[i] = "None"
		case string:
			parts[i] = cpStrRepr(v)
		case []byte:
			parts[i] = cpBytesRepr(v)
		case bool:
			parts[i] = map[bool]string{true: "True", false: "False"}[v]
		case int:
			parts[i] = strconv.Itoa(v)
		case cpLiteral:
			parts[i] = string(v)
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}

// cpLiteral is Python source written as is by cpFormatCall (a lambda).
type cpLiteral string
