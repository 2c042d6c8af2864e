/*
 * Test helper for test_vpnctl.sh: fills a session store through the db API, as the parent
 * would, so vpnctl is tested against what vpnd really writes.
 *   db_fill PATH               three sessions: alice and bob up, carol ended; IKE SAs of
 *                              each, alice with two; manual crypto map entries CM 10 and
 *                              20 (cm0, cm1) up, CM 30 (cm2) ended
 *   db_fill --ezvpn PATH       this host dialled out: ezvpn e's session, IKE and IPsec SA
 *   db_fill --ikev2 PATH       IKEv2 SAs as ikemgr reports them: dave's (session 11, NAT-T,
 *                              aes-cbc-256), erin's (12, aes-gcm-256, no NAT), one still
 *                              negotiating (13, no session), one ended (14); and alice's
 *                              IKEv1 SA (1), which only show crypto isakmp sa lists. Child
 *                              SAs: dave's to the split network 10.10.0.0/16, erin's to
 *                              everything
 *   db_fill --version N PATH   set the file's schema version to N (to test the refusal)
 *   db_fill --burst N PATH     N sessions up, counted and down as fast as the API goes, for
 *                              test_db_crash.sh to kill -9 in the middle
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sqlite3.h>

#include "db/db.h"

static void sin_set(union sa46 *sa, const char *ip, int port)
{
	sa46_pton(ip, sa);
	sa46_set_port(sa, htons((uint16_t)port));
}

static void up(struct db *d, uint32_t id, const char *user, const char *group, const char *peer,
               int peer_port, const char *local, int local_port, const char *addr, int unit)
{
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = id;
	snprintf(u.user, sizeof(u.user), "%s", user);
	snprintf(u.group, sizeof(u.group), "%s", group);
	snprintf(u.profile, sizeof(u.profile), "vpn1-ra");
	sin_set(&u.peer, peer, peer_port);
	sin_set(&u.local, local, local_port);
	inet_pton(AF_INET, addr, &u.assigned);
	snprintf(u.ifname, sizeof(u.ifname), "va%d", unit);
	u.unit = unit;
	const uint8_t ci[8] = { 1, 2, 3, 4, 5, 6, 7, (uint8_t)id };
	const uint8_t cr[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, (uint8_t)id };
	memcpy(&u.ike_spi_i, ci, 8);
	memcpy(&u.ike_spi_r, cr, 8);
	u.esp_spi_in = htonl(0xc0ffee00u + id);
	u.esp_spi_out = htonl(0xbeef0000u + id);
	snprintf(u.transform, sizeof(u.transform), "esp-aes 256 esp-sha-hmac");
	if (db_session_up(d, &u) < 0)
		exit(1);
}

static void ike_up(struct db *d, uint32_t id, const char *peer, int peer_port, const char *local,
                   int local_port)
{
	struct msg_ike_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = id;
	memset(m.cky_i, (int)id, 8);
	memset(m.cky_r, 0xa0 + (int)id, 8);
	sin_set(&m.peer, peer, peer_port);
	sin_set(&m.local, local, local_port);
	snprintf(m.state, sizeof(m.state), "QM_IDLE");
	snprintf(m.encr, sizeof(m.encr), "aes 256");
	snprintf(m.hash, sizeof(m.hash), "sha");
	snprintf(m.auth, sizeof(m.auth), "psk");
	m.dh_group = 2;
	m.lifetime = 86400;
	m.established = 1700000000;
	m.caps = IKE_CAP_CFG | IKE_CAP_XAUTH;
	if (db_ike_sa_up(d, &m) < 0)
		exit(1);
}

static void ipsec_up(struct db *d, uint32_t id, const char *peer, int peer_port,
                     const char *local, int local_port, const char *addr, int unit)
{
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = id;
	m.spi_in = htonl(0xc0ffee00u + id);
	m.spi_out = htonl(0xbeef0000u + id);
	sin_set(&m.peer, peer, peer_port);
	sin_set(&m.local, local, local_port);
	snprintf(m.ifname, sizeof(m.ifname), "va%d", unit);
	m.unit = unit;
	inet_pton(AF_INET, addr, &m.remote_ident);
	snprintf(m.transform, sizeof(m.transform), "esp-aes 256 esp-sha-hmac");
	m.life_seconds = 3600;
	m.installed = 1700000000;
	if (db_ipsec_sa_up(d, &m) < 0)
		exit(1);
}

/* a manual crypto map entry as tunmgr reports it: map CM on eth0, cmN, 10.2.N.0/24 <-> 10.3.N.0/24 */
static void cm_up(struct db *d, int n, int seq, uint32_t spi_in, uint32_t spi_out)
{
	struct msg_cm_sa m;
	memset(&m, 0, sizeof(m));
	m.sa.session_id = MSG_CM_SESSION_BASE + (uint32_t)n;
	m.sa.spi_in = htonl(spi_in);
	m.sa.spi_out = htonl(spi_out);
	sin_set(&m.sa.peer, "172.18.143.2", 0);
	sin_set(&m.sa.local, "172.18.143.246", 0);
	snprintf(m.sa.ifname, sizeof(m.sa.ifname), "cm%d", n);
	char net[32];
	snprintf(net, sizeof(net), "10.3.%d.0", n + 1);
	inet_pton(AF_INET, net, &m.sa.remote_ident);
	snprintf(net, sizeof(net), "10.2.%d.0", n + 1);
	inet_pton(AF_INET, net, &m.local_net);
	inet_pton(AF_INET, "255.255.255.0", &m.local_mask);
	inet_pton(AF_INET, "255.255.255.0", &m.remote_mask);
	snprintf(m.sa.transform, sizeof(m.sa.transform), "esp-aes 256 esp-sha-hmac");
	m.sa.encap = ENCAP_RAW;
	m.sa.iv_size = 16;
	m.sa.installed = 1700000000;
	snprintf(m.map, sizeof(m.map), "CM");
	m.seq = seq;
	snprintf(m.iface, sizeof(m.iface), "eth0");
	struct msg_sa_counters k = { .session_id = m.sa.session_id, .spi_in = m.sa.spi_in,
		.spi_out = m.sa.spi_out, .pkts_encaps = 40u + (unsigned)n, .bytes_encaps = 4000,
		.pkts_decaps = 30u + (unsigned)n, .bytes_decaps = 3000, .verify_fail = 2,
		.recv_errors = 1 };
	if (db_cm_sa_up(d, &m) < 0 || db_sa_counters(d, &k) < 0)
		exit(1);
}

