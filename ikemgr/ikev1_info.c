/*
 * Informational exchanges: DPD (RFC 3706) both ways, DELETE both ways, and notifications.
 * Every informational message after phase 1 is protected by HASH(1) and has its own IV.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"

static uint32_t new_msgid(void)
{
	uint32_t id = 0;
	while (id == 0)
		ike_random((uint8_t *)&id, sizeof(id));
	return id;
}

struct notify_args {
	uint16_t type;
	uint8_t proto;
	const uint8_t *spi;
	size_t spilen;
	const uint8_t *data;
	size_t datalen;
};

static int fill_notify(struct isakmp_buf *b, void *arg)
{
	struct notify_args *n = arg;
	return isakmp_put_notify(b, n->proto, n->type, n->spi, n->spilen, n->data, n->datalen);
}

void ikev1_send_notify(struct ike_sa *sa, uint16_t type, uint8_t proto, const uint8_t *spi,
                       size_t spilen, const uint8_t *data, size_t datalen)
{
	uint8_t iv[16];
	uint32_t msgid = new_msgid();
	struct notify_args n = { type, proto, spi, spilen, data, datalen };
	ike_phase2_iv(sa->hash, sa->p1_iv, sa->k.blocklen, msgid, iv);
	ikev1_send_protected(sa, ISAKMP_EXCH_INFO, msgid, iv, NULL, 0, fill_notify, &n, -1);
}

struct delete_args {
	struct ike_sa *sa;
};

/*
 * One informational message, the ISAKMP SA's DELETE first, then the IPsec SAs': strongSwan
 * acts on the first DELETE payload of a message only (and deleting the ISAKMP SA takes its
 * CHILD_SAs along), vpnc reads them all and stops at the ISAKMP one. With the IPsec DELETE
 * first, charon keeps its ISAKMP SA; in a message of its own, vpnc renegotiates at once.
 */
static int fill_delete(struct isakmp_buf *b, void *arg)
{
	const struct ike_sa *sa = ((const struct delete_args *)arg)->sa;
	uint8_t ck[16];
	memcpy(ck, sa->cky_i, 8);
	memcpy(ck + 8, sa->cky_r, 8);
	int rc = isakmp_put_delete(b, ISAKMP_PROTO_ISAKMP, 16, 1, ck);
	uint8_t spis[IKE_MAX_CHILD * 4];
	int n = 0;
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		if (sa->s.child[i].used)
			memcpy(spis + 4 * n++, &sa->s.child[i].spi_in, 4);
	if (!rc && n)
		rc = isakmp_put_delete(b, ISAKMP_PROTO_IPSEC_ESP, 4, n, spis);
	return rc;
}

void ikev1_send_delete_all(struct ike_sa *sa)
{
	uint8_t iv[16];
	uint32_t msgid = new_msgid();
	struct delete_args d = { sa };
	if (!sa->k.blocklen)
		return;
	ike_phase2_iv(sa->hash, sa->p1_iv, sa->k.blocklen, msgid, iv);
	ikev1_send_protected(sa, ISAKMP_EXCH_INFO, msgid, iv, NULL, 0, fill_delete, &d, -1);
}

static int fill_delete_one(struct isakmp_buf *b, void *arg)
{
	return isakmp_put_delete(b, ISAKMP_PROTO_IPSEC_ESP, 4, 1, arg);
}

/* DELETE for one IPsec SA, named by our inbound SPI (the peer's outbound), as IOS does. */
void ikev1_send_delete_child(struct ike_sa *sa, const struct ike_child *c)
{
	uint8_t iv[16], spi[4];
	uint32_t msgid = new_msgid();
	if (!sa->k.blocklen)
		return;
	memcpy(spi, &c->spi_in, 4);
	ike_phase2_iv(sa->hash, sa->p1_iv, sa->k.blocklen, msgid, iv);
	ikev1_send_protected(sa, ISAKMP_EXCH_INFO, msgid, iv, NULL, 0, fill_delete_one, spi, -1);
}

void ikev1_send_dpd(struct ike_sa *sa)
{
	uint8_t ck[16];
	uint32_t seq;
	memcpy(ck, sa->cky_i, 8);
	memcpy(ck + 8, sa->cky_r, 8);
	if (!sa->dpd_outstanding) {
		if (!sa->dpd_seq)
			ike_random((uint8_t *)&sa->dpd_seq, sizeof(sa->dpd_seq));
		sa->dpd_seq = (sa->dpd_seq + 1) & 0x7fffffff;
	}
	seq = htonl(sa->dpd_seq);
	sa->dpd_outstanding++;
	sa->dpd_sent_at = time(NULL);
	ike_sa_rearm(sa);
	ikev1_send_notify(sa, ISAKMP_N_R_U_THERE, ISAKMP_PROTO_ISAKMP, ck, 16,
	                  (const uint8_t *)&seq, 4);
}

