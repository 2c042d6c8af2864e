#!/bin/sh
# vpnctl's IKEv2 commands against a session store filled through the db API (db_fill --ikev2)
# and a stand-in for vpnd's control socket: show crypto ikev2 sa|session, clear crypto ikev2
# sa. Run from the build directory (make check does).
set -u

VPNCTL_TEST=test_vpnctl_ikev2
. "${srcdir:-.}/test/unit/vpnctl_lib.sh"

# IKEv1 sessions only
mkdir "$T/st" && "$DB_FILL" "$T/st/vpnd.db" || { echo "FAIL: db_fill"; exit 1; }

# --- IKEv2 SAs: show crypto ikev2 sa lists them, show crypto isakmp sa no longer does ----------
mkdir "$T/v2" && "$DB_FILL" --ikev2 "$T/v2/vpnd.db" || fail "db_fill --ikev2"
# the Active Time counts from the rows' established (12 s before db_fill ran, so 12 or more;
# under 100 on the slowest build): N in the comparison
active_n() {
	sed -E 's#Life/Active Time: 86400/(1[2-9]|[2-9][0-9]) sec#Life/Active Time: 86400/N sec#' "$T/out"
}
run -S "$T/v2" show crypto ikev2 sa
cat >"$T/expected" <<'EOF'
IPv4 Crypto IKEv2  SA

Tunnel-id Local                 Remote                fvrf/ivrf            Status
11        172.18.143.246/4500   198.51.100.7/4500     none/none            READY
      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: unknown, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec
12        172.18.143.246/500    203.0.113.5/500       none/none            READY
      Encr: AES-GCM, keysize: 256, PRF: SHA384, Hash: None, DH Grp:19, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec
13        172.18.143.246/500    203.0.113.9/500       none/none            IN-NEG
      Encr: AES-CBC, keysize: 128, PRF: SHA1, Hash: unknown, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec

IPv6 Crypto IKEv2  SA

EOF
if [ $RC -eq 0 ] && active_n | cmp -s - "$T/expected"; then
	pass "show crypto ikev2 sa: live IKEv2 SAs in IOS's table, IKEv2 words in IOS's, no IKEv1 SA"
else
	fail "show crypto ikev2 sa (rc $RC: $ERR)"; active_n | diff "$T/expected" -
fi
run -S "$T/v2" sh cry ikev2 sa
[ $RC -eq 0 ] && active_n | cmp -s - "$T/expected" && pass "abbreviated: sh cry ikev2 sa" ||
	fail "sh cry ikev2 sa"
run -S "$T/v2" show crypto ikev2 sa detail
cat >"$T/expected" <<'EOF'
11        172.18.143.246/4500   198.51.100.7/4500     none/none            READY
      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: unknown, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec
      Session-id: 11
      Status Description: Negotiation done
      Local spi: CBCBCBCBCBCBCBCB       Remote spi: 1B1B1B1B1B1B1B1B
      Local id: hub.example.com
      Remote id: dave@example.com
      DPD configured for 0 seconds, retry 0
      Fragmentation not configured.
      Extended Authentication not configured.
      NAT-T is detected outside
      Cisco Trust Security SGT is disabled
      Initiator of SA : No
      Pushed IP address: 192.168.1.11

EOF
# dave's block, then erin's (no NAT-T) and the SA still negotiating (no session: no ids)
if [ $RC -eq 0 ] && active_n | sed -n '/^11 /,/^12 /p' | sed '$d' | cmp -s - "$T/expected" &&
   active_n | sed -n '/^12 /,/^13 /p' | grep -qx '      NAT-T is not detected' &&
   active_n | sed -n '/^12 /,/^13 /p' | grep -qx '      Pushed IP address: 192.168.1.12' &&
   active_n | sed -n '/^13 /,$p' | grep -qx '      Status Description: Negotiation in progress' &&
   ! active_n | sed -n '/^13 /,$p' | grep -q 'Local id\|Remote id\|Pushed IP'; then
	pass "show crypto ikev2 sa detail: SPIs (ours the responder's), peer id, NAT-T, pushed address"
else
	fail "show crypto ikev2 sa detail (rc $RC: $ERR)"; cat "$T/out"
