package imaplib

// The differential suite: every transcript under testdata/compat is played
// by the scripted server (compat_server_test.go) to CPython's imaplib, in
// every CPython on the machine, and to the port; the bytes the server
// received, every call's result or error, the connection's attributes after
// every call and the debug output must be the same. docs/compat.md explains
// how to read a failure and how to add a transcript.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cpDefaultPythons are the interpreters the suite compares against; the
// environment variable IMAPLIB_COMPAT_PYTHONS (space or comma separated)
// replaces the list.
var cpDefaultPythons = []string{"3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"}

// cpReferencePython runs the generated sessions.
const cpReferencePython = "3.13.0"

func cpPythonVersions() []string {
	if v := os.Getenv("IMAPLIB_COMPAT_PYTHONS"); v != "" {
		return strings.Fields(strings.ReplaceAll(v, ",", " "))
	}
	return cpDefaultPythons
}

func cpInCI() bool { return os.Getenv("CI") == "true" }

// ---- Values ---------------------------------------------------------------

// Python values as both sides report them: nil is None, []byte bytes,
// string str, int64 int, float64 float, bool bool, []any a list, and the
// types below.
type (
	cpTuple  []any
	cpDict   []cpPair
	cpPair   struct{ k, v any }
	cpOpaque string // a value the suite does not compare by content
)

// cpFromJSON turns the driver's JSON value trees into Python values.
func cpFromJSON(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return x, nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		f, err := x.Float64()
		return f, err
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := cpFromJSON(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		switch {
		case x["b"] != nil:
			s, _ := x["b"].(string)
			b := make([]byte, 0, len(s))
			for _, r := range s {
				if r > 0xff {
					return nil, fmt.Errorf("bytes value with rune %U", r)
				}
				b = append(b, byte(r))
			}
			return b, nil
		case x["s"] != nil:
			s, _ := x["s"].(string)
			return s, nil
		case x["t"] != nil:
			l, err := cpFromJSON(x["t"])
			if err != nil {
				return nil, err
			}
			return cpTuple(l.([]any)), nil
		case x["d"] != nil:
			pairs, _ := x["d"].([]any)
			d := cpDict{}
			for _, p := range pairs {
				kv, _ := p.([]any)
				if len(kv) != 2 {
					return nil, errors.New("bad dict pair")
				}
				k, err := cpFromJSON(kv[0])
				if err != nil {
					return nil, err
				}
				val, err := cpFromJSON(kv[1])
				if err != nil {
					return nil, err
				}
				d = append(d, cpPair{k, val})
			}
			return d, nil
		case x["repr"] != nil:
			return cpOpaque(fmt.Sprint(x["type"])), nil
		}
	}
	return nil, fmt.Errorf("unexpected JSON value %v", v)
}

// cpRepr writes v as Python's repr does, with one rule of the port's
// contract applied: a tuple inside a list (a literal's header and body) is
// spliced into the list as two elements, which is how the port returns it.
func cpRepr(v any) string {
	var sb strings.Builder
	cpWriteRepr(&sb, v)
	return sb.String()
}

func cpWriteRepr(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("None")
	case bool:
		if x {
			sb.WriteString("True")
		} else {
			sb.WriteString("False")
		}
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case int:
		sb.WriteString(strconv.Itoa(x))
	case float64:
		sb.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case []byte:
		sb.WriteString(cpBytesRepr(x))
	case string:
		sb.WriteString(cpStrRepr(x))
	case cpOpaque:
		sb.WriteString("<" + string(x) + ">")
	case cpTuple:
		sb.WriteString("(")
		for i, e := range x {
			if i > 0 {
				sb.WriteString(", ")
			}
			cpWriteRepr(sb, e)
		}
		if len(x) == 1 {
			sb.WriteString(",")
		}
		sb.WriteString(")")
	case []any:
		sb.WriteString("[")
		first := true
		for _, e := range x {
			items := []any{e}
			if t, ok := e.(cpTuple); ok {
				items = t
			}
			for _, it := range items {
				if !first {
					sb.WriteString(", ")
				}
				first = false
				cpWriteRepr(sb, it)
			}
		}
		sb.WriteString("]")
	case cpDict:
		sorted := append(cpDict(nil), x...)
		sort.SliceStable(sorted, func(i, j int) bool { return cpRepr(sorted[i].k) < cpRepr(sorted[j].k) })
		sb.WriteString("{")
		for i, p := range sorted {
			if i > 0 {
				sb.WriteString(", ")
			}
			cpWriteRepr(sb, p.k)
			sb.WriteString(": ")
			cpWriteRepr(sb, p.v)
		}
		sb.WriteString("}")
	default:
		fmt.Fprintf(sb, "<%T %v>", v, v)
	}
}

