#!/usr/bin/env python3
"""Writes the method-family transcripts of the differential suite.

Every public IMAP4 command gets the same set of situations: success with
typical data, NO, BAD, a BYE in the middle, the server closing, unsolicited
data arriving meanwhile, and a call in a state the command is not allowed
in. The files are ordinary transcripts (see docs/compat.md) and are checked
in; run this script from testdata/compat to write them again after changing
the table below. Hand-written transcripts live beside them and are not
touched (the family files all start with "m-").
"""

import os

GREETING = [
    "S: * OK IMAP4rev1 ready",
    "C: TAG CAPABILITY",
    "S: * CAPABILITY IMAP4rev1 AUTH=PLAIN ENABLE UTF8=ACCEPT QUOTA ACL",
    "S: TAG OK CAPABILITY completed",
]
LOGIN = [
    "call: login('user', 'pass')",
    'C: TAG LOGIN user "pass"',
    "S: TAG OK LOGIN completed",
]
SELECT = [
    "call: select()",
    "C: TAG SELECT INBOX",
    "S: * 172 EXISTS",
    "S: * 1 RECENT",
    "S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "S: TAG OK [READ-WRITE] SELECT completed",
]

PREAMBLE = {
    "NONAUTH": GREETING,
    "AUTH": GREETING + LOGIN,
    "SELECTED": GREETING + LOGIN + SELECT,
}

