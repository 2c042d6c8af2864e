#!/bin/bash
# Crash recovery with a real vpnc session: for each of the parent, ikemgr, keymgr, tunmgr and control,
# kill -9 it with a session up and traffic counted, then: every vpnd process is gone within
# 5 s, no vaN interface is left in the hub, the session row ended with reason 'crash' and its
# last counters, and a restarted vpnd on the same state directory serves a new client.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin vpnc ip sqlite3 ping
ns_setup || fail "namespace setup"

CONF=$SRCDIR/test/data/hub-aes.conf
ST=$T/st
DB=$ST/vpnd.db
q() { sqlite3 "$DB" "$1"; }
no_va() { ! ip netns exec vpnd_hub ip -o link show | grep -q ' va[0-9]'; }
no_vpnd() { [ -z "$(ip netns pids vpnd_hub)" ]; }

connect() {
	vpnc_start "$T/vpnc" user=alice password=Up55aaSecret secret=Gk7f3a9c2eSecret \
		|| { tail -30 "$ST/vpnd.log" >&2; fail "$1: vpnc did not connect"; }
	cl ping -c 3 -i 0.05 -w 5 10.2.1.10 >/dev/null || fail "$1: no traffic through the tunnel"
}

for victim in parent ikemgr keymgr tunmgr control; do
	echo "=== kill -9 $victim"
	vpnd_start "$CONF" "$ST"
	connect "$victim"
	# tunmgr reports counters every 5 s
	wait_until 8 sh -c "[ \"\$(sqlite3 $DB 'SELECT pkts_in FROM sessions WHERE ended IS NULL')\" -gt 0 ]" \
		|| fail "$victim: counters of the live session never reached the store"
	id=$(q "SELECT id FROM sessions WHERE ended IS NULL")
	hub ip -o link show | grep -q ' va[0-9]' || fail "$victim: no vaN interface with the session up"
	if [ "$victim" = parent ]; then
		pid=$VPND_PID
	else
		pid=$(child_pid "$victim")
		[ -n "$pid" ] || fail "no $victim process"
	fi
	kill -KILL "$pid"
	# every process goes: the children see the parent's channel close, the parent a child's death
	wait_until 5 no_vpnd || { ip netns pids vpnd_hub | xargs -r ps -o pid,args -p >&2; fail "$victim: vpnd processes left 5 s after kill -9"; }
	wait "$VPND_PID" 2>/dev/null
	VPND_PID=
	no_va || fail "$victim: vaN interface left after the crash"
	vpnc_stop
	if [ "$victim" != parent ]; then
		# the parent closed the rows itself, before the survivors could call it a shutdown
		[ "$(q "SELECT end_reason FROM sessions WHERE id = $id")" = crash ] \
			|| fail "$victim: session ended as '$(q "SELECT end_reason FROM sessions WHERE id = $id")', not crash"
	fi

	vpnd_start "$CONF" "$ST"
	no_va || fail "$victim: vaN interface after the restart"
	[ "$(q "SELECT end_reason FROM sessions WHERE id = $id")" = crash ] || fail "$victim: session not ended with reason crash"
	[ "$(q "SELECT pkts_in > 0 AND pkts_out > 0 AND ended IS NOT NULL FROM sessions WHERE id = $id")" = 1 ] \
		|| fail "$victim: the crashed session lost its counters: $(q "SELECT * FROM sessions WHERE id = $id")"
	[ "$(q 'SELECT count(*) FROM sessions WHERE ended IS NULL')" = 0 ] || fail "$victim: open rows after restart"
	connect "$victim (after restart)"
	pass "$victim: no interface left, session $id ended 'crash' with its counters, new client served"
	vpnc_stop
	vpnd_stop "$ST"
done
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after five crashes"
pass "session store intact after five crashes"
