/*
 * show logging [--json]: IOS's header (where lines go, from which level, how many) and the
 * buffered lines. The parent sends each line at or above `logging buffered`'s level
 * (IMSG_CTL_LOG, parent/logsink.c) with its counters; they are kept here, bounded by the
 * configured size in bytes, oldest out first. Nothing here may log: the line would come back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "common/conf.h"
#include "common/msg.h"
#include "control/control.h"
#include "control/json.h"
#include "control/show_logging.h"

struct ring_line {
	struct ring_line *next;
	size_t            len;
	char              text[];
};

static struct {
	struct ring_line *head, *tail;
	size_t            bytes;
	unsigned long     nlines;
	uint64_t          logged, dropped, sent, buffered;
	int               dest, have;
} rg;

static void trim(size_t limit)
{
	while (rg.head != NULL && rg.bytes > limit) {
		struct ring_line *l = rg.head;
		rg.head = l->next;
		if (rg.head == NULL)
			rg.tail = NULL;
		rg.bytes -= l->len;
		rg.nlines--;
		free(l);
	}
}

void show_logging_clear(void)
{
	trim(0);
	memset(&rg, 0, sizeof(rg));
}

int show_logging_keep(const void *data, size_t len, const struct conf_logging *l)
{
	struct msg_log_line m;
	struct ring_line *r;
	size_t n;

	if (len != sizeof(m))
		return -1;
	memcpy(&m, data, sizeof(m));
	m.line[sizeof(m.line) - 1] = '\0';
	rg.logged = m.logged;
	rg.dropped = m.dropped;
	rg.sent = m.sent;
	rg.dest = m.dest;
	rg.have = 1;
	rg.buffered++;
	if (l->buffered < 0) {
		trim(0);
		return 0;
	}
	/* the parent is trusted less than not at all, but a line is shown as text: clean it */
	for (char *c = m.line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	n = strlen(m.line);
	if ((r = malloc(sizeof(*r) + n + 1)) == NULL)
		return 0;       /* the line is lost, the ring keeps what it had */
	r->next = NULL;
	r->len = n + 1;
	memcpy(r->text, m.line, n + 1);
	if (rg.tail)
		rg.tail->next = r;
	else
		rg.head = r;
	rg.tail = r;
	rg.bytes += r->len;
	rg.nlines++;
	trim((size_t)l->buffer_size);
	return 0;
}

static const char *level(int lv)
{
	const char *n = conf_log_level_name(lv);
	return n ? n : "disabled";
}

static void show_json(struct control_conn *cc, const struct conf_logging *l, const char *dest)
{
	const char *fac = conf_log_facility_name(l->facility);
	char a[INET_ADDRSTRLEN];
	struct control_json j;
	struct jw *w = control_json_begin(cc, &j);
	if (w == NULL)
		return;
	jw_bool(w, "syslog_logging", !l->off);
	jw_str(w, "destination", dest);
	jw_str(w, "console_level", l->console >= 0 ? level(l->console) : NULL);
	jw_str(w, "buffer_level", l->buffered >= 0 ? level(l->buffered) : NULL);
	jw_int(w, "buffer_size", l->buffer_size);
	jw_str(w, "trap_level", l->trap >= 0 ? level(l->trap) : NULL);
	jw_str(w, "facility", fac ? fac : "daemon");
	jw_bool(w, "crypto_logging_session", l->crypto_session);
	jw_u64(w, "messages_logged", rg.logged);
	jw_u64(w, "messages_dropped", rg.dropped);
	jw_u64(w, "messages_sent", rg.sent);
	jw_arr(w, "hosts");
	for (int k = 0; k < l->nhost && k < CONF_MAX_LOG_HOSTS; k++) {
		inet_ntop(AF_INET, &l->host[k].addr, a, sizeof(a));
		jw_obj(w, NULL);
		jw_str(w, "address", a);
		jw_int(w, "port", l->host[k].port);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "lines");
	for (const struct ring_line *r = rg.head; r != NULL; r = r->next)
		jw_str(w, NULL, r->text);
	jw_arr_end(w);
	control_json_end(cc, &j);
}

