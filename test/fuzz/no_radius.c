/*
 * For the fuzz targets that link keymgr's IKEv2 authentication (v2auth.c brings v2eap.c)
 * without exercising EAP: the RADIUS client answers every question with an error at once,
 * and the EAP relay's answers to ikemgr go nowhere (no_radius_init sets that sender).
 * fuzz_v2eap has a RADIUS stand-in of its own that answers from the input.
 */
#include "keymgr/keymgr.h"
#include "radius/radius.h"
#include "test/fuzz/no_radius.h"

void radius_submit(struct radius_job *j)
{
	j->result = RAD_ERROR;
	j->done(j);
}

static void nowhere(uint32_t t, uint32_t id, const void *d, size_t l)
{
	(void)t; (void)id; (void)d; (void)l;
}

void no_radius_init(void)
{
	v2eap_set_sender(nowhere);
}
