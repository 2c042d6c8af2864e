# Network namespaces for the interop tests and the demo (source this file; bash only).
#
#   vpnd_cl  clout 172.18.143.2/24  ---veth---  eth0 172.18.143.246/24  vpnd_hub
#   vpnd_hub eth1  10.2.1.1/24      ---veth---  inhost 10.2.1.10/24     vpnd_in (default via hub)
#
# The hub's addresses match the seed configurations, so they load as they stand. No '-' in
# interface names: vpnc-script's MTU probe cuts names at the first '-'.
#
# The names are fixed, so tests that use them must not overlap: ns_setup takes a lock that
# ns_teardown releases (a second test waits for the first, bounded by NS_LOCK_WAIT seconds).
#
#   trap ns_teardown EXIT
#   ns_setup || exit 1
#   ns_wait_for "grep -q 'vpnd ready' $log" 15

NS_CL=vpnd_cl
NS_HUB=vpnd_hub
NS_IN=vpnd_in
NS_LAN=vpnd_lan     # ns_add_lan: a host behind the client (Easy VPN remote tests)
NS_LOCK=${NS_LOCK:-/run/lock/vpnd-ns.lock}
NS_LOCK_WAIT=${NS_LOCK_WAIT:-600}

_ns_lock() {
	[ -n "${_NS_LOCK_FD:-}" ] && return 0
	mkdir -p "$(dirname "$NS_LOCK")" || return 1
	exec {_NS_LOCK_FD}>"$NS_LOCK" || return 1
	if ! flock -w "$NS_LOCK_WAIT" "$_NS_LOCK_FD"; then
		echo "ns.sh: another test holds $NS_LOCK for more than $NS_LOCK_WAIT s" >&2
		exec {_NS_LOCK_FD}>&-
		_NS_LOCK_FD=
		return 1
	fi
}

_ns_unlock() {
	[ -n "${_NS_LOCK_FD:-}" ] || return 0
	# LOCK_UN releases it even where a leftover child inherited the descriptor
	flock -u "$_NS_LOCK_FD"
	exec {_NS_LOCK_FD}>&-
	_NS_LOCK_FD=
}

_ns_delete() {
	local ns
	for ns in "$NS_CL" "$NS_HUB" "$NS_IN" "$NS_LAN"; do
		if ip netns list 2>/dev/null | grep -qw "^$ns"; then
			# processes left inside would keep the namespace (and its veths) alive
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
			ip netns del "$ns" 2>/dev/null
		fi
	done
	return 0
}

ns_setup() {
	_ns_lock || return 1
	_ns_delete
	ip netns add "$NS_CL" && ip netns add "$NS_HUB" && ip netns add "$NS_IN" || {
		echo "ns_setup: cannot create namespaces" >&2; return 1; }
	# created inside the namespaces directly: no clash with the host's own eth0
	ip -n "$NS_HUB" link add eth0 type veth peer name clout netns "$NS_CL" &&
	ip -n "$NS_HUB" link add eth1 type veth peer name inhost netns "$NS_IN" || {
		echo "ns_setup: cannot create veth pairs" >&2; return 1; }

	ip -n "$NS_HUB" addr add 172.18.143.246/24 dev eth0 &&
	ip -n "$NS_HUB" addr add 10.2.1.1/24 dev eth1 &&
	ip -n "$NS_CL" addr add 172.18.143.2/24 dev clout &&
	ip -n "$NS_IN" addr add 10.2.1.10/24 dev inhost || {
		echo "ns_setup: cannot set addresses" >&2; return 1; }

	local ns
	for ns in "$NS_CL" "$NS_HUB" "$NS_IN"; do
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$NS_HUB" link set eth0 up && ip -n "$NS_HUB" link set eth1 up &&
	ip -n "$NS_CL" link set clout up && ip -n "$NS_IN" link set inhost up || {
		echo "ns_setup: cannot bring links up" >&2; return 1; }
	ip -n "$NS_IN" route add default via 10.2.1.1 || return 1
	ip netns exec "$NS_HUB" sysctl -qw net.ipv4.ip_forward=1 || return 1

	# a veth carries traffic once both ends report carrier (no ping needed to know)
	ns_wait_for "_ns_link_up $NS_HUB eth0 && _ns_link_up $NS_HUB eth1 &&
		_ns_link_up $NS_CL clout && _ns_link_up $NS_IN inhost" 10 || {
		echo "ns_setup: the links did not come up" >&2; return 1; }
}

# ns_add_lan: after ns_setup, a LAN behind the client namespace, as behind an Easy VPN
# remote router:  vpnd_cl lan0 10.3.1.1/24 ---veth--- lanhost 10.3.1.10/24 vpnd_lan
ns_add_lan() {
	ip netns add "$NS_LAN" || return 1
	ip -n "$NS_CL" link add lan0 type veth peer name lanhost netns "$NS_LAN" || return 1
	ip -n "$NS_CL" addr add 10.3.1.1/24 dev lan0 &&
	ip -n "$NS_LAN" addr add 10.3.1.10/24 dev lanhost || return 1
	ip -n "$NS_LAN" link set lo up && ip -n "$NS_CL" link set lan0 up &&
	ip -n "$NS_LAN" link set lanhost up || return 1
	ip -n "$NS_LAN" route add default via 10.3.1.1 || return 1
	ip netns exec "$NS_CL" sysctl -qw net.ipv4.ip_forward=1 || return 1
	ns_wait_for "_ns_link_up $NS_CL lan0 && _ns_link_up $NS_LAN lanhost" 10
}

_ns_link_up() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null | grep -q "state UP"
}

# Idempotent; safe in an EXIT trap and before ns_setup.
ns_teardown() {
	local held=${_NS_LOCK_FD:-}
	if [ -z "$held" ]; then
		# not ours: wait for whoever uses the namespaces before removing them
		_ns_lock || return 0
	fi
	_ns_delete
	_ns_unlock
	return 0
}

# ns_wait_for "CMD" TIMEOUT_SECONDS: run CMD (through eval) every 0.1 s until it succeeds.
ns_wait_for() {
	local cmd=$1 limit=${2:-10}
	local end=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
	while :; do
		eval "$cmd" >/dev/null 2>&1 && return 0
		[ "$(( $(date +%s%N) / 1000000 ))" -ge "$end" ] && return 1
		sleep 0.1
	done
}
