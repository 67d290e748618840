#!/usr/bin/env python3
"""CPython side of the live-server comparison (dovecot_cpython_test.go).

Plays one scripted imaplib session against a real IMAP server and prints,
as one JSON document on stdout, what every call did. The Go test plays the
same plan through the port and compares the two records.

The plan arrives as JSON on stdin (or from the file named as the only
argument):

    {"host": "127.0.0.1", "port": 143, "timeout": 10.0,
     "steps": [{"op": "connect", "args": []},
               {"op": "login", "args": ["user", "password"]},
               {"op": "select", "args": ["INBOX", true]}, ...]}

"connect" opens a new imaplib.IMAP4(host, port, timeout); "register" sets
imaplib.Commands[NAME] to the states that follow the name (the Go side may
already know a command that xatom would otherwise register); every other
op is the name of an IMAP4 method, called with the arguments as given.
Arguments are JSON null (None), strings, integers, booleans, or
{"b": BASE64} for bytes.

The answer:

    {"python": "3.13.0 ...", "results": [STEP, ...]}

with, for each step:

    "typ"        the first element of the returned tuple, or null
    "data"       the second, flattened: a (header, literal) tuple becomes
                 its two elements in order; nested lists (getquotaroot)
                 stay lists; bytes are {"b": BASE64}, None is null
    "error"      null, or {"class": "error" | "abort" | "readonly" | the
                 Python exception's type name, "text": str(exception)}
    "state", "is_readonly", "utf8_enabled"
                 the connection's attributes after the call
    "untagged"   untagged_responses after the call, each list flattened
    "extra"      for connect: welcome, capabilities and PROTOCOL_VERSION
"""

import base64
import imaplib
import json
import sys


def to_arg(value):
    """Turns a JSON plan argument into the Python value to pass."""
    if isinstance(value, dict) and "b" in value:
        return base64.b64decode(value["b"])
    return value


def enc(value):
    """Encodes one datum of a result for JSON."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return {"b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, str):
        return {"s": value}
    if isinstance(value, (list, tuple)):
        return flatten(value)
    return {"repr": repr(value)}


def flatten(data):
    """A result list with each (header, literal) pair spread into two."""
    out = []
    for item in data:
        if isinstance(item, tuple):
            out.extend(enc(part) for part in item)
        else:
            out.append(enc(item))
    return out


def error_class(exc):
    """The imaplib exception class, most specific first."""
    if isinstance(exc, imaplib.IMAP4.readonly):
        return "readonly"
    if isinstance(exc, imaplib.IMAP4.abort):
        return "abort"
    if isinstance(exc, imaplib.IMAP4.error):
        return "error"
    return type(exc).__name__


def snapshot(conn):
    """The attributes compared after every step."""
    if conn is None:
        return {"state": None, "is_readonly": None, "utf8_enabled": None, "untagged": {}}
    return {
        "state": conn.state,
        "is_readonly": conn.is_readonly,
        "utf8_enabled": conn.utf8_enabled,
        "untagged": {k: flatten(v) for k, v in conn.untagged_responses.items()},
    }


def play(plan):
    conn = None
    results = []
    for step in plan["steps"]:
        op = step["op"]
        args = [to_arg(a) for a in step.get("args", [])]
        rec = {"typ": None, "data": None, "error": None, "extra": None}
        try:
            if op == "register":
                imaplib.Commands[args[0]] = tuple(args[1:])
            elif op == "connect":
                conn = imaplib.IMAP4(plan["host"], plan["port"], plan.get("timeout"))
                rec["extra"] = {
                    "welcome": enc(conn.welcome),
                    "capabilities": list(conn.capabilities),
                    "protocol": conn.PROTOCOL_VERSION,
                }
            else:
                typ, data = getattr(conn, op)(*args)
                rec["typ"] = typ
                rec["data"] = enc(data)
        except Exception as exc:  # every failure is a result to compare
            rec["error"] = {"class": error_class(exc), "text": str(exc)}
        rec.update(snapshot(conn))
        results.append(rec)
    return results


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            plan = json.load(f)
    else:
        plan = json.load(sys.stdin)
    out = {"python": sys.version, "results": play(plan)}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
