/*
 * The operator's clear commands below the session level, as on IOS:
 *   clear crypto sa [peer A]      the IPsec SAs go (DELETE for their SPIs to the client, removed
 *                                 from tunmgr); the IKE SA and the session's interface stay, so
 *                                 the client may start a new quick mode or end the session.
 *   clear crypto isakmp [CONN-ID] the IKE SA goes: one ISAKMP DELETE, nothing for the IPsec
 *                                 SAs (as IOS). A session cannot live on without its IKE SA
 *                                 here (no DPD, no rekey), so its IPsec SAs and interface go
 *                                 with it, as after the client's own DELETE; both clients drop
 *                                 their IPsec SAs with the IKE SA. An ESP DELETE in front would
 *                                 make vpnc start a new quick mode and then ignore the ISAKMP
 *                                 DELETE as "for an old connection".
 * Clearing a session's IPsec SAs is the session's (session.h, shared with IKEv2); the
 * DELETEs are IKEv1 informational exchanges, reached through the session's ops.
 */
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

struct esp_delete {
	uint8_t spis[IKE_MAX_CHILD * 4];
	int     n;
};

static int fill_esp_delete(struct isakmp_buf *b, void *arg)
{
	struct esp_delete *d = arg;
	return isakmp_put_delete(b, ISAKMP_PROTO_IPSEC_ESP, 4, (uint8_t)d->n, d->spis);
}

static int fill_isakmp_delete(struct isakmp_buf *b, void *arg)
{
	struct ike_sa *sa = arg;
	uint8_t ck[16];
	memcpy(ck, sa->cky_i, 8);
	memcpy(ck + 8, sa->cky_r, 8);
	return isakmp_put_delete(b, ISAKMP_PROTO_ISAKMP, 16, 1, ck);
}

static void send_delete(struct ike_sa *sa, int (*fill)(struct isakmp_buf *, void *), void *arg)
{
	uint8_t iv[16];
	uint32_t msgid = 0;
	while (msgid == 0)
		ike_random((uint8_t *)&msgid, sizeof(msgid));
	ike_phase2_iv(sa->hash, sa->p1_iv, sa->k.blocklen, msgid, iv);
	if (ikev1_send_protected(sa, ISAKMP_EXCH_INFO, msgid, iv, NULL, 0, fill, arg, -1) < 0)
		log_warnx("session %u: DELETE not sent", sa->s.id);
}

/* The ESP DELETE: IKEv1's delete_children op (session.h). */
void ikev1_delete_children(struct ike_sa *sa, const uint32_t *spi_in, int n)
{
	struct esp_delete d;
	memset(&d, 0, sizeof(d));
	for (int i = 0; i < n; i++)
		memcpy(d.spis + 4 * d.n++, &spi_in[i], 4);
	send_delete(sa, fill_esp_delete, &d);
}

/* Returns how many IPsec SAs were deleted. */
int ike_session_clear_children(struct ike_session *s)
{
	uint32_t spis[IKE_MAX_CHILD];
	int n = 0;
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (s->child[i].used)
			spis[n++] = s->child[i].spi_in;
	if (!n)
		return 0;
	s->ops->delete_children(s, spis, n);
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &s->child[i];
		if (!c->used)
			continue;
		log_info("session %u: IPsec SA in %08x out %08x cleared", s->id, ntohl(c->spi_in),
		         ntohl(c->spi_out));
		ike_child_remove(s, c, "admin clear");
	}
	return n;
}

void ike_clear_sa(const struct msg_clear *c)
{
	int nsa = 0, nike = 0;
	struct ike_sa *next;
	for (struct ike_sa *sa = ike.all; sa; sa = next) {
		next = sa->all_next;
		if (sa->state < IKE_S_XAUTH_REQ_SENT || sa->state == IKE_S_DEAD)
			continue;
		switch (c->kind) {
		case CLEAR_SA_PEER:
			if (!sa46_same_addr(&sa->s.peer, &c->peer))
				break;
			/* FALLTHROUGH */
		case CLEAR_SA_ALL:
			nsa += ike_session_clear_children(&sa->s);
			break;
		case CLEAR_ISAKMP_CONN:
			if (sa->s.id != c->conn_id)
				break;
			/* FALLTHROUGH */
		case CLEAR_ISAKMP_ALL:
			send_delete(sa, fill_isakmp_delete, sa);
			ike_sa_delete(sa, "admin clear isakmp", 0);
			nike++;
			break;
		}
	}
	if (c->kind == CLEAR_SA_ALL || c->kind == CLEAR_SA_PEER)
		log_info("clear crypto sa: %d IPsec SA(s) deleted", nsa);
	else
		log_info("clear crypto isakmp: %d IKE SA(s) deleted", nike);
}
