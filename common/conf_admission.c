/*
 * What limits the exposure of the IKE port and of local passwords:
 *   crypto isakmp aggressive-mode disable
 *   crypto call admission limit ike in-negotiation-sa N [per-peer M]
 *   crypto call admission limit ike sa N
 *   aaa local authentication attempts max-fail N
 * ikemgr (ikemgr/admission.c) and keymgr (keymgr/lockout.c) enforce them.
 */
#include <string.h>

#include "common/conf_parse.h"

void cp_h_isakmp_aggressive(struct conf_parser *p, int i)
{
	if (!cp_need(p, i, "disable"))
		return;
	if (strcmp(p->argv[i], "disable") != 0) {
		cp_error(p, "bad word '%s' in 'crypto isakmp aggressive-mode', expected disable",
		         p->argv[i]);
		return;
	}
	if (cp_end(p, i + 1))
		p->conf->aggressive_disable = 1;
}

/* crypto call admission limit ike in-negotiation-sa N [per-peer M] | ike sa N */
void cp_h_cac_ike(struct conf_parser *p, int i)
{
	long long n, m;

	if (!cp_need(p, i, "in-negotiation-sa or sa"))
		return;
	if (strcmp(p->argv[i], "sa") == 0) {
		if (cp_need(p, i + 1, "a number of IKE SAs from 10 to 100000") &&
		    cp_num(p, i + 1, "IKE SA limit", 10, 100000, &n) && cp_end(p, i + 2))
			p->conf->cac_ike_sa = (int)n;
		return;
	}
	if (strcmp(p->argv[i], "in-negotiation-sa") != 0) {
		cp_error(p, "bad word '%s' in 'crypto call admission limit ike', expected "
		         "in-negotiation-sa or sa", p->argv[i]);
		return;
	}
	if (!cp_need(p, i + 1, "a number of IKE SAs from 10 to 100000") ||
	    !cp_num(p, i + 1, "in-negotiation IKE SA limit", 10, 100000, &n))
		return;
	m = CONF_CAC_IN_NEGOTIATION_PEER < n ? CONF_CAC_IN_NEGOTIATION_PEER : n;
	int j = i + 2;
	if (j < p->argc) {
		if (strcmp(p->argv[j], "per-peer") != 0) {
			cp_error(p, "bad word '%s' after 'in-negotiation-sa %lld', expected per-peer M",
			         p->argv[j], n);
			return;
		}
		if (!cp_need(p, j + 1, "a number of IKE SAs per peer address from 1 to the limit") ||
		    !cp_num(p, j + 1, "per-peer in-negotiation limit", 1, n, &m))
			return;
		j += 2;
	}
	if (!cp_end(p, j))
		return;
	p->conf->cac_in_negotiation = (int)n;
	p->conf->cac_in_negotiation_peer = (int)m;
}

/* aaa local authentication attempts max-fail N */
void cp_h_aaa_local_attempts(struct conf_parser *p, int i)
{
	long long n;

	if (!cp_need(p, i, "max-fail N"))
		return;
	if (strcmp(p->argv[i], "max-fail") != 0) {
		cp_error(p, "bad word '%s' in 'aaa local authentication attempts', expected max-fail",
		         p->argv[i]);
		return;
	}
	if (cp_need(p, i + 1, "a number of failures from 1 to 65535") &&
	    cp_num(p, i + 1, "max-fail", 1, 65535, &n) && cp_end(p, i + 2))
		p->conf->aaa_max_fail = (int)n;
}
