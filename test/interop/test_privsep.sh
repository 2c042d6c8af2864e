#!/bin/bash
# Privilege separation and supervision of vpnd's processes, in the test namespaces:
#  - four children with distinct non-root uids, all chrooted to /var/empty/vpnd; ikemgr,
#    keymgr and control with no capabilities; tunmgr with exactly CAP_NET_ADMIN + CAP_NET_RAW
#  - sandbox: seccomp filter (Seccomp: 2) and no_new_privs on all five processes, rlimits per
#    role, none dumpable (a same-uid process without capabilities cannot read their environ)
#  - the control socket: root only (mode 0600 and SO_PEERCRED), answers ping; the listening
#    socket and every operator connection are the control process's, never the parent's
#  - SIGTERM: exit 0 within 5 s, no child left, socket removed
#  - a child killed: the parent stops the others and exits 1 (never half-runs)
#  - vpnd -n: FILE:LINE diagnostics and exit 1 on a bad file, 0 on the seed
# Needs root (namespaces, setuid); never skips.
set -u

SRCDIR=${srcdir:-.}
VPND=${VPND:-./vpnd}
CONF=$SRCDIR/etc/seed-dvti.conf
BAD=$SRCDIR/test/data/bad.conf
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

fail() { echo "FAIL: $*" >&2; [ -n "${LOG:-}" ] && [ -f "$LOG" ] && tail -25 "$LOG" >&2; exit 1; }
pass() { echo "ok: $*"; }

[ "$(id -u)" = 0 ] || { echo "test_privsep.sh: needs root (network namespaces, setuid, chroot)" >&2; exit 1; }
[ -x "$VPND" ] || { echo "test_privsep.sh: no vpnd binary at $VPND (set VPND)" >&2; exit 1; }
[ -f "$CONF" ] || { echo "test_privsep.sh: missing $CONF" >&2; exit 1; }

. "$SRCDIR/test/lib/ns.sh"

T=$(mktemp -d /tmp/vpnd-privsep.XXXXXX)
VPND_PID=
cleanup() {
	[ -n "$VPND_PID" ] && kill -KILL "$VPND_PID" 2>/dev/null
	ns_teardown
	rm -rf "$T"
}
trap cleanup EXIT

# ctl SOCKET LINE [USER]: one command on the control socket, prints the answer
ctl() {
	local sock=$1 line=$2 user=${3:-}
	local pre=()
	[ -n "$user" ] && pre=(setpriv --reuid="$user" --regid="$user" --clear-groups)
	"${pre[@]}" "$PY" - "$sock" "$line" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect: %s" % e.strerror)
    sys.exit(0)
try:
    s.sendall(sys.argv[2].encode() + b"\n")
except OSError:
    pass    # refused peers are answered and closed before they write
out = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
}