static void counters(struct db *d, uint32_t id, uint64_t base)
{
	struct msg_counters k = { .session_id = id, .pkts_in = base, .pkts_out = base + 2,
		.bytes_in = base * 100, .bytes_out = base * 100 + 200, .drop_auth = 1,
		.drop_replay = 2, .drop_other = 3 };
	if (db_counters(d, &k) < 0)
		exit(1);
}

static int set_version(const char *path, int v)
{
	sqlite3 *h;
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	if (sqlite3_open(path, &h) != SQLITE_OK || sqlite3_exec(h, sql, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "db_fill: %s: %s\n", path, sqlite3_errmsg(h));
		sqlite3_close(h);
		return 1;
	}
	sqlite3_close(h);
	return 0;
}

static int burst(const char *path, long n)
{
	struct db *d = db_open(path);
	if (!d)
		return 1;
	for (long i = 0; i < n; i++) {
		uint32_t id = (uint32_t)i + 1;
		up(d, id, "burst", "group1", "172.18.143.2", 4500, "172.18.143.246", 4500,
		   "192.168.1.1", (int)(id % 1000));
		counters(d, id, (uint64_t)i);
		if (db_event(d, id, "burst") < 0 || db_session_down(d, id, "peer delete") < 0)
			return 1;
	}
	db_close(d);
	return 0;
}

