# What every IKEv2 client of the hub must get, whatever it authenticated with (issue 12):
# checked on the charon that test/lib/swan.sh started last (SWAN_DIR), once it is connected.
# Source test/lib/ns.sh, vpnd.sh and swan.sh first. Start charon with resolve=yes when the
# DNS server is to be checked.
#
#   v2_check LEVEL NAME STATEDIR POOL_RE [DNS]   the steps below for NAME (the scenario's
#                       name in messages) against the vpnd whose state is STATEDIR:
#                         cp     v2_cp and v2_ping
#                         rekey  those and v2_rekeys
#                         full   those, v2_iperf before the rekeys and v2_dpd after them
#   v2_cp POOL_RE [DNS] the virtual IP matches the extended regex POOL_RE, is on charon's TUN
#                       and the source of its traffic to V2_TARGET; charon's resolve plugin
#                       wrote "nameserver DNS"; the hub has one open session with that
#                       address (V2_SID) on the vaN it routes it through (V2_VA)
#   v2_ping             ping V2_TARGET from the virtual IP and the virtual IP from V2_TARGET,
#                       both through V2_VA (its packet counters)
#   v2_iperf            iperf3 V2_MB MB (16) each way: all sent, most counted by the receiver
#   v2_rekeys           under iperf3 --bidir (V2_RATE bit/s each way, 20M, for V2_LOAD_S
#                       seconds, 5), swanctl --rekey of the CHILD_SA (with KE when V2_PFS=1)
#                       and then of the IKE SA; charon and the hub then hold only the new
#                       SAs, the session keeps its id and vaN, the transfer ends well and its
#                       traffic went through the rekeyed SAs (V2_LOAD_S=0: no load, the
#                       rekeyed SAs carry pings both ways). The rate stays below what the
#                       tunnel carries: saturated, charon's UDP socket (ESP and IKE alike with
#                       kernel-libipsec) drops IKE messages, and each costs a 4 s retransmission
#   v2_dpd              the hub's liveness check (profile dpd INTERVAL RETRY periodic) comes
#                       within V2_DPD_WAIT s (25), charon answers, the hub takes the answer (no
#                       retransmission after RETRY = V2_DPD_RETRY s, 2), the session stays
# Settings: V2_NS (charon's namespace, vpnd_cl), V2_HUBNS (the vpnd's, vpnd_hub), V2_TARGET
# (10.2.1.10: an address of vpnd_in, the host behind the hub, where the reverse pings start
# and the iperf3 server is started when none listens).
# A failure calls the scenario's die (or fail) with the reason.

V2_NS=${V2_NS:-vpnd_cl}
V2_HUBNS=${V2_HUBNS:-vpnd_hub}
V2_TARGET=${V2_TARGET:-10.2.1.10}

_v2_fail() {
	if declare -F die >/dev/null; then die "$*"; else fail "$V2_NAME: $*"; fi
}
_v2_sql() { "$VPNCTL" -S "$V2_ST" sql "$1" | sed 1d; }
_v2_cnt() { ip netns exec "$V2_HUBNS" cat "/sys/class/net/$V2_VA/statistics/$1"; }
# the IKE SA (uniqueid and initiator SPI) and the installed CHILD_SAs (spi-in spi-out) of
# this connection, one line each, as charon has them
_v2_ikes() {
	swan_ctl --list-sas --ike "$SWAN_CONN" --raw 2>/dev/null |
		sed -n 's/^list-sa event {[^ ]* {uniqueid=\([0-9]*\) version=2 state=ESTABLISHED .* initiator-spi=\([0-9a-f]*\) .*/\1 \2/p'
}
_v2_children() {
	swan_ctl --list-sas --ike "$SWAN_CONN" --raw 2>/dev/null | grep -o 'state=INSTALLED [^}]*' |
		sed -n 's/.* spi-in=\([0-9a-f]*\) spi-out=\([0-9a-f]*\) .*/\1 \2/p'
}
_v2_one_new() {   # CMD OLD: CMD prints one line, not OLD
	local now
	now=$($1)
	[ -n "$now" ] && [ "$(echo "$now" | wc -l)" = 1 ] && [ "$now" != "$2" ]
}

