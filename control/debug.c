/*
 * The operator's crypto debugging on the control socket, as IOS has it:
 *
 *   debug crypto isakmp|ipsec|engine [error]      no debug crypto isakmp|ipsec|engine
 *   debug crypto ikev2 [packet | internal | error] no debug crypto ikev2 [packet | internal]
 *   debug crypto condition peer ipv4 A | peer subnet A M | [peer] username U | [peer] group G
 *                          | spi N | unmatched | reset
 *   no debug crypto condition ... (one condition) undebug all | no debug all | undebug crypto ...
 *   show crypto debug-condition [--json]           show debugging
 *
 * Each process holds the state in its log module (log_dbg_get/log_dbg_set). Control works
 * out the new state from its copy and asks the parent to apply it (CTL_DEBUG); the parent
 * sends it whole to every child (IMSG_DEBUG), this one included, so all processes filter
 * their own lines the same way.
 * Debug lines go to vpnd's log, like IOS `terminal monitor`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "control/control.h"
#include "control/debug.h"
#include "control/json.h"

/* name: what "... debugging is on" calls it, IOS's words (its IKEv2 ones lack "Crypto") */
static const struct {
	const char *word, *sub, *name, *errname;
	int         bit;
} cats[] = {
	{ "isakmp", NULL, "Crypto ISAKMP", "Crypto ISAKMP Error", DBG_ISAKMP },
	{ "ipsec", NULL, "Crypto IPSEC", "Crypto IPSEC Error", DBG_IPSEC },
	{ "engine", NULL, "Crypto Engine", "Crypto Engine Error", DBG_ENGINE },
	{ "ikev2", NULL, "IKEv2 default", "IKEv2 error", DBG_IKEV2 },
	{ "ikev2", "packet", "IKEv2 packet", NULL, DBG_IKEV2_PKT },
	{ "ikev2", "internal", "IKEv2 internal", NULL, DBG_IKEV2_INT },
};
#define NCATS (sizeof(cats) / sizeof(cats[0]))

/*
 * Have the parent push the state to every process; a child that cannot be told is reported
 * in the parent's answer, not fatal. TAIL follows the answer. Our own copy changes at once,
 * so that the next command starts from it.
 */
static void broadcast(struct control_conn *cc, const struct msg_debug *d, const char *tail)
{
	struct msg_ctl_req q;

	memset(&q, 0, sizeof(q));
	q.kind = CTL_DEBUG;
	q.u.debug = *d;
	log_dbg_set(d);
	control_ask(cc, &q, "%s", tail);
}

