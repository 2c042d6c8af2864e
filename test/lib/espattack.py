#!/usr/bin/env python3
"""Bad ESP against a hub, for test/interop/test_badinput.sh (run in the client's namespace).

usage: espattack.py junk HUB COUNT
           COUNT packets with random SPIs, half as ESP in UDP 4500 (RFC 3948), half as raw IP
           protocol 50, plus a few too short to hold an SPI and sequence number.
       espattack.py replay IFACE HUB
           Sniffs ESP the local client sends to HUB on IFACE (AF_PACKET, outgoing only), then
           sends back copies of one captured packet:
             3 x unchanged                               (a replay: the hub saw it already)
             3 x one ciphertext byte flipped, sequence number moved 2^20 ahead
                                                         (fails the integrity check; the hub
                                                          must not slide its replay window
                                                          for it, or the live session dies)
           The first kind must count as replays, the second as authentication failures. A
           tampered copy that keeps the old sequence number would be dropped by the replay check
           first (RFC 4303 3.4.3 lets the receiver check the sequence number before the ICV).
Prints one line with what was sent; exits non-zero when nothing could be captured.
"""
import os
import random
import select
import socket
import struct
import sys
import time

IPPROTO_ESP = 50
ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003   # a socket bound to ETH_P_IP would only see incoming frames
PACKET_OUTGOING = 4


def rand_spi():
    # 0 on UDP 4500 would be the non-ESP marker (IKE); 1..255 are reserved SPIs (RFC 4303 2.1)
    return random.randrange(256, 1 << 32)


def junk(hub, count):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_ESP)
    for s in (udp, raw):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    n_udp = n_raw = n_short = 0
    for i in range(count):
        if i % 50 == 0:
            # shorter than SPI + sequence number; never the 1-byte 0xff NAT-T keepalive
            d = os.urandom(random.randrange(2, 8))
            (udp.sendto(d, (hub, 4500)) if i % 100 == 0 else raw.sendto(d, (hub, 0)))
            n_short += 1
            continue
        body = struct.pack("!II", rand_spi(), random.randrange(1, 1 << 32))
        body += os.urandom(random.choice([16, 48, 96, 200]))
        if i % 2:
            udp.sendto(body, (hub, 4500))
            n_udp += 1
        else:
            raw.sendto(body, (hub, 0))
            n_raw += 1
        if i % 16 == 15:
            time.sleep(0.01)
    print(f"espattack junk: {n_udp} random-SPI in UDP 4500, {n_raw} random-SPI raw ESP, "
          f"{n_short} short")


def capture(iface, hub, want, timeout):
    """Outgoing ESP to hub on iface: list of (encap, esp_bytes), encap 'raw' or 'udp'."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    hub_b = socket.inet_aton(hub)
    got = []
    end = time.monotonic() + timeout
    while len(got) < want:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            break
        frame, addr = s.recvfrom(65535)
        # SOCK_DGRAM: the link-layer header is already stripped
        if addr[2] != PACKET_OUTGOING or addr[1] != ETH_P_IP:
            continue
        ip = frame
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[16:20] != hub_b:
            continue
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        ip = ip[:tot]
        if ip[9] == IPPROTO_ESP:
            got.append(("raw", ip[ihl:]))
        elif ip[9] == 17 and len(ip) >= ihl + 8:
            dport = struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]
            payload = ip[ihl + 8:]
            if dport == 4500 and len(payload) > 8 and payload[:4] != b"\0\0\0\0":
                got.append(("udp", payload))
    s.close()
    return got


def replay(iface, hub):
    pkts = capture(iface, hub, 3, 10)
    if not pkts:
        sys.exit("espattack replay: no outgoing ESP captured in 10 s (is the client sending?)")
    encap, esp = pkts[-1]
    spi, seq = struct.unpack("!II", esp[:8])
    if len(esp) < 8 + 8 + 8 + 12:
        sys.exit(f"espattack replay: captured ESP too short ({len(esp)} bytes)")
    if encap == "raw":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_ESP)
        dst = (hub, 0)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dst = (hub, 4500)
    for _ in range(3):
        s.sendto(esp, dst)
        time.sleep(0.02)
    # the hub logs ESP drops from one call site, one line a second: let each kind get its line
    time.sleep(1.1)
    for k in range(3):
        t = bytearray(esp)
        t[4:8] = struct.pack("!I", (seq + (1 << 20) + k) & 0xFFFFFFFF)
        # after SPI, sequence number and an 8-byte IV: first byte of the ciphertext proper
        t[16] ^= 0x01
        s.sendto(bytes(t), dst)
        time.sleep(0.02)
    print(f"espattack replay: captured {len(pkts)} packets ({encap} ESP), SPI {spi:08x} seq {seq}: "
          f"sent 3 replays and 3 tampered copies ({len(esp)} bytes)")


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "junk":
        junk(a[1], int(a[2]))
    elif len(a) == 3 and a[0] == "replay":
        replay(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
