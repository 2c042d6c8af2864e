/*
 * XAUTH server side (draft-ietf-ipsec-isakmp-xauth-06): REQUEST name/password, the client's
 * REPLY goes to keymgr (which alone knows passwords and policies), then SET status / ACK.
 * A wrong password gets a fresh REQUEST up to three times in all, then SET status 0 and the
 * session is deleted, as IOS does.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/ikev1_attr.h"

#define XAUTH_MAX_TRIES 3

static int fill_attr(struct isakmp_buf *b, void *arg)
{
	struct attr_buf *a = arg;
	if (a->overflow)
		return -1;
	return isakmp_put_payload(b, ISAKMP_NP_ATTR, a->data, a->len);
}

static uint32_t new_msgid(void)
{
	uint32_t id = 0;
	while (id == 0)
		ike_random((uint8_t *)&id, sizeof(id));
	return id;
}

static void send_request(struct ike_sa *sa, const char *message)
{
	struct attr_buf a;
	uint16_t ident;
	ike_random((uint8_t *)&ident, sizeof(ident));
	attr_init(&a, ISAKMP_CFG_REQUEST, ident);
	attr_tv(&a, XAUTH_TYPE, 0);                 /* generic */
	attr_tlv(&a, XAUTH_USER_NAME, NULL, 0);
	attr_tlv(&a, XAUTH_USER_PASSWORD, NULL, 0);
	if (message)
		attr_tlv(&a, XAUTH_MESSAGE, message, strlen(message));
	struct ike_exch *x = ike_exch_new(sa, EXCH_XAUTH, new_msgid());
	sa->state = IKE_S_XAUTH_REQ_SENT;
	sa->xauth_deadline = ike.conf->xauth_timeout ? time(NULL) + ike.conf->xauth_timeout : 0;
	if (ikev1_send_protected(sa, ISAKMP_EXCH_TRANSACTION, x->msgid, x->iv, NULL, 0, fill_attr, &a,
	                         1) < 0)
		ike_sa_delete(sa, "cannot send XAUTH request", 0);
}

static void send_status(struct ike_sa *sa, int ok, const char *message)
{
	struct attr_buf a;
	uint16_t ident;
	ike_random((uint8_t *)&ident, sizeof(ident));
	attr_init(&a, ISAKMP_CFG_SET, ident);
	attr_tv(&a, XAUTH_STATUS, ok ? 1 : 0);
	/* why a login is refused (max-logins...), for clients that show it */
	if (message && message[0])
		attr_tlv(&a, XAUTH_MESSAGE, message, strlen(message));
	struct ike_exch *x = ike_exch_new(sa, EXCH_XAUTH_SET, new_msgid());
	sa->state = IKE_S_XAUTH_SET_SENT;
	ikev1_send_protected(sa, ISAKMP_EXCH_TRANSACTION, x->msgid, x->iv, NULL, 0, fill_attr, &a,
	                     ok);
}

/*
 * INITIAL-CONTACT (RFC 2407 4.6.3.3): the client rebooted and holds no other SA with us, so
 * its earlier sessions are stale. Only sessions of the same user from the same address and
 * port go: several clients (or a NAT in front of them) may share an address, and a rebooted
 * client that is not behind NAT comes back from the same port (500 or 4500). Sessions left
 * behind a NAT are DPD's to clean up.
 */
static void replace_stale(struct ike_sa *sa)
{
	if (!sa->initial_contact)
		return;
	struct ike_sa *next;
	for (struct ike_sa *o = ike_sa_peer_chain(&sa->s.peer); o; o = next) {
		next = o->peer_next;
		if (o != sa && o->state != IKE_S_DEAD && sa46_same_addr(&o->s.peer, &sa->s.peer) &&
		    sa46_port(&o->s.peer) == sa46_port(&sa->s.peer) && !strcmp(o->s.user, sa->s.user) && o->state >= IKE_S_CFG_WAIT) {
			log_info("session %u replaces session %u of user '%s' (INITIAL-CONTACT)", sa->s.id,
			         o->s.id, sa->s.user);
			ike_sa_delete(o, "replaced (INITIAL-CONTACT)", 0);
		}
	}
}

void ikev1_xauth_start(struct ike_sa *sa)
{
	sa->xauth_tries = 0;
	send_request(sa, NULL);
}

static const struct isakmp_payload *attr_payload(const struct isakmp_msg *m)
{
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == ISAKMP_NP_ATTR && m->pl[i].len >= 4)
			return &m->pl[i];
	return NULL;
}

