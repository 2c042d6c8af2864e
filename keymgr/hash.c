/*
 * IKEv1 main mode's HASH_I and HASH_R (RFC 2409 5.1) from their parts, in keymgr: every hash
 * keymgr checks a signature over or signs is one it computed, so a taken-over ikemgr can
 * have only PRF outputs of exchanges signed, never a value of its choosing (another
 * protocol's digest).
 */
#include <string.h>

#include "keymgr/keymgr.h"
#include "common/ike_crypto.h"

int hash_parts_ok(const struct msg_hash_parts *p)
{
	size_t pl = ike_hash_len(p->prf_hash);
	return pl != 0 && pl <= sizeof(p->skeyid) && p->skeyid_len == pl && p->gx_len != 0 &&
	       p->gx_len <= sizeof(p->gxi) && p->sai_len != 0 && p->sai_len <= sizeof(p->sai_b);
}

int hash_from_parts(const struct msg_hash_parts *p, int hash_r, const uint8_t *id,
                    size_t idlen, uint8_t out[MSG_KEY_MAX], uint16_t *outlen)
{
	int rc;

	if (!hash_parts_ok(p) || idlen == 0 || idlen > MSG_ID_MAX)
		return -1;
	rc = (hash_r ? ike_hash_r : ike_hash_i)(p->prf_hash, p->skeyid, p->skeyid_len, p->gxi,
	                                        p->gx_len, p->gxr, p->gx_len, p->cky_i, p->cky_r,
	                                        p->sai_b, p->sai_len, id, idlen, out);
	if (rc < 0)
		return -1;
	*outlen = p->skeyid_len;
	return 0;
}

int hash_id_is_subject(const struct conf_trustpoint *tp, const uint8_t *id, size_t idlen)
{
	/* ID_DER_ASN1_DN; protocol 0 or UDP, port 0 or 500 (RFC 2407 4.6.2) */
	if (!tp || idlen != 4u + tp->subject_len || id[0] != ID_DER_ASN1_DN ||
	    (id[1] != 0 && id[1] != 17))
		return 0;
	unsigned port = (unsigned)id[2] << 8 | id[3];
	return (port == 0 || port == 500) && memcmp(id + 4, tp->subject_der, tp->subject_len) == 0;
}
