package imaplib

import (
	"bytes"
	"crypto/tls"
	"errors"
	"strings"
	"time"
)

// The public IMAP commands, one method per CPython method, in CPython's
// alphabetical order. Each returns CPython's (typ, data); see the package
// documentation for the shape of data and docs/porting.md for the names.

// errIndex is what Python raises (IndexError) when flags or sort criteria
// are an empty string and their first character is looked at.
var errIndex = errors.New("string index out of range")

// wrapParens puts s in parentheses unless it already is, as CPython does for
// flags and sort criteria.
func wrapParens(s string) (string, error) {
	if s == "" {
		return "", errIndex
	}
	if s[0] == '(' && s[len(s)-1] == ')' {
		return s, nil
	}
	return "(" + s + ")", nil
}

// Append mirrors append(mailbox, flags, date_time, message): it appends
// message to mailbox ("" means INBOX). flags "" and a dateTime of nil, "",
// 0 or the zero time.Time are left out, as Python leaves out false values.
// Line endings in message are normalised to CRLF.
func (m *IMAP4) Append(mailbox, flags string, dateTime any, message []byte) (string, [][]byte, error) {
	if mailbox == "" {
		mailbox = "INBOX"
	}
	args := []string{m.astr(mailbox)}
	if flags != "" {
		f, _ := wrapParens(flags)
		args = append(args, f)
	}
	if !isFalsy(dateTime) {
		d, err := Time2Internaldate(dateTime)
		if err != nil {
			return "", nil, err
		}
		args = append(args, d)
	}
	literal := normaliseCRLF(message)
	m.clearLiteral()
	if m.UTF8Enabled {
		if m.Compat.UTF8AppendRFC6855 {
			m.literalTail = []byte(")")
		} else {
			literal = append(append([]byte("UTF8 ("), literal...), ')')
		}
	}
	m.Literal = literal
	return m.simple("APPEND", args...)
}

// isFalsy reports the date values Python would treat as false.
func isFalsy(v any) bool {
	switch d := v.(type) {
	case nil:
		return true
	case string:
		return d == ""
	case int:
		return d == 0
	case int64:
		return d == 0
	case float64:
		return d == 0
	case time.Time:
		return d.IsZero()
	}
	return false
}

// normaliseCRLF turns every CR, LF or CRLF into CRLF, as CPython's
// MapCRLF.sub(CRLF, message) does. A message whose line endings are all
// CRLF already, as messages mostly are, is returned as it is, not copied;
// any other is rebuilt line by line with bytes.IndexByte, since APPEND runs
// this over every message it sends.
func normaliseCRLF(msg []byte) []byte {
	if msg == nil {
		// Python's message is bytes, never None: nil is b'', a literal of
		// zero bytes, and a pending literal must not be nil.
		return []byte{}
	}
	if crlfOnly(msg) {
		return msg
	}
	out := make([]byte, 0, len(msg)+len(msg)/32+2)
	for {
		i := bytes.IndexByte(msg, '\n')
		seg := msg
		if i >= 0 {
			seg = msg[:i]
			if len(seg) > 0 && seg[len(seg)-1] == '\r' {
				seg = seg[:len(seg)-1] // the CR of a CRLF
			}
		}
		for {
			j := bytes.IndexByte(seg, '\r')
			if j < 0 {
				out = append(out, seg...)
				break
			}
			out = append(append(out, seg[:j]...), '\r', '\n')
			seg = seg[j+1:]
		}
		if i < 0 {
			return out
		}
		out = append(out, '\r', '\n')
		msg = msg[i+1:]
	}
}

// crlfOnly reports whether every LF in msg follows a CR and every CR
// precedes a LF. The LFs that follow a CR account for as many distinct
// CRs, so it is enough that there are no other CRs.
func crlfOnly(msg []byte) bool {
	lfs := 0
	for i := 0; ; i++ {
		j := bytes.IndexByte(msg[i:], '\n')
		if j < 0 {
			break
		}
		i += j
		if i == 0 || msg[i-1] != '\r' {
			return false
		}
		lfs++
	}
	return bytes.Count(msg, []byte{'\r'}) == lfs
}

