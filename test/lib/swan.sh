# strongSwan charon as a client of vpnd, in the client namespace (source test/lib/ns.sh and
# test/lib/vpnd.sh first; bash only). One charon at a time, with everything under its DIR:
#
#   DIR/strongswan.conf   charon's and swanctl's settings (STRONGSWAN_CONF)
#   DIR/swanctl/          swanctl.conf and the x509/ private/ x509ca/ folders (SWANCTL_DIR)
#   DIR/run/              bind-mounted on /run for charon alone: its pid file is fixed at
#                         /var/run/charon.pid, so two charons (or a host one) would collide
#   DIR/charon.vici       the control socket; swanctl reaches it with --uri
#   DIR/charon.log        charon's log (ike, cfg, knl at SWAN loglevel, 2 by default)
#
#   swan_start DIR KEY=VALUE...   write the configuration, start charon, load it (no connect)
#   swan_up [TIMEOUT]             initiate; returns once the CHILD_SA is up (swanctl's output
#                                 in DIR/initiate.log); SWAN_UP_MS is how long it took
#   swan_vip                      prints the virtual IP that Mode Config gave
#   swan_sas                      swanctl --list-sas (human readable)
#   swan_ctl ARGS...              any swanctl command against this charon
#   swan_down [TIMEOUT]           terminate the IKE_SA (charon sends DELETE)
#   swan_stop                     stop charon (SIGTERM, then SIGKILL after 5 s)
#
# Settings (KEY=VALUE, defaults in swan_start): the IKE side (version, aggressive, ike,
# local_auth, local_id, xauth, remote_auth, remote_id, encap, vips, dpd_delay, rekey_time,
# reauth_time, over_time), the CHILD side (esp, local_ts, remote_ts, child_rekey_time), the
# secrets (group, secret, user, password; group_secret=no leaves out the PSK for local_id),
# and raw lines for what the keys do not cover:
# conn_extra (into the connection), local_extra (into the first local round, e.g.
# "certs = client.pem"), remote_extra, child_extra, children_extra (more child blocks),
# secrets_extra (into secrets {}), dpd_action and close_action of the child,
# charon_extra (into charon {}), plugins_extra (appended to the plugin list).
# resolve=yes: charon asks for DNS servers and its resolve plugin writes those it gets to
# DIR/resolv.conf (never the host's: refused when resolvconf(8), which it would use, is there).
# IKEv2 with a pre-shared key each way: swan_v2_start (below); with a certificate:
# swan_v2_cert_start; with EAP: swan_v2_eap_start.
# Certificates: pass load=no, copy them into DIR/swanctl/x509, x509ca and private, then call
# swan_load (swanctl resolves relative file names there).
# One charon at a time (it binds UDP 500 and 4500 of its namespace); the state is in SWAN_DIR,
# SWAN_PID and SWAN_CONN (the connection and its child are both named after it).

SWAN_CHARON=${SWAN_CHARON:-/usr/lib/ipsec/charon}
# kernel-libipsec before kernel-netlink: the first kernel-ipsec interface registered wins,
# and this kernel has no ESP, so the userspace one must be it. No resolve plugin unless asked
# (resolve=yes, which points it at a file of its own): it would rewrite the /etc/resolv.conf
# the namespaces share with the host when DNS is pushed.
SWAN_PLUGINS="random nonce openssl aes sha1 sha2 hmac gcm kdf pem pkcs1 pkcs8 x509 pubkey
constraints revocation kernel-libipsec kernel-netlink socket-default vici xauth-generic"
SWAN_CONN=vpnd

# swan_require: fail (never skip) unless charon, swanctl and every plugin the harness loads
# (SWAN_PLUGINS, plus any named) are installed. Needs fail() from test/lib/vpnd.sh.
swan_require() {
	local p
	command -v swanctl >/dev/null || fail "swanctl is missing: install it (scripts/deps.sh does)"
	[ -x "$SWAN_CHARON" ] || fail "no charon at $SWAN_CHARON: install strongswan-charon (scripts/deps.sh)"
	# shellcheck disable=SC2086
	for p in $SWAN_PLUGINS "$@"; do
		[ -f "/usr/lib/ipsec/plugins/libstrongswan-$p.so" ] ||
			fail "strongSwan plugin $p is missing: scripts/deps.sh installs it"
	done
}

