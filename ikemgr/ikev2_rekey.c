/*
 * CREATE_CHILD_SA requests from the peer (RFC 7296 1.3, 2.8, 2.17, 2.18): a CHILD_SA rekey
 * (REKEY_SA names the SA it replaces), a new CHILD_SA, and an IKE SA rekey. A session's
 * CHILD_SAs share its interface, one per client-side selector (tunmgr sends by it): IPv4 and
 * IPv6 ones side by side, or one recreated after a hard expiry; a second one for selectors a
 * live SA has is answered NO_ADDITIONAL_SAS.
 *
 * A rekeyed CHILD_SA is chosen and narrowed exactly as the first one was (the policy may have
 * changed by CoA since), installed in tunmgr beside the old one, and answered once tunmgr has
 * it; the old one goes when the peer deletes it. A rekeyed IKE SA takes the session over: the
 * new SA gets the session id (which names the session in every process) and everything the
 * session holds, the old one keeps nothing and ends when the peer deletes it.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

/* A CHILD_SA rekey under way: kept until tunmgr has the new SA. */
struct ikev2_rekey {
	uint32_t msgid;
	struct ikev2_auth_req r;        /* proposals, selectors and the chosen SA */
	uint32_t old_spi_in;
	uint8_t  nr[V2_NONCE_LEN];
	uint8_t  ker[1024];
	size_t   kerlen;
	int      dh;
};

static void answer_error(struct ikev2_sa *sa, uint32_t msgid, uint16_t type, const uint8_t *d,
                         size_t len, const char *why)
{
	log_info("IKEv2 session %u: CREATE_CHILD_SA refused: %s", sa->s.id, why);
	ikev2_notify_protected(sa, IKEV2_EXCH_CREATE_CHILD, msgid, type, d, len);
}

/* g^ir for the peer's KE in group dh; our public value in pub. -1 on a bad value. */
static int dh_exchange(int dh, const struct ikev2_ke *ke, uint8_t *pub, size_t *publen,
                       uint8_t *shared, size_t *sharedlen)
{
	struct ike_dh *d = ike_dh_new(dh);
	size_t pl = ike_dh_publen(dh);
	int ok = d && pl <= *publen && ke->len == pl && ike_dh_public(d, pub, pl) == 0 &&
	         ike_dh_shared(d, ke->data, ke->len, shared, sharedlen) == 0;
	if (d)
		ike_dh_free(d);
	*publen = pl;
	return ok ? 0 : -1;
}

/* A live CHILD_SA (not being replaced) for the same client side: tunmgr sends by that
 * selector, so a second one would take its traffic over. */
static int same_selector(const struct ikev2_sa *sa, const struct ike_child *n)
{
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		const struct ike_child *c = &sa->s.child[i];
		if (!c->used || c->replaced_at || c->sel_v6 != n->sel_v6)
			continue;
		if (n->sel_v6 ? !memcmp(&c->sel_net6, &n->sel_net6, 16) &&
		                c->sel_plen6 == n->sel_plen6
		              : c->sel_net.s_addr == n->sel_net.s_addr &&
		                c->sel_mask.s_addr == n->sel_mask.s_addr)
			return 1;
	}
	return 0;
}

