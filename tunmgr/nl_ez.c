/*
 * rtnetlink for an Easy VPN remote session (see netlink.h): the host's connected networks,
 * which a server must not pull into the tunnel; the route the kernel takes to the peer now,
 * kept as a host route when everything else goes into the tunnel; addresses on lo for
 * `interface LoopbackN`.
 */
#include "tunmgr/netlink.h"
#include "tunmgr/nl_msg.h"

#include <errno.h>
#include <string.h>
#include <linux/if_addr.h>

static int
collect_addr(const struct nlmsghdr *h, void *arg)
{
	struct nl_nets *l = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct rtattr *rta;
	struct in_addr a = { 0 };
	int len, have = 0;

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != AF_INET)
		return 0;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (RTA_PAYLOAD(rta) >= sizeof(a) && (rta->rta_type == IFA_LOCAL ||
		    (rta->rta_type == IFA_ADDRESS && !have))) {
			memcpy(&a, RTA_DATA(rta), sizeof(a));
			have = 1;
		}
	if (!have)
		return 0;
	if (l->n == l->max)
		return -ENOSPC;     /* a network left out could be let into the tunnel */
	l->net[l->n] = a;
	l->plen[l->n++] = ifa->ifa_prefixlen;
	return 0;
}

int
nl_local_nets(int nl, struct nl_nets *l)
{
	return nlm_addr_dump(nl, AF_INET, collect_addr, l, &l->n);
}

struct route_found {
	int found, oif;
	struct in_addr gw, src;
};

static int
got_route(const struct nlmsghdr *h, void *arg)
{
	struct route_found *f = arg;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	const struct rtattr *rta;
	int len;

	if (f->found || h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return 0;
	if (rtm->rtm_type != RTN_UNICAST)
		return -EHOSTUNREACH;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (RTA_PAYLOAD(rta) < 4)
			continue;
		if (rta->rta_type == RTA_OIF)
			memcpy(&f->oif, RTA_DATA(rta), 4);
		else if (rta->rta_type == RTA_GATEWAY)
			memcpy(&f->gw, RTA_DATA(rta), 4);
		else if (rta->rta_type == RTA_PREFSRC)
			memcpy(&f->src, RTA_DATA(rta), 4);
	}
	f->found = f->oif > 0;
	return 0;
}

int
nl_route_get(int nl, struct in_addr dst, int *oif, struct in_addr *gw)
{
	struct nl_msg m;
	struct rtmsg *rtm;
	struct route_found f = { 0 };
	int rc;

	nlm_init(&m, RTM_GETROUTE, NLM_F_ACK);
	rtm = nlm_put(&m, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	nlm_attr(&m, RTA_DST, &dst, sizeof(dst));
	if ((rc = nlm_transact(nl, &m, got_route, &f)) != 0)
		return rc;
	if (!f.found)
		return -EHOSTUNREACH;
	*oif = f.oif;
	*gw = f.gw;
	return 0;
}

int
nl_route_add_via(int nl, int oif, struct in_addr dst, int prefixlen, struct in_addr gw)
{
	struct nl_msg m;
	struct rtmsg *rtm;
	int rc;

	if ((rc = nlm_route(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, oif, dst,
	    prefixlen)) != 0)
		return rc;
	rtm = (struct rtmsg *)NLMSG_DATA(&m.u.h);
	rtm->rtm_protocol = NL_RTPROT_VPND;     /* found again after a crash (nl_route_sweep) */
	if (gw.s_addr != 0) {
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		nlm_attr(&m, RTA_GATEWAY, &gw, sizeof(gw));
	}
	return nlm_transact(nl, &m, NULL, NULL);
}

#define SWEEP_MAX 64

struct addr_sweep {
	int            ifindex;
	const char    *label;
	struct in_addr a[SWEEP_MAX];
	int            plen[SWEEP_MAX], n;
};

static int
labelled_addr(const struct nlmsghdr *h, void *arg)
{
	struct addr_sweep *w = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct rtattr *rta;
	struct in_addr a = { 0 };
	int len, match = 0, have = 0;

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != AF_INET || (int)ifa->ifa_index != w->ifindex || w->n == SWEEP_MAX)
		return 0;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_LABEL)
			match = strnlen(RTA_DATA(rta), RTA_PAYLOAD(rta)) == strlen(w->label) &&
			        memcmp(RTA_DATA(rta), w->label, strlen(w->label)) == 0;
		else if (rta->rta_type == IFA_LOCAL && RTA_PAYLOAD(rta) >= sizeof(a)) {
			memcpy(&a, RTA_DATA(rta), sizeof(a));
			have = 1;
		}
	}
	if (match && have) {
		w->a[w->n] = a;
		w->plen[w->n++] = ifa->ifa_prefixlen;
	}
	return 0;
}

