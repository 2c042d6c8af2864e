/*
 * What runs by the clock: counters to the parent (the session store, accounting), activity to
 * ikemgr (DPD, idle timeout) and the SAs' lifetimes (soft: rekey, hard: delete).
 *
 * An idle session costs nothing here. The data path puts an interface on the active list when
 * it moves or drops a packet for it (va_touch); the one-second tick looks only at that list:
 * activity to ikemgr, the byte lifetimes (the only thing traffic can change), and the
 * interface joins the list of those whose counters go to the parent at the next fifth tick.
 * Lifetimes in seconds run on a timer per SA, armed for the next limit.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "tunmgr/eztrap.h"

#include "tunmgr/tunmgr.h"

void sa_counters(struct va *v, struct sa_in *s, int force)
{
	if (v->vti)
		return;         /* no session in the store: its figures are logged (vti.c) */
	struct esp_stats in = esp_sa_stats(s->esp), out = s->out_st;
	struct esp_sa *o = out_twin(v, s);
	if (o)
		out = esp_sa_stats(o);
	struct msg_sa_counters c = {
		.session_id = v->session_id, .spi_in = s->spi, .spi_out = s->spi_out,
		.pkts_encaps = out.pkts, .bytes_encaps = out.bytes,
		.pkts_decaps = in.pkts, .bytes_decaps = in.bytes,
		.verify_fail = in.err_auth, .replay_fail = in.err_replay,
		.recv_errors = in.err_pad + in.err_other,
		.send_errors = s->send_err + out.err_other + out.err_auth + out.err_pad,
	};
	/* a manual entry has one inbound SA: what its checks after decryption drop (outside the
	 * ACE, mirrored) is that SA's, as IOS counts them under #recv errors */
	if (v->cm)
		c.recv_errors += v->drop_other;
	uint64_t sum = c.pkts_encaps + c.pkts_decaps + c.verify_fail + c.replay_fail +
	               c.recv_errors + c.send_errors;
	if (!force && sum == s->reported)
		return;
	s->reported = sum;
	imsg_compose(&dp.parent, IMSG_SA_COUNTERS, v->session_id, -1, &c, sizeof(c));
}

void send_counters(struct va *v, int final)
{
	if (v->cm || v->vti)
		return;         /* no session row: cmN's SA row has the figures (cmap.c),
		                 * TunnelN's are logged (vti.c) */
	struct msg_counters c = {
		.final = final,
		.session_id = v->session_id, .pkts_in = v->pkts_in, .pkts_out = v->pkts_out,
		.bytes_in = v->bytes_in, .bytes_out = v->bytes_out, .drop_auth = v->drop_auth,
		.drop_replay = v->drop_replay, .drop_other = v->drop_other,
	};
	imsg_compose(&dp.parent, IMSG_COUNTERS, v->session_id, -1, &c, sizeof(c));
}

static void expire(struct va *v, struct sa_in *s, int hard)
{
	struct msg_sa_expire e = { v->session_id, s->spi, (uint8_t)hard };
	imsg_compose(&dp.ike, IMSG_SA_EXPIRE, v->session_id, -1, &e, sizeof(e));
}

static void on_life(uv_timer_t *t);

/* Arm the SA's timer for its next limit in seconds (none left: stopped). */
static void life_arm(struct sa_in *s, time_t now)
{
	time_t due = 0;
	if (!s->soft_sent) {
		/* a hard limit alone still gets its soft expire first */
		uint32_t first = s->soft_seconds;
		if (s->hard_seconds && (!first || s->hard_seconds < first))
			first = s->hard_seconds;
		if (first)
			due = s->created + first;
	} else if (!s->hard_sent && s->hard_seconds) {
		due = s->created + s->hard_seconds;
		if (due <= now)
			due = now + 1;
	}
	if (!due) {
		uv_timer_stop(&s->life);
		return;
	}
	uint64_t ms = due > now ? (uint64_t)(due - now) * 1000 : 0;
	uv_timer_start(&s->life, on_life, ms, 0);
}

/*
 * Send what the SA's lifetime calls for now. Soft always comes first, hard at the earliest a
 * second later: a burst that crosses both limits within a second still gets its rekey before
 * the SA goes. 1: hard is due but waits for the next second.
 */
