#!/bin/bash
# IPv6 addresses from RADIUS (issue 14): strongSwan's charon (IKEv1 aggressive, PSK + XAuth,
# kernel-libipsec) asks Mode Config for an IPv4 and an IPv6 address; a real FreeRADIUS
# authenticates each user and chooses the IPv6 address:
#  - Framed-IPv6-Address inside the group's ipv6 pool: the client gets it, the pool skips it
#    for the next client, and accounting Start and Stop carry it (FreeRADIUS's detail file);
#  - a /128 Framed-IPv6-Prefix outside every pool: the client gets it;
#  - Framed-IPv6-Pool: the address comes from that pool instead of the group's;
#  - a link-local Framed-IPv6-Address is refused: the session is IPv4 only, with a warning;
#  - a /64 Framed-IPv6-Prefix (delegation, not carried) is counted and ignored: the group's
#    pool gives the address;
#  - Cisco-AVPair "ip:interface-config=ipv6 traffic-filter NAME in" filters that user's IPv6
#    (an IPv6 CHILD_SA: ping -6 to one inside host denied, the other answered); one naming an
#    ipv6 access-list the hub lacks refuses the session;
#  - Framed-IPv6-Route (RFC 3162 2.5) and Delegated-IPv6-Prefix (RFC 4818): routed through
#    the session's vaN, an inside host's ping -6 to an address in the routed prefix reaching
#    the client through the tunnel; ::/0 (parser), a network over an ipv6 pool (keymgr) and
#    one over the hub's own fd00:2::/64 (tunmgr, from the kernel's addresses) refused with a
#    warning and not routed; the delegated prefix in Accounting Start and Stop and in
#    `show crypto session detail`;
#  - a quick mode whose client side is the delegated prefix (a second IPv6 CHILD_SA with that
#    local_ts): accepted, an inside host's ping -6 to an address of the prefix on the client
#    answered through it; a CHILD_SA for a prefix not given refused by ikemgr; IPv6 SAs for
#    prefixes forged on ikemgr's channel (not given, wider than given, one tunmgr refused at
#    the interface's creation) refused by tunmgr; one for a /64 of his prefix taken, and ESP
#    on it from a source outside that /64 dropped;
#  - DNS-Server-IPv6-Address (RFC 6911) replaces the group's ipv6 dns for that user
#    (INTERNAL_IP6_DNS, written by charon's resolve plugin); a link-local one is refused with a
#    warning and the group's is sent.
# The hub reaches FreeRADIUS over IPv6 (address ipv6 ::1): its requests carry
# NAS-IPv6-Address.
# Needs root; fails (never skips) when strongSwan or FreeRADIUS is missing.
set -u
. "${srcdir:-.}/test/lib/ns.sh"
. "${srcdir:-.}/test/lib/vpnd.sh"
. "${srcdir:-.}/test/lib/swan.sh"
. "${srcdir:-.}/test/lib/radius.sh"
. "${srcdir:-.}/test/lib/forge.sh"

interop_begin swanctl ip python3 ping unshare freeradius ss
[ -x "$FORGE" ] || fail "$FORGE is missing: make check builds it"
swan_require
cleanup_more() { radius_stop "$T/radius"; }
ns_setup || fail "namespace setup"
hub sysctl -qw net.ipv6.conf.all.forwarding=1 || fail "IPv6 forwarding on the hub"
hub ip addr add fd00:2::1/64 dev eth1 nodad && inh ip addr add fd00:2::10/64 dev inhost nodad &&
	inh ip addr add fd00:2::11/64 dev inhost nodad &&
	inh ip -6 route add default via fd00:2::1 || fail "IPv6 addresses inside"

cat >"$T/users" <<'EOF2'
ann	Cleartext-Password := "AnnRadPw6"
	Framed-IPv6-Address = fd00:6::42
ben	Cleartext-Password := "BenRadPw6"
	Framed-IPv6-Prefix = 2001:db8:99::5/128
