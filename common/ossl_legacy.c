/* See ossl_legacy.h. */
#include <pthread.h>
#include <stdlib.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "common/ossl_legacy.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static OSSL_PROVIDER *prov_default, *prov_legacy;

/* By hand at exit: OpenSSL's own cleanup leaks the legacy provider's child library context
 * (which LeakSanitizer reports). */
static void unload(void)
{
	if (prov_legacy)
		OSSL_PROVIDER_unload(prov_legacy);
	if (prov_default)
		OSSL_PROVIDER_unload(prov_default);
	prov_legacy = prov_default = NULL;
}

static void load(void)
{
	/* Loading any provider by hand stops OpenSSL from loading "default" by itself: ask for
	 * both. They stay loaded for the life of the process. */
	prov_default = OSSL_PROVIDER_load(NULL, "default");
	prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	loaded = prov_default && prov_legacy;
	if (!loaded)
		ERR_clear_error();
	atexit(unload);
}

int ossl_legacy_load(void)
{
	pthread_once(&once, load);
	return loaded ? 0 : -1;
}