swan_ctl() {
	[ -n "${SWAN_DIR:-}" ] || { echo "swan_ctl: no charon started" >&2; return 1; }
	STRONGSWAN_CONF=$SWAN_DIR/strongswan.conf SWANCTL_DIR=$SWAN_DIR/swanctl \
		swanctl "$@" --uri "unix://$SWAN_DIR/charon.vici"
}

swan_start() {
	local dir=$1; shift
	local ns=vpnd_cl gateway=172.18.143.246
	local version=1 aggressive=yes ike=aes256-sha256-modp2048 esp=aes128gcm128-modp2048
	local group=group1 secret=cisco123 user=cisco password=cisco123
	local local_auth=psk local_id='' xauth=yes remote_auth=psk remote_id=%any
	local encap=yes vips=0.0.0.0 local_ts=dynamic remote_ts=0.0.0.0/0
	local dpd_delay=0 dpd_action=clear close_action=none rekey_time='' reauth_time='' over_time='' child_rekey_time=''
	local conn_extra='' children_extra='' local_extra='' remote_extra='' child_extra='' secrets_extra='' charon_extra=''
	local plugins_extra='' loglevel=2 load=yes group_secret=yes resolve=no
	local kv
	for kv in "$@"; do
		case "${kv%%=*}" in
		*[!a-z_]*|"") echo "swan_start: bad setting '$kv'" >&2; return 1;;
		esac
		eval "local ${kv%%=*}=\"\${kv#*=}\""
	done
	[ -n "$local_id" ] || local_id=keyid:$group
	[ -x "$SWAN_CHARON" ] || { echo "swan_start: no charon at $SWAN_CHARON" >&2; return 1; }
	command -v swanctl >/dev/null || { echo "swan_start: swanctl is missing" >&2; return 1; }

	dir=$(realpath -m "$dir")
	mkdir -p "$dir/run" "$dir/swanctl/x509" "$dir/swanctl/x509ca" "$dir/swanctl/private"
	rm -f "$dir/charon.vici" "$dir/run/charon.pid" "$dir/charon.log" "$dir/resolv.conf"
	SWAN_DIR=$dir
	if [ "$resolve" = yes ]; then
		local rc
		for rc in /sbin/resolvconf /usr/sbin/resolvconf; do
			[ -e "$rc" ] && { echo "swan_start: $rc is installed: charon's resolve plugin would hand it the test's DNS servers" >&2; return 1; }
		done
		plugins_extra="$plugins_extra resolve"
		charon_extra="$charon_extra
	plugins {
		resolve {
			file = $dir/resolv.conf
		}
	}"
	fi

	_swan_conf "$dir" "$SWAN_PLUGINS $plugins_extra" "$loglevel" "$charon_extra"

	local xauth_round="" xauth_secret=""
	if [ "$xauth" = yes ]; then
		xauth_round="local-2 {
			auth = xauth
			xauth_id = $user
		}"
		xauth_secret="xauth-user {
		id = $user
		secret = \"$password\"
	}"
	fi
	local psk_secret=""
	if [ "$local_auth" = psk ] && [ "$group_secret" = yes ]; then
		psk_secret="ike-group {
		id-1 = $local_id
		secret = \"$secret\"
	}"
	fi
	local opt=""
	[ -n "$rekey_time" ] && opt="$opt
		rekey_time = $rekey_time"
	[ -n "$reauth_time" ] && opt="$opt
		reauth_time = $reauth_time"
	[ -n "$over_time" ] && opt="$opt
		over_time = $over_time"
	local copt=""
	[ -n "$child_rekey_time" ] && copt="
				rekey_time = $child_rekey_time"
	cat >"$dir/swanctl/swanctl.conf" <<CONF
connections {
	$SWAN_CONN {
		version = $version
		aggressive = $aggressive
		remote_addrs = $gateway
		proposals = $ike
		encap = $encap
		vips = $vips
		dpd_delay = $dpd_delay$opt
$conn_extra
		local-1 {
			auth = $local_auth
			id = $local_id
$local_extra
		}
		$xauth_round
		remote-1 {
			auth = $remote_auth
			id = $remote_id
$remote_extra
		}
		children {
			$SWAN_CONN {
				esp_proposals = $esp
				local_ts = $local_ts
				remote_ts = $remote_ts
				start_action = none
				close_action = $close_action
				dpd_action = $dpd_action$copt
$child_extra
			}
$children_extra
		}
	}
}
secrets {
	$psk_secret
	$xauth_secret
$secrets_extra
}
CONF
	chmod 600 "$dir/swanctl/swanctl.conf"
	_swan_launch "$dir" "$ns" || return 1
	[ "$load" = yes ] || return 0
	swan_load
}

