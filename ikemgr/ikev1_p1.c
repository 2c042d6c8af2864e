/*
 * Phase 1 pieces shared by the aggressive mode (ikev1_aggr.c) and main mode (ikev1_main.c)
 * responders: payload lookup, vendor IDs, NAT-D, and the
 * virtual-access interface request that ends phase 1.5 (or phase 1 for a site-to-site peer).
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

const struct isakmp_payload *ikev1_find_pl(const struct isakmp_msg *m, uint8_t type)
{
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

void ikev1_note_vids(struct ike_sa *sa, const struct isakmp_msg *m)
{
	for (int i = 0; i < m->npl; i++) {
		const struct isakmp_payload *p = &m->pl[i];
		if (p->type != ISAKMP_NP_VID)
			continue;
		if (vid_is(p, VID_XAUTH))
			sa->peer_xauth = 1;
		else if (vid_is(p, VID_UNITY))
			sa->peer_unity = 1;
		else if (vid_is(p, VID_DPD))
			sa->peer_dpd = 1;
		else if (vid_is(p, VID_NATT_RFC))
			sa->natt = 1;
		else if ((vid_is(p, VID_NATT_DRAFT02) || vid_is(p, VID_NATT_DRAFT02N) ||
		          vid_is(p, VID_NATT_DRAFT03)) && sa->natt != 1)
			sa->natt = 2;
	}
	sa->natd_type = sa->natt == 1 ? ISAKMP_NP_NATD : ISAKMP_NP_NATD_DRAFT;
}

/* IDir: our address (IPv4 or IPv6), protocol UDP port 500 as IOS sends it. */
void ikev1_idir_addr(struct ike_sa *sa)
{
	size_t n;
	const void *a = sa46_addr(&sa->s.local, &n);

	sa->idir_b[0] = n == 16 ? ISAKMP_ID_IPV6_ADDR : ISAKMP_ID_IPV4_ADDR;
	sa->idir_b[1] = 17;
	sa->idir_b[2] = 0x01;
	sa->idir_b[3] = 0xf4;
	memcpy(sa->idir_b + 4, a, n);
	sa->idir_len = 4 + n;
}

int ikev1_put_natd(struct isakmp_buf *b, struct ike_sa *sa, const union sa46 *a)
{
	uint8_t h[64];
	if (isakmp_natd_hash(sa->hash, sa->cky_i, sa->cky_r, a, h) < 0)
		return -1;
	return isakmp_put_payload(b, (uint8_t)sa->natd_type, h, ike_hash_len(sa->hash));
}

/* NAT-D (RFC 3947 3.2): the first hash is of the address the peer sent to (ours), the others
 * of its own; a mismatch means someone rewrote one of them on the way. */
void ikev1_natd_check(struct ike_sa *sa, const struct isakmp_msg *m)
{
	if (!sa->natt)
		return;
	uint8_t want_local[64], want_peer[64];
	size_t hl = ike_hash_len(sa->hash);
	int seen = 0, local_ok = 0, peer_ok = 0;
	isakmp_natd_hash(sa->hash, sa->cky_i, sa->cky_r, &sa->s.local, want_local);
	isakmp_natd_hash(sa->hash, sa->cky_i, sa->cky_r, &sa->s.peer, want_peer);
	for (int i = 0; i < m->npl; i++) {
		const struct isakmp_payload *p = &m->pl[i];
		if (p->type != ISAKMP_NP_NATD && p->type != ISAKMP_NP_NATD_DRAFT)
			continue;
		if (p->len != hl)
			continue;
		if (seen++ == 0)
			local_ok = !memcmp(p->body, want_local, hl);
		else if (!memcmp(p->body, want_peer, hl))
			peer_ok = 1;
	}
	sa->nat_detected = seen && (!local_ok || !peer_ok);
	log_dbg(DBG_ISAKMP, SA_PEER(sa), "session %u: NAT-D %s", sa->s.id,
	        !seen ? "absent" : sa->nat_detected ? "detected NAT" : "no NAT");
}

/* The session's virtual-access interface, routing net/plen into the tunnel: the Mode Config
 * address of a remote-access client, or a site-to-site peer's quick mode IDci. */
