#!/usr/bin/env python3
"""The server's end of a forged Easy VPN SA, for test/interop/test_ez_tun.sh (run in the
client namespace, where the ezvpn peer's address is).

The SA pair imsg_forge installs has all-zero keys (AES-128-CBC, HMAC-SHA1-96), so this end
can open what vpnd seals and seal what vpnd opens.

usage: ezesp.py answer HUB SPI_OUT SPI_IN
           Waits (10 s at most) for one ESP packet from HUB on SPI_OUT carrying an ICMP echo
           request, prints its inner source and destination, and sends the echo reply back on
           SPI_IN (sequence number 1).
       ezesp.py inject HUB SPI_IN SEQ SRC DST
           Sends one ICMP echo request SRC -> DST on SPI_IN with sequence number SEQ; SRC and
           DST may be IPv6 addresses (an ICMPv6 echo request, next header 41).
HUB may be an IPv6 address: ESP then goes over IPv6 (an IPv6 raw socket has no IP header to
skip). The keys are known, so the ciphers come from `openssl enc` (no Python crypto module needed).
ESP_KEY and ESP_AUTH (hex) replace the zero keys, e.g. a manual crypto map's (AES-256 with a
32-byte key; test_cmap_manual.sh).
"""
import hashlib
import hmac
import os
import select
import socket
import struct
import subprocess
import sys
import time

KEY = bytes.fromhex(os.environ.get("ESP_KEY", "00" * 16))
AUTH = bytes.fromhex(os.environ.get("ESP_AUTH", "00" * 20))


def aes_cbc(data, iv, decrypt):
    args = ["openssl", "enc", "-aes-%d-cbc" % (len(KEY) * 8), "-nopad", "-K", KEY.hex(), "-iv", iv.hex()]
    if decrypt:
        args.append("-d")
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), os.getpid() & 0xffff, 0, 64,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def icmp(typ, ident, seq, data):
    h = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + data
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def ip6(src, dst, payload):
    s6, d6 = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    # ICMPv6 checksum over the pseudo-header (RFC 8200 8.1)
    pseudo = s6 + d6 + struct.pack("!IxxxB", len(payload), 58)
    payload = payload[:2] + struct.pack("!H", csum(pseudo + payload)) + payload[4:]
    return struct.pack("!IHBB", 6 << 28, len(payload), 58, 64) + s6 + d6 + payload


def seal(spi, seq, inner):
    padlen = (-(len(inner) + 2)) % 16
    nh = 41 if inner[0] >> 4 == 6 else 4
    plain = inner + bytes(range(1, padlen + 1)) + bytes([padlen, nh])
    iv = os.urandom(16)
    body = struct.pack("!II", spi, seq) + iv + aes_cbc(plain, iv, False)
    return body + hmac.new(AUTH, body, hashlib.sha1).digest()[:12]


def open_esp(esp):
    body, icv = esp[:-12], esp[-12:]
    if not hmac.compare_digest(hmac.new(AUTH, body, hashlib.sha1).digest()[:12], icv):
        return None
    plain = aes_cbc(body[24:], body[8:24], True)
    padlen = plain[-2]
    return plain[:len(plain) - 2 - padlen]


def esp_socket(hub):
    return socket.socket(socket.AF_INET6 if ":" in hub else socket.AF_INET, socket.SOCK_RAW, 50)


def answer(hub, spi_out, spi_in):
    s = esp_socket(hub)
    end = time.time() + 10
    while time.time() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
        if not r:
            break
        pkt, peer = s.recvfrom(65535)
        src = peer[0]
        esp = pkt if ":" in hub else pkt[(pkt[0] & 15) * 4:]
        if src != hub or len(esp) < 8 + 16 + 16 + 12 or struct.unpack("!I", esp[:4])[0] != spi_out:
            continue
        inner = open_esp(esp)
        if inner is None:
            print("ICV mismatch on SPI %08x" % spi_out)
            return 1
        isrc, idst = socket.inet_ntoa(inner[12:16]), socket.inet_ntoa(inner[16:20])
        ihl = (inner[0] & 15) * 4
        if inner[9] != 1 or inner[ihl] != 8:
            print("inner %s > %s, protocol %d: not an echo request" % (isrc, idst, inner[9]))
            continue
        ident, seq = struct.unpack("!HH", inner[ihl + 4:ihl + 8])
        reply = ip4(idst, isrc, 1, icmp(0, ident, seq, inner[ihl + 8:]))
        s.sendto(seal(spi_in, 1, reply), (hub, 0))
        print("inner %s > %s echo request on SPI %08x; answered on SPI %08x" %
              (isrc, idst, spi_out, spi_in))
        return 0
    print("no ESP from %s on SPI %08x" % (hub, spi_out))
    return 1


def inject(hub, spi_in, seq, src, dst):
    s = esp_socket(hub)
    if ":" in src:
        # ICMPv6 echo request (type 128), its checksum filled in by ip6()
        inner = ip6(src, dst, struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"ezvpn")
    else:
        inner = ip4(src, dst, 1, icmp(8, 1, 1, b"ezvpn"))
    s.sendto(seal(spi_in, seq, inner), (hub, 0))
    print("sent %s > %s on SPI %08x seq %d" % (src, dst, spi_in, seq))
    return 0


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 5 and a[1] == "answer":
        sys.exit(answer(a[2], int(a[3], 0), int(a[4], 0)))
    if len(a) == 7 and a[1] == "inject":
        sys.exit(inject(a[2], int(a[3], 0), int(a[4]), a[5], a[6]))
    sys.exit(__doc__)
