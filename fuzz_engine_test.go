package imaplib

// Fuzz targets for the parts of the engine a hostile server or a careless
// caller reaches: response-line classification, the literal reader, the
// argument quoter, and the AUTHENTICATE base64 decoder. Each runs its seeds
// (testdata/fuzz/<FuzzName>/ and the f.Add calls) as a normal test; run
// `go test -fuzz '^FuzzName$'` (or scripts/fuzz.sh) to explore.
//
// The connections here run over an in-memory Transport whose reader is the
// real lineReader, so the buffering code is exercised too, with the server's
// bytes handed over in small pieces.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// atFeed is what an in-memory server has written, handed to the client's
// reader at most chunk bytes per Read. It records the largest room a Read
// was offered: the part of a buffer allocated beyond the bytes that had
// arrived.
type atFeed struct {
	data    []byte
	off     int
	chunk   int // most bytes per Read; 0 means all there is
	maxRoom int
}

func (f *atFeed) Read(p []byte) (int, error) {
	f.maxRoom = max(f.maxRoom, cap(p))
	if f.off >= len(f.data) {
		return 0, io.EOF
	}
	n := len(f.data) - f.off
	if f.chunk > 0 && n > f.chunk {
		n = f.chunk
	}
	n = copy(p, f.data[f.off:f.off+n])
	f.off += n
	return n, nil
}

// atMemTransport is a Transport over an atFeed: the server's answers are
// written into the feed as the client sends its commands.
type atMemTransport struct {
	feed  *atFeed
	in    lineReader
	sent  bytes.Buffer
	reply func(tag, cmd string) string // the server's answer to one command line
}

func (m *atMemTransport) Open(string, int, time.Duration) error {
	m.in = lineReader{src: m.feed}
	return nil
}
func (m *atMemTransport) Read(n int) ([]byte, error) { return m.in.read(n) }
func (m *atMemTransport) Readline() ([]byte, error)  { return m.in.readline() }
func (m *atMemTransport) Shutdown() error            { return nil }

func (m *atMemTransport) Send(d []byte) error {
	m.sent.Write(d)
	line, ok := bytes.CutSuffix(d, []byte(CRLF))
	if !ok || m.reply == nil {
		return nil
	}
	tag, rest, _ := strings.Cut(string(line), " ")
	cmd, _, _ := strings.Cut(rest, " ")
	m.feed.data = append(m.feed.data, m.reply(tag, cmd)...)
	return nil
}

// atMemConn returns a connection in the AUTH state over an in-memory
// transport; reply answers every command after the initial CAPABILITY.
func atMemConn(t testing.TB, chunk int, reply func(tag, cmd string) string) (*IMAP4, *atMemTransport) {
	t.Helper()
	tr := &atMemTransport{feed: &atFeed{data: []byte("* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n"), chunk: chunk}}
	tr.reply = func(tag, cmd string) string {
		if cmd == "CAPABILITY" {
			return "* CAPABILITY IMAP4rev1 IDLE\r\n" + tag + " OK CAPABILITY completed\r\n"
		}
		if reply == nil {
			return tag + " OK " + cmd + " completed\r\n"
		}
		return reply(tag, cmd)
	}
	m, err := NewIMAP4WithTransport(tr, "in-memory", 0, 0)
	require.NoError(t, err)
	return m, tr
}

// atStoredCount counts what a connection holds: untagged data elements and
// completed tags.
func atStoredCount(m *IMAP4) int {
	n := 0
	for _, v := range m.UntaggedResponses {
		n += len(v)
	}
	for _, v := range m.TaggedCommands {
		if v != nil {
			n++
		}
	}
	return n
}

// atLineClass is how CPython's _get_response classifies a first line
// (without its CRLF), from the module's regexps: "tagged" (a tag of this
// connection), "untagged", "continuation" or "unexpected".
func atLineClass(m *IMAP4, line []byte) string {
	switch {
	case m.tagre.Match(line):
		return "tagged"
	case Untagged_response.Match(line), Untagged_status.Match(line):
		return "untagged"
	case Continuation.Match(line):
		return "continuation"
	}
	return "unexpected"
}

