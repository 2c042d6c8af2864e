#!/bin/bash
# IKEv2 connect time, vpnd against strongSwan 5.9 (charon, kernel-libipsec) as the hub, one
# after the other in the same run, on the same namespaces, with the same client: strongSwan's
# charon as an IKEv2 client with a pre-shared key each way (test/data/hub-ikev2-psk.conf's
# identities, keys, proposal AES-256/SHA-256/MODP-2048 and ESP AES-256/SHA-256, a virtual IP
# from a pool). Prints, per hub, the median over RUNS of
#   swanctl --initiate -> CHILD_SA up (IKE_SA_INIT + IKE_AUTH, as charon reports it), and
#   swanctl --initiate -> first ping reply from the inside host through the tunnel,
# the set-up rate one client gets in a row (connects per second, each with its DELETE), and
# the ratios. One client at a time: a load figure with many clients is vpnload's (IKEv1).
# usage: bench/ikev2_compare.sh   (root; uses build/vpnd; RUNS in the environment, default 10)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export VPND=${VPND:-$top/build/vpnd} srcdir=$top
. "$top/test/lib/ns.sh"
. "$top/test/lib/vpnd.sh"
. "$top/test/lib/swan.sh"
RUNS=${RUNS:-10}
HUBKEY=Hub7v2Key9aSecret CLIENTKEY=Cl4v2Key3bSecret GW=172.18.143.246
command -v swanctl >/dev/null || fail "swanctl is missing: scripts/deps.sh installs it"
swan_require
[ -x "$VPND" ] || fail "no $VPND: build first (scripts/build.sh $top/build)"

T=$(mktemp -d /tmp/vpnd-ikev2cmp.XXXXXX)
cleanup() {
	swan_stop
	[ -n "${hub_swan_pid:-}" ] && kill -TERM "$hub_swan_pid"
	[ -n "${VPND_PID:-}" ] && kill -TERM "$VPND_PID"
	ns_teardown; rm -rf "$T"
} 2>/dev/null
trap cleanup EXIT
ns_setup || fail "namespaces"

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# runs HUB: RUNS connects of one charon client, each torn down with its DELETE
runs() {
	local hub=$1 i t0 t1 start
	: >"$T/$hub.up"; : >"$T/$hub.ping"
	swan_v2_start "$T/cl-$hub" gateway=$GW local_id=client.example.com remote_id=hub.example.com \
		sign_key=$CLIENTKEY verify_key=$HUBKEY loglevel=0 || fail "$hub: client charon did not start"
	start=$(date +%s%N)
	for i in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		swan_up 20 || fail "$hub: run $i did not connect"
		t1=$(date +%s%N)
		cl ping -c1 -i 0.005 -w 5 10.2.1.10 >/dev/null || fail "$hub: run $i: no ping through"
		echo "$(( (t1 - t0) / 1000 ))" | awk '{printf "%.1f\n", $1 / 1e3}' >>"$T/$hub.up"
		echo "$(( ($(date +%s%N) - t0) / 1000 ))" | awk '{printf "%.1f\n", $1 / 1e3}' >>"$T/$hub.ping"
		swan_down 10 || fail "$hub: run $i: no DELETE"
	done
	echo "$RUNS $(( ($(date +%s%N) - start) / 1000 ))" | awk '{printf "%.2f\n", $1 / ($2 / 1e6)}' >"$T/$hub.rate"
	swan_stop
}

echo "=== vpnd hub ($VPND, test/data/hub-ikev2-psk.conf)"
VPND_FLAGS="" vpnd_start "$top/test/data/hub-ikev2-psk.conf" "$T/vpnd"
runs vpnd
vpnd_stop "$T/vpnd" >/dev/null

echo "=== strongSwan hub (charon $(/usr/lib/ipsec/charon --version 2>/dev/null | head -1), kernel-libipsec)"
# the same identities, keys and algorithms; charon signs with the key filed under the PEER's
# identity (see swan_v2_start), so the hub's key goes under client.example.com
d=$T/swanhub
mkdir -p "$d/run" "$d/swanctl/x509" "$d/swanctl/x509ca" "$d/swanctl/private"
SWAN_DIR=$d
_swan_conf "$d" "$SWAN_PLUGINS" 0 ""
cat >"$d/swanctl/swanctl.conf" <<CONF
connections {
	$SWAN_CONN {
		version = 2
		local_addrs = $GW
		proposals = aes256-sha256-modp2048
		pools = hubpool
		local-1 {
			auth = psk
			id = hub.example.com
		}
		remote-1 {
			auth = psk
			id = client.example.com
		}
		children {
			$SWAN_CONN {
				local_ts = 10.2.1.0/24
				esp_proposals = aes256-sha256
			}
		}
	}
}
pools {
	hubpool {
		addrs = 192.168.50.0/24
	}
}
secrets {
	ike-sign {
		id-1 = client.example.com
		secret = "$HUBKEY"
	}
	ike-verify {
		id-1 = hub.example.com
		secret = "$CLIENTKEY"
	}
}
CONF
chmod 600 "$d/swanctl/swanctl.conf"
_swan_launch "$d" vpnd_hub && swan_load || fail "strongSwan hub did not start"
# swan.sh drives one charon at a time: keep the hub's while the client charon runs
hub_swan_pid=$SWAN_PID hub_swan_dir=$SWAN_DIR
runs swan
SWAN_PID=$hub_swan_pid SWAN_DIR=$hub_swan_dir
swan_stop
hub_swan_pid=

m() { median <"$T/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }
echo
printf "%-50s %10s %12s %8s\n" "measure ($RUNS runs, median)" "vpnd" "strongSwan" "ratio"
row() { printf "%-50s %10s %12s %8s\n" "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
row "IKEv2 PSK: initiate -> CHILD_SA up (ms)" "$(m vpnd.up)" "$(m swan.up)"
row "IKEv2 PSK: initiate -> first ping reply (ms)" "$(m vpnd.ping)" "$(m swan.ping)"
row "set-up rate, one client in a row (connects/s)" "$(cat "$T/vpnd.rate")" "$(cat "$T/swan.rate")"
echo "machine: $(nproc) cores, $(uname -r), $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