v2_check() {
	local level=$1 pool=$4 dns=${5:-}
	V2_NAME=$2 V2_ST=$3
	v2_cp "$pool" "$dns"
	v2_ping
	case $level in
	cp) ;;
	rekey) v2_rekeys;;
	full) v2_iperf; v2_rekeys; v2_dpd;;
	*) _v2_fail "v2_check: no level '$level'";;
	esac
}

_v2_session_up() {
	[ "$(_v2_sql "SELECT count(*) FROM sessions WHERE ended IS NULL AND assigned_addr = '$V2_VIP'")" = 1 ]
}

v2_cp() {
	local pool=$1 dns=${2:-} route ifname
	V2_VIP=$(swan_vip)
	[[ $V2_VIP =~ ^($pool)$ ]] || _v2_fail "virtual IP '$V2_VIP' is not from the pool ($pool)"
	ip -n "$V2_NS" -o addr show | grep -q "inet $V2_VIP/" ||
		_v2_fail "virtual IP $V2_VIP is not on charon's interface"
	route=$(ip netns exec "$V2_NS" ip route get "$V2_TARGET")
	echo "$route" | grep -q "src $V2_VIP" || _v2_fail "traffic to $V2_TARGET would not leave from $V2_VIP: $route"
	if [ -n "$dns" ]; then
		[ -f "$SWAN_DIR/resolv.conf" ] || _v2_fail "charon wrote no resolv.conf (started without resolve=yes, or got no DNS server)"
		grep -q "^nameserver $dns " "$SWAN_DIR/resolv.conf" ||
			_v2_fail "the configuration payload did not give DNS server $dns: $(cat "$SWAN_DIR/resolv.conf")"
	fi
	# the hub reports the session once its vaN is up: a moment after charon's CHILD_SA
	wait_until 5 _v2_session_up || _v2_fail "the hub has no one open session with address $V2_VIP: $(_v2_sql "SELECT session_id, assigned_addr, ended FROM sessions")"
	V2_SID=$(_v2_sql "SELECT session_id FROM sessions WHERE ended IS NULL AND assigned_addr = '$V2_VIP'")
	ifname=$(_v2_sql "SELECT ifname FROM sessions WHERE session_id = $V2_SID AND ended IS NULL")
	V2_VA=$(ip -n "$V2_HUBNS" route show "$V2_VIP" | sed -n 's/.* dev \(va[0-9]*\).*/\1/p' | head -1)
	[ -n "$V2_VA" ] && [ "$V2_VA" = "$ifname" ] ||
		_v2_fail "the hub routes $V2_VIP through '$V2_VA', its session $V2_SID is on '$ifname'"
	pass "$V2_NAME: virtual IP $V2_VIP${dns:+ and DNS server $dns} from the configuration payload; session $V2_SID on $V2_VA"
}

v2_ping() {
	local tx0 rx0 tx1 rx1
	tx0=$(_v2_cnt tx_packets) rx0=$(_v2_cnt rx_packets)
	ip netns exec "$V2_NS" ping -c 3 -i 0.05 -w 5 "$V2_TARGET" >/dev/null ||
		_v2_fail "no ping replies from $V2_TARGET to $V2_VIP"
	ip netns exec vpnd_in ping -I "$V2_TARGET" -c 3 -i 0.05 -w 5 "$V2_VIP" >/dev/null ||
		_v2_fail "no ping replies from $V2_VIP to $V2_TARGET"
	tx1=$(_v2_cnt tx_packets) rx1=$(_v2_cnt rx_packets)
	[ $((tx1 - tx0)) -ge 6 ] && [ $((rx1 - rx0)) -ge 6 ] ||
		_v2_fail "the pings did not all go through $V2_VA (tx $tx0 -> $tx1, rx $rx0 -> $rx1)"
	pass "$V2_NAME: ping both ways between $V2_VIP and $V2_TARGET through $V2_VA"
}

