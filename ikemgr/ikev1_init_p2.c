/*
 * IKEv1 initiator after phase 1: XAUTH answers and Mode Config pull (transaction exchanges),
 * quick mode and its KEYMAT, DELETE, and answers to the hub's DPD. The responder half is
 * ikev1_xauth.c, ikev1_cfg.c, ikev1_quick.c and ikev1_info.c.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/alg.h"
#include "common/conf.h"
#include "ikemgr/dh.h"
#include "ikemgr/ikev1_init.h"

static const struct isakmp_payload *find_pl(const struct isakmp_msg *m, uint8_t type)
{
	for (int i = 1; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

int ikei_xauth_answer(const struct ikei_sa *s, struct ikei_x *x, const struct isakmp_msg *m,
                      const char *user, const char *password, struct isakmp_buf *b, int *done)
{
	struct isakmp_cfg c;
	struct isakmp_attr_it it;
	struct isakmp_cfg_attr v;
	struct isakmp_attrs a;
	const struct isakmp_payload *pa = find_pl(m, ISAKMP_NP_ATTR);
	int r, status = -1;

	if (!pa || isakmp_parse_cfg(pa->body, pa->len, &c) < 0)
		return IKEI_E_MALFORMED;
	isakmp_attrs_init(&a);
	isakmp_attr_it_init(&it, c.attrs, c.len);
	if (c.type == ISAKMP_CFG_REQUEST) {
		/* answer what is asked, in its order */
		while ((r = isakmp_attr_next(&it, &v)) > 0) {
			if (v.type == XAUTH_TYPE)
				isakmp_attrs_tv(&a, XAUTH_TYPE, XAUTH_TYPE_GENERIC);
			else if (v.type == XAUTH_USER_NAME)
				isakmp_attrs_tlv(&a, XAUTH_USER_NAME, user, strlen(user));
			else if (v.type == XAUTH_USER_PASSWORD)
				isakmp_attrs_tlv(&a, XAUTH_USER_PASSWORD, password, strlen(password));
		}
		*done = 0;
		c.type = ISAKMP_CFG_REPLY;
	} else if (c.type == ISAKMP_CFG_SET) {
		while ((r = isakmp_attr_next(&it, &v)) > 0)
			if (v.type == XAUTH_STATUS && v.tv)
				status = v.value;
		if (status < 0)
			return IKEI_E_MALFORMED;
		isakmp_attrs_tv(&a, XAUTH_STATUS, (uint16_t)status);
		*done = status == XAUTH_STATUS_OK;
		c.type = ISAKMP_CFG_ACK;
	} else {
		return IKEI_E_STATE;
	}
	if (r < 0)
		return IKEI_E_MALFORMED;
	int rc = ikei_begin(s, b, ISAKMP_EXCH_TRANSACTION, x->msgid);
	if (!rc)
		rc = isakmp_put_cfg(b, c.type, c.id, &a) < 0 ? IKEI_E_BUILD : 0;
	explicit_bzero(&a, sizeof(a));
	if (!rc)
		rc = ikei_protect(s, x, b, NULL, 0);
	if (!rc && c.type == ISAKMP_CFG_ACK && !*done)
		rc = IKEI_E_XAUTH;
	return rc;
}

/* A Mode Config REQUEST asking for the attributes in ask[]. */
static int cfg_ask(const struct ikei_sa *s, struct ikei_x *x, struct isakmp_buf *b,
                   const uint16_t *ask, size_t n)
{
	struct isakmp_attrs a;
	uint16_t ident;
	ike_random((uint8_t *)&ident, sizeof(ident));
	isakmp_attrs_init(&a);
	for (size_t k = 0; k < n; k++)
		isakmp_attrs_tlv(&a, ask[k], NULL, 0);
	int rc = ikei_begin(s, b, ISAKMP_EXCH_TRANSACTION, x->msgid);
	if (!rc)
		rc = isakmp_put_cfg(b, ISAKMP_CFG_REQUEST, ident, &a) < 0 ? IKEI_E_BUILD : 0;
	return rc ? rc : ikei_protect(s, x, b, NULL, 0);
}

