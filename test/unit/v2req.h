/*
 * keymgr's IKEv2 authentication request as ikemgr builds it, for unit tests: IDi (type 1 an
 * IPv4 address, else the text), PRF HMAC-SHA-256, 32-byte nonces, and two IKE_SA_INIT
 * messages whose signed octets (RealMessage | Nonce | prf output) hang together; AUTH and
 * the method are left to the test.
 */
#ifndef VPND_V2REQ_H
#define VPND_V2REQ_H

#include "common/msg.h"

void v2req(struct msg_v2_auth_req *rq, int id_type, const char *id, const char *peer);

#endif
