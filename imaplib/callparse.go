package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pyKind is the Python type of a value typed at the interactive prompt.
type pyKind int

const (
	pyStr pyKind = iota
	pyBytes
	pyNone
	pyBool
	pyInt
	pyFloat
)

// pyValue is one argument as the user wrote it. Commands turn it into the
// Go argument they take; a plain word is a str, as the self-test's
// arguments are.
type pyValue struct {
	kind pyKind
	text string // the str or bytes content, or a number as written
	b    bool
	bare bool // an unquoted word, the only kind that can be "name=value"
}

// goString is the value as a Go string argument. None becomes "", which the
// port treats as Python treats None in optional positions.
func (v pyValue) goString() string {
	switch v.kind {
	case pyNone:
		return ""
	case pyBool:
		if v.b {
			return "True"
		}
		return "False"
	}
	return v.text
}

// truthy is Python's bool() of the value.
func (v pyValue) truthy() bool {
	switch v.kind {
	case pyNone:
		return false
	case pyBool:
		return v.b
	case pyInt, pyFloat:
		f, _ := strconv.ParseFloat(v.text, 64)
		return f != 0
	}
	return v.text != ""
}

// pyArg is one argument of a call; name is set for a keyword argument.
type pyArg struct {
	name string
	val  pyValue
	word string // the word as typed, for a word-form "name=value"
}

// parsedLine is one line typed at the prompt: the method name and its
// arguments, or an attribute assignment such as "M.debug = 4".
type parsedLine struct {
	name   string
	args   []pyArg
	assign bool // name = args[0]
	call   bool // written with parentheses, Python style
}

// callForm matches the Python form of a line: an optional "M." then a name
// and, with no blank between them, a parenthesised argument list. The word
// form always has a blank there, so "sort (DATE) UTF-8 (FROM x)" stays words.
var callForm = regexp.MustCompile(`^(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\((.*)\)\s*;?$`)

// assignForm matches "M.debug = 4" (with or without the "M.").
var assignForm = regexp.MustCompile(`^(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\s*=\s*(.+)$`)

// parseLine reads a line in either of the two forms the prompt accepts:
// Python's, select('INBOX', readonly=True), or words, select INBOX.
func parseLine(line string) (*parsedLine, error) {
	line = strings.TrimSpace(line)
	if m := callForm.FindStringSubmatch(line); m != nil {
		args, err := parsePyArgs(m[2])
		if err != nil {
			return nil, err
		}
		return &parsedLine{name: m[1], args: args, call: true}, nil
	}
	if m := assignForm.FindStringSubmatch(line); m != nil && !strings.ContainsAny(m[1], " \t") {
		args, err := parsePyArgs(m[2])
		if err != nil {
			return nil, err
		}
		if len(args) != 1 || args[0].name != "" {
			return nil, errors.New("SyntaxError: one value expected after '='")
		}
		return &parsedLine{name: m[1], args: args, assign: true}, nil
	}
	name, rest, _ := strings.Cut(line, " ")
	name = strings.TrimPrefix(name, "M.")
	args, err := parseWords(rest)
	if err != nil {
		return nil, err
	}
	return &parsedLine{name: name, args: args}, nil
}

// parseWords splits the word form. Words end at blanks outside brackets and
// quotes, so "(FLAGS BODY[HEADER.FIELDS (FROM)])" stays one argument. A
// double-quoted word is an IMAP quoted string and is passed with its quotes,
// as a Python caller would write '"My Box"'; a single-quoted word is a Python
// str literal (escapes such as \n work), b'...' a bytes literal. None, True
// and False are Python's.
func parseWords(s string) ([]pyArg, error) {
	var args []pyArg
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return args, nil
		}
		// A Python literal here is single-quoted; a double quote starts an
		// IMAP quoted string, which the word scan below keeps as typed.
		if v, n, ok, err := scanPyString(s[i:]); ok && !strings.HasPrefix(s[i:], `"`) {
			if err != nil {
				return nil, err
			}
			if end := i + n; end < len(s) && s[end] != ' ' && s[end] != '\t' {
				return nil, fmt.Errorf("SyntaxError: text after a quoted string: %s", s[i:])
			}
			args = append(args, pyArg{val: v})
			i += n
			continue
		}
		start, depth := i, 0
		for i < len(s) {
			c := s[i]
			if depth == 0 && (c == ' ' || c == '\t') {
				break
			}
			switch c {
			case '(', '[':
				depth++
			case ')', ']':
				if depth > 0 {
					depth--
				}
			case '"':
				// Skip the quoted run, honouring \" and \\ inside it.
				i++
				for i < len(s) && s[i] != '"' {
					if s[i] == '\\' {
						i++
					}
					i++
				}
				if i >= len(s) {
					return nil, errors.New("SyntaxError: unterminated \"quoted\" argument")
				}
			}
			i++
		}
		args = append(args, wordArg(s[start:i]))
	}
}