// cpBytesRepr is Python's repr of bytes: single quotes unless the value
// holds a single quote and no double quote.
func cpBytesRepr(b []byte) string {
	q := byte('\'')
	if bytes.IndexByte(b, '\'') >= 0 && bytes.IndexByte(b, '"') < 0 {
		q = '"'
	}
	var sb strings.Builder
	sb.WriteString("b")
	sb.WriteByte(q)
	for _, c := range b {
		switch {
		case c == q || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(q)
	return sb.String()
}

// cpStrRepr is Python's repr of a str, close enough for the names and
// texts the suite shows: control characters are escaped, other
// characters kept.
func cpStrRepr(s string) string {
	q := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var sb strings.Builder
	sb.WriteRune(q)
	for _, r := range s {
		switch {
		case r == q || r == '\\':
			sb.WriteRune('\\')
			sb.WriteRune(r)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r < 0x20 || r >= 0x7f && r <= 0xa0:
			fmt.Fprintf(&sb, `\x%02x`, r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteRune(q)
	return sb.String()
}

// ---- Outcomes ---------------------------------------------------------------

// cpExc is an exception (Python) or error (Go), named by class.
type cpExc struct {
	Cls string
	Msg string
	OS  bool // an OSError: only the class is compared, texts differ by nature
}

// cpStepOut is what one step (the constructor or a call) did.
type cpStepOut struct {
	Call   string
	Ret    any
	HasRet bool
	Exc    *cpExc
	Attrs  map[string]any // nil when there is no connection object
	Debug  string
}

// cpOutcome is a whole session as one client lived it.
type cpOutcome struct {
	Steps  []cpStepOut
	Tagpre string
	Server cpServerResult
	Err    error // the harness itself failed
}

// cpAttrOrder is the order attributes are shown in.
var cpAttrOrder = []string{"state", "capabilities", "protocol", "welcome", "untagged", "tagnum", "readonly", "utf8", "continuation"}

var (
	cpTimeRe     = regexp.MustCompile(`(?m)^  \d\d:\d\d\.\d\d `)
	cpDebugTagRe = regexp.MustCompile(`tag=b'([A-P]{4})'`)
)

// prefix is the client's tag prefix: as the client reports it, else as the
// server saw it, else as the debug output names it.
func (o *cpOutcome) prefix() string {
	if o.Tagpre != "" {
		return o.Tagpre
	}
	if o.Server.prefix != "" {
		return o.Server.prefix
	}
	for _, st := range o.Steps {
		if m := cpDebugTagRe.FindStringSubmatch(st.Debug); m != nil {
			return m[1]
		}
	}
	return ""
}

// render writes the outcome as the text the suite compares: the first
// step in full, later steps with the attributes that changed, the bytes
// received, with the tag prefix and the debug timestamps masked.
func (o *cpOutcome) render() string {
	var sb strings.Builder
	var prev map[string]string
	for _, st := range o.Steps {
		fmt.Fprintf(&sb, "%s:\n", st.Call)
		if st.Exc != nil {
			if st.Exc.OS {
				fmt.Fprintf(&sb, "  raises %s (an OSError)\n", st.Exc.Cls)
			} else {
				fmt.Fprintf(&sb, "  raises %s: %s\n", st.Exc.Cls, cpMaskOSText(st.Exc.Msg))
			}
		} else if st.HasRet {
			fmt.Fprintf(&sb, "  returns %s\n", cpRepr(st.Ret))
		}
		if st.Attrs != nil {
			cur := map[string]string{}
			for _, k := range cpAttrOrder {
				cur[k] = cpRepr(st.Attrs[k])
				if prev == nil || prev[k] != cur[k] {
					fmt.Fprintf(&sb, "  %s: %s\n", k, cur[k])
				}
			}
			prev = cur
		}
		if st.Debug != "" {
			sb.WriteString("  debug:\n")
			debug := cpTimeRe.ReplaceAllString(st.Debug, "  MM:SS.cc ")
			for _, l := range strings.SplitAfter(strings.TrimSuffix(debug, "\n"), "\n") {
				sb.WriteString("    |" + strings.TrimSuffix(l, "\n") + "\n")
			}
		}
	}
	sb.WriteString("server received:\n")
	for _, l := range bytes.SplitAfter(o.Server.received, []byte("\n")) {
		if len(l) > 0 {
			fmt.Fprintf(&sb, "  %s\n", cpBytesRepr(l))
		}
	}
	text := string(cpMaskPrefixBytes([]byte(sb.String()), o.prefix(), "TAGP"))
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = cpClip(l)
	}
	return strings.Join(lines, "\n")
}

// cpClip shortens a very long rendered line (a megabyte-long response) to
// its ends and a digest of the whole, so that a diff stays readable and a
// difference anywhere in the line still shows.
func cpClip(l string) string {
	const keep = 300
	if len(l) <= 3*keep {
		return l
	}
	sum := sha256.Sum256([]byte(l))
	return fmt.Sprintf("%s ...[%d chars, sha256 %x]... %s", l[:keep], len(l), sum[:8], l[len(l)-keep:])
}

// cpMaskOSText hides the operating system's words inside an imaplib
// message: CPython's "socket error: [Errno 9] Bad file descriptor" and the
// port's "socket error: write tcp ...: use of closed network connection"
// say the same thing in their platform's terms (SPEC §4). EOF and
// unterminated lines are imaplib's own texts and stay.
func cpMaskOSText(msg string) string {
	const marker = "socket error: "
	i := strings.Index(msg, marker)
	if i < 0 {
		return msg
	}
	rest := msg[i+len(marker):]
	if rest == "EOF" || strings.HasPrefix(rest, "unterminated line") {
		return msg
	}
	return msg[:i+len(marker)] + "<OS error text>"
}

// cpDiff is a line diff of two renderings (- CPython, + port).
func cpDiff(a, b string) string {
	x := strings.Split(a, "\n")
	y := strings.Split(b, "\n")
	n, m := len(x), len(y)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			sb.WriteString("  " + x[i] + "\n")
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			sb.WriteString("+ " + y[j] + "\n")
			j++
		default:
			sb.WriteString("- " + x[i] + "\n")
			i++
		}
	}
	return sb.String()
}

// ---- The Python drivers ---------------------------------------------------

// cpPySession is one session as the driver takes it.
type cpPySession struct {
	Port int `json:"port"`
	// Calls is never null: the driver iterates over it.
	Calls   []string `json:"calls"`
	Debug   int      `json:"debug"`
	Maxline int      `json:"maxline,omitempty"`
	Timeout float64  `json:"timeout"`
	// TagpreNumber makes CPython's tag prefix Int2AP(TagpreNumber): the
	// port's prefix, so that both clients send the same bytes.
	TagpreNumber int `json:"tagpre_number,omitempty"`
}

// cpPython is one long-lived driver process.
type cpPython struct {
	want    string
	version string
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	stderr  bytes.Buffer
	mu      sync.Mutex
	nextID  int
}

var cpPythons = struct {
	mu    sync.Mutex
	procs map[string]*cpPython
	errs  map[string]error
}{procs: map[string]*cpPython{}, errs: map[string]error{}}

// cpGetPython starts the driver for one CPython version once per test run.
func cpGetPython(version string) (*cpPython, error) {
	cpPythons.mu.Lock()
	defer cpPythons.mu.Unlock()
	if p := cpPythons.procs[version]; p != nil {
		return p, nil
	}
	if err := cpPythons.errs[version]; err != nil {
		return nil, err
	}
	p, err := cpStartPython(version)
	if err != nil {
		cpPythons.errs[version] = err
		return nil, err
	}
	cpPythons.procs[version] = p
	return p, nil
}

func cpStartPython(version string) (*cpPython, error) {
	exe, err := exec.LookPath("python3")
	if err != nil {
		return nil, fmt.Errorf("no python3 on PATH: install CPython %s (pyenv install %s)", version, version)
	}
	cmd := exec.Command(exe, "-u", filepath.Join("scripts", "compat_driver.py"))
	cmd.Env = append(os.Environ(), "PYENV_VERSION="+version, "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	p := &cpPython{want: version, cmd: cmd}
	cmd.Stderr = &p.stderr
	if p.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.out = bufio.NewReaderSize(stdout, 1<<20)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting CPython %s: %v", version, err)
	}
	var hello struct {
		Python string `json:"python"`
		Debug  bool   `json:"debug_enabled"`
	}
	if err := p.request(map[string]any{"op": "hello"}, &hello); err != nil {
		p.close()
		return nil, fmt.Errorf("CPython %s is not usable (%v); install it with: pyenv install %s", version, err, version)
	}
	if hello.Python != version {
		p.close()
		return nil, fmt.Errorf("asked for CPython %s, got %s; install it with: pyenv install %s", version, hello.Python, version)
	}
	if !hello.Debug {
		p.close()
		return nil, fmt.Errorf("CPython %s runs with -O, so imaplib has no debug output", version)
	}
	p.version = hello.Python
	return p, nil
}

// request sends one JSON request and decodes the answer into out.
func (p *cpPython) request(req map[string]any, out any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	req["id"] = p.nextID
	line, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, err := p.in.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing to the driver: %v (stderr: %s)", err, p.stderr.String())
	}
	answer, err := p.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("reading from the driver: %v (stderr: %s)", err, p.stderr.String())
	}
	var fatal struct {
		Fatal string `json:"fatal"`
	}
	if json.Unmarshal(answer, &fatal) == nil && fatal.Fatal != "" {
		return fmt.Errorf("driver failed: %s", fatal.Fatal)
	}
	dec := json.NewDecoder(bytes.NewReader(answer))
	dec.UseNumber()
	return dec.Decode(out)
}