// Authenticate mirrors authenticate(mechanism, authobject). authobject
// receives each decoded challenge and returns the answer to encode; nil
// aborts the exchange (Python's None), an empty slice sends an empty line.
// A failure is an error carrying the server's text.
func (m *IMAP4) Authenticate(mechanism string, authobject func(challenge []byte) []byte) (string, [][]byte, error) {
	m.clearLiteral()
	m.literator = authenticator(authobject)
	typ, dat, err := m.simple("AUTHENTICATE", strings.ToUpper(mechanism))
	if err != nil {
		return "", nil, err
	}
	if typ != "OK" {
		return "", nil, newError(utf8Replace(dat[len(dat)-1]))
	}
	m.State = "AUTH"
	return typ, dat, nil
}

// Capability mirrors capability(). It does not update M.Capabilities.
func (m *IMAP4) Capability() (string, [][]byte, error) {
	return m.complete("CAPABILITY", "CAPABILITY")
}

// Check mirrors check().
func (m *IMAP4) Check() (string, [][]byte, error) { return m.simple("CHECK") }

// Close mirrors close(), the IMAP CLOSE command (not the end of the
// connection: see Logout and Exit). The state is AUTH afterwards, whatever
// happened.
func (m *IMAP4) Close() (string, [][]byte, error) {
	defer func() { m.State = "AUTH" }()
	return m.simple("CLOSE")
}

// Copy mirrors copy(message_set, new_mailbox).
func (m *IMAP4) Copy(messageSet, newMailbox string) (string, [][]byte, error) {
	return m.simple("COPY", messageSet, m.astr(newMailbox))
}

// Create mirrors create(mailbox).
func (m *IMAP4) Create(mailbox string) (string, [][]byte, error) {
	return m.simple("CREATE", m.astr(mailbox))
}

// Delete mirrors delete(mailbox).
func (m *IMAP4) Delete(mailbox string) (string, [][]byte, error) {
	return m.simple("DELETE", m.astr(mailbox))
}

// DeleteACL mirrors deleteacl(mailbox, who).
func (m *IMAP4) DeleteACL(mailbox, who string) (string, [][]byte, error) {
	return m.simple("DELETEACL", m.astr(mailbox), m.astr(who))
}

// Enable mirrors enable(capability). Enabling UTF8=ACCEPT switches the
// connection to UTF-8 mode.
func (m *IMAP4) Enable(capability string) (string, [][]byte, error) {
	if !m.hasCapability("ENABLE") {
		return "", nil, newError("Server does not support ENABLE")
	}
	typ, data, err := m.simple("ENABLE", capability)
	if err != nil {
		return "", nil, err
	}
	if typ == "OK" && strings.Contains(strings.ToUpper(capability), "UTF8=ACCEPT") {
		m.UTF8Enabled = true
	}
	return typ, data, nil
}

// Expunge mirrors expunge(): data lists the expunged message numbers.
func (m *IMAP4) Expunge() (string, [][]byte, error) {
	return m.complete("EXPUNGE", "EXPUNGE")
}

// Fetch mirrors fetch(message_set, message_parts).
func (m *IMAP4) Fetch(messageSet, messageParts string) (string, [][]byte, error) {
	return m.complete("FETCH", "FETCH", messageSet, messageParts)
}

// GetACL mirrors getacl(mailbox).
func (m *IMAP4) GetACL(mailbox string) (string, [][]byte, error) {
	return m.complete("ACL", "GETACL", m.astr(mailbox))
}

// GetAnnotation mirrors getannotation(mailbox, entry, attribute).
func (m *IMAP4) GetAnnotation(mailbox, entry, attribute string) (string, [][]byte, error) {
	return m.complete("ANNOTATION", "GETANNOTATION", m.astr(mailbox), m.qstring(entry), m.qstring(attribute))
}

// GetQuota mirrors getquota(root).
func (m *IMAP4) GetQuota(root string) (string, [][]byte, error) {
	return m.complete("QUOTA", "GETQUOTA", m.astr(root))
}

// GetQuotaRoot mirrors getquotaroot(mailbox), whose Python data is the
// nested [quotaroot, quota]: the two lists are returned separately.
func (m *IMAP4) GetQuotaRoot(mailbox string) (typ string, quotaroot, quota [][]byte, err error) {
	typ, dat, err := m.simple("GETQUOTAROOT", m.astr(mailbox))
	if err != nil {
		return "", nil, nil, err
	}
	typ, quota, _ = m.untaggedResponse(typ, dat, "QUOTA")
	typ, quotaroot, _ = m.untaggedResponse(typ, dat, "QUOTAROOT")
	return typ, quotaroot, quota, nil
}

