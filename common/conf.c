/*
 * IOS-style configuration reader: splits the text into lines and words, tracks which block the
 * indented lines belong to, walks the keyword tables (conf_top.c and the per-block files) and
 * runs the checks that need the whole file. Every problem is reported with FILE:LINE and the
 * reading goes on, so one run shows every mistake.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/conf_parse.h"

/* A configuration is a few kilobytes; this only bounds what a wrong path could make us read. */
#define CONF_FILE_MAX (4u << 20)

static void emit(conf_diag_fn diag, void *arg, int is_error, char *msg)
{
	/* The text comes from the file: keep terminal control bytes out of logs. */
	for (unsigned char *c = (unsigned char *)msg; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (diag)
		diag(arg, is_error, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static void vreport(struct conf_parser *p, int line, int is_error, const char *fmt, va_list ap)
{
	char body[1024], msg[1400];

	vsnprintf(body, sizeof(body), fmt, ap);
	snprintf(msg, sizeof(msg), "%s:%d: %s: %s", p->name, line, is_error ? "error" : "warning",
	         body);
	if (is_error)
		p->nerr++;
	emit(p->diag, p->arg, is_error, msg);
}

void cp_error(struct conf_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, p->line, 1, fmt, ap);
	va_end(ap);
}

void cp_error_at(struct conf_parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, line, 1, fmt, ap);
	va_end(ap);
}

void cp_warn_at(struct conf_parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, line, 0, fmt, ap);
	va_end(ap);
}

void cp_warn(struct conf_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, p->line, 0, fmt, ap);
	va_end(ap);
}

void cp_open(struct conf_parser *p, int block, int idx)
{
	p->block = block;
	p->idx = idx;
	snprintf(p->block_cmd, sizeof(p->block_cmd), "%s", p->cmd);
}

/* words [from, to) joined by spaces */
static void join(struct conf_parser *p, int from, int to, char *dst, size_t sz)
{
	size_t n = 0;

	dst[0] = '\0';
	for (int k = from; k < to && k < p->argc; k++) {
		int w = snprintf(dst + n, sz - n, "%s%s", k > from ? " " : "", p->argv[k]);
		if (w < 0 || (size_t)w >= sz - n)
			break;
		n += (size_t)w;
	}
}

static void expected_list(const struct cp_kw *tbl, char *dst, size_t sz)
{
	size_t n = 0;
	int count = 0;

	dst[0] = '\0';
	for (const struct cp_kw *k = tbl; k->word; k++) {
		if (k->flags & (KW_NOOP | KW_NOOP_BLOCK | KW_HIDDEN))
			continue;
		count++;
	}
	if (count > 1) {
		int w = snprintf(dst, sz, "one of: ");
		n = (size_t)w;
	}
	int first = 1;
	for (const struct cp_kw *k = tbl; k->word && n < sz; k++) {
		if (k->flags & (KW_NOOP | KW_NOOP_BLOCK | KW_HIDDEN))
			continue;
		int w = snprintf(dst + n, sz - n, count > 1 ? "%s%s" : "%s'%s'", first ? "" : ", ",
		                 k->word);
		if (w < 0 || (size_t)w >= sz - n)
			break;
		n += (size_t)w;
		first = 0;
	}
}

static int is_sub_block(int block)
{
	return block >= CB_POLICY;
}

void cp_dispatch(struct conf_parser *p, const struct cp_kw *tbl, int i)
{
	const int top = (tbl == cp_top);
	const int nerr0 = p->nerr;
	const int start = i;
	const struct cp_kw *kw;
	char words[CP_CMD_MAX], exp[700], where[CP_CMD_MAX + 16];

	where[0] = '\0';
	if (!top && is_sub_block(p->block))
		snprintf(where, sizeof(where), " under '%s'", p->block_cmd);
	for (;;) {
		if (i >= p->argc) {
			join(p, 0, i, words, sizeof(words));
			expected_list(tbl, exp, sizeof(exp));
			cp_error(p, "incomplete command '%s'%s, expected %s", words, where, exp);
			goto fail;
		}
		for (kw = tbl; kw->word; kw++)
			if (strcmp(kw->word, p->argv[i]) == 0)
				break;
		if (!kw->word) {
			join(p, 0, i + 1, words, sizeof(words));
			expected_list(tbl, exp, sizeof(exp));
			cp_error(p, "unknown command '%s'%s, expected %s", words, where, exp);
			goto fail;
		}
		i++;
		if (kw->flags & (KW_NOOP | KW_NOOP_BLOCK)) {
			if (kw->flags & KW_NOOP_SHORT)
				join(p, start, i, words, sizeof(words));
			cp_warn(p, "'%s' has no meaning on Linux, ignored",
			        (kw->flags & KW_NOOP_SHORT) ? words : p->cmd);
			if (top && (kw->flags & KW_NOOP_BLOCK))
				p->block = CB_IGNORED;
			return;
		}
		if (kw->flags & KW_QUIET)
			return;
		if (kw->fn) {
			kw->fn(p, i);
			break;
		}
		tbl = kw->sub;
	}
	if (top && (kw->flags & KW_OPENS) && (p->nerr > nerr0 || p->block == CB_NONE))
		p->block = CB_SKIP;
	return;
fail:
	/* The indented lines of a command we could not read would only repeat the error. */
	if (top)
		p->block = CB_SKIP;
}