void show_logging_cmd(struct control_conn *cc, int argc, char **argv)
{
	static const char *const dests[] = { "stderr", "syslog", "journal" };
	const struct vpnd_conf *conf = control_conf(cc);
	struct conf_logging l;
	const char *dest = rg.dest >= 0 && rg.dest <= 2 ? dests[rg.dest] : "stderr";
	char a[INET_ADDRSTRLEN];
	int json = control_take_json(&argc, argv);

	if (argc) {
		control_printf(cc, "%% Invalid input: expected [--json]\n");
		return;
	}
	if (conf == NULL)
		conf_logging_defaults(&l);
	else
		l = conf->logging;
	if (!rg.have)
		dest = "unknown (no line buffered yet)";
	if (json) {
		show_json(cc, &l, dest);
		return;
	}
	control_printf(cc, "Syslog logging: %s (%llu messages dropped, %llu messages logged)\n",
	               l.off ? "disabled" : "enabled", (unsigned long long)rg.dropped,
	               (unsigned long long)rg.logged);
	if (l.console >= 0)
		control_printf(cc, "    Console logging: level %s (stderr in the foreground)\n",
		               level(l.console));
	else
		control_printf(cc, "    Console logging: disabled\n");
	if (l.buffered >= 0 && !l.off)
		control_printf(cc, "    Buffer logging:  level %s, %llu messages logged\n",
		               level(l.buffered), (unsigned long long)rg.buffered);
	else
		control_printf(cc, "    Buffer logging:  disabled\n");
	if (l.trap >= 0 && !l.off) {
		const char *fac = conf_log_facility_name(l.facility);
		control_printf(cc, "    Trap logging: level %s, facility %s, %llu message lines "
		               "sent\n", level(l.trap), fac ? fac : "daemon",
		               (unsigned long long)rg.sent);
		control_printf(cc, "        Logging to %s\n", dest);
		for (int k = 0; k < l.nhost && k < CONF_MAX_LOG_HOSTS; k++) {
			inet_ntop(AF_INET, &l.host[k].addr, a, sizeof(a));
			control_printf(cc, "        Logging to %s (udp port %u)\n", a,
			               (unsigned)l.host[k].port);
		}
	} else {
		control_printf(cc, "    Trap logging: disabled\n");
	}
	control_printf(cc, "    Crypto session logging: %s\n",
	               l.crypto_session ? "enabled" : "disabled");
	if (l.buffered < 0 || l.off)
		return;
	control_printf(cc, "\nLog Buffer (%d bytes):\n", l.buffer_size);
	for (const struct ring_line *r = rg.head; r != NULL; r = r->next)
		control_printf(cc, "%s\n", r->text);
}

/* logging: levels by IOS name, null when that destination is off */
void show_logging_conf_json(struct jw *w, const struct conf_logging *l)
{
	char a[INET_ADDRSTRLEN];
	const char *fac = conf_log_facility_name(l->facility);

	jw_obj(w, "logging");
	jw_bool(w, "on", !l->off);
	if (l->console >= 0)
		jw_str(w, "console", conf_log_level_name(l->console));
	else
		jw_null(w, "console");
	if (l->trap >= 0)
		jw_str(w, "trap", conf_log_level_name(l->trap));
	else
		jw_null(w, "trap");
	if (l->buffered >= 0)
		jw_str(w, "buffered", conf_log_level_name(l->buffered));
	else
		jw_null(w, "buffered");
	jw_int(w, "buffer_size", l->buffer_size);
	jw_str(w, "facility", fac ? fac : "daemon");
	jw_bool(w, "crypto_session", l->crypto_session);
	jw_arr(w, "hosts");
	for (int k = 0; k < l->nhost && k < CONF_MAX_LOG_HOSTS; k++) {
		inet_ntop(AF_INET, &l->host[k].addr, a, sizeof(a));
		jw_obj(w, NULL);
		jw_str(w, "address", a);
		jw_int(w, "port", l->host[k].port);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}
