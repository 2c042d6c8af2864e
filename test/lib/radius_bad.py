#!/usr/bin/env python3
"""A RADIUS server that only answers with malformed Access-Accepts, one kind per request in
turn: 0 wrong Response Authenticator, 1 an attribute running past the packet (authenticator
right), 2 a Cisco VSA whose inner length is wrong (authenticator right), 3 a packet shorter
than its Length field. A client must take none of them as an accept.

usage: radius_bad.py PORT SECRET LOGFILE   (serves until killed; one log line per request)
"""
import hashlib
import socket
import struct
import sys

port, secret, logname = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
n = 0
with open(logname, "a", buffering=1) as log:
    while True:
        data, peer = s.recvfrom(4096)
        if len(data) < 20:
            continue
        ident, reqauth = data[1], data[4:20]
        mode = n % 4
        n += 1
        if mode == 0:
            attrs = bytes([18, 4]) + b"hi"                       # well formed
        elif mode == 1:
            attrs = bytes([8, 6, 10, 0, 0])                      # Framed-IP, 6 claimed, 5 there
        elif mode == 2:
            inner = b"ipsec:addr-pool=x"
            attrs = bytes([26, 6 + 2 + len(inner)]) + struct.pack("!I", 9) + \
                bytes([1, 200]) + inner                          # inner length 200
        else:
            attrs = bytes([18, 4]) + b"hi"
        length = 20 + len(attrs)
        hdr = struct.pack("!BBH", 2, ident, length)
        auth = hashlib.md5(hdr + reqauth + attrs + secret).digest()
        if mode == 0:
            auth = bytes(16)
        pkt = hdr + auth + attrs
        if mode == 3:
            pkt = pkt[:-3]                                       # Length says more than sent
        s.sendto(pkt, peer)
        log.write(f"request {n} answered with malformed kind {mode}\n")