void ikev1_xauth_input(struct ike_sa *sa, struct ike_exch *x, const struct isakmp_msg *m)
{
	if (ikev1_verify_hash(sa, m, NULL, 0) < 0) {
		log_rl("session %u: XAUTH message with a bad HASH dropped", sa->s.id);
		return;
	}
	const struct isakmp_payload *pa = attr_payload(m);
	if (!pa) {
		ike.st.drop_malformed++;
		return;
	}
	uint8_t cfg_type = pa->body[0];

	if (x->kind == EXCH_XAUTH_SET) {
		if (cfg_type != ISAKMP_CFG_ACK || sa->state != IKE_S_XAUTH_SET_SENT) {
			ike.st.drop_state++;
			return;
		}
		sa->retrans_left = 0;
		ike_exch_free(sa, x);
		if (sa->s.adopted) {
			/* the session, its interface and address exist: Mode Config is optional */
			ike_sa_set_established(sa);
			sa->established_at = time(NULL);
			return;
		}
		sa->state = IKE_S_CFG_WAIT;
		log_dbg(DBG_ISAKMP, SA_PEER(sa), "session %u: XAUTH acknowledged, waiting for Mode Config", sa->s.id);
		return;
	}

	if (cfg_type != ISAKMP_CFG_REPLY || sa->state != IKE_S_XAUTH_REQ_SENT) {
		ike.st.drop_state++;
		return;
	}
	sa->retrans_left = 0;

	struct msg_xauth_req *rq = calloc(1, sizeof(*rq));
	if (!rq)
		return;
	struct attr_it it = { pa->body + 4, pa->body + pa->len };
	struct attr_val v;
	int r, have_user = 0, have_pass = 0, status = 1;
	while ((r = attr_next(&it, &v)) > 0) {
		if (v.type == XAUTH_USER_NAME && !v.tv && v.len < sizeof(rq->user)) {
			memcpy(rq->user, v.data, v.len);
			have_user = 1;
		} else if (v.type == XAUTH_USER_PASSWORD && !v.tv && v.len < sizeof(rq->password)) {
			memcpy(rq->password, v.data, v.len);
			have_pass = 1;
		} else if (v.type == XAUTH_STATUS && v.tv) {
			status = v.value;
		}
	}
	ike_exch_free(sa, x);
	if (r < 0 || !status || !have_user || !have_pass || strlen(rq->user) == 0) {
		explicit_bzero(rq, sizeof(*rq));
		free(rq);
		log_rl("session %u: XAUTH reply without user name and password (or cancelled)",
		          sa->s.id);
		send_status(sa, 0, NULL);
		ike_sa_delete(sa, "XAUTH cancelled", 1);
		return;
	}
	rq->sa_id = sa->s.id;
	snprintf(rq->group, sizeof(rq->group), "%s", sa->s.group_name);
	if (sa->s.profile) {
		snprintf(rq->auth_list, sizeof(rq->auth_list), "%s", sa->s.profile->client_auth_list);
		snprintf(rq->author_list, sizeof(rq->author_list), "%s",
		         sa->s.profile->isakmp_auth_list);
	}
	rq->peer = sa->s.peer;
	ike_session_replaces(sa, rq->user, rq);
	snprintf(sa->s.user, sizeof(sa->s.user), "%s", rq->user);
	sa->state = IKE_S_XAUTH_CHECKING;
	ike.io.to_keymgr(IMSG_XAUTH_REQ, sa->s.id, rq, sizeof(*rq));
	/* The password was only passing through: keymgr has it now. */
	explicit_bzero(rq, sizeof(*rq));
	free(rq);
}

/*
 * RADIUS Access-Challenge (next token, new PIN): one more REQUEST showing the server's
 * message; it is not a failed try. Bounded, so a server cannot keep a client asking forever.
 */
#define XAUTH_MAX_CHALLENGES 4
static int xauth_challenge(struct ike_sa *sa, const struct msg_xauth_res *r)
{
	if (sa->xauth_challenges >= XAUTH_MAX_CHALLENGES)
		return 0;
	sa->xauth_challenges++;
	char msg[sizeof(r->message)];
	memcpy(msg, r->message, sizeof(msg));
	msg[sizeof(msg) - 1] = 0;
	log_info("session %u: user '%s' challenged by the authentication server", sa->s.id,
	         sa->s.user);
	send_request(sa, msg[0] ? msg : NULL);
	return 1;
}

void ikev1_xauth_result(struct ike_sa *sa, const struct msg_xauth_res *r)
{
	if (sa->state == IKE_S_AUTHORIZING) {
		/* No XAUTH: the group policy alone. */
		if (r->status != XAUTH_OK) {
			log_rl("session %u: group '%s' not authorized: %s", sa->s.id,
			       sa->s.group_name, r->message);
			ike_sa_delete(sa, "authorization failed", 1);
			return;
		}
		sa->s.policy = r->policy;
		sa->s.have_policy = 1;
		ike_sa_rearm(sa);       /* Session-Timeout */
		sa->state = IKE_S_CFG_WAIT;
		struct ike_sa *o = ike_session_predecessor(sa);
		if (o) {
			ike_session_adopt(sa, o);
			ike_sa_set_established(sa);
			sa->established_at = time(NULL);
		}
		ikev1_cfg_replay(sa);
		return;
	}
	if (sa->state != IKE_S_XAUTH_CHECKING)
		return;
	if (r->status == XAUTH_CHALLENGED && xauth_challenge(sa, r))
		return;
	if (r->status == XAUTH_OK) {
		sa->s.policy = r->policy;
		sa->s.have_policy = 1;
		ike_sa_rearm(sa);       /* Session-Timeout */
		log_info("session %u: user '%s' authenticated (group '%s')", sa->s.id, sa->s.user,
		         sa->s.group_name);
		replace_stale(sa);
		struct ike_sa *o = ike_session_predecessor(sa);
		if (o)
			ike_session_adopt(sa, o);
		send_status(sa, 1, NULL);
		return;
	}
	sa->xauth_tries++;
	log_rl("session %u: XAUTH for user '%s' failed (%s), attempt %d of %d", sa->s.id,
	       sa->s.user, r->message, sa->xauth_tries, XAUTH_MAX_TRIES);
	if (r->status == XAUTH_BAD_CREDENTIALS && sa->xauth_tries < XAUTH_MAX_TRIES) {
		send_request(sa, "Authentication failed, try again");
		return;
	}
	send_status(sa, 0, r->status == XAUTH_BAD_CREDENTIALS ? NULL : r->message);
	ike_sa_delete(sa, "XAUTH failed", 1);
}
