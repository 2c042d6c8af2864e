# Forged messages on a live vpnd's channels (source after vpnd.sh; bash only): the descriptor
# of one child's channel copied with pidfd_getfd, what gdb on that process would give an
# attacker, and one message written on it by test/unit/imsg_forge. Used by test_forge.sh and
# test_ez_tun.sh; $name names the case in failures. VPND_PID is the vpnd played, FORGE_NS its
# namespace (vpnd_hub unless set).

FORGE=${FORGE:-./test/unit/imsg_forge}

role_pid() {   # role_pid ROLE: the pid of vpnd's ikemgr, keymgr or tunmgr
	local p
	for p in $(pgrep -P "$VPND_PID"); do
		tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "-X $1" && { echo "$p"; return 0; }
	done
	return 1
}

# chan_fd SRC DST: SRC's descriptor of its channel to DST (a role, or "parent": fd 3)
chan_fd() {
	[ "$2" = parent ] && { echo 3; return; }
	local src dst
	src=$(role_pid "$1") && dst=$(role_pid "$2") || return 1
	ip netns exec "${FORGE_NS:-vpnd_hub}" ss -xpH | python3 -c '
import re, sys
src, dst = sys.argv[1], sys.argv[2]
own, peer = {}, {}
for line in sys.stdin:
    m = re.match(r"\S+\s+\S+\s+\d+\s+\d+\s+\S+\s+(\d+)\s+\S+\s+(\d+)\s*(.*)", line)
    if not m:
        continue
    peer[m.group(1)] = m.group(2)
    for pid, fd in re.findall(r"pid=(\d+),fd=(\d+)", m.group(3)):
        own.setdefault(m.group(1), []).append((pid, fd))
for ino, owners in own.items():
    for pid, fd in owners:
        if pid == src and any(p == dst for p, _ in own.get(peer.get(ino, ""), [])):
            print(fd)
            sys.exit(0)
sys.exit(1)' "$src" "$dst"
}

forge() {   # forge SRC DST WHAT ARGS...: SRC writes a forged message to DST
	local src=$1 dst=$2 fd pid; shift 2
	pid=$(role_pid "$src") || fail "$name: no $src"
	fd=$(chan_fd "$src" "$dst") || fail "$name: no channel from $src to $dst"
	"$FORGE" "$pid" "$fd" "$@" || fail "$name: imsg_forge $*"
}

# listen6 SECONDS: on the inside host, the sources of the ICMPv6 echo requests carrying "ezvpn"
# (what test/lib/ezesp.py inject sends), one per line
listen6() {
	inh timeout $(($1 + 2)) python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.settimeout(0.2)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    try:
        pkt, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    if pkt[0] == 128 and pkt.endswith(b"ezvpn"):
        print(a[0], flush=True)
' "$1"
}