// List mirrors list(directory='""', pattern='*'); "" selects each default.
func (m *IMAP4) List(directory, pattern string) (string, [][]byte, error) {
	return m.listCommand("LIST", directory, pattern)
}

func (m *IMAP4) listCommand(name, directory, pattern string) (string, [][]byte, error) {
	if directory == "" {
		directory = `""`
	}
	if pattern == "" {
		pattern = "*"
	}
	return m.complete(name, name, m.astr(directory), m.listMailbox(pattern))
}

// Login mirrors login(user, password). The password is always sent quoted.
// A refusal is an error with the server's text: in the classic profile the
// repr of its bytes, as CPython 3.13.0 shows it.
func (m *IMAP4) Login(user, password string) (string, [][]byte, error) {
	typ, dat, err := m.simple("LOGIN", m.astr(user), pyQuote(password))
	if err != nil {
		return "", nil, err
	}
	if typ != "OK" {
		last := dat[len(dat)-1]
		if m.Compat.LoginErrorAsText {
			return "", nil, newError(utf8Replace(last))
		}
		return "", nil, newError(bytesRepr(last))
	}
	m.State = "AUTH"
	return typ, dat, nil
}

// LoginCRAMMD5 mirrors login_cram_md5(user, password).
func (m *IMAP4) LoginCRAMMD5(user, password string) (string, [][]byte, error) {
	return m.Authenticate("CRAM-MD5", cramMD5(user, password))
}

// Logout mirrors logout(): the state becomes LOGOUT first, and the
// connection is shut down after the reply, usually the server's BYE.
func (m *IMAP4) Logout() (string, [][]byte, error) {
	m.State = "LOGOUT"
	typ, dat, err := m.simple("LOGOUT")
	if err != nil {
		return "", nil, err
	}
	m.Shutdown()
	return typ, dat, nil
}

// Lsub mirrors lsub(directory='""', pattern='*'); "" selects each default.
func (m *IMAP4) Lsub(directory, pattern string) (string, [][]byte, error) {
	return m.listCommand("LSUB", directory, pattern)
}

// MyRights mirrors myrights(mailbox).
func (m *IMAP4) MyRights(mailbox string) (string, [][]byte, error) {
	return m.complete("MYRIGHTS", "MYRIGHTS", m.astr(mailbox))
}

// Namespace mirrors namespace().
func (m *IMAP4) Namespace() (string, [][]byte, error) {
	return m.complete("NAMESPACE", "NAMESPACE")
}

// Noop mirrors noop(). At debug level 3 and up it first dumps the stored
// untagged responses.
func (m *IMAP4) Noop() (string, [][]byte, error) {
	if m.Debug >= 3 {
		m.dumpUR()
	}
	return m.simple("NOOP")
}

// Partial mirrors partial(message_num, message_part, start, length), the
// obsolete IMAP2bis command.
func (m *IMAP4) Partial(messageNum, messagePart, start, length string) (string, [][]byte, error) {
	return m.complete("FETCH", "PARTIAL", messageNum, messagePart, start, length)
}

// ProxyAuth mirrors proxyauth(user).
func (m *IMAP4) ProxyAuth(user string) (string, [][]byte, error) {
	return m.simple("PROXYAUTH", m.astr(user))
}

// Recent mirrors recent(): stored RECENT data if any (CPython treats b'0' as
// data), otherwise the RECENT data a NOOP brings.
func (m *IMAP4) Recent() (string, [][]byte, error) {
	typ, dat, _ := m.untaggedResponse("OK", [][]byte{nil}, "RECENT")
	if last := dat[len(dat)-1]; len(last) > 0 {
		return typ, dat, nil
	}
	typ, dat, err := m.Noop()
	if err != nil {
		return "", nil, err
	}
	return m.untaggedResponse(typ, dat, "RECENT")
}

// Rename mirrors rename(oldmailbox, newmailbox).
func (m *IMAP4) Rename(oldMailbox, newMailbox string) (string, [][]byte, error) {
	return m.simple("RENAME", m.astr(oldMailbox), m.astr(newMailbox))
}