cat	Cleartext-Password := "CatRadPw6"
	Framed-IPv6-Pool = "radv6"
dan	Cleartext-Password := "DanRadPw6"
	Framed-IPv6-Address = fe80::66
eve	Cleartext-Password := "EveRadPw6"
	Framed-IPv6-Prefix = 2001:db8:1::/64
fay	Cleartext-Password := "FayRadPw6"
	Framed-IPv6-Address = fd00:6::77,
	Cisco-AVPair = "ip:interface-config=ipv6 traffic-filter fay6 in"
gus	Cleartext-Password := "GusRadPw6"
	Cisco-AVPair = "ip:interface-config=ipv6 traffic-filter nosuch6 in"
hal	Cleartext-Password := "HalRadPw6"
	Framed-IPv6-Address = fd00:6::88,
	Framed-IPv6-Route = "2001:db8:77::/48 :: 1",
	Framed-IPv6-Route = "::/0 :: 1",
	Framed-IPv6-Route = "fd00:6::/64 :: 1",
	Framed-IPv6-Route = "fd00:2::/48",
	Delegated-IPv6-Prefix = 2001:db8:a0::/48
ivy	Cleartext-Password := "IvyRadPw6"
	DNS-Server-IPv6-Address = fd00:2::53,
	DNS-Server-IPv6-Address = fd00:2::54
jo	Cleartext-Password := "JoRadPw6"
	DNS-Server-IPv6-Address = fe80::53
EOF2
RADIUS_V6=1 radius_start "$T/radius" 18120 Rs9radiusSecret "$T/users"
st=$T/hub
DETAIL=$T/radius/log/detail
vpnd_start "$SRCDIR/test/data/hub-radius6.conf" "$st"

dump() {
	echo "--- vpnd log" >&2; tail -30 "$st/vpnd.log" >&2
	[ -n "${SWAN_DIR:-}" ] && { echo "--- charon log" >&2; grep -E "\[(IKE|CFG)\]" "$SWAN_DIR/charon.log" | tail -20 >&2; }
}
die() { dump; fail "$*"; }

vips() {
	swan_ctl --list-sas --ike "$SWAN_CONN" --raw 2>/dev/null |
		sed -n 's/.*local-vips=\[\([0-9a-f.: ]*\)\].*/\1/p' | head -1 | tr ' ' '\n'
}
# connect USER PASSWORD [SWAN_START_ARGS...]: charon up, its IPv6 virtual IP (empty if none)
# in V6
connect() {
	local u=$1 pw=$2; shift 2
	swan_start "$T/swan-$u" secret=Gk7f3a9c2eSecret user="$u" password="$pw" vips=0.0.0.0,:: "$@" ||
		die "$u: charon did not start"
	swan_up 20 || die "$u: charon did not connect"
	V4=$(vips | grep -v : | head -1)
	V6=$(vips | grep : | head -1)
	[ -n "$V4" ] || die "$u: no IPv4 virtual IP"
}

connect ann AnnRadPw6
[ "$V6" = fd00:6::42 ] || die "ann got IPv6 '$V6', expected her Framed-IPv6-Address fd00:6::42"
cl ip -o -6 addr show | grep -q "inet6 fd00:6::42/" || die "charon did not install fd00:6::42"
grep -q "Mode Config gave $V4 and fd00:6::42 to user 'ann'" "$st/vpnd.log" || die "the hub did not log ann's addresses"
cl ping -c 2 -i 0.05 -w 5 10.2.1.10 >/dev/null || die "ann: no IPv4 ping through the tunnel"
wait_until 10 sh -c "awk -v RS= '/Acct-Status-Type = Start/ && /\"ann\"/' '$DETAIL' 2>/dev/null | grep -q 'Framed-IPv6-Address = fd00:6::42'" ||
	{ cat "$DETAIL" >&2; die "ann's Accounting Start lacks Framed-IPv6-Address fd00:6::42"; }
