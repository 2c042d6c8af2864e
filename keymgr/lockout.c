/*
 * aaa local authentication attempts max-fail N, as on IOS: a local user whose password was
 * wrong N times in a row is locked out until an operator clears it (clear aaa local user
 * lockout); a good password before that resets the count. Only configured users are tracked,
 * so the table is bounded by the configuration and guessing names fills nothing.
 *
 * Per source address as well, for password spraying (one user name after another): an address
 * with LOCKOUT_SRC_FACTOR * N failed logins, any users, RADIUS ones included, within
 * LOCKOUT_SRC_WINDOW seconds is refused until that window ends.
 *
 * A refused login looks like a wrong password to the client (it must not learn that a name
 * exists, nor that it is locked); the log says why. The parent gets every change of a user's
 * state (IMSG_LOCKOUT_STATE) for show aaa local user lockout.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "keymgr/keymgr.h"

#define LOCKOUT_SRC_FACTOR 4
#define LOCKOUT_SRC_WINDOW 600
#define SRC_SLOTS          1024

static struct msg_lockout users[CONF_MAX_USERS];
static int nusers;
static struct { uint64_t addr; int fails; time_t first; } src[SRC_SLOTS];
static keymgr_send_fn report_fn;
static const struct vpnd_conf *lconf;

void lockout_init(const struct vpnd_conf *conf, keymgr_send_fn to_parent)
{
	lconf = conf;
	report_fn = to_parent;
	nusers = 0;
	memset(src, 0, sizeof(src));
}

static void report(const struct msg_lockout *u)
{
	if (report_fn)
		report_fn(IMSG_LOCKOUT_STATE, 0, u, sizeof(*u));
}

static struct msg_lockout *find(const char *user, int create)
{
	for (int i = 0; i < nusers; i++)
		if (!strcmp(users[i].user, user))
			return &users[i];
	if (!create || nusers >= CONF_MAX_USERS || !conf_find_user(lconf, user))
		return NULL;
	struct msg_lockout *u = &users[nusers++];
	memset(u, 0, sizeof(*u));
	snprintf(u->user, sizeof(u->user), "%s", user);
	return u;
}

static void forget(struct msg_lockout *u)
{
	struct msg_lockout gone = *u;
	gone.fails = 0;
	gone.locked = 0;
	*u = users[--nusers];
	report(&gone);
}

static unsigned slot(uint64_t k)
{
	return (unsigned)((k * 0x9e3779b97f4a7c15ull) >> 32) % SRC_SLOTS;
}

/* per source: an IPv4 address or an IPv6 /64 (sa46_source_key) */
int lockout_refused(const char *user, const union sa46 *from, char *why, size_t whylen)
{
	if (!lconf || !lconf->aaa_max_fail)
		return 0;
	const struct msg_lockout *u = find(user, 0);
	uint64_t k = sa46_source_key(from);
	unsigned i = slot(k);
	char a[SA46_STRLEN];
	sa46_ntop(from, a);
	if (u && u->locked)
		snprintf(why, whylen, "user locked out after %d failed logins (clear aaa local user "
		         "lockout)", u->fails);
	else if (src[i].addr == k && time(NULL) - src[i].first < LOCKOUT_SRC_WINDOW &&
	         src[i].fails >= LOCKOUT_SRC_FACTOR * lconf->aaa_max_fail)
		snprintf(why, whylen, "%d failed logins from %s in %d s: logins from there refused "
		         "for now", src[i].fails, a, LOCKOUT_SRC_WINDOW);
	else
		return 0;
	/* ikemgr's failure line may be swallowed by its rate limit: the reason is said here */
	log_rl("login of user '%s' from %s refused: %s", user, a, why);
	return 1;
}

void lockout_result(const char *user, const union sa46 *from, int ok, int local)
{
	if (!lconf || !lconf->aaa_max_fail)
		return;
	struct msg_lockout *u = local ? find(user, !ok) : NULL;
	if (ok) {
		if (u && !u->locked && u->fails)
			forget(u);
		return;
	}
	uint64_t k = sa46_source_key(from);
	unsigned i = slot(k);
	time_t now = time(NULL);
	if (src[i].addr != k || now - src[i].first >= LOCKOUT_SRC_WINDOW) {
		src[i].addr = k;
		src[i].fails = 0;
		src[i].first = now;
	}
	src[i].fails++;
	if (!u)
		return;
	u->fails++;
	u->last_fail = now;
	u->last_addr = *from;
	if (!u->locked && u->fails >= lconf->aaa_max_fail) {
		u->locked = 1;
		log_warnx("user '%s' locked out after %d failed logins, the last from %s", u->user,
		          u->fails, sa46_ntop(from, (char[SA46_STRLEN]){ 0 }));
	}
	report(u);
}

int lockout_clear(const struct msg_lockout_clear *c)
{
	int n = 0;
	for (int i = nusers - 1; i >= 0; i--)
		if (c->all || !strcmp(users[i].user, c->user)) {
			if (users[i].locked)
				log_info("user '%s' lockout cleared by the operator", users[i].user);
			forget(&users[i]);
			n++;
		}
	if (c->all)
		memset(src, 0, sizeof(src));
	return n;
}

/* After a reload: users no longer configured are forgotten; with max-fail gone, everyone. */
void lockout_reload(void)
{
	for (int i = nusers - 1; i >= 0; i--)
		if (!lconf->aaa_max_fail || !conf_find_user(lconf, users[i].user))
			forget(&users[i]);
}