/*
 * `shutdown` on the profile's Virtual-Template: no new interface is cloned from it, so a new
 * session is refused (with the reason in its end line); sessions up already keep theirs, as
 * on IOS, and so does a client that takes its own session over at a phase 1 rekey. 1 if
 * refused (the SA is deleted).
 */
int ikev1_template_shut(struct ike_sa *sa)
{
	const struct conf_interface *vt = sa->s.profile && sa->s.profile->virtual_template
		? conf_find_template(ike.conf, sa->s.profile->virtual_template) : NULL;
	char why[160];
	if (vt && !vt->shutdown && !conf_tunnel_takes_peer(vt, sa46_is6(&sa->s.peer))) {
		/* IOS: an IPv6 transport needs a v6-overlay (or dual-overlay) template */
		snprintf(why, sizeof(why), "%s takes IPv%c peers only (tunnel mode %s), no session "
		         "from an IPv%c one", vt->name, sa46_is6(&sa->s.peer) ? '4' : '6',
		         conf_tunnel_mode_words(vt->tunnel_mode_ipsec), sa46_is6(&sa->s.peer) ? '6' : '4');
		log_warnx("session %u: %s", sa->s.id, why);
		ike_sa_delete(sa, why, 1);
		return 1;
	}
	if (!vt || !vt->shutdown)
		return 0;
	snprintf(why, sizeof(why), "%s is shut down, no new sessions", vt->name);
	ike_sa_delete(sa, why, 1);
	return 1;
}

/* The session's template has `ipv6 enable` (or `ipv6 unnumbered`): IPv6 inside. */
int ikev1_template_ipv6(const struct ike_sa *sa)
{
	return sa->s.profile && ike_session_inner6(&sa->s);
}

int ikev1_p1_send_reply(struct ike_sa *sa, struct isakmp_buf *b, int rc, int natd)
{
	if (!rc && natd) {
		/* RFC 3947 3.2: first the address the datagram goes to, then our own. */
		rc = ikev1_put_natd(b, sa, &sa->s.peer);
		if (!rc)
			rc = ikev1_put_natd(b, sa, &sa->s.local);
	}
	if (!rc)
		rc = isakmp_finalize(b);
	if (rc < 0) {
		isakmp_buf_free(b);
		ike_sa_delete(sa, "cannot build reply", 0);
		return -1;
	}
	ike_sa_remember_out(sa, b->data, b->len, 0);
	ikev1_send_raw(sa, b->data, b->len);
	isakmp_buf_free(b);
	return 0;
}

/*
 * Our DH half and the phase 1 keys from keymgr's SKEYID (RFC 2409 5), shared by aggressive
 * and main mode. A bad peer public value or a failed derivation deletes the SA: -1.
 */
int ikev1_p1_keys(struct ike_sa *sa, const struct msg_skeyid_res *r)
{
	uint8_t gxy[IKE_PUB_MAX];
	size_t gxylen = sizeof(gxy);
	char pa[SA46_STRLEN];

	memcpy(sa->skeyid, r->skeyid, r->skeyid_len);
	sa->dh = ike_dh_new(sa->group);
	size_t publen = ike_dh_publen(sa->group);
	if (!sa->dh || ike_dh_public(sa->dh, sa->gxr, publen) < 0 ||
	    ike_dh_shared(sa->dh, sa->gxi, sa->gxlen, gxy, &gxylen) < 0) {
		sa46_ntop(&sa->s.peer, pa);
		ike.st.drop_malformed++;
		log_rl("session %u: Diffie-Hellman with %s failed (bad public value?)", sa->s.id,
		       pa);
		ike_sa_delete(sa, "DH failed", 0);
		return -1;
	}
	int rc = ike_derive_p1(sa->hash, sa->encr, sa->keylen, sa->skeyid, r->skeyid_len, gxy, gxylen,
	                       sa->cky_i, sa->cky_r, sa->gxi, sa->gxlen, sa->gxr, publen, &sa->k);
	explicit_bzero(gxy, sizeof(gxy));
	if (rc < 0) {
		ike_sa_delete(sa, "key derivation failed", 0);
		return -1;
	}
	memcpy(sa->iv, sa->k.iv, sa->k.blocklen);
	return 0;
}