// FuzzResponseLine feeds one random line (and whatever follows it in the
// input) to a connection, as the answer to a pending command. The result
// must be a stored response, a continuation, or an *Error, never a panic,
// never another error type; and the line must be classified as CPython's
// regexps classify it. The word TAG in the input stands for the
// connection's tag prefix, so that tagged lines are reachable.
func FuzzResponseLine(f *testing.F) {
	for _, s := range []string{
		"* 1 EXISTS", "* OK [UIDVALIDITY 42] ok", "TAG1 OK done", "TAG1 NO [ALERT] nope",
		"TAG9 OK not ours", "TAG1 OK", "+ go ahead", "+", "+x", "* ok lower", "hello",
		"* 1 FETCH (BODY[] {5}\r\nhello)", "* 1 FETCH (BODY[] {5}\r\nhel", "* LIST () \"/\" {3}\r\nabc",
		"* 1 FETCH (A {1}\r\nx B {0}\r\n C)", "* BYE bye", "* 1 EXISTS\n", "* OK [PERMANENTFLAGS (\\Seen a]b)] ok",
		"TAG1 BAD [PARSE] x", "* 3 RECENT extra", "* CAPABILITY IMAP4rev1 IDLE", "\x00\xff",
		"* 1 FETCH (BODY[] {99999999999999999999}", "* 1 FETCH (BODY[] {4000000000}\r\nabc",
		"* 1 FETCH ((((BODY[] {3}\r\nabc\r\n))))",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		atCheckOneResponse(t, input)

		// The whole-command path: the line answers a NOOP, then the tag.
		m, _ := atMemConn(t, 5, func(tag, cmd string) string {
			return string(bytes.ReplaceAll(input, []byte("TAG"), []byte(tag[:4]))) + CRLF + tag + " OK " + cmd + " completed\r\n"
		})
		typ, _, err := m.Noop()
		if err != nil {
			var e *Error
			require.True(t, errors.As(err, &e), "not an *Error: %T %v", err, err)
		} else {
			// Any status word completes a command (CPython's tag pattern
			// takes [A-Z]+); only BAD is turned into an error.
			assert.Regexp(t, `^[A-Z]+$`, typ)
			assert.NotEqual(t, "BAD", typ)
		}
	})
}

// atCheckOneResponse reads the input as the next response while a command
// is pending, and checks the result against CPython's classification.
func atCheckOneResponse(t *testing.T, input []byte) {
	m, tr := atMemConn(t, 3, nil)
	input = bytes.ReplaceAll(input, []byte("TAG"), m.Tagpre)
	tag := m.NewTag()
	stream := append(append([]byte(nil), input...), CRLF...)
	first, _, _ := bytes.Cut(stream, []byte("\n"))
	tr.feed.data = append(tr.feed.data, stream...)
	before := atStoredCount(m)

	resp, err := m.getResponse()

	if err != nil {
		var e *Error
		require.True(t, errors.As(err, &e), "not an *Error: %T %v", err, err)
		if !bytes.HasSuffix(first, []byte("\r")) {
			assert.Contains(t, e.Error(), "unterminated line")
		}
		return
	}
	require.True(t, bytes.HasSuffix(first, []byte("\r")), "an unterminated line was accepted")
	line := first[:len(first)-1]
	class := atLineClass(m, line)
	switch {
	case resp == nil:
		assert.Equal(t, "continuation", class, "classified as a continuation")
		if rest, ok := bytes.CutPrefix(line, []byte("+ ")); ok {
			assert.Equal(t, rest, m.ContinuationResponse)
		} else {
			assert.Nil(t, m.ContinuationResponse)
		}
	default:
		assert.Equal(t, line, resp)
		require.Contains(t, []string{"tagged", "untagged"}, class, "stored though CPython would not")
		assert.Greater(t, atStoredCount(m), before, "the response was not stored")
		if class == "tagged" {
			assert.NotNil(t, m.TaggedCommands[string(tag)], "the pending tag was not completed")
		}
	}
}

// atRoomLimit is the most a literal read may offer beyond the bytes that
// have arrived while it does not trust the announced size: one chunk
// (CPython's _SAFE_BUF_SIZE, 1 MiB) plus one receive chunk. Once a
// trustFraction'th of a large literal has arrived, its whole buffer is
// allocated: the room offered is then below trustFraction-1 times what
// arrived.
const atRoomLimit = firstReadLimit + recvChunk

