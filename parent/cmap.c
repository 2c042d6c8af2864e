/*
 * tunmgr's reports of manual crypto map entries (IMSG_CM_SA_UP / IMSG_CM_SA_DOWN) into the
 * session store, where `show crypto ipsec sa` reads them. No IKE negotiates these SAs, so
 * tunmgr, which installed them from keymgr's keys, is believed here, but only about session
 * ids from MSG_CM_SESSION_BASE up: it cannot add or end a row of a hub session.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "common/msg.h"
#include "db/db.h"
#include "parent/parent.h"

static int printable(char *s, size_t size)
{
	s[size - 1] = '\0';
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

static int cm_id(uint32_t id)
{
	return id >= MSG_CM_SESSION_BASE && id - MSG_CM_SESSION_BASE < CONF_MAX_CMAPS;
}

void cmap_sa_report(struct imsgbuf *ib, struct imsg *m, void *arg)
{
	struct child *c = arg;
	struct parent *p = c->parent;
	(void)ib;
	if (!c->ready) {
		child_protocol_error(c, "a message before READY");
		return;
	}
	if (m->hdr.type == IMSG_CM_SA_UP) {
		struct msg_cm_sa u;
		memcpy(&u, m->data, sizeof(u));
		if (!cm_id(u.sa.session_id) || !printable(u.map, sizeof(u.map)) ||
		    !printable(u.iface, sizeof(u.iface)) ||
		    !printable(u.sa.ifname, sizeof(u.sa.ifname)) ||
		    !printable(u.sa.transform, sizeof(u.sa.transform)) || u.seq < 1 ||
		    u.seq > 65535) {
			child_protocol_error(c, "a malformed crypto map SA report");
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
		if (!cm_id(d.session_id) || !printable(d.reason, sizeof(d.reason))) {
			child_protocol_error(c, "a malformed crypto map SA report");
			return;
		}
		db_batch_begin(p->db);
		if (db_cm_sa_down(p->db, d.session_id, d.spi_in, d.reason) == -1)
			log_warnx("crypto map SA %08x: end not recorded", ntohl(d.spi_in));
	}
	commit_soon(p);     /* show sees it as soon as the interface does */
}
