#!/bin/bash
# The Prometheus metrics endpoint (ip http server), scraped by a real Prometheus (Debian's
# package) in the hub namespace while a vpnc session logged in through FreeRADIUS moves
# iperf3 traffic; the values Prometheus stored are checked against what vpnctl's shows print:
#  - the endpoint itself: GET /metrics answers 200 with HELP/TYPE lines; POST 405, another path
#    404, HTTP/2.0 505, an oversize request 431, and a sender that never finishes its request
#    is cut off (bounded by the server's timeout); ip http access-class serves the inside
#    network and closes on the client's;
#  - vpnd_sessions{state="UP-ACTIVE",profile,group} = 1 as show crypto session says;
#  - vpnd_esp_bytes_total and packets at least what iperf3 moved, and equal to the sum of
#    show crypto ipsec sa --json once the counters settle;
#  - RADIUS: a rejected password, the login's request, the accounting records, a timeout on the dead first server
#    and a failover to the live one, the latency histogram;
#  - IKE datagrams counted, a wrong group key among the set-up failures ("authentication
#    failed"); vpnd_ike_requests_total and _accepted_total as show crypto call admission
#    statistics;
#  - vpnd_pool_addresses_in_use = 1 as show ip local pool says; the accounting queue empty.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/radius.sh"

interop_begin vpnc ip iperf3 freeradius prometheus curl python3
[ -x "${VPNCTL:-}" ] || fail "VPNCTL is not set to the vpnctl binary"
cleanup_more() { prom_stop; radius_stop "$T/radius"; }
ns_setup || fail "namespace setup"

cat >"$T/users" <<'EOF'
bob	Cleartext-Password := "B0bRadiusPw"
EOF
radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users"
ST=$T/vpnd
vpnd_start "$SRCDIR/test/data/hub-metrics.conf" "$ST"
URL=http://127.0.0.1:9642/metrics

echo "=== the endpoint"
hub curl -sS -m 5 -o "$T/m0" -w '%{http_code} %{content_type}\n' "$URL" >"$T/h0" ||
	fail "GET /metrics: curl failed"
read -r code ctype <"$T/h0"
[ "$code" = 200 ] || fail "GET /metrics answered $code"
case "$ctype" in "text/plain; version=0.0.4"*) ;; *) fail "Content-Type '$ctype'";; esac
grep -q '^# TYPE vpnd_esp_bytes_total counter$' "$T/m0" || { cat "$T/m0" >&2; fail "no TYPE line for vpnd_esp_bytes_total"; }
grep -q '^vpnd_pool_addresses{pool="group1pool"} 11$' "$T/m0" || fail "pool group1pool should have 11 addresses"
code=$(hub curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "$URL") ; [ "$code" = 405 ] || fail "POST answered $code, expected 405"
code=$(hub curl -s -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:9642/) ; [ "$code" = 404 ] || fail "GET / answered $code, expected 404"
code=$(hub curl -s -m 5 -o /dev/null -w '%{http_code}' -H "X-Pad: $(head -c 5000 /dev/zero | tr '\0' a)" "$URL")
[ "$code" = 431 ] || fail "a 5,000-byte header answered $code, expected 431"
# a raw HTTP/2.0 request line, and a sender that stops half-way: cut off by the server within
# its 5 s timeout (the client waits at most 10 s)
hub python3 - <<'EOF' || fail "raw requests (see above)"
import socket, time, sys
s = socket.create_connection(("127.0.0.1", 9642), timeout=5)
s.sendall(b"GET /metrics HTTP/2.0\r\n\r\n")
line = s.recv(100).split(b"\r\n")[0]
if line != b"HTTP/1.1 505 HTTP Version Not Supported":
    sys.exit("HTTP/2.0: %r" % line)
s = socket.create_connection(("127.0.0.1", 9642), timeout=10)
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
t0 = time.monotonic()
try:
    data = s.recv(100)
except socket.timeout:
    sys.exit("a request left unfinished was not cut off within 10 s")
took = time.monotonic() - t0
if data != b"" or took > 6.5:
    sys.exit("unfinished request: got %r after %.1f s" % (data, took))
