#!/bin/bash
# Rekeys the hub starts (RFC 7296 1.3, 2.8, 2.18), with strongSwan's charon (kernel-libipsec)
# as an IKEv2 client that never rekeys on its own (rekey_time 0 for both kinds of SA), so that
# every rekey seen is the hub's. test/data/hub-ikev2-rekey.conf: CHILD_SAs live 2560 KB with
# PFS in group 14, the IKE SA 120 s, DPD every 10 s of silence.
# Checked:
#  - under iperf3 at 10 Mbit/s the hub rekeys the CHILD_SA again and again (CREATE_CHILD_SA
#    with REKEY_SA and KE), deletes each old SA itself, and iperf3 loses nothing; charon ends
#    with one CHILD_SA, not the one it started with;
#  - near 120 s the hub rekeys the IKE SA under iperf3 load (CREATE_CHILD_SA with an IKE
#    proposal), deletes the old one, and the session stays the same (one session, same vaN);
#  - on the new IKE SA the hub is the initiator: its next CHILD_SA rekeys go out on it, charon's
#    own requests on it (a CHILD_SA rekey, an IKE SA rekey, swanctl --rekey) are answered, and
#    traffic flows after each;
#  - charon's DELETE ends the session (the vaN goes), no sanitizer report.
# Needs root; fails (never skips) when strongSwan is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

CONF=$SRCDIR/test/data/hub-ikev2-rekey.conf
GW=172.18.143.246

interop_begin swanctl iperf3 ip python3 ping unshare
swan_require
"$VPND" -n -f "$CONF" >"$T/check.log" 2>&1 || { cat "$T/check.log" >&2; fail "vpnd -n refuses $CONF"; }

ns_setup || fail "namespace setup"
inh iperf3 -s >/dev/null 2>&1 &
IPERF_PID=$!