static void child_rekey(struct ikev2_sa *sa, uint32_t msgid, const struct ikev2_chain *c,
                        const struct ikev2_notify *rekey, const struct ikev2_sa_pl *props,
                        const uint8_t *ni, size_t nilen, const struct ikev2_ke *ke)
{
	const struct ikev2_pl *ptsi = ikev2_find(c, IKEV2_NP_TSI), *ptsr = ikev2_find(c, IKEV2_NP_TSR);
	uint32_t old_out;
	struct ike_child *old = NULL;
	if (rekey) {
		if (rekey->proto != IKEV2_PROTO_ESP || rekey->spi_size != 4) {
			answer_error(sa, msgid, IKEV2_N_INVALID_SYNTAX, NULL, 0, "REKEY_SA malformed");
			return;
		}
		memcpy(&old_out, rekey->spi, 4);
		for (int i = 0; i < IKE_MAX_CHILD; i++)
			if (sa->s.child[i].used && sa->s.child[i].spi_out == old_out)
				old = &sa->s.child[i];
		if (!old) {
			answer_error(sa, msgid, IKEV2_N_CHILD_SA_NOT_FOUND, rekey->spi, 4,
			             "the SA to rekey is not ours");
			return;
		}
		/* 2.25.1: ours still queued gives way; one under way (or done, the old SA
		 * being deleted) makes the peer's moot */
		if (old->rekeying && ikev2_req_unqueue_rekey(sa, old->spi_in))
			old->rekeying = 0;
		if (old->rekeying || old->replaced_at) {
			answer_error(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, NULL, 0,
			             "that SA is being rekeyed or deleted already");
			return;
		}
	}
	if (sa->held) {
		answer_error(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, NULL, 0, "a rekey is under way");
		return;
	}
	struct ikev2_rekey *k = calloc(1, sizeof(*k));
	if (!k)
		return;
	k->msgid = msgid;
	k->old_spi_in = old ? old->spi_in : 0;
	memcpy(k->r.props, props->prop, sizeof(props->prop[0]) * (size_t)props->n);
	k->r.nprops = props->n;
	if (!ptsi || !ptsr || ikev2_parse_ts(ptsi->body, ptsi->len, &k->r.tsi) < 0 ||
	    ikev2_parse_ts(ptsr->body, ptsr->len, &k->r.tsr) < 0) {
		free(k);
		answer_error(sa, msgid, IKEV2_N_INVALID_SYNTAX, NULL, 0, "selectors malformed");
		return;
	}
	k->r.family = old ? (old->sel_v6 ? 6 : 4) : 0;
	int err = ikev2_child_choose(sa, &k->r);
	if (err) {
		free(k);
		answer_error(sa, msgid, (uint16_t)err, NULL, 0, "no acceptable proposal or selectors");
		return;
	}
	if (!old && same_selector(sa, &k->r.c)) {
		free(k);
		answer_error(sa, msgid, IKEV2_N_NO_ADDITIONAL_SAS, NULL, 0,
		             "a second CHILD_SA for selectors a live one has (a rekey names it)");
		return;
	}
	const struct conf_ipsec_profile *ip = ike_session_ipsec_profile(&sa->s);
	const struct ikev2_prop *chosen = &k->r.props[k->r.esp.prop_num - 1];
	k->dh = ikev2_prop_dh(chosen, ke ? ke->group : 0, ip ? ip->pfs_group : 0);
	if (k->dh < 0 || (k->dh && !ike_dh_supported(k->dh))) {
		int want = ip && ip->pfs_group ? ip->pfs_group : 0;
		uint8_t g[2] = { (uint8_t)(want >> 8), (uint8_t)want };
		free(k);
		if (want && ke)
			answer_error(sa, msgid, IKEV2_N_INVALID_KE_PAYLOAD, g, 2, "PFS group");
		else
			answer_error(sa, msgid, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0, "PFS disagrees");
		return;
	}
	uint8_t shared[1024];
	size_t sharedlen = sizeof(shared);
	k->kerlen = sizeof(k->ker);
	if (k->dh && (!ke || dh_exchange(k->dh, ke, k->ker, &k->kerlen, shared, &sharedlen) < 0)) {
		free(k);
		answer_error(sa, msgid, IKEV2_N_INVALID_SYNTAX, NULL, 0, "KE refused");
		return;
	}
	ike_random(k->nr, sizeof(k->nr));
	k->r.c.pfs_group = k->dh;
	int rc = ikev2_child_install(sa, sa, &k->r.c, 0, k->dh ? shared : NULL,
	                             k->dh ? sharedlen : 0, ni, nilen, k->nr, sizeof(k->nr));
	explicit_bzero(shared, sizeof(shared));
	if (rc < 0) {
		free(k);
		answer_error(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, NULL, 0, "keys not derived");
		return;
	}
	/* the answer waits for tunmgr (ikev2_rekey_added) */
	sa->held = (uint8_t *)k;
	sa->held_len = sizeof(*k);
	sa->held_spi = k->r.c.spi_in;
	log_dbg(DBG_IKEV2, V2_PEER(sa), "IKEv2 session %u: CHILD_SA %08x %s %08x%s", sa->s.id,
	        old ? ntohl(old->spi_in) : 0, old ? "rekeyed as" : "gone, replaced by",
	        ntohl(k->r.c.spi_in), k->dh ? " with PFS" : "");
}