static const struct cp_kw *block_table(int block)
{
	switch (block) {
	case CB_POLICY:     return cp_policy_cmds;
	case CB_GROUP:      return cp_group_cmds;
	case CB_PROFILE:    return cp_profile_cmds;
	case CB_TSET:       return cp_tset_cmds;
	case CB_IPSEC_PROF: return cp_ipsec_prof_cmds;
	case CB_IFACE:      return cp_iface_cmds;
	case CB_ACL:        return cp_acl_cmds;
	case CB_KEYRING:    return cp_keyring_cmds;
	case CB_RADIUS_SERVER: return cp_radius_server_cmds;
	case CB_RADIUS_GROUP:  return cp_radius_group_cmds;
	case CB_TRUSTPOINT:    return cp_trustpoint_cmds;
	case CB_DYNAUTH:       return cp_dynauth_cmds;
	case CB_EZVPN:         return cp_ezvpn_cmds;
	case CB_CMAP:          return cp_cmap_cmds;
	case CB_ACL6:          return cp_acl6_cmds;
	case CB_V2_PROPOSAL:   return cp_v2_proposal_cmds;
	case CB_V2_POLICY:     return cp_v2_policy_cmds;
	case CB_V2_KEYRING:    return cp_v2_keyring_cmds;
	case CB_V2_PEER:       return cp_v2_peer_cmds;
	case CB_V2_PROFILE:    return cp_v2_profile_cmds;
	case CB_V2_AUTHOR:     return cp_v2_author_cmds;
	case CB_V2_CLUSTER:    return cp_v2_cluster_cmds;
	case CB_CERTMAP:       return cp_certmap_cmds;
	case CB_V2_MANGLER:    return cp_v2_mangler_cmds;
	}
	return NULL;
}

