/*
 * Redirect in IKE_SA_INIT (RFC 5685, ikemgr/ikev2_redirect.c) through ikev2_input with the
 * minimal initiator (v2peer.c): past the cluster's max-session a client that announced
 * REDIRECT_SUPPORTED gets REDIRECT naming the next peer of the cluster (not the address it
 * reached) with its own nonce, and no SA is kept; below the threshold, without the
 * announcement, or after a redirect already (REDIRECTED_FROM) it is served. With `redirect
 * gateway auth` the client is authenticated first and the IKE_AUTH answer carries REDIRECT
 * instead of a session. `limit max-sa`, the other way a busy gateway turns clients away.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "common/conf.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev2.h"
#include "test/unit/v2peer.h"

static const char cfg[] =
	"crypto ikev2 proposal GCM256\n encryption aes-gcm-256\n prf sha384\n group 19\n"
	"crypto ikev2 policy P\n proposal GCM256\n"
	"crypto ikev2 keyring K\n peer client\n  identity fqdn client.example.com\n"
	"  pre-shared-key secret\n"
	"crypto ikev2 profile PROF\n match identity remote fqdn client.example.com\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local K\n"
	" virtual-template 1\n"
	"crypto ikev2 redirect gateway init\n"
	"crypto ikev2 cluster\n peer 192.0.2.1\n peer 192.0.2.50\n slave max-session 1\n"
	" no shutdown\n"
	"crypto ipsec transform-set T esp-gcm 256\n"
	"crypto ipsec profile IP\n set transform-set T\n"
	"interface eth1\n ip address 10.2.1.1 255.255.255.0\n"
	"interface Virtual-Template1 type tunnel\n ip unnumbered eth1\n"
	" tunnel protection ipsec profile IP\n";

static struct vpnd_conf conf;


static void setup(void)
{
	static const struct ike_io io = { v2peer_io_send, v2peer_io_none, v2peer_io_none, v2peer_io_none };
	v2peer_hub_start(&conf, cfg, sizeof(cfg) - 1, &io);
}
TestSuite(ikev2_redirect, .init = setup, .fini = v2peer_hub_stop);

/* an IKE_SA_INIT with flags; the REDIRECT's data, or NULL when it was served */
static const struct ikev2_notify *ask(int flags, struct ikev2_notify *n)
{
	struct isakmp_buf b;
	struct ikev2_hdr h;
	struct ikev2_chain ch;
	uint8_t inner;
	int before = v2p.nsent;
	v2peer_init_req(&b, flags);
	v2peer_in(b.data, b.len);
	isakmp_buf_free(&b);
	cr_assert_eq(v2p.nsent, before + 1, "IKE_SA_INIT not answered");
	cr_assert_eq(ikev2_parse_hdr(v2p.sent, v2p.sent_len, &h), 0);
	cr_assert_eq(ikev2_parse_chain(h.np, v2p.sent, ISAKMP_HDR_LEN, v2p.sent_len, &ch, &inner), 0);
	for (int i = 0; i < ch.n; i++)
		if (ch.pl[i].type == IKEV2_NP_N && ikev2_parse_notify(ch.pl[i].body, ch.pl[i].len, n) == 0 &&
		    n->type == IKEV2_N_REDIRECT) {
			cr_assert_eq(ch.n, 1, "REDIRECT with other payloads");
			static const uint8_t zero[8];
			cr_assert_arr_eq(h.spi_r, zero, 8, "a responder SPI: state kept for a redirect");
			return n;
		}
	cr_assert_not_null(ikev2_find(&ch, IKEV2_NP_KE), "neither served nor redirected");
	return NULL;
}

/* one session established, so that the cluster's max-session 1 is reached */
static void one_session(void)
{
	static const uint8_t spi[8] = { 9, 9, 9, 9, 1, 2, 3, 4 };
	struct ikev2_sa *sa = ikev2_sa_new(spi, &v2p.peer, &v2p.local);
	cr_assert_not_null(sa);
	sa->state = V2_S_INIT_DONE;
	ikev2_established(sa);
}