/* tunmgr answered the rekeyed CHILD_SA's install: the answer goes out. 1 if it was ours. */
int ikev2_rekey_added(struct ikev2_sa *sa, const struct msg_sa_added *res)
{
	if (sa->state != V2_S_ESTABLISHED || !sa->held || res->spi_in != sa->held_spi)
		return 0;
	struct ikev2_rekey *k = (struct ikev2_rekey *)sa->held;
	sa->held = NULL;
	if (res->status) {
		answer_error(sa, k->msgid, IKEV2_N_TEMPORARY_FAILURE, NULL, 0,
		             "tunmgr did not install the new SA");
		explicit_bzero(k, sizeof(*k));
		free(k);
		return 1;
	}
	struct isakmp_buf b;
	size_t sk;
	isakmp_buf_init(&b);
	if (ikev2_begin_sk(sa, &b, IKEV2_EXCH_CREATE_CHILD, k->msgid, 1, &sk) == 0) {
		struct ikev2_trans tr[4];
		int n = 0;
		tr[n++] = (struct ikev2_trans){ IKEV2_TR_ENCR, k->r.esp.encr_id,
		                                (uint16_t)k->r.esp.keylen };
		if (k->r.esp.integ_id)
			tr[n++] = (struct ikev2_trans){ IKEV2_TR_INTEG, k->r.esp.integ_id, 0 };
		if (k->dh)
			tr[n++] = (struct ikev2_trans){ IKEV2_TR_DH, (uint16_t)k->dh, 0 };
		tr[n++] = (struct ikev2_trans){ IKEV2_TR_ESN, 0, 0 };
		ikev2_put_sa1(&b, k->r.esp.prop_num, IKEV2_PROTO_ESP,
		              (const uint8_t *)&k->r.c.spi_in, 4, tr, n);
		isakmp_put_payload(&b, IKEV2_NP_NONCE, k->nr, sizeof(k->nr));
		if (k->dh)
			ikev2_put_ke(&b, (uint16_t)k->dh, k->ker, k->kerlen);
		ikev2_put_ts(&b, IKEV2_NP_TSI, k->r.ts_i, k->r.nts_i);
		ikev2_put_ts(&b, IKEV2_NP_TSR, k->r.ts_r, k->r.nts_r);
		if (ikev2_seal(sa, &b, sk) == 0)
			ikev2_send_response(sa, b.data, b.len);
	}
	isakmp_buf_free(&b);
	time_t now = time(NULL);
	for (int i = 0; i < IKE_MAX_CHILD && k->old_spi_in; i++) {
		struct ike_child *c = &sa->s.child[i];
		if (c->used && c->spi_in == k->old_spi_in)
			c->replaced_at = now;       /* the peer deletes it next */
	}
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->s.child[i];
		if (c->used)
			continue;
		*c = k->r.c;
		c->used = 1;
		c->installed = 1;
		c->created = now;
		ike_session_up(&sa->s, c);
		sa->s.ops->sync(&sa->s);
		break;
	}
	explicit_bzero(k, sizeof(*k));
	free(k);
	return 1;
}