/* Names reach the log and JSON answers: printable ASCII only, so neither needs escaping. */
static int name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) >= MSG_USER_MAX)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* One condition from the words after "condition". 0, or -1 after a '%' line. */
static int parse_cond(struct control_conn *cc, int argc, char **argv, struct msg_debug_cond *c)
{
	memset(c, 0, sizeof(*c));
	if (argc >= 1 && !strcmp(argv[0], "peer")) {
		argc--;
		argv++;
		if (argc == 2 && !strcmp(argv[0], "ipv4")) {
			struct in_addr a;
			if (inet_pton(AF_INET, argv[1], &a) != 1) {
				control_printf(cc, "%% Invalid address: '%s'\n", argv[1]);
				return -1;
			}
			c->type = DCOND_ADDR;
			c->addr = a.s_addr;
			c->mask = 0xffffffffu;
			return 0;
		}
		if (argc == 2 && !strcmp(argv[0], "ipv6")) {
			/* an address, or a prefix A/LEN (a /64: every address a host may use) */
			char a[INET6_ADDRSTRLEN + 4], *slash, *end;
			long plen = 128;
			snprintf(a, sizeof(a), "%s", argv[1]);
			if ((slash = strchr(a, '/')) != NULL) {
				*slash = '\0';
				plen = strtol(slash + 1, &end, 10);
				if (slash[1] == '\0' || *end || plen < 1 || plen > 128) {
					control_printf(cc, "%% Invalid prefix length: '%s' (1..128)\n",
					               slash + 1);
					return -1;
				}
			}
			if (strlen(argv[1]) >= sizeof(a) ||
			    inet_pton(AF_INET6, a, c->addr6) != 1) {
				control_printf(cc, "%% Invalid IPv6 address: '%s'\n", argv[1]);
				return -1;
			}
			/* no host bits past the prefix */
			for (int b = (int)plen; b < 128; b++)
				c->addr6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
			c->type = DCOND_ADDR6;
			c->plen6 = (int32_t)plen;
			return 0;
		}
		if (argc == 3 && !strcmp(argv[0], "subnet")) {
			struct in_addr a, m;
			if (inet_pton(AF_INET, argv[1], &a) != 1) {
				control_printf(cc, "%% Invalid address: '%s'\n", argv[1]);
				return -1;
			}
			int okm = inet_pton(AF_INET, argv[2], &m) == 1;
			uint32_t hm = okm ? ntohl(m.s_addr) : 0;
			/* contiguous ones: no 0 bit followed by a 1 bit */
			if (!okm || (~hm & (~hm >> 1)) != (~hm >> 1)) {
				control_printf(cc, "%% Invalid mask: '%s' (expected 255.255.255.0 or the "
				               "like)\n", argv[2]);
				return -1;
			}
			c->type = DCOND_ADDR;
			c->mask = m.s_addr;
			c->addr = a.s_addr & m.s_addr;
			return 0;
		}
		if (argc == 0 || (strcmp(argv[0], "username") && strcmp(argv[0], "group"))) {
			control_printf(cc, "%% Invalid input: expected peer ipv4 A | peer ipv6 A[/LEN] | "
			               "peer subnet A M | peer username U | peer group G\n");
			return -1;
		}
	}
	if (argc == 2 && (!strcmp(argv[0], "username") || !strcmp(argv[0], "group"))) {
		if (!name_ok(argv[1])) {
			control_printf(cc, "%% Invalid name: printable ASCII without quotes or "
			               "backslashes, at most %d bytes\n", MSG_USER_MAX - 1);
			return -1;
		}
		c->type = !strcmp(argv[0], "username") ? DCOND_USER : DCOND_GROUP;
		snprintf(c->name, sizeof(c->name), "%s", argv[1]);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "spi")) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(argv[1], &end, 0);
		if (errno || *end || end == argv[1] || argv[1][0] == '-' || v == 0 ||
		    v > 0xffffffffUL) {
			control_printf(cc, "%% Invalid SPI: '%s' (1 to 4294967295, or 0x...)\n",
			               argv[1]);
			return -1;
		}
		c->type = DCOND_SPI;
		c->spi = (uint32_t)v;
		return 0;
	}
	control_printf(cc, "%% Invalid input: expected peer ipv4 A | peer subnet A M | username U "
	               "| group G | spi N | unmatched | reset\n");
	return -1;
}

static int cond_eq(const struct msg_debug_cond *a, const struct msg_debug_cond *b)
{
	return a->type == b->type && a->addr == b->addr && a->mask == b->mask &&
	       a->spi == b->spi && !strcmp(a->name, b->name) && a->plen6 == b->plen6 &&
	       !memcmp(a->addr6, b->addr6, sizeof(a->addr6));
}

static void condition(struct control_conn *cc, int no, int argc, char **argv)
{
	struct msg_debug d;
	struct msg_debug_cond c;
	int i;

	log_dbg_get(&d);
	if (argc == 1 && !strcmp(argv[0], "reset")) {
		d.ncond = 0;
		d.unmatched = 0;
		memset(d.cond, 0, sizeof(d.cond));
		broadcast(cc, &d, "");
		return;
	}
	if (argc == 1 && !strcmp(argv[0], "unmatched")) {
		d.unmatched = !no;
		broadcast(cc, &d, "");
		return;
	}
	if (parse_cond(cc, argc, argv, &c) == -1)
		return;
	for (i = 0; i < d.ncond && !cond_eq(&d.cond[i], &c); i++)
		;
	if (no) {
		if (i == d.ncond) {
			control_printf(cc, "%% No such condition\n");
			return;
		}
		memmove(&d.cond[i], &d.cond[i + 1], (size_t)(d.ncond - i - 1) * sizeof(c));
		d.ncond--;
		memset(&d.cond[d.ncond], 0, sizeof(c));
	} else if (i < d.ncond) {
		return;         /* already set: IOS says nothing either */
	} else if (d.ncond == MSG_DEBUG_COND_MAX) {
		control_printf(cc, "%% Too many conditions (at most %d)\n", MSG_DEBUG_COND_MAX);
		return;
	} else {
		d.cond[d.ncond++] = c;
	}
	broadcast(cc, &d, "");
}

