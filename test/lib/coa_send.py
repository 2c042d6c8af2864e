#!/usr/bin/env python3
"""coa_send.py SOURCE SECRET USER COUNT [PORT [AGE]]: one Disconnect-Request (User-Name USER,
and Event-Timestamp = now - AGE seconds when AGE is given) signed with SECRET, sent COUNT times
unchanged (same Identifier and authenticator, as a client's retransmission) from SOURCE to
127.0.0.1:PORT (3799), or to [::1]:PORT when SOURCE is an IPv6 address. Prints one line per
datagram sent: "answer CODE ERROR-CAUSE HEX" (ERROR-CAUSE 0 when absent) or "no answer" after
2 s."""
import hashlib, os, socket, struct, sys, time

src, secret, user, count = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), int(sys.argv[4])
port = int(sys.argv[5]) if len(sys.argv) > 5 else 3799
attrs = bytes([1, len(user) + 2]) + user
if len(sys.argv) > 6:
    attrs += bytes([55, 6]) + struct.pack("!I", int(time.time()) - int(sys.argv[6]))
ident = os.urandom(1)[0]
length = 20 + len(attrs)
hdr = struct.pack("!BBH", 40, ident, length)
auth = hashlib.md5(hdr + bytes(16) + attrs + secret).digest()
pkt = hdr + auth + attrs
v6 = ":" in src
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
dst = "::1" if v6 else "127.0.0.1"
s.settimeout(2)
for _ in range(count):
    s.sendto(pkt, (dst, port))
    try:
        ans, _ = s.recvfrom(4096)
    except socket.timeout:
        print("no answer")
        continue
    cause, off = 0, 20
    while off + 2 <= len(ans) and ans[off + 1] >= 2:
        if ans[off] == 101 and ans[off + 1] == 6:
            cause = struct.unpack("!I", ans[off + 2:off + 6])[0]
        off += ans[off + 1]
    # the Response Authenticator must be right, or the answer counts as none
    want = hashlib.md5(ans[:4] + auth + ans[20:] + secret).digest()
    if ans[1] != ident or want != ans[4:20]:
        print("bad answer")
        continue
    print("answer %d %d %s" % (ans[0], cause, ans.hex()))