Test(ikev2_redirect, below_the_threshold_served)
{
	struct ikev2_notify n;
	cr_assert_null(ask(V2PEER_REDIR_SUPPORTED, &n));
	cr_assert_eq(v2.redirects, 0);
}

Test(ikev2_redirect, past_max_session_redirected_to_the_next_peer)
{
	struct ikev2_notify n;
	one_session();
	int nsa = v2.nsa;
	cr_assert_not_null(ask(V2PEER_REDIR_SUPPORTED, &n));
	/* GW Ident Type 1 (IPv4), length 4, 192.0.2.50 (192.0.2.1 is the address it reached),
	 * then the client's nonce */
	static const uint8_t gw[6] = { 1, 4, 192, 0, 2, 50 };
	cr_assert_eq(n.datalen, 6 + sizeof(v2p.ni));
	cr_assert_arr_eq(n.data, gw, 6);
	cr_assert_arr_eq(n.data + 6, v2p.ni, sizeof(v2p.ni), "not the client's nonce");
	cr_assert_eq(v2.nsa, nsa, "an SA kept for a redirected client");
	cr_assert_eq(v2.redirects, 1);
	/* without REDIRECT_SUPPORTED, or redirected already: served */
	cr_assert_null(ask(0, &n));
	cr_assert_null(ask(V2PEER_REDIR_SUPPORTED | V2PEER_REDIRECTED_FROM, &n));
	cr_assert_eq(v2.redirects, 1);
}

/* redirect gateway auth: the client is authenticated first, then v2p.sent on */
static void setup_auth(void)
{
	static const struct ike_io io = { v2peer_io_send, v2peer_io_none, v2peer_io_none, v2peer_io_none };
	static char text[sizeof(cfg) + 16];
	char *p;
	snprintf(text, sizeof(text), "%s", cfg);
	p = strstr(text, "redirect gateway init");
	cr_assert_not_null(p);
	memcpy(p + strlen("redirect gateway "), "auth", 4);
	memmove(p + strlen("redirect gateway auth"), p + strlen("redirect gateway init"),
	        strlen(p + strlen("redirect gateway init")) + 1);
	v2peer_hub_start(&conf, text, strlen(text), &io);
	cr_assert(conf.v2.redirect_auth && !conf.v2.redirect_init);
}
TestSuite(ikev2_redirect_auth, .init = setup_auth, .fini = v2peer_hub_stop);

