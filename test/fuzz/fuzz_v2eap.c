// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_v2eap.c test/unit/v2req.c keymgr/v2auth.c keymgr/v2name.c keymgr/certmap.c keymgr/v2sig.c keymgr/v2eap.c keymgr/cert.c keymgr/lockout.c radius/attr.c test/fuzz/quiet_log.c common/ikev2_crypto.c common/ike_crypto.c common/conf*.c common/cisco_secret.c common/acct_cause.c common/alg.c common/ossl_legacy.c -lcrypto -o fuzz_v2eap
/*
 * keymgr's EAP relay (keymgr/v2eap.c) as a state machine, fed by both sides it trusts least:
 * the peer's EAP messages (through ikemgr) and RADIUS's answers (a stand-in for the RADIUS
 * client gives the input's result, EAP message, State and MSK). Operations from the input:
 * an IKE_AUTH asking for EAP (with or without query-identity), a peer EAP message (raw, or a
 * well-formed Response around the input), RADIUS answering the question in flight, the last
 * AUTH (from the input, or keyed right with the MSK RADIUS gave), the cached attributes taken
 * by the authorization, the SA's end. Checked:
 * every answer to ikemgr is well formed (lengths within the message, an EAP-Failure with a
 * failure, an EAP request with a challenge), and the last AUTH is taken only after RADIUS
 * accepted, and then only if it is keyed with the MSK (a forgery otherwise).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/ike_crypto.h"
#include "common/ikev2_crypto.h"
#include "common/msg.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"
#include "test/unit/v2req.h"

static const char cfg[] =
	"aaa new-model\n"
	"radius server R\n address ipv4 127.0.0.1 auth-port 9 acct-port 10\n key k\n"
	"aaa group server radius G\n server name R\n"
	"aaa authentication login EAPL group G\n"
	"crypto ikev2 keyring KR\n peer any\n  address 0.0.0.0 0.0.0.0\n"
	"  pre-shared-key local hub-key\n  pre-shared-key remote peer-key\n"
	"crypto ikev2 profile Q\n match identity remote email domain example.com\n"
	" authentication local pre-share\n authentication remote eap query-identity\n"
	" keyring local KR\n aaa authentication eap EAPL\n aaa authorization user eap cached\n"
	"crypto ikev2 profile N\n match identity remote email domain example.net\n"
	" authentication local pre-share\n authentication remote eap\n keyring local KR\n"
	" aaa authentication eap EAPL\n";

static struct vpnd_conf *conf;
static struct radius_job *inflight;
static int accepted;                    /* RADIUS said Access-Accept to the SA's EAP */
static uint8_t msk[64];
static size_t msk_len;

void radius_submit(struct radius_job *j)
{
	if (inflight)
		abort();        /* one question at a time per SA */
	inflight = j;
}

static void to_ike(uint32_t type, uint32_t id, const void *d, size_t l)
{
	(void)id;
	if (type == IMSG_V2_EAP_RES) {
		const struct msg_v2_eap *m = d;
		if (l != sizeof(*m) || m->eap_len > sizeof(m->eap) || m->eap_len < 4 ||
		    !memchr(m->message, 0, sizeof(m->message)))
			abort();
		if ((m->status == V2EAP_FAILURE && m->eap[0] != 4) ||
		    (m->status == V2EAP_CONTINUE && m->eap[0] != 1) ||
		    (m->status == V2EAP_SUCCESS && m->eap[0] != 3))
			abort();
	} else if (type == IMSG_V2_AUTH_RES) {
		const struct msg_v2_auth_res *r = d;
		if (l != sizeof(*r) || r->eap_len > sizeof(r->eap) ||
		    (r->status == KEY_PENDING && (r->eap_len < 4 || r->eap[0] != 1 || !r->auth_len)) ||
		    (r->status != KEY_PENDING && r->status != KEY_OK && r->auth_len))
			abort();
	} else {
		abort();
	}
}

struct rd { const uint8_t *p; size_t n; };
static uint8_t get(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}
static size_t chunk(struct rd *r, const uint8_t **out)
{
	uint8_t l = get(r);
	size_t n = l & 0x80 ? (size_t)(l & 0x7f) * 16 : l;
	if (n > r->n)
		n = r->n;
	*out = r->p;
	r->p += n;
	r->n -= n;
	return n;
}