int
nl_addr_sweep(int nl, int ifindex, const char *label)
{
	static struct addr_sweep w;
	struct nl_msg m;
	struct ifaddrmsg *ifa;
	int rc = -EAGAIN, done = 0;

	memset(&w, 0, sizeof(w));
	w.ifindex = ifindex;
	w.label = label;
	for (int tries = 0; tries < NL_RETRIES && rc == -EAGAIN; tries++) {
		w.n = 0;
		nlm_init(&m, RTM_GETADDR, NLM_F_DUMP);
		ifa = nlm_put(&m, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		ifa->ifa_index = (uint32_t)ifindex;
		rc = nlm_transact(nl, &m, labelled_addr, &w);
	}
	if (rc < 0)
		return rc;
	for (int i = 0; i < w.n; i++)
		if (nl_addr_del(nl, ifindex, w.a[i], w.plen[i]) == 0)
			done++;
	return done;
}

struct route_sweep {
	struct nl_route r[SWEEP_MAX];
	int             n;
};

static int
own_route(const struct nlmsghdr *h, void *arg)
{
	struct route_sweep *w = arg;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	const struct rtattr *rta;
	struct nl_route r = { 0 };
	int len;

	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
	    rtm->rtm_family != AF_INET || rtm->rtm_protocol != NL_RTPROT_VPND ||
	    rtm->rtm_table != RT_TABLE_MAIN || w->n == SWEEP_MAX)
		return 0;
	r.plen = rtm->rtm_dst_len;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (RTA_PAYLOAD(rta) < 4)
			continue;
		if (rta->rta_type == RTA_DST)
			memcpy(&r.dst, RTA_DATA(rta), 4);
		else if (rta->rta_type == RTA_OIF)
			memcpy(&r.ifindex, RTA_DATA(rta), 4);
	}
	if (r.ifindex > 0)
		w->r[w->n++] = r;
	return 0;
}

int
nl_route_sweep(int nl)
{
	static struct route_sweep w;
	struct nl_msg m;
	struct rtmsg *rtm;
	int rc = -EAGAIN, done = 0;

	for (int tries = 0; tries < NL_RETRIES && rc == -EAGAIN; tries++) {
		w.n = 0;
		nlm_init(&m, RTM_GETROUTE, NLM_F_DUMP);
		rtm = nlm_put(&m, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		rc = nlm_transact(nl, &m, own_route, &w);
	}
	if (rc < 0)
		return rc;
	for (int i = 0; i < w.n; i++)
		if (nl_route_del(nl, w.r[i].ifindex, w.r[i].dst, w.r[i].plen) == 0)
			done++;
	return done;
}

int
nl_addr_del(int nl, int ifindex, struct in_addr a, int prefixlen)
{
	struct nl_msg m;
	struct ifaddrmsg *ifa;

	if (ifindex <= 0 || prefixlen < 0 || prefixlen > 32)
		return -EINVAL;
	nlm_init(&m, RTM_DELADDR, NLM_F_ACK);
	ifa = nlm_put(&m, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_index = (uint32_t)ifindex;
	nlm_attr(&m, IFA_LOCAL, &a, sizeof(a));
	return nlm_transact(nl, &m, NULL, NULL);
}
