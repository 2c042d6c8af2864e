/* rtnetlink dumps and lookups: interfaces and their IPv4 addresses (see netlink.h). */
#include "tunmgr/netlink.h"
#include "tunmgr/nl_msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>

/* Copy a string attribute, which may or may not carry its NUL. */
static void
attr_str(const struct rtattr *rta, char *out, size_t cap)
{
	size_t len = RTA_PAYLOAD(rta);
	const char *s = RTA_DATA(rta);

	if (len > 0 && s[len - 1] == '\0')
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static int
parse_link(const struct nlmsghdr *h, struct nl_link_info *li)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *rta;
	int len;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -1;
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		switch (rta->rta_type) {
		case IFLA_IFNAME:
			attr_str(rta, li->name, sizeof(li->name));
			break;
		case IFLA_IFALIAS:
			attr_str(rta, li->alias, sizeof(li->alias));
			break;
		case IFLA_MTU:
			if (RTA_PAYLOAD(rta) >= sizeof(uint32_t))
				memcpy(&li->mtu, RTA_DATA(rta), sizeof(uint32_t));
			break;
		}
	}
	return 0;
}

struct link_list {
	struct nl_link_info *v;
	size_t n, cap;
	int oom;
};

static int
collect_link(const struct nlmsghdr *h, void *arg)
{
	struct link_list *l = arg;
	struct nl_link_info li, *nv;

	if (parse_link(h, &li) != 0)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		nv = realloc(l->v, l->cap * sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		l->v = nv;
	}
	l->v[l->n++] = li;
	return 0;
}

int
nl_list_links(int nl, void (*cb)(int, const char *, const char *, void *), void *arg)
{
	struct link_list l = { 0 };
	struct nl_msg m;
	int rc = -EAGAIN, tries;

	for (tries = 0; tries < NL_RETRIES && rc == -EAGAIN; tries++) {
		l.n = 0;
		nlm_link(&m, RTM_GETLINK, NLM_F_DUMP, 0);
		rc = nlm_transact(nl, &m, collect_link, &l);
	}
	/* The callbacks run after the dump so they may use the socket (e.g. nl_link_del). */
	if (rc == 0)
		for (size_t i = 0; i < l.n; i++)
			cb(l.v[i].ifindex, l.v[i].name, l.v[i].alias, arg);
	free(l.v);
	return rc;
}

static int
get_link(const struct nlmsghdr *h, void *arg)
{
	struct nl_link_info *li = arg;

	if (li->ifindex == 0)
		parse_link(h, li);
	return 0;
}

int
nl_link_get(int nl, int ifindex, struct nl_link_info *info)
{
	struct nl_msg m;
	int rc;

	if (ifindex <= 0)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	nlm_link(&m, RTM_GETLINK, NLM_F_ACK, ifindex);
	rc = nlm_transact(nl, &m, get_link, info);
	if (rc == 0 && info->ifindex != ifindex)
		rc = -ENODEV;
	return rc;
}

struct addr_find {
	int ifindex, found, prefixlen;
	struct in_addr a;
};

static int
find_addr(const struct nlmsghdr *h, void *arg)
{
	struct addr_find *f = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct rtattr *rta;
	struct in_addr local = { 0 }, address = { 0 };
	int len, has_local = 0, has_address = 0;

	if (f->found || h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != f->ifindex)
		return 0;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (RTA_PAYLOAD(rta) < sizeof(struct in_addr))
			continue;
		if (rta->rta_type == IFA_LOCAL) {
			memcpy(&local, RTA_DATA(rta), sizeof(local));
			has_local = 1;
		} else if (rta->rta_type == IFA_ADDRESS) {
			memcpy(&address, RTA_DATA(rta), sizeof(address));
			has_address = 1;
		}
	}
	/* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is always ours. */
	if (has_local)
		f->a = local;
	else if (has_address)
		f->a = address;
	else
		return 0;
	f->prefixlen = ifa->ifa_prefixlen;
	f->found = 1;
	return 0;
}

int
nl_iface_addr(int nl, const char *ifname, struct in_addr *a, int *prefixlen)
{
	struct addr_find f = { 0 };
	struct nl_msg m;
	struct ifaddrmsg *ifa;
	int rc = -EAGAIN, tries;

	f.ifindex = (int)if_nametoindex(ifname);
	if (f.ifindex == 0)
		return -ENODEV;
	for (tries = 0; tries < NL_RETRIES && rc == -EAGAIN; tries++) {
		f.found = 0;
		nlm_init(&m, RTM_GETADDR, NLM_F_DUMP);
		ifa = nlm_put(&m, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		ifa->ifa_index = (uint32_t)f.ifindex;
		rc = nlm_transact(nl, &m, find_addr, &f);
	}
	if (rc != 0)
		return rc;
	if (!f.found)
		return -EADDRNOTAVAIL;
	*a = f.a;
	if (prefixlen != NULL)
		*prefixlen = f.prefixlen;
	return 0;
}