static void ike_rekey(struct ikev2_sa *sa, uint32_t msgid, const struct ikev2_sa_pl *props,
                      const uint8_t *ni, size_t nilen, const struct ikev2_ke *ke)
{
	struct ikev2_ike_choice ch;
	if (!ke || ikev2_choose_ike(ike.conf, &sa->s.local, props, ke->group, &ch) < 0 ||
	    ch.spi_size != 8) {
		answer_error(sa, msgid, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0, "IKE SA rekey proposal");
		return;
	}
	if (ch.dh != ke->group) {
		uint8_t g[2] = { (uint8_t)(ch.dh >> 8), (uint8_t)ch.dh };
		answer_error(sa, msgid, IKEV2_N_INVALID_KE_PAYLOAD, g, 2, "IKE SA rekey KE group");
		return;
	}
	if (sa->held) {
		answer_error(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, NULL, 0, "a rekey is under way");
		return;
	}
	struct ikev2_sa *n = ikev2_sa_new(ch.spi, &sa->s.peer, &sa->s.local);
	if (!n)
		return;
	uint8_t pub[1024], shared[1024], nr[V2_NONCE_LEN];
	size_t publen = sizeof(pub), sharedlen = sizeof(shared);
	ike_random(nr, sizeof(nr));
	int ok = ikev2_suite(&n->suite, ch.encr_id, ch.encr_bits, ch.integ_id, ch.prf_id,
	                     ch.dh) == 0 &&
	         dh_exchange(ch.dh, ke, pub, &publen, shared, &sharedlen) == 0 &&
	         ikev2_ike_keys(&n->suite, shared, sharedlen, ni, nilen, nr, sizeof(nr), n->spi_i,
	                        n->spi_r, sa->k.d, &n->k) == 0;
	explicit_bzero(shared, sizeof(shared));
	if (!ok) {
		ikev2_sa_delete(n, "IKE SA rekey failed", 0);
		answer_error(sa, msgid, IKEV2_N_INVALID_SYNTAX, NULL, 0, "IKE SA rekey keys");
		return;
	}
	/* the answer, under the old SA's keys */
	struct isakmp_buf b;
	size_t sk;
	struct ikev2_trans tr[4];
	int nt = 0;
	tr[nt++] = (struct ikev2_trans){ IKEV2_TR_ENCR, ch.encr_id, ch.encr_bits };
	tr[nt++] = (struct ikev2_trans){ IKEV2_TR_PRF, ch.prf_id, 0 };
	if (ch.integ_id)
		tr[nt++] = (struct ikev2_trans){ IKEV2_TR_INTEG, ch.integ_id, 0 };
	tr[nt++] = (struct ikev2_trans){ IKEV2_TR_DH, ch.dh, 0 };
	isakmp_buf_init(&b);
	ok = ikev2_begin_sk(sa, &b, IKEV2_EXCH_CREATE_CHILD, msgid, 1, &sk) == 0 &&
	     ikev2_put_sa1(&b, ch.prop_num, IKEV2_PROTO_IKE, n->spi_r, 8, tr, nt) == 0 &&
	     isakmp_put_payload(&b, IKEV2_NP_NONCE, nr, sizeof(nr)) == 0 &&
	     ikev2_put_ke(&b, ch.dh, pub, publen) == 0 && ikev2_seal(sa, &b, sk) == 0;
	if (!ok) {
		isakmp_buf_free(&b);
		ikev2_sa_delete(n, "IKE SA rekey answer not built", 0);
		return;
	}
	ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);

	ikev2_take_over(n, sa);
	log_info("IKEv2 session %u: IKE SA rekeyed (old SA now %u, deleted by the peer next)",
	         n->s.id, sa->s.id);
}

