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
		log_warnx("session %u: DELETE not sent", sa->id);
}

/* Returns how many IPsec SAs were deleted. */
static int clear_children(struct ike_sa *sa)
{
	struct esp_delete d;
	memset(&d, 0, sizeof(d));
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->child[i].used)
			memcpy(d.spis + 4 * d.n++, &sa->child[i].spi_in, 4);
	if (!d.n)
		return 0;
	send_delete(sa, fill_esp_delete, &d);
	for (int i = 0; i < IKE_MAX_CHILD; i++) {
		struct ike_child *c = &sa->child[i];
		if (!c->used)
			continue;
		log_info("session %u: IPsec SA in %08x out %08x cleared", sa->id, ntohl(c->spi_in),
		         ntohl(c->spi_out));
		ike_child_remove(sa, c, "admin clear");
	}
	return d.n;
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
			if (!sa46_same_addr(&sa->peer, &c->peer))
				break;
			/* FALLTHROUGH */
		case CLEAR_SA_ALL:
			nsa += clear_children(sa);
			break;
		case CLEAR_ISAKMP_CONN:
			if (sa->id != c->conn_id)
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
