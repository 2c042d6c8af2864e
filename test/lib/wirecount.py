#!/usr/bin/env python3
"""Count IPv4 packets by protocol seen on one interface (AF_PACKET, both directions), for at
most SECONDS or until the file STOP exists: proves what went on the wire in ESP and what in
clear without tcpdump. Prints 'esp N icmp N tcp N other N' once done; run it in the namespace.

    wirecount.py IFACE SECONDS [STOP]
"""
import os
import select
import socket
import sys
import time

ETH_P_ALL = 3


def main():
    ifname, secs = sys.argv[1], float(sys.argv[2])
    stop = sys.argv[3] if len(sys.argv) > 3 else None
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    counts = {"esp": 0, "icmp": 0, "tcp": 0, "other": 0}
    names = {50: "esp", 1: "icmp", 6: "tcp"}
    end = time.monotonic() + secs
    print("listening", flush=True)
    while time.monotonic() < end and not (stop and os.path.exists(stop)):
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        frame = s.recv(65535)
        # Ethernet II carrying IPv4 only
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        counts[names.get(frame[23], "other")] += 1
    print(" ".join(f"{k} {v}" for k, v in counts.items()), flush=True)


if __name__ == "__main__":
    main()