grep -q "NAS-IPv6-Address = ::1" "$T/radius/radiusd.out" || die "the Access-Request lacks NAS-IPv6-Address ::1"
grep -q 'NAS-IP-Address' "$T/radius/radiusd.out" && die "a request over IPv6 carries NAS-IP-Address"
pass "ann: Framed-IPv6-Address fd00:6::42 from RADIUS, installed by charon, in the Accounting Start, all over IPv6 to ::1"

swan_down 10 && swan_stop
wait_until 10 sh -c "awk -v RS= '/Acct-Status-Type = Stop/ && /\"ann\"/' '$DETAIL' 2>/dev/null | grep -q 'Framed-IPv6-Address = fd00:6::42'" ||
	{ cat "$DETAIL" >&2; die "ann's Accounting Stop lacks Framed-IPv6-Address fd00:6::42"; }
pass "ann: the Accounting Stop carries Framed-IPv6-Address fd00:6::42"

connect ben BenRadPw6
[ "$V6" = 2001:db8:99::5 ] || die "ben got IPv6 '$V6', expected his /128 Framed-IPv6-Prefix 2001:db8:99::5"
pass "ben: a /128 Framed-IPv6-Prefix outside every pool is his address"
swan_down 10 && swan_stop

connect cat CatRadPw6
[ "$V6" = fd00:7::1 ] || die "cat got IPv6 '$V6', expected fd00:7::1 from her Framed-IPv6-Pool radv6"
pass "cat: Framed-IPv6-Pool radv6 gave fd00:7::1"
swan_down 10 && swan_stop

connect dan DanRadPw6
[ -z "$V6" ] || die "dan got IPv6 '$V6' though his Framed-IPv6-Address is link-local"
grep -q "Framed-IPv6-Address fe80::66 refused: not a global unicast or unique local address; IPv4 only" "$st/vpnd.log" ||
	die "no warning for dan's link-local Framed-IPv6-Address"
pass "dan: a link-local Framed-IPv6-Address is refused, the session is IPv4 only ($V4)"
swan_down 10 && swan_stop

connect eve EveRadPw6
[ "$V6" = fd00:6::1 ] || die "eve got IPv6 '$V6', expected fd00:6::1 from the group's pool group1v6"
grep -q "1 IPv6 attribute from RADIUS ignored (malformed, a prefix shorter than /128, or a third DNS server)" "$st/vpnd.log" ||
	die "no warning for eve's /64 Framed-IPv6-Prefix"
pass "eve: a /64 Framed-IPv6-Prefix is ignored with a warning, the group's pool gave $V6"
swan_down 10 && swan_stop

# fay's own ipv6 traffic-filter (the template has none): an IPv6 CHILD_SA for her address
v6child=$(printf '\t\t\tv6 {\n\t\t\t\tesp_proposals = aes128gcm128-modp2048\n\t\t\t\tlocal_ts = fd00:6::77/128\n\t\t\t\tremote_ts = ::/0\n\t\t\t}\n')
connect fay FayRadPw6 children_extra="$v6child"
[ "$V6" = fd00:6::77 ] || die "fay got IPv6 '$V6', expected fd00:6::77"
swan_ctl --initiate --child v6 --timeout 15 >"$T/fay-v6.log" 2>&1 ||
	{ cat "$T/fay-v6.log" >&2; die "fay: the IPv6 CHILD_SA was not established"; }
cl ping -6 -c 2 -i 0.05 -w 5 fd00:2::10 >/dev/null || die "fay: ping -6 fd00:2::10 did not pass her filter"
cl ping -6 -c 2 -i 0.05 -w 3 fd00:2::11 >/dev/null && die "fay: ping -6 fd00:2::11 passed her ipv6 traffic-filter fay6"
grep -q "IPv6 packet from fd00:6::77 to fd00:2::11 denied by ipv6 access list fay6" "$st/vpnd.log" ||
	die "fay: the hub did not log the packet fay6 denied"
