/*
 * The attributes of vpnd's requests: a PAP Access-Request for XAUTH and group look-ups, and
 * Accounting-Requests (RFC 2866). The client (client.c) gives the ID and signs the packet.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "radius/radius.h"

enum {
	A_USER_NAME = 1, A_NAS_IP = 4, A_SERVICE_TYPE = 6, A_FRAMED_IP = 8, A_STATE = 24,
	A_CLASS = 25, A_FRAMED_MTU = 12, A_CALLING = 31, A_NAS_ID = 32, A_STATUS_TYPE = 40, A_DELAY_TIME = 41,
	A_IN_OCTETS = 42, A_OUT_OCTETS = 43, A_SESSION_ID = 44, A_AUTHENTIC = 45,
	A_SESSION_TIME = 46, A_IN_PKTS = 47, A_OUT_PKTS = 48, A_TERMINATE_CAUSE = 49,
	A_IN_GIGAWORDS = 52, A_OUT_GIGAWORDS = 53, A_EVENT_TIMESTAMP = 55, A_NAS_PORT_TYPE = 61,
	A_NAS_IPV6 = 95, A_FRAMED_IPV6_ADDRESS = 168, A_DELEGATED_IPV6_PREFIX = 123,
};
#define CODE_ACCESS_REQUEST 1
#define CODE_ACCT_REQUEST   4
#define NAS_PORT_TYPE_VIRTUAL 5
#define SERVICE_FRAMED      2
#define AUTHENTIC_RADIUS    1

/* What every request says about us. nas_ip: the source address toward the server,
 * NAS-IP-Address or NAS-IPv6-Address (RFC 3162 2.1) as its family is. */
static void nas(struct rad_pkt *p, const struct vpnd_conf *c, const struct rad_nas *nas_ip)
{
	if (nas_ip->family == AF_INET && nas_ip->v4.s_addr)
		rad_put(p, A_NAS_IP, &nas_ip->v4.s_addr, 4);
	else if (nas_ip->family == AF_INET6)
		rad_put(p, A_NAS_IPV6, nas_ip->v6.s6_addr, 16);
	if (c->hostname[0])
		rad_put_str(p, A_NAS_ID, c->hostname);
	rad_put_u32(p, A_NAS_PORT_TYPE, NAS_PORT_TYPE_VIRTUAL);
}

static int access_request(struct rad_pkt *p, const struct vpnd_conf *c, uint8_t id,
                          const struct radius_job *j, const char *secret, const struct rad_nas *nas_ip)
{
	char peer[SA46_STRLEN], sid[MSG_ACCT_SID_LEN];

	rad_pkt_init(p, CODE_ACCESS_REQUEST, id);
	rad_put_str(p, A_USER_NAME, j->user);
	if (j->eap_len) {
		/* EAP relayed: the method authenticates, no password (RFC 3579 3.1) */
		rad_put_u32(p, A_SERVICE_TYPE, SERVICE_FRAMED);
		if (j->framed_mtu)
			rad_put_u32(p, A_FRAMED_MTU, (uint32_t)j->framed_mtu);
		rad_put_eap(p, j->eap, j->eap_len);
	} else {
		rad_put_password(p, j->password, secret);
	}
	nas(p, c, nas_ip);
	sa46_ntop(&j->peer, peer);
	rad_put_str(p, A_CALLING, peer);
	msg_acct_session_id(sid, c->run_id, j->session_id);
	rad_put_str(p, A_SESSION_ID, sid);
	if (j->state_len)
		rad_put(p, A_STATE, j->state, j->state_len);
	return rad_pkt_finish(p, secret);
}

/*
 * The record is the same on every server but for Acct-Delay-Time, which says how long it has
 * waited; 64-bit counters go out as the low 32 bits plus Gigawords (RFC 2869 5.1).
 */
