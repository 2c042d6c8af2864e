/*
 * Policy routing for crypto maps (tunmgr/cmap.c): a routing table per map entry holding the
 * remote network through the entry's cmN device, and a rule "from SRC to DST lookup TABLE"
 * sending only the ACL's traffic there, so everything else keeps its normal path in clear.
 */
#include <errno.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>

#include "tunmgr/netlink.h"
#include "tunmgr/nl_msg.h"

int
nl_table_route_add(int nl, int ifindex, struct in_addr dst, int prefixlen, uint32_t table)
{
	struct nl_msg m;
	struct rtmsg *rtm;
	int rc;

	if ((rc = nlm_route(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ifindex, dst,
	    prefixlen)) != 0)
		return rc;
	rtm = (struct rtmsg *)NLMSG_DATA(&m.u.h);
	rtm->rtm_table = RT_TABLE_UNSPEC;       /* RTA_TABLE below: tables above 255 */
	rtm->rtm_protocol = NL_RTPROT_VPND;
	nlm_attr_u32(&m, RTA_TABLE, table);
	return nlm_transact(nl, &m, NULL, NULL);
}

static void
rule_msg(struct nl_msg *m, uint16_t type, uint16_t flags, uint32_t prio)
{
	struct fib_rule_hdr *fr;

	nlm_init(m, type, NLM_F_ACK | flags);
	fr = nlm_put(m, sizeof(*fr));
	fr->family = AF_INET;
	fr->action = FR_ACT_TO_TBL;
	nlm_attr_u32(m, FRA_PRIORITY, prio);
}

int
nl_rule(int nl, int add, const struct nl_rule_sel *r)
{
	struct nl_msg m;
	struct fib_rule_hdr *fr;

	if (r->src_len < 0 || r->src_len > 32 || r->dst_len < 0 || r->dst_len > 32)
		return -EINVAL;
	rule_msg(&m, add ? RTM_NEWRULE : RTM_DELRULE, add ? NLM_F_CREATE | NLM_F_EXCL : 0,
	    r->prio);
	fr = (struct fib_rule_hdr *)NLMSG_DATA(&m.u.h);
	fr->src_len = (uint8_t)r->src_len;
	fr->dst_len = (uint8_t)r->dst_len;
	if (r->src_len)
		nlm_attr(&m, FRA_SRC, &r->src, sizeof(r->src));
	if (r->dst_len)
		nlm_attr(&m, FRA_DST, &r->dst, sizeof(r->dst));
	nlm_attr_u32(&m, FRA_TABLE, r->table);
	return m.overflow ? -ENOBUFS : nlm_transact(nl, &m, NULL, NULL);
}

/* Rules of priority PRIO left by an earlier run (a crash; a normal stop deletes its own).
 * Deleting by priority alone takes the first such rule each time; bounded by MAX. */
int
nl_rule_sweep(int nl, uint32_t prio, int max)
{
	struct nl_msg m;
	int n = 0, rc = 0;

	while (n < max) {
		rule_msg(&m, RTM_DELRULE, 0, prio);
		if ((rc = nlm_transact(nl, &m, NULL, NULL)) < 0)
			break;
		n++;
	}
	return rc == -ENOENT || rc == 0 ? n : rc;
}

/* No IPv6 link-local address on the device, so the kernel sends no router solicitations or
 * MLD reports into a tunnel that carries IPv4 only. -EAFNOSUPPORT without IPv6: harmless. */
int
nl_link_no_ipv6(int nl, int ifindex)
{
	struct nl_msg m;
	/* IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE: NONE } }, nested by hand */
	uint8_t spec[RTA_LENGTH(RTA_SPACE(1))];
	struct rtattr inner = { RTA_LENGTH(1), IFLA_INET6_ADDR_GEN_MODE };
	struct rtattr fam = { RTA_LENGTH(RTA_SPACE(1)), AF_INET6 };

	if (ifindex <= 0)
		return -EINVAL;
	memset(spec, 0, sizeof(spec));
	memcpy(spec, &fam, sizeof(fam));
	memcpy(spec + RTA_LENGTH(0), &inner, sizeof(inner));
	spec[RTA_LENGTH(0) + RTA_LENGTH(0)] = IN6_ADDR_GEN_MODE_NONE;
	nlm_link(&m, RTM_NEWLINK, NLM_F_ACK, ifindex);
	nlm_attr(&m, IFLA_AF_SPEC, spec, sizeof(spec));
	return nlm_transact(nl, &m, NULL, NULL);
}