unit=$(grep -o "va[0-9]* (Virtual-Access[0-9]*) created" "$st/vpnd.log" | tail -1 | sed 's/^va\([0-9]*\).*/\1/')
"$VPNCTL" -S "$st" show running-config interface "Virtual-Access$unit" | grep -q "^ ipv6 traffic-filter fay6 in$" ||
	die "fay: show running-config interface Virtual-Access$unit lacks her ipv6 traffic-filter"
pass "fay: ip:interface-config 'ipv6 traffic-filter fay6 in' from RADIUS drops fd00:2::11, passes fd00:2::10, shown on Virtual-Access$unit"
swan_down 10 && swan_stop

# an ipv6 traffic-filter the hub does not have: the session is refused, not run unfiltered
swan_start "$T/swan-gus" secret=Gk7f3a9c2eSecret user=gus password=GusRadPw6 vips=0.0.0.0,:: ||
	die "gus: charon did not start"
swan_up 15 && die "gus: connected with an ipv6 traffic-filter the hub does not have"
wait_until 10 grep -q "ip:interface-config 'ipv6 traffic-filter nosuch6 in' from RADIUS cannot be applied: ipv6 access list 'nosuch6' is not configured here" "$st/vpnd.log" ||
	die "gus: no refusal naming nosuch6"
pass "gus: an ipv6 traffic-filter naming an ipv6 access-list the hub lacks refuses the session"
swan_stop

# hal: networks routed to him, through his vaN, on the SA of his IPv6 address; besides, a
# CHILD_SA for his delegated prefix (a router behind him would propose one) and one for a
# prefix he was not given
child6() {   # child6 NAME LOCAL_TS
	printf '\t\t\t%s {\n\t\t\t\tesp_proposals = aes128gcm128-modp2048\n\t\t\t\tlocal_ts = %s\n\t\t\t\tremote_ts = ::/0\n\t\t\t}\n' "$1" "$2"
}
v6child="$(child6 v6 fd00:6::88/128)
$(child6 deleg 2001:db8:a0::/48)
$(child6 notgiven 2001:db8:b0::/48)"
connect hal HalRadPw6 children_extra="$v6child"
[ "$V6" = fd00:6::88 ] || die "hal got IPv6 '$V6', expected fd00:6::88"
swan_ctl --initiate --child v6 --timeout 15 >"$T/hal-v6.log" 2>&1 ||
	{ cat "$T/hal-v6.log" >&2; die "hal: the IPv6 CHILD_SA was not established"; }
unit=$(grep -o "va[0-9]* (Virtual-Access[0-9]*) created" "$st/vpnd.log" | tail -1 | sed 's/^va\([0-9]*\).*/\1/')
routes=$(hub ip -6 route show dev "va$unit")
echo "$routes" | grep -q "^2001:db8:77::/48 " || { echo "$routes" >&2; die "hal: no route 2001:db8:77::/48 via va$unit"; }
echo "$routes" | grep -q "^2001:db8:a0::/48 " || { echo "$routes" >&2; die "hal: his delegated prefix 2001:db8:a0::/48 is not routed via va$unit"; }
echo "$routes" | grep -qE "^(default|::/0|fd00:6::/64|fd00:2::/48) " && { echo "$routes" >&2; die "hal: a refused route is installed"; }
hub ip -6 route show | grep -qE "^(default|fd00:2::/48|fd00:6::/64) .*dev va" && die "hal: a refused route is installed on a vaN"
grep -q "1 Framed-IPv6-Route value from RADIUS ignored (malformed, a default route" "$st/vpnd.log" ||
	die "hal: no warning for his ::/0"
grep -q "Framed-IPv6-Route fd00:6::/64 refused: it overlaps ipv6 local pool group1v6" "$st/vpnd.log" ||
	die "hal: no warning for his route over the ipv6 pool"