# name, call, wire line, state it runs in, untagged data of a success,
# a state where it is refused (None: allowed everywhere), and whether a NO
# raises (login and friends) instead of being returned.
METHODS = [
    ("create", "create('Work/2024')", "CREATE Work/2024", "AUTH", [], "NONAUTH"),
    ("delete", "delete('Work')", "DELETE Work", "AUTH", [], "NONAUTH"),
    ("rename", "rename('Old', 'New')", "RENAME Old New", "AUTH", [], "NONAUTH"),
    ("subscribe", "subscribe('#news.comp.mail.mime')", "SUBSCRIBE #news.comp.mail.mime", "AUTH", [], "NONAUTH"),
    ("unsubscribe", "unsubscribe('#news.comp.mail.mime')", "UNSUBSCRIBE #news.comp.mail.mime", "AUTH", [], "NONAUTH"),
    ("list", "list('\"\"', '%')", 'LIST "" %',
     "AUTH", ['* LIST (\\Noselect) "/" ~/Mail/foo', '* LIST () "/" INBOX'], "NONAUTH"),
    ("lsub", "lsub()", 'LSUB "" *', "AUTH", ['* LSUB () "." #news.comp.mail.mime'], "NONAUTH"),
    ("status", "status('blurdybloop', '(UIDNEXT MESSAGES)')", "STATUS blurdybloop (UIDNEXT MESSAGES)",
     "AUTH", ["* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)"], "NONAUTH"),
    ("getacl", "getacl('INBOX')", "GETACL INBOX", "AUTH", ["* ACL INBOX Fred rwipsldexta"], "NONAUTH"),
    ("setacl", "setacl('INBOX', 'Fred', '+w')", "SETACL INBOX Fred +w", "AUTH", [], "NONAUTH"),
    ("deleteacl", "deleteacl('INBOX', 'Fred')", "DELETEACL INBOX Fred", "AUTH", [], "NONAUTH"),
    ("myrights", "myrights('INBOX')", "MYRIGHTS INBOX", "AUTH", ["* MYRIGHTS INBOX rwiptsldaex"], "NONAUTH"),
    ("getquota", "getquota('\"\"')", 'GETQUOTA ""', "AUTH", ['* QUOTA "" (STORAGE 10 512)'], "NONAUTH"),
    ("getquotaroot", "getquotaroot('INBOX')", "GETQUOTAROOT INBOX",
     "AUTH", ['* QUOTAROOT INBOX ""', '* QUOTA "" (STORAGE 10 512)'], "NONAUTH"),
    ("setquota", "setquota('\"\"', '(STORAGE 512)')", 'SETQUOTA "" (STORAGE 512)',
     "AUTH", ['* QUOTA "" (STORAGE 10 512)'], "NONAUTH"),
    ("getannotation", "getannotation('INBOX', '\"/comment\"', '\"value.priv\"')",
     'GETANNOTATION INBOX "/comment" "value.priv"',
     "AUTH", ['* ANNOTATION INBOX "/comment" ("value.priv" "My comment")'], "NONAUTH"),
    ("setannotation", "setannotation('INBOX', '\"/comment\"', '(\"value.priv\" \"new\")')",
     'SETANNOTATION INBOX "/comment" ("value.priv" "new")',
     "AUTH", ['* ANNOTATION INBOX "/comment" ("value.priv" "new")'], "NONAUTH"),
    ("namespace", "namespace()", "NAMESPACE", "AUTH", ['* NAMESPACE (("" "/")) NIL (("#shared/" "/"))'], "NONAUTH"),
    ("proxyauth", "proxyauth('fred')", "PROXYAUTH fred", "AUTH", [], "SELECTED"),
    ("xatom", "xatom('xcpfam', 'arg1', 'arg2')", "XCPFAM arg1 arg2", "AUTH", ["* XCPFAM some data"], None),
    ("check", "check()", "CHECK", "SELECTED", [], "AUTH"),
    ("close", "close()", "CLOSE", "SELECTED", [], "AUTH"),
    ("unselect", "unselect()", "UNSELECT", "SELECTED", [], "AUTH"),
    ("expunge", "expunge()", "EXPUNGE", "SELECTED", ["* 3 EXPUNGE", "* 3 EXPUNGE", "* 5 EXPUNGE", "* 8 EXPUNGE"], "AUTH"),
    ("fetch", "fetch('2:4', '(FLAGS INTERNALDATE)')", "FETCH 2:4 (FLAGS INTERNALDATE)", "SELECTED",
     ['* 2 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700")',
      '* 3 FETCH (FLAGS () INTERNALDATE "18-Jul-1996 02:44:25 -0700")'], "AUTH"),
    ("search", "search(None, 'FLAGGED', 'SINCE', '1-Feb-1994', 'NOT', 'FROM', '\"Smith\"')",
     'SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', "SELECTED", ["* SEARCH 2 84 882"], "AUTH"),
    ("search-charset", "search('UTF-8', 'SUBJECT', 'hello')", "SEARCH CHARSET UTF-8 SUBJECT hello",
     "SELECTED", ["* SEARCH 43"], "AUTH"),
    ("store", "store('2:4', '+FLAGS', '\\\\Deleted')", "STORE 2:4 +FLAGS (\\Deleted)", "SELECTED",
     ["* 2 FETCH (FLAGS (\\Deleted \\Seen))", "* 3 FETCH (FLAGS (\\Deleted))"], "AUTH"),
    ("store-parenthesised", "store('1', 'FLAGS.SILENT', '(\\\\Seen \\\\Flagged)')",
     "STORE 1 FLAGS.SILENT (\\Seen \\Flagged)", "SELECTED", [], "AUTH"),
    ("copy", "copy('2:4', 'MEETING')", "COPY 2:4 MEETING", "SELECTED", [], "AUTH"),
    ("partial", "partial('1', 'BODY[]', '0', '10')", "PARTIAL 1 BODY[] 0 10", "SELECTED",
     ["* 1 FETCH (BODY[]<0> {10}", "B: 0123456789", "S: )"], "AUTH"),
    ("sort", "sort('DATE', 'UTF-8', 'SUBJECT', 'hello')", "SORT (DATE) UTF-8 SUBJECT hello", "SELECTED",
     ["* SORT 2 84 882"], "AUTH"),
    ("sort-parenthesised", "sort('(REVERSE ARRIVAL)', 'US-ASCII', 'ALL')", "SORT (REVERSE ARRIVAL) US-ASCII ALL",
     "SELECTED", ["* SORT 5 3 4 1 2"], "AUTH"),
    ("thread", "thread('ORDEREDSUBJECT', 'UTF-8', 'SINCE', '5-MAR-2000')", "THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",
     "SELECTED", ["* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 (183)(182)(188)(184)(185)(186)(187)(189))"], "AUTH"),
    ("uid-fetch", "uid('fetch', '4827313:4828442', '(FLAGS)')", "UID FETCH 4827313:4828442 (FLAGS)", "SELECTED",
     ["* 23 FETCH (FLAGS (\\Seen) UID 4827313)", "* 24 FETCH (FLAGS (\\Seen) UID 4827943)"], "AUTH"),
    ("uid-search", "uid('SEARCH', 'UNSEEN')", "UID SEARCH UNSEEN", "SELECTED", ["* SEARCH 4827313 4827943"], "AUTH"),
    ("uid-copy", "uid('COPY', '4827313', 'Trash')", "UID COPY 4827313 Trash", "SELECTED",
     ["* 23 FETCH (UID 4827313)"], "AUTH"),
    ("uid-store", "uid('store', '4827313', '+FLAGS', '(\\\\Seen)')", "UID STORE 4827313 +FLAGS (\\Seen)", "SELECTED",
     ["* 23 FETCH (FLAGS (\\Seen) UID 4827313)"], "AUTH"),
    ("uid-sort", "uid('SORT', '(DATE)', 'UTF-8', 'ALL')", "UID SORT (DATE) UTF-8 ALL", "SELECTED",
     ["* SORT 4827313 4827943"], "AUTH"),
    ("uid-thread", "uid('THREAD', 'REFERENCES', 'UTF-8', 'ALL')", "UID THREAD REFERENCES UTF-8 ALL", "SELECTED",
     ["* THREAD (4827313 4827943)"], "AUTH"),
    ("noop", "noop()", "NOOP", "SELECTED", ["* 22 EXPUNGE", "* 23 EXISTS", "* 14 FETCH (FLAGS (\\Seen \\Deleted))"], None),
    ("capability", "capability()", "CAPABILITY", "AUTH", ["* CAPABILITY IMAP4rev1 AUTH=PLAIN SORT THREAD=REFERENCES"], None),
    ("login", "login('fred', 'secret word')", 'LOGIN fred "secret word"', "NONAUTH", [], "AUTH"),
    ("select-mailbox", "select('Lists/imap', False)", "SELECT Lists/imap", "AUTH",
     ["* 18 EXISTS", "* 2 RECENT", "* OK [UNSEEN 17] Message 17 is the first unseen message",
      "* OK [UIDVALIDITY 3857529045] UIDs valid"], "NONAUTH"),
    ("examine", "select('blurdybloop', True)", "EXAMINE blurdybloop", "AUTH",
     ["* 17 EXISTS", "* 2 RECENT", "* OK [PERMANENTFLAGS ()] No permanent flags permitted"], "NONAUTH"),
]