int ikei_cfg_request(const struct ikei_sa *s, struct ikei_x *x, struct isakmp_buf *b)
{
	static const uint16_t ask[] = { CFG_INTERNAL_IP4_ADDRESS, CFG_INTERNAL_IP4_NETMASK };
	return cfg_ask(s, x, b, ask, sizeof(ask) / sizeof(ask[0]));
}

int ikei_cfg_reply(const struct isakmp_msg *m, struct in_addr *addr)
{
	struct ikei_cfg c;
	int rc = ikei_cfg_reply_full(m, &c);
	*addr = c.addr;
	return rc < 0 ? rc : !c.addr.s_addr ? IKEI_E_MALFORMED : 0;
}


int ikei_cfg_request_full(const struct ikei_sa *s, struct ikei_x *x, struct isakmp_buf *b)
{
	static const uint16_t ask[] = { CFG_INTERNAL_IP4_ADDRESS, CFG_INTERNAL_IP4_NETMASK,
	                                CFG_INTERNAL_IP4_DNS, UNITY_DEF_DOMAIN, UNITY_SPLIT_INCLUDE,
	                                UNITY_SAVE_PASSWD, UNITY_PFS, UNITY_BANNER,
	                                UNITY_BACKUP_SERVERS };
	return cfg_ask(s, x, b, ask, sizeof(ask) / sizeof(ask[0]));
}

int ikei_cfg_reply_full(const struct isakmp_msg *m, struct ikei_cfg *o)
{
	struct isakmp_cfg c;
	struct isakmp_attr_it it;
	struct isakmp_cfg_attr v;
	const struct isakmp_payload *pa = find_pl(m, ISAKMP_NP_ATTR);
	int r;

	memset(o, 0, sizeof(*o));
	if (!pa || isakmp_parse_cfg(pa->body, pa->len, &c) < 0)
		return IKEI_E_MALFORMED;
	if (c.type != ISAKMP_CFG_REPLY)
		return IKEI_E_STATE;
	isakmp_attr_it_init(&it, c.attrs, c.len);
	while ((r = isakmp_attr_next(&it, &v)) > 0) {
		switch (v.type) {
		case CFG_INTERNAL_IP4_ADDRESS:
			if (!v.tv && v.len == 4)
				memcpy(&o->addr, v.data, 4);
			break;
		case CFG_INTERNAL_IP4_NETMASK:
			if (!v.tv && v.len == 4)
				memcpy(&o->mask, v.data, 4);
			break;
		case CFG_INTERNAL_IP4_DNS:
			if (!v.tv && v.len == 4 && o->ndns < 2)
				memcpy(&o->dns[o->ndns++], v.data, 4);
			break;
		case UNITY_DEF_DOMAIN:
			if (!v.tv && v.len < sizeof(o->domain)) {
				memcpy(o->domain, v.data, v.len);
				o->domain[v.len] = '\0';
			}
			break;
		case UNITY_SAVE_PASSWD:
			o->save_password = v.tv && v.value;
			break;
		case UNITY_PFS:
			o->pfs = v.tv && v.value;
			break;
		case UNITY_BACKUP_SERVERS: {
			/* "A,B,C" as IOS and vpnd send it (spaces tolerated); names are not resolved */
			char list[256], *tok, *save = NULL;
			if (v.tv || v.len >= sizeof(list))
				break;
			memcpy(list, v.data, v.len);
			list[v.len] = '\0';
			for (tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
				struct in_addr a;
				if (o->nbackup < 10 && inet_pton(AF_INET, tok, &a) == 1)
					o->backup[o->nbackup++] = a;
			}
			break;
		}
		case UNITY_SPLIT_INCLUDE:
			/* 14-byte entries: address, mask, protocol, source and destination port */
			if (v.tv || v.len % 14) {
				o->split_dropped++;
				break;
			}
			for (size_t off = 0; off < v.len; off += 14) {
				if (o->nsplit == IKEI_SPLIT_MAX) {
					o->split_dropped++;
					continue;
				}
				memcpy(&o->split[o->nsplit].net, v.data + off, 4);
				memcpy(&o->split[o->nsplit].mask, v.data + off + 4, 4);
				o->nsplit++;
			}
			break;
		}
	}
	return r < 0 ? IKEI_E_MALFORMED : 0;
}