grep -q "Framed-IPv6-Route fd00:2::/48 refused: it overlaps the hub's network fd00:2::1/64" "$st/vpnd.log" ||
	die "hal: tunmgr did not refuse his route over the hub's own fd00:2::/64"
pass "hal: Framed-IPv6-Route 2001:db8:77::/48 and Delegated-IPv6-Prefix 2001:db8:a0::/48 routed via va$unit; ::/0, one over a pool, one over the hub's network refused and logged"

# an inside host's ping to an address in the routed prefix goes into hal's tunnel: charon's
# libipsec opens it with the SA of his IPv6 address, then drops it by its own policy (its
# quick mode named fd00:6::88/128 only, IKEv1 carries one selector), which it logs
inh ping -6 -c 3 -i 0.2 -W 1 2001:db8:77::1 >/dev/null 2>&1
wait_until 5 sh -c "grep -c 'discarding inbound IP packet fd00:2::11 == 2001:db8:77::1 \[58\]' '$SWAN_DIR/charon.log' | grep -qx 3" ||
	die "hal: the inside host's echo requests to 2001:db8:77::1 did not come out of his IPv6 SA at charon"
inh ping -6 -c 1 -W 1 2001:db8:78::1 >/dev/null 2>&1
grep -q "== 2001:db8:78::1" "$SWAN_DIR/charon.log" && die "hal: 2001:db8:78::1, not routed to him, went into his tunnel"
pass "hal: ping -6 from the inside host to 2001:db8:77::1 goes into his tunnel (opened by charon on his IPv6 SA); 2001:db8:78::1 does not"

# his delegated prefix as the client side of its own quick mode: the hub sends to it, and
# takes from it, on that SA (charon's libipsec drops what comes on an SA whose policy does not
# hold the address, as it did for 2001:db8:77::1 above)
cl ip addr add 2001:db8:a0::1/128 dev lo || die "hal: an address of his prefix on lo"
swan_ctl --initiate --child deleg --timeout 15 >"$T/hal-deleg.log" 2>&1 ||
	{ cat "$T/hal-deleg.log" >&2; die "hal: the CHILD_SA for his delegated prefix 2001:db8:a0::/48 was not established"; }
inh ping -6 -c 3 -i 0.2 -w 5 2001:db8:a0::1 >/dev/null ||
	die "hal: the inside host's ping -6 to 2001:db8:a0::1 was not answered through his prefix's SA"
grep -q "discarding inbound IP packet fd00:2::11 == 2001:db8:a0::1" "$SWAN_DIR/charon.log" &&
	die "hal: echo requests to 2001:db8:a0::1 came on an SA that does not hold it"
pass "hal: a quick mode for his Delegated-IPv6-Prefix 2001:db8:a0::/48 accepted; ping -6 from the inside host to 2001:db8:a0::1 answered through it"

swan_ctl --initiate --child notgiven --timeout 10 >"$T/hal-notgiven.log" 2>&1 &&
	die "hal: a CHILD_SA for 2001:db8:b0::/48, not given to him, was established"
wait_until 5 grep -q "IPv6 quick mode for 2001:db8:b0::/48 refused: not the session's IPv6 address nor within a Framed-IPv6-Route or Delegated-IPv6-Prefix of it" "$st/vpnd.log" ||
	die "hal: no refusal naming 2001:db8:b0::/48"
hub ip -6 route show | grep -q "^2001:db8:b0::" && die "hal: 2001:db8:b0::/48 routed on the hub"
inh ping -6 -c 2 -i 0.2 -w 3 2001:db8:a0::1 >/dev/null || die "hal: his prefix's SA stopped working after the refusal"
pass "hal: a quick mode for 2001:db8:b0::/48, not given to him, refused by the hub"

