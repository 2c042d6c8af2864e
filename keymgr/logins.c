/*
 * Who is logged in: one row per session that keymgr accepted, for `max-users` (sessions of a
 * group) and `max-logins` (sessions of one user in a group), as IOS counts them. A client
 * that re-authenticates (phase 1 rekey, or a reboot with INITIAL-CONTACT) names the sessions
 * it takes over, so they do not count against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymgr/keymgr.h"

struct login {
	struct login *next;
	uint32_t session_id;
	char     user[MSG_USER_MAX];
	char     group[MSG_GROUP_MAX];
};

static struct login *logins;

static int replaced(uint32_t id, const uint32_t *replaces, int n)
{
	for (int i = 0; i < n; i++)
		if (replaces[i] == id)
			return 1;
	return 0;
}

int logins_check(const char *group, const char *user, int max_users, int max_logins,
                 const uint32_t *replaces, int nreplaces, char *why, size_t whylen)
{
	int in_group = 0, of_user = 0;
	for (const struct login *l = logins; l; l = l->next) {
		if (strcmp(l->group, group) || replaced(l->session_id, replaces, nreplaces))
			continue;
		in_group++;
		if (user[0] && !strcmp(l->user, user))
			of_user++;
	}
	if (max_users > 0 && in_group >= max_users) {
		snprintf(why, whylen, "group '%s' has reached max-users %d", group, max_users);
		return -1;
	}
	if (max_logins > 0 && user[0] && of_user >= max_logins) {
		snprintf(why, whylen, "user '%s' has reached max-logins %d", user, max_logins);
		return -1;
	}
	return 0;
}

int logins_add(uint32_t session_id, const char *group, const char *user)
{
	struct login *l = calloc(1, sizeof(*l));
	if (!l)
		return -1;
	l->session_id = session_id;
	snprintf(l->user, sizeof(l->user), "%s", user);
	snprintf(l->group, sizeof(l->group), "%s", group);
	l->next = logins;
	logins = l;
	return 0;
}

void logins_del(uint32_t session_id)
{
	for (struct login **pp = &logins; *pp; pp = &(*pp)->next)
		if ((*pp)->session_id == session_id) {
			struct login *l = *pp;
			*pp = l->next;
			free(l);
			return;
		}
}

int logins_count(const char *group, const char *user)
{
	int n = 0;
	for (const struct login *l = logins; l; l = l->next)
		if ((!group || !strcmp(l->group, group)) && (!user || !strcmp(l->user, user)))
			n++;
	return n;
}
