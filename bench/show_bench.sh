#!/bin/bash
# Prints how long vpnctl's shows and a typical sql query take on a store of N open sessions
# (default 20,000; each with its IKE SA and IPsec SA rows, counters, an event; 100 ended),
# filled through db/'s API by build/bench/db_bench --fill. Median of 3 runs each; figures
# only; then one scrape of the metrics endpoint (bench/metrics_bench). usage:
# bench/show_bench.sh [N]   (needs a build in build/)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-$top/build}
N=${1:-20000}
T=$(mktemp -d /tmp/vpnd-showbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$B/bench/db_bench" --fill "$N" "$T/vpnd.db" || exit 1
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {
	local t lines s e i
	lines=$("$B/vpnctl/vpnctl" -S "$T" "$@" | wc -l)
	t=$(for i in 1 2 3; do
		s=$(date +%s.%N)
		"$B/vpnctl/vpnctl" -S "$T" "$@" >/dev/null
		e=$(date +%s.%N)
		echo "$e - $s" | bc
	done | median)
	printf '%8.3f s  %7s lines  vpnctl %s\n' "$t" "$lines" "$*"
}
echo "store: $(du -h "$T/vpnd.db" | cut -f1), $N sessions up"
run show crypto session
run show crypto session brief
run show crypto session detail
run --json show crypto session
run show crypto session username user00777
run show crypto session group group7
run show crypto session history
run show crypto session summary
run show crypto isakmp sa
run show crypto isakmp peers
run show crypto route
run show crypto isakmp sa detail
run show crypto ipsec sa
run show crypto ipsec sa interface va777
run sql "SELECT grp, count(*), sum(bytes_in) FROM sessions WHERE ended IS NULL GROUP BY grp"
run sql "SELECT username, assigned_addr, peer_addr FROM sessions WHERE ended IS NULL AND username = 'user00777'"
s=$(date +%s.%N)
"$B/vpnctl/vpnctl" -S "$T" backup "$T/copy.db" >/dev/null || exit 1
printf '%8.3f s  %7s        vpnctl backup FILE\n' "$(echo "$(date +%s.%N) - $s" | bc)" \
	"$(du -h "$T/copy.db" | cut -f1)"
"$B/bench/metrics_bench" "$T/vpnd.db"