int ikei_esp_id(int encr)
{
	const struct alg_esp_encr *e = alg_esp_encr(encr);
	return e ? e->v1_id : -1;
}

int ikei_auth_alg(int auth)
{
	const struct alg_esp_auth *a = alg_esp_auth(auth);
	return a ? a->v1_id : 0;
}

static void p2_attrs(struct isakmp_attrs *a, const struct ikei_qm *q, uint16_t mode, int encr,
                     int keylen, int auth)
{
	int aa = ikei_auth_alg(auth);

	isakmp_attrs_init(a);
	if (q->life) {
		isakmp_attrs_tv(a, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_SECONDS);
		isakmp_attrs_tlv32(a, IPSEC_ATTR_SA_LIFE_DURATION, q->life);
	}
	isakmp_attrs_tv(a, IPSEC_ATTR_ENCAP_MODE, mode);
	if (aa)
		isakmp_attrs_tv(a, IPSEC_ATTR_AUTH_ALG, (uint16_t)aa);
	if (alg_esp_bits(encr, keylen))
		isakmp_attrs_tv(a, IPSEC_ATTR_KEY_LENGTH, (uint16_t)alg_esp_bits(encr, keylen));
	if (q->pfs_group)
		isakmp_attrs_tv(a, IPSEC_ATTR_GROUP_DESC, (uint16_t)q->pfs_group);
}

int ikei_qm1(const struct ikei_sa *s, struct ikei_qm *q, struct in_addr addr,
             struct isakmp_buf *b)
{
	struct isakmp_attrs a[IKEI_OFFER_MAX];
	uint8_t ids[IKEI_OFFER_MAX];
	uint16_t mode = !q->udp ? IPSEC_ENCAP_TUNNEL
	                : s->peer_natt == 1 ? IPSEC_ENCAP_UDP_TUNNEL : IPSEC_ENCAP_UDP_TUNNEL_DRAFT;
	int n = q->nprop;

	if (n < 0 || n > IKEI_OFFER_MAX)
		return IKEI_E_BUILD;
	if (n == 0) {
		if (ikei_esp_id(q->encr) < 0)
			return IKEI_E_BUILD;
		ids[0] = (uint8_t)ikei_esp_id(q->encr);
		p2_attrs(&a[0], q, mode, q->encr, q->keylen, q->auth);
	}
	for (int k = 0; k < n; k++) {
		if (ikei_esp_id(q->prop[k].encr) < 0)
			return IKEI_E_BUILD;
		ids[k] = (uint8_t)ikei_esp_id(q->prop[k].encr);
		p2_attrs(&a[k], q, mode, q->prop[k].encr, q->prop[k].keylen, q->prop[k].auth);
	}
	ikei_x_init(s, &q->x, 0);
	while (ntohl(q->spi_in) < 256)
		ike_random((uint8_t *)&q->spi_in, 4);
	q->nilen = sizeof(q->ni);
	ike_random(q->ni, q->nilen);