_v2_iperf_listens() { ip netns exec vpnd_in ss -Hltn 'sport = :5201' | grep -q LISTEN; }
v2_iperf_server() {
	_v2_iperf_listens && return 0
	ip netns exec vpnd_in iperf3 -s >/dev/null 2>&1 &
	IPERF_PIDS="${IPERF_PIDS:-} $!"
	wait_until 5 _v2_iperf_listens || _v2_fail "the iperf3 server in vpnd_in does not listen"
}

v2_iperf() {
	local mb=${V2_MB:-16} dir
	v2_iperf_server
	for dir in "" "-R"; do
		timeout 60 ip netns exec "$V2_NS" iperf3 -c "$V2_TARGET" -n "${mb}M" $dir -J \
			>"$SWAN_DIR/iperf$dir.json" || _v2_fail "iperf3 $dir failed"
		python3 - "$SWAN_DIR/iperf$dir.json" "$V2_NAME" "$dir" "$mb" <<'PY' || _v2_fail "iperf3 $dir: short transfer"
import json, sys
e = json.load(open(sys.argv[1]))["end"]
sent = e["sum_sent"]["bytes"]; recv = e["sum_received"]["bytes"]
print(f"ok: {sys.argv[2]}: iperf3 {sys.argv[3] or 'cl->in'}: {sent/1e6:.1f} MB sent, "
      f"{recv/1e6:.1f} MB counted by the receiver")
# the receiver stops counting at the sender's TEST_END with the socket buffers (a few MB)
# in flight: all sent, most of it counted (as test_swan.sh)
if sent < int(sys.argv[4]) * 1024 * 1024 or recv < 0.7 * sent:
    sys.exit(f"FAIL: {sent} bytes sent, {recv} received")
PY
	done
}

_v2_flowing() {
	[ $(($(_v2_cnt rx_bytes) - $1)) -ge 500000 ] && [ $(($(_v2_cnt tx_bytes) - $2)) -ge 500000 ]
}
# _v2_hub_child SPI_IN SPI_OUT: the session's only open IPsec SA on the hub is charon's pair
_v2_hub_child() {
	[ "$(_v2_sql "SELECT spi_in || ' ' || spi_out FROM ipsec_sas WHERE ended IS NULL AND session_id = $V2_SID")" = "$2 $1" ]
}
_v2_hub_ike() {
	[ "$(_v2_sql "SELECT cky_i FROM ike_sas WHERE ended IS NULL AND session_id = $V2_SID")" = "$1" ]
}
_v2_hub_rekeyed() { [ "$(grep -c "IKEv2 session $V2_SID: IKE SA rekeyed" "$V2_ST/vpnd.log")" -gt "$1" ]; }
_v2_new_sa_carried() {
	local n
	n=$(_v2_sql "SELECT min(pkts_encaps, pkts_decaps) FROM ipsec_sas WHERE session_id = $V2_SID AND spi_in = '$1'")
	[ "${n:-0}" -ge "$2" ]
}

# _v2_abort WHY: stop the load, then fail
_v2_abort() {
	[ -n "${_V2_LOAD:-}" ] && kill "$_V2_LOAD" 2>/dev/null
	_v2_fail "$@"
}

