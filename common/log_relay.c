/*
 * The lines a child writes on its stderr, which is a pipe to the parent (parent/logrelay.c):
 * the priority and the peer's fields travel with the text so the parent can give syslog and
 * the journal what they want. A child may be compromised: the parent parses this as untrusted
 * input (test/fuzz/fuzz_log_relay.c).
 */
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "common/log.h"
#include "common/log_sink.h"

static const char *const keys[] = { "PEER", "USER", "GROUP", "SESSION", "SPI" };
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static size_t put_clean(char *buf, size_t len, size_t off, const char *s)
{
	for (; *s != '\0' && off + 1 < len; s++)
		buf[off++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	return off;
}

static size_t put_field(char *buf, size_t len, size_t off, const char *key, const char *v)
{
	if (v == NULL || *v == '\0' || off + strlen(key) + 3 >= len)
		return off;
	buf[off++] = 0x1f;
	off = put_clean(buf, len, off, key);
	buf[off++] = '=';
	return put_clean(buf, len, off, v);
}

const char *log_peer_addr(const struct log_peer *peer, char *buf)
{
	buf[0] = '\0';
	if (peer->addr6)
		inet_ntop(AF_INET6, peer->addr6, buf, INET6_ADDRSTRLEN);
	else if (peer->addr)
		inet_ntop(AF_INET, &peer->addr, buf, INET6_ADDRSTRLEN);
	return buf;
}

size_t log_relay_format(char *buf, size_t len, int pri, const char *msg,
                        const struct log_peer *peer)
{
	size_t off;
	int n;

	if (len < 8)
		return 0;
	n = snprintf(buf, len, "<%d>", pri & 7);
	off = put_clean(buf, len - 1, (size_t)n, msg);
	if (peer != NULL) {
		char ip[INET6_ADDRSTRLEN], spi[16] = "";
		log_peer_addr(peer, ip);
		if (peer->spi)
			snprintf(spi, sizeof(spi), "0x%08x", ntohl(peer->spi));
		off = put_field(buf, len - 1, off, "PEER", ip);
		off = put_field(buf, len - 1, off, "USER", peer->user);
		off = put_field(buf, len - 1, off, "GROUP", peer->group);
		off = put_field(buf, len - 1, off, "SPI", spi);
		if (peer->session) {
			char sid[16];
			snprintf(sid, sizeof(sid), "%u", (unsigned)peer->session);
			off = put_field(buf, len - 1, off, "SESSION", sid);
		}
	}
	buf[off++] = '\n';
	buf[off] = '\0';
	return off;
}

void log_relay_parse(char *line, struct log_rec *r)
{
	char *s = line, *sep;

	memset(r, 0, sizeof(*r));
	r->pri = 6;
	r->msg = line;
	if (s[0] != '<' || s[1] < '0' || s[1] > '7' || s[2] != '>')
		return;         /* not ours: a sanitizer report, shown as it is */
	r->framed = 1;
	r->pri = s[1] - '0';
	r->msg = s += 3;
	if ((sep = strchr(s, 0x1f)) == NULL)
		return;
	*sep = '\0';
	while (sep != NULL && r->nf < LOG_FIELDS_MAX) {
		char *kv = sep + 1, *eq;
		sep = strchr(kv, 0x1f);
		if (sep != NULL)
			*sep = '\0';
		if ((eq = strchr(kv, '=')) == NULL)
			continue;
		*eq = '\0';
		for (size_t k = 0; k < NKEYS; k++) {
			if (strcmp(kv, keys[k]) == 0) {
				r->f[r->nf].key = keys[k];
				r->f[r->nf++].value = eq + 1;
				break;
			}
		}
	}
}
