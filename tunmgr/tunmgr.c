/*
 * tunmgr's start and stop. The work is in its other files (see tunmgr.h): one TUN
 * virtual-access interface per session, cloned from its Virtual-Template, and the ESP data
 * plane between those interfaces and the peers.
 *
 * TUN interfaces are not persistent: if this process dies, the kernel removes them with their
 * routes, so a crash leaves nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "tunmgr/authz.h"
#include "tunmgr/eztrap.h"
#include "tunmgr/netlink.h"
#include "tunmgr/sadb.h"
#include "tunmgr/tunmgr.h"

struct dataplane dp;

/* Every route through our interfaces, removed in bulk before the interfaces (see nl_routes_del
 * for why): the client's own, its Framed-Routes and the networks behind it. */
static void routes_flush(void)
{
	struct nl_route *r;
	struct va *v;
	size_t n = 0, refused = 0;

	LIST_FOREACH(v, &dp.vas, entry)
		n += 1 + (size_t)v->nfroute + (size_t)v->nouts;
	if (n == 0 || dp.nl < 0 || (r = calloc(n, sizeof(*r))) == NULL)
		return;
	n = 0;
	LIST_FOREACH(v, &dp.vas, entry) {
		r[n++] = (struct nl_route){ v->ifindex, v->client, v->client_plen };
		for (int i = 0; i < v->nfroute; i++)
			r[n++] = (struct nl_route){ v->ifindex, v->froute[i].net, v->froute[i].plen };
		for (int i = 0; i < v->nouts; i++) {
			const struct va_out *o = &v->outs[i];
			int plen = 0;

			if (!o->routed)
				continue;
			for (uint32_t m = ntohl(o->mask.s_addr); m & 0x80000000u; m <<= 1)
				plen++;
			r[n++] = (struct nl_route){ v->ifindex, o->net, plen };
		}
	}
	uint64_t t0 = uv_hrtime();
	int rc = nl_routes_del(dp.nl, r, n, &refused);
	if (rc < 0)
		log_warnx("deleting %zu routes: %s", n, strerror(-rc));
	else
		log_info("%zu routes deleted in %llu ms (%zu not there)", n - refused,
		         (unsigned long long)((uv_hrtime() - t0) / 1000000), refused);
	free(r);
}

void shutdown_all(void)
{
	uint64_t auth = 0, replay = 0, other = 0;
	struct va *v;
	ez_trap_stop();
	LIST_FOREACH(v, &dp.vas, entry) {
		auth += v->drop_auth;
		replay += v->drop_replay;
		other += v->drop_other;
	}
	log_info("ESP drops: unknown-spi %llu short %llu auth %llu replay %llu other %llu "
	         "(access lists %llu); IKE datagrams forwarded %llu, dropped with ikemgr behind %llu",
	         (unsigned long long)dp.drop_unknown_spi, (unsigned long long)dp.drop_short,
	         (unsigned long long)(dp.drop_auth_gone + auth),
	         (unsigned long long)(dp.drop_replay_gone + replay),
	         (unsigned long long)other, (unsigned long long)dp.drop_acl,
	         (unsigned long long)dp.ike_forwarded, dp.ike.dropped);
	log_info("offloads: TUN reads with a bad virtio header dropped %llu; UDP GSO sends %llu",
	         (unsigned long long)dp.drop_vnet, (unsigned long long)dp.gso_sends);
	/* the interfaces first, in one request: 20,000 TUN fds closed one by one take the
	 * kernel minutes, a link group seconds; the fds then close at once */
	int grouped = 0;
	LIST_FOREACH(v, &dp.vas, entry)
		grouped |= v->cm == NULL && v->vti == NULL;     /* cmN, TunnelN: one by one */
	if (grouped && dp.nl >= 0) {
		routes_flush();
		uint64_t t0 = uv_hrtime();
		int rc = nl_group_del(dp.nl, dp.link_group);
		if (rc < 0)
			log_warnx("cannot delete the interfaces as link group %u (%s): one by one",
			          dp.link_group, strerror(-rc));
		else
			log_info("interfaces deleted as link group %u in %llu ms", dp.link_group,
			         (unsigned long long)((uv_hrtime() - t0) / 1000000));
	}
	while (!LIST_EMPTY(&dp.vas))
		va_destroy(LIST_FIRST(&dp.vas)->session_id);
	ez_stop();
}


static void cleanup_leftover(int ifindex, const char *name, const char *alias, void *arg)
{
	if (!strncmp(name, "va", 2) && alias && !strncmp(alias, "Virtual-Access", 14)) {
		log_rl("removing %s (%s) left behind by an earlier run", name, alias);
		nl_link_del(dp.nl, ifindex);
	}
}

int tunmgr_main(struct proc_boot *boot)
{
	memset(&dp, 0, sizeof(dp));
	dp.loop = uv_default_loop();
	dp.conf = boot->conf;
	dp.udp = boot->sock[SOCK_IKE4500];
	dp.raw = boot->sock[SOCK_ESP_RAW];
	dp.udp6 = boot->sock[SOCK_IKE4500_6];
	dp.raw6 = boot->sock[SOCK_ESP_RAW6];
	dp.sadb = sadb_new();
	dp.by_session = sadb_new();
	LIST_INIT(&dp.vas);
	dp.rx.buf = calloc(MMSG, PKT_MAX);
	dp.tx.buf = calloc(MMSG, PKT_MAX);
	if (!dp.sadb || !dp.by_session || !dp.rx.buf || !dp.tx.buf)
		fatalx("out of memory");
	dp.nl = nl_open();
	/* a group of this run alone: high bit set (operators number theirs from 1) and the pid,
	 * so a second vpnd in the same namespace has its own */
	dp.link_group = 0x80000000u | (uint32_t)getpid();
	if (dp.nl < 0)
		fatalx("netlink: %s", strerror(-dp.nl));
	if (dp.udp < 0 || boot->sock[CHAN_IKEMGR] < 0 || boot->sock[CHAN_KEYMGR] < 0)
		fatalx("started without its sockets");
	nl_list_links(dp.nl, cleanup_leftover, NULL);
	ez_start();
	cm_start();

	dispatch_init(boot->parent_fd, boot->sock[CHAN_IKEMGR], boot->sock[CHAN_KEYMGR]);
	vti_sync();             /* the TunnelN devices: the parent opens their TUN fds */
	authz_park_init(dp.loop, va_create_authorized);
	uv_poll_init(dp.loop, &dp.udp_poll, dp.udp);
	uv_poll_start(&dp.udp_poll, UV_READABLE, on_udp);
	if (dp.raw >= 0) {
		uv_poll_init(dp.loop, &dp.raw_poll, dp.raw);
		uv_poll_start(&dp.raw_poll, UV_READABLE, on_raw);
	}
	if (dp.udp6 >= 0) {
		uv_poll_init(dp.loop, &dp.udp6_poll, dp.udp6);
		uv_poll_start(&dp.udp6_poll, UV_READABLE, on_udp);
	}
	if (dp.raw6 >= 0) {
		uv_poll_init(dp.loop, &dp.raw6_poll, dp.raw6);
		uv_poll_start(&dp.raw6_poll, UV_READABLE, on_raw);
	}
	timers_start();
	log_info("data plane ready");
	return uv_run(dp.loop, UV_RUN_DEFAULT);
}
