#!/bin/bash
# Rekeys under load with strongSwan's charon (kernel-libipsec) as an IKEv1 aggressive + XAuth
# client. One long iperf3 flow (inside -> client, measured by the client as it receives) runs
# across: phase-2 rekeys started by the hub (lifetime 80 MB in hub-rekey.conf, pushed there by a
# second, faster flow during the first 20 s), phase-2 rekeys started by charon (every 12 s once
# the fast flow stops), and a phase-1 rekey by charon (after 25 s). The flow must not break
# nor stall for a second; the session keeps its id, interface and address throughout.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

interop_begin swanctl iperf3 ip python3 ping unshare
swan_require
ns_setup || fail "namespace setup"

inh iperf3 -s -p 5201 >/dev/null 2>&1 &
IPERF_PIDS=$!
inh iperf3 -s -p 5202 >/dev/null 2>&1 &
IPERF_PIDS="$IPERF_PIDS $!"

name=rekey
st=$T/$name
dump() {
	echo "--- vpnd log" >&2; grep -vE "debug" "$st/vpnd.log" | tail -40 >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|CHD)\]" "$st/swan/charon.log" | tail -30 >&2
}
die() { dump; fail "$name: $*"; }

echo "=== $name: hub-rekey.conf (phase 2 lifetime 81920 KB), charon rekeys IKE at 25 s, CHILD at 12 s"
vpnd_start "$SRCDIR/test/data/hub-rekey.conf" "$st"
swan_start "$st/swan" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
	ike=aes256-sha256-modp2048 esp=aes128gcm128-modp2048 \
	rekey_time=25s over_time=10s conn_extra="rand_time = 0s" \
	child_rekey_time=12s child_extra="rand_time = 0s
				life_time = 120s" || die "charon did not start"
swan_up 20 || die "charon did not connect"
cl ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the fresh tunnel"
vip=$(swan_vip)
va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
[ -n "$va" ] && [ -n "$vip" ] || die "no interface or virtual IP"
sid=$("$VPNCTL" -S "$st" sql "SELECT session_id FROM sessions WHERE ended IS NULL" | tail -1)
echo "session $sid on $va, virtual IP $vip"

# the long flow, measured by the client in 0.25 s intervals; the fast one pushes the
# hub's kilobyte lifetime during the first 20 s
timeout 80 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -p 5201 -R -t 50 -b 8M -i 0.25 -J \
	>"$st/long.json" 2>"$st/long.err" &
long=$!
timeout 40 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -p 5202 -t 20 -b 60M -J \
	>"$st/fast.json" 2>"$st/fast.err" || die "the fast iperf3 flow failed: $(tail -3 "$st/fast.err")"
wait $long || die "the long iperf3 flow broke during the rekeys: $(tail -3 "$st/long.err"; tail -5 "$st/long.json")"

python3 - "$st/long.json" <<'PY' || die "the long flow stalled"
import json, sys
r = json.load(open(sys.argv[1]))
iv = [i["sum"]["bytes"] for i in r["intervals"]]
run = worst = 0
for b in iv:
    run = run + 1 if b == 0 else 0
    worst = max(worst, run)
recv = r["end"]["sum_received"]["bytes"]
print(f"ok: long flow: {len(iv)} intervals of 0.25 s, {recv/1e6:.1f} MB received, "
      f"longest stall {worst * 0.25:.2f} s")
if worst >= 4:
    sys.exit(f"FAIL: {worst * 0.25:.2f} s without a byte")
if recv < 0.8 * 50 * 1e6:     # 8 Mbit/s for 50 s = 50 MB
    sys.exit(f"FAIL: only {recv} bytes")
PY
[ $? = 0 ] || die "long flow check"

hub_rekeys=$(grep -c "rekey started by the hub" "$st/vpnd.log")
all_sas=$(grep -c "IPsec SA in [0-9a-f]* out" "$st/vpnd.log")
client_rekeys=$((all_sas - hub_rekeys - 1))
p1=$(grep -c "phase 1 rekeyed by the client" "$st/vpnd.log")
echo "phase-2 SAs: $all_sas (hub-initiated rekeys $hub_rekeys, client-initiated $client_rekeys); phase-1 rekeys $p1"
[ "$hub_rekeys" -ge 1 ] || die "the hub never rekeyed on its kilobyte lifetime"
[ "$client_rekeys" -ge 1 ] || die "charon never rekeyed"
[ $((hub_rekeys + client_rekeys)) -ge 3 ] || die "fewer than three phase-2 rekeys"
[ "$p1" -ge 1 ] || die "no phase-1 rekey by the client"
pass "$name: $hub_rekeys hub + $client_rekeys client phase-2 rekeys and $p1 phase-1 rekey during 50 s of iperf3"

# one session all along: same interface, same address, no second session
hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | grep -qx "$va" || die "$va is gone"
[ "$(hub ip -o link show | grep -c ' va[0-9]')" = 1 ] || die "more than one interface: $(hub ip -o link show | grep ' va')"
[ "$(swan_vip)" = "$vip" ] || die "virtual IP changed from $vip to $(swan_vip)"
n=$("$VPNCTL" -S "$st" sql "SELECT count(*) FROM sessions" | tail -1)
[ "$n" = 1 ] || die "$n session rows: a rekey made a new session"
cl ping -c 3 -i 0.2 -w 5 10.2.1.10 >/dev/null || die "tunnel dead after the rekeys"
grep -q "session $sid down" "$st/vpnd.log" && die "session $sid went down"
# the replaced SAs went away, on the hub and in charon
sleep 12
live=$(swan_sas | grep -c "INSTALLED")
[ "$live" -le 2 ] || { swan_sas; die "$live CHILD_SAs installed in charon: replaced ones not deleted"; }
pass "$name: session $sid kept $va and $vip; $live CHILD_SA(s) left in charon"

swan_down 10 || die "swanctl --terminate failed"
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || die "$va still there after disconnect"
vpnd_stop "$st"
grep -qiE "sanitizer|runtime error|fatal" "$st/vpnd.log" &&
	{ grep -iE "sanitizer|runtime error|fatal" "$st/vpnd.log" >&2; fail "$name: errors in the log"; }
echo "rekey scenarios passed"
