// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_radius_policy.c keymgr/auth.c keymgr/passwd.c radius/attr.c keymgr/pool.c keymgr/pool6.c keymgr/addr6.c keymgr/leases.c keymgr/logins.c keymgr/keyring.c keymgr/authz.c keymgr/lockout.c keymgr/decoy.c keymgr/grouplock.c keymgr/ezvpn.c keymgr/ez_prompt.c keymgr/vti.c keymgr/hash.c keymgr/cert.c keymgr/v2auth.c keymgr/v2name.c keymgr/certmap.c keymgr/v2sig.c keymgr/v2eap.c keymgr/v2author.c common/ikev2_crypto.c common/netpolicy.c common/ike_crypto.c common/conf*.c common/cisco_secret.c common/acct_cause.c common/alg.c common/ossl_legacy.c -lcrypto -lcrypt -o fuzz_radius_policy
/*
 * RADIUS replies -> the session policy keymgr hands to ikemgr. The input is a group
 * authorization reply and a user authentication reply (result code and attributes in wire
 * form); they answer keymgr's questions through a stand-in for the RADIUS client
 * (radius_submit), so keymgr/auth.c runs its real state machine: group look-up, password,
 * challenge, and the merge of group and user attributes (radius_attr.c's AV-pairs, Framed-
 * Route, interface-config lines) into struct msg_policy. Whatever the attributes, the answer
 * is well formed: strings terminated, counts within their arrays, an accepted session has an
 * address and only access lists that exist.
 *
 * The attribute decoding below stands in for radcli + keymgr/radius.c's parse_reply (which
 * needs a live socket); it maps the same attributes to the same rad_attrs calls.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/netpolicy.h"
#include "keymgr/keymgr.h"
#include "radius/radius.h"

static const char cfg[] =
	"aaa new-model\n"
	"radius server R\n"
	" address ipv4 127.0.0.1 auth-port 1812 acct-port 1813\n"
	" key fuzzsecret\n"
	"aaa group server radius RG\n"
	" server name R\n"
	"aaa authentication login L group RG\n"
	"aaa authentication login LL group RG local\n"
	"aaa authorization network N group RG\n"
	"username local1 password 0 pw\n"
	"ip local pool P 10.9.0.10 10.9.0.12\n"
	"ip local pool Q 10.8.0.1 10.8.0.1\n"
	"ipv6 local pool P6 fd00:6::/126 128\n"
	"ipv6 local pool Q6 fd00:7::/127 128\n"
	"ip access-list extended A1\n"
	" permit ip any any\n"
	"ip access-list extended split\n"
	" permit ip 10.2.0.0 0.0.255.255 any\n"
	"crypto isakmp client configuration group localg\n"
	" key localkey\n"
	" pool P\n"
	" ipv6 pool P6\n"
	"interface Virtual-Template1 type tunnel\n"
	" ip unnumbered eth1\n"
	"interface eth1\n"
	" ip address 10.2.1.1 255.255.255.0\n";

static struct vpnd_conf conf;

/* ---- quiet logging: the messages are not under test, and a line per input is slow ---- */
void log_info(const char *fmt, ...) { (void)fmt; }
void log_warnx(const char *fmt, ...) { (void)fmt; }
void log_warn(const char *fmt, ...) { (void)fmt; }
void log_debug(const char *fmt, ...) { (void)fmt; }
void fatalx(const char *fmt, ...) { (void)fmt; abort(); }
void fatal(const char *fmt, ...) { (void)fmt; abort(); }
void log_dbg(int cat, const struct log_peer *peer, const char *fmt, ...)
{
	(void)cat;
	(void)peer;
	(void)fmt;
}

/* ---- the stand-in RADIUS client ---- */
static struct radius_job *queued;
static const uint8_t *in;
static size_t inlen;

void radius_reload_begin(void) {}
void radius_reload_end(void) {}

void radius_submit(struct radius_job *j)
{
	if (queued)
		abort();        /* one question at a time per pending request */
	queued = j;
}