# wait_for SECONDS CMD...: bounded polling
wait_for() {
	local limit=$1; shift
	local end=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
	until "$@" >/dev/null 2>&1; do
		[ "$(( $(date +%s%N) / 1000000 ))" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# start_vpnd NAME: vpnd in the hub namespace, state in $T/NAME; sets VPND_PID, LOG, RUN
start_vpnd() {
	RUN=$T/$1
	LOG=$T/$1.log
	ip netns exec vpnd_hub "$VPND" -d -f "$CONF" -S "$RUN" >"$LOG" 2>&1 &
	VPND_PID=$!
	wait_for 15 grep -q "vpnd ready" "$LOG" || fail "$1: no 'vpnd ready' within 15 s"
}

# child ROLE: pid of the child started as "vpnd -X ROLE"
child() {
	local c
	for c in $(pgrep -P "$VPND_PID"); do
		tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -q -- "-X $1 " && { echo "$c"; return; }
	done
}

status_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

alive() { kill -0 "$1" 2>/dev/null; }

# ---- vpnd -n
out=$("$VPND" -n -f "$BAD" 2>&1); rc=$?
[ "$rc" = 1 ] || fail "vpnd -n on a bad file: exit $rc, expected 1"
echo "$out" | grep -Eq "bad\.conf:3: " || fail "vpnd -n did not report bad.conf:3: ($out)"
pass "vpnd -n reports $(echo "$out" | grep -E 'bad\.conf:3: ' | head -1)"
out=$("$VPND" -n -f "$CONF" 2>&1); rc=$?
[ "$rc" = 0 ] || fail "vpnd -n on $CONF: exit $rc ($out)"
pass "vpnd -n accepts $(basename "$CONF")"

ns_setup || fail "namespace setup"

# ---- privileges
start_vpnd run1
IKE=$(child ikemgr); KEY=$(child keymgr); TUN=$(child tunmgr); CTL=$(child control)
[ -n "$IKE" ] && [ -n "$KEY" ] && [ -n "$TUN" ] && [ -n "$CTL" ] ||
	fail "children not found (ike=$IKE key=$KEY tun=$TUN control=$CTL)"
[ "$(pgrep -P "$VPND_PID" | wc -l)" = 4 ] || fail "expected exactly 4 children"

declare -A uid
for r in IKE KEY TUN CTL; do
	p=${!r}
	uid[$r]=$(status_field "$p" Uid)
	[ -n "${uid[$r]}" ] && [ "${uid[$r]}" != 0 ] || fail "$r runs as uid ${uid[$r]}"
	# real, effective, saved and fs uids all the same
	[ "$(awk '$1 == "Uid:" { print ($2 == $3 && $3 == $4 && $4 == $5) }' "/proc/$p/status")" = 1 ] \
		|| fail "$r: uids differ: $(grep ^Uid: "/proc/$p/status")"
	[ "$(status_field "$p" Gid)" != 0 ] || fail "$r runs with gid 0"
	[ "$(status_field "$p" NoNewPrivs)" = 1 ] || fail "$r: no_new_privs not set"
done
[ "$(printf '%s\n' "${uid[@]}" | sort -u | wc -l)" = 4 ] || fail "uids not distinct: ${uid[*]}"
pass "uids: ikemgr ${uid[IKE]}, keymgr ${uid[KEY]}, tunmgr ${uid[TUN]}, control ${uid[CTL]}"
[ "$(getent passwd "${uid[IKE]}" | cut -d: -f1)" = _vpnd_ike ] || fail "ikemgr is not _vpnd_ike"
[ "$(getent passwd "${uid[KEY]}" | cut -d: -f1)" = _vpnd_key ] || fail "keymgr is not _vpnd_key"
[ "$(getent passwd "${uid[TUN]}" | cut -d: -f1)" = _vpnd_tun ] || fail "tunmgr is not _vpnd_tun"
[ "$(getent passwd "${uid[CTL]}" | cut -d: -f1)" = _vpnd_ctl ] || fail "control is not _vpnd_ctl"

for r in IKE KEY CTL; do
	p=${!r}
	for f in CapEff CapPrm CapInh CapAmb CapBnd; do
		v=$(status_field "$p" $f)
		[ "$((16#$v))" = 0 ] || fail "$r: $f = $v, expected 0"
	done
	root=$(readlink "/proc/$p/root")
	[ "$root" = /var/empty/vpnd ] || fail "$r: root is $root, expected /var/empty/vpnd"
done
pass "ikemgr, keymgr and control: no capabilities, chrooted to /var/empty/vpnd"
[ -z "$(ls -A /var/empty/vpnd)" ] || fail "/var/empty/vpnd is not empty"
[ "$(stat -c '%U %a' /var/empty/vpnd)" = "root 755" ] || fail "/var/empty/vpnd: $(stat -c '%U %a' /var/empty/vpnd)"

for f in CapEff CapPrm CapBnd; do
	v=$(status_field "$TUN" $f)
	[ "$((16#$v))" = $((0x3000)) ] || fail "tunmgr: $f = $v, expected CAP_NET_ADMIN|CAP_NET_RAW (0x3000)"
done
for f in CapInh CapAmb; do
	v=$(status_field "$TUN" $f)
	[ "$((16#$v))" = 0 ] || fail "tunmgr: $f = $v, expected 0"
done
[ "$(readlink "/proc/$TUN/root")" = /var/empty/vpnd ] ||
	fail "tunmgr: root is $(readlink "/proc/$TUN/root"), expected /var/empty/vpnd"
pass "tunmgr: CAP_NET_ADMIN and CAP_NET_RAW only (CapEff 0x3000), bounding set the same, chrooted"

# ---- sandbox (common/sandbox.c)
# limit PID NAME: "soft hard" of a line of /proc/PID/limits
limit() { awk -v n="$2" 'index($0, n) == 1 { s = substr($0, 27); split(s, a, " "); print a[1], a[2] }' "/proc/$1/limits"; }
for r in VPND_PID IKE KEY TUN CTL; do
	p=${!r}
	[ "$(status_field "$p" Seccomp)" = 2 ] || fail "$r: Seccomp is $(status_field "$p" Seccomp), expected 2 (filter)"
	[ "$(status_field "$p" NoNewPrivs)" = 1 ] || fail "$r: no_new_privs not set"
	[ "$(limit "$p" "Max core file size")" = "0 0" ] || fail "$r: core limit $(limit "$p" "Max core file size")"
done
grep -q "vpnd\[[0-9]*\]: seccomp filter installed" "$LOG" || fail "the parent did not log its seccomp filter"
for r in ikemgr keymgr tunmgr control; do
	grep -q "$r\[[0-9]*\]: seccomp filter installed" "$LOG" || fail "$r did not log its seccomp filter"
done
# 69632 unless the hard limit cannot be raised here (a container without CAP_SYS_RESOURCE)
tunfiles=69632
if ! grep -q "^CapEff:.*" /proc/self/status || [ $(( 0x$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status) >> 24 & 1 )) = 0 ]; then
	h=$(ulimit -Hn); [ "$h" != unlimited ] && [ "$h" -lt $tunfiles ] && tunfiles=$h
fi
[ "$(limit "$TUN" "Max open files")" = "$tunfiles $tunfiles" ] || fail "tunmgr: open files $(limit "$TUN" "Max open files"), expected $tunfiles"
[ "$(limit "$IKE" "Max open files")" = "1024 1024" ] || fail "ikemgr: open files $(limit "$IKE" "Max open files")"
[ "$(limit "$KEY" "Max open files")" = "1024 1024" ] || fail "keymgr: open files $(limit "$KEY" "Max open files")"
[ "$(limit "$VPND_PID" "Max open files")" = "8192 8192" ] || fail "parent: open files $(limit "$VPND_PID" "Max open files")"
[ "$(limit "$IKE" "Max processes")" = "16 16" ] || fail "ikemgr: processes $(limit "$IKE" "Max processes")"
[ "$(limit "$KEY" "Max processes")" = "32 32" ] || fail "keymgr: processes $(limit "$KEY" "Max processes")"
[ "$(limit "$TUN" "Max processes")" = "16 16" ] || fail "tunmgr: processes $(limit "$TUN" "Max processes")"
[ "$(limit "$CTL" "Max open files")" = "1024 1024" ] || fail "control: open files $(limit "$CTL" "Max open files")"
[ "$(limit "$CTL" "Max processes")" = "16 16" ] || fail "control: processes $(limit "$CTL" "Max processes")"
pass "seccomp filter and no_new_privs on all five; core 0; open files 8192/1024/1024/$tunfiles/1024; processes -/16/32/16/16"
# Non-dumpable: test/lib/dumpable.py reads a process's memory as its own uid and gid with
# every capability but CAP_SYS_PTRACE, which the kernel allows only for a dumpable process.
for r in VPND_PID IKE KEY TUN CTL; do
	"$PY" "$SRCDIR/test/lib/dumpable.py" "${!r}"; rc=$?
	[ "$rc" = 1 ] || fail "$r (pid ${!r}) is dumpable (probe exit $rc)"
done
# the probe itself works: it reads a dumpable process
sleep 30 & SL=$!
"$PY" "$SRCDIR/test/lib/dumpable.py" "$SL"; rc=$?
kill $SL; wait $SL 2>/dev/null
[ "$rc" = 0 ] || fail "the dumpability probe cannot read a dumpable process (exit $rc)"
pass "parent and children are not dumpable"

# the parent hands out its sockets: none left in it, the children hold them
for p in "$VPND_PID"; do
	ip netns exec vpnd_hub ss -Hunlp 2>/dev/null | grep -q "pid=$p," &&
		fail "the parent still holds a UDP socket"
done
ip netns exec vpnd_hub ss -Hunlp 2>/dev/null | grep ':500 ' | grep -q "pid=$IKE," ||
	fail "ikemgr does not hold UDP 500"
ip netns exec vpnd_hub ss -Hunlp 2>/dev/null | grep ':4500 ' | grep -q "pid=$TUN," ||
	fail "tunmgr does not hold UDP 4500"
pass "UDP 500 in ikemgr, UDP 4500 in ikemgr and tunmgr, none in the parent"

# ---- control socket
SOCK=$RUN/vpnd.sock
[ -S "$SOCK" ] || fail "no control socket at $SOCK"
[ "$(stat -c '%a %U' "$SOCK")" = "600 root" ] || fail "control socket is $(stat -c '%a %U' "$SOCK")"
ans=$(ctl "$SOCK" ping)
[ "$ans" = "pong $VPND_PID" ] || fail "ping answered '$ans', expected 'pong $VPND_PID'"
ans=$(ctl "$SOCK" "no such command")
echo "$ans" | grep -q "^% unknown command" || fail "unknown command answered '$ans'"
# defence in depth: even with the file opened up, a non-root peer is refused
chmod 0711 "$T" "$RUN"; chmod 0666 "$SOCK"
ans=$(ctl "$SOCK" ping 65534)
chmod 0700 "$T" "$RUN"; chmod 0600 "$SOCK"
[ "$ans" = "% permission denied" ] || fail "non-root peer got '$ans'"
pass "control socket: mode 0600, ping answers pong, non-root peers refused"

# The operator's input never reaches root: the listening socket and an open operator
# connection (its server end, named by the socket's path) belong to control, not the parent.
# (an accepted unix socket is listed in the connecting side's network namespace: ask both)
socks_of() { { ip netns exec vpnd_hub ss -Hxp "$@"; ss -Hxp "$@"; } 2>/dev/null | grep -F " $SOCK "; }
lst=$(socks_of -l)
echo "$lst" | grep -q "pid=$CTL," || fail "control does not hold the listening socket: $lst"
echo "$lst" | grep -q "pid=$VPND_PID," && fail "the parent holds the listening socket: $lst"
"$PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); time.sleep(3)' \
	"$SOCK" &
HOLD=$!
wait_for 3 sh -c "ss -Hxp state established 2>/dev/null | grep -F ' $SOCK ' | grep -q pid=" ||
	fail "no accepted operator connection seen"
est=$(socks_of state established)
kill "$HOLD" 2>/dev/null; wait "$HOLD" 2>/dev/null
echo "$est" | grep -q "pid=$CTL," || fail "control does not hold the operator connection: $est"
echo "$est" | grep -q "pid=$VPND_PID," && fail "the parent holds an operator connection: $est"
pass "control socket: listening socket and operator connections in control (pid $CTL) only"

# control reads the session store through descriptors opened before its chroot: the database,
# its WAL and the WAL index, every one read-only (the parent is the only writer)
n=0
for fd in /proc/"$CTL"/fd/*; do
	f=$(readlink "$fd") || continue
	case $f in "$RUN"/vpnd.db*) ;; *) continue ;; esac
	flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$CTL/fdinfo/${fd##*/}")
	[ $(( 0$flags & 3 )) = 0 ] || fail "control holds $f open for writing (flags $flags)"
	n=$((n + 1))
