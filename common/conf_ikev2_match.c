/*
 * Which crypto ikev2 profile an IKEv2 peer falls under, and whether a configured identity is
 * the one it sent. Pure functions over the configuration: ikemgr uses them to pick IDr before
 * it asks keymgr, and keymgr to choose the key; both must agree, so they live here.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "common/conf.h"

/* RFC 7296 3.5's ID types (ikemgr/ikev2_wire.h has them as an enum, private to ikemgr) */
#define WID_IPV4   1
#define WID_FQDN   2
#define WID_RFC822 3
#define WID_IPV6   5
#define WID_KEY_ID 11
#define ID_TEXT_MAX 257        /* an ID of up to MSG_ID_MAX bytes and its NUL */

/* The ID's data as a C string: NULL when it is empty, too long or holds a NUL (a name with a
 * NUL inside must not match the part before it). */
static const char *id_str(const uint8_t *id, size_t idlen, char *buf, size_t bufsz)
{
	if (!idlen || idlen >= bufsz || memchr(id, 0, idlen))
		return NULL;
	memcpy(buf, id, idlen);
	buf[idlen] = 0;
	return buf;
}

/* An address ID (type 1 or 5) as an address, port 0; 0 when it is not one. */
static int id_addr(int id_type, const uint8_t *id, size_t idlen, union sa46 *a)
{
	memset(a, 0, sizeof(*a));
	if (id_type == WID_IPV4 && idlen == 4) {
		a->sin.sin_family = AF_INET;
		memcpy(&a->sin.sin_addr, id, 4);
		return 1;
	}
	if (id_type == WID_IPV6 && idlen == 16) {
		a->sin6.sin6_family = AF_INET6;
		memcpy(&a->sin6.sin6_addr, id, 16);
		return 1;
	}
	return 0;
}

/* name equals dom, or ends with "." dom: whole labels only, so that "badexample.com" is not
 * in the domain example.com */
static int in_domain(const char *name, const char *dom)
{
	size_t n = strlen(name), d = strlen(dom);
	if (!d)
		return 0;
	if (n == d)
		return strcasecmp(name, dom) == 0;
	return n > d && name[n - d - 1] == '.' && strcasecmp(name + n - d, dom) == 0;
}

static int match_one(const struct conf_ikev2_match *m, int id_type, const uint8_t *id,
                     size_t idlen)
{
	char buf[ID_TEXT_MAX];
	const char *s, *at;
	union sa46 a;

	switch (m->type) {
	case V2_ID_ANY:
		return 1;
	case V2_ID_ADDRESS:
		return id_addr(id_type, id, idlen, &a) && CONF_SEL_COVERS(m, &a);
	case V2_ID_FQDN:
		if (id_type != WID_FQDN || !(s = id_str(id, idlen, buf, sizeof(buf))))
			return 0;
		return m->domain ? in_domain(s, m->value) : strcasecmp(s, m->value) == 0;
	case V2_ID_EMAIL:
		if (id_type != WID_RFC822 || !(s = id_str(id, idlen, buf, sizeof(buf))))
			return 0;
		if (!m->domain)
			return strcasecmp(s, m->value) == 0;
		return (at = strrchr(s, '@')) && in_domain(at + 1, m->value);
	case V2_ID_KEY_ID:
		/* opaque bytes (RFC 7296 3.5): exact, case and all */
		return id_type == WID_KEY_ID && idlen == strlen(m->value) &&
		       memcmp(id, m->value, idlen) == 0;
	}
	return 0;
}

const struct conf_ikev2_profile *conf_v2_profile_pick(const struct vpnd_conf *c, int id_type,
                                                      const uint8_t *id, size_t idlen,
                                                      int (*cert_ok)(void *, const char *),
                                                      void *arg)
{
	/* IOS walks the profiles in the order they were configured: the first match wins, so an
	 * `any` profile written first shadows every later one. Its match identity and match
	 * certificate lines are ORed. */
	for (int k = 0; k < c->v2.nprofile; k++) {
		const struct conf_ikev2_profile *pr = &c->v2.profile[k];
		for (int j = 0; j < pr->nmatch; j++)
			if (match_one(&pr->match[j], id_type, id, idlen))
				return pr;
		if (pr->match_cert[0] && cert_ok && cert_ok(arg, pr->match_cert))
			return pr;
	}
	return NULL;
}

const struct conf_ikev2_profile *conf_v2_profile_for(const struct vpnd_conf *c, int id_type,
                                                     const uint8_t *id, size_t idlen,
                                                     const union sa46 *peer,
                                                     const union sa46 *local)
{
	(void)peer;
	(void)local;
	return conf_v2_profile_pick(c, id_type, id, idlen, NULL, NULL);
}

int conf_v2_id_is(int conf_type, const char *value, int id_type, const uint8_t *id,
                  size_t idlen)
{
	struct conf_ikev2_match m;
	union sa46 a;

	memset(&m, 0, sizeof(m));
	m.type = conf_type;
	if (conf_type == V2_ID_ADDRESS) {
		/* one address: a full-length selector */
		if (sa46_pton(value, &a) != 0)
			return 0;
		if ((m.is6 = sa46_is6(&a))) {
			m.addr6 = a.sin6.sin6_addr;
			m.plen6 = 128;
		} else {
			m.addr = a.sin.sin_addr;
			m.mask.s_addr = 0xffffffff;
		}
	} else if (conf_type == V2_ID_FQDN || conf_type == V2_ID_EMAIL ||
	           conf_type == V2_ID_KEY_ID) {
		snprintf(m.value, sizeof(m.value), "%s", value);
	} else {
		return 0;
	}
	return match_one(&m, id_type, id, idlen);
}

const char *conf_v2_id_text(int id_type, const uint8_t *id, size_t idlen, char *out,
                            size_t outsz)
{
	union sa46 a;
	char buf[ID_TEXT_MAX];
	const char *s;

	if (!outsz)
		return out;
	out[0] = 0;
	if (id_addr(id_type, id, idlen, &a)) {
		snprintf(out, outsz, "%s", sa46_ntop(&a, buf));
		return out;
	}
	if ((id_type == WID_FQDN || id_type == WID_RFC822 ||
	     id_type == WID_KEY_ID) && (s = id_str(id, idlen, buf, sizeof(buf)))) {
		/* it goes into logs and the session's user name: printable text only */
		size_t n = 0;
		while (s[n] && isprint((unsigned char)s[n]))
			n++;
		if (!s[n]) {
			snprintf(out, outsz, "%s", s);
			return out;
		}
	}
	/* anything else: hex, marked with its type */
	int w = snprintf(out, outsz, "type%d:", id_type);
	for (size_t k = 0; k < idlen && w > 0 && (size_t)w + 3 <= outsz; k++)
		w += snprintf(out + w, outsz - (size_t)w, "%02x", id[k]);
	return out;
}