/* ARG is WORD or an abbreviation of it */
static int kw(const char *arg, const char *word)
{
	size_t n = strlen(arg);
	return n > 0 && strncmp(arg, word, n) == 0 && n <= strlen(word);
}

/* "isakmp [error]" etc. after "debug crypto" (no = 0) or "no debug crypto" (no = 1). */
static void crypto(struct control_conn *cc, int no, int argc, char **argv)
{
	struct msg_debug d;

	if (argc >= 1 && !strcmp(argv[0], "condition")) {
		condition(cc, no, argc - 1, argv + 1);
		return;
	}
	log_dbg_get(&d);
	if (no && argc == 0) {
		d.cats = d.errcats = 0;
		broadcast(cc, &d, "All crypto debugging has been turned off\n");
		return;
	}
	/* CAT [SUB] [error], each word abbreviated as on IOS (vpnctl sends them as typed): the
	 * longest entry the words name; a prefix of two categories names none */
	size_t k = NCATS;
	int used = 0, cats_named = 0;
	const char *named = NULL;
	for (size_t j = 0; argc >= 1 && j < NCATS; j++) {
		if (!kw(argv[0], cats[j].word))
			continue;
		if (!named || strcmp(named, cats[j].word))
			cats_named++;
		named = cats[j].word;
		int n = cats[j].sub ? 2 : 1;
		if (cats[j].sub && (argc < 2 || !kw(argv[1], cats[j].sub)))
			continue;
		if (n > used) {
			k = j;
			used = n;
		}
	}
	if (cats_named > 1)
		k = NCATS;
	int err = k < NCATS && argc == used + 1 && cats[k].errname && kw(argv[used], "error");
	if (k == NCATS || argc != used + err) {
		control_printf(cc, "%% Invalid input: expected isakmp|ipsec|engine [error], "
		               "ikev2 [packet|internal|error] or condition ...\n");
		return;
	}
	/* no debug crypto ikev2: all three, as undebug of the whole word */
	int bits = no && !err && cats[k].bit == DBG_IKEV2 ? DBG_V2_ALL : cats[k].bit;
	if (no) {
		d.cats &= ~bits;
		d.errcats &= ~bits;
	} else if (err) {
		d.cats &= ~cats[k].bit;
		d.errcats |= cats[k].bit;
	} else {
		d.cats |= cats[k].bit;
		d.errcats &= ~cats[k].bit;
	}
	char tail[80];
	snprintf(tail, sizeof(tail), "%s debugging is %s\n", err ? cats[k].errname : cats[k].name,
	         no ? "off" : "on");
	broadcast(cc, &d, tail);
}

void debug_cmd_debug_crypto(struct control_conn *cc, int argc, char **argv)
{
	crypto(cc, 0, argc, argv);
}

void debug_cmd_no_debug_crypto(struct control_conn *cc, int argc, char **argv)
{
	crypto(cc, 1, argc, argv);
}

void debug_cmd_undebug_all(struct control_conn *cc, int argc, char **argv)
{
	struct msg_debug d;

	if (argc != 0) {
		control_printf(cc, "%% Invalid input: undebug all takes no argument\n");
		return;
	}
	/* as on IOS, conditions stay: they apply again when debugging is turned back on */
	log_dbg_get(&d);
	d.cats = d.errcats = 0;
	broadcast(cc, &d, "All possible debugging has been turned off\n");
}

