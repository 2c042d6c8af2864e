#!/usr/bin/env python3
"""A RADIUS server that misbehaves on purpose, for the client's checks (test_radius.sh).
It answers on PORT and PORT+2 alike (the hub configures the two as servers with different
message-authenticator settings). By User-Name and password:

  password "ma"    Access-Accept with a right Message-Authenticator
  password "noma"  Access-Accept without one (as FreeRADIUS 3.2.1 answers PAP)
  user "spoof"     the right Access-Accept, but only from another port and from 127.0.0.2:
                   never from where the request went
  user "junk"      junk first from the right address and port (3 bytes, another ID, a wrong
                   authenticator, a Length past the datagram), then the right Access-Accept

Every request and what was done is logged to LOGFILE, one line each.
usage: radius_fake.py PORT SECRET LOGFILE   (serves until killed)
"""
import hashlib
import hmac
import os
import select
import socket
import struct
import sys

port, secret, logname = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]


def attrs_of(pkt):
    out, off = {}, 20
    while off + 2 <= len(pkt) and pkt[off + 1] >= 2:
        out.setdefault(pkt[off], pkt[off + 2:off + pkt[off + 1]])
        off += pkt[off + 1]
    return out


def password(req):
    """RFC 2865 5.2, reversed"""
    hidden, prev, out = attrs_of(req).get(2, b""), req[4:20], b""
    for i in range(0, len(hidden), 16):
        md = hashlib.md5(secret + prev).digest()
        out += bytes(a ^ b for a, b in zip(hidden[i:i + 16], md))
        prev = hidden[i:i + 16]
    return out.rstrip(b"\0")


def accept(req, with_ma, code=2):
    body = bytes([18, 4]) + b"ok"
    if with_ma:
        body = bytes([80, 18]) + bytes(16) + body
    hdr = struct.pack("!BBH", code, req[1], 20 + len(body))
    if with_ma:
        ma = hmac.new(secret, hdr + req[4:20] + body, hashlib.md5).digest()
        body = bytes([80, 18]) + ma + body[18:]
    auth = hashlib.md5(hdr + req[4:20] + body + secret).digest()
    return hdr + auth + body


socks = []
for p in (port, port + 2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", p))
    socks.append(s)
other_port = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
other_port.bind(("127.0.0.1", 0))
other_addr = {}
for s in socks:
    o = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    o.bind(("127.0.0.2", s.getsockname()[1]))
    other_addr[s] = o

with open(logname, "a", buffering=1) as log:
    while True:
        ready, _, _ = select.select(socks, [], [])
        for s in ready:
            req, peer = s.recvfrom(4096)
            if len(req) < 20 or req[0] != 1:
                continue
            a = attrs_of(req)
            user, pw = a.get(1, b"").decode(errors="replace"), password(req)
            first_ma = len(req) >= 38 and req[20] == 80 and req[21] == 18
            what = "ma" if pw == b"ma" else "noma"
            good = accept(req, pw == b"ma")
            if user == "spoof":
                other_port.sendto(good, peer)
                other_addr[s].sendto(good, peer)
                what = "spoofed source only"
            elif user == "junk":
                s.sendto(b"\x02\x00\x00", peer)
                wrong_id = bytearray(good)
                wrong_id[1] ^= 0x55
                s.sendto(bytes(wrong_id), peer)
                s.sendto(good[:4] + os.urandom(16) + good[20:], peer)
                s.sendto(good[:2] + struct.pack("!H", len(good) + 40) + good[4:], peer)
                s.sendto(good, peer)
                what = "4 junk datagrams, then " + what
            else:
                s.sendto(good, peer)
            log.write("port %d user %s: %s (request Message-Authenticator first: %s)\n"
                      % (s.getsockname()[1], user, what, "yes" if first_ma else "no"))
