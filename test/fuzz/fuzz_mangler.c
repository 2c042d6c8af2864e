// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_mangler.c common/conf_ikev2_mangle.c -lcrypto -o fuzz_mangler
/*
 * crypto ikev2 name-mangler on what a peer sends: its IDi (FQDN, email, a DER distinguished
 * name, or any other type) or its EAP identity, cut by any mangler. The first bytes choose
 * the rules, the identity type and whether it is the EAP identity; the rest is the identity.
 * Beyond no crash and no leak: a name that comes out is non-empty printable ASCII that fits,
 * a failure says why and leaves no name, and a name cut from the identity's own text is part
 * of it (the prefix and suffix rules put back together give the identity again).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

static const int types[] = { 2, 3, 9, 1, 5, 11 };

static void check_name(const char *out, size_t outsz, int r, const char *why)
{
	size_t n = strlen(out);
	if (r == 0) {
		if (!n || n >= outsz)
			abort();
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)out[k] > 0x7e || !isprint((unsigned char)out[k]))
				abort();
	} else if (r != -1 || n || !why[0]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = ".\\/@%";
	struct conf_ikev2_mangler m;
	char out[64], why[160], a[64], b[64];

	if (size < 4)
		return 0;
	memset(&m, 0, sizeof(m));
	memcpy(m.name, "F", 2);
	m.fqdn = data[0] & 3;
	m.email = data[0] >> 2 & 3;
	m.dn = data[1] % V2_DN_FIELDS;
	m.eap = data[2] % 5;   /* NONE, ALL, then DOMAIN and HOST stand for SUFFIX and DN, PREFIX */
	if (m.eap == V2_MG_DOMAIN)
		m.eap = V2_MG_SUFFIX;
	else if (m.eap == V2_MG_HOST)
		m.eap = V2_MG_DN;
	m.eap_dn = 1 + data[1] / V2_DN_FIELDS % (V2_DN_FIELDS - 1);
	m.eap_delim = delims[data[2] / 5 % 5];
	int eap = data[3] & 1;
	int type = types[(data[3] >> 1) % 6];
	const uint8_t *id = data + 4;
	size_t len = size - 4;

	int r = conf_v2_mangle(&m, type, id, len, eap, out, sizeof(out), why, sizeof(why));
	check_name(out, sizeof(out), r, why);
	if (r == 0 && !(eap ? m.eap == V2_MG_DN : type == 9) && !memmem(id, len, out, strlen(out)))
		abort();
	/* the two halves of a cut put back together are the identity */
	if (!eap && type == 2 && len < sizeof(a)) {
		struct conf_ikev2_mangler h = m, d = m;
		h.fqdn = V2_MG_HOST;
		d.fqdn = V2_MG_DOMAIN;
		int rh = conf_v2_mangle(&h, 2, id, len, 0, a, sizeof(a), why, sizeof(why));
		check_name(a, sizeof(a), rh, why);
		int rd = conf_v2_mangle(&d, 2, id, len, 0, b, sizeof(b), why, sizeof(why));
		check_name(b, sizeof(b), rd, why);
		if (rh == 0 && rd == 0 &&
		    (strlen(a) + 1 + strlen(b) != len || memcmp(id, a, strlen(a)) != 0 ||
		     id[strlen(a)] != '.' || memcmp(id + strlen(a) + 1, b, strlen(b)) != 0))
			abort();
	}
	return 0;
}
