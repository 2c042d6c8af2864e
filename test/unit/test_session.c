/* The session part IKEv1 and IKEv2 SAs share (ikemgr/session.c): a session that lives in no
 * IKEv1 SA at all, with its own ops, reports up and down, clears its IPsec SAs (the DELETE
 * through its ops), times out by Session-Timeout and Idle-Timeout, and moves to another IKE SA
 * whole (a phase-1 rekey) leaving the old one holding nothing. */
#include <string.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "common/conf.h"
#include "ikemgr/ikev1.h"
#include "ikemgr/session.h"

static struct vpnd_conf conf;
static const char cfg[] =
	"crypto isakmp profile ra\n"
	" virtual-template 1\n"
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
	"crypto ipsec profile vti\n"
	" set transform-set TS\n"
	" set security-association idle-time 120\n"
	"interface Virtual-Template1 type tunnel\n"
	" tunnel mode ipsec ipv4\n"
	" tunnel protection ipsec profile vti\n";

/* what went to the parent and to tunmgr, in order */
static struct { uint32_t type, peerid; } sent[32];
static int nsent;

static void send_none(const union sa46 *l, const union sa46 *p, int port4500,
                      const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500; (void)pkt; (void)len;
}
static void msg_note(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	(void)data; (void)len;
	if (nsent < (int)(sizeof(sent) / sizeof(sent[0]))) {
		sent[nsent].type = type;
		sent[nsent++].peerid = peerid;
	}
}
static int count(uint32_t type)
{
	int n = 0;
	for (int i = 0; i < nsent; i++)
		n += sent[i].type == type;
	return n;
}

/* a stand-in for the IKE SA that holds the session (an IKEv2 SA one day) */
static struct { int rearms, syncs, deleted; uint32_t spis[IKE_MAX_CHILD]; } held;
static void op_rearm(struct ike_session *s) { (void)s; held.rearms++; }
static void op_delete(struct ike_session *s, const uint32_t *spi, int n)
{
	(void)s;
	held.deleted = n;
	memcpy(held.spis, spi, (size_t)n * sizeof(*spi));
}
static void op_spis(const struct ike_session *s, uint8_t i[8], uint8_t r[8])
{
	(void)s;
	memset(i, 0x11, 8);
	memset(r, 0x22, 8);
}
static void op_sync(struct ike_session *s) { held.syncs++; ike_report_children(s); }
static const struct ike_session_ops ops = { op_rearm, op_delete, op_spis, op_sync };

