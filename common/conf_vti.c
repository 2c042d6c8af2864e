/*
 * interface TunnelN: a static VTI, the tunnel vpnd dials itself toward one peer (IOS
 * "tunnel mode ipsec ipv4" with a fixed "tunnel destination"). The lines it shares with a
 * template (ip address, ip unnumbered, tunnel mode, tunnel protection) are read by
 * conf_iface.c; this file reads what only a static VTI has and checks the block as a whole.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "common/conf_parse.h"

/* TunnelN with N from 0 to 99999: also the Linux name of its TUN device (at most 11 bytes) */
int cp_vti_name(const char *s)
{
	size_t n;

	if (strncmp(s, "Tunnel", 6) != 0)
		return 0;
	s += 6;
	n = strspn(s, "0123456789");
	return n >= 1 && n <= 5 && s[n] == '\0' && (n == 1 || s[0] != '0');
}

static struct conf_interface *cur(struct conf_parser *p)
{
	return &p->conf->iface[p->idx];
}

/* tunnel source IFACE|A: the address our ISAKMP ID and the outer packets carry */
void cp_h_tunnel_source(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur(p);
	const char *s = p->argv[i];
	struct in_addr a;
	size_t n = strlen(s);

	if (!cp_end(p, i + 1))
		return;
	if (inet_pton(AF_INET, s, &a) == 1) {
		if (a.s_addr == 0 || IN_MULTICAST(ntohl(a.s_addr)) || a.s_addr == INADDR_BROADCAST) {
			cp_error(p, "bad tunnel source %s, expected a unicast address or an interface",
			         s);
			return;
		}
	} else if (cp_vti_name(s) || strncmp(s, "Virtual-", 8) == 0) {
		cp_error(p, "tunnel source %s is a tunnel, expected the outside interface (eth0) or "
		         "its address", s);
		return;
	} else if (n == 0 || n > 15 || strchr(s, ':') ||
	           (strchr(s, '/') && !cp_ios_iface_name(s))) {
		cp_error(p, "bad tunnel source '%s', expected an interface name (eth0, "
		         "GigabitEthernet0/0) or an address", s);
		return;
	}
	snprintf(ifc->tunnel_source, sizeof(ifc->tunnel_source), "%s", s);
	if (cp_ios_iface_name(s))
		cp_ref(p, REF_IFACE, ifc->tunnel_source);
}

/* tunnel destination A: the peer; names are not resolved (the parent never does DNS) */
void cp_h_tunnel_destination(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur(p);
	struct in_addr a;

	if (ifc->is_template) {
		cp_error(p, "a template's peers are whoever connects, expected 'tunnel destination' "
		         "only under 'interface TunnelN'");
		return;
	}
	if (!ifc->is_vti) {
		cp_error(p, "'tunnel destination' is only for tunnels, expected it under 'interface "
		         "TunnelN'");
		return;
	}
	if (!cp_need(p, i, "the peer's address") || !cp_addr(p, i, "tunnel destination", &a) ||
	    !cp_end(p, i + 1))
		return;
	if (a.s_addr == 0 || IN_MULTICAST(ntohl(a.s_addr)) || a.s_addr == INADDR_BROADCAST ||
	    (ntohl(a.s_addr) >> 24) == 127) {
		cp_error(p, "bad tunnel destination %s, expected the peer's unicast address",
		         p->argv[i]);
		return;
	}
	ifc->tunnel_dst = a;
	ifc->has_tunnel_dst = 1;
}

/* A pre-shared key for a: `crypto isakmp key ... address` or a keyring's `pre-shared-key
 * address`. keymgr picks among them the same way (keymgr/keyring.c). */
