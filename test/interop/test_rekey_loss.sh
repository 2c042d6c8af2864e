#!/bin/bash
# A phase-2 rekey whose answer is lost. charon (kernel-libipsec, IKEv1 aggressive + XAuth)
# starts a CHILD rekey while a TCP flow runs inside -> client; nftables in the client namespace
# drops the hub's first quick-mode answer, so charon has the new SA only after its retransmit,
# 4 s later. Until then the hub must keep sending on the old SA: sending on the new one made
# everything the client received unreadable, and the flow stalled for 3 s (found as a 1-in-9
# flake of test_rekey.sh). Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"

interop_begin swanctl iperf3 ip python3 ping nft
swan_require
ns_setup || fail "namespace setup"
inh iperf3 -s -p 5201 >/dev/null 2>&1 &
IPERF_PID=$!

name=rekey_loss
st=$T/$name
dump() {
	echo "--- vpnd log" >&2; grep -vE "debug" "$st/vpnd.log" | tail -30 >&2
	echo "--- charon log" >&2; grep -E "\[(IKE|CHD)\]" "$st/swan/charon.log" | tail -20 >&2
	echo "--- nft" >&2; cl nft list ruleset >&2
}
die() { dump; fail "$name: $*"; }

echo "=== $name: charon rekeys its CHILD_SA at 8 s; the hub's answer is dropped once"
vpnd_start "$SRCDIR/test/data/hub-rekey.conf" "$st"
swan_start "$st/swan" secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret \
	ike=aes256-sha256-modp2048 esp=aes128gcm128-modp2048 \
	child_rekey_time=8s child_extra="rand_time = 0s
				life_time = 120s" || die "charon did not start"
swan_up 20 || die "charon did not connect"
cl ping -c1 -w 5 10.2.1.10 >/dev/null || die "no ping reply through the fresh tunnel"

timeout 40 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -p 5201 -R -t 16 -b 8M -i 0.25 -J \
	>"$st/long.json" 2>"$st/long.err" &
long=$!
# From now on the first IKE datagram from the hub (port 4500, non-ESP marker: four zero bytes
# after the UDP header) is dropped: with traffic flowing there is no DPD, and the hub's own
# rekeys come only after 80 MB, so it is the answer to charon's rekey.
sleep 2
cl nft -f - <<'NFT' || die "cannot add the nftables rule"
table ip vpndtest {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 172.18.143.246 udp sport 4500 @th,64,32 0 quota until 500 bytes counter drop
	}
}
NFT
wait $long || die "the iperf3 flow broke: $(tail -3 "$st/long.err")"

dropped=$(cl nft list ruleset | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "${dropped:-0}" = 1 ] || die "expected the hub's rekey answer to be dropped once, dropped ${dropped:-0}"
grep -q "IPsec SA in [0-9a-f]* out [0-9a-f]* (esp-gcm 128, PFS, ESP in UDP" "$st/vpnd.log" ||
	die "no client rekey in the hub's log"
n=$(grep -c "IPsec SA in [0-9a-f]* out" "$st/vpnd.log")
[ "$n" -ge 2 ] || die "charon's rekey did not complete ($n SAs)"
python3 - "$st/long.json" <<'PY' || die "the flow stalled while the rekey answer was lost"
import json, sys
r = json.load(open(sys.argv[1]))
iv = [i["sum"]["bytes"] for i in r["intervals"]]
run = worst = 0
for b in iv:
    run = run + 1 if b == 0 else 0
    worst = max(worst, run)
print(f"ok: {len(iv)} intervals of 0.25 s, longest stall {worst * 0.25:.2f} s")
if worst >= 4:
    sys.exit(f"FAIL: {worst * 0.25:.2f} s without a byte")
PY
[ $? = 0 ] || die "flow check"
pass "$name: the hub kept the old SA until charon had the new one ($n SAs, 1 answer lost)"
swan_down 10
vpnd_stop "$st"