static void setup(void)
{
	static const struct ike_io io = { send_none, msg_note, msg_note, msg_note };
	cr_assert_eq(conf_load_buf("test", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	ikev1_init(&conf, &io);
	nsent = 0;
	memset(&held, 0, sizeof(held));
}

static void make(struct ike_session *s, uint32_t id)
{
	memset(s, 0, sizeof(*s));
	s->ops = &ops;
	s->id = id;
	s->peer.sin.sin_family = AF_INET;
	s->peer.sin.sin_addr.s_addr = htonl(0x0a000001);
	s->peer.sin.sin_port = htons(4500);
	snprintf(s->user, sizeof(s->user), "alice");
	snprintf(s->group_name, sizeof(s->group_name), "staff");
	s->profile = &conf.profile[0];
	s->have_policy = 1;
	s->policy.addr.s_addr = htonl(0xc0a80105);
}

static void add_child(struct ike_session *s, int i, uint32_t spi)
{
	s->child[i].used = s->child[i].installed = 1;
	s->child[i].spi_in = htonl(spi);
	s->child[i].spi_out = htonl(spi + 1);
}

Test(session, up_children_and_clear_through_ops, .init = setup)
{
	struct ike_session s;
	make(&s, 7);
	add_child(&s, 0, 0x1000);
	add_child(&s, 3, 0x2000);
	ike_session_request_va(&s, s.policy.addr, 32);
	cr_assert(s.va_requested);
	cr_assert_eq(count(IMSG_VA_CREATE), 1);
	struct msg_va_created va = { .session_id = 7, .unit = 4 };
	snprintf(va.ifname, sizeof(va.ifname), "va4");
	ike_session_va_ready(&s, &va);
	cr_assert(s.reported, "an installed IPsec SA and the interface: the session is up");
	cr_assert_str_eq(s.ifname, "va4");
	cr_assert_eq(count(IMSG_SESSION_UP), 1);
	cr_assert_eq(held.syncs, 1);
	cr_assert_eq(count(IMSG_IPSEC_SA_UP), 2, "both IPsec SAs reported");
	cr_assert_eq(ike.st.sessions_up, 1);

	cr_assert_eq(ike_session_clear_children(&s), 2);
	cr_assert_eq(held.deleted, 2, "the DELETE goes through the holder's ops");
	cr_assert_eq(held.spis[0], htonl(0x1000));
	cr_assert_eq(held.spis[1], htonl(0x2000));
	cr_assert_eq(count(IMSG_SA_DEL), 2);
	cr_assert_eq(count(IMSG_IPSEC_SA_DOWN), 2);
	cr_assert_not(s.child[0].used || s.child[3].used);
	cr_assert_eq(ike_session_clear_children(&s), 0);

	cr_assert_eq(ike_session_end(&s, "test"), 1);
	cr_assert_eq(count(IMSG_VA_DESTROY), 1);
	cr_assert_eq(count(IMSG_SESSION_END_KEY), 1, "the address lease goes back");
	cr_assert_eq(count(IMSG_SESSION_DOWN), 1);
	cr_assert_not(s.reported || s.have_policy || s.va_requested);
	cr_assert_eq(ike_session_end(&s, "again"), 0, "nothing twice");
	cr_assert_eq(count(IMSG_SESSION_DOWN), 1);
}

Test(session, timeouts, .init = setup)
{
	struct ike_session s;
	make(&s, 8);
	time_t t0 = 1000000;
	cr_assert_eq(ike_session_deadline(&s, t0, 1), t0 + 120, "the ipsec profile's idle-time");
	cr_assert_eq(ike_session_deadline(&s, t0, 0), 0, "idle only counts once up");
	s.policy.session_timeout = 60;
	cr_assert_eq(ike_session_deadline(&s, t0, 1), t0 + 60);
	cr_assert_null(ike_session_expired(&s, t0, 1, t0 + 59));
	cr_assert_str_eq(ike_session_expired(&s, t0, 1, t0 + 60), "session timeout");
	s.policy.session_timeout = 0;
	s.policy.idle_timeout = 30;
	s.esp_out_at = t0 + 50;
	cr_assert_eq(ike_session_deadline(&s, t0, 1), t0 + 80, "from the last ESP packet");
	cr_assert_null(ike_session_expired(&s, t0, 1, t0 + 79));
	cr_assert_str_eq(ike_session_expired(&s, t0, 1, t0 + 80), "idle timeout");
	s.policy.idle_timeout = 0;
	cr_assert_str_eq(ike_session_expired(&s, t0, 1, t0 + 170), "idle timeout (SA idle-time)");
	s.have_policy = 0;
	cr_assert_null(ike_session_expired(&s, t0, 1, t0 + 100000), "no policy, no limits");
}

Test(session, move_leaves_nothing_behind, .init = setup)
{
	struct ike_session old, new;
	make(&old, 9);
	make(&new, 10);
	new.have_policy = 0;
	add_child(&old, 2, 0x3000);
	old.va_requested = old.va_ready = old.reported = 1;
	snprintf(old.ifname, sizeof(old.ifname), "va9");
	old.rep_spi[0] = htonl(0x3000);
	old.rep_state = 5;
	old.esp_pkts_in = 42;
	ike_session_move(&new, &old);
	cr_assert(new.have_policy && new.va_ready && new.reported);
	cr_assert_eq(new.policy.addr.s_addr, htonl(0xc0a80105));
	cr_assert_str_eq(new.ifname, "va9");
	cr_assert(new.child[2].used);
	cr_assert_eq(new.rep_spi[0], htonl(0x3000));
	cr_assert_eq(new.rep_state, 0, "the IKE SA row is written again for the new SA");
	cr_assert_eq(new.esp_pkts_in, 42);
	cr_assert_not(old.have_policy || old.va_requested || old.va_ready || old.reported);
	cr_assert_not(old.child[2].used);
	cr_assert_eq(old.rep_spi[0], 0);
	/* the old holder ends without touching what moved */
	cr_assert_eq(ike_session_end(&old, "superseded"), 0);
	cr_assert_eq(count(IMSG_VA_DESTROY) + count(IMSG_SESSION_END_KEY) +
	             count(IMSG_IPSEC_SA_DOWN), 0);
}
