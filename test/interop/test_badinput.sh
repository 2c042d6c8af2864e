#!/bin/bash
# Bad input against a running hub, with a real vpnc session up and pinging the whole time:
# garbage ISAKMP on UDP 500 and 4500, ESP with unknown SPIs (UDP 4500 and raw protocol 50),
# a replayed and a tampered ESP packet of the live session, a half-open flood from one address
# (per-peer rate and in-negotiation limits) and from many never-seen ones (shed at half the
# in-negotiation cap), a wrong group key, a wrong XAUTH
# password and a proposal no policy matches. Each must be dropped, counted (the counters vpnd
# logs at shutdown) and logged without flooding the log; no process may die, the live session
# must keep carrying traffic, new clients must still get in, and ikemgr's memory stays bounded.
set -u
export PYTHONDONTWRITEBYTECODE=1
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN, raw sockets); CI runs as root"
[ -x "$VPND" ] || fail "no vpnd binary at $VPND (build first, or set VPND)"
for tool in vpnc ip python3 ping pgrep; do
	command -v "$tool" >/dev/null || fail "$tool is missing: install it (README's test command does)"
done

HUB=172.18.143.246
# ikemgr's resident memory, in kB, may not pass this at any point. Measured on the plain build:
# about 7 MB with one session, 14 MB with the half-open cap full (1000 exchanges of about 7 kB
# each: DH values, nonces, the SA payload and the answer kept for retransmission), the same
# after they expire (the allocator keeps its pages). 32 MB is over twice that: room for
# allocator slack, small enough that a leak of a few kB per datagram over the ~14000 bad
# datagrams shows (the cap itself is checked by its counter and log line). ASan builds measured 18 MB idle and 61 MB at the cap (redzones,
# and freed blocks held in quarantine), so they get 128 MB; LeakSanitizer checks them at exit.
if grep -qa __asan_init "$VPND"; then
	RSS_MAX_KB=${RSS_MAX_KB:-131072}
else
	RSS_MAX_KB=${RSS_MAX_KB:-32768}
fi
# The log may not grow with the bad traffic: peer-triggered warnings are limited to one line a
# second per call site; a normal run of this test writes about 100 lines.
LOG_MAX_LINES=400

T=$(mktemp -d /tmp/vpnd-badinput.XXXXXX)
ST=$T/hub
cleanup() {
	[ -n "${PING_PID:-}" ] && kill "$PING_PID" 2>/dev/null
	vpnc_stop
	[ -n "${GOOD_PID:-}" ] && { VPNC_PID=$GOOD_PID; GOOD_PID=; vpnc_stop; }
	[ -n "${VPND_PID:-}" ] && { kill -KILL "$VPND_PID"; wait "$VPND_PID"; } 2>/dev/null
	ns_teardown
	# BADINPUT_KEEP=DIR keeps the logs (vpnd, every vpnc, ping) for a look afterwards
	[ -n "${BADINPUT_KEEP:-}" ] && cp -r "$T" "$BADINPUT_KEEP"
	rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"

show_log() { echo "--- vpnd.log (last 40 lines)" >&2; tail -40 "$ST/vpnd.log" >&2; }
die() { show_log; fail "$@"; }

CHILDREN=
children_alive() {
	local role pid
	for role in ikemgr keymgr tunmgr; do
		pid=$(child_pid $role)
		[ -n "$pid" ] || die "$1: vpnd's $role process is gone"
	done
	kill -0 "$VPND_PID" 2>/dev/null || die "$1: the vpnd parent is gone"
	local now
	now=$(pgrep -P "$VPND_PID" | sort | tr '\n' ' ')
	[ "$now" = "$CHILDREN" ] || die "$1: vpnd's children changed (were: $CHILDREN now: $now): one was restarted"
}

# ike_rss STEP: ikemgr's VmRSS (kB) into RSS, checked against the bound
RSS_PEAK=0
ike_rss() {
	RSS=$(awk '/^VmRSS:/{print $2}' "/proc/$(child_pid ikemgr)/status")
	[ -n "$RSS" ] || die "$1: cannot read ikemgr's VmRSS"
	[ "$RSS" -gt "$RSS_PEAK" ] && RSS_PEAK=$RSS
	[ "$RSS" -lt "$RSS_MAX_KB" ] || die "$1: ikemgr resident memory $RSS kB, over $RSS_MAX_KB kB"
}

replies() { grep -c "bytes from" "$T/ping.log"; }
# session_alive STEP: the good client's ping got at least 3 more replies within 5 s
session_alive() {
	local r0 end
	r0=$(replies)
	end=$(( $(date +%s) + 5 ))
	while [ "$(replies)" -lt $((r0 + 3)) ]; do
		[ "$(date +%s)" -le "$end" ] || die "$1: the good session stopped carrying traffic (ping replies stuck at $r0)"
		sleep 0.1
	done
	pass "$1: the good session still carries traffic ($(replies) ping replies so far)"
}

va_count() { hub ip -o link show | grep -c " va[0-9]*[:@]"; }
va_is() { [ "$(va_count)" = "$1" ]; }
# log_grew PATTERN N: the hub's log has more than N lines matching PATTERN
log_grew() { [ "$(grep -c -- "$1" "$ST/vpnd.log")" -gt "$2" ]; }

# refused NAME HUB_PATTERN VPNC_PATTERN [vpnc settings...]: a vpnc that must not connect. Waits
# (bounded) until the hub's log has a new HUB_PATTERN line and vpnc's log VPNC_PATTERN (either
# may be empty), checks vpnc never came up, lets it give up on its own for a few seconds, then
# stops it.
refused() {
	local name=$1 hubpat=$2 vpncpat=$3; shift 3
	local n0 end
	n0=$(grep -c -- "$hubpat" "$ST/vpnd.log")
	vpnc_start "$T/$name" port=0 wait=0 "$@"
	end=$(( $(date +%s) + 20 ))
	while :; do
		[ -f "$T/$name/up" ] && die "$name: vpnc connected"
		{ [ -z "$hubpat" ] || log_grew "$hubpat" "$n0"; } &&
			{ [ -z "$vpncpat" ] || grep -q -- "$vpncpat" "$T/$name/vpnc.log"; } && break
		if [ "$(date +%s)" -gt "$end" ]; then
			echo "--- vpnc log" >&2; tail -20 "$T/$name/vpnc.log" >&2
			die "$name: within 20 s, hub log lacks '$hubpat' or vpnc log lacks '$vpncpat'"
		fi
		sleep 0.1
	done
	local how="gave up by itself"
	wait_until 5 sh -c "! kill -0 $VPNC_PID" || how="still retrying, stopped"
	vpnc_stop
	[ -f "$T/$name/up" ] && die "$name: vpnc connected"
	local seen=
	[ -n "$vpncpat" ] && seen="vpnc said \"$vpncpat\", "
	[ -n "$hubpat" ] && seen="${seen}hub said \"$hubpat\", "
	pass "$name: vpnc refused (${seen}vpnc $how)"
}

ip netns exec vpnd_cl python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)' ||
	fail "python3 cannot open a raw socket in the client namespace"