Test(ikev2_redirect_auth, authenticated_client_sent_on_and_forgotten)
{
	struct ikev2_notify n;
	one_session();
	cr_assert_null(ask(V2PEER_REDIR_SUPPORTED, &n), "redirected in IKE_SA_INIT");
	v2peer_init_res(v2p.sent, v2p.sent_len);
	struct ikev2_sa *sa = v2.all;
	while (sa && memcmp(sa->spi_i, v2p.spi_i, 8))
		sa = sa->all_next;
	cr_assert_not_null(sa);
	uint32_t id = sa->s.id;
	int nsa = v2.nsa;

	uint8_t chain[256], m[1024];
	size_t cl = v2peer_auth_chain(chain);
	v2peer_in(m, v2peer_req(m, sizeof(m), IKEV2_EXCH_AUTH, 1, IKEV2_NP_IDI, chain, cl));
	cr_assert_eq(sa->state, V2_S_WAIT_AUTH, "IKE_AUTH not taken to keymgr");
	/* keymgr: authenticated, our AUTH */
	static struct msg_v2_auth_res res;
	memset(&res, 0, sizeof(res));
	res.sa_id = id;
	res.status = KEY_OK;
	snprintf(res.profile, sizeof(res.profile), "PROF");
	snprintf(res.group, sizeof(res.group), "default");
	res.auth_method = MSG_V2_AUTH_PSK;
	res.auth_len = 48;
	memset(res.auth, 0xab, 48);
	int before = v2p.nsent;
	ikev2_auth_res(id, &res);
	cr_assert_eq(v2p.nsent, before + 1, "IKE_AUTH not answered");

	/* the answer: IDr, AUTH, REDIRECT (192.0.2.50, no nonce), no CHILD_SA */
	uint8_t *in;
	size_t inlen;
	struct ikev2_hdr h;
	struct ikev2_chain ch;
	uint8_t inner;
	cr_assert_eq(ikev2_parse_hdr(v2p.sent, v2p.sent_len, &h), 0);
	cr_assert_eq(ikev2_parse_chain(h.np, v2p.sent, ISAKMP_HDR_LEN, v2p.sent_len, &ch, &inner), 0);
	const struct ikev2_pl *sk = ikev2_find(&ch, IKEV2_NP_SK);
	cr_assert_not_null(sk);
	cr_assert_eq(ikev2_sk_open(&v2p.s, v2p.k.er, v2p.k.ar, v2p.sent, v2p.sent_len, sk->off, &in,
	                           &inlen), 0);
	cr_assert_eq(ikev2_parse_chain(inner, in, 0, inlen, &ch, &inner), 0);
	cr_assert_not_null(ikev2_find(&ch, IKEV2_NP_IDR));
	cr_assert_not_null(ikev2_find(&ch, IKEV2_NP_AUTH));
	cr_assert_null(ikev2_find(&ch, IKEV2_NP_SA), "a CHILD_SA with the redirect");
	cr_assert_null(ikev2_find(&ch, IKEV2_NP_CP), "an address with the redirect");
	const struct ikev2_pl *pn = ikev2_find(&ch, IKEV2_NP_N);
	cr_assert_not_null(pn);
	cr_assert_eq(ikev2_parse_notify(pn->body, pn->len, &n), 0);
	cr_assert_eq(n.type, IKEV2_N_REDIRECT);
	static const uint8_t gw[6] = { 1, 4, 192, 0, 2, 50 };
	cr_assert_eq(n.datalen, 6);
	cr_assert_arr_eq(n.data, gw, 6);
	cr_assert_null(ikev2_sa_by_id(id), "the redirected SA kept");
	cr_assert_eq(v2.nsa, nsa - 1);
}

/* limit max-sa: past it a new client gets TEMPORARY_FAILURE and no SA; a redirect comes
 * first when the cluster has room elsewhere (not configured here) */
static void setup_max_sa(void)
{
	static const struct ike_io io = { v2peer_io_send, v2peer_io_none, v2peer_io_none, v2peer_io_none };
	static char text[sizeof(cfg) + 64];
	snprintf(text, sizeof(text), "%scrypto ikev2 limit max-sa 1\n", cfg);
	char *p = strstr(text, "crypto ikev2 redirect gateway init\n");
	cr_assert_not_null(p);
	memmove(p, p + strlen("crypto ikev2 redirect gateway init\n"),
	        strlen(p + strlen("crypto ikev2 redirect gateway init\n")) + 1);
	v2peer_hub_start(&conf, text, strlen(text), &io);
	cr_assert_eq(conf.v2.max_sa, 1);
}
TestSuite(ikev2_max_sa, .init = setup_max_sa, .fini = v2peer_hub_stop);

Test(ikev2_max_sa, past_the_limit_refused)
{
	struct ikev2_notify n;
	cr_assert_null(ask(0, &n), "the first SA refused");
	int nsa = v2.nsa;
	cr_assert_eq(nsa, 1);
	struct isakmp_buf b;
	struct ikev2_hdr h;
	struct ikev2_chain ch;
	uint8_t inner;
	v2peer_init_req(&b, V2PEER_REDIR_SUPPORTED);
	v2peer_in(b.data, b.len);
	isakmp_buf_free(&b);
	cr_assert_eq(ikev2_parse_hdr(v2p.sent, v2p.sent_len, &h), 0);
	cr_assert_eq(ikev2_parse_chain(h.np, v2p.sent, ISAKMP_HDR_LEN, v2p.sent_len, &ch, &inner), 0);
	const struct ikev2_pl *pn = ikev2_find(&ch, IKEV2_NP_N);
	cr_assert(pn && ikev2_parse_notify(pn->body, pn->len, &n) == 0);
	cr_assert_eq(n.type, IKEV2_N_TEMPORARY_FAILURE);
	cr_assert_null(ikev2_find(&ch, IKEV2_NP_KE));
	cr_assert_eq(v2.nsa, nsa, "an SA past limit max-sa");
}