static void put_str(struct rad_attrs *a, int type, const uint8_t *v, size_t n)
{
	char *raw = (char *)v;
	switch (type) {
	case 11:        /* Filter-Id */
		if (n > 0 && n < sizeof(a->filter_id)) {
			int ok = 1;
			for (size_t i = 0; i < n; i++)
				ok &= raw[i] > ' ' && raw[i] <= '~';
			if (ok) {
				memcpy(a->filter_id, raw, n);
				a->filter_id[n] = 0;
			}
		}
		break;
	case 18: {      /* Reply-Message */
		size_t have = strlen(a->reply_message), room = sizeof(a->reply_message) - 1 - have;
		size_t k = n < room ? n : room;
		for (size_t i = 0; i < k; i++)
			a->reply_message[have + i] = raw[i] >= ' ' && raw[i] <= '~' ? raw[i] : ' ';
		a->reply_message[have + k] = 0;
		break;
	}
	case 22:        /* Framed-Route */
		rad_framed_route(a, raw, n);
		break;
	case 99:        /* Framed-IPv6-Route */
		rad_framed_ipv6_route(a, raw, n);
		break;
	case 123:       /* Delegated-IPv6-Prefix */
		rad_delegated_prefix(a, v, n);
		break;
	case 24:        /* State */
		memcpy(a->state, v, n);
		a->state_len = n;
		break;
	case 25:        /* Class */
		memcpy(a->class_, v, n);
		a->class_len = n;
		break;
	}
}

