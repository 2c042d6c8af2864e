#!/usr/bin/env python3
"""Aggressive mode with a chosen group key, for test/interop/test_badinput.sh.

usage: ikewrongkey.py HUB KEY

vpnc checks the hub's HASH_R before it sends anything more, so with a wrong key it gives up
and the hub never sees a HASH_I. This initiator goes on: message 1, then message 3 with
HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b), SKEYID = prf(KEY, Ni_b |
Nr_b) (RFC 2409 5 and 5.4, prf HMAC-SHA1), sent unencrypted (RFC 2409 leaves message 3's
encryption optional), so the hub's HASH_I check is what decides.

Prints "accepted" when the hub goes on to XAUTH (an encrypted transaction exchange arrives
within 3 s), "rejected" when nothing comes; exits 2 on a protocol error (no message 2).
With the right key it must print "accepted": that shows the HASH_I here is computed right, so
"rejected" with a wrong key is the key's doing.
"""
import hashlib
import hmac
import socket
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
from ikemsg import EXCH_AGGR, HDR_LEN, NP_HASH, NP_KE, NP_NONCE, NP_NONE, header, payload, \
    payloads, first_message

EXCH_TRANSACTION = 6


def prf(key, data):
    return hmac.new(key, data, hashlib.sha1).digest()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    hub, key = sys.argv[1], sys.argv[2].encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    s.settimeout(5)
    m1, p = first_message()
    s.sendto(m1, (hub, 500))
    while True:
        try:
            m2 = s.recv(65535)
        except socket.timeout:
            print("ikewrongkey: no answer to message 1")
            sys.exit(2)
        if len(m2) >= HDR_LEN and m2[:8] == p["cky_i"] and m2[18] == EXCH_AGGR:
            break
    cky_r = m2[8:16]
    pl = payloads(m2)
    if NP_KE not in pl or NP_NONCE not in pl:
        print("ikewrongkey: message 2 lacks KE or nonce")
        sys.exit(2)
    skeyid = prf(key, p["ni"] + pl[NP_NONCE])
    hash_i = prf(skeyid, p["gxi"] + pl[NP_KE] + p["cky_i"] + cky_r + p["sa_b"] + p["id_b"])
    body = payload(NP_NONE, hash_i)
    s.sendto(header(p["cky_i"], cky_r, NP_HASH, EXCH_AGGR, HDR_LEN + len(body)) + body,
             (hub, 500))
    s.settimeout(3)
    try:
        while True:
            m = s.recv(65535)
            if len(m) >= HDR_LEN and m[:8] == p["cky_i"] and m[18] == EXCH_TRANSACTION:
                print("accepted")
                return
    except socket.timeout:
        print("rejected")


if __name__ == "__main__":
    main()