# _swan_launch DIR NS: start charon in namespace NS with DIR's settings and wait for vici.
_swan_launch() {
	local dir=$1 ns=$2
	# A private mount namespace (unshare -m: private propagation) so the /run bind stays
	# charon's own; every exec keeps the pid, so $! is charon's.
	# shellcheck disable=SC2016 # expanded by the inner sh
	STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$ns" unshare -m sh -c \
		'mount --bind "$1" /run && exec "$2"' sh "$dir/run" "$SWAN_CHARON" \
		>"$dir/charon.out" 2>&1 &
	SWAN_PID=$!
	if ! wait_until 10 swan_ctl --stats; then
		echo "swan_start: charon did not open its control socket" >&2
		tail -20 "$dir/charon.out" "$dir/charon.log" >&2 2>/dev/null
		swan_stop
		return 1
	fi
}

# _swan_conf DIR PLUGINS LOGLEVEL CHARON_EXTRA: write DIR/strongswan.conf.
_swan_conf() {
	local dir=$1 plugins=$2 loglevel=$3 charon_extra=$4
	# shellcheck disable=SC2086,SC2116 # echo flattens the list onto one line
	cat >"$dir/strongswan.conf" <<CONF
charon {
	load_modular = no
	load = $(echo $plugins)
	install_virtual_ip = yes
	filelog {
		swan {
			path = $dir/charon.log
			append = no
			flush_line = yes
			time_format = %T
			time_add_ms = yes
			default = 1
			ike = $loglevel
			cfg = $loglevel
			knl = $loglevel
			net = $loglevel
			enc = 1
		}
	}
	plugins {
		vici {
			socket = unix://$dir/charon.vici
		}
	}
$charon_extra
}
swanctl {
	load = random nonce openssl aes sha1 sha2 pem pkcs1 pkcs8 x509 pubkey
}
CONF
}

# swan_v2_start DIR KEY=VALUE...: swan_start as an IKEv2 PSK client (version 2, no XAuth, no
# aggressive mode) that signs its AUTH with sign_key and checks the peer's with verify_key
# (either may be empty: then that key is not loaded). Other settings as swan_start's; local_id
# and remote_id name both ends. strongSwan 5.9 has no "local key"/"remote key": it signs with
# the key whose owner best matches the PEER's identity (credential_manager get_shared prefers
# the other side's match), and verifies by trying every key owned by either identity. So the
# key it signs with is filed under remote_id and the one it checks under local_id; since both
# are tried when checking, a peer that signs with sign_key passes too: to see that the peer
# does not, load verify_key alone (sign_key= empty) and expect the peer's AUTH to fail.
swan_v2_start() {
	local dir=$1; shift
	local sign_key='' verify_key='' local_id='' remote_id='' kv sec='' rest=()
	for kv in "$@"; do
		case "${kv%%=*}" in
		sign_key) sign_key=${kv#*=};;
		verify_key) verify_key=${kv#*=};;
		local_id) local_id=${kv#*=}; rest+=("$kv");;
		remote_id) remote_id=${kv#*=}; rest+=("$kv");;
		*) rest+=("$kv");;
		esac
	done
	[ -n "$local_id" ] && [ -n "$remote_id" ] || { echo "swan_v2_start: local_id and remote_id are needed" >&2; return 1; }
	[ -n "$sign_key" ] && sec="	ike-sign {
		id-1 = $remote_id
		secret = \"$sign_key\"
	}"
	[ -n "$verify_key" ] && sec="$sec
	ike-verify {
		id-1 = $local_id
		secret = \"$verify_key\"
	}"
	swan_start "$dir" version=2 aggressive=no xauth=no group_secret=no \
		ike=aes256-sha256-modp2048 esp=aes256-sha256 "${rest[@]}" secrets_extra="$sec"
}