void debug_cmd_show_debugging(struct control_conn *cc, int argc, char **argv)
{
	struct msg_debug d;
	int any = 0;

	log_dbg_get(&d);
	control_printf(cc, "Cryptographic Subsystem:\n");
	for (size_t k = 0; k < NCATS; k++) {
		if (d.cats & cats[k].bit)
			control_printf(cc, "  %s debugging is on\n", cats[k].name);
		else if (d.errcats & cats[k].bit)
			control_printf(cc, "  %s debugging is on\n", cats[k].errname);
		else
			continue;
		any = 1;
	}
	if (!any)
		control_printf(cc, "  no crypto debugging is on\n");
	if (d.ncond || d.unmatched)
		control_printf(cc, "  filtered by conditions: see show crypto debug-condition\n");
}

/* One condition as show crypto debug-condition writes it. */
static void cond_text(const struct msg_debug_cond *c, char *v, size_t len)
{
	if (c->type == DCOND_ADDR) {
		char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &c->addr, a, sizeof(a));
		inet_ntop(AF_INET, &c->mask, m, sizeof(m));
		if (c->mask == 0xffffffffu)
			snprintf(v, len, "%s", a);
		else
			snprintf(v, len, "%s %s", a, m);
	} else if (c->type == DCOND_ADDR6) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, c->addr6, a, sizeof(a));
		if (c->plen6 == 128)
			snprintf(v, len, "%s", a);
		else
			snprintf(v, len, "%s/%d", a, c->plen6);
	} else if (c->type == DCOND_SPI) {
		snprintf(v, len, "%u (0x%08x)", c->spi, c->spi);
	} else {
		snprintf(v, len, "%s", c->name);
	}
}

static const struct {
	int         type;
	const char *title, *key;
} cond_lists[] = {
	{ DCOND_ADDR,  "Peer IP address filters", "peer" },
	{ DCOND_ADDR6, "Peer IPv6 address filters", "peer_ipv6" },
	{ DCOND_USER,  "Username filters",        "username" },
	{ DCOND_GROUP, "Group filters",           "group" },
	{ DCOND_SPI,   "SPI filters",             "spi" },
};

static void show_condition_json(struct control_conn *cc, const struct msg_debug *d, int on)
{
	char v[MSG_USER_MAX + 40];
	struct control_json j;
	struct jw *w = control_json_begin(cc, &j);
	if (w == NULL)
		return;
	jw_bool(w, "conditional", on);
	jw_bool(w, "unmatched", d->unmatched);
	for (size_t l = 0; l < sizeof(cond_lists) / sizeof(cond_lists[0]); l++) {
		jw_arr(w, cond_lists[l].key);
		for (int i = 0; i < d->ncond; i++)
			if (d->cond[i].type == cond_lists[l].type) {
				cond_text(&d->cond[i], v, sizeof(v));
				jw_str(w, NULL, v);
			}
		jw_arr_end(w);
	}
	control_json_end(cc, &j);
}

void debug_cmd_show_condition(struct control_conn *cc, int argc, char **argv)
{
	struct msg_debug d;
	int json = control_take_json(&argc, argv);
	char v[MSG_USER_MAX + 40];

	if (argc != 0) {
		control_printf(cc, "%% Invalid input: expected [--json]\n");
		return;
	}
	log_dbg_get(&d);
	int on = d.ncond > 0 || d.unmatched;
	if (json) {
		show_condition_json(cc, &d, on);
		return;
	}
	control_printf(cc, "Crypto conditional debug currently is turned %s\n", on ? "ON" : "OFF");
	control_printf(cc, "Debug context unmatched flag: %s\n", d.unmatched ? "ON" : "OFF");
	for (size_t l = 0; l < sizeof(cond_lists) / sizeof(cond_lists[0]); l++) {
		control_printf(cc, "%s:\n", cond_lists[l].title);
		for (int i = 0; i < d.ncond; i++)
			if (d.cond[i].type == cond_lists[l].type) {
				cond_text(&d.cond[i], v, sizeof(v));
				control_printf(cc, "  %s\n", v);
			}
	}
}