// Response mirrors response(code): it pops the stored data for the
// upper-cased code; typ is code as given.
func (m *IMAP4) Response(code string) (string, [][]byte, error) {
	return m.untaggedResponse(code, [][]byte{nil}, strings.ToUpper(code))
}

// Search mirrors search(charset, *criteria); charset "" means None.
func (m *IMAP4) Search(charset string, criteria ...string) (string, [][]byte, error) {
	crit := m.criteria(criteria)
	if charset != "" {
		if m.UTF8Enabled {
			return "", nil, newError("Non-None charset not valid in UTF8 mode")
		}
		crit = append([]string{"CHARSET", m.astr(charset)}, crit...)
	}
	return m.complete("SEARCH", "SEARCH", crit...)
}

// Select mirrors select(mailbox='INBOX', readonly=False); mailbox ""
// selects INBOX, and readonly sends EXAMINE. It clears every stored
// untagged response first; on success data is the EXISTS count, and the
// rest of the SELECT data stays available to Response.
func (m *IMAP4) Select(mailbox string, readonly bool) (string, [][]byte, error) {
	if mailbox == "" {
		mailbox = "INBOX"
	}
	m.UntaggedResponses = map[string][][]byte{}
	m.urOrder = m.urOrder[:0]
	m.IsReadonly = readonly
	name := "SELECT"
	if readonly {
		name = "EXAMINE"
	}
	typ, dat, err := m.simple(name, m.astr(mailbox))
	if err != nil {
		return "", nil, err
	}
	if typ != "OK" {
		m.State = "AUTH"
		return typ, dat, nil
	}
	m.State = "SELECTED"
	if _, ok := m.UntaggedResponses["READ-ONLY"]; ok && !readonly {
		if m.Debug >= 1 {
			m.dumpUR()
		}
		return "", nil, newReadonly(mailbox + " is not writable")
	}
	if exists, ok := m.UntaggedResponses["EXISTS"]; ok {
		return typ, exists, nil
	}
	return typ, [][]byte{nil}, nil
}

// SetACL mirrors setacl(mailbox, who, what).
func (m *IMAP4) SetACL(mailbox, who, what string) (string, [][]byte, error) {
	return m.simple("SETACL", m.astr(mailbox), m.astr(who), m.astr(what))
}

// SetAnnotation mirrors setannotation(*args); the arguments go out as
// written.
func (m *IMAP4) SetAnnotation(args ...string) (string, [][]byte, error) {
	return m.complete("ANNOTATION", "SETANNOTATION", nonEmpty(args)...)
}

// SetQuota mirrors setquota(root, limits).
func (m *IMAP4) SetQuota(root, limits string) (string, [][]byte, error) {
	return m.complete("QUOTA", "SETQUOTA", m.astr(root), limits)
}

// Sort mirrors sort(sort_criteria, charset, *search_criteria); the sort
// criteria are parenthesised unless they already are; charset "" is None.
func (m *IMAP4) Sort(sortCriteria, charset string, searchCriteria ...string) (string, [][]byte, error) {
	crit, err := wrapParens(sortCriteria)
	if err != nil {
		return "", nil, err
	}
	args := []string{crit}
	if charset != "" {
		args = append(args, m.astr(charset))
	}
	return m.complete("SORT", "SORT", append(args, m.criteria(searchCriteria)...)...)
}

// StartTLS mirrors starttls(ssl_context=None). A nil config verifies the
// server against the system roots and M.Host (CPython verifies nothing by
// default: see docs/porting.md). Bytes the server sent after its OK, before
// the handshake, are discarded.
func (m *IMAP4) StartTLS(sslContext *tls.Config) (string, [][]byte, error) {
	if m.tlsOn {
		return "", nil, newAbort("TLS session already established")
	}
	if !m.hasCapability("STARTTLS") {
		return "", nil, newAbort("TLS not supported by server")
	}
	starter, ok := m.Transport.(tlsStarter)
	if !ok {
		return "", nil, errors.New("imaplib: STARTTLS needs a transport with a socket")
	}
	typ, dat, err := m.simple("STARTTLS")
	if err != nil {
		return "", nil, err
	}
	if typ != "OK" {
		return "", nil, newError("Couldn't establish TLS session")
	}
	if err := starter.StartTLS(clientTLSConfig(sslContext, m.Host)); err != nil {
		return "", nil, err
	}
	m.tlsOn = true
	if err := m.getCapabilities(); err != nil {
		return "", nil, err
	}
	return m.untaggedResponse(typ, dat, "STARTTLS")
}

