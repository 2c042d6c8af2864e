#!/bin/bash
# Logging as a Debian service does it, without syslogd or systemd on this machine: a listener
# (test/lib/loglisten.py) stands in for /dev/log, the journal's socket (bind-mounted over
# their paths in a private mount namespace) and a remote syslog host on UDP.
#  1. under "systemd" (JOURNAL_STREAM set): journal datagrams with PRIORITY, SYSLOG_IDENTIFIER
#     per process, SYSLOG_FACILITY, and PEER/USER/GROUP/SESSION on the session lines; the same
#     lines over UDP to `logging host` with PRI = facility * 8 + severity; crypto logging
#     session's %CRYPTO-5-SESSION_STATUS UP and DOWN with a real vpnc; show logging lists the
#     buffered lines (not those below its level); a reload applies a new facility.
#  2. the foreground: `logging console warnings` keeps info and debug lines off stderr.
#  3. vpnd -D: the launcher returns, the daemon has no terminal and a pid file, each process's
#     lines reach /dev/log tagged vpnd-ROLE[pid] with the configured facility, SIGTERM stops it.
# Needs root; fails (never skips) when a tool is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"

interop_begin python3 ip unshare mount vpnc
DPID=
cleanup_more() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
}
ns_setup || fail "namespace setup"

# in the hub's namespace: UDP 127.0.0.1:5514 is the logging host; the unix sockets are files
hub python3 "$SRCDIR/test/lib/loglisten.py" "$T" 5514 &
LISTENER=$!
wait_until 5 test -e "$T/listening" || fail "the log listener did not start"

conf() {        # conf FILE FACILITY: logging lines, then the AES hub of test_vpnc
	{
		echo "logging buffered 16384 informational"
		echo "logging trap debugging"
		echo "logging facility $2"
		echo "logging host 127.0.0.1 transport udp port 5514"
		echo "crypto logging session"
		cat "$SRCDIR/test/data/hub-aes.conf"
	} >"$1"
}
# the lines of journal.log whose JSON has KEY=VALUE for each argument
jgrep() {
	python3 - "$T/journal.log" "$@" <<'PY'
import json, sys
want = [a.split("=", 1) for a in sys.argv[2:]]
def has(j, k, v):     # VALUE* matches a prefix
    x = j.get(k)
    return x is not None and (x.startswith(v[:-1]) if v.endswith("*") else x == v)
n = 0
for line in open(sys.argv[1]):
    j = json.loads(line)
    if all(has(j, k, v) for k, v in want):
        print(line.rstrip()); n += 1
sys.exit(0 if n else 1)
PY
}

echo "=== 1: the journal, a logging host, crypto logging session, show logging"
st=$T/j
mkdir -p "$st"
conf "$T/j.conf" local5
# a private mount namespace: the journal's socket is the listener's, nothing else changes
ip netns exec vpnd_hub unshare -m sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal &&
	touch /run/systemd/journal/socket && mount --bind "$1/journal" /run/systemd/journal/socket &&
	exec env JOURNAL_STREAM=8:1 "$2" -d -f "$3" -S "$4"' sh "$T" "$VPND" "$T/j.conf" "$st" \
	>"$st/vpnd.log" 2>&1 &
VPND_PID=$!
wait_until 15 grep -q '"MESSAGE": "vpnd ready' "$T/journal.log" ||
	{ cat "$st/vpnd.log" >&2; fail "no 'vpnd ready' in the journal"; }
grep -q "vpnd ready" "$st/vpnd.log" && fail "under the journal, lines went to stderr as well"
for role in ikemgr keymgr tunmgr control; do
	pid=$(child_pid "$role")
	jgrep SYSLOG_IDENTIFIER="vpnd-$role" SYSLOG_PID="$pid" SYSLOG_FACILITY=21 >/dev/null ||
		fail "no journal line from $role (pid $pid) with facility 21"
done
pass "journal: lines from vpnd and each of ikemgr, keymgr, tunmgr, control, SYSLOG_FACILITY=21"

vpnc_start "$st/vpnc" natt=force-natt secret=Gk7f3a9c2eSecret user=alice password=Up55aaSecret ||
	{ cat "$st/vpnd.log" >&2; fail "vpnc did not connect"; }
wait_until 5 jgrep MESSAGE="%CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP*" ||
	fail "no SESSION_STATUS UP in the journal"