	uint8_t idci[12] = { ISAKMP_ID_IPV4_ADDR, 0, 0, 0 }, idcr[12] = { ISAKMP_ID_IPV4_ADDR_SUBNET };
	size_t cilen = 8;
	memcpy(idci + 4, &addr, 4);
	if (q->idci_any)
		memset(idci + 4, 0, 4);
	if (q->idci_mask.s_addr || q->idci_any) {
		idci[0] = ISAKMP_ID_IPV4_ADDR_SUBNET;
		memcpy(idci + 8, &q->idci_mask, 4);
		cilen = 12;
	}
	int rc = ikei_begin(s, b, ISAKMP_EXCH_QUICK, q->x.msgid);
	if (n == 0)
		isakmp_build_sa_p2(b, 1, 1, ids[0], q->spi_in, &a[0]);
	else
		isakmp_build_sa_offer(b, 1, q->spi_in, n, ids, a);
	isakmp_put_payload(b, ISAKMP_NP_NONCE, q->ni, q->nilen);
	if (q->pfs_group) {
		uint8_t gxi[IKEI_PUB_MAX];
		q->gxlen = ike_dh_publen(q->pfs_group);
		if (!q->pfs_dh || !q->gxlen || q->gxlen > sizeof(gxi) ||
		    ike_dh_public(q->pfs_dh, gxi, q->gxlen) < 0)
			return IKEI_E_DH;
		isakmp_put_payload(b, ISAKMP_NP_KE, gxi, q->gxlen);
	}
	isakmp_put_payload(b, ISAKMP_NP_ID, idci, cilen);
	isakmp_put_payload(b, ISAKMP_NP_ID, idcr, sizeof(idcr));
	return rc ? rc : ikei_protect(s, &q->x, b, NULL, 0);
}

int ikei_qm2(const struct ikei_sa *s, struct ikei_qm *q, uint8_t *pkt, size_t len)
{
	struct isakmp_msg m;
	struct isakmp_sa sap;
	int rc = ikei_open(s, &q->x, pkt, len, q->ni, q->nilen, &m);
	if (rc < 0)
		return rc;
	const struct isakmp_payload *psa = find_pl(&m, ISAKMP_NP_SA), *pn = find_pl(&m, ISAKMP_NP_NONCE);
	if (!psa || !pn || pn->len < 8 || pn->len > IKEI_NONCE_MAX ||
	    isakmp_parse_sa(psa->body, psa->len, &sap) < 0 || sap.nprop != 1 ||
	    sap.prop[0].ntrans != 1 || sap.prop[0].spi_len != 4)
		return IKEI_E_MALFORMED;
	const struct isakmp_trans *t = &sap.prop[0].trans[0];
	const struct isakmp_attr *aa = isakmp_trans_attr(t, IPSEC_ATTR_AUTH_ALG);
	const struct isakmp_attr *kl = isakmp_trans_attr(t, IPSEC_ATTR_KEY_LENGTH);
	int auth = aa ? (int)aa->value : 0, klen = kl ? (int)kl->value : 0;
	if (sap.prop[0].proto != ISAKMP_PROTO_IPSEC_ESP)
		return IKEI_E_PROPOSAL;
	if (q->nprop == 0) {
		if (t->id != ikei_esp_id(q->encr) || auth != ikei_auth_alg(q->auth))
			return IKEI_E_PROPOSAL;
	} else {
		int k;
		for (k = 0; k < q->nprop; k++) {
			const struct ikei_p2_prop *o = &q->prop[k];
			if (t->id == ikei_esp_id(o->encr) && auth == ikei_auth_alg(o->auth) &&
			    klen == alg_esp_bits(o->encr, o->keylen))
				break;
		}
		if (k == q->nprop)
			return IKEI_E_PROPOSAL;
		q->encr = q->prop[k].encr;
		q->keylen = klen;
		q->auth = q->prop[k].auth;
	}
	if (q->pfs_group) {
		/* the peer kept our group and sent its half */
		const struct isakmp_payload *pk = find_pl(&m, ISAKMP_NP_KE);
		const struct isakmp_attr *g = isakmp_trans_attr(t, IPSEC_ATTR_GROUP_DESC);
		if (!g || (int)g->value != q->pfs_group)
			return IKEI_E_PROPOSAL;
		if (!pk || pk->len != q->gxlen)
			return IKEI_E_MALFORMED;
		memcpy(q->gxr, pk->body, pk->len);
	}
	memcpy(&q->spi_out, sap.prop[0].spi, 4);
	memcpy(q->nr, pn->body, pn->len);
	q->nrlen = pn->len;
	return 0;
}