/* This host as an Easy VPN remote: ezvpn e up as session 7 on va1, address 192.168.1.7 */
static int ezvpn(const char *path)
{
	struct db *d = db_open(path);
	if (!d)
		return 1;
	struct msg_ez_state z;
	memset(&z, 0, sizeof(z));
	snprintf(z.ezvpn, sizeof(z.ezvpn), "e");
	snprintf(z.state, sizeof(z.state), "IPSEC_ACTIVE");
	inet_pton(AF_INET, "172.18.143.246", &z.peer);
	inet_pton(AF_INET, "192.168.1.7", &z.addr);
	inet_pton(AF_INET, "255.255.255.0", &z.mask);
	snprintf(z.ifname, sizeof(z.ifname), "va1");
	z.unit = 1;
	z.session_id = 7;
	if (db_ez_state(d, &z) < 0)
		return 1;
	ike_up(d, 7, "172.18.143.246", 500, "172.18.143.2", 500);
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = 7;
	m.spi_in = htonl(0x11110007);
	m.spi_out = htonl(0x22220007);
	sin_set(&m.peer, "172.18.143.246", 500);
	sin_set(&m.local, "172.18.143.2", 500);
	snprintf(m.ifname, sizeof(m.ifname), "va1");
	m.unit = 1;
	snprintf(m.transform, sizeof(m.transform), "esp-aes 256 esp-sha-hmac");
	m.encap = ENCAP_RAW;
	m.life_seconds = 3600;
	m.installed = 1700000000;
	inet_pton(AF_INET, "192.168.1.7", &m.local_ident);
	m.local_ident_mask.s_addr = 0xffffffff;
	if (db_ipsec_sa_up(d, &m) < 0)
		return 1;
	struct msg_session_up u;
	memset(&u, 0, sizeof(u));
	u.session_id = 7;
	snprintf(u.group, sizeof(u.group), "g");
	snprintf(u.profile, sizeof(u.profile), "ezvpn e");
	sin_set(&u.peer, "172.18.143.246", 500);
	sin_set(&u.local, "172.18.143.2", 500);
	inet_pton(AF_INET, "192.168.1.7", &u.assigned);
	snprintf(u.ifname, sizeof(u.ifname), "va1");
	u.unit = 1;
	if (db_session_up(d, &u) < 0)
		return 1;
	db_close(d);
	return 0;
}

/* An IKEv2 SA as ikev2_sa.c's report_ike fills it: IKEv2 words, READY once established */
static void v2_up(struct db *d, uint32_t id, const char *peer, int port, const char *state,
                  const char *encr, const char *prf, int dh, int caps, const char *local_id)
{
	struct msg_ike_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = id;
	memset(m.cky_i, 0x10 + (int)id, 8);
	memset(m.cky_r, 0xc0 + (int)id, 8);
	sin_set(&m.peer, peer, port);
	sin_set(&m.local, "172.18.143.246", port == 500 ? 500 : 4500);
	snprintf(m.state, sizeof(m.state), "%s", state);
	snprintf(m.encr, sizeof(m.encr), "%s", encr);
	snprintf(m.hash, sizeof(m.hash), "%s", prf);
	snprintf(m.auth, sizeof(m.auth), "psk");
	m.dh_group = dh;
	m.lifetime = 86400;
	/* a few seconds ago: the Active Time shown stays small and checkable */
	m.established = (int64_t)time(NULL) - 12;
	m.caps = caps | IKE_CAP_V2;
	snprintf(m.local_id, sizeof(m.local_id), "%s", local_id);
	if (db_ike_sa_up(d, &m) < 0)
		exit(1);
}

/* A CHILD_SA as ike_report.c reports it: the hub's selector only when it is a network. */
static void v2_child(struct db *d, uint32_t id, const char *peer, int port, const char *addr,
                     const char *hub_net, const char *hub_mask)
{
	struct msg_ipsec_sa m;
	memset(&m, 0, sizeof(m));
	m.session_id = id;
	m.spi_in = htonl(0xc2000000u + id);
	m.spi_out = htonl(0x0d000000u + id);
	sin_set(&m.peer, peer, port);
	sin_set(&m.local, "172.18.143.246", port);
	snprintf(m.ifname, sizeof(m.ifname), "va%u", id);
	m.unit = (int)id;
	inet_pton(AF_INET, addr, &m.remote_ident);
	if (hub_net) {
		inet_pton(AF_INET, hub_net, &m.local_ident);
		inet_pton(AF_INET, hub_mask, &m.local_ident_mask);
	}
	snprintf(m.transform, sizeof(m.transform), "esp-aes 256 esp-sha256-hmac");
	m.life_seconds = 3600;
	m.installed = 1700000000;
	if (db_ipsec_sa_up(d, &m) < 0)
		exit(1);
}