up=$(jgrep MESSAGE="%CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP*" PRIORITY=5 \
	SYSLOG_IDENTIFIER=vpnd PEER=172.18.143.2 USER=alice GROUP=group1 SESSION="*") ||
	{ jgrep MESSAGE="%CRYPTO*" >&2; fail "the UP line lacks PRIORITY=5 or the PEER/USER/GROUP/SESSION fields"; }
pass "journal: $up"
jgrep SYSLOG_IDENTIFIER=vpnd-ikemgr PEER=172.18.143.2 PRIORITY=7 >/dev/null ||
	fail "ikemgr's debug lines about the peer lack PEER"
pass "journal: ikemgr's debug lines carry PEER"
grep -qE '^<173>[A-Z][a-z]{2} [ 1-3][0-9] [0-9:]{8} hub vpnd\[[0-9]+\]: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP  \.  Peer 172\.18\.143\.2:4500 +Id: group1$' \
	"$T/udp.log" || { grep CRYPTO "$T/udp.log" >&2; fail "no RFC 3164 UP line <173> on the logging host"; }
pass "logging host: $(grep -m1 'tunnel is UP' "$T/udp.log")"
for role in ikemgr keymgr tunmgr control; do
	grep -qE "^<1(6[89]|7[0-5])>.* hub vpnd-$role\[$(child_pid "$role")\]: " "$T/udp.log" ||
		fail "no local5 line from vpnd-$role on the logging host"
done
pass "logging host: each process tagged vpnd-ROLE[pid], PRI 168-175 (local5)"

out=$("$VPNCTL" -S "$st" show logging) || fail "show logging failed"
echo "$out" | grep -q "Buffer logging:  level informational" || { echo "$out" >&2; fail "show logging: no buffer level"; }
echo "$out" | grep -q "Logging to 127.0.0.1 (udp port 5514)" || { echo "$out" >&2; fail "show logging: no host"; }
echo "$out" | grep -q "Logging to journal" || { echo "$out" >&2; fail "show logging: not to the journal"; }
echo "$out" | grep -qE "vpnd\[[0-9]+\]: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP" ||
	{ echo "$out" >&2; fail "show logging: the UP line is not buffered"; }