/*
 * An IPsec SA may be deleted through any IKE SA of the peer: after a phase 1 rekey the
 * children belong to the newer IKE SA, but a client may still name them on the old one.
 */
static void delete_child_by_spi_out(struct ike_sa *sa, uint32_t spi)
{
	for (struct ike_sa *o = ike_sa_peer_chain(&sa->s.peer); o; o = o->peer_next) {
		if (o != sa && !sa46_same_addr(&o->s.peer, &sa->s.peer))
			continue;
		for (int i = 0; i < IKE_MAX_CHILD; i++) {
			struct ike_child *c = &o->s.child[i];
			if (c->used && c->spi_out == spi) {
				log_info("session %u: peer deleted IPsec SA %08x", o->s.id, ntohl(spi));
				ike_child_remove(&o->s, c, "deleted");
				return;
			}
		}
	}
}

static int children_left(const struct ike_sa *sa)
{
	int n = 0;
	for (int i = 0; i < IKE_MAX_CHILD; i++)
		n += sa->s.child[i].used;
	return n;
}

void ikev1_info_input(struct ike_sa *sa, const struct isakmp_msg *m)
{
	if (ikev1_verify_hash(sa, m, NULL, 0) < 0) {
		log_rl("session %u: informational message with a bad HASH dropped", sa->s.id);
		return;
	}
	int ike_gone = 0;
	for (int i = 1; i < m->npl; i++) {
		const struct isakmp_payload *p = &m->pl[i];
		if (p->type == ISAKMP_NP_N) {
			struct isakmp_notify n;
			if (isakmp_parse_notify(p->body, p->len, &n) < 0) {
				ike.st.drop_malformed++;
				continue;
			}
			if (n.type == ISAKMP_N_R_U_THERE && n.datalen == 4) {
				uint8_t ck[16];
				memcpy(ck, sa->cky_i, 8);
				memcpy(ck + 8, sa->cky_r, 8);
				ikev1_send_notify(sa, ISAKMP_N_R_U_THERE_ACK, ISAKMP_PROTO_ISAKMP, ck, 16,
				                  n.data, 4);
				if (!sa->dpd_answered_peer++)
					log_info("session %u: answering the peer's DPD R-U-THERE", sa->s.id);
			} else if (n.type == ISAKMP_N_R_U_THERE_ACK && n.datalen == 4) {
				uint32_t seq;
				memcpy(&seq, n.data, 4);
				if (ntohl(seq) == sa->dpd_seq) {
					sa->dpd_outstanding = 0;
					if (!sa->dpd_acked++)
						log_info("session %u: peer answers DPD", sa->s.id);
				}
			} else {
				log_info("session %u: peer sent notification %u", sa->s.id, n.type);
			}
		} else if (p->type == ISAKMP_NP_D) {
			struct isakmp_delete d;
			if (isakmp_parse_delete(p->body, p->len, &d) < 0) {
				ike.st.drop_malformed++;
				continue;
			}
			if (d.proto == ISAKMP_PROTO_ISAKMP && d.spi_size == 16) {
				for (int k = 0; k < d.nspi; k++)
					if (!memcmp(d.spis + 16 * k, sa->cky_i, 8) &&
					    !memcmp(d.spis + 16 * k + 8, sa->cky_r, 8))
						ike_gone = 1;
			} else if (d.proto == ISAKMP_PROTO_IPSEC_ESP && d.spi_size == 4) {
				for (int k = 0; k < d.nspi; k++) {
					uint32_t spi;
					memcpy(&spi, d.spis + 4 * k, 4);
					delete_child_by_spi_out(sa, spi);
				}
			}
		}
	}
	ike_report_sync(sa);
	/* Without its IKE SA the session cannot rekey or run DPD: it ends with it, IPsec SAs too. */
	if (ike_gone) {
		log_info("session %u: peer deleted the IKE SA (%d IPsec SA left)", sa->s.id,
		         children_left(sa));
		ike_sa_delete(sa, "peer delete", 0);
	}
}

void ikev1_send_plain_notify(const struct isakmp_hdr *req, const union sa46 *peer,
                             const union sa46 *local, int port4500, uint16_t type)
{
	struct isakmp_buf b;
	static const uint8_t zero[8];
	isakmp_buf_init(&b);
	if (!isakmp_put_hdr(&b, req->cky_i, zero, ISAKMP_EXCH_INFO, 0, 0) &&
	    !isakmp_put_notify(&b, ISAKMP_PROTO_ISAKMP, type, NULL, 0, NULL, 0) &&
	    !isakmp_finalize(&b)) {
		ike.st.tx++;
		ike.st.tx_bytes += b.len;
		ike.io.send(local, peer, port4500, b.data, b.len);
	}
	isakmp_buf_free(&b);
}