// atMaxPayload keeps the fuzzer's literals within a few MiB, enough to see
// how the buffer grows past its first size.
const atMaxPayload = 4 << 20

// FuzzLiteralReader reads literals with random {N} headers and random,
// possibly truncated bodies, handed over in random pieces: by the
// lineReader alone, and by a connection answering FETCH. What is read must
// be exactly what was sent, up to N bytes; a short body must end in an
// *Error; and no buffer may be allocated beyond what has arrived by more
// than atCheckRoom allows: a server cannot make the client allocate what it
// never sends.
func FuzzLiteralReader(f *testing.F) {
	f.Add("{5}", []byte("hello"), uint16(1), uint16(0), uint32(0))
	f.Add("{0}", []byte(""), uint16(1), uint16(1), uint32(0))
	f.Add("{10}", []byte("0123456789"), uint16(1), uint16(3), uint32(20))
	f.Add("{4000000000}", []byte("0123456789"), uint16(1), uint16(0), uint32(0))
	f.Add("{99999999999999999999}", []byte("abc"), uint16(1), uint16(0), uint32(0))
	f.Add("{-1}", []byte("abc"), uint16(1), uint16(0), uint32(0))
	f.Add("{3}x", []byte("abc"), uint16(1), uint16(0), uint32(0))
	f.Add("{ 3}", []byte("abc"), uint16(1), uint16(0), uint32(0))
	f.Add("{2000000}", []byte("0123456789abcdef"), uint16(65535), uint16(0), uint32(0))
	f.Add("{3000000}", bytes.Repeat([]byte("x"), 1024), uint16(3000), uint16(60000), uint32(0))
	f.Add("{4000000000}", bytes.Repeat([]byte("y"), 1024), uint16(3000), uint16(0), uint32(0))
	f.Fuzz(func(t *testing.T, header string, body []byte, repeat uint16, chunk uint16, cut uint32) {
		if strings.ContainsAny(header, "\r\n") {
			return // the header line must stay one line
		}
		reps := int(repeat)
		if len(body) == 0 || reps == 0 {
			reps = 1
		}
		if len(body)*reps > atMaxPayload {
			reps = max(1, atMaxPayload/max(1, len(body)))
		}
		payload := bytes.Repeat(body, reps)
		if len(payload) > atMaxPayload {
			payload = payload[:atMaxPayload]
		}
		head := "* 1 FETCH (BODY[] " + header + "\r\n"
		stream := append([]byte(head), payload...)
		stream = append(stream, ")\r\n"...)
		if cut > 0 {
			stream = stream[:len(head)+int(cut)%(len(stream)-len(head)+1)]
		}
		size := int64(-1)
		if mo := Literal.FindSubmatch([]byte(head[:len(head)-2])); mo != nil {
			if n, err := strconv.ParseInt(string(mo[1]), 10, 64); err == nil {
				size = n
			}
		}

		// The reader alone.
		feed := &atFeed{data: stream, chunk: int(chunk)}
		lr := lineReader{src: feed}
		line, err := lr.readline()
		require.NoError(t, err)
		require.Equal(t, head, string(line))
		if size >= 0 {
			got, err := lr.read(int(size))
			require.NoError(t, err, "a short read is not an error: the line after it finds EOF")
			want := stream[len(head):]
			if int64(len(want)) > size {
				want = want[:size]
			}
			require.True(t, bytes.Equal(want, got), "read %d bytes, want %d", len(got), len(want))
		}
		atCheckRoom(t, feed, len(stream))

		// A connection answering FETCH with it, then (unless it was cut
		// short, a hang-up) the tagged reply.
		complete := cut == 0
		m, tr := atMemConn(t, int(chunk), func(tag, cmd string) string {
			switch cmd {
			case "SELECT":
				return "* 1 EXISTS\r\n" + tag + " OK [READ-WRITE] done\r\n"
			case "FETCH":
				if complete {
					return string(stream) + tag + " OK FETCH completed\r\n"
				}
				return string(stream)
			}
			return tag + " OK done\r\n"
		})
		_, _, err = m.Select("", false)
		require.NoError(t, err)
		tr.feed.maxRoom = 0
		typ, data, err := m.Fetch("1", "(BODY[])")
		if err != nil {
			var e *Error
			require.True(t, errors.As(err, &e), "not an *Error: %T %v", err, err)
		} else {
			assert.Equal(t, "OK", typ)
			if size >= 0 && int64(len(payload)) >= size && complete {
				if assert.GreaterOrEqual(t, len(data), 2) {
					assert.True(t, bytes.Equal(payload[:size], data[1]), "the literal was altered")
				}
			}
		}
		atCheckRoom(t, tr.feed, len(tr.feed.data))
	})
}