static uint32_t u32(const uint8_t *v)
{
	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

/* One reply from the input: result byte, length byte pair, attributes. */
static void answer(struct radius_job *j)
{
	rad_attrs_init(&j->attrs);
	snprintf(j->server, sizeof(j->server), "R");
	if (inlen < 3) {
		j->result = RAD_ERROR;
		snprintf(j->why, sizeof(j->why), "timeout");
		inlen = 0;
		return;
	}
	j->result = in[0] % 4;
	size_t len = (size_t)in[1] << 8 | in[2];
	in += 3;
	inlen -= 3;
	if (len > inlen)
		len = inlen;
	const uint8_t *p = in, *end = in + len;
	in += len;
	inlen -= len;
	struct rad_attrs *a = &j->attrs;
	while (end - p >= 2 && p[1] >= 2 && p[1] <= end - p) {
		int type = p[0];
		const uint8_t *v = p + 2;
		size_t n = (size_t)p[1] - 2;
		p += p[1];
		switch (type) {
		case 8:  if (n == 4) a->framed_ip.s_addr = htonl(u32(v)); break;
		case 9:  if (n == 4) a->framed_mask.s_addr = htonl(u32(v)); break;
		case 168: if (n == 16) memcpy(&a->framed_ip6, v, 16); else a->bad_v6++; break;
		case 97: if (n == 18 && v[0] == 0 && v[1] == 128) memcpy(&a->framed_ip6, v + 2, 16); else a->bad_v6++; break;
		case 169: if (n == 16 && a->ndns6 < 2) memcpy(&a->dns6[a->ndns6++], v, 16); else a->bad_v6++; break;
		case 100:
			if (n && n < sizeof(a->framed_pool6) && !memchr(v, 0, n)) memcpy(a->framed_pool6, v, n);
			else a->bad_v6++;
			break;
		case 27: if (n == 4) a->session_timeout = u32(v) > 0x7fffffff ? 0x7fffffff : (int)u32(v); break;
		case 28: if (n == 4) a->idle_timeout = u32(v) > 0x7fffffff ? 0x7fffffff : (int)u32(v); break;
		case 26:        /* Vendor-Specific: Cisco (9), Cisco-AVPair (1) */
			if (n >= 6 && u32(v) == 9 && v[4] == 1 && v[5] >= 2 && v[5] - 2u <= n - 6)
				rad_avpair_apply(a, (const char *)v + 6, v[5] - 2u);
			break;
		default:
			put_str(a, type, v, n);
		}
	}
}

static int got_answer;
static struct msg_xauth_res sent_xr;
static struct msg_skeyid_res sent_sk;

static void on_send(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	if (peerid != 7 || got_answer)
		abort();
	if (type == IMSG_XAUTH_RES && len == sizeof(sent_xr))
		memcpy(&sent_xr, data, len);
	else if (type == IMSG_SKEYID_RES && len == sizeof(sent_sk))
		memcpy(&sent_sk, data, len);
	else
		abort();
	got_answer = 1;
}

static void terminated(const char *s, size_t n)
{
	if (!memchr(s, 0, n))
		abort();
}

static void check_xauth(const struct msg_xauth_res *r)
{
	const struct msg_policy *p = &r->policy;
	if (r->status < XAUTH_OK || r->status > XAUTH_CHALLENGED || r->sa_id != 1)
		abort();
	terminated(r->message, sizeof(r->message));
	terminated(p->domain, sizeof(p->domain));
	terminated(p->banner, sizeof(p->banner));
	terminated(p->inacl, sizeof(p->inacl));
	terminated(p->outacl, sizeof(p->outacl));
	if (r->status != XAUTH_OK)
		return;
	if (!p->addr.s_addr || p->ndns < 0 || p->ndns > 2 || p->nwins < 0 || p->nwins > 2 ||
	    p->nsplit < 0 || p->nsplit > MSG_SPLIT_MAX || p->nroute < 0 ||
	    p->nroute > MSG_ROUTES_MAX || p->class_len < 0 ||
	    p->class_len > (int32_t)sizeof(p->class_))
		abort();
	for (int i = 0; i < p->nroute; i++)
		if (p->route[i].plen <= 0 || p->route[i].plen > 32)
			abort();        /* no default route from RADIUS */
	if (p->ndns6 < 0 || p->ndns6 > 2)
		abort();
	for (int i = 0; i < p->ndns6; i++)
		if (IN6_IS_ADDR_UNSPECIFIED(&p->dns6[i]) || IN6_IS_ADDR_MULTICAST(&p->dns6[i]) ||
		    IN6_IS_ADDR_LOOPBACK(&p->dns6[i]) || IN6_IS_ADDR_LINKLOCAL(&p->dns6[i]))
			abort();        /* a DNS server the client could not use */
	if (p->nroute6 < 0 || p->nroute6 > MSG_ROUTES_MAX ||
	    ((p->nroute6 || p->deleg6.plen) && IN6_IS_ADDR_UNSPECIFIED(&p->addr6)))
		abort();        /* IPv6 networks ride the SA of the client's IPv6 address */
	char why[160];
	for (int i = 0; i <= p->nroute6; i++) {
		const struct msg_route6 *r6 = i < p->nroute6 ? &p->route6[i] : &p->deleg6;
		if (i == p->nroute6 && !r6->plen)
			break;
		if (netpolicy_claimable6(&conf, &r6->net, r6->plen, why, sizeof(why)))
			abort();        /* no default, pool or non-unicast network */
	}
	if (p->inacl[0] && !conf_find_acl(&conf, p->inacl))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (conf_load_buf("fuzz", cfg, sizeof(cfg) - 1, &conf, NULL, NULL) != 0)
		abort();
	keymgr_init(&conf);
	keymgr_set_sender(on_send);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	in = data + 1;
	inlen = size - 1;
	got_answer = 0;
	queued = NULL;

	struct msg_xauth_req xq;
	struct msg_xauth_res xr;
	struct msg_skeyid_req sq;
	struct msg_skeyid_res sr;
	int parked;
	memset(&xq, 0, sizeof(xq));
	memset(&sq, 0, sizeof(sq));
	if (flags & 1) {
		/* phase 1: the group's key from RADIUS (ipsec:tunnel-password) */
		sq.sa_id = 1;
		sq.prf_hash = IKE_HASH_SHA1;
		sq.id_type = 11;
		sq.id_len = (uint16_t)snprintf((char *)sq.id, sizeof(sq.id), "%s",
		                               flags & 2 ? "localg" : "rgroup");
		sq.ni_len = sq.nr_len = 16;
		parked = keymgr_skeyid_q(7, &sq, &sr);
	} else {
		xq.sa_id = 1;
		snprintf(xq.group, sizeof(xq.group), "%s", flags & 2 ? "localg" : "rgroup");
		snprintf(xq.user, sizeof(xq.user), "%s", flags & 4 ? "local1" : "ruser");
		snprintf(xq.password, sizeof(xq.password), "pw");
		snprintf(xq.auth_list, sizeof(xq.auth_list), "%s", flags & 8 ? "LL" : "L");
		snprintf(xq.author_list, sizeof(xq.author_list), "%s", flags & 2 ? "" : "N");
		xq.authorize_only = (flags & 16) != 0;
		xq.nreplaces = flags & 32 ? 1 : 0;
		xq.replaces[0] = 9;
		parked = keymgr_xauth_q(7, &xq, &xr);
	}
	/* the stand-in answers each question in turn, as keymgr's loop would */
	for (int k = 0; k < 4 && queued; k++) {
		struct radius_job *j = queued;
		queued = NULL;
		answer(j);
		j->done(j);
	}
	if (queued)
		abort();        /* more questions than a group and a user */
	if (parked && !got_answer)
		abort();
	if (!parked && got_answer)
		abort();
	if (flags & 1) {
		const struct msg_skeyid_res *r = parked ? &sent_sk : &sr;
		if (r->sa_id != 1 || (r->status == KEY_OK && (!r->skeyid_len ||
		    r->skeyid_len > sizeof(r->skeyid))))
			abort();
	} else {
		check_xauth(parked ? &sent_xr : &xr);
	}
	/* the session ends: its address, login and RADIUS state go */
	struct msg_session_end e;
	memset(&e, 0, sizeof(e));
	e.session_id = 1;
	e.addr = (parked ? &sent_xr : &xr)->policy.addr;
	if (flags & 1)
		e.addr.s_addr = 0;
	keymgr_session_end(&e);
	return 0;
}
