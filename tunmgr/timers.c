/*
 * What runs by the clock: counters to the parent (the session store, accounting), activity to
 * ikemgr (DPD, idle timeout) and the SAs' lifetimes (soft: rekey, hard: delete).
 */
#include <string.h>
#include <time.h>

#include "tunmgr/tunmgr.h"

void sa_counters(struct va *v, struct sa_in *s, int force)
{
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
	uint64_t sum = c.pkts_encaps + c.pkts_decaps + c.verify_fail + c.replay_fail +
	               c.recv_errors + c.send_errors;
	if (!force && sum == s->reported)
		return;
	s->reported = sum;
	imsg_compose(&dp.parent, IMSG_SA_COUNTERS, v->session_id, -1, &c, sizeof(c));
}


void send_counters(struct va *v, int final)
{
	struct msg_counters c = {
		.final = final,
		.session_id = v->session_id, .pkts_in = v->pkts_in, .pkts_out = v->pkts_out,
		.bytes_in = v->bytes_in, .bytes_out = v->bytes_out, .drop_auth = v->drop_auth,
		.drop_replay = v->drop_replay, .drop_other = v->drop_other,
	};
	imsg_compose(&dp.parent, IMSG_COUNTERS, v->session_id, -1, &c, sizeof(c));
}


void on_stats(uv_timer_t *t)
{
	static unsigned ticks;
	time_t now = time(NULL);
	int counters = ++ticks % 5 == 0;
	for (struct va *v = dp.vas; v; v = v->next) {
		if (counters)
			send_counters(v, 0);
		if (v->pkts_in != v->told_in || v->pkts_out != v->told_out) {
			struct msg_va_activity a = { v->session_id, v->pkts_in, v->pkts_out };
			imsg_compose(&dp.ike, IMSG_VA_ACTIVITY, v->session_id, -1, &a, sizeof(a));
			v->told_in = v->pkts_in;
			v->told_out = v->pkts_out;
		}
		for (int i = 0; i < VA_MAX_IN; i++) {
			struct sa_in *s = v->in[i];
			if (!s)
				continue;
			if (counters)
				sa_counters(v, s, 0);
			uint64_t bytes = esp_sa_stats(s->esp).bytes;
			/* the lifetime in kilobytes holds for each direction (RFC 2407 4.5) */
			struct va_out *o = out_find(v, s->net, s->mask);
			if (o && o->out && o->out_spi == s->spi_out) {
				uint64_t ob = esp_sa_stats(o->out).bytes;
				if (ob > bytes)
					bytes = ob;
			}
			int hard = (s->hard_seconds && now - s->created >= s->hard_seconds) ||
			           (s->hard_bytes && bytes >= s->hard_bytes);
			int soft = (s->soft_seconds && now - s->created >= s->soft_seconds) ||
			           (s->soft_bytes && bytes >= s->soft_bytes);
			/* Soft always comes first, hard at the earliest a second later: a burst that
			 * crosses both limits between two ticks still gets its rekey before the
			 * SA goes. */
			if ((soft || hard) && !s->soft_sent) {
				struct msg_sa_expire e = { v->session_id, s->spi, 0 };
				imsg_compose(&dp.ike, IMSG_SA_EXPIRE, v->session_id, -1, &e, sizeof(e));
				s->soft_sent = 1;
			} else if (hard && !s->hard_sent) {
				struct msg_sa_expire e = { v->session_id, s->spi, 1 };
				imsg_compose(&dp.ike, IMSG_SA_EXPIRE, v->session_id, -1, &e, sizeof(e));
				s->hard_sent = 1;
			}
		}
	}
}

