/*
 * Manual SAs (crypto map NAME SEQ ipsec-manual): keymgr alone reads the session keys from the
 * configuration; it hands them to tunmgr (IMSG_MANUAL_SA) at start and after every reload,
 * and to nothing else. tunmgr checks the SPIs and lengths against its own, redacted copy.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "keymgr/keymgr.h"

/* One entry's keys in M; -1 (nothing filled) when the entry is not a manual one with both
 * directions set, or the two directions' lengths differ (one transform set covers both). */
int cmap_manual_msg(const struct conf_crypto_map *e, struct msg_manual_sa *m)
{
	const struct conf_session_key *in = &e->key_in, *out = &e->key_out;
	memset(m, 0, sizeof(*m));
	if (e->kind != CMAP_MANUAL || !in->set || !out->set)
		return -1;
	if (in->cipher_len != out->cipher_len || in->auth_len != out->auth_len ||
	    in->cipher_len < 0 || in->cipher_len > (int)sizeof(m->enc_in) ||
	    in->auth_len < 0 || in->auth_len > (int)sizeof(m->auth_in))
		return -1;
	snprintf(m->map, sizeof(m->map), "%s", e->name);
	m->seq = e->seq;
	m->spi_in = in->spi;
	m->spi_out = out->spi;
	m->enc_len = in->cipher_len;
	m->auth_len = in->auth_len;
	memcpy(m->enc_in, in->cipher, (size_t)in->cipher_len);
	memcpy(m->enc_out, out->cipher, (size_t)out->cipher_len);
	memcpy(m->auth_in, in->auth, (size_t)in->auth_len);
	memcpy(m->auth_out, out->auth, (size_t)out->auth_len);
	return 0;
}

int cmap_send_all(const struct vpnd_conf *c, keymgr_send_fn send)
{
	struct msg_manual_sa m;
	int sent = 0;
	for (int i = 0; i < c->ncmap && i < CONF_MAX_CMAPS; i++) {
		if (c->cmap[i].kind != CMAP_MANUAL)
			continue;
		if (cmap_manual_msg(&c->cmap[i], &m) < 0) {
			log_warnx("crypto map %s %d: session keys missing or of unequal lengths, "
			          "not installed", c->cmap[i].name, c->cmap[i].seq);
			continue;
		}
		send(IMSG_MANUAL_SA, 0, &m, sizeof(m));
		explicit_bzero(&m, sizeof(m));
		sent++;
	}
	explicit_bzero(&m, sizeof(m));
	return sent;
}
