/*
 * Aggressive mode answers a group that does not exist (or has no key, or that RADIUS
 * refused) exactly as one that does: with an SKEYID from a key that nobody knows, so ikemgr
 * sends an ordinary message 2 and the exchange fails at HASH_I, as with a wrong group key.
 * Otherwise the answer tells a scanner which group names are real, and a real name is all it
 * needs to start an offline dictionary attack on HASH_R.
 *
 * The key is HMAC-SHA256(secret, group) with a secret drawn once per start of keymgr: the
 * same name gets the same key every time, so repeated tries cannot tell a decoy from a real
 * group whose key they do not know either.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "common/ike_crypto.h"
#include "keymgr/keymgr.h"

static uint8_t secret[32];
static int have_secret;

void keymgr_decoy_skeyid(const struct msg_skeyid_req *rq, const char *group,
                         struct msg_skeyid_res *res)
{
	uint8_t key[32];
	unsigned klen = sizeof(key);
	size_t len = 0;

	if (!have_secret) {
		if (RAND_bytes(secret, sizeof(secret)) != 1)
			fatalx("RAND_bytes failed: no decoy key for unknown groups");
		have_secret = 1;
	}
	res->status = KEY_ERROR;
	res->skeyid_len = 0;
	if (!HMAC(EVP_sha256(), secret, sizeof(secret), (const uint8_t *)group, strlen(group), key,
	          &klen))
		return;
	if (ike_skeyid_psk(rq->prf_hash, key, klen, rq->ni, rq->ni_len, rq->nr, rq->nr_len,
	                   res->skeyid, &len) == 0 && len <= sizeof(res->skeyid)) {
		res->skeyid_len = (uint16_t)len;
		res->status = KEY_OK;
	}
	OPENSSL_cleanse(key, sizeof(key));
}
