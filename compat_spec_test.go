package imaplib

// Spec-derived transcripts: sessions for behaviour newer than every CPython
// the differential suite can run (IDLE from 3.14; the July 2026 argument
// quoting, NUL/CR/LF refusal and LOGIN error text; RFC 6855 APPEND; the
// 3.15 debug output; the blank line after a literal). No local interpreter
// implements them, so each transcript under testdata/compat/spec is played
// to the port alone, in the profile its header names (current unless it
// says otherwise), and the session is compared with a golden file next to
// it. The transcript's `# spec-derived:` header names the facts the
// expectation comes from; its comments say which lines of the golden file
// show them. The wire is pinned twice: by the transcript's C: and L: lines,
// which the scripted server checks, and by the golden file's
// "server received" section.
//
// Regenerate the golden files with
//
//	go test -run TestCompatSpec -update-spec .
//
// and review every changed line against the facts before keeping it.
//
// The parser, the scripted server, the call dispatcher and the rendering are
// the differential suite's (compat_server_test.go, compat_dispatch_test.go,
// compat_test.go). This file adds what the spec-derived transcripts need on
// top: the `# profile:` and `# spec-derived:` headers, a session runner that
// takes the profile, and the IDLE calls, written as Python spells them:
//
//	idle()  idle(0.5)  idle(duration=0.5)   M.idle(...)       -> <Idler>
//	idler.__enter__()                        Enter             -> <Idler>
//	next(idler)                              one item of All   -> (typ, data)
//	tuple(idler)                             every item of All -> ((typ, data), ...)
//	tuple(idler.burst(0.2))                  Burst(0.2 s)
//	idler.__exit__(None, None, None)         Exit              -> False
//
// An iteration that ends with an error (Idler.Err) is shown as the
// exception Python's iteration raises; a next() that finds the iteration
// over raises StopIteration.
//
// A transcript whose expectation the port does not meet yet carries a
// `# hand-written-golden: <why>` header: its golden file was written from
// the facts, -update-spec leaves it alone, and the test fails until the
// port is fixed.

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var spUpdate = flag.Bool("update-spec", false, "rewrite testdata/compat/spec/*.golden from the port's sessions (review them against the facts)")

// spDir holds the spec-derived transcripts and their golden files.
var spDir = filepath.Join("testdata", "compat", "spec")

// spScenario is one spec-derived transcript: the suite's scenario (server
// steps and settings) plus what only this file understands.
type spScenario struct {
	sc     *cpScenario
	source string   // the `# spec-derived:` header
	compat Compat   // the `# profile:` header; current by default
	calls  []string // every call, IDLE calls included
	// handWritten, from a `# hand-written-golden:` header, says why the
	// golden file was written from the facts rather than generated: the
	// port does not do what they say yet, and -update-spec must not
	// overwrite the expectation with the port's output.
	handWritten string
}

var (
	spProfileRe = regexp.MustCompile(`^#\s*profile:\s*(.*?)\s*$`)
	spSourceRe  = regexp.MustCompile(`^#\s*spec-derived:\s*(.*?)\s*$`)
	spHandRe    = regexp.MustCompile(`^#\s*hand-written-golden:\s*(.*?)\s*$`)
)

// spParseScenario reads a spec-derived transcript. The headers and calls the
// suite's parser does not take (`# profile: current`, IDLE calls) are taken
// out here and the rest is handed to cpParseScenario, line numbers kept.
func spParseScenario(name string, src []byte) (*spScenario, error) {
	s := &spScenario{compat: CompatCurrent}
	lines := strings.Split(string(src), "\n")
	for i, raw := range lines {
		line := strings.TrimSuffix(raw, "\r")
		if m := spProfileRe.FindStringSubmatch(line); m != nil {
			switch m[1] {
			case "current":
				s.compat = CompatCurrent
			case "classic":
				s.compat = CompatClassic
			default:
				return nil, fmt.Errorf("%s:%d: unknown profile %q (current or classic)", name, i+1, m[1])
			}
			lines[i] = "#"
			continue
		}
		if m := spSourceRe.FindStringSubmatch(line); m != nil {
			s.source = m[1]
			continue
		}
		if m := spHandRe.FindStringSubmatch(line); m != nil {
			s.handWritten = m[1]
			continue
		}
		if rest, ok := strings.CutPrefix(line, "call:"); ok {
			call := strings.TrimSpace(rest)
			if err := spCheckCall(call); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, i+1, err)
			}
			s.calls = append(s.calls, call)
			lines[i] = "#"
		}
	}
	if s.source == "" {
		return nil, fmt.Errorf("%s: no `# spec-derived: <source>` header saying where the expectation comes from", name)
	}
	sc, err := cpParseScenario(name, []byte(strings.Join(lines, "\n")))
	if err != nil {
		return nil, err
	}
	s.sc = sc
	return s, nil
}