func (p *cpPython) close() {
	p.in.Close()
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

func cpClosePythons() {
	cpPythons.mu.Lock()
	defer cpPythons.mu.Unlock()
	for v, p := range cpPythons.procs {
		p.close()
		delete(cpPythons.procs, v)
	}
}

// run plays sessions in the driver; each session's server must already be
// listening.
func (p *cpPython) run(sessions []cpPySession) ([]cpOutcome, error) {
	var answer struct {
		Results []struct {
			Connect json.RawMessage   `json:"connect"`
			Calls   []json.RawMessage `json:"calls"`
		} `json:"results"`
	}
	if err := p.request(map[string]any{"op": "run", "sessions": sessions}, &answer); err != nil {
		return nil, err
	}
	if len(answer.Results) != len(sessions) {
		return nil, fmt.Errorf("driver answered %d sessions for %d", len(answer.Results), len(sessions))
	}
	outs := make([]cpOutcome, len(sessions))
	for i, r := range answer.Results {
		steps := append([]json.RawMessage{r.Connect}, r.Calls...)
		for _, raw := range steps {
			st, tagpre, err := cpDecodeStep(raw)
			if err != nil {
				return nil, err
			}
			if tagpre != "" {
				outs[i].Tagpre = tagpre
			}
			outs[i].Steps = append(outs[i].Steps, st)
		}
	}
	return outs, nil
}

func cpDecodeStep(raw json.RawMessage) (cpStepOut, string, error) {
	var js struct {
		Call string          `json:"call"`
		Ret  json.RawMessage `json:"ret"`
		Exc  *struct {
			Cls string `json:"cls"`
			Msg string `json:"msg"`
			OS  bool   `json:"os"`
		} `json:"exc"`
		Attrs map[string]json.RawMessage `json:"attrs"`
		Debug string                     `json:"debug"`
	}
	if err := json.Unmarshal(raw, &js); err != nil {
		return cpStepOut{}, "", err
	}
	decode := func(r json.RawMessage) (any, error) {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		return cpFromJSON(v)
	}
	st := cpStepOut{Call: js.Call, Debug: js.Debug}
	if js.Exc != nil {
		st.Exc = &cpExc{Cls: js.Exc.Cls, Msg: js.Exc.Msg, OS: js.Exc.OS}
	} else if js.Ret != nil {
		v, err := decode(js.Ret)
		if err != nil {
			return st, "", err
		}
		st.Ret, st.HasRet = v, true
	}
	tagpre := ""
	if js.Attrs != nil {
		st.Attrs = map[string]any{}
		for k, r := range js.Attrs {
			v, err := decode(r)
			if err != nil {
				return st, "", err
			}
			st.Attrs[k] = v
		}
		if b, ok := st.Attrs["tagpre"].([]byte); ok {
			tagpre = string(b)
		}
		delete(st.Attrs, "tagpre")
		// Python starts continuation_response as the str '' and only ever
		// stores bytes or None in it later; the port's field is []byte, so
		// the initial value compares as b''.
		if s, ok := st.Attrs["continuation"].(string); ok && s == "" {
			st.Attrs["continuation"] = []byte{}
		}
	}
	return st, tagpre, nil
}

// ---- Scenarios ----------------------------------------------------------------

func cpLoadScenarios(t *testing.T) []*cpScenario {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "compat", "*.txt"))
	require.NoError(t, err)
	var out []*cpScenario
	for _, p := range paths {
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		name := strings.TrimSuffix(filepath.Base(p), ".txt")
		sc, err := cpParseScenario(name, src)
		require.NoError(t, err)
		sc.path = p
		out = append(out, sc)
	}
	return out
}