echo "$out" | grep -q "debug: " && { echo "$out" | grep -m3 "debug: " >&2; fail "show logging: debug lines below the buffer's level"; }
n=$("$VPNCTL" -S "$st" show logging --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["buffer_level"] == "informational" and j["facility"] == "local5", j
assert j["hosts"] == [{"address": "127.0.0.1", "port": 5514}], j["hosts"]
assert j["messages_logged"] > 0
print(sum("SESSION_STATUS" in l for l in j["lines"]))') || fail "show logging --json"
[ "$n" -ge 1 ] || fail "show logging --json: no SESSION_STATUS line"
pass "show logging: header, the UP line buffered, no debug lines (text and --json)"
"$VPNCTL" -S "$st" show running-config | grep -q "^logging host 127.0.0.1 transport udp port 5514$" ||
	fail "running-config does not print the logging host"

vpnc_stop
wait_until 10 jgrep MESSAGE="%CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN*" PEER=172.18.143.2 \
	USER=alice SESSION="*" >/dev/null || fail "no SESSION_STATUS DOWN with fields in the journal"
wait_until 5 grep -qE '^<173>.* vpnd\[[0-9]+\]: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN\.  Peer 172\.18\.143\.2:4500 +Id: group1$' \
	"$T/udp.log" || fail "no DOWN line on the logging host"
pass "logging host: $(grep -m1 'tunnel is DOWN' "$T/udp.log")"

sed -i 's/^logging facility local5$/logging facility local6/' "$T/j.conf"
kill -HUP "$VPND_PID"
wait_until 5 grep -qE '^<182>.* vpnd\[[0-9]+\]: configuration reloaded' "$T/udp.log" ||
	{ grep reload "$T/udp.log" >&2; fail "the reload did not apply the new facility"; }
pass "reload: lines now go with local6 (<182> informational)"
vpnd_stop "$st"

echo "=== 2: the foreground, logging console warnings"
st=$T/c
mkdir -p "$st"
conf "$T/c.conf" local5
sed -i '1i logging console warnings' "$T/c.conf"
: >"$T/udp.log"
ip netns exec vpnd_hub "$VPND" -d -f "$T/c.conf" -S "$st" >"$st/vpnd.log" 2>&1 &
VPND_PID=$!
wait_until 15 grep -q "vpnd\[[0-9]*\]: vpnd ready" "$T/udp.log" || fail "no 'vpnd ready' on the logging host"
grep -E "vpnd ready|debug: " "$st/vpnd.log" && fail "stderr got lines below logging console warnings"
vpnd_stop "$st"
grep -q "vpnd\[[0-9]*\]: vpnd stopped" "$T/udp.log" || fail "no 'vpnd stopped' on the logging host"
pass "stderr keeps only warnings and worse; the logging host got every line"

echo "=== 3: vpnd -D, syslog on /dev/log"
st=$T/d
mkdir -p "$st"
conf "$T/d.conf" local3
: >"$T/syslog.log"
# /dev of the namespace is a tmpfs with what vpnd opens, and the listener's socket as /dev/log
t0=$(date +%s%N)
ip netns exec vpnd_hub unshare -m sh -c 'mount -t tmpfs -o mode=755 tmpfs /dev && mknod -m 666 /dev/null c 1 3 &&
	mknod -m 666 /dev/urandom c 1 9 && mkdir /dev/net && mknod -m 666 /dev/net/tun c 10 200 &&
	touch /dev/log && mount --bind "$1/devlog" /dev/log &&
	exec "$2" -D -d -f "$3" -S "$4"' sh "$T" "$VPND" "$T/d.conf" "$st" >"$st/launcher.out" 2>&1 &
LAUNCHER=$!
wait_until 5 sh -c "! kill -0 $LAUNCHER" || fail "the launcher did not return"
wait "$LAUNCHER"; rc=$?
[ "$rc" = 0 ] || { cat "$st/launcher.out" >&2; fail "the launcher exited $rc"; }
pass "vpnd -D returned in $(( ($(date +%s%N) - t0) / 1000000 )) ms with status 0"
wait_until 15 grep -q "vpnd\[[0-9]*\]: vpnd ready" "$T/syslog.log" ||
	{ cat "$T/syslog.log" "$st/launcher.out" >&2; fail "no 'vpnd ready' on /dev/log"; }
DPID=$(cat "$st/vpnd.pid") || fail "no pid file $st/vpnd.pid"
kill -0 "$DPID" || fail "the pid file names no live process"
[ "$(ps -o tty= -p "$DPID" | tr -d ' ')" = "?" ] || fail "the daemon has a terminal"
[ "$(ps -o sid= -p "$DPID")" != "$(ps -o sid= -p $$)" ] || fail "the daemon is in the test's session"
[ "$(ps -o sid= -p "$DPID" | tr -d ' ')" != "$DPID" ] || fail "the daemon is a session leader (may get a terminal)"
# the configuration's diagnostics go to the terminal before detaching; nothing else may
grep -v "d.conf:[0-9]*: warning: " "$st/launcher.out" >&2 && fail "the daemon wrote to the launcher's stdio"
grep -q "d.conf:[0-9]*: warning: legacy algorithm" "$st/launcher.out" ||
	fail "the configuration's warnings did not reach the launcher's terminal"
pass "daemon pid $DPID: parent $(ps -o ppid= -p "$DPID" | tr -d ' '), no terminal, own session, not its leader"
for role in ikemgr keymgr tunmgr control; do
	pid=$(pgrep -P "$DPID" -f -- "-X $role" | head -1)
	[ -n "$pid" ] || fail "no $role child of the daemon"
	wait_until 5 grep -qE "^<15[2-9]>[A-Z][a-z]{2} [ 1-3][0-9] [0-9:]{8} vpnd-$role\[$pid\]: " "$T/syslog.log" ||
		{ head -20 "$T/syslog.log" >&2; fail "no local3 line from vpnd-$role[$pid] on /dev/log"; }
done
pass "/dev/log: $(grep -m1 'vpnd-ikemgr\[' "$T/syslog.log")"
kill -TERM "$DPID"
wait_until 5 sh -c "! kill -0 $DPID" || fail "the daemon did not stop within 5 s of SIGTERM"
DPID=
grep -q "vpnd\[[0-9]*\]: vpnd stopped" "$T/syslog.log" || fail "no 'vpnd stopped' on /dev/log"
[ -e "$st/vpnd.pid" ] && fail "the pid file was left behind"
pass "SIGTERM: the daemon stopped, said so on /dev/log, removed its pid file"
echo "all logging checks passed"
