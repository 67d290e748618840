"""CPython imaplib driver for the cross-client benchmark (imapbench).

Runs one workload against the benchmark server with the standard library's
imaplib and prints one JSON line: the time of the timed exchange, and the
count and check computed afterwards from what imaplib returned, which the
runner compares with the expected values.

    python3 driver_cpython.py -workload NAME -count N -size N -port N
"""

import argparse
import imaplib
import json
import re
import sys
import time


def message(size):
    """The benchmark message: letters in 76-character CRLF lines."""
    msg = bytearray((ord("a") + i % 26) for i in range(size))
    for i in range(76, size - 1, 78):
        msg[i] = 13
        msg[i + 1] = 10
    return bytes(msg)


def fetch_set(count):
    return "1" if count == 1 else "1:%d" % count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-workload", required=True)
    ap.add_argument("-count", type=int, required=True)
    ap.add_argument("-size", type=int, required=True)
    ap.add_argument("-port", type=int, required=True)
    a = ap.parse_args()
    out = {"client": "cpython-%d.%d.%d" % sys.version_info[:3], "seconds": 0.0, "count": 0, "check": 0}
    try:
        run(a, out)
    except Exception as e:  # the runner reports it
        out["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(out))
    sys.exit(1 if "error" in out else 0)


def run(a, out):
    M = imaplib.IMAP4("127.0.0.1", a.port)
    M.login("bench", "bench")
    M.select("INBOX")
    w = a.workload
    if w == "hostile":
        try:
            M.fetch("1", "(RFC822)")
        except (imaplib.IMAP4.error, OSError):
            out["count"] = 1
            return
        raise RuntimeError("the hostile literal was accepted")
    if w == "append":
        msg = message(a.size)
        start = time.perf_counter()
        for _ in range(a.count):
            typ, data = M.append("INBOX", None, None, msg)
            if typ != "OK":
                raise RuntimeError("APPEND answered %r %r" % (typ, data))
            out["count"] += 1
        out["seconds"] = time.perf_counter() - start
        m = re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0])
        out["check"] = int(m.group(1)) if m else 0
    else:
        start = time.perf_counter()
        if w in ("fetch-bulk", "fetch-large"):
            typ, data = M.fetch(fetch_set(a.count), "(RFC822)")
        elif w == "fetch-small":
            typ, data = M.fetch(fetch_set(a.count), "(FLAGS UID)")
        elif w == "search":
            typ, data = M.search(None, "ALL")
        else:
            raise RuntimeError("unknown workload " + w)
        out["seconds"] = time.perf_counter() - start
        if typ != "OK":
            raise RuntimeError("answered %r" % typ)
        if w in ("fetch-bulk", "fetch-large"):
            for d in data:
                if isinstance(d, tuple):
                    out["count"] += 1
                    out["check"] += len(d[1])
        elif w == "fetch-small":
            uid = re.compile(rb"UID (\d+)")
            for d in data:
                out["count"] += 1
                m = uid.search(d)
                out["check"] += int(m.group(1)) if m else 0
        else:
            nums = [int(n) for n in data[0].split()]
            out["count"] = len(nums)
            out["check"] = sum(nums)
    try:
        M.logout()
    except Exception:
        pass


if __name__ == "__main__":
    main()
