/*
 * vpnload: IKEv1 Easy VPN load generator (aggressive mode, XAUTH, Mode Config, quick mode),
 * modelled on strongSwan's load-tester. Shared state of vpnload.c (IKE, event loop, report)
 * and vpnload_esp.c (ESP through the sessions: one echo each, then a pump through K of them).
 */
#ifndef VPND_VPNLOAD_H
#define VPND_VPNLOAD_H

#include <stdint.h>
#include <netinet/in.h>

#include "ikemgr/ikev1_init.h"

struct esp_sa;

enum { S_IDLE, S_P1, S_XAUTH, S_CFG, S_QM, S_UP, S_FAILED, S_GONE };

struct sess {
	int      st;
	struct sockaddr_in src;         /* our address and port (500, then 4500 with NAT-T) */
	struct ikei_sa sa;
	struct ikei_x x;                /* transaction exchange in progress */
	struct ikei_qm qm;
	struct in_addr addr;            /* Mode Config address */
	double   t_start, t_up, deadline, next_rtx, rto;
	int      rtx_left;
	uint8_t *last;                  /* last datagram sent, for retransmission */
	size_t   last_len;
	const char *why;                /* failure reason */
	uint16_t notify;
	struct esp_sa *esp_out, *esp_in;
	int      echo_ok, echo_tries;
	double   echo_next, t_echo;          /* next try; when the first reply came */
};

struct vl_opts {
	struct sockaddr_in hub;
	struct in_addr target;          /* echo host behind the hub */
	const char *group, *key, *user, *password;
	const char *release;            /* hold until this file exists */
	int      n, k, dhgroup, natt, psize;
	double   rate, hold, deadline, duration;
	uint32_t src_base;              /* host order, first source address */
	uint32_t src_count;
	int      p2_encr, p2_keylen, p2_auth;
};

extern struct vl_opts opt;
extern struct sess *sess;
extern int fd500, fd4500, fdesp;

double vl_now(void);
/* one round of the event loop: waits up to ms for datagrams and handles them */
void vl_poll(int ms);
/* sends a datagram of session s to the hub (IKE: with the non-ESP marker on 4500) */
int  vl_send(struct sess *, const uint8_t *pkt, size_t len, int ike);

/* vpnload_opts.c: fills opt, exits with the usage on a bad one */
void vl_parse_opts(int argc, char **argv);

/* vpnload_esp.c */
int  esp_open(void);
int  esp_session_up(struct sess *);         /* SAs from KEYMAT; -1 on failure */
void esp_echo_tick(struct sess *, double now);
void esp_input(const uint8_t *pkt, size_t len, int udp);
void esp_pump(double duration, int k);
void esp_report(void);
void esp_session_free(struct sess *);

#endif
