/*
 * imsg_forge PID FD WHAT [ARGS]: play a taken-over process. Takes a copy of process PID's
 * descriptor FD (pidfd_getfd: root, as an attacker with gdb on that process would have) and
 * writes one forged message on it, as that process would. test/interop/test_forge.sh uses it
 * against a running hub.
 *
 *   va-create SESSION NET PLEN     IMSG_VA_CREATE (ikemgr -> tunmgr)
 *   sa-add SESSION NET PLEN SPI [PEER]
 *                                  IMSG_SA_ADD (ikemgr -> tunmgr), zero keys (AES-128-CBC,
 *                                  HMAC-SHA1-96), outbound SPI 0x1000, raw ESP to PEER
 *                                  (IPv4 or IPv6)
 *   sa-add6 SESSION ADDR6 SPI [PLEN]
 *                                  the same for an IPv6 selector ADDR6/PLEN (128 unless
 *                                  given)
 *   ez-va SESSION EZVPN PEER ADDR [NET/PLEN...]
 *                                  IMSG_EZ_VA_CREATE (ikemgr -> tunmgr): an Easy VPN remote
 *                                  session with its Mode Config address and split networks
 *   va-destroy SESSION             IMSG_VA_DESTROY (ikemgr -> tunmgr)
 *   sign                           IMSG_SIGN_REQ for trust point TP (ikemgr -> keymgr)
 *   session-up SESSION USER ADDR   IMSG_SESSION_UP (to the parent)
 *   counters SESSION               IMSG_COUNTERS (to the parent)
 *   ctl-clear KIND NAME            IMSG_CTL_REQ clear (control -> parent), msg_clear kind KIND;
 *                                  NAME "-" fills the name with 'A', unterminated
 *   ctl-debug CATS NAME            IMSG_CTL_REQ debug (control -> parent): categories CATS,
 *                                  one username condition NAME
 *   ctl-ezx NAME                   IMSG_CTL_EZ_XAUTH (control -> parent): an XAUTH answer
 *                                  for ezvpn NAME, user "cisco", password "forged"
 *   ez-state NAME STATE ADDR NSPLIT IMSG_EZ_STATE (ikemgr -> parent): ezvpn NAME in STATE on
 *                                  va2 with ADDR/32, split networks 10.2.K.0/24 (K < NSPLIT)
 *   ez-traffic NAME                IMSG_EZ_TRAFFIC (tunmgr -> ikemgr): connect acl traffic for
 *                                  ezvpn NAME
 *   short TYPE                     a message of TYPE (IMSG_X or a number), 3-byte payload
 *   type TYPE                      an empty message of TYPE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/imsg.h"
#include "common/msg.h"
#include "common/msgcat.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int usage(void)
{
	fprintf(stderr, "usage: imsg_forge PID FD va-create|ez-va|va-destroy|sa-add|sa-add6|sign|session-up|counters|"
	        "short|type ...\n");
	return 2;
}

static struct in_addr addr(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "imsg_forge: bad address %s\n", s);
		exit(2);
	}
	return a;
}

/* IMSG_SA_ADD or a number */
static uint32_t type_of(const char *s)
{
	for (uint32_t t = 0; t < IMSG_TYPE_MAX; t++)
		if (!strcmp(msgcat_name(t), s))
			return t;
	return (uint32_t)strtoul(s, NULL, 0);
}