fi
run -S "$T/v2" --json show crypto ikev2 sa
if [ $RC -eq 0 ] && json_check '
assert [r["session_id"] for r in rows] == [11, 12, 13], rows
d = rows[0]
assert (d["encr"], d["hash"], d["auth"], d["dh_group"], d["state"]) == ("aes-cbc-256", "sha256", "psk", 14, "READY"), d
assert (d["remote_id"], d["pushed_addr"], d["caps"] & 16, d["lifetime"]) == ("dave@example.com", "192.168.1.11", 16, 86400), d
assert (d["local_id"], rows[2]["local_id"]) == ("hub.example.com", None), rows
assert 12 <= d["active_seconds"] < 100 and d["ended"] is None, d
assert rows[2]["remote_id"] is None and rows[2]["state"] == "IN-NEG", rows[2]
'; then
	pass "show crypto ikev2 sa --json"
else
	fail "show crypto ikev2 sa --json (rc $RC)"; cat "$T/out"
fi
run -S "$T/v2" show crypto ikev2 sa x
[ $RC -eq 1 ] && [ -z "$OUT" ] && pass "show crypto ikev2 sa: extra words refused" ||
	fail "show crypto ikev2 sa x: rc $RC"
run -S "$T/v2" show crypto isakmp sa
[ $RC -eq 0 ] && [ "$(grep -c ACTIVE "$T/out")" = 1 ] &&
	grep -Eq '^172\.18\.143\.246 +172\.18\.143\.2 +QM_IDLE +1 ACTIVE$' "$T/out" &&
	pass "show crypto isakmp sa: the IKEv1 SA only, no IKEv2 row" ||
	fail "show crypto isakmp sa with IKEv2 SAs: $OUT"
run -S "$T/v2" show crypto isakmp sa detail
[ $RC -eq 0 ] && [ "$(grep -c '^1 ' "$T/out")" = 1 ] && ! grep -q 'aes-\|198\.51\|203\.0' "$T/out" &&
	pass "show crypto isakmp sa detail: no IKEv2 row" || fail "isakmp sa detail with IKEv2 SAs: $OUT"
run -S "$T/v2" --json show crypto isakmp sa
[ $RC -eq 0 ] && json_check 'assert [r["conn_id"] for r in rows] == [1], rows' &&
	pass "show crypto isakmp sa --json: no IKEv2 row" || fail "isakmp sa --json with IKEv2 SAs"