# a taken-over ikemgr asking tunmgr for IPv6 SAs on hal's interface: a prefix not given, one
# wider than his delegated prefix, and fd00:2::/48 (keymgr passed it, tunmgr refused it at
# the interface's creation as over the hub's own network)
name=hal
sid=$(grep -o "session [0-9]*: Mode Config gave [^ ]* and fd00:6::88 to user 'hal'" "$st/vpnd.log" | tail -1 | awk '{print $2}' | tr -d :)
[ -n "$sid" ] || die "hal: no session id in the log"
forge ikemgr tunmgr sa-add6 "$sid" 2001:db8:c0:: 0x4010 48
forge ikemgr tunmgr sa-add6 "$sid" 2001:db8:: 0x4011 32
forge ikemgr tunmgr sa-add6 "$sid" fd00:2:0:5:: 0x4012 64
wait_until 6 grep -q "SA 00004010 for 2001:db8:c0::/48 refused: not the session's IPv6 address nor within" "$st/vpnd.log" ||
	die "hal: tunmgr did not refuse a forged SA for 2001:db8:c0::/48"
grep -q "SA 00004011 for 2001:db8::/32 refused: not the session's IPv6 address nor within" "$st/vpnd.log" ||
	die "hal: tunmgr did not refuse a forged SA for 2001:db8::/32, wider than his prefixes"
grep -q "SA 00004012 for fd00:2:0:5::/64 refused: not within a network this interface routes" "$st/vpnd.log" ||
	die "hal: tunmgr did not refuse a forged SA within fd00:2::/48, which it refused to route"
hub ip -6 route show | grep -qE "^(2001:db8:c0::/48|2001:db8::/32|fd00:2:0:5::/64) " && die "hal: a forged selector is routed"
inh ping -6 -c 2 -i 0.2 -w 3 2001:db8:a0::1 >/dev/null || die "hal: his prefix's SA stopped working after the forgeries"
pass "hal: tunmgr refused forged IPv6 SAs for 2001:db8:c0::/48, 2001:db8::/32 and fd00:2:0:5::/64"

# RFC 4301 5.2 per SA: an SA for a prefix takes inner sources within that prefix only (not
# the rest of his delegated prefix, not his Framed-IPv6-Route). charon's keys are its own, so
# a pair with zero keys for 2001:db8:a0:5::/64 is forged onto hal's interface and
# test/lib/ezesp.py seals the packets (this takes the interface's peer: the last check here)
forge ikemgr tunmgr sa-add6 "$sid" 2001:db8:a0:5:: 0x4020 64
wait_until 5 grep -q "SA in 00004020 .*installed" "$st/vpnd.log" ||
	{ tail -5 "$st/vpnd.log" >&2; die "hal: the forged SA for 2001:db8:a0:5::/64 was not installed"; }
listen6 4 >"$T/hal-heard" &
lpid=$!
sleep 0.5
inject6() { cl python3 "$SRCDIR/test/lib/ezesp.py" inject 172.18.143.246 "$@" >/dev/null || die "ezesp.py inject $*"; }
inject6 0x4020 1 2001:db8:a0:6::7 fd00:2::10
sleep 1.1       # the drops are logged at one call site, one line a second
inject6 0x4020 2 2001:db8:77::7 fd00:2::10
inject6 0x4020 3 2001:db8:a0:5::7 fd00:2::10
wait "$lpid"
grep -qx "2001:db8:a0:5::7" "$T/hal-heard" || die "hal: the inside host did not get the echo request from 2001:db8:a0:5::7 on the /64's SA: $(cat "$T/hal-heard")"
[ "$(grep -c . "$T/hal-heard")" = 1 ] || die "hal: the inside host heard $(grep -c . "$T/hal-heard") echo requests, expected 1: $(cat "$T/hal-heard")"
grep -q "IPv6 packet from 2001:db8:a0:6::7 outside the selector of SA 00004020 dropped" "$st/vpnd.log" ||
	die "hal: the source beside the SA's /64 was not dropped and logged"
grep -q "IPv6 packet from 2001:db8:77::7 outside the selector of SA 00004020 dropped" "$st/vpnd.log" ||
	die "hal: a source of his Framed-IPv6-Route on the /64's SA was not dropped and logged"