static int ikev2(const char *path)
{
	struct db *d = db_open(path);
	if (!d)
		return 1;
	up(d, 1, "alice", "group1", "172.18.143.2", 4500, "172.18.143.246", 4500, "192.168.1.1", 2);
	ike_up(d, 1, "172.18.143.2", 4500, "172.18.143.246", 4500);
	up(d, 11, "dave@example.com", "v2group", "198.51.100.7", 4500, "172.18.143.246", 4500,
	   "192.168.1.11", 11);
	v2_up(d, 11, "198.51.100.7", 4500, "READY", "aes-cbc-256", "sha256", 14,
	      IKE_CAP_CFG | IKE_CAP_NAT, "hub.example.com");
	up(d, 12, "erin", "v2group", "203.0.113.5", 500, "172.18.143.246", 500, "192.168.1.12", 12);
	v2_up(d, 12, "203.0.113.5", 500, "READY", "aes-gcm-256", "sha384", 19, IKE_CAP_CFG, "172.18.143.246");
	v2_child(d, 11, "198.51.100.7", 4500, "192.168.1.11", "10.10.0.0", "255.255.0.0");
	v2_child(d, 12, "203.0.113.5", 500, "192.168.1.12", NULL, NULL);
	v2_up(d, 13, "203.0.113.9", 500, "IN-NEG", "aes-cbc-128", "sha1", 14, 0, "");
	v2_up(d, 14, "203.0.113.10", 500, "READY", "aes-cbc-256", "sha256", 14, 0, "");
	if (db_ike_sa_down(d, 14, "peer delete") < 0)
		return 1;
	db_close(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--ikev2"))
		return ikev2(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--ezvpn"))
		return ezvpn(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "--version"))
		return set_version(argv[3], atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "--burst"))
		return burst(argv[3], atol(argv[2]));
	if (argc != 2) {
		fprintf(stderr, "usage: db_fill [--version N] PATH\n");
		return 2;
	}
	struct db *d = db_open(argv[1]);
	if (!d)
		return 1;
	up(d, 1, "alice", "group1", "172.18.143.2", 4500, "172.18.143.246", 4500, "192.168.1.1", 2);
	counters(d, 1, 10);
	/* a name with everything a client could slip in: quotes, backslash, an escape sequence,
	 * a newline, UTF-8 and a byte that is not UTF-8 */
	up(d, 2, "bob \"b\" \\ \x1b[31m\n\xc3\xa9\xff'; DROP TABLE sessions; --", "group2",
	   "10.0.0.5", 500, "10.0.0.1", 500, "0.0.0.0", 3);
	/* IKE SAs: alice's, bob's, and alice's next one (a phase 1 rekey: a new conn-id, the
	 * same peer), carol's ended with her session */
	ike_up(d, 1, "172.18.143.2", 4500, "172.18.143.246", 4500);
	ike_up(d, 2, "10.0.0.5", 500, "10.0.0.1", 500);
	ike_up(d, 5, "172.18.143.2", 4500, "172.18.143.246", 4500);
	ike_up(d, 3, "172.18.143.9", 4500, "172.18.143.246", 4500);
	/* alice has an IPsec SA (UP-ACTIVE), bob none (UP-IDLE) */
	ipsec_up(d, 1, "172.18.143.2", 4500, "172.18.143.246", 4500, "192.168.1.1", 2);
	/* two manual entries of map CM on eth0 (cm0, cm1), and one a reload replaced */
	cm_up(d, 0, 10, 0x1000, 0x2000);
	cm_up(d, 1, 20, 0x1001, 0x2001);
	cm_up(d, 2, 30, 0x1002, 0x2002);
	if (db_cm_sa_down(d, MSG_CM_SESSION_BASE + 2, htonl(0x1002), "removed") < 0)
		return 1;
	up(d, 3, "carol", "group1", "172.18.143.9", 4500, "172.18.143.246", 4500, "192.168.1.3", 4);
	counters(d, 3, 5);
	if (db_session_down(d, 3, "peer delete") < 0 || db_event(d, 3, "deleted by client") < 0)
		return 1;
	db_close(d);
	return 0;
}