// atCheckRoom asserts the bound on allocation ahead of arrival: at most
// atRoomLimit, or (trustFraction-1) times what has arrived once the reader
// trusts a large literal's size.
func atCheckRoom(t *testing.T, feed *atFeed, arrived int) {
	t.Helper()
	require.LessOrEqual(t, feed.maxRoom, max(atRoomLimit, (trustFraction-1)*arrived),
		"a buffer of %d bytes was offered with only %d bytes arrived", feed.maxRoom, arrived)
}

// atIsASTRINGChar is RFC 3501's ASTRING-CHAR, written from the grammar:
// any CHAR (1-127) but atom-specials, except that "]" is allowed. With
// wildcards, list-mailbox's "%" and "*" are allowed too.
func atIsASTRINGChar(c byte, wildcards bool) bool {
	switch {
	case c == 0 || c > 0x7e || c < 0x20: // not CHAR, or CTL
		return false
	case c == '%' || c == '*':
		return wildcards
	case strings.IndexByte(`(){ "\`, c) >= 0:
		return false
	}
	return true
}

// atUnquote parses an RFC 3501 quoted string (with RFC 6855's UTF-8
// characters allowed) and returns its value; ok is false if q is not one.
func atUnquote(q string) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	in := q[1 : len(q)-1]
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '\\':
			if i+1 >= len(in) || (in[i+1] != '\\' && in[i+1] != '"') {
				return "", false
			}
			i++
			b.WriteByte(in[i])
		case c == '"', c == '\r', c == '\n', c == 0:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// atCheckAstring asserts the quoter's contract for one input.
func atCheckAstring(t *testing.T, in, out string, wildcards bool) {
	t.Helper()
	if alreadyWrapped(in) {
		assert.Equal(t, in, out, "an argument already quoted or parenthesised goes out unchanged")
		return
	}
	if out != "" && out[0] != '"' {
		assert.Equal(t, in, out, "a bare argument goes out as given")
		for i := 0; i < len(out); i++ {
			assert.True(t, atIsASTRINGChar(out[i], wildcards), "byte %q may not stand bare in %q", out[i], out)
		}
		return
	}
	val, ok := atUnquote(out)
	if strings.ContainsAny(in, "\x00\r\n") {
		// Not representable as a quoted string: the control-character
		// check refuses such arguments before anything is sent.
		return
	}
	require.True(t, ok, "%q is not a valid quoted string", out)
	assert.Equal(t, in, val, "escaping must round-trip")
	if utf8.ValidString(in) {
		for _, r := range in {
			if r < 0x80 {
				continue
			}
			assert.True(t, utf8.ValidRune(r), "RFC 6855 allows only UTF-8 in a quoted string")
		}
	}
	assert.Equal(t, out, quoteAstring(out, wildcards), "quoting twice changes nothing")
}

// FuzzQuoteAstring checks the argument quoter: its output is an RFC 3501
// astring (bare ASTRING-CHARs, or a quoted string), a quoted string
// unescapes to the input, an argument already quoted or parenthesised is
// unchanged, and quoting is idempotent.
func FuzzQuoteAstring(f *testing.F) {
	for _, s := range []string{
		"", "INBOX", "my box", `a"b`, `a\b`, `"already quoted"`, "(\\Seen)", "~/Mail", "%", "*", "a]b",
		"Grüße", "\x7f", "tab\there", "{5}", "a\r\nb", "\x00", `"`, `""`, `"a" "b"`, "()", "(", "\xff\xfe",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, wildcards bool) {
		atCheckAstring(t, s, quoteAstring(s, wildcards), wildcards)
	})
}