print("unfinished request cut off after %.1f s" % took)
EOF
pass "GET /metrics 200 text/plain 0.0.4; POST 405, / 404, HTTP/2.0 505, 5 KB header 431, a stalled request cut off"
# ip http access-class: the inside network gets an answer, the client's network none
code=$(inh curl -s -m 5 -o /dev/null -w '%{http_code}' http://10.2.1.1:9642/metrics)
[ "$code" = 200 ] || fail "GET from 10.2.1.10 (permitted by metrics-src) answered $code"
code=$(cl curl -s -m 5 -o /dev/null -w '%{http_code}' http://172.18.143.246:9642/metrics)
[ "$code" = 000 ] || fail "GET from 172.18.143.2 (not in metrics-src) answered $code"
grep -q "connection from 172.18.143.2 denied by ip http access-class metrics-src" "$ST/vpnd.log" ||
	fail "the denied connection was not logged"
pass "ip http access-class: 10.2.1.10 served, 172.18.143.2 closed without an answer and logged"

echo "=== Prometheus scraping the hub"
mkdir -p "$T/prom"
cat >"$T/prom/prometheus.yml" <<'EOF'
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: vpnd
    static_configs:
      - targets: ['127.0.0.1:9642']
EOF
hub prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
	--web.listen-address=127.0.0.1:19090 --log.level=warn >"$T/prom/log" 2>&1 &
PROM_PID=$!
prom_stop() {
	[ -n "${PROM_PID:-}" ] || return 0
	kill -TERM "$PROM_PID" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $PROM_PID" || kill -KILL "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}
# promq EXPR: the value of the query's first sample, nothing when there is none
promq() {
	hub curl -s -m 5 http://127.0.0.1:19090/api/v1/query --data-urlencode "query=$1" |
		python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}
prom_up() { [ "$(promq 'up{job="vpnd"}')" = 1 ]; }
wait_until 30 prom_up ||
	{ tail -20 "$T/prom/log" >&2; fail "Prometheus did not get up{job=vpnd} = 1 within 30 s"; }
pass "Prometheus scrapes the endpoint (up = 1)"

echo "=== a login FreeRADIUS rejects, then a vpnc session through RADIUS, iperf3 through it"
vpnc_start "$T/bad" group=group1 secret=Gk7f3a9c2eSecret user=bob password=WrongPw wait=0
wait_until 30 sh -c "! kill -0 $VPNC_PID" || fail "vpnc with a wrong password did not give up within 30 s"
[ -f "$T/bad/up" ] && fail "a wrong password connected"
VPNC_PID=
# an aggressive mode with a wrong group key that goes on to HASH_I (vpnc would stop before):
# the hub deletes the SA, "authentication failed", a set-up failure
r=$(cl python3 "$SRCDIR/test/lib/ikewrongkey.py" 172.18.143.246 wrong) || fail "ikewrongkey: $r"
[ "$r" = rejected ] || fail "a wrong group key was $r"
inh iperf3 -s -p 5201 >/dev/null 2>&1 &
IPERF_PID=$!
vpnc_start "$T/bob" group=group1 secret=Gk7f3a9c2eSecret user=bob password=B0bRadiusPw wait=30 ||
	{ tail -30 "$ST/vpnd.log" >&2; fail "bob did not connect through RADIUS"; }
stats() { python3 -c 'import json,sys; e = json.load(sys.stdin)["end"]
print(e["sum_received"]["bytes"])'; }
UP=$((8 * 1048576)); DOWN=$((4 * 1048576))
up=$(timeout 60 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -p 5201 -b 40M -n $UP -J | stats) || fail "iperf3 upload"
down=$(timeout 60 ip netns exec vpnd_cl iperf3 -c 10.2.1.10 -p 5201 -R -b 40M -n $DOWN -J | stats) || fail "iperf3 download"
echo "iperf3: $up bytes received up, $down down"

# show crypto ipsec sa --json, summed over the SAs: decaps/encaps bytes and packets
sa_sums() {
	"$VPNCTL" -S "$ST" show crypto ipsec sa --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
rows = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
print(*(sum(int(r[k]) for r in rows) for k in ("bytes_decaps", "bytes_encaps", "pkts_decaps", "pkts_encaps")))'
}
# tunmgr reports counters every 5 s: wait until Prometheus holds what the show prints
same() {
	read -r bin bout pin pout < <(sa_sums) || return 1
	[ -n "$bin" ] && [ "$bin" -ge "$up" ] && [ "$bout" -ge "$down" ] || return 1
	[ "$(promq 'vpnd_esp_bytes_total{direction="in"}')" = "$bin" ] &&
	[ "$(promq 'vpnd_esp_bytes_total{direction="out"}')" = "$bout" ] &&
	[ "$(promq 'vpnd_esp_packets_total{direction="in"}')" = "$pin" ] &&
	[ "$(promq 'vpnd_esp_packets_total{direction="out"}')" = "$pout" ]
}
wait_until 30 same || { sa_sums >&2; promq 'vpnd_esp_bytes_total' >&2; fail "Prometheus's ESP counters never matched show crypto ipsec sa --json"; }
read -r bin bout pin pout < <(sa_sums)
pass "ESP: Prometheus holds $bin bytes in, $bout out ($pin/$pout packets) = show crypto ipsec sa; iperf3 moved $up up, $down down"

n=$("$VPNCTL" -S "$ST" show crypto session --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
rows = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
print(len(rows))')
[ "$n" = 1 ] || fail "show crypto session lists $n sessions"
v=$(promq 'vpnd_sessions{state="UP-ACTIVE",profile="p-radius-user",group="group1"}')
[ "$v" = 1 ] || fail "vpnd_sessions for p-radius-user/group1 is '$v', show crypto session says 1"
v=$(promq 'sum(vpnd_sessions)'); [ "$v" = 1 ] || fail "sum(vpnd_sessions) is '$v'"
pass "sessions: UP-ACTIVE p-radius-user/group1 = 1, as show crypto session"

# ikemgr: datagrams both ways, the rejected login among the set-up failures
ike_ok() {
	[ "$(promq 'vpnd_ike_packets_total{direction="in"}')" -ge 5 ] &&
	[ "$(promq 'vpnd_ike_packets_total{direction="out"}')" -ge 5 ] &&
	[ "$(promq 'vpnd_ike_bytes_total{direction="in"}')" -ge 500 ] &&
	[ "$(promq 'vpnd_ike_setup_failures_total{reason="authentication failed"}')" -ge 1 ]
}
wait_until 10 ike_ok || { hub curl -s -m 2 "$URL" | grep '^vpnd_ike' >&2; fail "IKE packet counters or the rejected login's set-up failure missing"; }
pass "IKE: $(promq 'vpnd_ike_packets_total{direction="in"}') datagrams in, $(promq 'vpnd_ike_packets_total{direction="out"}') out; set-up failures: $(hub curl -s -m 2 "$URL" | grep '^vpnd_ike_setup_failures_total' | tr '\n' ' ')"

# call admission: what ikemgr last reported, as show crypto call admission statistics
cac() { "$VPNCTL" -S "$ST" show crypto call admission statistics --json | python3 -c 'import json, sys
d = json.load(sys.stdin); print(d["requests"], d["accepted"])'; }
cac_same() {
	read -r req acc < <(cac) || return 1
	[ "$req" -ge 1 ] && [ "$(promq vpnd_ike_requests_total)" = "$req" ] &&
	[ "$(promq vpnd_ike_accepted_total)" = "$acc" ]
}
wait_until 10 cac_same || fail "vpnd_ike_requests_total '$(promq vpnd_ike_requests_total)' / accepted '$(promq vpnd_ike_accepted_total)' differ from show crypto call admission statistics: $(cac)"
pass "call admission: $(cac | cut -d' ' -f1) requests, $(cac | cut -d' ' -f2) accepted, as show crypto call admission statistics"

inuse=$("$VPNCTL" -S "$ST" show ip local pool --json | python3 -c 'import json, sys
print(next(p["in_use"] for p in json.load(sys.stdin)["pools"] if p["name"] == "group1pool"))')
[ "$inuse" = 1 ] || fail "show ip local pool: $inuse in use"
v=$(promq 'vpnd_pool_addresses_in_use{pool="group1pool"}')
[ "$v" = "$inuse" ] || fail "vpnd_pool_addresses_in_use is '$v', show ip local pool says $inuse"
pass "pool: group1pool 1 address in use, as show ip local pool"

# RADIUS: keymgr reports within a second of a change, Prometheus scrapes every second
radius_ok() {
	[ "$(promq 'vpnd_radius_requests_total{kind="auth"}')" -ge 1 ] &&
	[ "$(promq 'vpnd_radius_results_total{result="accept"}')" -ge 1 ] &&
	[ "$(promq 'vpnd_radius_results_total{result="reject"}')" -ge 1 ] &&
	[ "$(promq 'vpnd_radius_requests_total{kind="acct"}')" -ge 1 ] &&
	[ "$(promq 'vpnd_radius_results_total{result="accounting_response"}')" -ge 1 ] &&
	[ "$(promq 'vpnd_radius_timeouts_total')" -ge 1 ] &&
	[ "$(promq 'vpnd_radius_failovers_total')" -ge 1 ] &&
	[ "$(promq 'vpnd_radius_request_duration_seconds_count{kind="auth"}')" -ge 1 ] &&
	[ "$(promq 'vpnd_accounting_queue_depth')" = 0 ]
}
wait_until 10 radius_ok || {
	for q in 'vpnd_radius_requests_total' 'vpnd_radius_results_total' 'vpnd_radius_timeouts_total' \
	         'vpnd_radius_failovers_total' 'vpnd_accounting_queue_depth'; do echo "$q: $(promq "$q")"; done >&2
	fail "RADIUS metrics: expected the login (accepted), the Start record, a timeout and a failover"; }
grep -c 'Access-Request' "$T/radius/radiusd.out" >/dev/null || fail "FreeRADIUS saw no Access-Request"
# the first request, Accounting-On at start, waited for DEAD's timeout (1 s, 1 retransmission)
# before LIVE answered; DEAD is then skipped (radius-server deadtime) and the login was quick
v=$(promq 'histogram_quantile(1, vpnd_radius_request_duration_seconds_bucket{kind="acct"})')
python3 -c "import sys; sys.exit(0 if float('$v') >= 1 else 1)" || fail "acct latency quantile 1 is '$v', Accounting-On waited 2 s for DEAD"
pass "RADIUS: a reject, auth and acct requests answered, a timeout and a failover (DEAD), acct latency up to $v s, accounting queue empty"

vpnc_stop
ended() { hub curl -s -m 2 "$URL" | grep -q '^vpnd_session_ends_total'; }
wait_until 15 ended || fail "no vpnd_session_ends_total after the client left"
pass "session end counted by reason: $(hub curl -s -m 2 $URL | grep '^vpnd_session_ends_total')"
prom_stop
vpnd_stop "$ST"