run -S "$T/st" show crypto ikev2 sa
[ $RC -eq 0 ] && [ "$OUT" = "IPv4 Crypto IKEv2  SA

IPv6 Crypto IKEv2  SA" ] && pass "show crypto ikev2 sa: IKEv1 SAs only, empty tables" ||
	fail "show crypto ikev2 sa without IKEv2 SAs: '$OUT'"

# --- show crypto ikev2 session [detailed]: IOS XE's layout, IKEv2 sessions only ---------------
run -S "$T/v2" show crypto ikev2 session
cat >"$T/expected" <<'EOF'
 IPv4 Crypto IKEv2 Session

Session-id:11, Status:UP-ACTIVE, IKE count:1, CHILD count:1

Tunnel-id Local                 Remote                fvrf/ivrf            Status
11        172.18.143.246/4500   198.51.100.7/4500     none/none            READY
      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: unknown, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec
Child sa: local selector  10.10.0.0/0 - 10.10.255.255/65535
          remote selector 192.168.1.11/0 - 192.168.1.11/65535
          ESP spi in/out: 0xC200000B/0x0D00000B

Session-id:12, Status:UP-ACTIVE, IKE count:1, CHILD count:1

Tunnel-id Local                 Remote                fvrf/ivrf            Status
12        172.18.143.246/500    203.0.113.5/500       none/none            READY
      Encr: AES-GCM, keysize: 256, PRF: SHA384, Hash: None, DH Grp:19, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec
Child sa: local selector  0.0.0.0/0 - 255.255.255.255/65535
          remote selector 192.168.1.12/0 - 192.168.1.12/65535
          ESP spi in/out: 0xC200000C/0x0D00000C

Session-id:13, Status:DOWN-NEGOTIATING, IKE count:1, CHILD count:0

Tunnel-id Local                 Remote                fvrf/ivrf            Status
13        172.18.143.246/500    203.0.113.9/500       none/none            IN-NEG
      Encr: AES-CBC, keysize: 128, PRF: SHA1, Hash: unknown, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec

 IPv6 Crypto IKEv2 Session

EOF
if [ $RC -eq 0 ] && active_n | cmp -s - "$T/expected"; then
	pass "show crypto ikev2 session: status, counts, the SA, child selectors and SPIs; no IKEv1 session"
else
	fail "show crypto ikev2 session (rc $RC: $ERR)"; active_n | diff "$T/expected" -
fi
cp "$T/expected" "$T/plain"
for abbr in "sh cry ikev2 sess" "sh cry ik sess" "show crypto ikev2 se"; do
	# shellcheck disable=SC2086
	run -S "$T/v2" $abbr
	[ $RC -eq 0 ] && active_n | cmp -s - "$T/plain" && pass "abbreviated: $abbr" ||
		fail "$abbr: rc $RC '$ERR'"
done
run -S "$T/v2" sh cry ikev2 sess det
cat >"$T/expected" <<'EOF'
Session-id:11, Status:UP-ACTIVE, IKE count:1, CHILD count:1

Tunnel-id Local                 Remote                fvrf/ivrf            Status
11        172.18.143.246/4500   198.51.100.7/4500     none/none            READY
      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: unknown, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/N sec
      Session-id: 11
      Status Description: Negotiation done
      Local spi: CBCBCBCBCBCBCBCB       Remote spi: 1B1B1B1B1B1B1B1B
      Local id: hub.example.com
      Remote id: dave@example.com
      DPD configured for 0 seconds, retry 0
      Fragmentation not configured.
      Extended Authentication not configured.
      NAT-T is detected outside
      Cisco Trust Security SGT is disabled
      Initiator of SA : No
      Pushed IP address: 192.168.1.11
Child sa: local selector  10.10.0.0/0 - 10.10.255.255/65535
          remote selector 192.168.1.11/0 - 192.168.1.11/65535
          ESP spi in/out: 0xC200000B/0x0D00000B

EOF
if [ $RC -eq 0 ] && active_n | sed -n '/^Session-id:11,/,/^Session-id:12,/p' | sed '$d' |
	cmp -s - "$T/expected" &&
   active_n | sed -n '/^Session-id:12,/,/^Session-id:13,/p' | grep -qx '      Remote id: erin' &&
   active_n | sed -n '/^Session-id:12,/,/^Session-id:13,/p' | grep -qx '      Local id: 172.18.143.246' &&
   active_n | sed -n '/^Session-id:13,/,$p' | grep -qx '      Status Description: Negotiation in progress' &&
   ! active_n | sed -n '/^Session-id:13,/,$p' | grep -q 'Child sa'; then
	pass "sh cry ikev2 sess det: the SA's details, then its child SAs"
else
	fail "show crypto ikev2 session detailed (rc $RC: $ERR)"; cat "$T/out"
fi
run -S "$T/v2" --json sh cry ikev2 session
if [ $RC -eq 0 ] && json_check '
assert [r["session_id"] for r in rows] == [11, 12, 13], rows
d = rows[0]
assert (d["status"], d["ike_count"], d["child_count"], d["remote_id"], d["pushed_addr"]) == ("UP-ACTIVE", 1, 1, "dave@example.com", "192.168.1.11"), d
c = d["children"]
assert len(c) == 1 and (c[0]["spi_in"], c[0]["spi_out"], c[0]["remote_ident"], c[0]["local_ident"], c[0]["local_mask"]) == ("c200000b", "0d00000b", "192.168.1.11", "10.10.0.0", "255.255.0.0"), c
assert rows[1]["children"][0]["local_ident"] is None, rows[1]
assert (rows[2]["status"], rows[2]["child_count"], rows[2]["children"]) == ("DOWN-NEGOTIATING", 0, []), rows[2]
'; then
	pass "show crypto ikev2 session --json: the SA row, status, counts and its child SA rows"
else
	fail "show crypto ikev2 session --json (rc $RC)"; cat "$T/out"
fi
run -S "$T/st" show crypto ikev2 session
[ $RC -eq 0 ] && [ "$OUT" = " IPv4 Crypto IKEv2 Session

 IPv6 Crypto IKEv2 Session" ] && pass "show crypto ikev2 session: no IKEv1 session listed" ||
	fail "show crypto ikev2 session without IKEv2 SAs: '$OUT'"
run -S "$T/st" --json show crypto ikev2 session
[ $RC -eq 0 ] && json_check 'assert rows == [], rows' &&
	pass "show crypto ikev2 session --json: [] without IKEv2 sessions" || fail "empty --json: $OUT"
run -S "$T/v2" show crypto ikev2 session 11
[ $RC -eq 1 ] && [ -z "$OUT" ] && echo "$ERR" | grep -q "usage: vpnctl show crypto ikev2 session" &&
	pass "show crypto ikev2 session: extra words refused" || fail "session 11: rc $RC '$ERR'"

# --- clear crypto ikev2 sa: checked here, sent to vpnd spelt out ---------------------------
run -S "$T/st" clear crypto ikev2 sa 0
[ $RC -eq 1 ] && [ "$ERR" = "% Invalid tunnel-id: '0' (expected a number from 'show crypto ikev2 sa')" ] &&
	pass "clear crypto ikev2 sa 0 refused" || fail "tunnel-id 0: rc $RC '$ERR'"
run -S "$T/st" clear crypto ikev2 sa 4294967296
[ $RC -eq 1 ] && echo "$ERR" | grep -q "Invalid tunnel-id" && pass "tunnel-id past 32 bits refused" ||
	fail "tunnel-id 2^32: rc $RC '$ERR'"
run -S "$T/st" clear crypto ikev2 sa remote 300.1.1.1
[ $RC -eq 1 ] && [ -n "$ERR" ] && pass "clear crypto ikev2 sa remote: a bad address refused" ||
	fail "bad address: rc $RC '$ERR'"
run -S "$T/st" clear crypto ikev2 sa fvrf x
[ $RC -eq 1 ] && echo "$ERR" | grep -q "usage: vpnctl clear crypto ikev2 sa" &&
	pass "clear crypto ikev2 sa fvrf: not accepted, usage" || fail "fvrf: rc $RC '$ERR'"

python3 - "$T/st/vpnd.sock" "$T/got" <<'EOF' &
import socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(4)
while True:
    c, _ = s.accept()
    data = b""
    while not data.endswith(b"\n"):
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    with open(log, "a") as f:
        f.write(data.decode())
    c.sendall(b"clearing matching IKEv2 SAs\n")
    c.close()
EOF
SERVER_PID=$!
i=0
while [ ! -S "$T/st/vpnd.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
run -S "$T/st" clear crypto ikev2 sa
[ $RC -eq 0 ] && [ "$OUT" = "clearing matching IKEv2 SAs" ] && pass "clear crypto ikev2 sa" ||
	fail "clear crypto ikev2 sa: rc $RC '$OUT' '$ERR'"
run -S "$T/st" cl cry ikev2 sa 12
[ $RC -eq 0 ] && pass "cl cry ikev2 sa 12" || fail "by tunnel-id: rc $RC '$ERR'"
run -S "$T/st" cle cry ik sa rem 203.0.113.5
[ $RC -eq 0 ] && pass "cle cry ik sa rem A" || fail "by remote: rc $RC '$ERR'"
run -S "$T/st" clear crypto ikev2 sa loc FD00:1:0::2
[ $RC -eq 0 ] && pass "clear crypto ikev2 sa loc A (IPv6)" || fail "by local: rc $RC '$ERR'"
printf '%s\n' 'clear crypto ikev2 sa' 'clear crypto ikev2 sa 12' \
	'clear crypto ikev2 sa remote 203.0.113.5' 'clear crypto ikev2 sa local FD00:1:0::2' >"$T/want"
cmp -s "$T/got" "$T/want" && pass "vpnd got each clear with its keyword spelt out" ||
	{ fail "clear lines sent"; diff "$T/want" "$T/got"; }

[ $FAILED -eq 0 ] && echo "all vpnctl IKEv2 tests passed"
exit $FAILED