// spIdleOp is one of the IDLE calls.
type spIdleOp int

const (
	spIdle  spIdleOp = iota + 1 // idle(duration)
	spEnter                     // idler.__enter__()
	spExit                      // idler.__exit__(None, None, None)
	spNext                      // next(idler)
	spAll                       // tuple(idler)
	spBurst                     // tuple(idler.burst(interval))
)

// spIdleCall is a parsed IDLE call; d is the duration or burst interval.
type spIdleCall struct {
	op spIdleOp
	d  time.Duration
}

// spParseIdleCall recognises the IDLE calls; ok is false for any other call.
func spParseIdleCall(s string) (c spIdleCall, ok bool, err error) {
	switch s {
	case "idler.__enter__()":
		return spIdleCall{op: spEnter}, true, nil
	case "idler.__exit__(None, None, None)":
		return spIdleCall{op: spExit}, true, nil
	case "next(idler)":
		return spIdleCall{op: spNext}, true, nil
	case "tuple(idler)":
		return spIdleCall{op: spAll}, true, nil
	}
	if rest, found := strings.CutPrefix(s, "tuple(idler.burst("); found {
		arg, closed := strings.CutSuffix(rest, "))")
		if !closed {
			return c, true, fmt.Errorf("unbalanced parentheses in %q", s)
		}
		d, err := spSeconds(arg, "interval")
		return spIdleCall{op: spBurst, d: d}, true, err
	}
	if rest, found := strings.CutPrefix(s, "idle("); found {
		arg, closed := strings.CutSuffix(rest, ")")
		if !closed {
			return c, true, fmt.Errorf("unbalanced parentheses in %q", s)
		}
		d, err := spSeconds(arg, "duration")
		return spIdleCall{op: spIdle, d: d}, true, err
	}
	if strings.Contains(s, "idler") {
		return c, true, fmt.Errorf("unsupported IDLE call %q", s)
	}
	return c, false, nil
}

// spSeconds reads an optional seconds argument (a Python int, float or
// None, optionally as keyword=value) as a Duration; None and an absent
// argument are 0, the port's "no limit" or "default".
func spSeconds(arg, keyword string) (time.Duration, error) {
	arg = strings.TrimSpace(arg)
	if rest, ok := strings.CutPrefix(arg, keyword); ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
		arg = strings.TrimPrefix(strings.TrimSpace(rest), "=")
	}
	if strings.TrimSpace(arg) == "" {
		return 0, nil
	}
	p := &cpParser{s: arg}
	a, err := p.arg()
	if err != nil {
		return 0, err
	}
	if p.peek() != 0 {
		return 0, fmt.Errorf("trailing text in %q", arg)
	}
	v, err := cpConvert(a, cpDurationType, keyword)
	if err != nil {
		return 0, err
	}
	return v.Interface().(time.Duration), nil
}

// spCheckCall validates a call when the transcript is read, so that a typo
// is reported with its line number.
func spCheckCall(call string) error {
	if _, ok, err := spParseIdleCall(call); ok || err != nil {
		return err
	}
	_, err := cpParseCall(call)
	return err
}

// spRunPort plays one spec-derived transcript to the port.
func spRunPort(s *spScenario) cpOutcome {
	srv, err := cpServe(cpScriptPlayer(s.sc.steps, cpRecvWait))
	if err != nil {
		return cpOutcome{Err: err}
	}
	out := spRunGo(s, srv.port())
	out.Server = srv.wait(30 * time.Second)
	return out
}

// spRunGo is cpRunGo with the transcript's profile and the IDLE calls: it
// plays the session against the server on port, with the package settings
// set for the session and restored afterwards.
func spRunGo(s *spScenario, port int) (out cpOutcome) {
	sess := cpSessionOf(s.sc)
	take, restore := cpEnterSession(sess.debug, s.compat, sess.maxline)
	defer restore()
	m, err := NewIMAP4("127.0.0.1", port, sess.timeout)
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
	var idler *Idler
	for _, call := range s.calls {
		st, err := spPlayCall(m, &idler, call)
		if err != nil {
			out.Err = fmt.Errorf("%s: %v", call, err)
			return out
		}
		st.Call = call
		st.Attrs = cpAttrs(m)
		st.Debug = take()
		out.Steps = append(out.Steps, st)
	}
	return out
}

