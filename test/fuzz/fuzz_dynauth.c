// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_dynauth.c radius/dynauth_wire.c -lcrypto -o fuzz_dynauth
/*
 * A Disconnect-/CoA-Request as it comes off the wire. The input is taken twice: as it is
 * (almost always dropped at the authenticator), and signed with the secret when its Length
 * field fits, so the attribute parser behind the authenticator check is reached too. Whatever
 * the bytes, da_parse reads nothing past the datagram and answers 0 or -1; the answer built for
 * an accepted request carries a right authenticator, its length fits and every string it
 * filled is terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radius/dynauth.h"

static void one(const uint8_t *pkt, size_t size, const uint8_t *signed_req)
{
	struct da_request rq;
	char why[96];
	uint8_t out[1024];
	int r = da_parse(pkt, size, "fuzzsecret", &rq, why, sizeof(why));
	if (r != 0 && r != -1)
		abort();
	if (r != 0)
		return;
	if (strlen(rq.user) >= sizeof(rq.user) || strlen(rq.acl) >= sizeof(rq.acl) ||
	    strlen(rq.why) >= sizeof(rq.why) || rq.proxy_len > sizeof(rq.proxy))
		abort();
	int code = rq.code == DA_COA_REQ ? DA_COA_NAK : DA_DISCONNECT_NAK;
	size_t n = da_answer(&rq, code, rq.error_cause ? rq.error_cause : 503, "fuzzsecret", out,
	                     sizeof(out));
	if (n > sizeof(out) || (n && da_answer_check(signed_req, out, n, "fuzzsecret") != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *pkt = malloc(size ? size : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data, size);
	one(pkt, size, pkt);
	if (size >= DA_HDR && size <= DA_MAX_LEN) {
		size_t len = (size_t)pkt[2] << 8 | pkt[3];
		if (len >= DA_HDR && len <= size && da_sign_request(pkt, len, "fuzzsecret") == 0)
			one(pkt, size, pkt);
	}
	free(pkt);
	return 0;
}
