# A small test PKI made with the openssl command (sourced; bash). Everything under DIR:
#
#   pki_init DIR               a CA (ca.pem, ca.key), its `openssl ca` database, an empty CRL
#   pki_cert NAME SUBJECT [rsa|ec] [DAYS|expired] [SAN]
#                              NAME.key and NAME.pem signed by the CA; "expired" gives a
#                              certificate whose validity ended yesterday
#   pki_revoke NAME            revoke NAME.pem and rewrite crl.pem
#   pki_other_ca DIR NAME SUBJECT   a certificate from an unrelated CA (DIR/other-ca.pem)
# Subjects are in openssl's /C=../O=../OU=../CN=.. form.
PKI_DIR=

_pki_conf() {
	cat >"$1/ca.cnf" <<CNF
[ ca ]
default_ca = tca
[ tca ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = copy
[ anything ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
}

pki_init() {
	PKI_DIR=$(realpath -m "$1")
	mkdir -p "$PKI_DIR/newcerts"
	: >"$PKI_DIR/index.txt"
	echo 1000 >"$PKI_DIR/serial"
	echo 1000 >"$PKI_DIR/crlnumber"
	_pki_conf "$PKI_DIR"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI_DIR/ca.key" -out "$PKI_DIR/ca.pem" \
		-days 30 -subj "/C=US/O=vpnd test/CN=vpnd test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		>/dev/null 2>&1 || return 1
	openssl ca -batch -config "$PKI_DIR/ca.cnf" -gencrl -out "$PKI_DIR/crl.pem" >/dev/null 2>&1
}

pki_cert() {
	local name=$1 subj=$2 kind=${3:-rsa} days=${4:-30} san=${5:-} key=$PKI_DIR/$1.key
	local dates
	if [ "$kind" = ec ]; then
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key" 2>/dev/null || return 1
	else
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key" 2>/dev/null || return 1
	fi
	chmod 600 "$key"
	openssl req -new -key "$key" -subj "$subj" -out "$PKI_DIR/$name.csr" \
		${san:+-addext "subjectAltName=$san"} 2>/dev/null || return 1
	if [ "$days" = expired ]; then
		dates="-startdate $(date -u -d '-3 days' +%Y%m%d%H%M%SZ) -enddate $(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
	else
		dates="-days $days"
	fi
	# shellcheck disable=SC2086 # $dates is two options
	openssl ca -batch -config "$PKI_DIR/ca.cnf" -extensions leaf $dates -notext \
		-in "$PKI_DIR/$name.csr" -out "$PKI_DIR/$name.pem" >/dev/null 2>&1
}

pki_revoke() {
	openssl ca -batch -config "$PKI_DIR/ca.cnf" -revoke "$PKI_DIR/$1.pem" >/dev/null 2>&1 &&
	openssl ca -batch -config "$PKI_DIR/ca.cnf" -gencrl -out "$PKI_DIR/crl.pem" >/dev/null 2>&1
}

pki_other_ca() {
	local d=$1 name=$2 subj=$3
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/other-ca.key" -out "$d/other-ca.pem" \
		-days 30 -subj "/C=US/O=elsewhere/CN=other CA" -addext "basicConstraints=critical,CA:TRUE" \
		>/dev/null 2>&1 || return 1
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$name.key" 2>/dev/null &&
	openssl req -new -key "$d/$name.key" -subj "$subj" 2>/dev/null |
		openssl x509 -req -CA "$d/other-ca.pem" -CAkey "$d/other-ca.key" -set_serial 77 -days 30 \
			-out "$d/$name.pem" 2>/dev/null
}