// spPlayCall runs one call: the IDLE calls here, every other through the
// suite's dispatcher. A returned error is a harness error.
func spPlayCall(m *IMAP4, idler **Idler, call string) (cpStepOut, error) {
	ic, isIdle, err := spParseIdleCall(call)
	if err != nil {
		return cpStepOut{}, err
	}
	if !isIdle {
		c, err := cpParseCall(call)
		if err != nil {
			return cpStepOut{}, err
		}
		return cpInvoke(m, c)
	}
	var st cpStepOut
	if ic.op != spIdle && *idler == nil {
		return st, fmt.Errorf("no idler: call idle() first (or it failed)")
	}
	switch ic.op {
	case spIdle:
		i, err := m.Idle(ic.d)
		if err != nil {
			st.Exc = cpGoExc(err)
			return st, nil
		}
		*idler = i
		st.Ret, st.HasRet = cpOpaque("Idler"), true
	case spEnter:
		if err := (*idler).Enter(); err != nil {
			st.Exc = cpGoExc(err)
			return st, nil
		}
		st.Ret, st.HasRet = cpOpaque("Idler"), true
	case spExit:
		if err := (*idler).Exit(); err != nil {
			st.Exc = cpGoExc(err)
			return st, nil
		}
		st.Ret, st.HasRet = false, true
	case spNext:
		for typ, data := range (*idler).All() {
			st.Ret, st.HasRet = cpTuple{typ, cpDataVal(data)}, true
			break
		}
		if !st.HasRet {
			st.Exc = &cpExc{Cls: "StopIteration"}
			if err := (*idler).Err(); err != nil {
				st.Exc = cpGoExc(err)
			}
		}
	case spAll, spBurst:
		seq := (*idler).All()
		if ic.op == spBurst {
			seq = (*idler).Burst(ic.d)
		}
		items := cpTuple{}
		for typ, data := range seq {
			items = append(items, cpTuple{typ, cpDataVal(data)})
		}
		if err := (*idler).Err(); err != nil {
			// Python's iteration raises, and the items read before are
			// lost to the caller; next(idler) shows them one by one.
			st.Exc = cpGoExc(err)
		} else {
			st.Ret, st.HasRet = items, true
		}
	}
	return st, nil
}

// Results kept for the suite's summary line (cpSummaryLine).
var spSummary = struct {
	mu    sync.Mutex
	ran   bool
	total int
	same  int
}{}

// spSummaryText is the spec-derived part of the summary line, "" when
// TestCompatSpec did not run.
func spSummaryText() string {
	spSummary.mu.Lock()
	defer spSummary.mu.Unlock()
	if !spSummary.ran || spSummary.total == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d spec-derived", spSummary.same, spSummary.total)
}

// TestCompatSpec plays every transcript under testdata/compat/spec to the
// port and compares the session with the transcript's golden file.
func TestCompatSpec(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(spDir, "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no transcripts under %s", spDir)

	// A golden file without its transcript is stale.
	goldens, err := filepath.Glob(filepath.Join(spDir, "*.golden"))
	require.NoError(t, err)
	for _, g := range goldens {
		_, err := os.Stat(strings.TrimSuffix(g, ".golden") + ".txt")
		assert.NoError(t, err, "%s has no transcript; delete it", g)
	}

	total, same := 0, 0
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		ran := false
		ok := t.Run(name, func(t *testing.T) {
			ran = true
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			s, err := spParseScenario(name, src)
			require.NoError(t, err)
			out := spRunPort(s)
			require.NoError(t, out.Err, "running the port")
			// The C: and L: lines are the wire the facts prescribe; a
			// session that does not fit them is never written as golden.
			require.Empty(t, out.Server.problems, "%s: the port's wire does not fit the transcript", path)
			got := out.render()
			golden := strings.TrimSuffix(path, ".txt") + ".golden"
			if *spUpdate && s.handWritten == "" {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				t.Logf("wrote %s: review it against %s", golden, s.source)
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file; write it with: go test -run TestCompatSpec -update-spec .")
			note := ""
			if s.handWritten != "" {
				note = "; the golden file is hand-written (" + s.handWritten + "): fix the port, not the file"
			}
			assert.True(t, string(want) == got, "%s: the port's session differs from %s (spec-derived: %s%s; - golden, + port):\n%s",
				path, golden, s.source, note, cpDiff(string(want), got))
		})
		if ran {
			total++
			if ok {
				same++
			}
		}
	}
	spSummary.mu.Lock()
	spSummary.ran = true
	spSummary.total = total
	spSummary.same = same
	spSummary.mu.Unlock()
	t.Logf("compat: %d/%d spec-derived transcripts as their golden files", same, total)
}
