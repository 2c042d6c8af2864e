/*
 * The SAs of a session's interface: inbound ones by SPI (sadb), outbound ones by the
 * client-side selector, with the switch to a rekeyed outbound SA once the peer has it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "common/netpolicy.h"
#include "tunmgr/authz.h"
#include "tunmgr/netlink.h"
#include "tunmgr/sadb.h"
#include "tunmgr/tunmgr.h"

void count_err(struct va *v, ssize_t err)
{
	if (err == ESP_ERR_AUTH)
		v->drop_auth++;
	else if (err == ESP_ERR_REPLAY)
		v->drop_replay++;
	else
		v->drop_other++;
}



/* The inbound twin of outbound SPI (0 when gone), and the twin's outbound SA if it lives. */
struct sa_in *in_twin(struct va *v, uint32_t spi_out)
{
	for (int i = 0; i < VA_MAX_IN; i++)
		if (v->in[i] && v->in[i]->spi_out == spi_out)
			return v->in[i];
	return NULL;
}

struct esp_sa *out_twin(struct va *v, const struct sa_in *s)
{
	for (int i = 0; i < v->nouts; i++) {
		if (v->outs[i].out && v->outs[i].out_spi == s->spi_out)
			return v->outs[i].out;
		if (v->outs[i].pending && v->outs[i].pending_spi == s->spi_out)
			return v->outs[i].pending;
	}
	return NULL;
}

/* An outbound SA is about to be freed: its final counters stay with its inbound twin. */
static void out_retire(struct va *v, uint32_t spi_out, struct esp_sa *out)
{
	struct sa_in *s = in_twin(v, spi_out);
	if (s && out)
		s->out_st = esp_sa_stats(out);
}

/* The pair's counters to the parent (the session store); FORCE: even if unchanged. */

void switch_out(struct va *v, struct va_out *o)
{
	if (!o->pending)
		return;
	if (o->out) {
		out_retire(v, o->out_spi, o->out);
		esp_sa_free(o->out);
	}
	o->out = o->pending;
	o->out_spi = o->pending_spi;
	o->pending = NULL;
	o->pending_in = NULL;
	log_dbg(DBG_IPSEC, &(struct log_peer){ .addr = sa46_in4(&v->peer).s_addr,
	        .addr6 = sa46_is6(&v->peer) ? &v->peer.sin6.sin6_addr : NULL, .spi = o->out_spi },
	        "%s: now sending on SA %08x", v->ifname, ntohl(o->out_spi));
}

struct va_out *out_find(struct va *v, struct in_addr net, struct in_addr mask)
{
	for (int i = 0; i < v->nouts; i++)
		if (!v->outs[i].v6 && v->outs[i].net.s_addr == net.s_addr &&
		    v->outs[i].mask.s_addr == mask.s_addr)
			return &v->outs[i];
	return NULL;
}

static struct va_out *out_find6(struct va *v, const struct in6_addr *net6, int plen6)
{
	for (int i = 0; i < v->nouts; i++)
		if (v->outs[i].v6 && v->outs[i].plen6 == plen6 &&
		    !memcmp(&v->outs[i].net6, net6, sizeof(*net6)))
			return &v->outs[i];
	return NULL;
}

struct va_out *out_of(struct va *v, const struct sa_in *s)
{
	return s->v6 ? out_find6(v, &s->net6, s->plen6) : out_find(v, s->net, s->mask);
}