int conf_vti_has_key(const struct vpnd_conf *c, struct in_addr a)
{
	union sa46 peer;

	sa46_from4(&peer, a, 0);
	for (int k = 0; k < c->nisakmp_key && k < CONF_MAX_ISAKMP_KEYS; k++)
		if (CONF_SEL_COVERS(&c->isakmp_key[k], &peer))
			return 1;
	for (int r = 0; r < c->nkeyring && r < CONF_MAX_KEYRINGS; r++)
		for (int k = 0; k < c->keyring[r].npsk && k < CONF_MAX_KEYRING_KEYS; k++)
			if (CONF_SEL_COVERS(&c->keyring[r].psk[k], &peer))
				return 1;
	return 0;
}

/* The trust point a static VTI signs with and checks its peer against: the first (in file
 * order) with an RSA certificate. Its certificate is the tunnel's identity (ID_DER_ASN1_DN). */
const struct conf_trustpoint *conf_vti_trustpoint(const struct vpnd_conf *c)
{
	for (int k = 0; k < c->ntrustpoint && k < CONF_MAX_TRUSTPOINTS; k++)
		if (c->trustpoint[k].cert_len && c->trustpoint[k].key_type == EVP_PKEY_RSA)
			return &c->trustpoint[k];
	return NULL;
}

/* Without a key the tunnel signs (main mode rsa-sig): a policy offering it and a trust point. */
int conf_vti_has_sig(const struct vpnd_conf *c)
{
	for (int k = 0; k < c->npolicy && k < CONF_MAX_POLICIES; k++)
		if (c->policy[k].auth == IKE_AUTH_RSA_SIG)
			return conf_vti_trustpoint(c) != NULL;
	return 0;
}

static void check_one(struct conf_parser *p, const struct conf_interface *t)
{
	const struct vpnd_conf *c = p->conf;
	char dst[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &t->tunnel_dst, dst, sizeof(dst));
	if (!t->tunnel_mode_ipsec)
		cp_error_at(p, t->line, "interface %s is a GRE tunnel (the IOS default), expected "
		            "'tunnel mode ipsec ipv4' under it", t->name);
	if (!t->has_tunnel_dst)
		cp_error_at(p, t->line, "interface %s has no tunnel destination, expected 'tunnel "
		            "destination A.B.C.D' (the peer) under it", t->name);
	if (!t->tunnel_source[0])
		cp_error_at(p, t->line, "interface %s has no tunnel source, expected 'tunnel source "
		            "IFACE' or 'tunnel source A.B.C.D' under it", t->name);
	if (!t->protection[0])
		cp_error_at(p, t->line, "interface %s has no protection, expected 'tunnel protection "
		            "ipsec profile NAME' under it", t->name);
	if (t->has_tunnel_dst && !conf_vti_has_key(c, t->tunnel_dst) && !conf_vti_has_sig(c))
		cp_error_at(p, t->line, "interface %s: no pre-shared key for its tunnel destination "
		            "%s, expected 'crypto isakmp key KEY address %s', a keyring's "
		            "'pre-shared-key address %s key KEY', or a 'crypto isakmp policy' with "
		            "'authentication rsa-sig' and a 'crypto pki trustpoint' with an RSA "
		            "certificate", t->name, dst, dst, dst);
	if (!t->has_addr && !t->unnumbered[0])
		cp_error_at(p, t->line, "interface %s has no address, expected 'ip address A M' or "
		            "'ip unnumbered IFACE' under it", t->name);
	if (t->ezvpn[0] || t->crypto_map[0])
		cp_error_at(p, t->line, "interface %s is a tunnel itself, expected no crypto map or "
		            "ezvpn under it", t->name);
	for (const struct conf_interface *o = c->iface; o < t; o++)
		if (o->is_vti && o->has_tunnel_dst && t->has_tunnel_dst &&
		    o->tunnel_dst.s_addr == t->tunnel_dst.s_addr)
			cp_error_at(p, t->line, "interface %s dials %s like interface %s (line %d), "
			            "expected one tunnel per destination", t->name, dst, o->name,
			            o->line);
}

void cp_check_vti(struct conf_parser *p)
{
	const struct vpnd_conf *c = p->conf;

	for (int k = 0; k < c->niface && k < CONF_MAX_IFACES; k++)
		if (c->iface[k].is_vti)
			check_one(p, &c->iface[k]);
}
