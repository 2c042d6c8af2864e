// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE -DPACKAGE_VERSION=\"fuzz\" test/fuzz/fuzz_ezvpn.c test/fuzz/quiet_log.c ikemgr/ike_*.c ikemgr/session.c ikemgr/ikev1*.c ikemgr/ikev2*.c common/ikev2_crypto.c ikemgr/ez*.c ikemgr/vti*.c ikemgr/isakmp.c ikemgr/dh.c ikemgr/admission.c common/netpolicy.c keymgr/keyring.c tunmgr/esp.c tunmgr/replay.c common/conf*.c common/cisco_secret.c common/alg.c common/ike_crypto.c common/ossl_legacy.c -lcrypto -o fuzz_ezvpn
/*
 * The Easy VPN remote's state machine (ikemgr/ezvpn.c, ez_exchange.c, ez_sa.c, ez_dpd.c) fed
 * a fuzzer's mix of events: datagrams from the server (the cookie patched in so they reach the
 * client), keymgr's and tunmgr's answers in any order and with any status, operator connects
 * and clears, SA expiries, the passing of time, reloads switching between connect manual,
 * auto and acl, and tunmgr's connect acl traffic reports for any name. Input: a sequence of
 * (opcode, length, bytes) records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "ikemgr/ezvpn.h"
#include "ikemgr/ikev1.h"

static struct vpnd_conf conf;

static uint8_t cky_i[8];
static int have_cky;


static void send_pkt(const union sa46 *l, const union sa46 *p, int port4500,
                     const uint8_t *pkt, size_t len)
{
	(void)l; (void)p; (void)port4500;
	if (len >= 8) {
		memcpy(cky_i, pkt, 8);      /* the client's cookie, for the next datagram */
		have_cky = 1;
	}
}
static void sink(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const struct ike_io io = { send_pkt, sink, sink, sink };
	memset(&conf, 0, sizeof(conf));
	conf.nezvpn = 1;
	struct conf_ezvpn *e = &conf.ezvpn[0];
	snprintf(e->name, sizeof(e->name), "testvpn");
	snprintf(e->group, sizeof(e->group), "group1");
	e->connect_manual = 1;
	e->npeer = 2;
	e->peer[0].s_addr = htonl(0xac128ff6);
	e->peer[1].s_addr = htonl(0xac128ff7);
	e->virtual_interface = 1;
	e->xauth_local = 1;
	conf.dpd_interval = 10;
	conf.dpd_retry = 2;
	conf.sa_lifetime_seconds = 3600;
	conf.sa_lifetime_kb = 4608000;
	conf.replay_window = 1024;
	if (ike_crypto_init() < 0)
		abort();
	ikev1_init(&conf, &io);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union sa46 peer, local;
	time_t t = time(NULL);
	sa46_from4(&peer, (struct in_addr){ htonl(0xac128ff6) }, htons(500));
	sa46_from4(&local, (struct in_addr){ htonl(0xac128f02) }, htons(500));
	conf.ezvpn[0].connect_manual = 1;
	conf.ezvpn[0].connect_acl[0] = '\0';
	ez_init(&conf);
	have_cky = 0;
	for (int steps = 0; size >= 2 && steps < 64; steps++) {
		uint8_t op = data[0] % 11;
		size_t n = data[1] < size - 2 ? data[1] : size - 2;
		const uint8_t *d = data + 2;
		data += 2 + n;
		size -= 2 + n;
		uint32_t id = ike.next_id;
		switch (op) {
		case 0: {
			struct msg_ez_cmd c = { .kind = n && (d[0] & 1) ? EZ_CMD_CLEAR : EZ_CMD_CONNECT };
			snprintf(c.ezvpn, sizeof(c.ezvpn), "%s", n && (d[0] & 2) ? "" : "testvpn");
			ez_cmd(&c);
			break;
		}
		case 1:
		case 2: {
			uint8_t *pkt = malloc(n + 8);
			if (!pkt)
				abort();
			memcpy(pkt, d, n);
			if (have_cky && n >= 8)
				memcpy(pkt, cky_i, 8);
			ez_input(pkt, n, &peer, &local, op == 2);
			free(pkt);
			break;
		}
		case 3: {
			struct msg_skeyid_res r;
			memset(&r, 0, sizeof(r));
			r.status = n && d[0] ? KEY_OK : KEY_NO_KEY;
			r.skeyid_len = 20;
			memcpy(r.skeyid, d, n < 20 ? n : 20);
			ez_skeyid_res(id, &r);
			break;
		}
		case 4: {
			struct msg_ez_xauth_res r;
			memset(&r, 0, sizeof(r));
			/* 2: interactive, keymgr holds the request for the operator */
			r.status = !n || !d[0] ? KEY_NO_KEY : d[0] == 2 ? KEY_PENDING : KEY_OK;
			snprintf(r.user, sizeof(r.user), "cisco");
			snprintf(r.password, sizeof(r.password), "cisco123");
			ez_xauth_res(id, &r);
			break;
		}
		case 5: {
			struct msg_va_created r;
			memset(&r, 0, sizeof(r));
			r.status = n && d[0] == 1 ? 13 : 0;
			snprintf(r.ifname, sizeof(r.ifname), "va1");
			r.unit = 1;
			ez_va_created(id, &r);
			break;
		}
		case 6: {
			struct msg_sa_added r = { .session_id = id, .status = n && d[0] == 1 ? 2 : 0 };
			ez_sa_added(id, &r);
			break;
		}
		case 7: {
			struct msg_sa_expire x;
			memset(&x, 0, sizeof(x));
			x.session_id = id;
			x.hard = n && (d[0] & 1);
			if (n >= 5)
				memcpy(&x.spi_in, d + 1, 4);
			ez_sa_expire(id, &x);
			break;
		}
		case 8:
			t += n ? d[0] : 1;
			ez_tick(t);
			break;
		case 9: {
			/* the connect mode changed by a reload: 0 manual, 1 auto, 2 and 3 acl */
			int mode = n ? d[0] & 3 : 0;
			conf.ezvpn[0].connect_manual = mode == 0;
			snprintf(conf.ezvpn[0].connect_acl, sizeof(conf.ezvpn[0].connect_acl), "%s",
			         mode >= 2 ? "DIAL" : "");
			ez_reload(&conf);
			break;
		}
		case 10: {
			/* tunmgr's traffic report: the ezvpn's name, or any 64 bytes */
			struct msg_ez_traffic m;
			memset(&m, 0, sizeof(m));
			if (n > 1 && (d[0] & 1))
				memcpy(m.ezvpn, d + 1, n - 1 < sizeof(m.ezvpn) ? n - 1 : sizeof(m.ezvpn));
			else
				snprintf(m.ezvpn, sizeof(m.ezvpn), "testvpn");
			m.packets = n;
			ez_traffic(&m);
			break;
		}
		}
	}
	ez_shutdown();
	return 0;
}
