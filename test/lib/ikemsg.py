"""IKEv1 aggressive mode pieces shared by the bad-input helpers (ikeflood.py, ikewrongkey.py)."""
import os
import struct

NP_NONE, NP_SA, NP_KE, NP_ID, NP_HASH, NP_NONCE = 0, 1, 4, 5, 8, 10
EXCH_AGGR = 4
HDR_LEN = 28


def payload(np, body):
    return struct.pack("!BBH", np, 0, 4 + len(body)) + body


def tv(attr, value):
    return struct.pack("!HH", 0x8000 | attr, value)


def header(cky_i, cky_r, np, exch, length, flags=0, msgid=0):
    return cky_i + cky_r + struct.pack("!BBBBII", np, 0x10, exch, flags, msgid, length)


def first_message(group=b"group1"):
    """Aggressive mode message 1 that the seed configuration's isakmp policy 1 accepts:
    a random initiator cookie, one transform (3DES, SHA1, XAUTHInitPreShared, MODP-1024), a
    random 128-byte KE, a 20-byte nonce, identity KEY_ID GROUP.
    Returns (datagram, pieces) where pieces holds what HASH_I covers."""
    attrs = (tv(1, 5)          # encryption: 3DES-CBC
             + tv(2, 2)        # hash: SHA
             + tv(3, 65001)    # authentication: XAUTHInitPreShared
             + tv(4, 2)        # group: MODP-1024
             + tv(11, 1)       # life type: seconds
             + tv(12, 28800))  # life duration
    transform = payload(NP_NONE, struct.pack("!BBH", 1, 1, 0) + attrs)   # #1, KEY_IKE
    proposal = payload(NP_NONE, struct.pack("!BBBB", 1, 1, 0, 1) + transform)   # ISAKMP, 1 tr.
    sa_b = struct.pack("!II", 1, 1) + proposal   # DOI IPsec, SIT_IDENTITY_ONLY
    gxi, ni = os.urandom(128), os.urandom(20)
    id_b = struct.pack("!BBH", 11, 17, 500) + group   # ID_KEY_ID, UDP port 500
    body = (payload(NP_KE, sa_b) + payload(NP_NONCE, gxi) + payload(NP_ID, ni)
            + payload(NP_NONE, id_b))
    cky_i = os.urandom(8)
    pkt = header(cky_i, bytes(8), NP_SA, EXCH_AGGR, HDR_LEN + len(body)) + body
    return pkt, {"cky_i": cky_i, "sa_b": sa_b, "gxi": gxi, "ni": ni, "id_b": id_b}


def payloads(pkt):
    """{type: body} of an unencrypted ISAKMP datagram (first of each type); {} if malformed."""
    if len(pkt) < HDR_LEN:
        return {}
    np, off, out = pkt[16], HDR_LEN, {}
    while np != NP_NONE:
        if off + 4 > len(pkt):
            return {}
        nxt, plen = pkt[off], struct.unpack("!H", pkt[off + 2:off + 4])[0]
        if plen < 4 or off + plen > len(pkt):
            return {}
        out.setdefault(np, pkt[off + 4:off + plen])
        np, off = nxt, off + plen
    return out
