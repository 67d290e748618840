#!/usr/bin/env python3
"""Client side of the differential suite (compat_test.go).

One long-lived process per interpreter: it reads one JSON request per line on
stdin and answers with one JSON line on stdout. A request either asks who we
are ({"op": "hello"}) or carries sessions to play against loopback servers
that the Go test runs ({"op": "run", "sessions": [...]}).

A session is:
    {"port": 12345,              # the scripted server, on 127.0.0.1
     "calls": ["login('u', 'p')", ...],   # Python expressions on M
     "debug": 4,                 # imaplib.Debug for the connection
     "maxline": 10,              # optional imaplib._MAXLINE override
     "timeout": 10.0,            # socket timeout of the connection
     "tagpre_number": 40000}     # optional: the number Int2AP turns into
                                 # the tag prefix, so that CPython uses
                                 # the same prefix as the port did

The answer for a session records, for the constructor and for every call,
the return value or the exception, the attributes the suite compares, and
the debug output that step wrote. Values travel as small JSON trees:
    null                None
    {"b": "..."}        bytes, as a latin-1 string (lossless)
    {"s": "..."}        str
    {"t": [...]}        tuple
    [...]               list
    {"d": [[k, v]...]}  dict, in insertion order
    true/false, numbers as themselves
"""

import io
import json
import socket
import sys
import traceback

import imaplib


def encode(value):
    """Turns a Python value into the JSON tree described above."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"b": bytes(value).decode("latin-1")}
    if isinstance(value, str):
        return {"s": value}
    if isinstance(value, tuple):
        return {"t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    return {"repr": repr(value), "type": type(value).__name__}


def exception_class(exc):
    """Names an exception the way the suite compares it with Go errors."""
    if isinstance(exc, imaplib.IMAP4.readonly):
        return "readonly"
    if isinstance(exc, imaplib.IMAP4.abort):
        return "abort"
    if isinstance(exc, imaplib.IMAP4.error):
        return "error"
    # socket.timeout is TimeoutError from 3.10 on, its own class before.
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "TimeoutError"
    if isinstance(exc, OSError):
        return type(exc).__name__
    # The port returns plain Go errors where CPython raises ValueError or
    # one of its subclasses (binascii.Error, UnicodeEncodeError).
    if isinstance(exc, ValueError):
        return "ValueError"
    return type(exc).__name__


def describe_exception(exc):
    return {"cls": exception_class(exc), "msg": str(exc),
            "os": isinstance(exc, OSError)}


def attributes(M):
    """The connection attributes compared after every step."""
    return {
        "state": encode(getattr(M, "state", None)),
        "capabilities": encode(getattr(M, "capabilities", None)),
        "untagged": encode(getattr(M, "untagged_responses", None)),
        "welcome": encode(getattr(M, "welcome", None)),
        "protocol": encode(getattr(M, "PROTOCOL_VERSION", None)),
        "tagnum": encode(getattr(M, "tagnum", None)),
        "readonly": encode(getattr(M, "is_readonly", None)),
        "utf8": encode(getattr(M, "utf8_enabled", None)),
        "continuation": encode(getattr(M, "continuation_response", None)),
        "tagpre": encode(getattr(M, "tagpre", None)),
    }


def rounds(*answers):
    """An authenticate callback giving one answer per challenge, in order;
    past the last answer it keeps giving the last one."""
    state = {"i": 0}

    def callback(challenge):
        i = min(state["i"], len(answers) - 1)
        state["i"] += 1
        return answers[i]
    return callback


def echo(challenge):
    """An authenticate callback that answers with the challenge itself."""
    return challenge


CALLBACKS = {"rounds": rounds, "echo": echo}


class Capture(io.StringIO):
    """Stands in for sys.stderr while a session runs; imaplib looks
    sys.stderr up on every debug message, so swapping it is enough."""


class FixedRandom:
    """Stands in for the random module inside imaplib for one session, so
    that the tag prefix is the one the suite asks for."""

    def __init__(self, number):
        self.number = number

    def randint(self, a, b):
        return self.number


def run_session(req):
    saved_random = imaplib.random
    saved_debug = imaplib.Debug
    saved_maxline = imaplib._MAXLINE
    saved_commands = dict(imaplib.Commands)
    saved_stderr = sys.stderr
    capture = Capture()
    out = {"connect": None, "calls": []}
    M = None
    try:
        imaplib.Debug = int(req.get("debug", 0))
        if req.get("maxline"):
            imaplib._MAXLINE = int(req["maxline"])
        if req.get("tagpre_number"):
            imaplib.random = FixedRandom(int(req["tagpre_number"]))
        sys.stderr = capture
        step = {"call": "IMAP4()"}
        try:
            M = imaplib.IMAP4("127.0.0.1", int(req["port"]),
                              float(req.get("timeout", 10.0)))
        except Exception as exc:
            step["exc"] = describe_exception(exc)
        else:
            step["attrs"] = attributes(M)
        step["debug"] = capture.getvalue()
        capture.seek(0)
        capture.truncate()
        out["connect"] = step
        if M is not None:
            namespace = dict(CALLBACKS)
            namespace["M"] = M
            for call in req.get("calls") or []:
                step = {"call": call}
                try:
                    value = eval("M." + call, namespace)
                except Exception as exc:
                    step["exc"] = describe_exception(exc)
                else:
                    step["ret"] = encode(value)
                step["attrs"] = attributes(M)
                step["debug"] = capture.getvalue()
                capture.seek(0)
                capture.truncate()
                out["calls"].append(step)
    finally:
        sys.stderr = saved_stderr
        imaplib.random = saved_random
        imaplib.Debug = saved_debug
        imaplib._MAXLINE = saved_maxline
        imaplib.Commands.clear()
        imaplib.Commands.update(saved_commands)
        if M is not None:
            try:
                M.shutdown()
            except Exception:
                pass
    return out


def hello():
    return {"python": "%d.%d.%d" % sys.version_info[:3],
            "imaplib": getattr(imaplib, "__version__", ""),
            "debug_enabled": __debug__}


def main():
    # Debug output must never reach the real stdout, which carries answers.
    stdout = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = None
        try:
            req = json.loads(line)
            if req.get("op") == "hello":
                answer = hello()
            elif req.get("op") == "run":
                answer = {"results": [run_session(s)
                                      for s in req.get("sessions", [])]}
            else:
                answer = {"fatal": "unknown op %r" % req.get("op")}
        except Exception:
            answer = {"fatal": traceback.format_exc()}
        answer["id"] = req.get("id") if isinstance(req, dict) else None
        stdout.write(json.dumps(answer, ensure_ascii=True) + "\n")
        stdout.flush()


if __name__ == "__main__":
    main()
