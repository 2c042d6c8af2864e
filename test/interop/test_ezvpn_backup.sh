#!/bin/bash
# backup-gateway followed when the hub is gone. The primary hub (the seed's server example)
# pushes `backup-gateway 10.2.1.10` in Mode Config; a vpnd Easy VPN remote (the seed's client
# example, connect auto, crypto isakmp keepalive) learns it. The primary is killed (-9, no
# DELETE): the client's DPD finds it dead and the client dials the backup server, a third vpnd
# in the inside host's namespace, and carries traffic through it.
#
#   vpnd_lan -- [client vpnd] 172.18.143.2 -- 172.18.143.246 [primary hub] 10.2.1.1
#        -- 10.2.1.10 [backup hub, 10.9.9.9 on lo]
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin ip ping nft python3
ns_setup || fail "namespace setup"
ns_add_lan || fail "the LAN behind the client"

hst=$T/hub bst=$T/backup cst=$T/client
sed 's/^ pool group1pool$/ pool group1pool\n backup-gateway 10.2.1.10/' "$SRCDIR/etc/seed-dvti.conf" >"$T/hub.conf"
grep -q "backup-gateway 10.2.1.10" "$T/hub.conf" || fail "could not add backup-gateway to the hub's configuration"
sed -e 's/172\.18\.143\.23 /172.18.143.2 /' -e 's/^ connect manual$/ connect auto/' \
	"$SRCDIR/etc/seed-ezvpn-client.conf" | grep -v '^end$' >"$T/client.conf"
echo "crypto isakmp keepalive 10 2" >>"$T/client.conf"

dump() {
	local f
	for f in "$hst" "$bst" "$cst"; do echo "--- $f" >&2; tail -20 "$f/vpnd.log" >&2; done
}
die() { dump; fail "$*"; }
ezshow() { "$VPNCTL" -S "$cst" show crypto ipsec client ezvpn; }
active_with() { ezshow | grep -q "Current State: IPSEC_ACTIVE" && ezshow | grep -q "Current EzVPN Peer: $1"; }

# the backup server is reached through the primary hub's namespace, outside any tunnel
cl ip route add 10.2.1.10/32 via 172.18.143.246 || fail "route to the backup server"
inh ip addr add 10.9.9.9/32 dev lo || fail "address behind the backup server"

vpnd_start "$T/hub.conf" "$hst"
vpnd_start_in "$SRCDIR/test/data/backup-hub.conf" "$bst"
vpnd_start_cl "$T/client.conf" "$cst"

wait_until 20 active_with 172.18.143.246 || { ezshow >&2; die "no session with the primary hub"; }
lan ping -c1 -w 5 10.2.1.1 >/dev/null || die "no traffic through the primary hub"
wait_until 5 grep -q "names backup server 10.2.1.10" "$cst/vpnd.log" ||
	die "keymgr did not take the pushed backup-gateway"
grep -q "backup server accepted on keymgr's word" "$cst/vpnd.log" || die "tunmgr was not told of the backup server"
pass "the primary pushed backup-gateway 10.2.1.10; keymgr and tunmgr accepted it"

t0=$(date +%s%N)
kill -KILL "$VPND_PID"; wait "$VPND_PID" 2>/dev/null; VPND_PID=
wait_until 60 active_with 10.2.1.10 || { ezshow >&2; die "the client did not move to the backup server"; }
echo "moved to the backup server $(( ($(date +%s%N) - t0) / 1000000 )) ms after the primary died"
grep -q "does not answer DPD" "$cst/vpnd.log" || die "the move was not DPD's doing"
lan ping -c1 -w 5 10.9.9.9 >/dev/null || die "no traffic through the backup server"
"$VPNCTL" -S "$bst" show crypto session detail | grep -q "172.18.143.2" ||
	die "the backup server shows no session from the client"
ezshow | grep -q "Address: 192.168.2." || die "the address is not the backup server's pool's"
pass "backup-gateway followed when the hub is gone: DPD, then the backup server, traffic through it"