v2_rekeys() {
	local secs=${V2_LOAD_S:-5} j=$SWAN_DIR/iperf-rekey.json ike0 ch0 ike1 ch1 pfs0 hub0 rx0 tx0
	local t0 t1 pfs="" under="under iperf3 both ways"
	_V2_LOAD=
	ike0=$(_v2_ikes) ch0=$(_v2_children)
	[ "$(echo "$ike0" | wc -l)" = 1 ] && [ "$(echo "$ch0" | wc -l)" = 1 ] && [ -n "$ch0" ] ||
		_v2_fail "charon has not one IKE SA and one CHILD_SA before the rekeys: $ike0 / $ch0"
	pfs0=$(grep -c "parsed CREATE_CHILD_SA response [0-9]* \[ SA No KE TSi TSr \]" "$SWAN_DIR/charon.log")
	hub0=$(grep -c "IKEv2 session $V2_SID: IKE SA rekeyed" "$V2_ST/vpnd.log")
	rx0=$(_v2_cnt rx_bytes) tx0=$(_v2_cnt tx_bytes)
	t0=$(date +%s%N)
	if [ "$secs" != 0 ]; then
		v2_iperf_server
		timeout $((secs + 30)) ip netns exec "$V2_NS" iperf3 -c "$V2_TARGET" -t "$secs" \
			-b "${V2_RATE:-20M}" --bidir -i 0.5 -J >"$j" 2>&1 &
		_V2_LOAD=$!
		# the rekeys start once data flows both ways through the vaN
		wait_until 5 _v2_flowing "$rx0" "$tx0" || _v2_abort "iperf3 --bidir moves no data through $V2_VA"
	fi

	swan_ctl --rekey --child "$SWAN_CONN" >"$SWAN_DIR/rekey.log" 2>&1 ||
		_v2_abort "swanctl --rekey --child: $(cat "$SWAN_DIR/rekey.log")"
	wait_until 10 _v2_one_new _v2_children "$ch0" ||
		_v2_abort "charon did not end up with one new CHILD_SA: $(_v2_children | tr '\n' ' ')"
	ch1=$(_v2_children)
	# the old SA goes when charon's DELETE for it arrives
	wait_until 10 _v2_hub_child $ch1 ||
		_v2_abort "the hub's open IPsec SAs are not charon's new pair ($ch1): $(_v2_sql "SELECT spi_in, spi_out, ended FROM ipsec_sas WHERE session_id = $V2_SID")"
	if [ "${V2_PFS:-0}" = 1 ]; then
		[ "$(grep -c "parsed CREATE_CHILD_SA response [0-9]* \[ SA No KE TSi TSr \]" "$SWAN_DIR/charon.log")" -gt "$pfs0" ] ||
			_v2_abort "the CHILD_SA rekey carried no KE (PFS)"
		[ "$(_v2_sql "SELECT pfs_group FROM ipsec_sas WHERE ended IS NULL AND session_id = $V2_SID")" != 0 ] ||
			_v2_abort "the hub's rekeyed IPsec SA has no PFS group"
		pfs=" with PFS"
	fi

	swan_ctl --rekey --ike "$SWAN_CONN" >"$SWAN_DIR/rekey.log" 2>&1 ||
		_v2_abort "swanctl --rekey --ike: $(cat "$SWAN_DIR/rekey.log")"
	wait_until 10 _v2_one_new _v2_ikes "$ike0" ||
		_v2_abort "charon did not end up with one new IKE SA: $(_v2_ikes | tr '\n' ' ')"
	ike1=$(_v2_ikes)
	wait_until 5 _v2_hub_rekeyed "$hub0" || _v2_abort "the hub did not log session $V2_SID's IKE SA rekey"
	wait_until 10 _v2_hub_ike "${ike1#* }" ||
		_v2_abort "the hub's open IKE SA for session $V2_SID is not charon's new one (${ike1#* })"
	[ "$(_v2_children)" = "$ch1" ] || _v2_abort "the CHILD_SA did not move to the new IKE SA"
	t1=$(date +%s%N)
	if [ -n "$_V2_LOAD" ]; then
		kill -0 "$_V2_LOAD" 2>/dev/null ||
			_v2_fail "iperf3 ended before the rekeys did ($(( (t1 - t0) / 1000000 )) ms): the load did not cover them"
		wait "$_V2_LOAD" || _v2_fail "iperf3 under the rekeys failed: $(tail -5 "$j")"
		_V2_LOAD=
		python3 - "$j" "$V2_NAME" <<'PY' || _v2_fail "iperf3 under the rekeys: short transfer"
import json, sys
e = json.load(open(sys.argv[1]))["end"]
up = e["sum_received"]["bytes"]; down = e["sum_received_bidir_reverse"]["bytes"]
print(f"{sys.argv[2]}: iperf3 --bidir across the rekeys: {up/1e6:.1f} MB up, {down/1e6:.1f} MB down")
if min(up, down) < 1024 * 1024:
    sys.exit(f"FAIL: {up} bytes up, {down} down")
PY
		# traffic both ways went through the rekeyed CHILD_SA (tunmgr reports its counters
		# every few seconds)
		wait_until 12 _v2_new_sa_carried "${ch1#* }" 500 ||
			_v2_fail "the rekeyed IPsec SA carried little: $(_v2_sql "SELECT spi_in, pkts_encaps, pkts_decaps FROM ipsec_sas WHERE session_id = $V2_SID")"
	else
		# no load (V2_LOAD_S=0): the rekeyed CHILD_SA carries pings both ways (charon counts)
		under="then pings both ways through them"
		ip netns exec "$V2_NS" ping -c 3 -i 0.05 -w 5 "$V2_TARGET" >/dev/null &&
			ip netns exec vpnd_in ping -I "$V2_TARGET" -c 3 -i 0.05 -w 5 "$V2_VIP" >/dev/null ||
			_v2_fail "no ping both ways through the rekeyed SAs"
		swan_ctl --list-sas --ike "$SWAN_CONN" --raw | grep -o "state=INSTALLED [^}]*spi-in=${ch1%% *} [^}]*" |
			grep -Eq "packets-in=([6-9]|[1-9][0-9]+) .*packets-out=([6-9]|[1-9][0-9]+) " ||
			_v2_fail "charon's rekeyed CHILD_SA did not carry the pings: $(swan_ctl --list-sas --ike "$SWAN_CONN" --raw | grep -o 'state=INSTALLED [^}]*')"
	fi
	_v2_session_up && [ "$(_v2_sql "SELECT session_id FROM sessions WHERE ended IS NULL AND assigned_addr = '$V2_VIP'")" = "$V2_SID" ] ||
		_v2_fail "session $V2_SID did not survive the rekeys"
	[ "$(ip -n "$V2_HUBNS" route show "$V2_VIP" | sed -n 's/.* dev \(va[0-9]*\).*/\1/p' | head -1)" = "$V2_VA" ] ||
		_v2_fail "$V2_VIP is no longer routed through $V2_VA"
	ip netns exec "$V2_NS" ping -c 1 -w 5 "$V2_TARGET" >/dev/null || _v2_fail "no ping after the rekeys"
	pass "$V2_NAME: CHILD_SA rekeyed$pfs (${ch0%% *} -> ${ch1%% *}) and IKE SA rekeyed (#${ike0%% *} -> #${ike1%% *}) $under; session $V2_SID on $V2_VA kept"
}

