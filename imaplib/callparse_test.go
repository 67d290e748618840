package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cmdStr, cmdWord and cmdNone build expected arguments.
func cmdStr(s string) pyArg  { return pyArg{val: pyValue{kind: pyStr, text: s}} }
func cmdWord(s string) pyArg { return pyArg{val: pyValue{kind: pyStr, text: s, bare: true}} }
func cmdNone() pyArg         { return pyArg{val: pyValue{kind: pyNone}} }

func TestCmdParseLine(t *testing.T) {
	cases := []struct {
		line string
		want parsedLine
	}{
		{"select INBOX", parsedLine{name: "select", args: []pyArg{cmdWord("INBOX")}}},
		{"fetch 1 (FLAGS BODY[HEADER.FIELDS (FROM TO)])",
			parsedLine{name: "fetch", args: []pyArg{cmdWord("1"), cmdWord("(FLAGS BODY[HEADER.FIELDS (FROM TO)])")}}},
		{`search None SUBJECT "hello world"`,
			parsedLine{name: "search", args: []pyArg{cmdNone(), cmdWord("SUBJECT"), cmdWord(`"hello world"`)}}},
		{`search None SUBJECT "say \"hi\" now"`,
			parsedLine{name: "search", args: []pyArg{cmdNone(), cmdWord("SUBJECT"), cmdWord(`"say \"hi\" now"`)}}},
		{`append INBOX None None 'Subject: x\n\nbody'`,
			parsedLine{name: "append", args: []pyArg{cmdWord("INBOX"), cmdNone(), cmdNone(), cmdStr("Subject: x\n\nbody")}}},
		{"M.store 1 +FLAGS (\\Seen)", parsedLine{name: "store", args: []pyArg{cmdWord("1"), cmdWord("+FLAGS"), cmdWord(`(\Seen)`)}}},
		{"select INBOX readonly=True", parsedLine{name: "select", args: []pyArg{cmdWord("INBOX"),
			{name: "readonly", val: pyValue{kind: pyBool, b: true}, word: "readonly=True"}}}},
		{"select('INBOX')", parsedLine{name: "select", args: []pyArg{cmdStr("INBOX")}, call: true}},
		{`M.select("INBOX", readonly=True)`, parsedLine{name: "select", call: true, args: []pyArg{cmdStr("INBOX"),
			{name: "readonly", val: pyValue{kind: pyBool, b: true}}}}},
		{`uid('FETCH', b'1:*', r'(FLAGS \Seen)')`, parsedLine{name: "uid", call: true, args: []pyArg{cmdStr("FETCH"),
			{val: pyValue{kind: pyBytes, text: "1:*"}}, cmdStr(`(FLAGS \Seen)`)}}},
		{"idle(duration=2.5)", parsedLine{name: "idle", call: true, args: []pyArg{{name: "duration", val: pyValue{kind: pyFloat, text: "2.5"}}}}},
		{"noop()", parsedLine{name: "noop", call: true}},
		{"sort (DATE) UTF-8 (FROM x)", parsedLine{name: "sort", args: []pyArg{cmdWord("(DATE)"), cmdWord("UTF-8"), cmdWord("(FROM x)")}}},
		{"M.debug = 4", parsedLine{name: "debug", assign: true, args: []pyArg{{val: pyValue{kind: pyInt, text: "4"}}}}},
		{`login('a\x41', 'p\'q')`, parsedLine{name: "login", call: true, args: []pyArg{cmdStr("aA"), cmdStr("p'q")}}},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			got, err := parseLine(tc.line)
			require.NoError(t, err)
			assert.Equal(t, tc.want, *got)
		})
	}
}

func TestCmdParseLineErrors(t *testing.T) {
	cases := []struct{ line, want string }{
		{"select('INBOX)", "SyntaxError: unterminated string literal"},
		{"select(INBOX)", "NameError: name 'INBOX' is not defined"},
		{"select('a' 'b')", "SyntaxError: expected ','"},
		{`search None "open`, `SyntaxError: unterminated "quoted" argument`},
		{"append x None None 'a'b", "SyntaxError: text after a quoted string"},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			_, err := parseLine(tc.line)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestCmdBindArgs(t *testing.T) {
	_, selectParams := parseSignature("select(mailbox='INBOX', readonly=False)")
	_, searchParams := parseSignature("search(charset, *criteria)")

	b, err := bindArgs("select", selectParams, nil, true)
	require.NoError(t, err)
	assert.Equal(t, "", b.str("mailbox"), "omitted: the Go zero value, which selects Python's default")
	assert.False(t, b.bool("readonly"))

	b, err = bindArgs("search", searchParams, []pyArg{cmdNone(), cmdWord("FROM"), cmdWord(`"LDJ"`)}, false)
	require.NoError(t, err)
	assert.Equal(t, "", b.str("charset"))
	assert.Equal(t, []string{"FROM", `"LDJ"`}, b.restStrings())

	// In words, name=value is an argument unless name is a parameter.
	b, err = bindArgs("search", searchParams, []pyArg{cmdNone(), wordArg("X-GM-RAW=foo")}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"X-GM-RAW=foo"}, b.restStrings())

	_, err = bindArgs("select", selectParams, []pyArg{{name: "mbox", val: pyValue{kind: pyStr, text: "x"}}}, true)
	assert.EqualError(t, err, "TypeError: select() got an unexpected keyword argument 'mbox'")
	_, err = bindArgs("select", selectParams, []pyArg{cmdStr("a"), {name: "mailbox", val: pyValue{kind: pyStr, text: "b"}}}, true)
	assert.EqualError(t, err, "TypeError: select() got multiple values for argument 'mailbox'")
	_, err = bindArgs("search", searchParams, nil, true)
	assert.EqualError(t, err, "TypeError: search() missing 1 required positional argument(s): 'charset'")
}

func TestCmdGoCall(t *testing.T) {
	byName := map[string]*shellCmd{}
	for _, c := range shellCommands() {
		byName[c.name] = c
	}
	cases := []struct{ line, want string }{
		{"append INBOX (\\Seen) None 'hi\\n'", "M.Append(\"INBOX\", `(\\Seen)`, nil, []byte(\"hi\\n\"))"},
		{"append(None, None, 1700000000, b'x')", `M.Append("", "", 1700000000, []byte("x"))`},
		{"uid SEARCH ALL", `M.UID("SEARCH", "ALL")`},
		{"sort (DATE) UTF-8 ALL", `M.Sort("(DATE)", "UTF-8", "ALL")`},
		{"authenticate PLAIN", `M.Authenticate("PLAIN", authobject)`},
		{"starttls()", `M.StartTLS(sslContext)`},
		{"idle", `M.Idle(10 * time.Second)`},
		{"rename a b", `M.Rename("a", "b")`},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			pl, err := parseLine(tc.line)
			require.NoError(t, err)
			c := byName[pl.name]
			require.NotNil(t, c, pl.name)
			a, err := bindArgs(c.name, c.params, pl.args, pl.call)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.goCall(a))
		})
	}
}
