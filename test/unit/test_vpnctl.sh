#!/bin/sh
# vpnctl against a session store filled through the db API (test/unit/db_fill) and a stand-in
# for vpnd's control socket. Run from the build directory (make check does).
set -u

VPNCTL_TEST=test_vpnctl
. "${srcdir:-.}/test/unit/vpnctl_lib.sh"

mkdir "$T/st" || exit 1
"$DB_FILL" "$T/st/vpnd.db" || { echo "FAIL: db_fill"; exit 1; }

# --- show crypto session: the IOS layout, client strings escaped --------------------------
run -S "$T/st" show crypto session
cat >"$T/expected" <<'EOF'
Crypto session current status

Interface: Virtual-Access2
Username: alice
Profile: vpn1-ra
Group: group1
Assigned address: 192.168.1.1
Session status: UP-ACTIVE
Peer: 172.18.143.2 port 4500
  IKEv1 SA: local 172.18.143.246/4500 remote 172.18.143.2/4500 Active
  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 host 192.168.1.1
        Active SAs: 2, origin: crypto map

Interface: Virtual-Access3
Username: bob "b" \ \x1b[31m\x0aé\xff'; DROP TABLE sessions; --
Profile: vpn1-ra
Group: group2
Session status: UP-IDLE
Peer: 10.0.0.5 port 500
  IKEv1 SA: local 10.0.0.1/500 remote 10.0.0.5/500 Active
  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0
        Active SAs: 2, origin: crypto map

EOF
if [ $RC -eq 0 ] && cmp -s "$T/out" "$T/expected"; then
	pass "show crypto session"
else
	fail "show crypto session (rc $RC)"; diff "$T/expected" "$T/out"
fi

# IOS abbreviations give the same output
run -S "$T/st" sh cry sess
cmp -s "$T/out" "$T/expected" && pass "abbreviated: sh cry sess" || fail "sh cry sess"

# --- detail --------------------------------------------------------------------------------
run -S "$T/st" show crypto session detail username alice
if [ $RC -eq 0 ] &&
   echo "$OUT" | grep -q "^Code: C - IKE Configuration mode, D - Dead Peer Detection$" &&
   echo "$OUT" | grep -q "^Uptime: [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$" &&
   echo "$OUT" | grep -q "^Peer: 172.18.143.2 port 4500 fvrf: (none) ivrf: (none)$" &&
   echo "$OUT" | grep -q "^          Capabilities:CNX connid:1$" &&
   echo "$OUT" | grep -q "^        Transform: esp-aes 256 esp-sha-hmac, spi in 0xc0ffee01 out 0xbeef0001$" &&
   echo "$OUT" | grep -q "^        Inbound:  #pkts dec'ed 10 drop 3 bytes 1000$" &&
   echo "$OUT" | grep -q "^        Outbound: #pkts enc'ed 12 bytes 1200$" &&
   echo "$OUT" | grep -q "^        Drops: auth 1 replay 2 other 3, counters at 20" &&
   ! echo "$OUT" | grep -q "bob"; then
	pass "show crypto session detail username alice"
else
	fail "show crypto session detail (rc $RC)"; echo "$OUT"
fi

run -S "$T/st" show crypto session brief
if [ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^172\.18\.143\.2 +Vi2 +alice +group1 +[0-9:]{8} UA$" &&
	echo "$OUT" | grep -Eq "^10\.0\.0\.5 +Vi3 .* group2 +[0-9:]{8} UI$"; then
	pass "show crypto session brief (alice active, bob without an IPsec SA idle)"
else
	fail "show crypto session brief"; echo "$OUT"
fi

# --- --json: every column, strings exact (invalid UTF-8 replaced) ---------------------------
run -S "$T/st" --json show crypto session
if [ $RC -eq 0 ] && json_check '
assert len(rows) == 2, rows
a, b = rows
assert a["username"] == "alice" and a["grp"] == "group1" and a["profile"] == "vpn1-ra", a
assert a["peer_addr"] == "172.18.143.2" and a["peer_port"] == 4500, a
assert a["local_addr"] == "172.18.143.246" and a["local_port"] == 4500, a
assert a["assigned_addr"] == "192.168.1.1" and a["ifname"] == "va2" and a["unit"] == 2, a
assert a["ike_spi_i"] == "0102030405060701" and a["ike_spi_r"] == "a1a2a3a4a5a6a701", a
assert a["esp_spi_in"] == "c0ffee01" and a["esp_spi_out"] == "beef0001", a
assert a["transform"] == "esp-aes 256 esp-sha-hmac", a
assert (a["pkts_in"], a["pkts_out"], a["bytes_in"], a["bytes_out"]) == (10, 12, 1000, 1200), a
assert (a["drop_auth"], a["drop_replay"], a["drop_other"]) == (1, 2, 3), a
assert a["ended"] is None and a["end_reason"] is None and a["started"] > 1.6e9, a
assert a["counters_at"] >= a["started"] and a["session_id"] == 1 and a["run_id"] >= 1, a
for col in ("id", "session_id", "run_id", "username", "grp", "profile", "peer_addr",
            "peer_port", "local_addr", "local_port", "assigned_addr", "ifname", "unit",
            "ike_spi_i", "ike_spi_r", "esp_spi_in", "esp_spi_out", "transform", "started",
            "ended", "end_reason", "pkts_in", "pkts_out", "bytes_in", "bytes_out",
            "drop_auth", "drop_replay", "drop_other", "counters_at"):
    assert col in a, col
assert b["username"] == "bob \"b\" \\ \x1b[31m\n\u00e9\ufffd'"'"'; DROP TABLE sessions; --", b
assert b["assigned_addr"] == "0.0.0.0" and b["counters_at"] is None, b
'; then
	pass "show crypto session --json"
else
	fail "show crypto session --json (rc $RC)"; echo "$OUT"
fi

run -S "$T/st" --json show crypto session username nobody
[ $RC -eq 0 ] && [ "$OUT" = "[
]" ] && pass "--json, no match: empty array" || fail "--json no match: $OUT"

run -S "$T/st" --json show crypto session remote 10.0.0.5 group group2
[ $RC -eq 0 ] && json_check 'assert len(rows) == 1 and rows[0]["unit"] == 3, rows' &&
	pass "filters remote + group" || fail "filters remote + group: $OUT"

run -S "$T/st" show crypto session remote 10.0.0
[ $RC -eq 1 ] && [ "$ERR" = "% Invalid address: '10.0.0'" ] && pass "bad remote address refused" ||
	fail "bad remote: rc $RC $ERR"

run -S "$T/st" show crypto session colour blue
[ $RC -eq 1 ] && [ "$ERR" = "% Invalid input: 'show crypto session colour blue' (usage: vpnctl show crypto session [username U | remote A | group G])" ] &&
	pass "bad filter refused" || fail "bad filter: rc $RC $ERR"

# --- history ---------------------------------------------------------------------------------
run -S "$T/st" show crypto session history
if [ $RC -eq 0 ] && echo "$OUT" | head -1 | grep -q "^Crypto session history$" &&
   echo "$OUT" | grep -q "^Username: carol$" &&
   echo "$OUT" | grep -q "^Session status: DOWN$" &&
   echo "$OUT" | grep -q "^End reason: peer delete$" &&
   echo "$OUT" | grep -q "^Ended: 20[0-9-]* [0-9:]* UTC (uptime [0-9:]*)$" &&
   echo "$OUT" | grep -q "^        Inbound:  #pkts dec'ed 5 drop 3 bytes 500$" &&
   ! echo "$OUT" | grep -q alice; then
	pass "show crypto session history"
else
	fail "show crypto session history (rc $RC)"; echo "$OUT"
fi
run -S "$T/st" --json show crypto session history
[ $RC -eq 0 ] && json_check '
assert len(rows) == 1, rows
c = rows[0]
assert c["username"] == "carol" and c["end_reason"] == "peer delete", c
assert c["ended"] >= c["started"] and c["pkts_in"] == 5, c
' && pass "show crypto session history --json" || fail "history --json: $OUT"

# --- sql -------------------------------------------------------------------------------------
run -S "$T/st" sql "SELECT username, ifname FROM sessions WHERE ended IS NULL AND unit = 2"
[ $RC -eq 0 ] && [ "$OUT" = "username|ifname
alice|va2" ] && pass "sql" || fail "sql: $OUT $ERR"
run -S "$T/st" sql "DELETE FROM sessions"
[ $RC -eq 1 ] && echo "$ERR" | grep -q "read-only" && pass "sql refuses a write" || fail "sql write: $ERR"
run -S "$T/st" --json sql "SELECT count(*) AS n FROM events"
[ $RC -eq 0 ] && json_check 'assert rows == [{"n": 1}], rows' && pass "sql --json" || fail "sql --json: $OUT"
# a query that never ends is stopped by the time limit, with a clear error
start=$(date +%s)
run -S "$T/st" sql "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
took=$(($(date +%s) - start))
[ $RC -eq 1 ] && [ "$ERR" = "vpnctl: query stopped after 2 s: time limit" ] && [ $took -le 5 ] &&
	pass "sql: an endless query is stopped after 2 s" || fail "sql endless: rc $RC in $took s: $ERR"
run -S "$T/st" sql "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
[ $RC -eq 1 ] && echo "$ERR" | grep -q "^vpnctl: stopped after 100000 rows" &&
	[ "$(echo "$OUT" | wc -l)" -eq 100001 ] && pass "sql: rows capped" || fail "sql rows: rc $RC $ERR"
run -S "$T/st" --json sql "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
[ $RC -eq 1 ] && json_check 'assert len(rows) == 100000 and rows[-1] == {"x": 100000}, rows[-1]' &&
	pass "sql --json: rows capped, output still parses" || fail "sql --json rows: rc $RC $ERR"
# functions that are not for reports: a code pointer, extensions, huge values
for q in "SELECT fts3_tokenizer('simple')" "SELECT load_extension('/nonexistent')" \
	"SELECT length(zeroblob(1000000000))" "SELECT * FROM pragma_table_info('sessions')" \
	"SELECT sqlite_compileoption_get(0)"; do
	run -S "$T/st" sql "$q"
	[ $RC -eq 1 ] && [ -z "$OUT" ] && echo "$ERR" | grep -q "not authorized" &&
		pass "sql refuses: $q" || fail "sql ran: $q: rc $RC '$OUT' '$ERR'"
done
run -S "$T/st" sql "SELECT length(replace(printf('%.1000000c', 'x'), 'x', 'xyz'))"
[ $RC -eq 1 ] && echo "$ERR" | grep -q "too big" && pass "sql: values capped" || fail "sql big value: rc $RC $ERR"
run -S "$T/st" sql "SELECT upper(username), strftime('%Y', 'now') > '2000', count(*) OVER () FROM sessions WHERE unit = 2"
[ $RC -eq 0 ] && echo "$OUT" | grep -q "^ALICE|1|1$" && pass "sql: plain functions work" || fail "sql functions: $OUT $ERR"

# --- show crypto isakmp peers: one entry per peer, the group as its phase 1 id -------------
run -S "$T/st" show crypto isakmp peers
cat >"$T/expected" <<'EOF'
Peer: 10.0.0.5 Port: 500 Local: 10.0.0.1
 Phase1 id: group2
Peer: 172.18.143.2 Port: 4500 Local: 172.18.143.246
 Phase1 id: group1
EOF
if [ $RC -eq 0 ] && cmp -s "$T/out" "$T/expected"; then
	pass "show crypto isakmp peers"
else
	fail "show crypto isakmp peers (rc $RC)"; diff "$T/expected" "$T/out"
fi
run -S "$T/st" sh cry isa pee 10.0.0.5
[ $RC -eq 0 ] && [ "$OUT" = "Peer: 10.0.0.5 Port: 500 Local: 10.0.0.1
 Phase1 id: group2" ] && pass "isakmp peers A" || fail "isakmp peers A: rc $RC '$OUT'"
run -S "$T/st" show crypto isakmp peers 10.9.9.9
[ $RC -eq 0 ] && [ -z "$OUT" ] && pass "isakmp peers: no such peer" || fail "peers none: '$OUT'"
run -S "$T/st" show crypto isakmp peers 10.0.0
[ $RC -eq 1 ] && [ "$ERR" = "% Invalid address: '10.0.0'" ] && pass "isakmp peers: bad address" ||
	fail "peers bad address: rc $RC '$ERR'"
run -S "$T/st" --json show crypto isakmp peers
[ $RC -eq 0 ] && json_check "
assert [r['peer_addr'] for r in rows] == ['10.0.0.5', '172.18.143.2'], rows
assert rows[1]['phase1_id'] == 'group1' and rows[1]['username'] == 'alice', rows
assert rows[1]['ike_sas'] == 2 and rows[1]['peer_port'] == 4500, rows
" && pass "isakmp peers --json" || fail "isakmp peers --json: $OUT"

# --- show crypto route: each live client's /32 on its Virtual-Access ---------------------------
run -S "$T/st" sh cry rou
cat >"$T/expected" <<'EOF'
VPN Routing Table: Shows RRI and VTI created routes
Codes: RRI - Reverse-Route, VTI- Virtual Tunnel Interface
        S - Static Map ACLs

Routes created in table GLOBAL DEFAULT
192.168.1.1/255.255.255.255 [1/0] via 0.0.0.0 tag 0
                                on Virtual-Access2 VTI
EOF
if [ $RC -eq 0 ] && cmp -s "$T/out" "$T/expected"; then
	pass "show crypto route (bob has no address, carol ended)"
else
	fail "show crypto route (rc $RC)"; diff "$T/expected" "$T/out"
fi
run -S "$T/st" --json show crypto route
[ $RC -eq 0 ] && json_check "
assert len(rows) == 1 and rows[0]['prefix'] == '192.168.1.1/32' and rows[0]['ifname'] == 'va2', rows
" && pass "crypto route --json" || fail "crypto route --json: $OUT"
run -S "$T/st" show crypto route extra
[ $RC -eq 1 ] && echo "$ERR" | grep -q "^% Invalid input" && pass "crypto route: no arguments" ||
	fail "crypto route extra: rc $RC '$ERR'"

# --- show crypto session summary ---------------------------------------------------------------
run -S "$T/st" sh cry sess summ
cat >"$T/expected" <<'EOF'
Crypto session summary

Total sessions: 2 (UP-ACTIVE 1)
Users: 2  Peers: 2

Group                    Sessions    Users    Peers
group1                          1        1        1
group2                          1        1        1
EOF
if [ $RC -eq 0 ] && cmp -s "$T/out" "$T/expected"; then
	pass "show crypto session summary"
else
	fail "show crypto session summary (rc $RC)"; diff "$T/expected" "$T/out"
fi
run -S "$T/st" show crypto session summary group group2
[ $RC -eq 0 ] && echo "$OUT" | grep -q "^Total sessions: 1 " && ! echo "$OUT" | grep -q "^group1" &&
	pass "summary group G" || fail "summary group: $OUT"
run -S "$T/st" --json show crypto session summary
[ $RC -eq 0 ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['sessions'] == 2 and d['up_active'] == 1, d
" "$T/out" && pass "summary --json: 2 sessions, 1 UP-ACTIVE" || fail "summary --json: $OUT"
run -S "$T/st" --json show crypto session summary username nobody
[ $RC -eq 0 ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['sessions'] == 0 and d['groups'] == [], d
" "$T/out" && pass "summary --json, nothing matches" || fail "summary --json: $OUT"

# --- vpnctl backup FILE: a copy SQLite opens, never over an existing file ------------------------
run -S "$T/st" backup "$T/copy.db"
[ $RC -eq 0 ] && python3 -c "
import sqlite3, sys, os, stat
assert stat.S_IMODE(os.stat(sys.argv[1]).st_mode) & 0o077 == 0
h = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
assert h.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
n = h.execute('SELECT count(*) FROM sessions').fetchone()[0]
u = [r[0] for r in h.execute('SELECT username FROM sessions WHERE ended IS NULL AND unit = 2')]
assert n == 3 and u == ['alice'], (n, u)
assert h.execute('PRAGMA journal_mode').fetchone()[0] == 'delete'
" "$T/copy.db" && pass "backup: the copy opens and holds the sessions" || fail "backup: rc $RC $OUT $ERR"
echo keep >"$T/exists"
run -S "$T/st" backup "$T/exists"
[ $RC -eq 1 ] && [ "$(cat "$T/exists")" = keep ] && echo "$ERR" | grep -q "File exists" &&
	pass "backup refuses an existing file" || fail "backup over a file: rc $RC $ERR"
run -S "$T/none" backup "$T/copy2.db"
[ $RC -eq 1 ] && [ ! -e "$T/copy2.db" ] && pass "backup: no store, no file" ||
	fail "backup without store: rc $RC"
run -S "$T/st" backup
[ $RC -eq 1 ] && echo "$ERR" | grep -q "usage: vpnctl backup FILE" && pass "backup needs FILE" ||
	fail "backup without FILE: rc $RC $ERR"

# --- show crypto ipsec sa: manual crypto map entries, as IOS prints them -------------------------
run -S "$T/st" show crypto ipsec sa interface cm0
cat >"$T/expected" <<'EOF'
interface: eth0
    Crypto map tag: CM, local addr 172.18.143.246

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (10.2.1.0/255.255.255.0/0/0)
   remote ident (addr/mask/prot/port): (10.3.1.0/255.255.255.0/0/0)
   current_peer 172.18.143.2 port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: 40, #pkts encrypt: 40, #pkts digest: 40
    #pkts decaps: 30, #pkts decrypt: 30, #pkts verify: 30
    #pkts compressed: 0, #pkts decompressed: 0
    #pkts not compressed: 0, #pkts compr. failed: 0
    #pkts not decompressed: 0, #pkts decompress failed: 0
    #pkts verify failed: 2, ##pkts replay failed (rcv): 0
    #send errors 0, #recv errors 3

     local crypto endpt.: 172.18.143.246, remote crypto endpt.: 172.18.143.2
     current outbound spi: 0x00002000(8192)
     PFS (Y/N): N, DH group: none

     inbound esp sas:
      spi: 0x00001000(4096)
        transform: esp-aes 256 esp-sha-hmac ,
        in use settings ={Tunnel, }
        conn id: 3, flow_id: SW:3, sibling_flags 80000040, crypto map: CM
        no sa timing
        IV size: 16 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

     inbound ah sas:

     inbound pcp sas:

     outbound esp sas:
      spi: 0x00002000(8192)
        transform: esp-aes 256 esp-sha-hmac ,
        in use settings ={Tunnel, }
        conn id: 4, flow_id: SW:4, sibling_flags 80000040, crypto map: CM
        no sa timing
        IV size: 16 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

     outbound ah sas:

     outbound pcp sas:

EOF
if [ $RC -eq 0 ] && cmp -s "$T/out" "$T/expected"; then
	pass "show crypto ipsec sa interface cm0: a manual entry (ACE idents, no sa timing)"
else
	fail "show crypto ipsec sa interface cm0 (rc $RC)"; diff "$T/expected" "$T/out"
fi
# every SA: the map's two live entries under one eth0 header, first; the replaced one gone
run -S "$T/st" show crypto ipsec sa
if [ $RC -eq 0 ] && [ "$(grep -c '^interface: eth0$' "$T/out")" = 1 ] &&
   [ "$(grep -c 'Crypto map tag: CM, local addr 172.18.143.246' "$T/out")" = 1 ] &&
   [ "$(grep -c '^   protected vrf' "$T/out")" = 3 ] &&
   grep -q 'spi: 0x00001001(4097)' "$T/out" && ! grep -q '0x00001002' "$T/out" &&
   [ "$(grep -n '^interface:' "$T/out" | cut -d: -f3 | tr -d ' ' | tr '\n' ,)" = "eth0,Virtual-Access2," ] &&
   grep -q 'sa timing: remaining key lifetime' "$T/out"; then
	pass "show crypto ipsec sa: manual entries first under their interface, then Virtual-Access2"
else
	fail "show crypto ipsec sa with manual entries (rc $RC)"; cat "$T/out"
fi
run -S "$T/st" show crypto ipsec sa interface eth0
[ $RC -eq 0 ] && [ "$(grep -c '^   protected vrf' "$T/out")" = 2 ] && ! grep -q Virtual-Access "$T/out" &&
	pass "show crypto ipsec sa interface eth0: the map's entries" ||
	fail "show crypto ipsec sa interface eth0 (rc $RC)"
run -S "$T/st" show crypto ipsec sa interface 'eth0;x'
[ $RC -eq 1 ] && echo "$ERR" | grep -q "Invalid interface" && [ -z "$OUT" ] &&
	pass "show crypto ipsec sa: a bad interface name refused" ||
	fail "show crypto ipsec sa interface 'eth0;x' (rc $RC: $ERR)"
run -S "$T/st" --json show crypto ipsec sa
if [ $RC -eq 0 ] && json_check "
m = [r for r in rows if r['crypto_map']]
assert [(r['map_seq'], r['ifname']) for r in m] == [(10, 'cm0'), (20, 'cm1')], m
r = m[0]
assert (r['map_iface'], r['local_ident'], r['local_mask'], r['remote_ident'], r['remote_mask']) == \
    ('eth0', '10.2.1.0', '255.255.255.0', '10.3.1.0', '255.255.255.0'), r
assert r['spi_in'] == '00001000' and r['session_id'] == 0xfffff000, r
assert r['remaining_seconds'] is None and r['remaining_kb_in'] is None and r['remaining_kb_out'] is None, r
assert (r['pkts_encaps'], r['pkts_decaps'], r['verify_fail'], r['recv_errors']) == (40, 30, 2, 1), r
v = [r for r in rows if not r['crypto_map']]
assert len(v) == 1 and v[0]['ifname'] == 'va2' and v[0]['remaining_seconds'] == 0, v
"; then
	pass "show crypto ipsec sa --json: manual entries' columns, null lifetimes"
else
	fail "show crypto ipsec sa --json (rc $RC)"
fi

# --- what this host dialled out (Easy VPN remote): initiator's view ------------------------------
mkdir "$T/ez" && "$DB_FILL" --ezvpn "$T/ez/vpnd.db" || fail "db_fill --ezvpn"
run -S "$T/ez" show crypto isakmp sa
echo "$OUT" | grep -Eq '^172\.18\.143\.246 +172\.18\.143\.2 +QM_IDLE +7 ACTIVE$' &&
	pass "show crypto isakmp sa: an SA we initiated has the server as dst, us as src" ||
	fail "show crypto isakmp sa, initiated: $OUT"
run -S "$T/st" show crypto isakmp sa
echo "$OUT" | grep -Eq '^172\.18\.143\.246 +172\.18\.143\.2 +QM_IDLE +1 ACTIVE$' &&
	pass "show crypto isakmp sa: a client's SA has the hub as dst, the client as src" ||
	fail "show crypto isakmp sa, responded: $OUT"
run -S "$T/ez" --json show crypto isakmp sa
[ $RC -eq 0 ] && json_check "assert [r['initiator'] for r in rows] == [1], rows" &&
	pass "show crypto isakmp sa --json: initiator" || fail "show crypto isakmp sa --json, initiated"
run -S "$T/ez" show crypto ipsec sa
echo "$OUT" | grep -qF 'local  ident (addr/mask/prot/port): (192.168.1.7/255.255.255.255/0/0)' &&
	echo "$OUT" | grep -qF 'remote ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)' &&
	pass "show crypto ipsec sa: our pushed address as the local ident of an SA we dialled" ||
	fail "show crypto ipsec sa, initiated: $OUT"
run -S "$T/ez" show crypto session
echo "$OUT" | grep -qF '  IPSEC FLOW: permit ip host 192.168.1.7 0.0.0.0/0.0.0.0' &&
	echo "$OUT" | grep -qx 'Profile: ezvpn e' &&
	pass "show crypto session: a session we dialled flows from our address to anything" ||
	fail "show crypto session, initiated: $OUT"

# IKEv2's shows and clear: test_vpnctl_ikev2.sh

# --- errors ----------------------------------------------------------------------------------
run -S "$T/st" show crypto foo
[ $RC -eq 1 ] && [ -z "$OUT" ] && [ "$ERR" = "% Invalid input: 'show crypto foo' (try 'vpnctl help')" ] &&
	pass "unknown show command" || fail "unknown command: rc $RC '$ERR'"

run -S "$T/st" s
[ $RC -eq 1 ] && echo "$ERR" | grep -q "^% Ambiguous command: 's'" && pass "ambiguous abbreviation" ||
	fail "ambiguous: rc $RC $ERR"

run help
[ $RC -eq 0 ] && echo "$OUT" | grep -q "^  show crypto session history" &&
	echo "$OUT" | grep -q "^  clear crypto session" && pass "help" || fail "help: $OUT"
run
[ $RC -eq 2 ] && echo "$ERR" | grep -q "^usage: vpnctl" && pass "no command: usage" || fail "no command: rc $RC"

cp "$T/st/vpnd.db" "$T/v99.db" && mkdir "$T/v99" && mv "$T/v99.db" "$T/v99/vpnd.db"
"$DB_FILL" --version 99 "$T/v99/vpnd.db" || fail "db_fill --version"
run -S "$T/v99" show crypto session
[ $RC -eq 1 ] && [ -z "$OUT" ] &&
	echo "$ERR" | grep -qx "vpnctl: $T/v99/vpnd.db has schema version 99, this vpnctl reads version [0-9]*" &&
	pass "other schema version refused" || fail "schema version: rc $RC '$ERR'"

run -S "$T/none" show crypto session
[ $RC -eq 1 ] && [ "$ERR" = "vpnctl: cannot open $T/none/vpnd.db: No such file or directory" ] &&
	pass "missing database" || fail "missing database: rc $RC '$ERR'"

run -S "$T/st" ping
[ $RC -eq 1 ] && [ "$ERR" = "vpnctl: cannot reach vpnd at $T/st/vpnd.sock: No such file or directory" ] &&
	pass "missing control socket" || fail "missing socket: rc $RC '$ERR'"

# --- control socket: a stand-in vpnd that logs what it gets --------------------------------
python3 - "$T/st/vpnd.sock" "$T/got" <<'EOF' &
import os, socket, sys
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
    line = data.decode()
    with open(log, "a") as f:
        f.write(line)
    words = line.split()
    if words == ["ping"]:
        c.sendall(b"pong 4242\n")
    elif words[:3] == ["clear", "crypto", "session"]:
        c.sendall(b"clearing matching sessions\n")
    else:
        c.sendall(("% unknown command: " + words[0] + "\n").encode())
    c.close()
EOF
SERVER_PID=$!
i=0
while [ ! -S "$T/st/vpnd.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

run -S "$T/st" ping
[ $RC -eq 0 ] && [ "$OUT" = "pong 4242" ] && pass "ping" || fail "ping: rc $RC '$OUT' '$ERR'"
run -S "$T/st" cl cry sess username alice
[ $RC -eq 0 ] && [ "$OUT" = "clearing matching sessions" ] && pass "clear (abbreviated)" ||
	fail "clear: rc $RC '$OUT' '$ERR'"
run -S "$T/st" frobnicate crypto now
[ $RC -eq 1 ] && [ "$OUT" = "% unknown command: frobnicate" ] && pass "unlisted command goes to vpnd, '%' answer fails" ||
	fail "forwarded: rc $RC '$OUT'"
run -S "$T/st" deb cry cond username alice
[ $RC -eq 1 ] && [ "$OUT" = "% unknown command: debug" ] && pass "abbreviated debug command sent in full" ||
	fail "debug forwarded: rc $RC '$OUT'"
run -S "$T/st" clear crypto session username "alice
shutdown"
[ $RC -eq 1 ] && pass "a line break in a word is not sent" || fail "line break sent: rc $RC"
printf 'ping\nclear crypto session username alice\nfrobnicate crypto now\ndebug crypto condition username alice\n' >"$T/want"
cmp -s "$T/got" "$T/want" && pass "vpnd got exactly one line per command" ||
	{ fail "lines sent"; diff "$T/want" "$T/got"; }

[ $FAILED -eq 0 ] && echo "all vpnctl tests passed"
exit $FAILED
