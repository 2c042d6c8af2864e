#!/usr/bin/env python3
"""Half-open IKE flood for test/interop/test_badinput.sh (run in the client's namespace).

usage: ikeflood.py HUB COUNT SECONDS SRC [SRC...]

Sends COUNT aggressive mode first messages, evenly over about SECONDS, round robin from the
source addresses SRC (each must be configured locally). Every message is one a hub would
accept: a random initiator cookie, an SA with one transform that the seed configuration's
isakmp policy 1 matches (3DES, SHA1, XAUTHInitPreShared, MODP-1024), a random 128-byte KE, a
20-byte nonce and the identity KEY_ID "group1". The flood never sends message 3, so every
exchange the hub accepts stays half-open until the hub times it out.
Prints how many were sent and how many answers (aggressive mode message 2) came back.
"""
import os
import select
import socket
import struct
import sys
import time

NP_NONE, NP_SA, NP_P, NP_T, NP_KE, NP_ID, NP_NONCE = 0, 1, 2, 3, 4, 5, 10
EXCH_AGGR = 4


def payload(np, body):
    return struct.pack("!BBH", np, 0, 4 + len(body)) + body


def tv(attr, value):
    return struct.pack("!HH", 0x8000 | attr, value)


def first_message(group=b"group1"):
    attrs = (tv(1, 5)          # encryption: 3DES-CBC
             + tv(2, 2)        # hash: SHA
             + tv(3, 65001)    # authentication: XAUTHInitPreShared
             + tv(4, 2)        # group: MODP-1024
             + tv(11, 1)       # life type: seconds
             + tv(12, 28800))  # life duration
    transform = payload(NP_NONE, struct.pack("!BBH", 1, 1, 0) + attrs)   # #1, KEY_IKE
    proposal = payload(NP_NONE, struct.pack("!BBBB", 1, 1, 0, 1) + transform)   # ISAKMP, 1 tr.
    sa = payload(NP_KE, struct.pack("!II", 1, 1) + proposal)   # DOI IPsec, identity only
    ke = payload(NP_NONCE, os.urandom(128))
    nonce = payload(NP_ID, os.urandom(20))
    ident = payload(NP_NONE, struct.pack("!BBH", 11, 17, 500) + group)   # ID_KEY_ID, UDP 500
    body = sa + ke + nonce + ident
    hdr = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", NP_SA, 0x10, EXCH_AGGR, 0, 0,
                                                 28 + len(body))
    return hdr + body


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    hub, count, secs, srcs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
    socks = []
    for a in srcs:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a, 0))   # not 500: a real client in this namespace may hold it
        s.setblocking(False)
        socks.append(s)
    answers = 0

    def drain(wait):
        nonlocal answers
        end = time.monotonic() + wait
        while True:
            r, _, _ = select.select(socks, [], [], max(0.0, end - time.monotonic()))
            if not r:
                return
            for s in r:
                try:
                    while True:
                        d = s.recv(65535)
                        if len(d) >= 28 and d[18] == EXCH_AGGR and any(d[8:16]):
                            answers += 1
                except BlockingIOError:
                    pass

    t0 = time.monotonic()
    batch = 20
    for i in range(count):
        s = socks[i % len(socks)]
        while True:
            try:
                s.sendto(first_message(), (hub, 500))
                break
            except BlockingIOError:
                drain(0.001)
        if i % batch == batch - 1:
            # pace to SECONDS in total, reading answers meanwhile
            due = t0 + secs * (i + 1) / count
            drain(max(0.0, due - time.monotonic()))
    drain(1.0)   # answers to the last messages (each costs the hub a DH computation)
    dt = time.monotonic() - t0
    print(f"ikeflood: sent {count} aggressive mode first messages from {len(srcs)} address(es) "
          f"in {dt:.1f} s, {answers} answered")


if __name__ == "__main__":
    main()
