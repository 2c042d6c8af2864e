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
import select
import socket
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
from ikemsg import EXCH_AGGR, first_message


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
                s.sendto(first_message()[0], (hub, 500))
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
