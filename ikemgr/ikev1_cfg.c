/*
 * Mode Config (draft-dukes-ike-mode-cfg-02) in pull mode, as vpnc and Cisco clients use it: the
 * client REQUESTs attributes, we REPLY with the session policy from keymgr, including the
 * Cisco Unity ones (banner, save-password, default domain, split-include, PFS, local LAN,
 * backup servers).
 * Answering ends phase 1.5: tunmgr is asked for the session's virtual-access interface.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_attr.h"

static const char app_version[] = "vpnd " PACKAGE_VERSION;

static int fill_attr(struct isakmp_buf *b, void *arg)
{
	struct attr_buf *a = arg;
	if (a->overflow)
		return -1;
	return isakmp_put_payload(b, ISAKMP_NP_ATTR, a->data, a->len);
}

void ikev1_cfg_replay(struct ike_sa *sa)
{
	if (sa->pending_cfg)
		ikev1_replay_held(sa, &sa->pending_cfg, &sa->pending_cfg_len);
}

void ikev1_cfg_authorize(struct ike_sa *sa)
{
	struct msg_xauth_req *rq = calloc(1, sizeof(*rq));
	if (!rq)
		return;
	rq->sa_id = sa->s.id;
	rq->authorize_only = 1;
	snprintf(rq->group, sizeof(rq->group), "%s", sa->s.group_name);
	if (sa->s.profile)
		snprintf(rq->author_list, sizeof(rq->author_list), "%s", sa->s.profile->isakmp_auth_list);
	rq->peer = sa->s.peer;
	ike_session_replaces(sa, "", rq);
	sa->state = IKE_S_AUTHORIZING;
	ike.io.to_keymgr(IMSG_XAUTH_REQ, sa->s.id, rq, sizeof(*rq));
	free(rq);
}

/* Unity SPLIT_INCLUDE entries: address, mask, protocol, source port, destination port. */
static void put_split(struct attr_buf *a, const struct msg_policy *p)
{
	uint8_t buf[MSG_SPLIT_MAX * 14];
	size_t n = 0;
	for (int i = 0; i < p->nsplit && i < MSG_SPLIT_MAX; i++) {
		memcpy(buf + n, &p->split[i].net, 4);
		memcpy(buf + n + 4, &p->split[i].mask, 4);
		memset(buf + n + 8, 0, 6);
		n += 14;
	}
	if (n)
		attr_tlv(a, UNITY_SPLIT_INCLUDE, buf, n);
}

/*
 * What IOS pushes whether the client asked or not (vpnc does not ask for either): the
 * group's include-local-lan, as Unity's 0x7006 with the one entry 0.0.0.0/255.255.255.255
 * that Cisco clients read as "your own LAN stays outside the tunnel", and its backup-gateway
 * list (0x7009, comma-separated, in configuration order) for clients that fail over.
 */