const struct cp_kw *cp_block_table(int block)
{
	return block_table(block);
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

int tokenize_line(struct conf_parser *p)
{
	size_t n = strlen(p->raw);

	memcpy(p->words, p->raw, n + 1);
	p->argc = 0;
	for (size_t k = 0; k < n;) {
		while (k < n && is_blank(p->words[k]))
			p->words[k++] = '\0';
		if (k >= n)
			break;
		if (p->argc == CP_MAX_ARGS) {
			cp_error(p, "too many words on one line, expected at most %d", CP_MAX_ARGS);
			return -1;
		}
		p->argpos[p->argc] = (int)k;
		p->argv[p->argc++] = &p->words[k];
		while (k < n && !is_blank(p->words[k]))
			k++;
	}
	join(p, 0, p->argc, p->cmd, sizeof(p->cmd));
	return p->argc;
}

static void do_line(struct conf_parser *p, const char *s, size_t len)
{
	if (len >= CP_LINE_MAX) {
		cp_error(p, "line is too long (%zu bytes), expected at most %d", len, CP_LINE_MAX - 1);
		if (!p->banner_on && !is_blank(s[0]))
			p->block = CB_SKIP;
		return;
	}
	if (memchr(s, '\0', len)) {
		cp_error(p, "line contains a NUL byte, expected text");
		return;
	}
	memcpy(p->raw, s, len);
	while (len > 0 && (is_blank(p->raw[len - 1]) || p->raw[len - 1] == '\r'))
		len--;
	p->raw[len] = '\0';

	if (p->banner_on) {
		cp_banner_line(p, p->raw);
		return;
	}
	if (p->ended) {
		const char *t = p->raw + strspn(p->raw, " \t");
		if (*t && *t != '!' && !p->after_end_warned) {
			cp_warn(p, "text after 'end' ignored");
			p->after_end_warned = 1;
		}
		return;
	}
	if (tokenize_line(p) <= 0)
		return;
	if (p->argv[0][0] == '!')
		return;
	if (p->argc == 1 && strcmp(p->argv[0], "end") == 0) {
		p->ended = 1;
		return;
	}
	if (!is_blank(p->raw[0])) {
		p->block = CB_NONE;
		cp_dispatch(p, cp_top, 0);
		return;
	}

	switch (p->block) {
	case CB_NONE:
		cp_error(p, "'%s' is indented but no block is open, expected a top-level command at "
		         "column 0", p->cmd);
		return;
	case CB_SKIP:
	case CB_IGNORED:
		return;
	}
	if (p->argc == 1 && strcmp(p->argv[0], "exit") == 0) {
		/* as on IOS, exit leaves a keyring's peer for the keyring */
		p->block = p->block == CB_V2_PEER ? CB_V2_KEYRING : CB_NONE;
		return;
	}
	/* a keyring's peer block ends at the first line not indented deeper than `peer` */
	if (p->block == CB_V2_PEER && p->argpos[0] <= p->v2_peer_indent) {
		p->block = CB_V2_KEYRING;
		p->v2_peer = -1;
	}
	int start = 0;
	/* IOS prints named ACL entries with their sequence number in front. */
	if (p->block == CB_ACL && cp_is_number(p->argv[0]))
		start = 1;
	cp_dispatch(p, block_table(p->block), start);
}

static void conf_defaults(struct vpnd_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->dpd_retry = 2;
	conf->sa_lifetime_seconds = 3600;
	conf->sa_lifetime_kb = 4608000;
	conf->replay_window = 1024;
	conf->nem_min_prefix = 8;
	conf->cac_in_negotiation = CONF_CAC_IN_NEGOTIATION;
	conf->cac_in_negotiation_peer = CONF_CAC_IN_NEGOTIATION_PEER;
	conf->radius_timeout = 5;
	conf->radius_retransmit = 3;
	conf->radius_deadtime = 1;
	conf_logging_defaults(&conf->logging);
	conf->http_addr.s_addr = htonl(INADDR_LOOPBACK);
	conf->http_port = CONF_HTTP_PORT;
	snprintf(conf->radius_group_password, sizeof(conf->radius_group_password), "cisco");
}

int conf_load_buf(const char *name, const char *buf, size_t len, struct vpnd_conf *conf,
                  conf_diag_fn diag, void *arg)
{
	struct conf_parser *p;
	size_t off = 0;
	int nerr;

	if (!name)
		name = "(config)";
	conf_defaults(conf);
	snprintf(conf->source, sizeof(conf->source), "%s", name);
	p = calloc(1, sizeof(*p));
	if (!p) {
		char msg[CONF_PATH_MAX + 64];
		snprintf(msg, sizeof(msg), "%s:0: error: out of memory, expected to read the file",
		         name);
		emit(diag, arg, 1, msg);
		return 1;
	}
	p->conf = conf;
	p->name = name;
	p->diag = diag;
	p->arg = arg;
	if (!buf)
		len = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		off = 3;        /* a UTF-8 byte order mark left by an editor */
	while (off < len) {
		const char *s = buf + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - s) : len - off;

		p->line++;
		do_line(p, s, ll);
		off += ll + (nl ? 1 : 0);
	}
	if (p->banner_on)
		cp_banner_eof(p);
	cp_policy_finish(p);
	cp_ikev2_finish(p);
	cp_check_refs(p);

	nerr = p->nerr;
	free(p->refs);
	/* the line buffers held passwords and keys */
	explicit_bzero(p, sizeof(*p));
	free(p);
	return nerr;
}

int conf_load(const char *file, struct vpnd_conf *conf, conf_diag_fn diag, void *arg)
{
	char msg[CONF_PATH_MAX + 128];
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, nerr, err = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > CONF_FILE_MAX) {
		err = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = ENOMEM;
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	nerr = conf_load_buf(file, buf, len, conf, diag, arg);
	explicit_bzero(buf, len);
	free(buf);
	return nerr;
fail:
	if (fd >= 0)
		close(fd);
	if (buf) {
		explicit_bzero(buf, len);
		free(buf);
	}
	conf_defaults(conf);
	snprintf(conf->source, sizeof(conf->source), "%s", file);
	snprintf(msg, sizeof(msg), "%s:0: error: cannot read the file (%s), expected a readable "
	         "regular file", file, strerror(err));
	emit(diag, arg, 1, msg);
	return 1;
}
