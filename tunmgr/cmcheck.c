/*
 * keymgr's keys for a manual crypto map entry are installed only against tunmgr's own copy
 * of the configuration: the entry must exist, be applied to an interface, name one peer, a
 * transform set whose key lengths the keys have, the SPIs configured, and an ACL with a
 * permit entry between two networks (the policy route needs contiguous masks).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "tunmgr/cmcheck.h"
#include "tunmgr/esp.h"

int cm_plen(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	int n = 0;
	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return (n < 32 && (m << n) != 0) ? -1 : n;
}

static int refuse(char *why, size_t whylen, int err, const char *what)
{
	snprintf(why, whylen, "%s", what);
	return -err;
}

int cm_check(const struct vpnd_conf *c, const struct msg_manual_sa *m, struct cm_plan *p,
             char *why, size_t whylen)
{
	memset(p, 0, sizeof(*p));
	if (!memchr(m->map, 0, sizeof(m->map)))
		return refuse(why, whylen, EINVAL, "map name not terminated");
	p->idx = -1;
	for (int i = 0; i < c->ncmap && i < CONF_MAX_CMAPS; i++)
		if (!strcmp(c->cmap[i].name, m->map) && c->cmap[i].seq == m->seq) {
			p->idx = i;
			break;
		}
	if (p->idx < 0)
		return refuse(why, whylen, ENOENT, "no such entry in tunmgr's configuration");
	const struct conf_crypto_map *e = p->e = &c->cmap[p->idx];
	if (e->kind != CMAP_MANUAL)
		return refuse(why, whylen, EINVAL, "not an ipsec-manual entry");
	if (!e->key_in.set || !e->key_out.set || m->spi_in != e->key_in.spi ||
	    m->spi_out != e->key_out.spi || m->spi_in < 256 || m->spi_out < 256)
		return refuse(why, whylen, EPERM, "SPIs differ from the configured ones");
	for (int i = 0; i < c->niface && i < CONF_MAX_IFACES; i++)
		if (!strcmp(c->iface[i].crypto_map, e->name)) {
			p->iface = &c->iface[i];
			break;
		}
	if (!p->iface)
		return refuse(why, whylen, ENOENT, "the map is applied to no interface");
	if (e->npeer != 1 || e->peer[0].s_addr == 0)
		return refuse(why, whylen, EINVAL, "a manual entry needs exactly one peer");
	p->peer = e->peer[0];
	const struct conf_transform_set *ts = e->ntset > 0 ? conf_find_tset(c, e->tset[0]) : NULL;
	if (!ts)
		return refuse(why, whylen, ENOENT, "no transform set");
	if (ts->encr == ESP_ENCR_AES_GCM16 || ts->auth == ESP_AUTH_NONE)
		return refuse(why, whylen, EINVAL,
		              "manual keys need a cipher with an authenticator (RFC 8221)");
	if (ts->mode_transport)
		return refuse(why, whylen, EINVAL, "transport mode is not carried");
	size_t ek = esp_enc_keylen(ts->encr, ts->keylen), ak = esp_auth_keylen(ts->auth);
	if ((ts->encr != ESP_ENCR_NULL && ek == 0) || ak == 0 ||
	    m->enc_len != (int32_t)ek || m->auth_len != (int32_t)ak) {
		snprintf(why, whylen, "key lengths %d/%d bytes, the transform set needs %zu/%zu",
		         m->enc_len, m->auth_len, ek, ak);
		return -EINVAL;
	}
	p->encr = ts->encr;
	p->keylen_bits = ts->keylen;
	p->auth = ts->auth;
	const struct conf_acl *acl = e->match_acl[0] ? conf_find_acl(c, e->match_acl) : NULL;
	if (!acl)
		return refuse(why, whylen, ENOENT, "no match address access list");
	const struct conf_ace *first = NULL;
	for (int i = 0; i < acl->nace && i < CONF_MAX_ACES; i++)
		if (acl->ace[i].permit) {
			if (!first)
				first = &acl->ace[i];
			else
				p->extra_permits++;
		}
	if (!first)
		return refuse(why, whylen, ENOENT, "the access list permits nothing");
	if (first->proto != 0 || first->sport_op || first->dport_op)
		return refuse(why, whylen, EINVAL, "only 'permit ip SRC DST' entries are carried");
	p->src = first->src;
	p->srcmask = first->srcmask;
	p->dst = first->dst;
	p->dstmask = first->dstmask;
	p->src_len = cm_plen(p->srcmask);
	p->dst_len = cm_plen(p->dstmask);
	if (p->src_len < 0 || p->dst_len < 0 || p->dst_len == 0)
		return refuse(why, whylen, EINVAL,
		              "the permit entry needs contiguous masks and a destination network");
	p->src.s_addr &= p->srcmask.s_addr;
	p->dst.s_addr &= p->dstmask.s_addr;
	p->replay_window = c->replay_window > 0 ? c->replay_window : 1024;
	return 0;
}