static void put_unasked(struct attr_buf *a, const struct ike_sa *sa)
{
	const struct conf_group *g = conf_find_group(ike.conf, sa->s.group_name);
	if (!g)
		return;
	if (g->include_local_lan) {
		uint8_t lan[14] = { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
		attr_tlv(a, UNITY_LOCAL_LAN, lan, sizeof(lan));
	}
	if (g->nbackup_gw) {
		char list[CONF_MAX_BACKUP_GW * CONF_NAME_MAX];
		size_t n = 0;
		for (int k = 0; k < g->nbackup_gw && k < CONF_MAX_BACKUP_GW; k++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", k ? "," : "",
			                      g->backup_gw[k]);
		attr_tlv(a, UNITY_BACKUP_SERVERS, list, n);
	}
}

void ikev1_cfg_input(struct ike_sa *sa, struct ike_exch *x, const struct isakmp_msg *m)
{
	if (ikev1_verify_hash(sa, m, NULL, 0) < 0) {
		log_rl("session %u: Mode Config message with a bad HASH dropped", sa->s.id);
		ike_exch_free(sa, x);
		return;
	}
	const struct isakmp_payload *pa = NULL;
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == ISAKMP_NP_ATTR && m->pl[i].len >= 4)
			pa = &m->pl[i];
	if (!pa || pa->body[0] != ISAKMP_CFG_REQUEST) {
		ike.st.drop_state++;
		ike_exch_free(sa, x);
		return;
	}
	if (sa->state == IKE_S_AUTHORIZING && !sa->pending_cfg && ike.cur_in) {
		/* A client that sends its request right behind phase 1 (strongSwan) beats keymgr's
		 * answer: keep the datagram and handle it once the policy is in. Dropping it would
		 * cost the client a retransmission (4 s), which we would then take for a duplicate. */
		sa->pending_cfg = malloc(ike.cur_in_len);
		if (sa->pending_cfg) {
			memcpy(sa->pending_cfg, ike.cur_in, ike.cur_in_len);
			sa->pending_cfg_len = ike.cur_in_len;
		}
		ike_exch_free(sa, x);
		return;
	}
	if (sa->state != IKE_S_CFG_WAIT && sa->state != IKE_S_ESTABLISHED) {
		ike.st.drop_state++;
		log_dbg(DBG_ISAKMP | DBG_ERR, SA_PEER(sa), "session %u: Mode Config request in state %d dropped", sa->s.id, sa->state);
		ike_exch_free(sa, x);
		return;
	}
	if (sa->state == IKE_S_CFG_WAIT && ikev1_template_shut(sa))
		return;                 /* a new session, refused: sa and x are gone */
	const struct msg_policy *p = &sa->s.policy;
	uint16_t ident = (uint16_t)(pa->body[2] << 8 | pa->body[3]);
	struct attr_buf a;
	attr_init(&a, ISAKMP_CFG_REPLY, ident);

	struct attr_it it = { pa->body + 4, pa->body + pa->len };
	struct attr_val v;
	int r;
	while ((r = attr_next(&it, &v)) > 0) {
		switch (v.type) {
		case CFG_INTERNAL_IP4_ADDRESS:
			attr_tlv(&a, v.type, &p->addr, 4);
			break;
		case CFG_INTERNAL_IP6_ADDRESS: {
			/* 16 bytes and a prefix length, as IKEv2's attribute: strongSwan releases
			 * before 5.9.10 cut the last byte whatever its length. Asked but none to
			 * give: left out, the client stays IPv4 only. */
			uint8_t v6[17];
			if (IN6_IS_ADDR_UNSPECIFIED(&p->addr6) || !ikev1_template_ipv6(sa))
				break;
			memcpy(v6, &p->addr6, 16);
			v6[16] = 128;
			attr_tlv(&a, v.type, v6, sizeof(v6));
			sa->s.addr6_given = 1;
			break;
		}
		case CFG_INTERNAL_IP4_NETMASK: {
			struct in_addr mask = p->netmask;
			if (!mask.s_addr)
				mask.s_addr = 0xffffffff;
			attr_tlv(&a, v.type, &mask, 4);
			break;
		}
		case CFG_INTERNAL_IP4_DNS:
			for (int i = 0; i < p->ndns && i < 2; i++)
				attr_tlv(&a, v.type, &p->dns[i], 4);
			break;
		case CFG_INTERNAL_IP6_DNS:
			/* only to a client that gets an IPv6 address (asked for before, as
			 * strongSwan does; otherwise the servers would be unreachable to it) */
			if (IN6_IS_ADDR_UNSPECIFIED(&p->addr6) || !ikev1_template_ipv6(sa))
				break;
			for (int i = 0; i < p->ndns6 && i < 2; i++)
				attr_tlv(&a, v.type, &p->dns6[i], 16);
			break;
		case CFG_INTERNAL_IP4_NBNS:
			for (int i = 0; i < p->nwins && i < 2; i++)
				attr_tlv(&a, v.type, &p->wins[i], 4);
			break;
		case UNITY_DEF_DOMAIN:
			if (p->domain[0])
				attr_tlv(&a, v.type, p->domain, strlen(p->domain));
			break;
		case UNITY_SPLIT_DNS:
			if (p->split_dns[0])
				attr_tlv(&a, v.type, p->split_dns, strlen(p->split_dns));
			break;
		case UNITY_BANNER:
			if (p->banner[0])
				attr_tlv(&a, v.type, p->banner, strlen(p->banner));
			break;
		case UNITY_SAVE_PASSWD:
			attr_tv(&a, v.type, p->save_password ? 1 : 0);
			break;
		case UNITY_PFS:
			attr_tv(&a, v.type, p->pfs ? 1 : 0);
			break;
		case UNITY_SPLIT_INCLUDE:
			put_split(&a, p);
			break;
		case CFG_APPLICATION_VERSION:
			attr_tlv(&a, v.type, app_version, strlen(app_version));
			break;
		default:
			/* Not offered (FW_TYPE, DDNS_HOSTNAME...): omitted from the reply. */
			break;
		}
	}
	if (r < 0) {
		ike.st.drop_malformed++;
		ike_exch_free(sa, x);
		return;
	}
	put_unasked(&a, sa);
	int rc = ikev1_send_protected(sa, ISAKMP_EXCH_TRANSACTION, x->msgid, x->iv, NULL, 0,
	                              fill_attr, &a, 0);
	ike_exch_free(sa, x);
	if (rc < 0) {
		ike_sa_delete(sa, "cannot send Mode Config reply", 1);
		return;
	}
	char ip[INET_ADDRSTRLEN], ip6[INET6_ADDRSTRLEN + 5] = "";
	inet_ntop(AF_INET, &p->addr, ip, sizeof(ip));
	if (sa->s.addr6_given) {
		memcpy(ip6, " and ", 5);
		inet_ntop(AF_INET6, &p->addr6, ip6 + 5, sizeof(ip6) - 5);
	}
	log_info("session %u: Mode Config gave %s%s to user '%s'", sa->s.id, ip, ip6, sa->s.user);

	if (sa->state == IKE_S_CFG_WAIT) {
		ike_sa_set_established(sa);
		sa->established_at = time(NULL);
		sa->s.start = sa->established_at;
		ike_session_request_va(&sa->s, p->addr, 32);
	}
}
