/* IKEv2 proposal choice: see ikev2_proposal.c. */
#ifndef VPND_IKEV2_PROPOSAL_H
#define VPND_IKEV2_PROPOSAL_H

#include <stdint.h>

#include "common/conf.h"
#include "ikemgr/ikev2_wire.h"

struct ikev2_ike_choice {
	uint8_t  prop_num;
	uint8_t  spi_size, spi[8];   /* an IKE SA rekey's proposal carries the new SPIi */
	uint16_t encr_id, encr_bits, prf_id, integ_id, dh;
};

struct ikev2_esp_choice {
	uint8_t  prop_num;
	uint32_t spi_peer;           /* network order: the peer's inbound SPI, our outbound */
	int      encr, keylen, auth; /* enum conf_esp_encr / conf_esp_auth, key bits (0: fixed) */
	uint16_t encr_id, integ_id;  /* as on the wire */
	int      esn_none;           /* the peer sent an ESN transform: we answer "no ESN" */
};

/* The policy for a local address: one naming it, else the first without `match address
 * local`; NULL when neither exists. */
const struct conf_ikev2_policy *ikev2_policy_for(const struct vpnd_conf *,
                                                 const union sa46 *local);
/* 0 and *out when one of the peer's IKE proposals fits one of the policy's; ke_group is the
 * group of the peer's KE payload, preferred when both sides allow it. -1: NO_PROPOSAL_CHOSEN. */
int ikev2_choose_ike(const struct vpnd_conf *, const union sa46 *local,
                     const struct ikev2_sa_pl *offer, uint16_t ke_group,
                     struct ikev2_ike_choice *out);
/* A CHILD_SA proposal against the ipsec profile's transform sets (tunnel mode only). */
int ikev2_choose_esp(const struct vpnd_conf *, const struct conf_ipsec_profile *,
                     const struct ikev2_prop *props, int nprops, struct ikev2_esp_choice *out);

/* The DH group of a CREATE_CHILD_SA proposal (PFS): the KE payload's group when the proposal
 * names it (and it is want, the ipsec profile's pfs group, if set); 0 without PFS (no KE, and
 * the proposal offers NONE or no group); -1 when they disagree. */
int ikev2_prop_dh(const struct ikev2_prop *, int ke_group, int want);

#endif