// cpSessionOf is the client half of a scenario.
func cpSessionOf(sc *cpScenario) cpSession {
	return cpSession{calls: sc.calls, debug: sc.debug, maxline: sc.maxline, timeout: sc.timeout}
}

// cpSession is one client session: the calls and the settings around them.
type cpSession struct {
	calls   []string
	debug   int
	maxline int
	timeout time.Duration
}

// forPython is the session as the driver takes it; prefix is the tag
// prefix the port used ("" when it never chose one that showed).
func (s cpSession) forPython(port int, prefix string) cpPySession {
	return cpPySession{Port: port, Calls: append([]string{}, s.calls...), Debug: s.debug, Maxline: s.maxline,
		Timeout: s.timeout.Seconds(), TagpreNumber: cpAP2Int(prefix)}
}

// cpAP2Int is the inverse of Int2AP for a tag prefix: letters A to P are
// the hexadecimal digits 0 to F.
func cpAP2Int(prefix string) int {
	n := 0
	for _, c := range prefix {
		if c < 'A' || c > 'P' {
			return 0
		}
		n = n*16 + int(c-'A')
	}
	return n
}

// cpRecvWait bounds the server's wait for a client line in transcripts.
const cpRecvWait = 5 * time.Second

// cpRunPython plays one scenario in one CPython.
func cpRunPython(p *cpPython, sc *cpScenario, prefix string) cpOutcome {
	srv, err := cpServe(cpScriptPlayer(sc.steps, cpRecvWait))
	if err != nil {
		return cpOutcome{Err: err}
	}
	outs, err := p.run([]cpPySession{cpSessionOf(sc).forPython(srv.port(), prefix)})
	res := srv.wait(30 * time.Second)
	if err != nil {
		return cpOutcome{Err: err}
	}
	outs[0].Server = res
	return outs[0]
}