// wordArg classifies an unquoted word: a Python constant, name=value, or a
// plain str.
func wordArg(w string) pyArg {
	if v, ok := pyConstant(w); ok {
		return pyArg{val: v}
	}
	if k, v, ok := strings.Cut(w, "="); ok && identRE.MatchString(k) {
		val := pyValue{kind: pyStr, text: v, bare: true}
		if c, ok := pyConstant(v); ok {
			val = c
		}
		// The binder decides whether k really is a parameter name; if not,
		// the whole word is an ordinary argument.
		return pyArg{name: k, val: val, word: w}
	}
	return pyArg{val: pyValue{kind: pyStr, text: w, bare: true}}
}

var identRE = regexp.MustCompile(`^[A-Za-z_]\w*$`)

// pyConstant recognises None, True and False.
func pyConstant(w string) (pyValue, bool) {
	switch w {
	case "None":
		return pyValue{kind: pyNone}, true
	case "True":
		return pyValue{kind: pyBool, b: true}, true
	case "False":
		return pyValue{kind: pyBool}, true
	}
	return pyValue{}, false
}

var (
	numberRE  = regexp.MustCompile(`^[-+]?(\d+(\.\d*)?|\.\d+)`)
	keywordRE = regexp.MustCompile(`^([A-Za-z_]\w*)\s*=[^=]`)
	nameRE    = regexp.MustCompile(`^[A-Za-z_]\w*`)
)

// parsePyArgs parses a Python argument list: literals (str, bytes, numbers,
// None, True, False) separated by commas, optionally as name=value.
func parsePyArgs(s string) ([]pyArg, error) {
	var args []pyArg
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	for {
		skip()
		if i >= len(s) {
			return args, nil
		}
		var a pyArg
		if m := keywordRE.FindStringSubmatch(s[i:]); m != nil {
			a.name = m[1]
			i += strings.Index(s[i:], "=") + 1
			skip()
		}
		v, n, err := scanPyLiteral(s[i:])
		if err != nil {
			return nil, err
		}
		a.val = v
		args = append(args, a)
		i += n
		skip()
		if i >= len(s) {
			return args, nil
		}
		if s[i] != ',' {
			return nil, fmt.Errorf("SyntaxError: expected ',' at %q", s[i:])
		}
		i++
	}
}

// scanPyLiteral reads one Python literal at the start of s and says how many
// bytes it used.
func scanPyLiteral(s string) (pyValue, int, error) {
	if v, n, ok, err := scanPyString(s); ok {
		return v, n, err
	}
	if m := numberRE.FindString(s); m != "" {
		kind := pyInt
		if strings.Contains(m, ".") {
			kind = pyFloat
		}
		return pyValue{kind: kind, text: m}, len(m), nil
	}
	if m := nameRE.FindString(s); m != "" {
		if v, ok := pyConstant(m); ok {
			return v, len(m), nil
		}
		return pyValue{}, 0, fmt.Errorf("NameError: name '%s' is not defined", m)
	}
	return pyValue{}, 0, fmt.Errorf("SyntaxError: cannot read %q", s)
}