_v2_dpd_count() { grep -c "parsed INFORMATIONAL request [0-9]* \[ \]" "$SWAN_DIR/charon.log"; }
_v2_dpd_more() { [ "$(_v2_dpd_count)" -gt "$1" ]; }

v2_dpd() {
	local n0 id t0 dt
	n0=$(_v2_dpd_count)
	t0=$(date +%s)
	wait_until "${V2_DPD_WAIT:-25}" _v2_dpd_more "$n0" ||
		_v2_fail "no liveness check from the hub within ${V2_DPD_WAIT:-25} s (its profile's dpd ... periodic)"
	dt=$(( $(date +%s) - t0 ))
	id=$(grep "parsed INFORMATIONAL request [0-9]* \[ \]" "$SWAN_DIR/charon.log" | tail -1 |
		sed 's/.* request \([0-9]*\) .*/\1/')
	wait_until 2 grep -q "generating INFORMATIONAL response $id \[ \]" "$SWAN_DIR/charon.log" ||
		_v2_fail "charon did not answer the liveness check $id"
	# the hub sends a request again after RETRY s unless the answer counted
	wait_until $(( ${V2_DPD_RETRY:-2} + 1 )) grep -q "received retransmit of request with ID $id," "$SWAN_DIR/charon.log" &&
		_v2_fail "the hub sent its liveness check $id again: it did not take charon's answer"
	_v2_session_up || _v2_fail "session $V2_SID ended after a liveness check"
	[ "$(_v2_ikes | wc -l)" = 1 ] || _v2_fail "charon lost its IKE SA after a liveness check"
	pass "$V2_NAME: the hub's liveness check $id came after $dt s, answered and taken; session $V2_SID up"
}