// cpRunPort plays one scenario to the port.
func cpRunPort(sc *cpScenario) cpOutcome {
	srv, err := cpServe(cpScriptPlayer(sc.steps, cpRecvWait))
	if err != nil {
		return cpOutcome{Err: err}
	}
	out := cpRunGo(cpSessionOf(sc), srv.port())
	out.Server = srv.wait(30 * time.Second)
	return out
}

// Results kept for the summary line printed at the end of the run.
var cpSummary = struct {
	mu           sync.Mutex
	scenarios    int
	identical    int
	versions     []string
	genRan       bool
	genTotal     int
	genIdentical int
	deliberate   int
}{}

// TestCompat plays every transcript to every CPython and to the port.
func TestCompat(t *testing.T) {
	scenarios := cpLoadScenarios(t)
	require.NotEmpty(t, scenarios, "no transcripts under testdata/compat")

	var pys []*cpPython
	var missing []string
	for _, v := range cpPythonVersions() {
		p, err := cpGetPython(v)
		if err != nil {
			missing = append(missing, err.Error())
			continue
		}
		pys = append(pys, p)
	}
	if len(missing) > 0 {
		if cpInCI() {
			t.Fatalf("CPython missing (CI=true makes this a failure):\n%s", strings.Join(missing, "\n"))
		}
		t.Logf("comparing without some CPythons:\n%s", strings.Join(missing, "\n"))
	}
	if len(pys) == 0 {
		t.Skip("no CPython to compare with; install them with pyenv (see docs/compat.md)")
	}

	perVersion := map[string][2]int{} // identical, applicable
	identical := 0
	deliberate := 0 // scenarios documenting a deliberate difference
	ran := 0
	for _, sc := range scenarios {
		compared := false
		ok := t.Run(sc.name, func(t *testing.T) {
			ran++
			var apply []*cpPython
			for _, p := range pys {
				if sc.pythons.matches(p.version) {
					apply = append(apply, p)
				}
			}
			if len(apply) == 0 {
				t.Skipf("no installed CPython matches %q", sc.pythons.text)
			}
			// The port plays first, so that every CPython can be given the
			// port's tag prefix: then the tags, and every text holding
			// one, are the same bytes on both sides.
			goOut := cpRunPort(sc)
			prefix := goOut.prefix()
			pyOuts := make([]cpOutcome, len(apply))
			var wg sync.WaitGroup
			for i, p := range apply {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pyOuts[i] = cpRunPython(p, sc, prefix)
				}()
			}
			wg.Wait()
			compared = true
			require.NoError(t, goOut.Err, "running the port")
			goText := goOut.render()
			// CPythons that agree are reported together, so a failure shows
			// one diff per distinct CPython behaviour.
			var groups []string
			members := map[string][]string{}
			for i, p := range apply {
				out := pyOuts[i]
				same := false
				if assert.NoError(t, out.Err, "running CPython %s", p.version) &&
					assert.Empty(t, out.Server.problems, "%s: the transcript does not fit what CPython %s did", sc.path, p.version) {
					text := out.render()
					if members[text] == nil {
						groups = append(groups, text)
					}
					members[text] = append(members[text], p.version)
					same = text == goText
				}
				if sc.deliberate != "" {
					continue
				}
				c := perVersion[p.version]
				c[1]++
				if same {
					c[0]++
				}
				perVersion[p.version] = c
			}
			if len(groups) > 1 {
				t.Logf("%s: the CPythons disagree among themselves; pin the transcript with a `# pythons:` header", sc.path)
			}
			if sc.deliberate != "" {
				// A documented difference: it must still be there, or the
				// header is stale.
				for _, text := range groups {
					assert.False(t, text == goText, "%s: marked `# deliberate:` but CPython %s and the port agree; drop the header",
						sc.path, strings.Join(members[text], ", "))
				}
				t.Logf("%s: deliberate difference (%s); - CPython, + port:\n%s", sc.path, sc.deliberate, cpDiff(groups[0], goText))
				deliberate++
				return
			}
			for _, text := range groups {
				assert.True(t, text == goText, "%s: CPython %s and the port differ (- CPython, + port):\n%s",
					sc.path, strings.Join(members[text], ", "), cpDiff(text, goText))
			}
		})
		if ok && compared && sc.deliberate == "" {
			identical++
		}
	}
	var versions []string
	for _, p := range pys {
		c := perVersion[p.version]
		t.Logf("compat: CPython %s: %d/%d scenarios identical", p.version, c[0], c[1])
		versions = append(versions, p.version)
	}
	cpSummary.mu.Lock()
	cpSummary.scenarios = ran - deliberate
	cpSummary.identical = identical
	cpSummary.deliberate = deliberate
	cpSummary.versions = versions
	cpSummary.mu.Unlock()
	t.Log(cpSummaryLine())
}