static int lifetime(struct va *v, struct sa_in *s, time_t now)
{
	uint64_t bytes = esp_sa_stats(s->esp).bytes;
	/* the lifetime in kilobytes holds for each direction (RFC 2407 4.5) */
	struct va_out *o = out_of(v, s);
	if (o && o->out && o->out_spi == s->spi_out) {
		uint64_t ob = esp_sa_stats(o->out).bytes;
		if (ob > bytes)
			bytes = ob;
	}
	int hard = (s->hard_seconds && now - s->created >= s->hard_seconds) ||
	           (s->hard_bytes && bytes >= s->hard_bytes);
	int soft = (s->soft_seconds && now - s->created >= s->soft_seconds) ||
	           (s->soft_bytes && bytes >= s->soft_bytes);
	if ((soft || hard) && !s->soft_sent) {
		expire(v, s, 0);
		s->soft_sent = 1;
		life_arm(s, now);
		return hard;
	}
	if (hard && !s->hard_sent) {
		expire(v, s, 1);
		s->hard_sent = 1;
		uv_timer_stop(&s->life);
	}
	return 0;
}

static void on_life(uv_timer_t *t)
{
	struct sa_in *s = t->data;
	time_t now = time(NULL);
	if (lifetime(s->va, s, now))
		va_touch(s->va);        /* hard by bytes: the next tick */
	else if (!s->hard_sent)
		life_arm(s, now);
}

void sa_life_start(struct sa_in *s)
{
	uv_timer_init(dp.loop, &s->life);
	s->life.data = s;
	life_arm(s, s->created);
}

static void free_closed(uv_handle_t *h)
{
	free(h->data);
}

/* The SA's memory goes once its timer handle is closed (libuv still holds it until then). */
void sa_life_stop(struct sa_in *s)
{
	uv_timer_stop(&s->life);
	uv_close((uv_handle_t *)&s->life, free_closed);
}

void va_forget(struct va *v)
{
	if (v->on_active)
		LIST_REMOVE(v, active);
	if (v->on_counted)
		LIST_REMOVE(v, counted);
	v->on_active = v->on_counted = 0;
}

/* The drops no session is charged with, and IKE forwarded, for the metrics (on change). */
static void dp_stats(void)
{
	static struct msg_dp_stats told;
	struct msg_dp_stats s = {
		.drop_unknown_spi = dp.drop_unknown_spi, .drop_short = dp.drop_short,
		.drop_acl = dp.drop_acl, .ike_forwarded = dp.ike_forwarded,
		.ike_dropped = dp.ike.dropped,
	};
	if (dp.ticks > 5 && !memcmp(&s, &told, sizeof(s)))
		return;
	told = s;
	imsg_compose(&dp.parent, IMSG_DP_STATS, 0, -1, &s, sizeof(s));
}

static void tick(uv_timer_t *t)
{
	time_t now = time(NULL);
	struct va *v;
	ez_trap_tick(now);
	LIST_HEAD(, va) again = LIST_HEAD_INITIALIZER(again);
	while ((v = LIST_FIRST(&dp.active))) {
		LIST_REMOVE(v, active);
		v->on_active = 0;
		if (!v->cm && !v->vti && (v->pkts_in != v->told_in || v->pkts_out != v->told_out)) {
			struct msg_va_activity a = { v->session_id, v->pkts_in, v->pkts_out };
			imsg_compose(&dp.ike, IMSG_VA_ACTIVITY, v->session_id, -1, &a, sizeof(a));
			v->told_in = v->pkts_in;
			v->told_out = v->pkts_out;
		}
		int later = 0;
		for (int i = 0; i < VA_MAX_IN; i++)
			if (v->in[i])
				later |= lifetime(v, v->in[i], now);
		if (later) {
			LIST_INSERT_HEAD(&again, v, active);
			v->on_active = 1;
		}
		if (!v->on_counted) {
			LIST_INSERT_HEAD(&dp.counted, v, counted);
			v->on_counted = 1;
		}
	}
	while ((v = LIST_FIRST(&again))) {
		LIST_REMOVE(v, active);
		LIST_INSERT_HEAD(&dp.active, v, active);
	}
	if (++dp.ticks % 5)
		return;
	dp_stats();
	while ((v = LIST_FIRST(&dp.counted))) {
		LIST_REMOVE(v, counted);
		v->on_counted = 0;
		send_counters(v, 0);
		for (int i = 0; i < VA_MAX_IN; i++)
			if (v->in[i])
				sa_counters(v, v->in[i], 0);
	}
}

void timers_start(void)
{
	LIST_INIT(&dp.active);
	LIST_INIT(&dp.counted);
	uv_timer_init(dp.loop, &dp.tick);
	uv_timer_start(&dp.tick, tick, 1000, 1000);
}