# ---- 1. hub with production logging (no debug lines), one good client, steady ping
VPND_FLAGS='' vpnd_start "$SRCDIR/etc/seed-dvti.conf" "$ST"
CHILDREN=$(pgrep -P "$VPND_PID" | sort | tr '\n' ' ')
[ "$(echo "$CHILDREN" | wc -w)" = 4 ] || die "vpnd has $(echo "$CHILDREN" | wc -w) children, not 4 (ikemgr, keymgr, tunmgr, control)"
vpnc_start "$T/good" || die "good client did not connect"
GOOD_PID=$VPNC_PID; VPNC_PID=
# shellcheck disable=SC1091  # written by test/lib/vpnc-script-min: address, tundev, ...
. "$T/good/up"
GOOD_TUN=${tundev:?}
cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || die "no ping through the good tunnel"
# -i 0.2 for the whole test; stopped at the end, so -w only bounds a runaway
cl ping -i 0.2 -w 150 10.2.1.10 >"$T/ping.log" 2>&1 &
PING_PID=$!
ike_rss start; RSS0=$RSS
pass "good client up (${address:?} on $GOOD_TUN), ikemgr RSS $RSS0 kB"

# ---- 2. garbage ISAKMP to 500 and 4500
ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/ikegarbage.py" $HUB 2000 >"$T/garbage.out" || die "ikegarbage failed"
cat "$T/garbage.out"
sleep 0.5
children_alive "garbage ISAKMP"
session_alive "garbage ISAKMP"
ike_rss "garbage ISAKMP"; RSS1=$RSS

# ---- 3. ESP with unknown SPIs, in UDP 4500 and raw
ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/espattack.py" junk $HUB 2000 || die "espattack junk failed"
sleep 0.5
children_alive "unknown-SPI ESP"
session_alive "unknown-SPI ESP"

# ---- 4. replayed and tampered ESP of the live session
ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/espattack.py" replay clout $HUB || die "espattack replay failed"
children_alive "replayed/tampered ESP"
session_alive "replayed/tampered ESP (the replay window did not move for the forged sequence numbers)"