// FuzzCriteria checks the quoting of search criteria: the empty ones are
// dropped (Python's None), every other one is sent as given or, where it is
// the value of a key taking a string, as a valid astring of the same value;
// the classic profile sends everything as given.
func FuzzCriteria(f *testing.F) {
	f.Add("FROM", "John Smith", "SUBJECT", "hi there")
	f.Add("HEADER", "X-Spam", "yes please", "ALL")
	f.Add(`(FROM "LDJ")`, "", "UNSEEN", "1:*")
	f.Add("FROM", `"LDJ"`, "TEXT", "a\\b\"c")
	f.Add("KEYWORD", "$Label", "BODY", "")
	f.Add("OR", "FROM", "x y", "TO")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		in := []string{a, b, c, d}
		m := &IMAP4{Compat: CompatCurrent}
		out := m.criteria(append([]string(nil), in...))
		kept := nonEmpty(append([]string(nil), in...))
		require.Len(t, out, len(kept))
		for i := range out {
			if out[i] == kept[i] {
				continue
			}
			require.False(t, alreadyWrapped(kept[i]), "%q was already quoted", kept[i])
			atCheckAstring(t, kept[i], out[i], false)
		}
		// RFC 3501: SUBJECT and FROM take one astring. In first position
		// the word is a key for sure, so the next argument must be sent as
		// a valid astring, quoted if it is not one already.
		if len(kept) >= 2 && (strings.EqualFold(kept[0], "SUBJECT") || strings.EqualFold(kept[0], "FROM")) &&
			!strings.ContainsAny(kept[1], "\x00\r\n") {
			atCheckAstring(t, kept[1], out[1], false)
			if !alreadyWrapped(kept[1]) && !atAllASTRINGChars(kept[1]) {
				assert.NotEqual(t, kept[1], out[1], "%q cannot go out bare", kept[1])
			}
		}
		classic := &IMAP4{Compat: CompatClassic}
		assert.Equal(t, kept, classic.criteria(append([]string(nil), in...)))
	})
}

// atAllASTRINGChars reports whether s may stand bare as an astring.
func atAllASTRINGChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !atIsASTRINGChar(s[i], false) {
			return false
		}
	}
	return true
}

// The AUTHENTICATE decoder is compared with CPython's binascii.a2b_base64
// on a corpus CPython generated once (testdata/fuzz/a2b_base64_cpython.txt:
// one case a line, the input in hex, then "ok" and the output in hex, or
// "error" and binascii's message). IMAPLIB_REGEN_A2B=1 regenerates it with
// the python3 on PATH.
const atA2bCorpus = "testdata/fuzz/a2b_base64_cpython.txt"

// atA2bGenerator writes the corpus: edge cases, then pseudo-random inputs
// (valid base64 of random bytes, then mangled: junk inserted, padding moved,
// cut short, or random bytes outright), with a fixed seed.
const atA2bGenerator = `
import binascii, base64, random, sys
rnd = random.Random(20260714)
alpha = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
junk = b' \t\r\n!*-_.~\x00\x7f\x80\xff=:;'
cases = [b'', b'=', b'==', b'===', b'====', b'a', b'ab', b'abc', b'abcd', b'YQ==', b'YQ=', b'YQ', b'YWI=', b'YWJj',
         b'YQ==YQ==', b'Y=Q==', b'YQ=x=', b'a=b=', b'ab=c', b'!!', b'ZmFrZQ==', b'Zm!F r*ZQ=\x01=', b'YWJjZ', b'YWJ',
         b'\x80\x81', b'YW\xff\x00Jj', b'=YQ==', b'Y Q = =', b'YQ\r\n==', b'////', b'++++', b'A===', b'AA==A']
def mangle(s):
    s = bytearray(s)
    for _ in range(rnd.randint(0, 4)):
        op = rnd.randint(0, 5)
        pos = rnd.randint(0, len(s))
        if op == 0:
            s[pos:pos] = bytes([rnd.choice(junk)])
        elif op == 1:
            s[pos:pos] = b'='
        elif op == 2 and s:
            del s[rnd.randrange(len(s))]
        elif op == 3:
            s = s[:pos]
        elif op == 4:
            s[pos:pos] = bytes([rnd.choice(alpha)])
        else:
            s[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 3)))
    return bytes(s)
for _ in range(2500):
    raw = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 24)))
    cases.append(mangle(base64.b64encode(raw)))
for _ in range(500):
    cases.append(bytes(rnd.choice(alpha + b'=') for _ in range(rnd.randint(0, 12))))
for _ in range(300):
    cases.append(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 16))))
seen = set()
out = sys.stdout
out.write('# binascii.a2b_base64 of CPython %d.%d.%d: input hex, then ok and output hex, or error and the message\n' % sys.version_info[:3])
for c in cases:
    if c in seen:
        continue
    seen.add(c)
    try:
        r = binascii.a2b_base64(c)
        out.write('%s ok %s\n' % (c.hex() or '-', r.hex() or '-'))
    except binascii.Error as e:
        out.write('%s error %s\n' % (c.hex() or '-', e))
`