int in_framed_route(const struct va *v, uint32_t a)
{
	for (int i = 0; i < v->nfroute; i++) {
		int plen = v->froute[i].plen;
		uint32_t m = htonl(plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
		if ((a & m) == v->froute[i].net.s_addr)
			return 1;
	}
	return 0;
}

void sa_in_free(struct sa_in *s)
{
	sadb_remove(dp.sadb, s->spi);
	esp_sa_free(s->esp);
	s->esp = NULL;
	sa_life_stop(s);
}

static void sa_added(const struct msg_sa_add *a, int status)
{
	struct msg_sa_added r = { a->session_id, a->spi_in, status };
	imsg_compose(&dp.ike, IMSG_SA_ADDED, a->session_id, -1, &r, sizeof(r));
}

/*
 * An IPv6 selector: the client's Mode Config address, or a network within those RADIUS
 * routed to it as keymgr's verdict has them now and as this interface took them (froute6.c:
 * not over the hub's own networks). Refused (and answered) with 1; OWN6 set for the address.
 */
static int sel6_refused(struct va *v, const struct msg_authz *z, const struct msg_sa_add *a,
                        int plen6, int *own6)
{
	char why[160], ip6[INET6_ADDRSTRLEN];
	const char *bad = NULL;
	if (!z) {
		bad = "keymgr no longer authorizes the session";
	} else if (v->ez || v->vti) {
		bad = "not an IPv6 session";
	} else if (plen6 < 0 || plen6 > 128) {
		bad = "not a prefix";
	} else {
		struct netpolicy_peer6 np = { &z->addr6, z->route6, z->nroute6, &z->deleg6 };
		bad = netpolicy_check6(dp.conf, &np, &a->sel_net6, plen6, why, sizeof(why));
		*own6 = !bad && plen6 == 128 && !memcmp(&z->addr6, &a->sel_net6, 16);
		if (!bad && !*own6) {
			int taken = 0;
			for (int i = 0; i < v->nfroute6 && !taken; i++)
				taken = netpolicy_covers6(&v->froute6[i].net, v->froute6[i].plen,
				                          &a->sel_net6, plen6);
			if (!taken)
				bad = "not within a network this interface routes (refused at its "
				      "creation)";
		}
	}
	if (!bad)
		return 0;
	log_warnx("%s: SA %08x for %s/%d refused: %s", v->ifname, ntohl(a->spi_in),
	          inet_ntop(AF_INET6, &a->sel_net6, ip6, sizeof(ip6)), plen6, bad);
	sa_added(a, EPERM);
	return 1;
}

/* Acknowledged either way: ikemgr holds its quick mode answer until the SA is in place. */
void sa_add(const struct msg_sa_add *a)
{
	struct va *v = va_by_session(a->session_id);
	if (!v) {
		log_rl("SA for session %u without an interface, ignored", a->session_id);
		sa_added(a, ENOENT);
		return;
	}
	/* a selector is a route into this tunnel: keymgr's verdict must allow it */
	const struct msg_authz *z = authz_get(a->session_id);
	char why[160];
	struct in_addr sel_net = a->sel_net, sel_mask = a->sel_mask;
	int plen6 = a->sel_plen6 ? a->sel_plen6 : 128, own6 = 0;
	if (a->sel_v6 && sel6_refused(v, z, a, plen6, &own6))
		return;
	if (a->sel_v6)
		sel_net.s_addr = sel_mask.s_addr = SEL6_KEY;
	int plen = netpolicy_mask_len(sel_mask);
	if (v->ez) {
		/* an Easy VPN remote session: the selector is the server's side, within what
		 * tunmgr accepted when it made the interface, and the peer that server (no
		 * keymgr verdict here) */
		if (plen < 0 || ez_sel_allowed(v, a, plen, why, sizeof(why))) {
			log_warnx("%s: SA %08x for %s/%d refused: %s", v->ifname, ntohl(a->spi_in),
			          inet_ntoa(a->sel_net), plen, plen < 0 ? "not a prefix" : why);
			sa_added(a, EPERM);
			return;
		}
	} else if (v->vti) {
		if (vti_sa_allowed(v, a, plen, why, sizeof(why)) < 0) {
			log_warnx("%s: SA %08x refused: %s", v->ifname, ntohl(a->spi_in), why);
			sa_added(a, EPERM);
			return;
		}
	} else if (a->sel_v6) {
		/* checked above */
	} else if (!z || plen < 0 || authz_check_net(dp.conf, z, a->sel_net, plen, why,
	                                             sizeof(why))) {
		log_warnx("%s: SA %08x for %s/%d refused: %s", v->ifname, ntohl(a->spi_in),
		          inet_ntoa(a->sel_net), plen, !z ? "keymgr no longer authorizes the session"
		                                          : plen < 0 ? "not a prefix" : why);
		sa_added(a, EPERM);
		return;
	}
	/* an SPI another SA holds would hide that SA (and its removal would remove the other) */
	if (sadb_lookup(dp.sadb, a->spi_in)) {
		log_warnx("%s: SA %08x refused: that inbound SPI is in use", v->ifname,
		          ntohl(a->spi_in));
		sa_added(a, EEXIST);
		return;
	}
	if ((size_t)a->enc_keylen > MSG_KEY_MAX || (size_t)a->auth_keylen > MSG_KEY_MAX)
		fatalx("ikemgr: SA key lengths out of range");
	struct esp_sa *in = esp_sa_new(a->encr, a->enckey_in, (size_t)a->enc_keylen, a->auth,
	                               a->authkey_in, (size_t)a->auth_keylen, a->spi_in,
	                               a->replay_window);
	struct esp_sa *out = esp_sa_new(a->encr, a->enckey_out, (size_t)a->enc_keylen, a->auth,
	                                a->authkey_out, (size_t)a->auth_keylen, a->spi_out, 0);
	struct sa_in *s = calloc(1, sizeof(*s));
	if (!in || !out || !s) {
		log_rl("%s: cannot set up SA %08x", v->ifname, ntohl(a->spi_in));
		if (in)
			esp_sa_free(in);
		if (out)
			esp_sa_free(out);
		free(s);
		sa_added(a, EINVAL);
		return;
	}
	s->esp = in;
	s->va = v;
	s->spi = a->spi_in;
	s->created = time(NULL);
	s->soft_seconds = a->soft_seconds;
	s->hard_seconds = a->hard_seconds;
	s->soft_bytes = a->soft_bytes;
	s->hard_bytes = a->hard_bytes;
	s->spi_out = a->spi_out;
	s->net = sel_net;
	s->mask = sel_mask;
	s->v6 = a->sel_v6 != 0;
	s->net6 = a->sel_net6;
	s->plen6 = s->v6 ? plen6 : 0;
	s->own6 = own6;
	struct va_out *o = out_of(v, s);
	if (!o && v->nouts < VA_MAX_SEL) {
		/* longest prefix first, so that the first match is the one to use (send.c) */
		int at = 0;
		while (at < v->nouts && ntohl(v->outs[at].mask.s_addr) >= ntohl(sel_mask.s_addr))
			at++;
		memmove(&v->outs[at + 1], &v->outs[at], (size_t)(v->nouts - at) * sizeof(v->outs[0]));
		v->nouts++;
		o = &v->outs[at];
		memset(o, 0, sizeof(*o));
		o->net = sel_net;
		o->mask = sel_mask;
		o->v6 = s->v6;
		o->net6 = s->net6;
		o->plen6 = s->plen6;
		o->own6 = s->own6;
		/* a network within the session's RADIUS networks is routed here already
		 * (froute6.c), the address alone is not */
		if (o->own6) {
			int rc = nl_route6_add(dp.nl, v->ifindex, &o->net6, 128);
			char ip6[INET6_ADDRSTRLEN];
			if (rc < 0 && rc != -EEXIST)
				log_rl("%s: cannot route %s/128 here: %s", v->ifname,
				       inet_ntop(AF_INET6, &o->net6, ip6, sizeof(ip6)), strerror(-rc));
		}
	}
	if (!o) {
		log_rl("%s: more than %d networks behind the client, SA %08x refused", v->ifname,
		       VA_MAX_SEL, ntohl(a->spi_in));
		esp_sa_free(in);
		esp_sa_free(out);
		free(s);
		sa_added(a, ENOSPC);
		return;
	}
	/* A network behind the client (not its own address, not "any") is routed here. */
	uint32_t base_mask = v->client_plen >= 32 ? 0xffffffffu
	                                          : htonl(~(0xffffffffu >> v->client_plen));
	/* (an ezvpn session's routes are its own: ezvpn.c) */
	if (!v->ez && !o->v6 && !o->routed && o->mask.s_addr && !(o->mask.s_addr == base_mask &&
	                                      o->net.s_addr == v->client.s_addr)) {
		static const struct in_addr none;
		int plen = 0;
		for (uint32_t m = ntohl(o->mask.s_addr); m & 0x80000000u; m <<= 1)
			plen++;
		int rc = nl_route_add(dp.nl, v->ifindex, o->net, plen, none);
		/* a route that exists already is not ours to remove later */
		if (rc < 0 && rc != -EEXIST)
			log_rl("%s: cannot route %s/%d here: %s", v->ifname, inet_ntoa(o->net), plen,
			       strerror(-rc));
		else if (rc == 0)
			o->routed = 1;
	}
	/* Keep the previous inbound SAs: the peer may still send on them until it switches. */
	if (v->in[VA_MAX_IN - 1]) {
		struct sa_in *old = v->in[VA_MAX_IN - 1];
		for (int i = 0; i < v->nouts; i++)
			if (v->outs[i].pending_in == old)
				v->outs[i].pending_in = NULL;
		sa_counters(v, old, 1);
		sa_in_free(old);
	}
	memmove(&v->in[1], &v->in[0], (VA_MAX_IN - 1) * sizeof(v->in[0]));
	v->in[0] = s;
	sadb_insert(dp.sadb, s->spi, s);
	sa_life_start(s);
	if (o->pending)
		switch_out(v, o);       /* a second rekey before the first was used */
	if (o->out) {
		o->pending = out;
		o->pending_spi = a->spi_out;
		o->pending_in = s;
	} else {
		o->out = out;
		o->out_spi = a->spi_out;
	}
	v->encap = a->encap;
	v->peer = a->peer;
	natt_ka_update(v);
	log_info("%s: SA in %08x out %08x installed (%s)", v->ifname, ntohl(a->spi_in),
	         ntohl(a->spi_out), a->encap == ENCAP_UDP ? "UDP 4500" : "ESP");
	log_dbg(DBG_IPSEC, &(struct log_peer){ .addr = sa46_in4(&a->peer).s_addr,
	        .addr6 = sa46_is6(&a->peer) ? &a->peer.sin6.sin6_addr : NULL, .spi = a->spi_in },
	        "%s: session %u: encr %d (%d key bytes), auth %d, replay window %d, lifetime %u s "
	        "(soft %u s)", v->ifname, a->session_id, a->encr, a->enc_keylen, a->auth,
	        a->replay_window, a->hard_seconds, a->soft_seconds);
	if (v->vti)
		vti_routes(v, 1);
	sa_added(a, 0);
}

static void out_remove(struct va *v, struct va_out *o)
{
	if (o->routed) {
		int plen = 0;
		for (uint32_t m = ntohl(o->mask.s_addr); m & 0x80000000u; m <<= 1)
			plen++;
		nl_route_del(dp.nl, v->ifindex, o->net, plen);
	}
	int i = (int)(o - v->outs);
	memmove(&v->outs[i], &v->outs[i + 1], (size_t)(v->nouts - i - 1) * sizeof(v->outs[0]));
	v->nouts--;
}

void sa_del(const struct msg_sa_del *d)
{
	struct va *v = va_by_session(d->session_id);
	if (!v)
		return;
	log_dbg(DBG_IPSEC, &(struct log_peer){ .addr = sa46_in4(&v->peer).s_addr,
	        .addr6 = sa46_is6(&v->peer) ? &v->peer.sin6.sin6_addr : NULL, .spi = d->spi_in },
	        "%s: session %u: deleting SA in %08x out %08x", v->ifname, d->session_id,
	        ntohl(d->spi_in), ntohl(d->spi_out));
	for (int i = 0; i < VA_MAX_IN; i++)
		if (v->in[i] && v->in[i]->spi == d->spi_in) {
			for (int k = 0; k < v->nouts; k++)
				if (v->outs[k].pending_in == v->in[i])
					v->outs[k].pending_in = NULL;
			sa_counters(v, v->in[i], 1);
			sa_in_free(v->in[i]);
			memmove(&v->in[i], &v->in[i + 1], (size_t)(VA_MAX_IN - 1 - i) * sizeof(v->in[0]));
			v->in[VA_MAX_IN - 1] = NULL;
			break;
		}
	for (int k = 0; k < v->nouts; k++) {
		struct va_out *o = &v->outs[k];
		if (o->pending && o->pending_spi == d->spi_out) {
			out_retire(v, o->pending_spi, o->pending);
			esp_sa_free(o->pending);
			o->pending = NULL;
			o->pending_in = NULL;
		}
		if (o->out && o->out_spi == d->spi_out) {
			/* the current outbound SA goes: its successor, if any, takes over now */
			out_retire(v, o->out_spi, o->out);
			esp_sa_free(o->out);
			o->out = NULL;
			switch_out(v, o);
		}
		if (!o->out && !o->pending) {
			out_remove(v, o);
			break;
		}
	}
	if (v->vti && !v->in[0])
		vti_routes(v, 0);
}

/* Once a second: lifetimes (a kilobyte limit can pass quickly); counters every fifth. */
