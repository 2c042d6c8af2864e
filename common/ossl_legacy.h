/* OpenSSL's legacy provider (single DES), for IKE (common/ike_crypto.c) and ESP (tunmgr). */
#ifndef VPND_OSSL_LEGACY_H
#define VPND_OSSL_LEGACY_H

/* Loads the default and legacy providers once per process; 0, or -1 when the legacy one is
 * missing (single DES then fails cleanly). Providers are modules read from disk: call it
 * before a chroot. */
int ossl_legacy_load(void);

#endif
