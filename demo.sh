#!/bin/bash
# The main job on the embedded default config (etc/vpnd.conf): a hub and a vpnc client in
# network namespaces, a ping and a short transfer through the tunnel, the session's interface
# shown, then a clean teardown. Needs root on Debian 12; installs what it needs.
set -eu
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build"
export VPND=$top/build/vpnd srcdir=$top
. "$top/test/lib/ns.sh"
. "$top/test/lib/vpnd.sh"
set +e

T=$(mktemp -d /tmp/vpnd-demo.XXXXXX)
cleanup() {
	vpnc_stop
	[ -n "${VPND_PID:-}" ] && kill -TERM "$VPND_PID" 2>/dev/null
	[ -n "${IPERF_PID:-}" ] && kill "$IPERF_PID" 2>/dev/null
	ns_teardown
	rm -rf "$T"
}
trap cleanup EXIT
ns_setup || fail "namespace setup"
echo "== topology: client 172.18.143.2 (vpnd_cl) -- hub eth0 172.18.143.246 / eth1 10.2.1.1 (vpnd_hub) -- host 10.2.1.10 (vpnd_in)"
"$VPND" -n -f "$top/etc/vpnd.conf" || fail "config check"
vpnd_start "$top/etc/vpnd.conf" "$T/hub"
echo "== vpnd started (log: $T/hub/vpnd.log)"
inh iperf3 -s >/dev/null 2>&1 &
IPERF_PID=$!
vpnc_start "$T/vpnc" || fail "vpnc did not connect"
. "$T/vpnc/up"
echo "== vpnc connected: address $address on $tundev"
cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "no reply through the tunnel"
cl ping -c 3 -i 0.2 10.2.1.10 || fail "ping"
echo "== 20 MB through the tunnel (client -> inside host)"
timeout 30 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -n 20M | tail -4 || fail "iperf3"
echo "== the session's interface on the hub"
va=$(hub ip -o link show | awk -F': ' '/ va[0-9]+/{print $2}' | cut -d@ -f1 | head -1)
hub ip -d link show "$va"
hub ip route show dev "$va"
echo "== vpnctl show crypto session (counters reach the database every 5 s)"
sleep 5.5
"$top/build/vpnctl/vpnctl" -S "$T/hub" show crypto session detail || true
echo "== disconnect"
vpnc_stop
wait_until 10 sh -c "! ip netns exec vpnd_hub ip link show $va" || fail "$va still present"
echo "$va is gone"
vpnd_stop "$T/hub"
echo "== demo finished"