int ikei_qm3(const struct ikei_sa *s, struct ikei_qm *q, struct isakmp_buf *b)
{
	uint8_t zero = 0, h[64];
	struct iovec iov[4] = {
		{ &zero, 1 }, { &q->x.msgid, 4 }, { q->ni, q->nilen }, { q->nr, q->nrlen },
	};
	if (ike_prf(s->hash, s->k.skeyid_a, s->k.prf_len, iov, 4, h) < 0)
		return IKEI_E_DH;
	isakmp_put_hdr(b, s->cky_i, s->cky_r, ISAKMP_EXCH_QUICK, 0, q->x.msgid);
	if (isakmp_put_payload(b, ISAKMP_NP_HASH, h, s->k.prf_len) < 0)
		return IKEI_E_BUILD;
	size_t bl = s->k.blocklen, pad = (bl - (b->len - ISAKMP_HDR_LEN) % bl) % bl;
	if (isakmp_buf_reserve(b, pad) < 0)
		return IKEI_E_BUILD;
	memset(b->data + b->len, 0, pad);
	b->len += pad;
	struct isakmp_hdr *hd = (struct isakmp_hdr *)b->data;
	hd->flags |= ISAKMP_FLAG_E;
	hd->len = htonl((uint32_t)b->len);
	return ike_cbc(s->encr, s->keylen, s->k.enc_key, q->x.iv, b->data + ISAKMP_HDR_LEN,
	               b->len - ISAKMP_HDR_LEN, 1) < 0 ? IKEI_E_DH : 0;
}

int ikei_keymat(const struct ikei_sa *s, const struct ikei_qm *q, struct ikei_keys *k)
{
	uint8_t km[36 + 64], gqm[IKEI_PUB_MAX];
	size_t gqmlen = 0;
	k->enc_len = esp_enc_keylen(q->encr, q->keylen);
	k->auth_len = esp_auth_keylen(q->auth);
	if (k->enc_len > sizeof(k->enc_in) || k->auth_len > sizeof(k->auth_in))
		return IKEI_E_BUILD;
	/* PFS: KEYMAT = prf(SKEYID_d, g(qm)^xy | protocol | SPI | Ni_b | Nr_b) */
	if (q->pfs_group) {
		gqmlen = sizeof(gqm);
		if (!q->pfs_dh || ike_dh_shared(q->pfs_dh, q->gxr, q->gxlen, gqm, &gqmlen) < 0)
			return IKEI_E_DH;
	}
	for (int dir = 0; dir < 2; dir++) {
		if (ike_keymat(s->hash, s->k.skeyid_d, s->k.prf_len, gqmlen ? gqm : NULL, gqmlen,
		               ISAKMP_PROTO_IPSEC_ESP,
		               dir ? q->spi_out : q->spi_in, q->ni, q->nilen, q->nr, q->nrlen, km,
		               k->enc_len + k->auth_len) < 0)
			return IKEI_E_DH;
		memcpy(dir ? k->enc_out : k->enc_in, km, k->enc_len);
		memcpy(dir ? k->auth_out : k->auth_in, km + k->enc_len, k->auth_len);
	}
	explicit_bzero(km, sizeof(km));
	explicit_bzero(gqm, sizeof(gqm));
	return 0;
}

int ikei_delete(const struct ikei_sa *s, const uint32_t *spi_in, int nspi, struct isakmp_buf *b)
{
	struct ikei_x x;
	uint8_t ck[16];
	ikei_x_init(s, &x, 0);
	memcpy(ck, s->cky_i, 8);
	memcpy(ck + 8, s->cky_r, 8);
	int rc = ikei_begin(s, b, ISAKMP_EXCH_INFO, x.msgid);
	if (nspi > 0)
		isakmp_put_delete(b, ISAKMP_PROTO_IPSEC_ESP, 4, nspi, (const uint8_t *)spi_in);
	isakmp_put_delete(b, ISAKMP_PROTO_ISAKMP, 16, 1, ck);
	return rc ? rc : ikei_protect(s, &x, b, NULL, 0);
}