done
[ "$n" -ge 3 ] || fail "control holds $n of vpnd.db, -wal, -shm open, expected all 3"
pass "control: vpnd.db, -wal and -shm open read-only"

# ---- SIGTERM
t0=$(date +%s%N)
kill -TERM "$VPND_PID"
wait_for 5 sh -c "! kill -0 $VPND_PID" || fail "still running 5 s after SIGTERM"
wait "$VPND_PID"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
VPND_PID=
for p in $IKE $KEY $TUN $CTL; do alive "$p" && fail "child $p survived the parent"; done
[ -e "$SOCK" ] && fail "control socket left behind"
grep -q "vpnd stopped" "$LOG" || fail "no 'vpnd stopped' in the log"
grep -q "signal 31" "$LOG" && fail "a process was killed by seccomp (SIGSYS)"
pass "SIGTERM: exit 0 in $ms ms, children gone, socket removed"

# ---- a child dies: all go, exit 1
start_vpnd run2
IKE=$(child ikemgr); KEY=$(child keymgr); TUN=$(child tunmgr)
kill -KILL "$IKE"
wait_for 5 sh -c "! kill -0 $VPND_PID" || fail "parent still running 5 s after ikemgr died"
wait "$VPND_PID"; rc=$?
VPND_PID=
[ "$rc" = 1 ] || fail "exit status $rc after ikemgr died, expected 1"
for p in $KEY $TUN; do alive "$p" && fail "child $p left running"; done
grep -q "ikemgr exited (signal 9)" "$LOG" || fail "no 'ikemgr exited (signal 9)' in the log"
pass "ikemgr killed: parent stopped keymgr and tunmgr and exited 1"

# ---- a stuck child does not hold the parent past 5 s
start_vpnd run3
KEY=$(child keymgr)
kill -STOP "$KEY"
t0=$(date +%s%N)
kill -TERM "$VPND_PID"
wait_for 5 sh -c "! kill -0 $VPND_PID" || fail "stuck keymgr held the parent past 5 s"
wait "$VPND_PID"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
VPND_PID=
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM with a stuck child"
alive "$KEY" && fail "stuck keymgr left running"
grep -q "keymgr did not stop in time" "$LOG" || fail "no 'did not stop in time' in the log"
pass "stuck keymgr: killed, parent exited 0 in $ms ms"

echo "all privsep checks passed"
