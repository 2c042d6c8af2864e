#!/usr/bin/env python3
"""Stand-in for syslogd, journald and a remote syslog server, for test_logging.sh.

loglisten.py DIR PORT: binds DIR/devlog and DIR/journal (unix datagram) and UDP 127.0.0.1:PORT,
and appends what arrives to DIR/syslog.log, DIR/journal.log and DIR/udp.log, one datagram a
line. A journal datagram (native protocol, binary values included) becomes one JSON object.
Stops after 300 s at most.
"""
import json
import os
import select
import socket
import struct
import sys
import time


def journal_fields(d):
    out, i = {}, 0
    while i < len(d):
        nl = d.index(b"\n", i)
        line = d[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:   # KEY \n le64 length, the bytes, \n
            k = line
            (n,) = struct.unpack("<Q", d[nl + 1:nl + 9])
            v = d[nl + 9:nl + 9 + n]
            if d[nl + 9 + n:nl + 10 + n] != b"\n":
                raise ValueError("binary field without its newline")
            i = nl + 10 + n
        out[k.decode()] = v.decode(errors="replace")
    return out


def main():
    top, port = sys.argv[1], int(sys.argv[2])
    socks = {}
    for name in ("devlog", "journal"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        path = os.path.join(top, name)
        s.bind(path)
        socks[s] = name
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", port))
    socks[u] = "udp"
    files = {n: open(os.path.join(top, {"devlog": "syslog", "journal": "journal",
                                         "udp": "udp"}[n] + ".log"), "a", buffering=1)
             for n in socks.values()}
    open(os.path.join(top, "listening"), "w").close()
    end = time.time() + 300
    while time.time() < end:
        r, _, _ = select.select(list(socks), [], [], 1)
        for s in r:
            d = s.recv(65536)
            name = socks[s]
            if name == "journal":
                try:
                    files[name].write(json.dumps(journal_fields(d)) + "\n")
                except (ValueError, struct.error) as e:
                    files[name].write(json.dumps({"BAD": str(e)}) + "\n")
            else:
                files[name].write(d.decode(errors="replace").replace("\n", "\\n") + "\n")


main()
