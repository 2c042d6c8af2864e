/*
 * INFORMATIONAL requests from the peer (RFC 7296 1.4): an empty one is a liveness check and
 * gets an empty answer; AUTHENTICATION_FAILED (our AUTH did not convince it) ends the SA; a
 * Delete of the IKE SA ends the session (answered empty, 1.4.1); a
 * Delete of CHILD_SAs names the peer's inbound SPIs, which are our outbound ones: the pairs
 * go, and the answer names our inbound SPIs of the same pairs.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"

static void reply(struct ikev2_sa *sa, uint32_t msgid, const uint32_t *spis, int n)
{
	struct isakmp_buf b;
	size_t sk;
	isakmp_buf_init(&b);
	if (ikev2_begin_sk(sa, &b, IKEV2_EXCH_INFORMATIONAL, msgid, 1, &sk) == 0 &&
	    (n == 0 || ikev2_put_delete(&b, IKEV2_PROTO_ESP, 4, n, (const uint8_t *)spis) == 0) &&
	    ikev2_seal(sa, &b, sk) == 0)
		ikev2_send_response(sa, b.data, b.len);
	isakmp_buf_free(&b);
}

void ikev2_info_input(struct ikev2_sa *sa, uint32_t msgid, uint8_t np, const uint8_t *in,
                      size_t len)
{
	struct ikev2_chain c;
	uint8_t inner;
	if (ikev2_parse_chain(np, in, 0, len, &c, &inner) < 0 || inner) {
		v2.drop_malformed++;
		ikev2_notify_protected(sa, IKEV2_EXCH_INFORMATIONAL, msgid, IKEV2_N_INVALID_SYNTAX,
		                       NULL, 0);
		return;
	}
	if (sa->state != V2_S_ESTABLISHED) {
		/* before IKE_AUTH is answered only liveness is taken */
		reply(sa, msgid, NULL, 0);
		return;
	}
	uint32_t ours[64];
	int nours = 0;
	for (int i = 0; i < c.n; i++) {
		struct ikev2_notify n;
		if (c.pl[i].type == IKEV2_NP_N &&
		    ikev2_parse_notify(c.pl[i].body, c.pl[i].len, &n) == 0 &&
		    n.type == IKEV2_N_AUTHENTICATION_FAILED) {
			/* the peer refused our AUTH after we took its own (2.21.2): no session */
			log_info("IKEv2 session %u ('%s'): the peer refused our authentication",
			         sa->s.id, sa->s.user);
			reply(sa, msgid, NULL, 0);
			ikev2_sa_delete(sa, "peer refused our AUTH", 0);
			return;
		}
	}
	for (int i = 0; i < c.n; i++) {
		struct ikev2_delete d;
		if (c.pl[i].type != IKEV2_NP_D ||
		    ikev2_parse_delete(c.pl[i].body, c.pl[i].len, &d) < 0)
			continue;
		if (d.proto == IKEV2_PROTO_IKE) {
			reply(sa, msgid, NULL, 0);
			ikev2_sa_delete(sa, "peer deleted the IKE SA", 0);
			return;
		}
		for (int k = 0; k < d.n; k++) {
			uint32_t spi;
			memcpy(&spi, d.spis + 4 * k, 4);
			for (int j = 0; j < IKE_MAX_CHILD; j++) {
				struct ike_child *ch = &sa->s.child[j];
				if (!ch->used || ch->spi_out != spi)
					continue;
				if (nours < (int)(sizeof(ours) / sizeof(ours[0])))
					ours[nours++] = ch->spi_in;
				ike_child_remove(&sa->s, ch, "peer deleted");
			}
		}
	}
	reply(sa, msgid, ours, nours);
}
