/*
 * tunmgr's reports of manual crypto map entries (IMSG_CM_SA_UP / IMSG_CM_SA_DOWN) into the
 * session store, where `show crypto ipsec sa` reads them, once cmap_check.c accepted them
 * (session ids from MSG_CM_SESSION_BASE up only: tunmgr cannot add or end a hub session's
 * row).
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "common/msg.h"
#include "db/db.h"
#include "parent/ezvpn.h"
#include "parent/parent.h"

void cmap_sa_report(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	struct parent *p = c->parent;
	const char *why;
	(void)ib;
	if (!c->ready) {
		child_protocol_error(c, "a message before READY");
		return;
	}
	if (m->hdr.type == IMSG_CM_SA_UP) {
		struct msg_cm_sa u;
		memcpy(&u, m->data, sizeof(u));
		if ((why = cm_sa_check(&u)) != NULL) {
			child_protocol_error(c, why);
			return;
		}
		db_batch_begin(p->db);
		if (db_cm_sa_up(p->db, &u) == -1)
			log_warnx("crypto map %s %d: SA not recorded", u.map, u.seq);
		char what[160];
		snprintf(what, sizeof(what), "crypto map %s %d: manual SA in %08x out %08x on %s",
		         u.map, u.seq, ntohl(u.sa.spi_in), ntohl(u.sa.spi_out), u.sa.ifname);
		if (db_event(p->db, u.sa.session_id, what) == -1)
			log_debug("%s: event not recorded", u.sa.ifname);
	} else {
		struct msg_ipsec_sa_down d;
		memcpy(&d, m->data, sizeof(d));
		if ((why = cm_sa_down_check(&d)) != NULL) {
			child_protocol_error(c, why);
			return;
		}
		db_batch_begin(p->db);
		if (db_cm_sa_down(p->db, d.session_id, d.spi_in, d.reason) == -1)
			log_warnx("crypto map SA %08x: end not recorded", ntohl(d.spi_in));
	}
	commit_soon(p);     /* show sees it as soon as the interface does */
}