type atA2bCase struct {
	in, out []byte
	errText string
	isErr   bool
}

func atLoadA2bCorpus(t testing.TB) []atA2bCase {
	t.Helper()
	if os.Getenv("IMAPLIB_REGEN_A2B") == "1" {
		cmd := exec.Command("python3", "-c", atA2bGenerator)
		out, err := cmd.Output()
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(atA2bCorpus), 0o755))
		require.NoError(t, os.WriteFile(atA2bCorpus, out, 0o644))
	}
	fh, err := os.Open(atA2bCorpus)
	require.NoError(t, err)
	defer fh.Close()
	unhex := func(s string) []byte {
		if s == "-" {
			return []byte{}
		}
		b, err := hex.DecodeString(s)
		require.NoError(t, err)
		return b
	}
	var cases []atA2bCase
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, " ", 3)
		require.Len(t, f, 3, "corpus line %q", line)
		c := atA2bCase{in: unhex(f[0])}
		switch f[1] {
		case "ok":
			c.out = unhex(f[2])
		case "error":
			c.isErr, c.errText = true, f[2]
		default:
			t.Fatalf("corpus line %q", line)
		}
		cases = append(cases, c)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, cases)
	return cases
}

// TestA2bBase64MatchesCPython compares the decoder with every case of the
// corpus CPython generated.
func TestA2bBase64MatchesCPython(t *testing.T) {
	cases := atLoadA2bCorpus(t)
	bad := 0
	for _, c := range cases {
		got, err := a2bBase64(c.in)
		if c.isErr {
			if !assert.EqualError(t, err, c.errText, "a2b_base64(%q)", c.in) {
				bad++
			}
			continue
		}
		if !assert.NoError(t, err, "a2b_base64(%q)", c.in) || !assert.Equal(t, c.out, got, "a2b_base64(%q)", c.in) {
			bad++
		}
		if bad > 20 {
			t.Fatal("too many differences")
		}
	}
	t.Logf("%d cases compared with CPython's binascii.a2b_base64", len(cases))
}

// FuzzA2bBase64 checks the AUTHENTICATE challenge decoder: it never panics;
// on the CPython corpus its result is binascii's; it decodes what base64
// encodes; bytes outside the alphabet and "=" change nothing; and an error
// is one of binascii's two messages.
func FuzzA2bBase64(f *testing.F) {
	corpus := atLoadA2bCorpus(f)
	known := make(map[string]atA2bCase, len(corpus))
	for i, c := range corpus {
		known[string(c.in)] = c
		if i < 40 || i%32 == 0 { // a sample: TestA2bBase64MatchesCPython checks them all
			f.Add(c.in)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := a2bBase64(in)
		if c, ok := known[string(in)]; ok {
			if c.isErr {
				assert.EqualError(t, err, c.errText)
			} else if assert.NoError(t, err) {
				assert.Equal(t, c.out, got)
			}
		}
		if err != nil {
			msg := err.Error()
			if msg != "Incorrect padding" {
				assert.Regexp(t, `^Invalid base64-encoded string: number of data characters \(\d+\) cannot be 1 more than a multiple of 4$`, msg)
			}
		} else {
			assert.LessOrEqual(t, len(got), len(in)*3/4+1)
		}
		// Only the alphabet and "=" matter.
		var kept []byte
		for _, c := range in {
			if c == '=' || base64Value[c] != 0xff {
				kept = append(kept, c)
			}
		}
		got2, err2 := a2bBase64(kept)
		assert.Equal(t, fmt.Sprint(err), fmt.Sprint(err2))
		assert.Equal(t, got, got2)
		// What base64 encodes decodes back.
		enc := base64.StdEncoding.EncodeToString(in)
		dec, err := a2bBase64([]byte(enc))
		require.NoError(t, err)
		assert.Equal(t, in, dec)
	})
}
