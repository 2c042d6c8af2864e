/*
 * The logging commands, read and written back: where log lines go and from which level
 * (docs/operator.md "Logging"). Levels and facilities by IOS name or number, as IOS takes them.
 *   logging buffered [SIZE] [LEVEL] | console LEVEL | trap LEVEL | facility NAME
 *   logging host A.B.C.D [transport udp [port N]] | logging on
 *   no logging console | buffered | trap | host A.B.C.D | on
 *   crypto logging session
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "common/conf_parse.h"

#define NOOP(w) { w, NULL, NULL, KW_NOOP }
#define FN(w, f) { w, NULL, f, 0 }
#define END { NULL, NULL, NULL, 0 }

#define BUFFER_MIN     4096
#define BUFFER_MAX     (1 << 20)    /* the ring is the control process's memory */
#define BUFFER_DEFAULT 4096         /* IOS's */

static const char *const levels[] = {
	"emergencies", "alerts", "critical", "errors", "warnings", "notifications",
	"informational", "debugging",
};

static const struct { const char *name; int code; } facilities[] = {
	{ "kern", 0 }, { "user", 1 }, { "mail", 2 }, { "daemon", 3 }, { "auth", 4 },
	{ "syslog", 5 }, { "lpr", 6 }, { "news", 7 }, { "uucp", 8 }, { "cron", 9 },
	{ "authpriv", 10 }, { "ftp", 11 },
	{ "local0", 16 }, { "local1", 17 }, { "local2", 18 }, { "local3", 19 },
	{ "local4", 20 }, { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
};
#define NFAC (sizeof(facilities) / sizeof(facilities[0]))

const char *conf_log_level_name(int level)
{
	return level >= 0 && level <= 7 ? levels[level] : NULL;
}

const char *conf_log_facility_name(int code)
{
	for (size_t k = 0; k < NFAC; k++)
		if (facilities[k].code == code)
			return facilities[k].name;
	return NULL;
}

void conf_logging_defaults(struct conf_logging *l)
{
	memset(l, 0, sizeof(*l));
	l->console = 7;
	l->trap = 6;
	l->buffered = -1;
	l->buffer_size = BUFFER_DEFAULT;
	l->facility = 3;        /* daemon, as Debian's services log; IOS's local7 is a word away */
}

static int level_word(const char *w)
{
	if (w[0] >= '0' && w[0] <= '7' && w[1] == '\0')
		return w[0] - '0';
	for (int k = 0; k < 8; k++)
		if (!strcasecmp(w, levels[k]))
			return k;
	return -1;
}

/* One level word at i, or a FILE:LINE error naming what was expected. */
static int level_at(struct conf_parser *p, int i, int *out)
{
	int lv;

	if (!cp_need(p, i, "a level (0-7 or emergencies .. debugging)"))
		return 0;
	lv = level_word(p->argv[i]);
	if (lv < 0) {
		cp_error(p, "bad level '%s' in '%s', expected 0-7 or emergencies, alerts, critical, "
		         "errors, warnings, notifications, informational, debugging", p->argv[i], p->cmd);
		return 0;
	}
	*out = lv;
	return 1;
}

static void h_console(struct conf_parser *p, int i)
{
	int lv;
	if (level_at(p, i, &lv) && cp_end(p, i + 1))
		p->conf->logging.console = lv;
}

static void h_trap(struct conf_parser *p, int i)
{
	int lv = 6;     /* "logging trap" alone: IOS's informational */
	if (i < p->argc && !level_at(p, i, &lv))
		return;
	if (cp_end(p, i < p->argc ? i + 1 : i))
		p->conf->logging.trap = lv;
}

static void h_buffered(struct conf_parser *p, int i)
{
	struct conf_logging *l = &p->conf->logging;
	long long size = l->buffer_size;
	int lv = 7;

	if (i < p->argc && cp_is_number(p->argv[i]) && level_word(p->argv[i]) < 0) {
		if (!cp_num(p, i, "logging buffered size", BUFFER_MIN, BUFFER_MAX, &size))
			return;
		i++;
	}
	if (i < p->argc && !level_at(p, i++, &lv))
		return;
	if (!cp_end(p, i))
		return;
	l->buffered = lv;
	l->buffer_size = (int)size;
}

static void h_facility(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "a facility (local0 .. local7, daemon, ...)"))
		return;
	for (size_t k = 0; k < NFAC; k++) {
		if (!strcasecmp(p->argv[i], facilities[k].name)) {
			if (cp_end(p, i + 1))
				p->conf->logging.facility = facilities[k].code;
			return;
		}
	}
	cp_error(p, "bad facility '%s', expected local0 .. local7, daemon, auth, authpriv, user, "
	         "syslog, kern, mail, lpr, news, uucp, cron or ftp", p->argv[i]);
}

static struct conf_log_host *find_host(struct conf_logging *l, struct in_addr a)
{
	for (int k = 0; k < l->nhost; k++)
		if (l->host[k].addr.s_addr == a.s_addr)
			return &l->host[k];
	return NULL;
}

