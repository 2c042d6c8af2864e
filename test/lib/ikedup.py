#!/usr/bin/env python3
"""A retransmitted request gets our last response again, byte for byte.

usage: ikedup.py HUB_ADDRESS
Sends one aggressive mode first message (group1, the seed's policy), then the very same datagram
again, and checks that the hub answered both with identical datagrams (same responder cookie,
same nonce and KE: no second exchange was started). Exit 0 on success.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ikemsg  # noqa: E402


def main():
    hub = sys.argv[1]
    pkt, _ = ikemsg.first_message()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.bind(("", 0))
    s.sendto(pkt, (hub, 500))
    first, _ = s.recvfrom(65535)
    s.sendto(pkt, (hub, 500))
    second, _ = s.recvfrom(65535)
    if first != second:
        sys.exit("FAIL: the retransmitted request got a different answer")
    if first[:8] != pkt[:8] or first[8:16] == bytes(8):
        sys.exit("FAIL: the answer is not an aggressive mode response to our cookie")
    print(f"ok: retransmitted aggressive mode request answered with the same {len(first)}-byte response")


main()
