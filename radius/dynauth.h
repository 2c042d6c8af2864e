/*
 * RFC 5176 Dynamic Authorization (Disconnect-Request, CoA-Request) served by keymgr, which
 * holds the dynamic-author clients' secrets. dynauth_wire.c reads and writes the datagrams (no
 * I/O, unit-tested and fuzzed); dynauth.c serves the socket and asks ikemgr, which owns the
 * sessions, to end or change them.
 */
#ifndef VPND_DYNAUTH_H
#define VPND_DYNAUTH_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <uv.h>

#include "common/conf.h"
#include "common/msg.h"

enum da_code {
	DA_DISCONNECT_REQ = 40, DA_DISCONNECT_ACK = 41, DA_DISCONNECT_NAK = 42,
	DA_COA_REQ = 43, DA_COA_ACK = 44, DA_COA_NAK = 45,
};

/* Error-Cause values (RFC 5176 section 3.5) that vpnd sends */
enum da_error_cause {
	DA_ERR_UNSUPPORTED_ATTRIBUTE = 401,
	DA_ERR_MISSING_ATTRIBUTE = 402,
	DA_ERR_NAS_ID_MISMATCH = 403,
	DA_ERR_INVALID_REQUEST = 404,
	DA_ERR_UNSUPPORTED_SERVICE = 405,
	DA_ERR_INVALID_ATTRIBUTE_VALUE = 407,
	DA_ERR_SESSION_NOT_FOUND = 503,
	DA_ERR_RESOURCES_UNAVAILABLE = 506,
};

#define DA_HDR        20
#define DA_MAX_LEN    4096
#define DA_STR_MAX    254      /* a value is at most 253 bytes, plus the NUL */
#define DA_PROXY_MAX  512      /* Proxy-State bytes echoed in the answer (whole attributes) */
#define DA_EVENT_WINDOW 300    /* seconds an Event-Timestamp may differ from our clock */

/* A request whose authenticator checked out, its attributes read. */
struct da_request {
	uint8_t  code, id;
	uint8_t  authenticator[16];
	int      has_msg_auth;                 /* answer with a Message-Authenticator too */
	/* set when the request is valid RADIUS but must be refused: the NAK's Error-Cause and
	 * why, for the log */
	int      error_cause;
	char     why[96];
	/* session identification (RFC 5176 section 3) */
	int      has_user, has_acct_sid, has_framed_ip, has_calling;
	char     user[DA_STR_MAX];
	char     acct_sid[DA_STR_MAX];
	struct in_addr framed_ip;
	char     calling[DA_STR_MAX];
	int      has_nas_port_type;
	uint32_t nas_port_type;
	/* NAS identification */
	int      has_nas_ip, has_nas_id, has_nas_ip6;
	struct in_addr nas_ip;
	struct in6_addr nas_ip6;              /* NAS-IPv6-Address (RFC 3162 2.1) */
	char     nas_id[DA_STR_MAX];
	/* changes (CoA only) */
	int      has_session_timeout;
	uint32_t session_timeout;
	int      has_acl;
	char     acl[DA_STR_MAX];              /* Filter-Id or Cisco-AVPair ipsec:inacl= */
	/* Event-Timestamp (RFC 5176 3.3): when the client sent it, for the replay window */
	int      has_event_ts;
	uint32_t event_ts;
	/* Proxy-State attributes, copied whole, echoed in order in the answer */
	uint8_t  proxy[DA_PROXY_MAX];
	size_t   proxy_len;
};

/*
 * Reads a datagram. Returns 0 when it is an authenticated Disconnect- or CoA-Request (rq
 * filled; rq->error_cause set when it must be answered with a NAK), -1 when it must be dropped
 * unanswered (not such a request, length wrong, authenticator or Message-Authenticator wrong:
 * RFC 5176 section 3.5 says to discard those silently); why says which.
 */
int  da_parse(const uint8_t *pkt, size_t len, const char *secret, struct da_request *rq,
              char *why, size_t whylen);
/* The answer to rq: code (an ACK or a NAK), Error-Cause when not 0. Returns its length. */
size_t da_answer(const struct da_request *rq, int code, int error_cause, const char *secret,
                 uint8_t *out, size_t outsz);
/* Fills in the Request Authenticator (and a Message-Authenticator attribute already present)
 * of a request built in pkt, as a dynamic-author client does (tests, fuzzing). */
int  da_sign_request(uint8_t *pkt, size_t len, const char *secret);
/* Checks an answer to req (tests): 0 when its Response Authenticator is right. */
int  da_answer_check(const uint8_t *req, const uint8_t *ans, size_t anslen, const char *secret);
const char *da_code_name(int code);

/* dynauth.c: the server in keymgr. fd is the UDP socket the parent opened (-1: none). */
typedef void (*dynauth_send_fn)(uint32_t type, uint32_t peerid, const void *data, size_t len);
void dynauth_init(const struct vpnd_conf *conf, uv_loop_t *loop, int fd, dynauth_send_fn to_ike);
/* after keymgr_reload(): warns about what needs a restart (the socket) */
void dynauth_reloaded(void);
/* Where a CoA-Request's new access list goes, for each session ikemgr matched: keymgr tells
 * tunmgr (keymgr/authz.c), since it authenticated the request and ikemgr did not. */
typedef void (*dynauth_acl_fn)(uint32_t session_id, const char *acl);
void dynauth_on_acl(dynauth_acl_fn);
/* ikemgr's answer to a request it was given */
void dynauth_result(const struct msg_dynauth_res *res);

#endif