// cpSummaryLine is the one line that ends a run of the suite.
func cpSummaryLine() string {
	cpSummary.mu.Lock()
	defer cpSummary.mu.Unlock()
	spec := spSummaryText()
	if cpSummary.scenarios == 0 && !cpSummary.genRan && spec == "" {
		return ""
	}
	line := "compat:"
	if cpSummary.scenarios > 0 {
		line += fmt.Sprintf(" %d/%d scenarios identical on CPython %s", cpSummary.identical, cpSummary.scenarios, strings.Join(cpSummary.versions, " "))
		if cpSummary.deliberate > 0 {
			line += fmt.Sprintf(" (+%d documented deliberate differences)", cpSummary.deliberate)
		}
	}
	if cpSummary.genRan {
		if cpSummary.scenarios > 0 {
			line += ";"
		}
		line += fmt.Sprintf(" %d/%d generated", cpSummary.genIdentical, cpSummary.genTotal)
	}
	if spec != "" {
		if line != "compat:" {
			line += ";"
		}
		line += " " + spec
	}
	return line
}

func init() { afterTestHooks = append(afterTestHooks, cpAfterTests) }

// cpAfterTests closes the CPython drivers and prints the suite's summary
// line after the tests, so that it shows in plain `go test` output too
// (registered with main_test.go's TestMain).
func cpAfterTests(code int) int {
	cpClosePythons()
	if line := cpSummaryLine(); line != "" {
		fmt.Println(line)
	}
	return code
}