# swan_v2_cert_start DIR PKI CERT ID KEY=VALUE...: swan_start as an IKEv2 client that signs
# with certificate PKI/CERT.pem (key PKI/CERT.key) as ID and takes any hub certificate the CA
# PKI/ca.pem (test/lib/pki.sh) signed. CA=FILE: trust that CA file instead.
swan_v2_cert_start() {
	local dir=$1 pki=$2 cert=$3 id=$4 ca
	shift 4
	ca=${CA:-$pki/ca.pem}
	swan_start "$dir" version=2 aggressive=no xauth=no group_secret=no \
		local_auth=pubkey remote_auth=pubkey local_id="$id" remote_id=%any \
		local_extra="certs = $cert.pem" ike=aes256-sha256-modp2048 esp=aes256-sha256 load=no \
		"$@" || return 1
	cp "$pki/$cert.pem" "$SWAN_DIR/swanctl/x509/" && cp "$pki/$cert.key" "$SWAN_DIR/swanctl/private/" &&
		cp "$ca" "$SWAN_DIR/swanctl/x509ca/" || { echo "swan_v2_cert_start: cannot copy $cert's files" >&2; return 1; }
	swan_load
}

# swan_v2_eap_start DIR PKI METHOD ID EAP_ID SECRET KEY=VALUE...: swan_start as an IKEv2 EAP
# client (METHOD: eap-mschapv2, eap-md5, eap-tls) known as ID in IKE and EAP_ID in EAP, that
# takes the hub's certificate (hub.example.com) from the CA PKI/ca.pem. SECRET is the EAP
# password, or for EAP-TLS cert:NAME, the certificate PKI/NAME.pem with its key; the TLS
# server charon checks then is radius.example.com (FreeRADIUS's certificate, not the hub's).
swan_v2_eap_start() {
	local dir=$1 pki=$2 method=$3 id=$4 eap_id=$5 secret=$6 extra sec="" cert=""
	shift 6
	extra="eap_id = $eap_id"
	case "$secret" in
	cert:*) cert=${secret#cert:}
		extra="$extra
			certs = $cert.pem
			aaa_id = radius.example.com";;
	*) sec="eap-user {
		id = $eap_id
		secret = \"$secret\"
	}";;
	esac
	swan_start "$dir" version=2 aggressive=no xauth=no group_secret=no \
		local_auth="$method" local_id="$id" local_extra="$extra" \
		remote_auth=pubkey remote_id=hub.example.com \
		ike=aes256-sha256-modp2048 esp=aes256-sha256 load=no \
		plugins_extra="eap-identity eap-md5 eap-mschapv2 eap-tls md4" \
		secrets_extra="$sec" "$@" || return 1
	cp "$pki/ca.pem" "$SWAN_DIR/swanctl/x509ca/" || return 1
	if [ -n "$cert" ]; then
		cp "$pki/$cert.pem" "$SWAN_DIR/swanctl/x509/" && cp "$pki/$cert.key" "$SWAN_DIR/swanctl/private/" ||
			{ echo "swan_v2_eap_start: cannot copy $cert's certificate" >&2; return 1; }
	fi
	swan_load
}

# swan_hub_start DIR KEY=VALUE...: charon as the hub in vpnd_hub, in the role vpnd plays in
# etc/vpnd.conf (IKEv1 aggressive mode, group PSK, XAuth, Mode Config from a pool), so both
# hubs can be measured with the same clients. Settings: group secret user password pool ike
# esp loglevel (1 by default: a hub logging per packet would measure its logging).
swan_hub_start() {
	local dir=$1; shift
	local group=group1 secret=cisco123 user=cisco password=cisco123 pool=192.168.1.0/24
	local ike=aes256-sha1-modp1024,aes256-sha256-modp2048,aes128-sha1-modp1024
	local esp=aes256-sha1,aes128gcm128-modp2048,aes128gcm128,aes128-sha1 loglevel=1 kv
	local encap=no   # yes: fake NAT-D so that ESP goes in UDP (a vpnd initiator behind no NAT)
	for kv in "$@"; do
		case "${kv%%=*}" in
		*[!a-z_]*|"") echo "swan_hub_start: bad setting '$kv'" >&2; return 1;;
		esac
		eval "local ${kv%%=*}=\"\${kv#*=}\""
	done
	dir=$(realpath -m "$dir")
	mkdir -p "$dir/run" "$dir/swanctl/x509" "$dir/swanctl/x509ca" "$dir/swanctl/private"
	rm -f "$dir/charon.vici" "$dir/run/charon.pid" "$dir/charon.log"
	SWAN_DIR=$dir
	# charon answers aggressive mode with a PSK only when told it knows what that exposes
	_swan_conf "$dir" "$SWAN_PLUGINS" "$loglevel" \
		"	i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
	cat >"$dir/swanctl/swanctl.conf" <<CONF