st=$T/hub
dump() {
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2
		grep -E "\[(IKE|ENC|CFG|NET|CHD)\]" "$SWAN_DIR/charon.log" | grep -vE "(queueing|activating) " | tail -30 >&2; }
}
die() { dump; fail "$*"; }
ctl() { "$VPNCTL" -S "$st" "$@"; }
va_list() { hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1; }
sessions() { ctl --json show crypto session | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
clog() { grep -cE "$1" "$SWAN_DIR/charon.log"; }
# charon's view of the SAs: the CHILD_SA's inbound SPI, the IKE SA's SPIs
child_spi() { swan_sas | sed -n 's/^ *in  *\([0-9a-f]\{8\}\).*/\1/p' | head -1; }
ike_spis() { swan_sas | sed -n 's/.*ESTABLISHED, IKEv2, \([0-9a-f]*_i\*\{0,1\} [0-9a-f]*_r\*\{0,1\}\).*/\1/p' | head -1; }
# iperf3 NAME SECONDS: cl -> in at 10 Mbit/s; the receiver must count nearly all that was sent
iperf() {
	timeout $(( $2 + 30 )) ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -t "$2" -b 10M -J >"$T/iperf-$1.json" ||
		die "iperf3 $1 failed: $(tail -5 "$T/iperf-$1.json")"
	python3 - "$T/iperf-$1.json" "$1" <<'PY' || die "iperf3 $1: short transfer"
import json, sys
e = json.load(open(sys.argv[1]))["end"]
sent, got = e["sum_sent"]["bytes"], e["sum_received"]["bytes"]
print(f"iperf3 {sys.argv[2]}: {sent/1e6:.1f} MB sent, {got/1e6:.1f} MB received")
sys.exit(0 if sent > 5e6 and got >= 0.95 * sent else 1)
PY
}

vpnd_start "$CONF" "$st"
swan_v2_start "$T/swan" gateway=$GW local_id=client.example.com remote_id=hub.example.com \
	sign_key=Cl4v2Key3bSecret verify_key=Hub7v2Key9aSecret esp=aes256-sha256-modp2048 \
	rekey_time=0 child_rekey_time=0 || die "charon did not start"
swan_up 10 || die "charon did not connect"
t_up=$(date +%s)
cl ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping through the fresh tunnel"
va=$(va_list | head -1)
[ -n "$va" ] || die "no vaN on the hub"
spi0=$(child_spi)
ike0=$(ike_spis)
[ -n "$spi0" ] && [ -n "$ike0" ] || { swan_sas; die "cannot read charon's SPIs"; }

# --- CHILD_SA rekeys by the hub, by volume, under load -------------------------------------
CHILD_REKEY='parsed CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]'
iperf child 8
n=$(clog "$CHILD_REKEY")
[ "$n" -ge 3 ] || die "$n CHILD_SA rekeys from the hub during 8 s at 10 Mbit/s (2560 KB lifetime)"
d=$(clog 'received DELETE for ESP CHILD_SA')
[ "$d" -ge $((n - 1)) ] || die "$n rekeys but only $d old CHILD_SAs deleted by the hub"
grep -qE "generating CREATE_CHILD_SA request" "$SWAN_DIR/charon.log" &&
	die "charon started a rekey itself: the test's premise is broken"
wait_until 10 sh -c "[ \"\$(ip netns exec vpnd_cl swanctl --list-sas --uri unix://$SWAN_DIR/charon.vici | grep -c 'INSTALLED, TUNNEL')\" = 1 ]" ||
	{ swan_sas; die "charon does not end with one CHILD_SA"; }
[ "$(child_spi)" != "$spi0" ] || die "charon's CHILD_SA is still the first one"
[ "$(sessions)" = 1 ] && [ "$(va_list)" = "$va" ] || die "the session or its $va changed"
pass "CHILD_SA rekeyed $n times by the hub with PFS under iperf3, $d old SAs deleted by it, nothing lost"

# --- the IKE SA rekey by the hub, at 85-90 % of 120 s, under load ---------------------------
IKE_REKEY='parsed CREATE_CHILD_SA request [0-9]+ \[ SA No KE \]'
[ "$(clog "$IKE_REKEY")" = 0 ] || die "an IKE SA rekey before its time"
left=$(( t_up + 95 - $(date +%s) ))
[ "$left" -gt 0 ] && sleep "$left"
iperf ike 20 &
IPERF_C=$!
wait_until 40 sh -c "[ \"\$(grep -cE '$IKE_REKEY' $SWAN_DIR/charon.log)\" -ge 1 ]" ||
	die "no IKE SA rekey from the hub by $(( $(date +%s) - t_up )) s (lifetime 120)"
t_rk=$(( $(date +%s) - t_up ))
wait_until 10 grep -q "received DELETE for IKE_SA" "$SWAN_DIR/charon.log" ||
	die "the hub did not delete the IKE SA it rekeyed"
wait "$IPERF_C" || die "iperf3 across the IKE SA rekey"
ike1=$(ike_spis)
[ -n "$ike1" ] && [ "$ike1" != "$ike0" ] || { swan_sas; die "charon's IKE SA did not change ($ike0)"; }
[ "$(swan_sas | grep -c ESTABLISHED)" = 1 ] || { swan_sas; die "charon holds more than one IKE SA"; }
[ "$(sessions)" = 1 ] && [ "$(va_list)" = "$va" ] || die "the session or its $va changed across the IKE SA rekey"
# the hub's next CHILD_SA rekeys went out on the new SA, whose message IDs start again at 0
grep -qE "parsed CREATE_CHILD_SA request 0 \[ N\(REKEY_SA\) SA No KE TSi TSr \]" "$SWAN_DIR/charon.log" ||
	die "no CHILD_SA rekey from the hub on the new IKE SA"
pass "IKE SA rekeyed by the hub at ${t_rk} s under iperf3, old SA deleted by it, same session on $va; its CHILD_SA rekeys go on over the new SA"

# --- charon's own requests on the SA the hub initiated ---------------------------------------
before=$(clog 'parsed CREATE_CHILD_SA response')
swan_ctl --rekey --child vpnd >/dev/null || die "swanctl --rekey --child"
wait_until 10 sh -c "[ \"\$(grep -c 'parsed CREATE_CHILD_SA response' $SWAN_DIR/charon.log)\" -gt $before ]" ||
	die "the hub did not answer charon's CHILD_SA rekey on the SA the hub started"
cl ping -c 3 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "no ping after charon's CHILD_SA rekey"
swan_ctl --rekey --ike vpnd >/dev/null || die "swanctl --rekey --ike"
wait_until 10 sh -c "[ \"\$(grep -c 'parsed CREATE_CHILD_SA response' $SWAN_DIR/charon.log)\" -gt $((before + 1)) ]" ||
	die "the hub did not answer charon's IKE SA rekey on the SA the hub started"
cl ping -c 3 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "no ping after charon's IKE SA rekey"
[ "$(sessions)" = 1 ] && [ "$(va_list)" = "$va" ] || die "the session or its $va changed"
pass "charon's CHILD_SA and IKE SA rekeys answered on the SA the hub initiated; ping after each"

swan_down 10 || die "charon did not hang up"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" >/dev/null 2>&1 || die "$va still there after charon's DELETE"
grep -q "declared dead" "$st/vpnd.log" && die "the hub declared the peer dead"
pass "charon's DELETE ends the session; no peer declared dead"
