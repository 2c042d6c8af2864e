#!/usr/bin/env python3
"""Send malformed ISAKMP datagrams to a hub, for test/interop/test_badinput.sh.

usage: ikegarbage.py HUB COUNT

COUNT datagrams in total, spread over the kinds below and over UDP 500 and UDP 4500 (on 4500
behind the four-byte non-ESP marker of RFC 3948, so the hub hands them to IKE). Paced so the
hub's socket buffers do not overflow: the point is that every datagram reaches the parser.
Prints how many of each kind were sent.
"""
import os
import random
import socket
import struct
import sys
import time

HDR_LEN = 28
EXCH_AGGR = 4
NP_SA, NP_KE, NP_NONCE, NP_ID = 1, 4, 10, 5


def hdr(cky_i, cky_r, np, exch, length, version=0x10, flags=0, msgid=0):
    return cky_i + cky_r + struct.pack("!BBBBII", np, version, exch, flags, msgid, length)


def rnd(n):
    return os.urandom(n)


def short():
    # anything below the fixed 28-byte header, including the empty datagram
    return rnd(random.randrange(0, HDR_LEN))


def length_mismatch():
    body = rnd(random.randrange(0, 200))
    real = HDR_LEN + len(body)
    claimed = real + random.choice([-1, 1, 4, 1000, -real + 1])
    return hdr(rnd(8), rnd(8), NP_SA, EXCH_AGGR, claimed & 0xFFFFFFFF) + body


def bad_version():
    body = rnd(random.randrange(0, 100))
    ver = random.choice([0x00, 0x11, 0x20, 0xFF])
    return hdr(rnd(8), bytes(8), NP_SA, EXCH_AGGR, HDR_LEN + len(body), version=ver) + body


def random_bytes():
    d = bytearray(rnd(random.randrange(HDR_LEN, 1400)))
    d[17] = 0x10 if random.random() < 0.5 else d[17]   # sometimes a plausible version byte
    return bytes(d)


def truncated_chain():
    # aggressive mode, SA payload claims 200 bytes but the datagram ends after 40
    sa = struct.pack("!BBH", NP_KE, 0, 200) + rnd(36)
    return hdr(rnd(8), bytes(8), NP_SA, EXCH_AGGR, HDR_LEN + len(sa)) + sa


def payload_past_end():
    # a well-formed SA, then a KE whose length runs past the end of the datagram
    sa = struct.pack("!BBHII", NP_KE, 0, 12, 1, 1)
    ke = struct.pack("!BBH", NP_NONCE, 0, 132) + rnd(64)
    pl = sa + ke
    return hdr(rnd(8), bytes(8), NP_SA, EXCH_AGGR, HDR_LEN + len(pl)) + pl


def zero_length_payload():
    # a payload length below its own 4-byte header would loop forever if taken at face value
    pl = struct.pack("!BBH", NP_KE, 0, 0) + rnd(40)
    return hdr(rnd(8), bytes(8), NP_SA, EXCH_AGGR, HDR_LEN + len(pl)) + pl


def unknown_sa():
    # a syntactically fine encrypted message for a responder cookie the hub never issued
    body = rnd(random.choice([8, 16, 64]))
    exch = random.choice([5, 6, 32])   # informational, transaction, quick
    return hdr(rnd(8), rnd(8), 8, exch, HDR_LEN + len(body), flags=1,
               msgid=random.getrandbits(32) | 1) + body


def oversized():
    # 60000 bytes: fragmented on the wire; the SA payload's length does not fill the datagram
    n = 60000
    sa = struct.pack("!BBH", 0, 0, 100) + rnd(96)
    return hdr(rnd(8), bytes(8), NP_SA, EXCH_AGGR, n) + sa + rnd(n - HDR_LEN - len(sa))


KINDS = [
    ("short", short, 20),
    ("length-mismatch", length_mismatch, 15),
    ("bad-version", bad_version, 10),
    ("random", random_bytes, 15),
    ("truncated-chain", truncated_chain, 10),
    ("payload-past-end", payload_past_end, 10),
    ("zero-length-payload", zero_length_payload, 5),
    ("unknown-sa", unknown_sa, 15),
]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    hub, count = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    # the hub's answers (if any) are not read: keep our queue from growing without bound
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    weights = [k[2] for k in KINDS]
    sent = {}
    t0 = time.monotonic()
    for i in range(count):
        if i < 4:
            name, make = "oversized", oversized   # a few, they are 40 fragments each
        else:
            name, make, _ = random.choices(KINDS, weights)[0]
        d = make()
        port = 500 if i % 2 == 0 else 4500
        if port == 4500:
            d = b"\0\0\0\0" + d
        try:
            s.sendto(d, (hub, port))
        except OSError as e:
            sys.exit(f"ikegarbage: sendto: {e}")
        sent[name] = sent.get(name, 0) + 1
        # about 1500 datagrams/s: fast enough to be a flood, slow enough not to overrun buffers
        if i % 16 == 15:
            time.sleep(0.01)
    dt = time.monotonic() - t0
    print(f"ikegarbage: sent {count} datagrams in {dt:.1f} s: " +
          ", ".join(f"{k} {v}" for k, v in sorted(sent.items())))


if __name__ == "__main__":
    main()