# How the server ends the command in each situation, and the debug level
# the situation is written at (so that every level is exercised).
SITUATIONS = [
    ("ok", 5, "S: TAG OK {NAME} completed"),
    ("no", 1, "S: TAG NO [CANNOT] {NAME} refused"),
    ("bad", 3, "S: TAG BAD [CLIENTBUG] {NAME} syntax"),
    ("bye", 4, "S: * BYE server going down"),
    ("eof", 1, None),
    ("extra", 4, "S: TAG OK done"),
]

# The situations in which noop() dumps untagged responses (debug 3 and up)
# with data CPython 3.9's dump cannot format.
NEEDS_310 = {("noop", "ok"), ("noop", "bad"), ("noop", "bye"), ("noop", "extra")}


def server_lines(lines):
    out = []
    for line in lines:
        if line.startswith(("S:", "B:", "C:")):
            out.append(line)
        else:
            out.append("S: " + line)
    return out


def write(name, comment, debug, body, pythons=None):
    with open("m-%s.txt" % name, "w") as f:
        f.write("# %s\n" % comment)
        f.write("# (written by make_families.py)\n")
        f.write("# profile: classic\n")
        if pythons:
            f.write("# pythons: %s\n" % pythons)
        f.write("# debug: %d\n" % debug)
        f.write("\n".join(body) + "\n")


def main():
    for method, call, wire, state, data, refused in METHODS:
        word = wire.split()[0]
        for situation, debug, ending in SITUATIONS:
            body = list(PREAMBLE[state])
            body.append("call: " + call)
            body.append("C: TAG " + wire)
            if situation == "ok":
                body += server_lines(data)
                body.append(ending.replace("{NAME}", word))
                comment = "%s succeeds with its usual data." % method
            elif situation == "extra":
                body += ["S: * 173 EXISTS", "S: * 2 RECENT"]
                body += server_lines(data)
                body += ["S: * OK [ALERT] unsolicited"]
                body.append(ending)
                body += ["call: response('EXISTS')", "call: recent()"]
                comment = "%s with unsolicited EXISTS, RECENT and an ALERT arriving meanwhile." % method
            elif situation == "eof":
                body += server_lines(data[:1]) if data and not data[0].startswith("B:") else []
                comment = "%s: the server closes before completing it." % method
            else:
                body.append(ending.replace("{NAME}", word))
                comment = {"no": "%s answered NO.", "bad": "%s answered BAD.",
                           "bye": "%s interrupted by a BYE."}[situation] % method
            # One more command shows the connection's state afterwards.
            # CAPABILITY rather than NOOP, whose debug dump CPython 3.9
            # cannot write for bytes data.
            body.append("call: capability()")
            if situation not in ("eof", "bye"):
                # After a BYE or EOF it is sent and fails; nothing to answer.
                body += ["C: TAG CAPABILITY", "S: * CAPABILITY IMAP4rev1 AFTER", "S: TAG OK done"]
            pythons = ">=3.10" if (method, situation) in NEEDS_310 else None
            write("%s-%s" % (method, situation), comment, debug, body, pythons)
        if refused:
            body = list(PREAMBLE[refused]) + ["call: " + call, "call: noop()", "C: TAG NOOP", "S: TAG OK done"]
            write("%s-state" % method, "%s refused in state %s before anything is sent." % (method, refused), 0, body)


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