/* logging host A.B.C.D [transport udp [port N]] (IOS also takes "logging A.B.C.D") */
static void host_at(struct conf_parser *p, int i)
{
	struct conf_logging *l = &p->conf->logging;
	struct conf_log_host h = { .port = 514 };
	struct conf_log_host *old;
	long long port;

	if (!cp_need(p, i, "a host address") || !cp_addr(p, i, "logging host", &h.addr))
		return;
	i++;
	if (i < p->argc) {
		if (strcmp(p->argv[i], "transport") != 0) {
			cp_error(p, "unexpected '%s' in '%s', expected transport udp [port N]",
			         p->argv[i], p->cmd);
			return;
		}
		if (!cp_need(p, i + 1, "udp"))
			return;
		if (strcmp(p->argv[i + 1], "udp") != 0) {
			cp_error(p, "transport '%s' is not supported, expected udp", p->argv[i + 1]);
			return;
		}
		i += 2;
		if (i < p->argc) {
			if (strcmp(p->argv[i], "port") != 0) {
				cp_error(p, "unexpected '%s' in '%s', expected port N", p->argv[i], p->cmd);
				return;
			}
			if (!cp_need(p, i + 1, "a port from 1 to 65535") ||
			    !cp_num(p, i + 1, "port", 1, 65535, &port))
				return;
			h.port = (uint16_t)port;
			i += 2;
		}
	}
	if (!cp_end(p, i))
		return;
	if ((old = find_host(l, h.addr)) != NULL) {
		*old = h;
		return;
	}
	if (l->nhost == CONF_MAX_LOG_HOSTS) {
		cp_error(p, "too many logging hosts (at most %d)", CONF_MAX_LOG_HOSTS);
		return;
	}
	l->host[l->nhost++] = h;
}

static void h_host(struct conf_parser *p, int i) { host_at(p, i); }

static void h_on(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->logging.off = 0;
}

static void h_no_console(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->logging.console = -1;
}

static void h_no_buffered(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->logging.buffered = -1;
}

/* IOS has no "off" trap level: no logging trap stops syslog, the journal and the hosts */
static void h_no_trap(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->logging.trap = -1;
}

static void h_no_on(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		p->conf->logging.off = 1;
}

static void h_no_host(struct conf_parser *p, int i)
{
	struct conf_logging *l = &p->conf->logging;
	struct in_addr a;
	struct conf_log_host *h;

	if (!cp_need(p, i, "a host address") || !cp_addr(p, i, "logging host", &a))
		return;
	/* the rest of the line (transport, port) may be pasted as it was: the address decides */
	if ((h = find_host(l, a)) != NULL)
		*h = l->host[--l->nhost];
}

const struct cp_kw cp_logging_cmds[] = {
	FN("buffered", h_buffered),
	FN("console", h_console),
	FN("trap", h_trap),
	FN("facility", h_facility),
	FN("host", h_host),
	FN("on", h_on),
	NOOP("monitor"),
	NOOP("source-interface"),
	NOOP("rate-limit"),
	NOOP("origin-id"),
	NOOP("history"),
	NOOP("userinfo"),
	NOOP("queue-limit"),
	NOOP("count"),
	NOOP("persistent"),
	NOOP("snmp-trap"),
	NOOP("alarm"),
	NOOP("event"),
	NOOP("exception"),
	NOOP("discriminator"),
	NOOP("message-counter"),
	NOOP("reload"),
	NOOP("hostnameprefix"),
	END
};

const struct cp_kw cp_no_logging_cmds[] = {
	FN("console", h_no_console),
	FN("buffered", h_no_buffered),
	FN("trap", h_no_trap),
	FN("host", h_no_host),
	FN("on", h_no_on),
	NOOP("monitor"),
	NOOP("source-interface"),
	NOOP("rate-limit"),
	NOOP("origin-id"),
	NOOP("history"),
	NOOP("userinfo"),
	NOOP("queue-limit"),
	NOOP("count"),
	NOOP("persistent"),
	NOOP("event"),
	NOOP("exception"),
	NOOP("message-counter"),
	END
};

/* crypto logging session: one %CRYPTO-5-SESSION_STATUS line per session up and down */
void cp_h_crypto_logging(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "session"))
		return;
	if (strcmp(p->argv[i], "session") != 0) {
		/* crypto logging ezvpn and the like exist on IOS but mean nothing here */
		cp_warn(p, "'%s' ignored: only crypto logging session is supported", p->cmd);
		return;
	}
	if (cp_end(p, i + 1))
		p->conf->logging.crypto_session = 1;
}

/* "logging WHAT LEVEL", or "no logging WHAT" for off; nothing at the default. 1 if printed. */
static int print_level(FILE *f, const char *what, int lv, int dflt)
{
	if (lv == dflt)
		return 0;
	if (lv < 0)
		fprintf(f, "no logging %s\n", what);
	else
		fprintf(f, "logging %s %s\n", what, levels[lv & 7]);
	return 1;
}

void conf_logging_print(FILE *f, const struct conf_logging *l)
{
	struct conf_logging d;
	int any = 0;

	conf_logging_defaults(&d);
	if (l->off) {
		fprintf(f, "no logging on\n");
		any = 1;
	}
	if (l->buffered >= 0) {
		fprintf(f, "logging buffered %d %s\n", l->buffer_size, levels[l->buffered & 7]);
		any = 1;
	}
	any |= print_level(f, "console", l->console, d.console);
	any |= print_level(f, "trap", l->trap, d.trap);
	if (l->facility != d.facility) {
		const char *n = conf_log_facility_name(l->facility);
		fprintf(f, "logging facility %s\n", n ? n : "daemon");
		any = 1;
	}
	for (int k = 0; k < l->nhost && k < CONF_MAX_LOG_HOSTS; k++) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &l->host[k].addr, a, sizeof(a));
		fprintf(f, "logging host %s", a);
		if (l->host[k].port != 514)
			fprintf(f, " transport udp port %u", (unsigned)l->host[k].port);
		fprintf(f, "\n");
		any = 1;
	}
	if (any)
		fprintf(f, "!\n");
	if (l->crypto_session)
		fprintf(f, "crypto logging session\n!\n");
}