// clientTLSConfig is the configuration a TLS client uses: a copy of the
// caller's (or a verifying default), with ServerName filled from the host
// as Python passes server_hostname=host.
func clientTLSConfig(c *tls.Config, host string) *tls.Config {
	if c == nil {
		c = &tls.Config{}
	} else {
		c = c.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	return c
}

// Status mirrors status(mailbox, names).
func (m *IMAP4) Status(mailbox, names string) (string, [][]byte, error) {
	return m.complete("STATUS", "STATUS", m.astr(mailbox), names)
}

// Store mirrors store(message_set, command, flags); flags are
// parenthesised unless they already are.
func (m *IMAP4) Store(messageSet, command, flags string) (string, [][]byte, error) {
	f, err := wrapParens(flags)
	if err != nil {
		return "", nil, err
	}
	return m.complete("FETCH", "STORE", messageSet, command, f)
}

// Subscribe mirrors subscribe(mailbox).
func (m *IMAP4) Subscribe(mailbox string) (string, [][]byte, error) {
	return m.simple("SUBSCRIBE", m.astr(mailbox))
}

// Thread mirrors thread(threading_algorithm, charset, *search_criteria);
// charset "" is None.
func (m *IMAP4) Thread(threadingAlgorithm, charset string, searchCriteria ...string) (string, [][]byte, error) {
	args := []string{threadingAlgorithm}
	if charset != "" {
		args = append(args, m.astr(charset))
	}
	return m.complete("THREAD", "THREAD", append(args, m.criteria(searchCriteria)...)...)
}

// UID mirrors uid(command, *args): command runs with UIDs instead of
// message numbers. As in CPython, data is the untagged SEARCH, SORT or
// THREAD data for those commands and the untagged FETCH data for every
// other, COPY and MOVE included. An empty arg is None and is skipped.
func (m *IMAP4) UID(command string, args ...string) (string, [][]byte, error) {
	command = strings.ToUpper(command)
	if _, ok := Commands.States(command); !ok {
		return "", nil, newError("Unknown IMAP4 UID command: " + command)
	}
	if err := m.checkState(command); err != nil {
		return "", nil, err
	}
	key := "FETCH"
	switch command {
	case "SEARCH", "SORT", "THREAD":
		key = command
	}
	return m.complete(key, "UID", append([]string{command}, m.uidArgs(command, args)...)...)
}

// uidArgs shapes the arguments of a UID command as the command itself
// shapes them.
func (m *IMAP4) uidArgs(command string, args []string) []string {
	args = nonEmpty(args)
	if !m.Compat.QuoteArguments || len(args) == 0 {
		return args
	}
	switch command {
	case "COPY", "MOVE":
		if len(args) >= 2 {
			args[1] = m.astr(args[1])
		}
	case "SEARCH":
		return m.criteria(args)
	case "SORT", "THREAD":
		if len(args) >= 2 {
			return append(append([]string{}, args[:2]...), m.criteria(args[2:])...)
		}
	}
	return args
}

// Unselect mirrors unselect(); the state is AUTH afterwards, whatever
// happened.
func (m *IMAP4) Unselect() (string, [][]byte, error) {
	defer func() { m.State = "AUTH" }()
	return m.simple("UNSELECT")
}

// Unsubscribe mirrors unsubscribe(mailbox).
func (m *IMAP4) Unsubscribe(mailbox string) (string, [][]byte, error) {
	return m.simple("UNSUBSCRIBE", m.astr(mailbox))
}

// XAtom mirrors xatom(name, *args): an extension command. As in CPython, an
// unknown name is registered in Commands, for every connection, as legal
// in the current state only. Arguments go out as written.
func (m *IMAP4) XAtom(name string, args ...string) (string, [][]byte, error) {
	name = strings.ToUpper(name)
	Commands.registerIfAbsent(name, m.State)
	return m.simple(name, nonEmpty(args)...)
}
