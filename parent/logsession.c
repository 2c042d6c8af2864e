/*
 * crypto logging session: one line per session up and down, as IOS prints them, at notice
 * level with the journal's PEER, USER, GROUP and SESSION fields. The parent sees every
 * session open and close (it writes them to the store), so the lines come from here; it keeps
 * what the DOWN line names (peer, group, user) while the session lives.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "parent/parent.h"

#define BUCKETS 4096

struct live {
	struct live *next;
	uint32_t     id;
	union sa46 peer;
	char         user[MSG_USER_MAX];
	char         group[MSG_GROUP_MAX];
};
static struct live *table[BUCKETS];

static void line(const char *state, const struct live *s)
{
	char a[SA46_PORTSTRLEN];
	struct log_peer lp = { .addr = sa46_in4(&s->peer).s_addr,
	                       .addr6 = sa46_is6(&s->peer) ? &s->peer.sin6.sin6_addr : NULL,
	                       .user = s->user,
	                       .group = s->group, .session = s->id };

	log_pri(5, &lp, "%%CRYPTO-5-SESSION_STATUS: Crypto tunnel is %s.  Peer %s       Id: %s",
	        state, sa46_ntop_port(&s->peer, a), s->group);
}

void logsession_up(struct parent *p, const struct msg_session_up *u)
{
	struct live *s;

	if (!p->conf->logging.crypto_session || (s = calloc(1, sizeof(*s))) == NULL)
		return;
	s->id = u->session_id;
	s->peer = u->peer;
	memcpy(s->user, u->user, sizeof(s->user));
	memcpy(s->group, u->group, sizeof(s->group));
	s->next = table[s->id % BUCKETS];
	table[s->id % BUCKETS] = s;
	line("UP  ", s);
}

void logsession_down(struct parent *p, uint32_t id)
{
	struct live **pp = &table[id % BUCKETS], *s;

	for (; (s = *pp) != NULL; pp = &s->next)
		if (s->id == id)
			break;
	if (s == NULL)
		return;         /* up before crypto logging session was configured */
	*pp = s->next;
	if (p->conf->logging.crypto_session)
		line("DOWN", s);
	free(s);
}

void logsession_free(void)
{
	for (int b = 0; b < BUCKETS; b++) {
		while (table[b] != NULL) {
			struct live *s = table[b];
			table[b] = s->next;
			free(s);
		}
	}
}
