#!/usr/bin/env python3
"""IKE_SA_INIT flood for test/interop/test_ikev2_cookie.sh (run in the client's namespace).

usage: ikev2flood.py HUB COUNT SECONDS SRC [SRC...]

Sends COUNT IKEv2 IKE_SA_INIT requests, evenly over about SECONDS, round robin from the
source addresses SRC (each configured locally, port 500 left to a real client). Each is one
the hub accepts: a random SPIi, one IKE proposal (AES-CBC-256, PRF and integrity SHA-256,
MODP-2048), a random KE of group 14 and a 32-byte nonce. The flood never sends IKE_AUTH, so
what the hub accepts stays half open; it never answers a COOKIE either, as a spoofed source
could not. Prints "sent N sa K cookie C other O": answers carrying an SA (a half-open SA
made), answers carrying only a COOKIE notify, anything else.
"""
import os
import select
import socket
import struct
import sys
import time


def payload(np, body):
    return struct.pack("!BBH", np, 0, 4 + len(body)) + body


def transform(last, ttype, tid, keylen=None):
    attr = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attr), ttype, 0, tid) + attr


def sa_init():
    trans = (transform(False, 1, 12, 256) + transform(False, 2, 5) + transform(False, 3, 12) +
             transform(True, 4, 14))
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(trans), 1, 1, 0, 4) + trans
    ke = struct.pack("!HH", 14, 0) + os.urandom(256)
    # SA -> KE (34) -> Nonce (40) -> none
    body = payload(34, prop) + payload(40, ke) + payload(0, os.urandom(32))
    hdr = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0,
                                                 28 + len(body))
    return hdr + body


def kind(msg):
    """'sa', 'cookie' or 'other' for an IKE_SA_INIT answer."""
    if len(msg) < 28:
        return "other"
    np, off, seen = msg[16], 28, []
    while np and off + 4 <= len(msg):
        nxt, _, ln = struct.unpack("!BBH", msg[off:off + 4])
        if ln < 4:
            break
        if np == 41 and ln >= 8 and struct.unpack("!H", msg[off + 6:off + 8])[0] == 16390:
            seen.append("cookie")
        seen.append(np)
        np, off = nxt, off + ln
    if 33 in seen:
        return "sa"
    return "cookie" if "cookie" in seen else "other"


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    hub, count, secs, srcs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
    socks = []
    for a in srcs:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a, 0))
        s.setblocking(False)
        socks.append(s)
    got = {"sa": 0, "cookie": 0, "other": 0}

    def drain(wait):
        end = time.monotonic() + wait
        while True:
            r, _, _ = select.select(socks, [], [], max(0.0, end - time.monotonic()))
            if not r:
                return
            for s in r:
                try:
                    got[kind(s.recv(4096))] += 1
                except BlockingIOError:
                    pass

    gap = secs / max(count, 1)
    for i in range(count):
        socks[i % len(socks)].sendto(sa_init(), (hub, 500))
        drain(gap)
    drain(1.0)
    print(f"sent {count} sa {got['sa']} cookie {got['cookie']} other {got['other']}")


if __name__ == "__main__":
    main()
