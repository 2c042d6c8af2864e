#!/bin/sh
# Installs what building, running and testing vpnd need on Debian 12 (run as root).
set -e
PKGS="build-essential autoconf automake libtool pkg-config libssl-dev openssl libuv1-dev libsqlite3-dev
freeradius freeradius-utils libcriterion-dev sqlite3 iproute2 procps psmisc python3 vpnc vpnc-scripts iperf3
coreutils passwd bc iputils-ping strongswan-charon strongswan-swanctl libcharon-extra-plugins
libcharon-extauth-plugins libstrongswan-standard-plugins util-linux clang clang-tools libseccomp-dev nftables libnftables-dev libcrypt-dev libsystemd-dev systemd
curl"
# manuals (mandoc -T lint in test_man.sh) and the Debian package (test_deb.sh)
PKGS="$PKGS mandoc debhelper lintian man-db"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q $missing
fi
# Prometheus scrapes vpnd in test_metrics.sh: without the node exporter it recommends (a
# service of its own). 22.5 MB, about 6 s here.
if ! dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "install ok installed"; then
	echo "deps: installing prometheus"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends prometheus
fi