// scanPyString reads a Python string literal ('...', "...", with an optional
// b, r, br or rb prefix) at the start of s. ok is false when s does not start
// with one.
func scanPyString(s string) (v pyValue, n int, ok bool, err error) {
	i := 0
	bytesLit, raw := false, false
	for i < len(s) && i < 2 {
		switch s[i] {
		case 'b', 'B':
			if bytesLit {
				return pyValue{}, 0, false, nil
			}
			bytesLit = true
		case 'r', 'R':
			if raw {
				return pyValue{}, 0, false, nil
			}
			raw = true
		default:
			goto prefixDone
		}
		i++
	}
prefixDone:
	if i >= len(s) || (s[i] != '\'' && s[i] != '"') {
		return pyValue{}, 0, false, nil
	}
	quote := s[i]
	i++
	var b strings.Builder
	for {
		if i >= len(s) {
			return pyValue{}, 0, true, errors.New("SyntaxError: unterminated string literal")
		}
		c := s[i]
		if c == quote {
			i++
			break
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return pyValue{}, 0, true, errors.New("SyntaxError: unterminated string literal")
		}
		e := s[i+1]
		i += 2
		if raw {
			// A raw string keeps the backslash, yet an escaped quote still
			// does not end it.
			b.WriteByte('\\')
			b.WriteByte(e)
			continue
		}
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '0':
			b.WriteByte(0)
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'x':
			if i+2 > len(s) {
				return pyValue{}, 0, true, errors.New("SyntaxError: truncated \\xXX escape")
			}
			x, perr := strconv.ParseUint(s[i:i+2], 16, 8)
			if perr != nil {
				return pyValue{}, 0, true, errors.New("SyntaxError: truncated \\xXX escape")
			}
			b.WriteByte(byte(x))
			i += 2
		default:
			// Python keeps an unknown escape as written.
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	kind := pyStr
	if bytesLit {
		kind = pyBytes
	}
	return pyValue{kind: kind, text: b.String()}, i, true, nil
}

// param is one parameter of a Python signature.
type param struct {
	name     string
	optional bool // has a default; the Go zero value selects it
	variadic bool // *args
}

// parseSignature reads the parameter list of a signature such as
// "select(mailbox='INBOX', readonly=False)", so that the help text and the
// argument binding come from one string.
func parseSignature(sig string) (string, []param) {
	name, rest, _ := strings.Cut(sig, "(")
	rest = strings.TrimSuffix(rest, ")")
	var ps []param
	for _, f := range strings.Split(rest, ", ") {
		if f == "" {
			continue
		}
		p := param{}
		if strings.HasPrefix(f, "*") {
			p.variadic, f = true, f[1:]
		}
		if k, _, ok := strings.Cut(f, "="); ok {
			p.optional, f = true, k
		}
		p.name = f
		ps = append(ps, p)
	}
	return name, ps
}

// boundArgs holds a call's arguments matched to the parameters.
type boundArgs struct {
	vals map[string]pyValue
	rest []pyValue
}

// bindArgs matches arguments to parameters as Python would, with Python's
// complaints when they do not fit. In the word form a "name=value" word
// whose name is no parameter is an ordinary argument.
func bindArgs(fn string, params []param, args []pyArg, call bool) (*boundArgs, error) {
	b := &boundArgs{vals: map[string]pyValue{}}
	known := map[string]bool{}
	for _, p := range params {
		if !p.variadic {
			known[p.name] = true
		}
	}
	pos := 0
	for _, a := range args {
		if a.name != "" && !known[a.name] && !call {
			a = pyArg{val: pyValue{kind: pyStr, text: a.word, bare: true}}
		}
		if a.name != "" {
			if !known[a.name] {
				return nil, fmt.Errorf("TypeError: %s() got an unexpected keyword argument '%s'", fn, a.name)
			}
			if _, dup := b.vals[a.name]; dup {
				return nil, fmt.Errorf("TypeError: %s() got multiple values for argument '%s'", fn, a.name)
			}
			b.vals[a.name] = a.val
			continue
		}
		if pos < len(params) && params[pos].variadic {
			b.rest = append(b.rest, a.val)
			continue
		}
		if pos >= len(params) {
			return nil, fmt.Errorf("TypeError: %s() takes %d positional arguments but %d were given", fn, len(params), countPositional(args))
		}
		if _, dup := b.vals[params[pos].name]; dup {
			return nil, fmt.Errorf("TypeError: %s() got multiple values for argument '%s'", fn, params[pos].name)
		}
		b.vals[params[pos].name] = a.val
		pos++
	}
	var missing []string
	for _, p := range params {
		if _, ok := b.vals[p.name]; !ok && !p.optional && !p.variadic {
			missing = append(missing, "'"+p.name+"'")
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("TypeError: %s() missing %d required positional argument(s): %s", fn, len(missing), strings.Join(missing, ", "))
	}
	return b, nil
}

func countPositional(args []pyArg) int {
	n := 0
	for _, a := range args {
		if a.name == "" {
			n++
		}
	}
	return n
}

// str is a parameter as a Go string; an omitted optional parameter is "",
// the zero value that makes the port use Python's default.
func (b *boundArgs) str(name string) string { return b.vals[name].goString() }

// bool is a parameter's truth value; omitted is false.
func (b *boundArgs) bool(name string) bool { return b.vals[name].truthy() }

// given reports whether the parameter was passed.
func (b *boundArgs) given(name string) bool { _, ok := b.vals[name]; return ok }

// value is a parameter as passed.
func (b *boundArgs) value(name string) pyValue { return b.vals[name] }

// restStrings are the *args as Go strings.
func (b *boundArgs) restStrings() []string {
	out := make([]string, len(b.rest))
	for i, v := range b.rest {
		out[i] = v.goString()
	}
	return out
}