pass "hal: on an SA for 2001:db8:a0:5::/64, ESP from 2001:db8:a0:5::7 delivered; from 2001:db8:a0:6::7 and 2001:db8:77::7 dropped"

"$VPNCTL" -S "$st" show crypto session detail | grep -q "Delegated IPv6 prefix: 2001:db8:a0::/48" ||
	die "hal: show crypto session detail lacks his delegated prefix"
wait_until 10 sh -c "awk -v RS= '/Acct-Status-Type = Start/ && /\"hal\"/' '$DETAIL' 2>/dev/null | grep -q 'Delegated-IPv6-Prefix = 2001:db8:a0::/48'" ||
	{ cat "$DETAIL" >&2; die "hal's Accounting Start lacks Delegated-IPv6-Prefix 2001:db8:a0::/48"; }
swan_down 10 && swan_stop
wait_until 10 sh -c "awk -v RS= '/Acct-Status-Type = Stop/ && /\"hal\"/' '$DETAIL' 2>/dev/null | grep -q 'Delegated-IPv6-Prefix = 2001:db8:a0::/48'" ||
	{ cat "$DETAIL" >&2; die "hal's Accounting Stop lacks Delegated-IPv6-Prefix 2001:db8:a0::/48"; }
hub ip -6 route show | grep -q "2001:db8:a0::/48" && die "hal: his delegated prefix is still routed after the session"
pass "hal: Delegated-IPv6-Prefix in show crypto session detail, Accounting Start and Stop; routes gone with the session"

# ivy's DNS servers from RADIUS in place of the group's; jo's link-local one refused. charon's
# resolve plugin writes what it gets to a file of the test's own (with resolvconf(8)
# installed it would change the host's resolver instead: refuse to run then)
for rc in /sbin/resolvconf /usr/sbin/resolvconf; do
	[ -e "$rc" ] && die "$rc is installed: charon's resolve plugin would hand it the test's DNS servers"
done
connect ivy IvyRadPw6 plugins_extra=resolve \
	charon_extra="plugins { resolve { file = $T/resolv-ivy.conf } }"
[ -n "$V6" ] || die "ivy got no IPv6 address"
wait_until 5 grep -q "^nameserver fd00:2::54" "$T/resolv-ivy.conf" ||
	die "ivy: charon did not get fd00:2::54: $(cat "$T/resolv-ivy.conf" 2>&1)"
grep -q "^nameserver fd00:2::53" "$T/resolv-ivy.conf" ||
	die "ivy: charon did not get fd00:2::53: $(cat "$T/resolv-ivy.conf")"
grep -q "fd00:2::5353" "$T/resolv-ivy.conf" && die "ivy: the group's ipv6 dns was sent beside hers"
pass "ivy: DNS-Server-IPv6-Address fd00:2::53 and fd00:2::54 from RADIUS reach charon (INTERNAL_IP6_DNS) in place of the group's"
swan_down 10 && swan_stop

connect jo JoRadPw6 plugins_extra=resolve \
	charon_extra="plugins { resolve { file = $T/resolv-jo.conf } }"
wait_until 5 grep -q "^nameserver fd00:2::5353" "$T/resolv-jo.conf" ||
	die "jo: charon did not get the group's fd00:2::5353: $(cat "$T/resolv-jo.conf" 2>&1)"
grep -q "fe80::53" "$T/resolv-jo.conf" && die "jo: his link-local DNS server was sent"
grep -q "DNS-Server-IPv6-Address fe80::53 refused: not a global unicast or unique local address" "$st/vpnd.log" ||
	die "jo: no warning for his link-local DNS-Server-IPv6-Address"
pass "jo: a link-local DNS-Server-IPv6-Address is refused with a warning, the group's ipv6 dns is sent"
swan_down 10 && swan_stop

vpnd_stop "$st"
grep -qiE "sanitizer|runtime error" "$st/vpnd.log" && die "sanitizer report in the hub's log"
exit 0
