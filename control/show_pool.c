/*
 * show ip local pool [NAME], as IOS lays it out: each pool's range, free and in-use counts;
 * with a name, also the addresses in use, by whom and on which Virtual-Access. The pools come
 * from the configuration, the addresses from the open sessions in the store (the same rows as
 * show crypto session), so it needs no question to keymgr, which hands the addresses out.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/json.h"
#include "control/show_config.h"

struct used {
	uint32_t addr;      /* host order */
	int      unit;
	char     user[CONF_NAME_MAX * 2];
};

static int by_addr(const void *a, const void *b)
{
	uint32_t x = ((const struct used *)a)->addr, y = ((const struct used *)b)->addr;
	return x < y ? -1 : x > y;
}

/* Every open session's assigned address, sorted; *n of them. NULL with ERR on failure. */
static struct used *in_use(sqlite3 *db, size_t *n, char *err, size_t errlen)
{
	static const char sql[] = "SELECT assigned_addr, unit, username FROM sessions"
	                          " WHERE ended IS NULL AND assigned_addr IS NOT NULL";
	sqlite3_stmt *s = NULL;
	struct used *u = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "session store: %s", sqlite3_errmsg(db));
		return NULL;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0), *user = sqlite3_column_text(s, 2);
		struct in_addr a;
		if (!t || inet_pton(AF_INET, (const char *)t, &a) != 1)
			continue;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct used *nu = realloc(u, ncap * sizeof(*u));
			if (!nu) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			u = nu;
			cap = ncap;
		}
		u[*n].addr = ntohl(a.s_addr);
		u[*n].unit = sqlite3_column_int(s, 1);
		snprintf(u[*n].user, sizeof(u[*n].user), "%s", user ? (const char *)user : "");
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "session store: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_finalize(s);
	if (*n)
		qsort(u, *n, sizeof(*u), by_addr);
	if (!u)
		u = malloc(1);     /* an empty answer, not a failure */
	return u;
fail:
	sqlite3_finalize(s);
	free(u);
	return NULL;
}

static const char *dotted(uint32_t host, char *buf)
{
	struct in_addr a = { .s_addr = htonl(host) };
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

int show_ip_local_pool(FILE *f, const struct vpnd_conf *c, sqlite3 *db, const char *name,
                       int json, char *err, size_t errlen)
{
	const struct conf_pool *only = NULL;
	size_t n;
	struct jw w;
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	if (name && !(only = conf_find_pool(c, name))) {
		snprintf(err, errlen, "no ip local pool named %s", name);
		return -1;
	}
	struct used *u = in_use(db, &n, err, errlen);
	if (!u)
		return -1;
	if (json) {
		jw_init(&w, f);
		jw_obj(&w, NULL);
		jw_arr(&w, "pools");
	} else {
		fprintf(f, " %-24s %-15s %-15s %6s %7s\n", "Pool", "Begin", "End", "Free", "In use");
	}
	for (int i = 0; i < c->npool; i++) {
		const struct conf_pool *p = &c->pool[i];
		if (only && p != only)
			continue;
		uint32_t lo = ntohl(p->start.s_addr), hi = ntohl(p->end.s_addr);
		uint64_t size = (uint64_t)hi - lo + 1, used = 0;
		for (size_t k = 0; k < n; k++)
			used += u[k].addr >= lo && u[k].addr <= hi;
		if (json) {
			jw_obj(&w, NULL);
			jw_str(&w, "name", p->name);
			jw_str(&w, "begin", dotted(lo, b1));
			jw_str(&w, "end", dotted(hi, b2));
			jw_int(&w, "free", (long long)(size - used));
			jw_int(&w, "in_use", (long long)used);
		} else {
			fprintf(f, " %-24s %-15s %-15s %6llu %7llu\n", p->name, dotted(lo, b1),
			        dotted(hi, b2), (unsigned long long)(size - used),
			        (unsigned long long)used);
		}
		if (!only) {
			if (json)
				jw_obj_end(&w);
			continue;
		}
		if (json)
			jw_arr(&w, "in_use_addresses");
		else
			fprintf(f, "\n Inuse addresses:\n");
		for (size_t k = 0; k < n; k++) {
			if (u[k].addr < lo || u[k].addr > hi)
				continue;
			char ifn[32];
			snprintf(ifn, sizeof(ifn), "Virtual-Access%d", u[k].unit);
			if (json) {
				jw_obj(&w, NULL);
				jw_str(&w, "address", dotted(u[k].addr, b1));
				jw_str(&w, "interface", ifn);
				jw_str(&w, "username", u[k].user);
				jw_obj_end(&w);
			} else {
				fprintf(f, "  %-15s %-20s %s\n", dotted(u[k].addr, b1), ifn, u[k].user);
			}
		}
		if (json) {
			jw_arr_end(&w);
			jw_obj_end(&w);
		}
	}
	if (json) {
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	free(u);
	return 0;
}

void show_cmd_ip_local_pool(struct control_conn *cc, int argc, char **argv)
{
	const struct vpnd_conf *c = control_conf(cc);
	int json = control_take_json(&argc, argv);
	struct control_out o;
	char err[256];

	if (argc > 1) {
		control_printf(cc, "%% Invalid input: '%s' (usage: show ip local pool [NAME] "
		               "[--json])\n", argv[1]);
		return;
	}
	if (c == NULL || control_db() == NULL) {
		control_printf(cc, "%% %s\n", c ? "session store not opened at start (see the log)"
		                                : "no configuration loaded");
		return;
	}
	if (control_out_open(cc, &o) == NULL)
		return;
	if (show_ip_local_pool(o.f, c, control_db(), argc ? argv[0] : NULL, json, err,
	                       sizeof(err)) < 0) {
		/* the error alone: a memory stream's size is where it was last written */
		fseek(o.f, 0, SEEK_SET);
		fprintf(o.f, "%% %s\n", err);
	}
	control_out_send(cc, &o);
}
