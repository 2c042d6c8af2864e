#!/usr/bin/env python3
"""XAUTH-state flood for test/interop/test_exposure.sh (run in the client's namespace).

usage: ikehold.py HUB KEY COUNT SRC

COUNT aggressive mode exchanges from SRC (an address configured locally), one after the other,
each completed with the right group KEY (HASH_I as in ikewrongkey.py), so the hub moves on to
XAUTH and sends its REQUEST; none is ever answered, so each SA sits in an XAUTH state until the
hub gives up on it. Such SAs cost the hub as much as half-open ones and must count against the
in-negotiation limits. Prints "held N of COUNT" (N: exchanges that reached XAUTH) and how many
got no answer to message 1 (refused by the hub's admission limits).
"""
import hashlib
import hmac
import socket
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
from ikemsg import EXCH_AGGR, HDR_LEN, NP_HASH, NP_KE, NP_NONCE, NP_NONE, header, payload, \
    payloads, first_message

EXCH_TRANSACTION = 6


def prf(key, data):
    return hmac.new(key, data, hashlib.sha1).digest()


def hold(s, hub, key):
    """1: reached XAUTH, 0: no answer to message 1, -1: message 3 not accepted."""
    m1, p = first_message()
    s.sendto(m1, (hub, 500))
    s.settimeout(1.0)
    end = time.monotonic() + 1.0
    m2 = None
    while time.monotonic() < end:
        try:
            d = s.recv(65535)
        except socket.timeout:
            break
        if len(d) >= HDR_LEN and d[:8] == p["cky_i"] and d[18] == EXCH_AGGR:
            m2 = d
            break
    if m2 is None:
        return 0
    pl = payloads(m2)
    cky_r = m2[8:16]
    skeyid = prf(key, p["ni"] + pl[NP_NONCE])
    hash_i = prf(skeyid, p["gxi"] + pl[NP_KE] + p["cky_i"] + cky_r + p["sa_b"] + p["id_b"])
    body = payload(NP_NONE, hash_i)
    s.sendto(header(p["cky_i"], cky_r, NP_HASH, EXCH_AGGR, HDR_LEN + len(body)) + body,
             (hub, 500))
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        try:
            d = s.recv(65535)
        except socket.timeout:
            break
        if len(d) >= HDR_LEN and d[:8] == p["cky_i"] and d[18] == EXCH_TRANSACTION:
            return 1
    return -1


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    hub, key, count, src = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    held = refused = bad = 0
    t0 = time.monotonic()
    for _ in range(count):
        r = hold(s, hub, key)
        held += r == 1
        refused += r == 0
        bad += r == -1
        if time.monotonic() - t0 > 60:
            break
    print(f"held {held} of {count} (refused {refused}, message 3 not accepted {bad}) in "
          f"{time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
