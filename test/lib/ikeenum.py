#!/usr/bin/env python3
"""Group-name enumeration through aggressive mode, for test/interop/test_exposure.sh.

usage: ikeenum.py HUB KNOWN_GROUP UNKNOWN_GROUP [TRIES]

For each group, TRIES times: aggressive mode message 1 naming the group; the answer's shape
(exchange type, then every payload as type:length, vendor IDs by content) and its delay are
recorded; then a message 3 with HASH_I under a key nobody has, and whether the hub answers it
(it must not: the exchange fails at HASH_I as a wrong key does, with nothing sent back).
A hub that lets names be enumerated answers the two groups differently (INVALID-ID-INFORMATION
or silence for the unknown one). Exits 1 with the difference when the answers differ, when a
message 3 gets an answer, or when the delays are of another class; prints "same" otherwise.
"""
import hashlib
import hmac
import socket
import statistics
import struct
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
from ikemsg import EXCH_AGGR, HDR_LEN, NP_HASH, NP_KE, NP_NONCE, NP_NONE, header, payload, \
    payloads, first_message

NP_VID = 13


def shape(pkt):
    """exchange type and the payload chain as (type, length[, body for vendor IDs])."""
    if len(pkt) < HDR_LEN:
        return ("short", len(pkt))
    out, np, off = [pkt[18]], pkt[16], HDR_LEN
    while np != NP_NONE:
        if off + 4 > len(pkt):
            return ("malformed",)
        nxt, plen = pkt[off], struct.unpack("!H", pkt[off + 2:off + 4])[0]
        if plen < 4 or off + plen > len(pkt):
            return ("malformed",)
        body = pkt[off + 4:off + plen]
        out.append((np, plen, body.hex() if np == NP_VID else None))
        np, off = nxt, off + plen
    return tuple(out)


def exchange(hub, group):
    """(shape of the answer to message 1 or None, seconds, answered message 3?)"""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    s.settimeout(3)
    m1, p = first_message(group)
    t0 = time.monotonic()
    s.sendto(m1, (hub, 500))
    m2 = None
    try:
        while True:
            d = s.recv(65535)
            if len(d) >= HDR_LEN and d[:8] == p["cky_i"]:
                m2 = d
                break
    except socket.timeout:
        pass
    dt = time.monotonic() - t0
    if m2 is None or m2[18] != EXCH_AGGR:
        return (shape(m2) if m2 else None), dt, False
    pl = payloads(m2)
    cky_r = m2[8:16]
    skeyid = hmac.new(b"nobody knows this key", p["ni"] + pl.get(NP_NONCE, b""),
                      hashlib.sha1).digest()
    hash_i = hmac.new(skeyid, p["gxi"] + pl.get(NP_KE, b"") + p["cky_i"] + cky_r + p["sa_b"]
                      + p["id_b"], hashlib.sha1).digest()
    body = payload(NP_NONE, hash_i)
    s.sendto(header(p["cky_i"], cky_r, NP_HASH, EXCH_AGGR, HDR_LEN + len(body)) + body,
             (hub, 500))
    s.settimeout(2)
    answered = False
    try:
        while True:
            d = s.recv(65535)
            # a retransmitted message 2 is no answer to message 3
            if d[:8] == p["cky_i"] and d != m2:
                answered = True
                break
    except socket.timeout:
        pass
    s.close()
    return shape(m2), dt, answered


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    hub, known, unknown = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
    tries = int(sys.argv[4]) if len(sys.argv) == 5 else 3
    res = {known: [], unknown: []}
    for _ in range(tries):
        for g in (known, unknown):   # interleaved: load on the hub hits both alike
            res[g].append(exchange(hub, g))
    errs = []
    ks, us = {r[0] for r in res[known]}, {r[0] for r in res[unknown]}
    if None in ks:
        errs.append(f"no answer for the known group {known.decode()!r} (hub broken?)")
    if ks != us:
        errs.append(f"answers differ: known group {sorted(map(str, ks))} unknown group "
                    f"{sorted(map(str, us))}")
    for g in (known, unknown):
        if any(r[2] for r in res[g]):
            errs.append(f"a message 3 with a wrong HASH_I for {g.decode()!r} got an answer")
    tk = statistics.median(r[1] for r in res[known])
    tu = statistics.median(r[1] for r in res[unknown])
    # the same work (a DH computation and one question to keymgr) either way: a difference
    # of tens of milliseconds would be another path through the hub
    if abs(tk - tu) > 0.05:
        errs.append(f"median delays differ: known {tk * 1000:.1f} ms unknown {tu * 1000:.1f} ms")
    print(f"ikeenum: {tries} tries each; known answer {sorted(map(str, ks))[0][:120]}..., "
          f"delays known {tk * 1000:.1f} ms unknown {tu * 1000:.1f} ms")
    if errs:
        print("ikeenum: " + "; ".join(errs))
        sys.exit(1)
    print("same")


if __name__ == "__main__":
    main()