static int send_raw(int fd, uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	struct imsg_hdr h = { type, (uint32_t)(IMSG_HDR_SIZE + len), peerid, (uint32_t)getpid(), 0 };
	uint8_t *buf = malloc(h.len);
	if (!buf)
		return -1;
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), data, len);
	ssize_t n = write(fd, buf, h.len);
	free(buf);
	return n == (ssize_t)h.len ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return usage();
	int pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	int fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, atoi(argv[2]), 0);
	if (fd < 0) {
		fprintf(stderr, "imsg_forge: fd %s of pid %s: %s\n", argv[2], argv[1], strerror(errno));
		return 1;
	}
	const char *what = argv[3];
	int rc;
	if (!strcmp(what, "va-create") && argc == 7) {
		struct msg_va_create c;
		memset(&c, 0, sizeof(c));
		c.session_id = (uint32_t)strtoul(argv[4], NULL, 0);
		c.template_num = 1;
		c.client_addr = addr(argv[5]);
		c.client_plen = atoi(argv[6]);
		snprintf(c.user, sizeof(c.user), "mallory");
		rc = send_raw(fd, IMSG_VA_CREATE, c.session_id, &c, sizeof(c));
	} else if (!strcmp(what, "ez-va") && argc >= 8 && argc <= 8 + MSG_ROUTES_MAX) {
		struct msg_ez_va e;
		memset(&e, 0, sizeof(e));
		e.session_id = (uint32_t)strtoul(argv[4], NULL, 0);
		snprintf(e.ezvpn, sizeof(e.ezvpn), "%s", argv[5]);
		e.peer.sin.sin_family = AF_INET;
		e.peer.sin.sin_addr = addr(argv[6]);
		e.peer.sin.sin_port = htons(500);
		e.addr = addr(argv[7]);
		for (int i = 8; i < argc; i++) {
			char *slash = strchr(argv[i], '/');
			if (!slash)
				return usage();
			*slash = 0;
			e.split[e.nsplit].net = addr(argv[i]);
			e.split[e.nsplit++].plen = atoi(slash + 1);
		}
		e.esp_overhead = 73;
		rc = send_raw(fd, IMSG_EZ_VA_CREATE, e.session_id, &e, sizeof(e));
	} else if (!strcmp(what, "va-destroy") && argc == 5) {
		struct msg_va_destroy d;
		memset(&d, 0, sizeof(d));
		d.session_id = (uint32_t)strtoul(argv[4], NULL, 0);
		rc = send_raw(fd, IMSG_VA_DESTROY, d.session_id, &d, sizeof(d));
	} else if (!strcmp(what, "sa-add") && (argc == 8 || argc == 9)) {
		struct msg_sa_add a;
		memset(&a, 0, sizeof(a));
		a.session_id = (uint32_t)strtoul(argv[4], NULL, 0);
		a.encap = ENCAP_RAW;
		a.encr = 3;             /* ESP_ENCR_AES_CBC */
		a.enc_keylen = 16;
		a.auth = 2;             /* ESP_AUTH_HMAC_SHA1_96 */
		a.auth_keylen = 20;
		a.sel_net = addr(argv[5]);
		int plen = atoi(argv[6]);
		a.sel_mask.s_addr = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
		a.spi_in = htonl((uint32_t)strtoul(argv[7], NULL, 0));
		a.spi_out = htonl(0x1000);
		a.replay_window = 64;
		if (argc == 9 && sa46_pton(argv[8], &a.peer) < 0)
			return usage();
		rc = send_raw(fd, IMSG_SA_ADD, a.session_id, &a, sizeof(a));
	} else if (!strcmp(what, "sa-add6") && (argc == 7 || argc == 8)) {
		struct msg_sa_add a;
		memset(&a, 0, sizeof(a));
		a.session_id = (uint32_t)strtoul(argv[4], NULL, 0);
		a.encap = ENCAP_RAW;
		a.encr = 3;             /* ESP_ENCR_AES_CBC */
		a.enc_keylen = 16;
		a.auth = 2;             /* ESP_AUTH_HMAC_SHA1_96 */
		a.auth_keylen = 20;
		a.sel_v6 = 1;
		if (inet_pton(AF_INET6, argv[5], &a.sel_net6) != 1)
			return usage();
		a.spi_in = htonl((uint32_t)strtoul(argv[6], NULL, 0));
		a.spi_out = htonl(0x1001);
		a.sel_plen6 = argc == 8 ? atoi(argv[7]) : 128;
		a.replay_window = 64;
		rc = send_raw(fd, IMSG_SA_ADD, a.session_id, &a, sizeof(a));
	} else if (!strcmp(what, "sign") && argc == 4) {
		struct msg_sign_req s;
		memset(&s, 0, sizeof(s));
		s.sa_id = 4242;
		snprintf(s.trustpoint, sizeof(s.trustpoint), "TP");
		s.auth_method = 3;
		s.hash_len = 32;
		memset(s.hash, 0x41, sizeof(s.hash));
		rc = send_raw(fd, IMSG_SIGN_REQ, s.sa_id, &s, sizeof(s));
	} else if (!strcmp(what, "session-up") && argc == 7) {
		struct msg_session_up u;
		memset(&u, 0, sizeof(u));
		u.session_id = (uint32_t)strtoul(argv[4], NULL, 0);
		snprintf(u.user, sizeof(u.user), "%s", argv[5]);
		snprintf(u.group, sizeof(u.group), "forged");
		u.assigned = addr(argv[6]);
		rc = send_raw(fd, IMSG_SESSION_UP, u.session_id, &u, sizeof(u));
	} else if (!strcmp(what, "counters") && argc == 5) {
		struct msg_counters k;
		memset(&k, 0, sizeof(k));
		k.session_id = (uint32_t)strtoul(argv[4], NULL, 0);
		k.bytes_in = 1ull << 40;
		rc = send_raw(fd, IMSG_COUNTERS, k.session_id, &k, sizeof(k));
	} else if (!strcmp(what, "ctl-clear") && argc == 6) {
		struct msg_ctl_req q;
		memset(&q, 0, sizeof(q));
		q.kind = CTL_CLEAR;
		q.u.clear.kind = atoi(argv[4]);
		if (!strcmp(argv[5], "-"))
			memset(q.u.clear.name, 'A', sizeof(q.u.clear.name));
		else
			snprintf(q.u.clear.name, sizeof(q.u.clear.name), "%s", argv[5]);
		rc = send_raw(fd, IMSG_CTL_REQ, 1, &q, sizeof(q));
	} else if (!strcmp(what, "ctl-ezx") && argc == 5) {
		struct msg_ez_xauth_answer a;
		memset(&a, 0, sizeof(a));
		snprintf(a.ezvpn, sizeof(a.ezvpn), "%s", argv[4]);
		snprintf(a.user, sizeof(a.user), "cisco");
		snprintf(a.password, sizeof(a.password), "forged");
		rc = send_raw(fd, IMSG_CTL_EZ_XAUTH, 1, &a, sizeof(a));
	} else if (!strcmp(what, "ctl-debug") && argc == 6) {
		struct msg_ctl_req q;
		memset(&q, 0, sizeof(q));
		q.kind = CTL_DEBUG;
		q.u.debug.cats = (int32_t)strtol(argv[4], NULL, 0);
		q.u.debug.ncond = 1;
		q.u.debug.cond[0].type = DCOND_USER;
		snprintf(q.u.debug.cond[0].name, sizeof(q.u.debug.cond[0].name), "%s", argv[5]);
		rc = send_raw(fd, IMSG_CTL_REQ, 1, &q, sizeof(q));
	} else if (!strcmp(what, "ez-state") && argc == 8) {
		struct msg_ez_state e;
		memset(&e, 0, sizeof(e));
		snprintf(e.ezvpn, sizeof(e.ezvpn), "%s", argv[4]);
		snprintf(e.state, sizeof(e.state), "%s", argv[5]);
		snprintf(e.last_event, sizeof(e.last_event), "SOCKET_UP");
		e.peer = addr("172.18.143.246");
		e.addr = addr(argv[6]);
		e.mask = addr("255.255.255.255");
		snprintf(e.ifname, sizeof(e.ifname), "va2");
		e.unit = 2;
		e.nsplit = atoi(argv[7]);
		for (int k = 0; k < e.nsplit && k < MSG_ROUTES_MAX; k++) {
			e.split[k].net.s_addr = htonl(0x0a020000u | (uint32_t)k << 8);
			e.split[k].plen = 24;
		}
		e.session_id = 77;
		e.save_password = 1;
		rc = send_raw(fd, IMSG_EZ_STATE, 0, &e, sizeof(e));
	} else if (!strcmp(what, "ez-traffic") && argc == 5) {
		struct msg_ez_traffic t;
		memset(&t, 0, sizeof(t));
		snprintf(t.ezvpn, sizeof(t.ezvpn), "%s", argv[4]);
		t.packets = 1;
		rc = send_raw(fd, IMSG_EZ_TRAFFIC, 0, &t, sizeof(t));
	} else if (!strcmp(what, "short") && argc == 5) {
		rc = send_raw(fd, type_of(argv[4]), 0, "abc", 3);
	} else if (!strcmp(what, "type") && argc == 5) {
		rc = send_raw(fd, type_of(argv[4]), 0, NULL, 0);
	} else {
		return usage();
	}
	if (rc < 0) {
		fprintf(stderr, "imsg_forge: write: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
