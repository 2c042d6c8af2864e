#!/bin/bash
# The session shows against a live vpnc session: show crypto isakmp peers [A], show crypto
# session brief | summary | username U | group G, show crypto route (each text and --json,
# abbreviated too), vpnctl backup FILE; then db history keep 30 at vpnd's next start deletes a
# closed session aged 40 days and keeps one closed today, and a reload prunes at once. What the
# shows say is checked against what the client and the kernel say (vpnc's address, its route).
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin vpnc ip python3
ns_setup || fail "namespace setup"
st=$T/hub
die() { echo "--- vpnd log" >&2; tail -20 "$st/vpnd.log" >&2; fail "$*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }
# json EXPR: a Python expression over the JSON on stdin (bound to j)
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
# has OUT REGEX...: every extended regex matches a whole line of OUT
has() {
	local out=$1 re; shift
	for re in "$@"; do
		echo "$out" | grep -qxE "$re" || { echo "$out" >&2; die "no line /$re/"; }
	done
}
connect() {
	vpnc_start "$T/vc" secret=Gk7f3a9c2eSecret user=cisco password=cisco123 natt=none ||
		die "vpnc did not connect"
	. "$T/vc/up"
	# vpnc runs its script when it sends quick mode's last message; the hub counts the
	# session up when that message arrives
	wait_until 10 sh -c "$VPNCTL -S $st sql 'SELECT count(*) FROM sessions WHERE ended IS NULL' | tail -1 | grep -qx 1" ||
		die "the hub has no live session"
}

vpnd_start "$SRCDIR/test/data/hub-show.conf" "$st"
connect
va=$(hub ip route show "$address" | sed -n 's/.* dev \(va[0-9]*\).*/\1/p')
[ -n "$va" ] || die "no route to vpnc's $address"
n=${va#va}
pass "vpnc $address on $va"

# ---- show crypto isakmp peers
out=$(ctl show crypto isakmp peers) || die "show crypto isakmp peers failed"
has "$out" "Peer: 172\.18\.143\.2 Port: 500 Local: 172\.18\.143\.246" " Phase1 id: group1"
[ "$(ctl sh cry isa pee)" = "$out" ] || die "sh cry isa pee differs"
[ "$(ctl show crypto isakmp peers 172.18.143.2)" = "$out" ] || die "peers A: not the same"
[ -z "$(ctl show crypto isakmp peers 172.18.143.99)" ] || die "peers: another address listed"
[ "$(ctl --json show crypto isakmp peers | json "[(r['peer_addr'], r['peer_port'], r['phase1_id'], r['username']) for r in j]")" = \
  "[('172.18.143.2', 500, 'group1', 'cisco')]" ] || die "isakmp peers --json"
pass "show crypto isakmp peers [A]: vpnc's address and port, group group1 as phase 1 id"

# ---- show crypto session brief / summary / username / group
out=$(ctl sh cry sess br) || die "show crypto session brief failed"
has "$out" "Peer +I/F +Username +Group/Phase1_id +Uptime +Status" \
	"172\.18\.143\.2 +Vi$n +cisco +group1 +[0-9]{2}:[0-9]{2}:[0-9]{2} +UA"
pass "show crypto session brief: 172.18.143.2 Vi$n cisco group1 UA"
out=$(ctl show crypto session summary) || die "summary failed"
has "$out" "Total sessions: 1 \(UP-ACTIVE 1\)" "Users: 1  Peers: 1" "group1 +1 +1 +1"
[ "$(ctl --json sh cry sess summ | json "(j['sessions'], [(g['grp'], g['sessions']) for g in j['groups']])")" = \
  "(1, [('group1', 1)])" ] || die "summary --json"
[ "$(ctl --json show crypto session summary group nosuch | json "j['sessions']")" = 0 ] ||
	die "summary group nosuch counts something"
pass "show crypto session summary: 1 session in group1, 0 in a group with none"
out=$(ctl show crypto session username cisco) || die "session username failed"
has "$out" "Interface: Virtual-Access$n" "Username: cisco" "Group: group1" "Assigned address: $address"
[ "$(ctl sh cry sess group group1)" = "$out" ] || die "session group group1 differs from username cisco"
for f in "username nobody" "group nosuch"; do
	# shellcheck disable=SC2086
	o=$(ctl show crypto session $f) || die "session $f failed"
	echo "$o" | grep -q "^Interface:" && { echo "$o" >&2; die "session $f lists a session"; }
done
[ "$(ctl --json show crypto session username cisco | json "[(r['username'], r['ifname']) for r in j]")" = \
  "[('cisco', '$va')]" ] || die "session username --json"
pass "show crypto session username cisco / group group1 show it; nobody / nosuch show none"

# ---- show crypto route: the /32 the kernel has on vaN
out=$(ctl sh cry ro) || die "show crypto route failed"
has "$out" "Routes created in table GLOBAL DEFAULT" \
	"${address//./\\.}/255\.255\.255\.255 \[1/0\] via 0\.0\.0\.0 tag 0" " +on Virtual-Access$n VTI"
hub ip route show "$address/32" dev "$va" | grep -q . || die "the kernel has no $address/32 on $va"
[ "$(ctl --json show crypto route | json "[(r['prefix'], r['ifname']) for r in j]")" = \
  "[('$address/32', '$va')]" ] || die "crypto route --json"
pass "show crypto route: $address/32 on Virtual-Access$n, as in the kernel"

# ---- vpnctl backup FILE
ctl backup "$T/copy.db" >/dev/null || die "vpnctl backup failed"
python3 - "$T/copy.db" "$va" <<'PY' || die "the backup does not hold the live session"
import sqlite3, sys
h = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
assert h.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
rows = h.execute("SELECT username, grp, ifname FROM sessions WHERE ended IS NULL").fetchall()
assert rows == [('cisco', 'group1', sys.argv[2])], rows
assert h.execute("SELECT count(*) FROM ike_sas WHERE ended IS NULL").fetchone()[0] == 1
PY
ctl backup "$T/copy.db" 2>/dev/null && die "backup overwrote an existing file"
pass "vpnctl backup: the copy opens, holds the live session and its IKE SA; no overwrite"

# ---- db history keep 30
ctl show running-config | grep -qx "db history keep 30" || die "running-config: no db history keep 30"
old=$(ctl sql "SELECT session_id FROM sessions WHERE ended IS NULL" | tail -1)
vpnc_stop
wait_until 10 sh -c "$VPNCTL -S $st sql 'SELECT count(*) FROM sessions WHERE ended IS NULL' | tail -1 | grep -qx 0" ||
	die "the first session did not end"
connect
vpnc_stop
vpnd_stop "$st"
# the first session (its SAs, its events) ended 40 days ago, the second one today
python3 - "$st/vpnd.db" "$old" <<'PY' || die "could not age the first session"
import sqlite3, sys
h = sqlite3.connect(sys.argv[1])
d, sid = 40 * 86400, int(sys.argv[2])
h.execute("UPDATE sessions SET started = started - ?, ended = ended - ? WHERE session_id = ?", (d, d, sid))
h.execute("UPDATE ike_sas SET established = established - ?, ended = ended - ? WHERE session_id = ?", (d, d, sid))
h.execute("UPDATE ipsec_sas SET installed = installed - ?, ended = ended - ? WHERE session_id = ?", (d, d, sid))
h.execute("UPDATE events SET t = t - ? WHERE session_id = ?", (d, sid))
h.commit()
assert h.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2
PY
vpnd_start "$SRCDIR/test/data/hub-show.conf" "$st"
wait_until 20 grep -q "db history keep 30: [0-9]* rows older than 30 days deleted" "$st/vpnd.log" ||
	die "no prune within 20 s of the start"
python3 - "$st/vpnd.db" "$old" <<'PY' || die "the prune did not delete exactly the aged session"
import sqlite3, sys
h = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
sid = int(sys.argv[2])
left = h.execute("SELECT session_id FROM sessions WHERE end_reason IS NOT NULL").fetchall()
assert len(left) == 1 and left[0][0] != sid, left
for t in ('ike_sas', 'ipsec_sas', 'events'):
    n = h.execute("SELECT count(*) FROM %s WHERE session_id = ?" % t, (sid,)).fetchone()[0]
    assert n == 0, (t, n)
PY
pass "db history keep 30: the session closed 40 days ago went (with SAs and events), today's stayed"

# a reload runs the prune at once (a new or shorter DAYS must not wait a day): age every
# closed session while vpnd runs, reload, and they go
python3 - "$st/vpnd.db" <<'PY' || die "could not age the closed sessions"
import sqlite3, sys
h = sqlite3.connect(sys.argv[1], timeout=5)
h.execute("UPDATE sessions SET started = started - 3456000, ended = ended - 3456000 WHERE ended IS NOT NULL")
h.commit()
PY
ctl reload >/dev/null || die "reload failed"
wait_until 10 sh -c "[ \$(grep -c 'db history keep 30: [0-9]* rows' $st/vpnd.log) -ge 2 ]" ||
	die "no prune after the reload"
[ "$(ctl sql 'SELECT count(*) FROM sessions' | tail -1)" = 0 ] || die "closed sessions left after the reload's prune"
pass "reload: the prune runs at once"
vpnd_stop "$st"