int ikei_dpd(const struct ikei_sa *s, uint32_t seq, struct isakmp_buf *b)
{
	struct ikei_x x;
	uint8_t ck[16];
	uint32_t nseq = htonl(seq);
	ikei_x_init(s, &x, 0);
	memcpy(ck, s->cky_i, 8);
	memcpy(ck + 8, s->cky_r, 8);
	int rc = ikei_begin(s, b, ISAKMP_EXCH_INFO, x.msgid);
	if (!rc)
		rc = isakmp_put_notify(b, ISAKMP_PROTO_ISAKMP, ISAKMP_N_R_U_THERE, ck, 16,
		                       (const uint8_t *)&nseq, 4) < 0 ? IKEI_E_BUILD : 0;
	return rc ? rc : ikei_protect(s, &x, b, NULL, 0);
}

int ikei_delete_esp(const struct ikei_sa *s, uint32_t spi_in, struct isakmp_buf *b)
{
	struct ikei_x x;
	ikei_x_init(s, &x, 0);
	int rc = ikei_begin(s, b, ISAKMP_EXCH_INFO, x.msgid);
	if (!rc)
		rc = isakmp_put_delete(b, ISAKMP_PROTO_IPSEC_ESP, 4, 1, (const uint8_t *)&spi_in) < 0
		     ? IKEI_E_BUILD : 0;
	return rc ? rc : ikei_protect(s, &x, b, NULL, 0);
}

int ikei_info(const struct ikei_sa *s, uint8_t *pkt, size_t len, struct isakmp_buf *b,
              int *answered, uint16_t *notify, int *deleted)
{
	struct isakmp_msg m;
	struct isakmp_hdr h;
	struct ikei_x x;
	int rc;

	*answered = *deleted = 0;
	*notify = 0;
	if (isakmp_parse_hdr(pkt, len, &h) < 0 || h.exch_type != ISAKMP_EXCH_INFO)
		return IKEI_E_MALFORMED;
	if (!(h.flags & ISAKMP_FLAG_E)) {
		/* before phase 1 completes refusals come in clear: believed as far as a load
		 * generator needs (they only end an attempt) */
		if (isakmp_parse(pkt, len, &m) < 0)
			return IKEI_E_MALFORMED;
	} else {
		ikei_x_init(s, &x, h.msgid);
		if ((rc = ikei_open(s, &x, pkt, len, NULL, 0, &m)) < 0)
			return rc;
	}
	for (int i = 0; i < m.npl; i++) {
		struct isakmp_notify n;
		struct isakmp_delete d;
		if (m.pl[i].type == ISAKMP_NP_N &&
		    isakmp_parse_notify(m.pl[i].body, m.pl[i].len, &n) == 0) {
			*notify = n.type;
			if (n.type != ISAKMP_N_R_U_THERE || !(h.flags & ISAKMP_FLAG_E) ||
			    n.spi_size != 16 || n.datalen != 4)
				continue;
			ikei_x_init(s, &x, 0);
			rc = ikei_begin(s, b, ISAKMP_EXCH_INFO, x.msgid);
			isakmp_put_notify(b, ISAKMP_PROTO_ISAKMP, ISAKMP_N_R_U_THERE_ACK, n.spi, 16,
			                  n.data, 4);
			if (!rc)
				rc = ikei_protect(s, &x, b, NULL, 0);
			if (rc < 0)
				return rc;
			*answered = 1;
		} else if (m.pl[i].type == ISAKMP_NP_D &&
		           isakmp_parse_delete(m.pl[i].body, m.pl[i].len, &d) == 0 &&
		           d.proto == ISAKMP_PROTO_ISAKMP) {
			*deleted = 1;
		}
	}
	return 0;
}
