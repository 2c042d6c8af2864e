/*
 * show crypto isakmp policy|profile, show crypto ipsec transform-set|profile: laid out as IOS
 * prints them, or as JSON.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/json.h"
#include "control/show_config.h"
#include "control/show_int.h"

/* ------------------------------------------------------------------------------------------ */
/* show crypto isakmp policy */

void policy_json(struct jw *w, const struct conf_isakmp_policy *p)
{
	jw_obj(w, NULL);
	jw_int(w, "priority", p->priority);
	jw_str(w, "encryption", ike_encr_word(p->encr));
	if (p->encr == IKE_ENCR_AES)
		jw_int(w, "key_length", p->keylen ? p->keylen : 128);
	else
		jw_null(w, "key_length");
	jw_str(w, "hash", ike_hash_word(p->hash));
	jw_str(w, "authentication", ike_auth_word(p->auth));
	jw_int(w, "group", p->group);
	jw_int(w, "lifetime", p->lifetime);
	jw_obj_end(w);
}

int show_isakmp_policy(FILE *f, const struct vpnd_conf *c, int json)
{
	char buf[64];

	if (json) {
		struct jw w;
		jw_init(&w, f);
		jw_arr(&w, NULL);
		for (int i = 0; i < c->npolicy; i++)
			policy_json(&w, &c->policy[i]);
		jw_arr_end(&w);
		return 0;
	}
	fprintf(f, "Global IKE policy\n");
	for (int i = 0; i < c->npolicy; i++) {
		const struct conf_isakmp_policy *p = &c->policy[i];
		fprintf(f, "Protection suite of priority %d\n", p->priority);
		fprintf(f, "\tencryption algorithm:\t%s\n", ike_encr_text(p, buf, sizeof(buf)));
		fprintf(f, "\thash algorithm:\t\t%s\n", ike_hash_text(p->hash));
		fprintf(f, "\tauthentication method:\t%s\n", ike_auth_text(p->auth));
		fprintf(f, "\tDiffie-Hellman group:\t%s\n", dh_text(p->group));
		fprintf(f, "\tlifetime:\t\t%u seconds, no volume limit\n", (unsigned)p->lifetime);
	}
	/* IOS falls back to its default suite; vpnd has none and refuses every proposal */
	if (c->npolicy == 0)
		fprintf(f, "No protection suite configured: every IKE proposal is refused\n");
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* show crypto isakmp profile */

void profile_json(struct jw *w, const struct conf_isakmp_profile *p)
{
	jw_obj(w, NULL);
	jw_str(w, "name", p->name);
	jw_arr(w, "match_identity_groups");
	for (int k = 0; k < p->nmatch_group; k++)
		jw_str(w, NULL, p->match_group[k]);
	jw_arr_end(w);
	jw_str(w, "match_certificate", p->match_cert);
	jw_str(w, "client_authentication_list", p->client_auth_list);
	jw_str(w, "isakmp_authorization_list", p->isakmp_auth_list);
	jw_str(w, "accounting_list", p->acct_list);
	jw_str(w, "client_configuration_address",
	       p->config_respond ? "respond" : p->config_initiate ? "initiate" : NULL);
	jw_int0(w, "virtual_template", p->virtual_template);
	if (p->keepalive) {
		jw_obj(w, "keepalive");
		jw_int(w, "interval", p->keepalive);
		jw_int(w, "retry", p->keepalive_retry);
		jw_obj_end(w);
	} else {
		jw_null(w, "keepalive");
	}
	jw_arr(w, "match_identity_addresses");
	for (int k = 0; k < p->nmatch_addr; k++) {
		char buf[INET6_ADDRSTRLEN + 8];
		if (p->match_addr[k].is6) {
			char a6[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, &p->match_addr[k].addr6, a6, sizeof(a6));
			snprintf(buf, sizeof(buf), "%s/%d", a6, p->match_addr[k].plen6);
		} else {
			snprintf(buf, sizeof(buf), "%s/%s", addr(p->match_addr[k].addr).s,
			         addr(p->match_addr[k].mask).s);
		}
		jw_str(w, NULL, buf);
	}
	jw_arr_end(w);
	jw_str(w, "keyring", p->keyring);
	jw_str(w, "network_extension_acl", p->nem_acl);
	jw_str(w, "local_address", p->local_address);
	jw_str(w, "self_identity", p->self_identity == SELF_ID_FQDN ? "fqdn" : "address");
	jw_str(w, "client_configuration_group", p->client_group);
	jw_arr(w, "ca_trust_points");
	for (int k = 0; k < p->nca_tp; k++)
		jw_str(w, NULL, p->ca_tp[k]);
	jw_arr_end(w);
	jw_obj_end(w);
}

int show_isakmp_profile(FILE *f, const struct vpnd_conf *c, int json)
{
	if (json) {
		struct jw w;
		jw_init(&w, f);
		jw_arr(&w, NULL);
		for (int i = 0; i < c->nprofile; i++)
			profile_json(&w, &c->profile[i]);
		jw_arr_end(&w);
		return 0;
	}
	for (int i = 0; i < c->nprofile; i++) {
		const struct conf_isakmp_profile *p = &c->profile[i];
		fprintf(f, "ISAKMP PROFILE %s\n", p->name);
		fprintf(f, "   Identities matched are:\n");
		for (int k = 0; k < p->nmatch_group; k++)
			fprintf(f, "    group %s\n", p->match_group[k]);
		for (int k = 0; k < p->nmatch_addr; k++) {
			const struct selbuf sb = SEL_TEXT(&p->match_addr[k]);
			/* the IPv6 counterpart of ip-address */
			if (p->match_addr[k].is6)
				fprintf(f, "    ipv6-address %s\n", sb.s + 5);
			else
				fprintf(f, "    ip-address %s\n", sb.s);
		}
		if (p->match_cert[0])
			fprintf(f, "   Certificate maps matched are:\n    %s\n", p->match_cert);
		if (p->keyring[0])
			fprintf(f, "   keyring(s): %s\n", p->keyring);
		for (int k = 0; k < p->nca_tp; k++)
			fprintf(f, "   ca trust-point: %s\n", p->ca_tp[k]);
		if (p->local_address[0])
			fprintf(f, "   local-address: %s\n", p->local_address);
		if (p->self_identity == SELF_ID_FQDN)
			fprintf(f, "   self-identity: fqdn\n");
		if (p->client_group[0])
			fprintf(f, "   client configuration group: %s\n", p->client_group);
		if (p->nem_acl[0])
			fprintf(f, "   network-extension access-list: %s\n", p->nem_acl);
		if (p->client_auth_list[0])
			fprintf(f, "   client authentication list: %s\n", p->client_auth_list);
		if (p->isakmp_auth_list[0])
			fprintf(f, "   isakmp authorization list: %s\n", p->isakmp_auth_list);
		if (p->acct_list[0])
			fprintf(f, "   accounting list: %s\n", p->acct_list);
		if (p->config_respond || p->config_initiate)
			fprintf(f, "   client configuration address: %s%s%s\n",
			        p->config_respond ? "respond" : "",
			        p->config_respond && p->config_initiate ? ", " : "",
			        p->config_initiate ? "initiate" : "");
		if (p->virtual_template)
			fprintf(f, "   virtual-template: %d\n", p->virtual_template);
		if (p->keepalive)
			fprintf(f, "   keepalive: %d seconds, retry %d seconds\n", p->keepalive,
			        p->keepalive_retry);
		else if (c->dpd_interval)
			fprintf(f, "   keepalive: %d seconds, retry %d seconds (crypto isakmp keepalive)\n",
			        c->dpd_interval, c->dpd_retry);
		fprintf(f, "\n");
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* show crypto ipsec transform-set */

void tset_json(struct jw *w, const struct conf_transform_set *t)
{
	char buf[96];

	jw_obj(w, NULL);
	jw_str(w, "name", t->name);
	jw_str(w, "transforms", tset_transforms(t, 0, buf, sizeof(buf)));
	jw_str(w, "encryption", esp_encr_word(t->encr));
	if (t->encr == ESP_ENCR_AES_CBC || t->encr == ESP_ENCR_AES_GCM16)
		jw_int(w, "key_length", t->keylen ? t->keylen : 128);
	else
		jw_null(w, "key_length");
	jw_str(w, "authentication", esp_auth_word(t->auth));
	jw_str(w, "mode", t->mode_transport ? "transport" : "tunnel");
	jw_obj_end(w);
}

int show_ipsec_transform_set(FILE *f, const struct vpnd_conf *c, int json)
{
	char buf[96];

	if (json) {
		struct jw w;
		jw_init(&w, f);
		jw_arr(&w, NULL);
		for (int i = 0; i < c->ntset; i++)
			tset_json(&w, &c->tset[i]);
		jw_arr_end(&w);
		return 0;
	}
	for (int i = 0; i < c->ntset; i++) {
		const struct conf_transform_set *t = &c->tset[i];
		fprintf(f, "Transform set %s: { %s  }\n", t->name,
		        tset_transforms(t, 1, buf, sizeof(buf)));
		fprintf(f, "   will negotiate = { %s,  },\n\n",
		        t->mode_transport ? "Transport" : "Tunnel");
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* show crypto ipsec profile */

static uint32_t prof_seconds(const struct vpnd_conf *c, const struct conf_ipsec_profile *p)
{
	return p->lifetime_seconds ? p->lifetime_seconds : c->sa_lifetime_seconds;
}

static uint32_t prof_kb(const struct vpnd_conf *c, const struct conf_ipsec_profile *p)
{
	return p->lifetime_kb ? p->lifetime_kb : c->sa_lifetime_kb;
}

void iprof_json(struct jw *w, const struct vpnd_conf *c,
                       const struct conf_ipsec_profile *p)
{
	jw_obj(w, NULL);
	jw_str(w, "name", p->name);
	jw_arr(w, "transform_sets");
	for (int k = 0; k < p->ntset; k++)
		jw_str(w, NULL, p->tset[k]);
	jw_arr_end(w);
	jw_int0(w, "pfs_group", p->pfs_group);
	jw_int(w, "lifetime_seconds", prof_seconds(c, p));
	jw_int(w, "lifetime_kilobytes", prof_kb(c, p));
	jw_str(w, "isakmp_profile", p->isakmp_profile);
	jw_str(w, "ikev2_profile", p->ikev2_profile);
	jw_int0(w, "idle_time", p->idle_time);
	jw_int(w, "replay_window", p->replay_window ? p->replay_window : c->replay_window);
	jw_bool(w, "reverse_route", p->reverse_route);
	/* vpnd is a hub: it answers and never initiates */
	jw_bool(w, "responder_only", 1);
	jw_obj_end(w);
}

int show_ipsec_profile(FILE *f, const struct vpnd_conf *c, int json)
{
	char buf[96];

	if (json) {
		struct jw w;
		jw_init(&w, f);
		jw_arr(&w, NULL);
		for (int i = 0; i < c->nipsec_profile; i++)
			iprof_json(&w, c, &c->ipsec_profile[i]);
		jw_arr_end(&w);
		return 0;
	}
	for (int i = 0; i < c->nipsec_profile; i++) {
		const struct conf_ipsec_profile *p = &c->ipsec_profile[i];
		fprintf(f, "IPSEC profile %s\n", p->name);
		if (p->isakmp_profile[0])
			fprintf(f, "\tISAKMP Profile: %s\n", p->isakmp_profile);
		if (p->ikev2_profile[0])
			fprintf(f, "\tIKEv2 Profile: %s\n", p->ikev2_profile);
		fprintf(f, "\tSecurity association lifetime: %u kilobytes/%u seconds\n",
		        (unsigned)prof_kb(c, p), (unsigned)prof_seconds(c, p));
		if (p->idle_time)
			fprintf(f, "\tSecurity association idle time: %d seconds\n", p->idle_time);
		fprintf(f, "\tResponder-Only (Y/N): Y\n");
		fprintf(f, "\tPFS (Y/N): %s\n", p->pfs_group ? "Y" : "N");
		if (p->pfs_group)
			fprintf(f, "\tDH group:  group%d\n", p->pfs_group);
		fprintf(f, "\tTransform sets={\n");
		for (int k = 0; k < p->ntset; k++) {
			const struct conf_transform_set *t = conf_find_tset(c, p->tset[k]);
			if (t)
				fprintf(f, "\t\t%s:  { %s  } ,\n", t->name,
				        tset_transforms(t, 1, buf, sizeof(buf)));
			else
				fprintf(f, "\t\t%s:  { <not defined>  } ,\n", p->tset[k]);
		}
		fprintf(f, "\t}\n\n");
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Control socket handlers */

typedef int show_fn(FILE *, const struct vpnd_conf *, int);

static void run_show(struct control_conn *cc, int argc, char **argv, show_fn *fn,
                     const char *usage)
{
	const struct vpnd_conf *c = control_conf(cc);
	int json = control_take_json(&argc, argv);
	struct control_out o;

	if (argc != 0) {
		control_printf(cc, "%% Invalid input: '%s' (usage: %s [--json])\n", argv[0], usage);
		return;
	}
	if (c == NULL) {
		control_printf(cc, "%% no configuration loaded\n");
		return;
	}
	if (control_out_open(cc, &o) == NULL)
		return;
	fn(o.f, c, json);
	control_out_send(cc, &o);
}

void show_cmd_isakmp_policy(struct control_conn *cc, int argc, char **argv)
{
	run_show(cc, argc, argv, show_isakmp_policy, "show crypto isakmp policy");
}

void show_cmd_isakmp_profile(struct control_conn *cc, int argc, char **argv)
{
	run_show(cc, argc, argv, show_isakmp_profile, "show crypto isakmp profile");
}

void show_cmd_ipsec_transform_set(struct control_conn *cc, int argc, char **argv)
{
	run_show(cc, argc, argv, show_ipsec_transform_set, "show crypto ipsec transform-set");
}

void show_cmd_ipsec_profile(struct control_conn *cc, int argc, char **argv)
{
	run_show(cc, argc, argv, show_ipsec_profile, "show crypto ipsec profile");
}

/* show running-config [interface NAME | interface Virtual-AccessN] [--json] */