static int acct_request(struct rad_pkt *p, const struct vpnd_conf *c, uint8_t id,
                        const struct radius_job *j, const char *secret, const struct rad_nas *nas_ip)
{
	const struct msg_acct *m = &j->acct;
	char ip[SA46_STRLEN];

	rad_pkt_init(p, CODE_ACCT_REQUEST, id);
	rad_put_u32(p, A_STATUS_TYPE, (uint32_t)m->status);
	rad_put_str(p, A_SESSION_ID, m->acct_session_id);
	if (m->status == ACCT_ON || m->status == ACCT_OFF) {
		/* the NAS starts or stops: no session's attributes (RFC 2866 5.1) */
		nas(p, c, nas_ip);
		rad_put_u32(p, A_EVENT_TIMESTAMP, (uint32_t)time(NULL) - m->delay_time);
		rad_put_u32(p, A_DELAY_TIME, m->delay_time);
		return rad_pkt_finish(p, secret);
	}
	if (m->user[0])
		rad_put_str(p, A_USER_NAME, m->user);
	nas(p, c, nas_ip);
	rad_put_u32(p, A_SERVICE_TYPE, SERVICE_FRAMED);
	rad_put_u32(p, A_AUTHENTIC, AUTHENTIC_RADIUS);
	if (sa46_is_set(&m->peer)) {
		sa46_ntop(&m->peer, ip);
		rad_put_str(p, A_CALLING, ip);
	}
	if (m->framed_ip.s_addr)
		rad_put(p, A_FRAMED_IP, &m->framed_ip.s_addr, 4);
	if (!IN6_IS_ADDR_UNSPECIFIED(&m->framed_ip6))
		rad_put(p, A_FRAMED_IPV6_ADDRESS, m->framed_ip6.s6_addr, 16);
	if (m->deleg6.plen > 0 && m->deleg6.plen <= 128) {
		/* RFC 4818 2: reserved, length, then only the bytes the length needs */
		uint8_t d[18] = { 0, (uint8_t)m->deleg6.plen };
		size_t nb = ((size_t)m->deleg6.plen + 7) / 8;
		memcpy(d + 2, m->deleg6.net.s6_addr, nb);
		rad_put(p, A_DELEGATED_IPV6_PREFIX, d, 2 + nb);
	}
	if (m->class_len > 0 && m->class_len <= (int)sizeof(m->class_))
		rad_put(p, A_CLASS, m->class_, (size_t)m->class_len);
	rad_put_u32(p, A_EVENT_TIMESTAMP, (uint32_t)time(NULL) - m->delay_time);
	if (m->status != ACCT_START) {
		rad_put_u32(p, A_SESSION_TIME, m->session_time);
		rad_put_u32(p, A_IN_OCTETS, (uint32_t)m->in_octets);
		rad_put_u32(p, A_OUT_OCTETS, (uint32_t)m->out_octets);
		rad_put_u32(p, A_IN_GIGAWORDS, (uint32_t)(m->in_octets >> 32));
		rad_put_u32(p, A_OUT_GIGAWORDS, (uint32_t)(m->out_octets >> 32));
		rad_put_u32(p, A_IN_PKTS, (uint32_t)m->in_pkts);
		rad_put_u32(p, A_OUT_PKTS, (uint32_t)m->out_pkts);
	}
	if (m->status == ACCT_STOP && m->terminate_cause > 0)
		rad_put_u32(p, A_TERMINATE_CAUSE, (uint32_t)m->terminate_cause);
	rad_put_u32(p, A_DELAY_TIME, m->delay_time);
	return rad_pkt_finish(p, secret);
}

int rad_build_request(struct rad_pkt *p, const struct vpnd_conf *c, uint8_t id,
                      const struct radius_job *j, const char *secret, const struct rad_nas *nas_ip)
{
	return j->kind == RAD_JOB_ACCT ? acct_request(p, c, id, j, secret, nas_ip)
	                               : access_request(p, c, id, j, secret, nas_ip);
}