# ---- 5. half-open flood from a second address: the per-peer rate and in-negotiation limits take it
cl ip addr add 172.18.143.3/24 dev clout || die "cannot add 172.18.143.3"
t0=$(date +%s%N)
ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/ikeflood.py" $HUB 3000 3 172.18.143.3 || die "ikeflood failed"
children_alive "half-open flood (one address)"
ike_rss "half-open flood (one address)"; RSS2=$RSS
session_alive "half-open flood (one address)"
vpnc_start "$T/second" port=0 || die "a new client could not connect after the flood from one address"
# shellcheck disable=SC1091
. "$T/second/up"
[ "$tundev" != "$GOOD_TUN" ] || die "second client on the good client's interface"
cl ping -c1 -i 0.005 -w 5 -I "$tundev" 10.2.1.10 >/dev/null || die "no ping through the second client's tunnel"
[ "$(va_count)" = 2 ] || die "$(va_count) va interfaces with two clients up"
vpnc_stop
wait_until 10 va_is 1 || die "second client's interface not removed"
pass "after 3000 half-open attempts from 172.18.143.3 a new client connected in $(( ($(date +%s%N) - t0) / 1000000 )) ms from flood start, pinged, left (ikemgr RSS $RSS2 kB)"

# ---- 6. wrong group key, wrong password, no acceptable proposal
# vpnc checks HASH_R first: with a wrong key it gives up before the hub sees a HASH_I
refused wrongkey "" "hash comparison failed" secret=wrong
# an initiator that goes on to HASH_I; the right key first, to show the helper computes it right
r=$(ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/ikewrongkey.py" $HUB cisco123) || die "ikewrongkey: $r"
[ "$r" = accepted ] || die "ikewrongkey with the right key: $r (helper broken?)"
n0=$(grep -c "does not verify: wrong group key for group 'group1'" "$ST/vpnd.log")
r=$(ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/ikewrongkey.py" $HUB wrong) || die "ikewrongkey: $r"
[ "$r" = rejected ] || die "HASH_I made with a wrong group key was $r"
wait_until 2 log_grew "does not verify: wrong group key for group 'group1'" "$n0" ||
	die "hub did not log the wrong group key"
pass "wrongkey: HASH_I under the right key accepted, under a wrong one rejected and logged"
refused wrongpass "XAUTH for user 'cisco' failed" "" password=wrong
[ "$(va_count)" = 1 ] || die "wrong password: $(va_count) va interfaces, only the good client's should be there"
refused dh5 "no proposal matches any isakmp policy" "" dh=dh5
children_alive "refused clients"
session_alive "refused clients"

# ---- 7. half-open flood from many never-seen addresses: shed at half the in-negotiation cap
# (1000), memory stays bounded
FLOOD_SRCS=
for i in $(seq 10 19); do
	cl ip addr add "172.18.143.$i/24" dev clout || die "cannot add 172.18.143.$i"
	FLOOD_SRCS="$FLOOD_SRCS 172.18.143.$i"
done
# shellcheck disable=SC2086
ip netns exec vpnd_cl python3 "$SRCDIR/test/lib/ikeflood.py" $HUB 3000 3 $FLOOD_SRCS || die "ikeflood failed"
grep -q "of 1000 in-negotiation IKE SAs in use: aggressive mode from 172.18.143.1[0-9], a peer with no recent phase 1, shed" "$ST/vpnd.log" || die "flood from 10 addresses was not shed at half the in-negotiation cap"
children_alive "half-open flood (ten addresses)"
ike_rss "half-open flood (ten addresses)"; RSS3=$RSS
session_alive "half-open flood (ten addresses)"
pass "half-open flood shed, ikemgr RSS $RSS3 kB (start $RSS0 kB)"
# The client's address completed phase 1 before: it is let in despite the flood (at the
# latest once the flood's half-open exchanges time out, after 30 s).
t0=$(date +%s)
ok=
while [ $(( $(date +%s) - t0 )) -lt 45 ]; do
	if vpnc_start "$T/third" port=0 wait=8 2>/dev/null; then ok=1; break; fi
	vpnc_stop
done
[ -n "$ok" ] || die "no new client got in within 45 s of the flood from ten addresses, though half-open exchanges expire after 30 s: the hub still says '$(grep "in-negotiation IKE SA" "$ST/vpnd.log" | tail -1)' (in-negotiation count not decremented when such an exchange is deleted?)"
# shellcheck disable=SC1091
. "$T/third/up"
cl ping -c1 -i 0.005 -w 5 -I "$tundev" 10.2.1.10 >/dev/null || die "no ping through the third client's tunnel"
vpnc_stop
pass "a new client got in $(( $(date +%s) - t0 )) s after the cap flood and pinged (half-open exchanges expire after 30 s)"
children_alive "after the cap flood"
ike_rss "after the cap flood"; RSS4=$RSS

# ---- 8. the good session throughout, every process alive, counters, log size
session_alive "end"
kill "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null; PING_PID=
python3 - "$T/ping.log" <<'PY' || die "good session lost traffic"
import re, sys
seqs = [int(m.group(1)) for m in re.finditer(r"icmp_seq=(\d+)", open(sys.argv[1]).read())]
if not seqs:
    sys.exit("FAIL: no ping replies at all")
sent = max(seqs)
gaps = [b - a for a, b in zip(seqs, seqs[1:])]
worst = max(gaps, default=1) - 1
print(f"ok: good session: {len(seqs)} of {sent} pings answered ({100*len(seqs)/sent:.1f} %), "
      f"longest run of lost replies {worst} ({worst*0.2:.1f} s)")
if len(seqs) < 0.9 * sent:
    sys.exit("FAIL: under 90 % of the pings answered")
if worst > 10:
    sys.exit("FAIL: the session stalled for more than 2 s")
PY
children_alive "end"
VPNC_PID=$GOOD_PID; GOOD_PID=; vpnc_stop
vpnd_stop "$ST"

LOG=$ST/vpnd.log
grep -iE "fatal|sanitizer|runtime error" "$LOG" && fail "errors in the log (above)"
lines=$(wc -l <"$LOG")
if [ "$lines" -ge "$LOG_MAX_LINES" ]; then
	cut -d' ' -f2- "$LOG" | sed 's/\[[0-9]*\]//; s/[0-9a-f]\{8\}/X/g; s/[0-9]\+/N/g' | sort | uniq -c | sort -rn | head >&2
	fail "log flooded: $lines lines (limit $LOG_MAX_LINES)"
fi
pass "log has $lines lines after about 14000 bad datagrams (limit $LOG_MAX_LINES), no fatal or sanitizer lines"

# Every problem below is collected, so one run reports all of them.
errs=
ikec=$(grep -o "IKE counters: .*" "$LOG") || fail "ikemgr did not log its counters at shutdown"
espc=$(grep -o "ESP drops: .*" "$LOG") || fail "tunmgr did not log its drop counters at shutdown"
echo "$ikec"
echo "$espc"
counter() { # counter LINE NAME: the number after NAME, 0 when absent
	local v
	v=$(echo "$1" | grep -oE "(: |; | )$2 [0-9]+" | grep -oE "[0-9]+$" | head -1)
	echo "${v:-0}"
}
sent() { # sent KIND: how many of KIND ikegarbage.py sent
	grep -oE "[ ,]$1 [0-9]+" "$T/garbage.out" | grep -oE "[0-9]+$" || echo 0
}
need() { # need WHAT VALUE MIN
	[ "$2" -ge "$3" ] || errs="$errs
  $1 is $2, expected at least $3"
}
# ikegarbage sends each kind a known number of times: nearly all must land in the right bucket
# (90 %: a datagram lost in a socket buffer under load is no fault of the hub)
need "IKE short" "$(counter "$ikec" short)" $(( $(sent short) * 9 / 10 ))
need "IKE unknown-sa" "$(counter "$ikec" unknown-sa)" $(( $(sent unknown-sa) * 9 / 10 ))
need "IKE malformed" "$(counter "$ikec" malformed)" $(( (2000 - $(sent short) - $(sent unknown-sa)) * 9 / 10 ))
need "IKE bad-hash" "$(counter "$ikec" bad-hash)" 1
need "IKE no-proposal" "$(counter "$ikec" no-proposal)" 1
need "IKE rate-limited" "$(counter "$ikec" rate-limited)" 1000
need "IKE shed" "$(counter "$ikec" shed)" 1
need "ESP unknown-spi" "$(counter "$espc" unknown-spi)" 1800
need "ESP short" "$(counter "$espc" short)" 36
need "ESP replay" "$(counter "$espc" replay)" 3
need "ESP auth" "$(counter "$espc" auth)" 3
need "tunmgr's IKE datagrams forwarded from 4500" "$(counter "$espc" "IKE datagrams forwarded")" 900

# Each kind is logged (a rate-limited warning; this log has no debug lines)
for pat in "malformed ISAKMP datagram" "unknown IKE SA" "malformed aggressive mode message" \
	"ESP with unknown SPI" "replayed or too old" "integrity check failed" \
	"over the per-peer rate" "a peer with no recent phase 1, shed" \
	"does not verify: wrong group key" "XAUTH for user 'cisco' failed" \
	"no proposal matches any isakmp policy"; do
	grep -q -- "$pat" "$LOG" || errs="$errs
  no log line with '$pat'"
done
echo "ikemgr RSS kB: start $RSS0, after garbage $RSS1, after one-address flood $RSS2, at the cap $RSS3, after expiry $RSS4, peak $RSS_PEAK (limit $RSS_MAX_KB)"
[ -z "$errs" ] || fail "bad input not counted or not logged as it should be:$errs"
pass "every kind of bad input counted and logged"
echo "all bad-input checks passed"