/* an EAP packet of code around body (well formed) or the body as it is */
static size_t eap_msg(uint8_t *out, size_t cap, int code, uint8_t id, const uint8_t *b,
                      size_t n, int raw)
{
	if (raw) {
		n = n < cap ? n : cap;
		memcpy(out, b, n);
		return n;
	}
	if (n + 4 > cap)
		n = cap - 4;
	out[0] = (uint8_t)code;
	out[1] = id;
	out[2] = (uint8_t)((n + 4) >> 8);
	out[3] = (uint8_t)(n + 4);
	memcpy(out + 4, b, n);
	return n + 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	static struct msg_v2_auth_req rq;
	static struct msg_v2_auth_res res;
	static struct msg_v2_eap m;
	struct rd r = { d, size };
	const uint8_t *p;
	size_t n;

	if (!conf) {
		conf = calloc(1, sizeof(*conf));
		if (!conf || conf_load_buf("fuzz", cfg, sizeof(cfg) - 1, conf, NULL, NULL) != 0 ||
		    ike_crypto_init() != 0)
			abort();
		v2eap_set_sender(to_ike);
	}
	accepted = 0;
	msk_len = 0;
	for (int ops = 0; ops < 24 && r.n; ops++) {
		uint8_t op = get(&r);
		switch (op % 6) {
		case 0:         /* IKE_AUTH without AUTH */
			if (inflight)
				break;
			v2req(&rq, 3, op & 8 ? "x@example.net" : "carol@example.com", "192.0.2.9");
			rq.auth_method = MSG_V2_AUTH_EAP;
			accepted = 0;
			if (!keymgr_v2_auth(conf, &rq, &res))
				to_ike(IMSG_V2_AUTH_RES, 1, &res, sizeof(res));
			break;
		case 1:         /* the peer's EAP message */
			if (inflight)
				break;
			n = chunk(&r, &p);
			memset(&m, 0, sizeof(m));
			m.sa_id = rq.sa_id;
			m.eap_len = (uint16_t)eap_msg(m.eap, sizeof(m.eap), 2, get(&r), p, n, op & 8);
			v2eap_relay(conf, &m);
			break;
		case 2: {       /* RADIUS answers */
			struct radius_job *j = inflight;
			if (!j)
				break;
			inflight = NULL;
			uint8_t how = get(&r);
			j->result = how % 4;
			rad_attrs_init(&j->attrs);
			n = chunk(&r, &p);
			j->attrs.eap_len = eap_msg(j->attrs.eap, sizeof(j->attrs.eap),
			                           j->result == RAD_CHALLENGE ? 1 : j->result == RAD_ACCEPT ?
			                           3 : 4, get(&r), p, n, how & 0x10);
			j->attrs.eap_bad = (how & 0x60) == 0x60;
			j->attrs.state_len = get(&r) % 8;
			if (j->result == RAD_ACCEPT) {
				msk_len = (how & 0x80) ? 32 : 0;
				for (size_t k = 0; k < msk_len; k++)
					msk[k] = get(&r);
				memcpy(j->attrs.msk, msk, msk_len);
				j->attrs.msk_len = msk_len;
				accepted = 1;
			}
			snprintf(j->server, sizeof(j->server), "R");
			j->done(j);
			break;
		}
		case 3:         /* the last AUTH, from the input or keyed with the MSK */
		case 4: {
			if (inflight)
				break;
			struct ikev2_suite s;
			rq.auth_method = MSG_V2_AUTH_PSK;
			rq.eap_final = 1;
			rq.auth_len = 32;
			int right = op % 6 == 4 && msk_len && ikev2_suite_prf(&s, rq.prf) == 0;
			if (right) {
				struct iovec v = { rq.oct_i, rq.oct_i_len };
				if (ikev2_psk_auth(&s, msk, msk_len, &v, 1, rq.auth) < 0)
					abort();
			} else {
				for (int k = 0; k < 32; k++)
					rq.auth[k] = get(&r);
			}
			keymgr_v2_auth(conf, &rq, &res);
			if (res.status == KEY_OK && (!accepted || (msk_len && !right) ||
			                             (!msk_len && !res.eap_no_msk)))
				abort();        /* taken without EAP success, or a forged AUTH */
			if (res.status != KEY_OK && res.auth_len)
				abort();
			v2_judged_drop(rq.sa_id);
			accepted = 0;
			break;
		}
		case 5:         /* the authorization takes the cached attributes, or the SA ends */
			if (op & 8) {
				static struct rad_attrs a;
				if (v2eap_cached_take(rq.sa_id, &a) && (a.eap_len || a.msk_len))
					abort();        /* the EAP or the MSK kept past its use */
			} else {
				v2eap_drop(rq.sa_id);
			}
			break;
		}
	}
	if (inflight) {
		/* the SA goes while RADIUS still has the question: its answer finds nothing */
		struct radius_job *j = inflight;
		inflight = NULL;
		v2eap_drop(rq.sa_id);
		j->result = RAD_REJECT;
		rad_attrs_init(&j->attrs);
		j->done(j);
	}
	v2eap_drop(rq.sa_id);
	v2_judged_drop(rq.sa_id);
	return 0;
}