connections {
	$SWAN_CONN {
		version = 1
		aggressive = yes
		local_addrs = 172.18.143.246
		proposals = $ike
		encap = $encap
		pools = hubpool
		local-1 {
			auth = psk
		}
		remote-1 {
			auth = psk
			id = keyid:$group
		}
		remote-2 {
			auth = xauth
		}
		children {
			$SWAN_CONN {
				local_ts = 0.0.0.0/0
				esp_proposals = $esp
			}
		}
	}
}
pools {
	hubpool {
		addrs = $pool
	}
}
secrets {
	ike-group {
		id-1 = keyid:$group
		secret = "$secret"
	}
	xauth-user {
		id = $user
		secret = "$password"
	}
}
CONF
	chmod 600 "$dir/swanctl/swanctl.conf"
	_swan_launch "$dir" vpnd_hub && swan_load
}

# swan_load: (re)load connections, secrets and certificates into the running charon.
swan_load() {
	if ! swan_ctl --load-all --noprompt >"$SWAN_DIR/load.log" 2>&1; then
		echo "swan_load: swanctl --load-all failed" >&2
		cat "$SWAN_DIR/load.log" >&2
		return 1
	fi
}

# swan_up [TIMEOUT]: initiate the connection and wait (bounded) for the CHILD_SA.
swan_up() {
	local limit=${1:-20} t0 rc
	t0=$(date +%s%N)
	# --timeout makes swanctl detach rather than hang; timeout(1) bounds it even if the
	# socket stalls. swanctl exits 0 only when the CHILD_SA got established.
	timeout $((limit + 5)) env STRONGSWAN_CONF="$SWAN_DIR/strongswan.conf" \
		SWANCTL_DIR="$SWAN_DIR/swanctl" swanctl --initiate --child "$SWAN_CONN" \
		--timeout "$limit" --loglevel 1 --uri "unix://$SWAN_DIR/charon.vici" \
		>"$SWAN_DIR/initiate.log" 2>&1
	rc=$?
	SWAN_UP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	if [ "$rc" -ne 0 ] || ! grep -q "initiate completed successfully" "$SWAN_DIR/initiate.log"; then
		echo "swan_up: initiate failed (status $rc) after $SWAN_UP_MS ms" >&2
		tail -25 "$SWAN_DIR/initiate.log" >&2
		return 1
	fi
}

swan_sas() { swan_ctl --list-sas; }

# swan_vip: the virtual IP of this connection's IKE_SA (empty when there is none).
swan_vip() {
	swan_ctl --list-sas --ike "$SWAN_CONN" --raw 2>/dev/null |
		sed -n 's/.*local-vips=\[\([0-9a-f.:]*\).*/\1/p' | head -1
}

# swan_down [TIMEOUT]: terminate the IKE_SA (and its CHILD_SAs), bounded.
swan_down() {
	local limit=${1:-10}
	[ -n "${SWAN_DIR:-}" ] || return 0
	timeout $((limit + 5)) env STRONGSWAN_CONF="$SWAN_DIR/strongswan.conf" \
		SWANCTL_DIR="$SWAN_DIR/swanctl" swanctl --terminate --ike "$SWAN_CONN" \
		--timeout "$limit" --uri "unix://$SWAN_DIR/charon.vici" >"$SWAN_DIR/terminate.log" 2>&1
}

# swan_stop: stop charon; safe when none runs (EXIT traps).
swan_stop() {
	[ -n "${SWAN_PID:-}" ] || return 0
	kill -TERM "$SWAN_PID" 2>/dev/null
	wait_until 5 sh -c "! kill -0 $SWAN_PID" || kill -KILL "$SWAN_PID" 2>/dev/null
	wait "$SWAN_PID" 2>/dev/null
	SWAN_PID=
}
