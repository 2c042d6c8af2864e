# FreeRADIUS harness for the interop tests: a server of its own (config, clients, users file
# written to a temp folder; the dictionary with Cisco's VSAs is the one FreeRADIUS ships),
# listening on loopback inside the hub namespace, requiring a Message-Authenticator in every
# Access-Request. Source test/lib/vpnd.sh first.
#
#   radius_start DIR PORT SECRET USERS_FILE   # waits until it answers, else fails
#     (RADIUS_V6=1: on ::1 as well as 127.0.0.1; RADIUS_EAP=1: the eap module with MD5 and
#     MSCHAPv2, whose Access-Accept carries the MS-MPPE keys; RADIUS_EAP_TLS=DIR as well:
#     EAP-TLS with DIR/radius.pem, DIR/radius.key and the CA DIR/ca.pem)
#     (authentication on PORT, accounting on PORT+1 into DIR/log/detail, which a restart on
#     the same DIR keeps; RADIUS_NS=NS: in namespace NS rather than vpnd_hub, for a second
#     vpnd there)
#   radius_stop DIR

RADIUSD=${RADIUSD:-freeradius}

radius_start() {
	local dir=$1 port=$2 secret=$3 users=$4
	command -v "$RADIUSD" >/dev/null || fail "$RADIUSD is missing: scripts/deps.sh installs freeradius"
	mkdir -p "$dir/log" "$dir/run"
	cp "$users" "$dir/users"
	: >"$dir/acct_users"
	: >"$dir/preproxy_users"
	# RADIUS_V6=1: also listen on ::1, for the hub's ::1 (a server on IPv6)
	local client6="" listen6="" eap_mod="" eap_authz="" eap_authn=""
	local eap_tls=""
	[ -n "${RADIUS_EAP_TLS:-}" ] && eap_tls="tls-config tls-common {
			private_key_file = ${RADIUS_EAP_TLS}/radius.key
			certificate_file = ${RADIUS_EAP_TLS}/radius.pem
			ca_file = ${RADIUS_EAP_TLS}/ca.pem
			fragment_size = 1024
			cipher_list = \"DEFAULT\"
			tls_min_version = \"1.2\"
			tls_max_version = \"1.2\"
		}
		tls {
			tls = tls-common
		}"
	[ -n "${RADIUS_EAP:-}" ] && eap_mod="eap {
		default_eap_type = md5
		timer_expire = 60
		ignore_unknown_eap_types = no
		max_sessions = 256
		md5 {
		}
		mschapv2 {
		}
		$eap_tls
	}
	mschap {
	}" && eap_authz="eap {
			ok = return
		}" && eap_authn="Auth-Type EAP {
			eap
		}
		Auth-Type MS-CHAP {
			mschap
		}"
	[ -n "${RADIUS_V6:-}" ] && client6="client hub6 {
	ipv6addr = ::1
	secret = $secret
	require_message_authenticator = yes
}" && listen6="listen {
		type = auth
		ipv6addr = ::1
		port = $port
	}
	listen {
		type = acct
		ipv6addr = ::1
		port = $((port + 1))
	}"
	cat >"$dir/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $dir/log
raddbdir = $dir
radacctdir = $dir/log
name = freeradius
confdir = $dir
modconfdir = $dir
run_dir = $dir/run
libdir = /usr/lib/freeradius
pidfile = $dir/run/radiusd.pid
max_request_time = 30
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
proxy_requests = no
log {
	destination = files
	file = $dir/log/radius.log
	auth = yes
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
client hub {
	ipaddr = 127.0.0.1
	secret = $secret
	# refuses an Access-Request without Message-Authenticator (BlastRADIUS): every login
	# of every test that uses this server shows that vpnd sends one
	require_message_authenticator = yes
}
$client6
modules {
	files {
		filename = $dir/users
		acctusersfile = $dir/acct_users
		preproxy_usersfile = $dir/preproxy_users
	}
	pap {
	}
	$eap_mod
	detail {
		filename = $dir/log/detail
		header = "%t"
		permissions = 0600
		locking = no
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $port
	}
	listen {
		type = acct
		ipaddr = 127.0.0.1
		port = $((port + 1))
	}
	$listen6
	accounting {
		detail
	}
	authorize {
		$eap_authz
		files
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		$eap_authn
	}
	post-auth {
	}
}
EOF
	# -X: foreground, one thread, every request in the log (the tests read it)
	ip netns exec "${RADIUS_NS:-vpnd_hub}" "$RADIUSD" -X -d "$dir" >>"$dir/radiusd.out" 2>&1 &
	echo $! >"$dir/pid"
	if ! wait_until 15 grep -q "Ready to process requests" "$dir/radiusd.out"; then
		tail -30 "$dir/radiusd.out" >&2
		fail "FreeRADIUS did not start (config in $dir)"
	fi
}

radius_stop() {
	local dir=$1 pid
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill -TERM "$pid" 2>/dev/null
	wait_until 5 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
	rm -f "$dir/pid"
}