void ikev2_take_over(struct ikev2_sa *n, struct ikev2_sa *sa)
{
	/* the new SA takes the session over, under its id */
	uint32_t fresh = n->s.id;
	ikev2_sa_set_id(n, sa->s.id);
	ikev2_sa_set_id(sa, fresh);
	ike_session_move(&n->s, &sa->s);
	memcpy(n->s.user, sa->s.user, sizeof(n->s.user));
	memcpy(n->s.group_name, sa->s.group_name, sizeof(n->s.group_name));
	n->s.v2profile = sa->s.v2profile;
	n->s.start = sa->s.start;
	n->s.rep_established = 0;
	memcpy(n->prof_name, sa->prof_name, sizeof(n->prof_name));
	memcpy(n->auth_words, sa->auth_words, sizeof(n->auth_words));   /* how IKE_AUTH went */
	n->port4500 = sa->port4500;
	n->nat_peer = sa->nat_peer;
	n->nat_us = sa->nat_us;
	n->frag = sa->frag;             /* said in IKE_SA_INIT only: a rekey cannot say it again */
	n->next_in = 0;
	n->next_out = 0;
	n->state = V2_S_INIT_DONE;      /* only so that ikev2_established counts it settled */
	ikev2_established(n);
	sa->s.superseded = 1;
	sa->successor = n->s.id;
	ikev2_req_move(n, sa);          /* what we meant to ask goes on the new SA */
	n->s.ops->sync(&n->s);
}

void ikev2_create_child_input(struct ikev2_sa *sa, uint32_t msgid, uint8_t np,
                              const uint8_t *in, size_t len)
{
	struct ikev2_chain c;
	uint8_t inner;
	if (sa->state != V2_S_ESTABLISHED || sa->s.superseded) {
		answer_error(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, NULL, 0, "not established");
		return;
	}
	if (ikev2_req_pending(sa, V2_REQ_IKE_REKEY, 0) == 1) {
		/* 2.25.2: while our IKE SA rekey is under way nothing new is made on this SA */
		answer_error(sa, msgid, IKEV2_N_TEMPORARY_FAILURE, NULL, 0,
		             "our IKE SA rekey is under way");
		return;
	}
	if (ikev2_parse_chain(np, in, 0, len, &c, &inner) < 0 || inner) {
		v2.drop_malformed++;
		answer_error(sa, msgid, IKEV2_N_INVALID_SYNTAX, NULL, 0, "malformed");
		return;
	}
	const struct ikev2_pl *psa = ikev2_find(&c, IKEV2_NP_SA), *pn = ikev2_find(&c, IKEV2_NP_NONCE),
	                      *pke = ikev2_find(&c, IKEV2_NP_KE);
	static struct ikev2_sa_pl props;
	struct ikev2_ke ke;
	if (!psa || !pn || ikev2_parse_sa(psa->body, psa->len, &props) < 0 ||
	    ikev2_parse_nonce(pn->body, pn->len) < 0 ||
	    (pke && ikev2_parse_ke(pke->body, pke->len, &ke) < 0)) {
		answer_error(sa, msgid, IKEV2_N_INVALID_SYNTAX, NULL, 0, "SA or nonce malformed");
		return;
	}
	if (props.n && props.prop[0].proto == IKEV2_PROTO_IKE) {
		ike_rekey(sa, msgid, &props, pn->body, pn->len, pke ? &ke : NULL);
		return;
	}
	struct ikev2_notify rk;
	for (int i = 0; i < c.n; i++) {
		if (c.pl[i].type == IKEV2_NP_N &&
		    ikev2_parse_notify(c.pl[i].body, c.pl[i].len, &rk) == 0 &&
		    rk.type == IKEV2_N_REKEY_SA) {
			child_rekey(sa, msgid, &c, &rk, &props, pn->body, pn->len, pke ? &ke : NULL);
			return;
		}
	}
	/* a new CHILD_SA on the same interface: another family (IPv6 beside IPv4), or one in
	 * place of an SA that is gone (a peer recreating it after a hard expiry) */
	child_rekey(sa, msgid, &c, NULL, &props, pn->body, pn->len, pke ? &ke : NULL);
}
