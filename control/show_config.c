/*
 * show crypto isakmp policy|profile, show crypto ipsec transform-set|profile and
 * show running-config [interface NAME], laid out as IOS prints them, or as JSON.
 *
 * running-config is printed so that vpnd would read it back to the same configuration
 * (secrets aside): a setting is left out only when it is both vpnd's and IOS's default, so
 * nothing an IOS reader assumes differs from what runs. Keys and passwords are never read
 * here; they are printed as <removed>, which also means the output is not a backup.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/json.h"
#include "control/show_config.h"
#include "control/show_logging.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------------------------ */
/* Names of things, as the configuration writes them and as IOS's show commands spell them. */

struct addrbuf { char s[INET_ADDRSTRLEN]; };

static struct addrbuf addr(struct in_addr a)
{
	struct addrbuf b;
	if (inet_ntop(AF_INET, &a, b.s, sizeof(b.s)) == NULL)
		snprintf(b.s, sizeof(b.s), "0.0.0.0");
	return b;
}

static struct addrbuf wildcard(struct in_addr mask)
{
	struct in_addr w = { .s_addr = ~mask.s_addr };
	return addr(w);
}

static const char *ike_encr_word(int e)
{
	switch (e) {
	case IKE_ENCR_DES:  return "des";
	case IKE_ENCR_3DES: return "3des";
	case IKE_ENCR_AES:  return "aes";
	}
	return "unknown";
}

static const char *ike_hash_word(int h)
{
	switch (h) {
	case IKE_HASH_MD5:    return "md5";
	case IKE_HASH_SHA1:   return "sha";
	case IKE_HASH_SHA256: return "sha256";
	case IKE_HASH_SHA384: return "sha384";
	case IKE_HASH_SHA512: return "sha512";
	}
	return "unknown";
}

static const char *ike_auth_word(int a)
{
	switch (a) {
	case IKE_AUTH_PSK:     return "pre-share";
	case IKE_AUTH_RSA_SIG: return "rsa-sig";
	case IKE_AUTH_ECDSA_SIG: return "ecdsa-sig";
	}
	return "unknown";
}

/* The wording of IOS's show crypto isakmp policy. */
static const char *ike_encr_text(const struct conf_isakmp_policy *p, char *buf, size_t len)
{
	switch (p->encr) {
	case IKE_ENCR_DES:
		return "DES - Data Encryption Standard (56 bit keys).";
	case IKE_ENCR_3DES:
		return "Three key triple DES";
	case IKE_ENCR_AES:
		snprintf(buf, len, "AES - Advanced Encryption Standard (%d bit keys).",
		         p->keylen ? p->keylen : 128);
		return buf;
	}
	return "unknown";
}

static const char *ike_hash_text(int h)
{
	switch (h) {
	case IKE_HASH_MD5:    return "Message Digest 5";
	case IKE_HASH_SHA1:   return "Secure Hash Standard";
	case IKE_HASH_SHA256: return "Secure Hash Standard 2 (256 bit)";
	case IKE_HASH_SHA384: return "Secure Hash Standard 2 (384 bit)";
	case IKE_HASH_SHA512: return "Secure Hash Standard 2 (512 bit)";
	}
	return "unknown";
}

static const char *ike_auth_text(int a)
{
	switch (a) {
	case IKE_AUTH_PSK:     return "Pre-Shared Key";
	case IKE_AUTH_RSA_SIG: return "Rivest-Shamir-Adleman Signature";
	}
	return "unknown";
}

/* Modulus or curve size of each DH group (RFC 2409, 3526, 5903). */
static const char *dh_text(int g)
{
	switch (g) {
	case 1:  return "#1 (768 bit)";
	case 2:  return "#2 (1024 bit)";
	case 5:  return "#5 (1536 bit)";
	case 14: return "#14 (2048 bit)";
	case 15: return "#15 (3072 bit)";
	case 16: return "#16 (4096 bit)";
	case 19: return "#19 (256 bit ecp)";
	case 20: return "#20 (384 bit ecp)";
	case 21: return "#21 (521 bit ecp)";
	}
	return "unknown";
}

static int dh_legacy(int g)
{
	return g == 1 || g == 2 || g == 5;
}

/* The hash the parser gives a policy that names none (docs/config.md, Defaults). */
static int default_hash(const struct conf_isakmp_policy *p)
{
	return p->encr == IKE_ENCR_DES || p->encr == IKE_ENCR_3DES || dh_legacy(p->group) ?
	       IKE_HASH_SHA1 : IKE_HASH_SHA256;
}

/* The encryption transform as the configuration writes it: "esp-aes 256". */
static const char *esp_encr_conf(const struct conf_transform_set *t, char *buf, size_t len)
{
	switch (t->encr) {
	case ESP_ENCR_DES:  return "esp-des";
	case ESP_ENCR_3DES: return "esp-3des";
	case ESP_ENCR_NULL: return "esp-null";
	case ESP_ENCR_AES_CBC:
	case ESP_ENCR_AES_GCM16: {
		const char *w = t->encr == ESP_ENCR_AES_CBC ? "esp-aes" : "esp-gcm";
		if (t->keylen == 0 || t->keylen == 128)
			return w;
		snprintf(buf, len, "%s %d", w, t->keylen);
		return buf;
	}
	}
	return "unknown";
}

/* The same as IOS's show commands spell it: esp-256-aes for AES-CBC, esp-gcm 256 for GCM. */
static const char *esp_encr_show(const struct conf_transform_set *t, char *buf, size_t len)
{
	if (t->encr == ESP_ENCR_AES_CBC && t->keylen && t->keylen != 128) {
		snprintf(buf, len, "esp-%d-aes", t->keylen);
		return buf;
	}
	return esp_encr_conf(t, buf, len);
}

static const char *esp_encr_word(int e)
{
	switch (e) {
	case ESP_ENCR_DES:       return "esp-des";
	case ESP_ENCR_3DES:      return "esp-3des";
	case ESP_ENCR_AES_CBC:   return "esp-aes";
	case ESP_ENCR_AES_GCM16: return "esp-gcm";
	case ESP_ENCR_NULL:      return "esp-null";
	}
	return "unknown";
}

static const char *esp_auth_word(int a)
{
	switch (a) {
	case ESP_AUTH_NONE:            return NULL;
	case ESP_AUTH_HMAC_MD5_96:     return "esp-md5-hmac";
	case ESP_AUTH_HMAC_SHA1_96:    return "esp-sha-hmac";
	case ESP_AUTH_HMAC_SHA256_128: return "esp-sha256-hmac";
	case ESP_AUTH_HMAC_SHA384_192: return "esp-sha384-hmac";
	case ESP_AUTH_HMAC_SHA512_256: return "esp-sha512-hmac";
	}
	return "unknown";
}

/* "esp-3des esp-sha-hmac" (configuration) or with IOS's show spelling. */
static const char *tset_transforms(const struct conf_transform_set *t, int show, char *buf,
                                   size_t len)
{
	char e[32];
	const char *a = esp_auth_word(t->auth);
	const char *enc = show ? esp_encr_show(t, e, sizeof(e)) : esp_encr_conf(t, e, sizeof(e));

	snprintf(buf, len, "%s%s%s", enc, a ? " " : "", a ? a : "");
	return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* show crypto isakmp policy */

static void policy_json(struct jw *w, const struct conf_isakmp_policy *p)
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

static void profile_json(struct jw *w, const struct conf_isakmp_profile *p)
{
	jw_obj(w, NULL);
	jw_str(w, "name", p->name);
	jw_arr(w, "match_identity_groups");
	for (int k = 0; k < p->nmatch_group; k++)
		jw_str(w, NULL, p->match_group[k]);
	jw_arr_end(w);
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
		char buf[40];
		snprintf(buf, sizeof(buf), "%s/%s", addr(p->match_addr[k].addr).s,
		         addr(p->match_addr[k].mask).s);
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
			fprintf(f, "    ip-address %s", addr(p->match_addr[k].addr).s);
			if (p->match_addr[k].mask.s_addr != 0xffffffff)
				fprintf(f, " %s", addr(p->match_addr[k].mask).s);
			fprintf(f, "\n");
		}
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

static void tset_json(struct jw *w, const struct conf_transform_set *t)
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

static void iprof_json(struct jw *w, const struct vpnd_conf *c,
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
/* show running-config: text */

/* A delimiter that does not occur in the banner, so it reads back as the same text. */
static const char *banner_delim(const char *text, char *buf)
{
	static const char candidates[] = "#$%&*@~|+=";

	if (strstr(text, "^C") == NULL)
		return "^C";
	for (const char *d = candidates; *d; d++) {
		if (strchr(text, *d) == NULL) {
			buf[0] = *d;
			buf[1] = '\0';
			return buf;
		}
	}
	return "^C";
}

static void rc_aaa(FILE *f, const struct vpnd_conf *c)
{
	static const char *const kinds[] = {
		[AAA_AUTHEN_LOGIN] = "authentication login",
		[AAA_AUTHOR_NETWORK] = "authorization network",
		[AAA_ACCT_NETWORK] = "accounting network",
	};

	fprintf(f, "%saaa new-model\n!\n", c->aaa_new_model ? "" : "no ");
	if (c->aaa_max_fail)
		fprintf(f, "aaa local authentication attempts max-fail %d\n!\n", c->aaa_max_fail);
	for (int i = 0; i < c->naaa; i++) {
		const struct conf_aaa_list *l = &c->aaa[i];
		if (l->kind < AAA_AUTHEN_LOGIN || l->kind > AAA_ACCT_NETWORK)
			continue;
		fprintf(f, "aaa %s %s%s", kinds[l->kind], l->name,
		        l->kind == AAA_ACCT_NETWORK ? " start-stop" : "");
		for (int k = 0; k < l->nmethod && k < 4; k++) {
			if (l->method[k] == AAA_METHOD_LOCAL)
				fprintf(f, " local");
			else
				fprintf(f, " group %s", l->group[k]);
		}
		fprintf(f, "\n");
	}
	if (c->naaa)
		fprintf(f, "!\n");
}

/* RADIUS servers and groups; keys are never shown. */
static void rc_radius(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->nradius_group; i++) {
		const struct conf_radius_group *g = &c->radius_group[i];
		fprintf(f, "aaa group server radius %s\n", g->name);
		for (int k = 0; k < g->nserver; k++)
			fprintf(f, " server name %s\n", g->server[k]);
		fprintf(f, "!\n");
	}
	if (c->acct_update_periodic)
		fprintf(f, "aaa accounting update periodic %d\n!\n", c->acct_update_periodic);
	for (int i = 0; i < c->nradius; i++) {
		const struct conf_radius_server *s = &c->radius[i];
		fprintf(f, "radius server %s\n address ipv4 %s auth-port %u acct-port %u\n", s->name,
		        addr(s->addr).s, s->auth_port, s->acct_port);
		fprintf(f, " key " SHOW_REMOVED "\n");
		if (s->timeout)
			fprintf(f, " timeout %d\n", s->timeout);
		if (s->retransmit >= 0)
			fprintf(f, " retransmit %d\n", s->retransmit);
		if (s->msg_auth != CONF_MA_AUTO)
			fprintf(f, " message-authenticator %s\n",
			        s->msg_auth == CONF_MA_REQUIRED ? "required" : "off");
		fprintf(f, "!\n");
	}
	if (c->nradius) {
		fprintf(f, "radius-server timeout %d\nradius-server retransmit %d\n", c->radius_timeout,
		        c->radius_retransmit);
		if (c->radius_deadtime != 1)      /* vpnd's default (IOS: 0) */
			fprintf(f, "radius-server deadtime %d\n", c->radius_deadtime);
		if (c->radius_dead_time || c->radius_dead_tries)
			fprintf(f, "radius-server dead-criteria time %d tries %d\n", c->radius_dead_time,
			        c->radius_dead_tries);
		fprintf(f, "!\n");
	}
}

/* The files as the parent resolved them (absolute); the key file's name is no secret. */
static void rc_pki(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->ntrustpoint; i++) {
		const struct conf_trustpoint *t = &c->trustpoint[i];
		fprintf(f, "crypto pki trustpoint %s\n", t->name);
		if (t->ca_file[0])
			fprintf(f, " ca-certificate %s\n", t->ca_file);
		if (t->cert_file[0])
			fprintf(f, " certificate %s\n", t->cert_file);
		if (t->key_file[0])
			fprintf(f, " private-key %s\n", t->key_file);
		if (t->crl_file[0])
			fprintf(f, " crl %s\n", t->crl_file);
		fprintf(f, " revocation-check %s\n", t->revocation == REVOKE_CRL ? "crl" : "none");
	}
	if (c->ntrustpoint)
		fprintf(f, "!\n");
}

/* aaa server radius dynamic-author (RFC 5176 clients); keys are never shown. */
static void rc_dynauth(FILE *f, const struct vpnd_conf *c)
{
	const struct conf_dynauth *d = &c->dynauth;

	if (!d->enabled)
		return;
	fprintf(f, "aaa server radius dynamic-author\n");
	for (int i = 0; i < d->nclient && i < CONF_MAX_DYNAUTH_CLIENTS; i++)
		fprintf(f, " client %s%s\n", addr(d->client[i].addr).s,
		        d->client[i].has_key ? " server-key " SHOW_REMOVED : "");
	/* the flags, not the keys: control's copy of the configuration has no key */
	if (d->has_server_key)
		fprintf(f, " server-key " SHOW_REMOVED "\n");
	fprintf(f, " port %u\n", d->port);
	if (d->auth_type_any)
		fprintf(f, " auth-type any\n");
	if (d->ignore_session_key)
		fprintf(f, " ignore session-key\n");
	fprintf(f, "!\n");
}

/* printed only when not the defaults, which docs/config.md gives */
static void rc_call_admission(FILE *f, const struct vpnd_conf *c)
{
	int neg = c->cac_in_negotiation != CONF_CAC_IN_NEGOTIATION ||
	          c->cac_in_negotiation_peer != CONF_CAC_IN_NEGOTIATION_PEER;
	if (neg)
		fprintf(f, "crypto call admission limit ike in-negotiation-sa %d per-peer %d\n",
		        c->cac_in_negotiation, c->cac_in_negotiation_peer);
	if (c->cac_ike_sa)
		fprintf(f, "crypto call admission limit ike sa %d\n", c->cac_ike_sa);
	if (neg || c->cac_ike_sa)
		fprintf(f, "!\n");
}

static void rc_isakmp(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->npolicy; i++) {
		const struct conf_isakmp_policy *p = &c->policy[i];
		fprintf(f, "crypto isakmp policy %d\n", p->priority);
		if (p->encr == IKE_ENCR_AES && p->keylen && p->keylen != 128)
			fprintf(f, " encr aes %d\n", p->keylen);
		else
			fprintf(f, " encr %s\n", ike_encr_word(p->encr));
		/* sha is IOS's default too, so leaving it out misleads no one */
		if (!(p->hash == IKE_HASH_SHA1 && default_hash(p) == IKE_HASH_SHA1))
			fprintf(f, " hash %s\n", ike_hash_word(p->hash));
		fprintf(f, " authentication %s\n", ike_auth_word(p->auth));
		fprintf(f, " group %d\n", p->group);
		if (p->lifetime != 86400)
			fprintf(f, " lifetime %u\n", (unsigned)p->lifetime);
	}
	for (int i = 0; i < c->nisakmp_key; i++) {
		const struct conf_isakmp_key *k = &c->isakmp_key[i];
		fprintf(f, "crypto isakmp key " SHOW_REMOVED " address %s", addr(k->addr).s);
		if (k->mask.s_addr != 0xffffffff)
			fprintf(f, " %s", addr(k->mask).s);
		fprintf(f, "\n");
	}
	if (c->dpd_interval)
		fprintf(f, "crypto isakmp keepalive %d %d%s\n", c->dpd_interval, c->dpd_retry,
		        c->dpd_periodic ? " periodic" : "");
	if (c->natt_keepalive)
		fprintf(f, "crypto isakmp nat keepalive %d\n", c->natt_keepalive);
	if (c->xauth_timeout)
		fprintf(f, "crypto isakmp xauth timeout %d\n", c->xauth_timeout);
	if (c->nem_min_prefix != 8)
		fprintf(f, "crypto isakmp network-extension minimum-prefix %d\n", c->nem_min_prefix);
	if (c->aggressive_disable)
		fprintf(f, "crypto isakmp aggressive-mode disable\n");
	if (c->npolicy || c->nisakmp_key || c->dpd_interval || c->natt_keepalive ||
	    c->xauth_timeout || c->nem_min_prefix != 8 || c->aggressive_disable)
		fprintf(f, "!\n");
	rc_call_admission(f, c);

	for (int i = 0; i < c->ngroup; i++) {
		const struct conf_group *g = &c->group[i];
		char d[2];
		fprintf(f, "crypto isakmp client configuration group %s\n", g->name);
		if (g->has_key)
			fprintf(f, " key " SHOW_REMOVED "\n");
		if (g->ndns)
			fprintf(f, " dns %s%s%s\n", addr(g->dns[0]).s, g->ndns > 1 ? " " : "",
			        g->ndns > 1 ? addr(g->dns[1]).s : "");
		if (g->nwins)
			fprintf(f, " wins %s%s%s\n", addr(g->wins[0]).s, g->nwins > 1 ? " " : "",
			        g->nwins > 1 ? addr(g->wins[1]).s : "");
		if (g->domain[0])
			fprintf(f, " domain %s\n", g->domain);
		for (int k = 0; k < g->nsplit_dns; k++)
			fprintf(f, " split-dns %s\n", g->split_dns[k]);
		if (g->pool[0])
			fprintf(f, " pool %s\n", g->pool);
		if (g->pool6[0])
			fprintf(f, " ipv6 pool %s\n", g->pool6);
		if (g->acl[0])
			fprintf(f, " acl %s\n", g->acl);
		if (g->save_password)
			fprintf(f, " save-password\n");
		if (g->pfs)
			fprintf(f, " pfs\n");
		if (g->max_users)
			fprintf(f, " max-users %d\n", g->max_users);
		if (g->netmask.s_addr)
			fprintf(f, " netmask %s\n", addr(g->netmask).s);
		if (g->nem_acl[0])
			fprintf(f, " network-extension access-list %s\n", g->nem_acl);
		if (g->include_local_lan)
			fprintf(f, " include-local-lan\n");
		for (int k = 0; k < g->nbackup_gw; k++)
			fprintf(f, " backup-gateway %s\n", g->backup_gw[k]);
		if (g->group_lock)
			fprintf(f, " group-lock\n");
		if (g->firewall_ayt)
			fprintf(f, " firewall are-u-there\n");
		if (g->banner[0]) {
			const char *dl = banner_delim(g->banner, d);
			fprintf(f, " banner %s%s%s\n", dl, g->banner, dl);
		}
	}
	for (int i = 0; i < c->nkeyring; i++) {
		const struct conf_keyring *kr = &c->keyring[i];
		fprintf(f, "crypto keyring %s\n", kr->name);
		if (kr->local_address[0])
			fprintf(f, "  local-address %s\n", kr->local_address);
		for (int k = 0; k < kr->npsk; k++) {
			fprintf(f, "  pre-shared-key address %s", addr(kr->psk[k].addr).s);
			if (kr->psk[k].mask.s_addr != 0xffffffff)
				fprintf(f, " %s", addr(kr->psk[k].mask).s);
			fprintf(f, " key " SHOW_REMOVED "\n");
		}
	}
	/* IOS indents profile sub-commands by three blanks */
	for (int i = 0; i < c->nprofile; i++) {
		const struct conf_isakmp_profile *p = &c->profile[i];
		fprintf(f, "crypto isakmp profile %s\n", p->name);
		if (p->keyring[0])
			fprintf(f, "   keyring %s\n", p->keyring);
		for (int k = 0; k < p->nmatch_group; k++)
			fprintf(f, "   match identity group %s\n", p->match_group[k]);
		for (int k = 0; k < p->nmatch_addr; k++) {
			fprintf(f, "   match identity address %s", addr(p->match_addr[k].addr).s);
			if (p->match_addr[k].mask.s_addr != 0xffffffff)
				fprintf(f, " %s", addr(p->match_addr[k].mask).s);
			fprintf(f, "\n");
		}
		for (int k = 0; k < p->nca_tp; k++)
			fprintf(f, "   ca trust-point %s\n", p->ca_tp[k]);
		if (p->self_identity == SELF_ID_FQDN)
			fprintf(f, "   self-identity fqdn\n");
		if (p->local_address[0])
			fprintf(f, "   local-address %s\n", p->local_address);
		if (p->client_auth_list[0])
			fprintf(f, "   client authentication list %s\n", p->client_auth_list);
		if (p->isakmp_auth_list[0])
			fprintf(f, "   isakmp authorization list %s\n", p->isakmp_auth_list);
		if (p->acct_list[0])
			fprintf(f, "   accounting %s\n", p->acct_list);
		if (p->client_group[0])
			fprintf(f, "   client configuration group %s\n", p->client_group);
		if (p->config_respond)
			fprintf(f, "   client configuration address respond\n");
		if (p->config_initiate)
			fprintf(f, "   client configuration address initiate\n");
		if (p->keepalive)
			fprintf(f, "   keepalive %d retry %d\n", p->keepalive, p->keepalive_retry);
		if (p->nem_acl[0])
			fprintf(f, "   network-extension access-list %s\n", p->nem_acl);
		if (p->virtual_template)
			fprintf(f, "   virtual-template %d\n", p->virtual_template);
	}
	if (c->ngroup || c->nprofile || c->nkeyring)
		fprintf(f, "!\n");
}

static void rc_ipsec(FILE *f, const struct vpnd_conf *c)
{
	char buf[96];
	int any = 0;

	if (c->sa_lifetime_seconds != 3600) {
		fprintf(f, "crypto ipsec security-association lifetime seconds %u\n",
		        (unsigned)c->sa_lifetime_seconds);
		any = 1;
	}
	if (c->sa_lifetime_kb != 4608000) {
		fprintf(f, "crypto ipsec security-association lifetime kilobytes %u\n",
		        (unsigned)c->sa_lifetime_kb);
		any = 1;
	}
	if (c->replay_window != 1024) {
		fprintf(f, "crypto ipsec security-association replay window-size %d\n",
		        c->replay_window);
		any = 1;
	}
	if (any)
		fprintf(f, "!\n");
	for (int i = 0; i < c->ntset; i++) {
		const struct conf_transform_set *t = &c->tset[i];
		fprintf(f, "crypto ipsec transform-set %s %s\n", t->name,
		        tset_transforms(t, 0, buf, sizeof(buf)));
		if (t->mode_transport)
			fprintf(f, " mode transport\n");
	}
	if (c->ntset)
		fprintf(f, "!\n");
	for (int i = 0; i < c->nipsec_profile; i++) {
		const struct conf_ipsec_profile *p = &c->ipsec_profile[i];
		fprintf(f, "crypto ipsec profile %s\n", p->name);
		if (p->lifetime_seconds)
			fprintf(f, " set security-association lifetime seconds %u\n",
			        (unsigned)p->lifetime_seconds);
		if (p->lifetime_kb)
			fprintf(f, " set security-association lifetime kilobytes %u\n",
			        (unsigned)p->lifetime_kb);
		if (p->ntset) {
			fprintf(f, " set transform-set");
			for (int k = 0; k < p->ntset; k++)
				fprintf(f, " %s", p->tset[k]);
			fprintf(f, "\n");
		}
		if (p->pfs_group)
			fprintf(f, " set pfs group%d\n", p->pfs_group);
		if (p->isakmp_profile[0])
			fprintf(f, " set isakmp-profile %s\n", p->isakmp_profile);
		if (p->idle_time)
			fprintf(f, " set security-association idle-time %d\n", p->idle_time);
		if (p->replay_window)
			fprintf(f, " set security-association replay window-size %d\n",
			        p->replay_window);
		if (p->reverse_route)
			fprintf(f, " set reverse-route\n");
		fprintf(f, "!\n");
	}
}

/* The sub-commands an interface and its clones share, in IOS's order. */
static void iface_addr_lines(FILE *f, const struct conf_interface *i)
{
	if (i->description[0])
		fprintf(f, " description %s\n", i->description);
	if (i->has_addr)
		fprintf(f, " ip address %s %s\n", addr(i->addr).s, addr(i->mask).s);
	else if (i->unnumbered[0])
		fprintf(f, " ip unnumbered %s\n", i->unnumbered);
	else
		fprintf(f, " no ip address\n");
	if (i->acl_in[0])
		fprintf(f, " ip access-group %s in\n", i->acl_in);
	if (i->acl_out[0])
		fprintf(f, " ip access-group %s out\n", i->acl_out);
	if (i->mtu)
		fprintf(f, " ip mtu %d\n", i->mtu);
	if (i->tcp_mss)
		fprintf(f, " ip tcp adjust-mss %d\n", i->tcp_mss);
	if (i->ipv6_unnumbered[0])
		fprintf(f, " ipv6 unnumbered %s\n", i->ipv6_unnumbered);
	else if (i->ipv6_enable)
		fprintf(f, " ipv6 enable\n");
}

static void rc_interface(FILE *f, const struct conf_interface *i)
{
	fprintf(f, "interface %s%s\n", i->name, i->is_template ? " type tunnel" : "");
	iface_addr_lines(f, i);
	if (i->shutdown)
		fprintf(f, " shutdown\n");
	if (i->tunnel_mode_ipsec)
		fprintf(f, " tunnel mode ipsec ipv4\n");
	if (i->protection[0])
		fprintf(f, " tunnel protection ipsec profile %s\n", i->protection);
}

static const char *proto_word(int proto, char *buf, size_t len)
{
	switch (proto) {
	case 0:  return "ip";
	case 1:  return "icmp";
	case 6:  return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ahp";
	}
	snprintf(buf, len, "%d", proto);
	return buf;
}

/* IOS prints well-known ports by name (the same names the parser reads). */
static const char *port_word(unsigned port, char *buf, size_t len)
{
	static const struct { unsigned port; const char *w; } names[] = {
		{ 20, "ftp-data" }, { 21, "ftp" }, { 23, "telnet" }, { 25, "smtp" },
		{ 53, "domain" }, { 67, "bootps" }, { 68, "bootpc" }, { 69, "tftp" }, { 80, "www" },
		{ 110, "pop3" }, { 123, "ntp" }, { 161, "snmp" }, { 500, "isakmp" },
		{ 514, "syslog" }, { 4500, "non500-isakmp" },
	};
	for (size_t k = 0; k < NELEM(names); k++)
		if (names[k].port == port)
			return names[k].w;
	snprintf(buf, len, "%u", port);
	return buf;
}

/* any | host A | A WILDCARD; standard lists write a host as the bare address. */
static void ace_addr(FILE *f, struct in_addr a, struct in_addr m, int extended)
{
	if (m.s_addr == 0)
		fprintf(f, " any");
	else if (m.s_addr == 0xffffffff)
		fprintf(f, extended ? " host %s" : " %s", addr(a).s);
	else
		fprintf(f, " %s %s", addr(a).s, wildcard(m).s);
}

/* a port match as written: an entry built without its op (0) is eq or range */
static void ace_ports(FILE *f, uint8_t op, uint16_t lo, uint16_t hi)
{
	char b1[16], b2[16];

	if (!lo && !hi)
		return;
	if (op == ACE_PORT_LT)
		fprintf(f, " lt %s", port_word(hi + 1u, b1, sizeof(b1)));
	else if (op == ACE_PORT_GT)
		fprintf(f, " gt %s", port_word(lo - 1u, b1, sizeof(b1)));
	else if (op == ACE_PORT_NEQ)
		fprintf(f, " neq %s", port_word(lo, b1, sizeof(b1)));
	else if (lo == hi)
		fprintf(f, " eq %s", port_word(lo, b1, sizeof(b1)));
	else
		fprintf(f, " range %s %s", port_word(lo, b1, sizeof(b1)),
		        port_word(hi, b2, sizeof(b2)));
}

static void ace_line(FILE *f, const struct conf_acl *acl, const struct conf_ace *e)
{
	char b1[16];

	fprintf(f, "%s", e->permit ? "permit" : "deny");
	if (acl->extended)
		fprintf(f, " %s", proto_word(e->proto, b1, sizeof(b1)));
	ace_addr(f, e->src, e->srcmask, acl->extended);
	if (acl->extended) {
		ace_ports(f, e->sport_op, e->sport_lo, e->sport_hi);
		ace_addr(f, e->dst, e->dstmask, 1);
		ace_ports(f, e->dport_op, e->dport_lo, e->dport_hi);
		if (e->established)
			fprintf(f, " established");
		if (e->icmp_match && conf_acl_icmp_name(e))
			fprintf(f, " %s", conf_acl_icmp_name(e));
		else if (e->icmp_match)
			fprintf(f, e->icmp_match == 2 ? " %u %u" : " %u", e->icmp_type, e->icmp_code);
	}
	fprintf(f, "\n");
}

static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static void rc_tail(FILE *f, const struct vpnd_conf *c)
{
	for (int i = 0; i < c->npool; i++) {
		const struct conf_pool *p = &c->pool[i];
		fprintf(f, "ip local pool %s %s", p->name, addr(p->start).s);
		if (p->end.s_addr != p->start.s_addr)
			fprintf(f, " %s", addr(p->end).s);
		fprintf(f, "\n");
	}
	for (int i = 0; i < c->npool6; i++) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &c->pool6[i].prefix, a, sizeof(a));
		fprintf(f, "ipv6 local pool %s %s/%d %d\n", c->pool6[i].name, a, c->pool6[i].plen,
		        c->pool6[i].assigned_len);
	}
	for (int i = 0; i < c->nroute; i++) {
		const struct conf_route *r = &c->route[i];
		fprintf(f, "ip route %s %s", addr(r->prefix).s, addr(r->mask).s);
		if (r->ifname[0])
			fprintf(f, " %s", r->ifname);
		if (r->nexthop.s_addr)
			fprintf(f, " %s", addr(r->nexthop).s);
		fprintf(f, "\n");
	}
	if (c->npool || c->npool6 || c->nroute)
		fprintf(f, "!\n");
	if (c->http_server) {
		if (c->http_addr.s_addr != htonl(INADDR_LOOPBACK))
			fprintf(f, "ip http server address %s\n", addr(c->http_addr).s);
		else
			fprintf(f, "ip http server\n");
		if (c->http_port != CONF_HTTP_PORT)
			fprintf(f, "ip http port %d\n", c->http_port);
		if (c->http_acl[0])
			fprintf(f, "ip http access-class %s%s\n", all_digits(c->http_acl) ? "" : "ipv4 ",
			        c->http_acl);
		fprintf(f, "!\n");
	}
	/* in file order; numbered lists as IOS keeps them, one access-list line per entry */
	for (int i = 0; i < c->nacl; i++) {
		const struct conf_acl *a = &c->acl[i];
		if (all_digits(a->name)) {
			for (int k = 0; k < a->nace; k++) {
				fprintf(f, "access-list %s ", a->name);
				ace_line(f, a, &a->ace[k]);
			}
		} else {
			fprintf(f, "ip access-list %s %s\n", a->extended ? "extended" : "standard",
			        a->name);
			for (int k = 0; k < a->nace; k++) {
				fprintf(f, " ");
				ace_line(f, a, &a->ace[k]);
			}
		}
		fprintf(f, "!\n");
	}
}

static void rc_body(FILE *f, const struct vpnd_conf *c)
{
	fprintf(f, "!\n");
	if (c->source[0] && strpbrk(c->source, "\n\r") == NULL)
		fprintf(f, "! Loaded from %s\n!\n", c->source);
	if (c->hostname[0])
		fprintf(f, "hostname %s\n!\n", c->hostname);
	if (c->control_group[0])
		fprintf(f, "control-socket group %s\n!\n", c->control_group);
	conf_logging_print(f, &c->logging);
	if (c->db_history_keep_days > 0)
		fprintf(f, "db history keep %d\n!\n", c->db_history_keep_days);
	rc_aaa(f, c);
	rc_radius(f, c);
	rc_dynauth(f, c);
	for (int i = 0; i < c->nuser; i++)
		if (c->user[i].encrypted_type)
			fprintf(f, "username %s secret %d " SHOW_REMOVED "\n", c->user[i].name,
			        c->user[i].encrypted_type);
		else
			fprintf(f, "username %s password 0 " SHOW_REMOVED "\n", c->user[i].name);
	if (c->nuser)
		fprintf(f, "!\n");
	rc_pki(f, c);
	rc_isakmp(f, c);
	rc_ipsec(f, c);
	for (int i = 0; i < c->niface; i++) {
		rc_interface(f, &c->iface[i]);
		fprintf(f, "!\n");
	}
	rc_tail(f, c);
	fprintf(f, "end\n");
}

/* "Building configuration..." and the size line IOS prints before a configuration. */
typedef void body_fn(FILE *, const void *);

static int with_header(FILE *f, body_fn *fn, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL) {
		fprintf(f, "%% out of memory\n");
		return -1;
	}
	fn(m, arg);
	if (fclose(m) != 0) {
		free(buf);
		fprintf(f, "%% out of memory\n");
		return -1;
	}
	fprintf(f, "Building configuration...\n\nCurrent configuration : %zu bytes\n", len);
	fwrite(buf, 1, len, f);
	free(buf);
	return 0;
}

static void rc_body_cb(FILE *f, const void *arg)
{
	rc_body(f, arg);
}

/* ------------------------------------------------------------------------------------------ */
/* show running-config: JSON */

static void iface_json(struct jw *w, const struct conf_interface *i)
{
	jw_obj(w, NULL);
	jw_str(w, "name", i->name);
	jw_bool(w, "template", i->is_template);
	jw_int0(w, "template_number", i->template_num);
	jw_str(w, "description", i->description);
	jw_str(w, "ip_address", i->has_addr ? addr(i->addr).s : NULL);
	jw_str(w, "netmask", i->has_addr ? addr(i->mask).s : NULL);
	jw_str(w, "unnumbered", i->unnumbered);
	jw_bool(w, "ipv6_enable", i->ipv6_enable);
	jw_str(w, "ipv6_unnumbered", i->ipv6_unnumbered);
	jw_int0(w, "mtu", i->mtu);
	jw_int0(w, "tcp_adjust_mss", i->tcp_mss);
	jw_str(w, "access_group_in", i->acl_in);
	jw_str(w, "access_group_out", i->acl_out);
	jw_str(w, "tunnel_mode", i->tunnel_mode_ipsec ? "ipsec ipv4" : NULL);
	jw_str(w, "tunnel_protection", i->protection);
	jw_bool(w, "shutdown", i->shutdown);
	jw_obj_end(w);
}

static void ace_json(struct jw *w, const struct conf_acl *acl, const struct conf_ace *e)
{
	jw_obj(w, NULL);
	jw_str(w, "action", e->permit ? "permit" : "deny");
	if (acl->extended)
		jw_int(w, "protocol", e->proto);
	jw_str(w, "source", addr(e->src).s);
	jw_str(w, "source_mask", addr(e->srcmask).s);
	if (acl->extended) {
		jw_str(w, "destination", addr(e->dst).s);
		jw_str(w, "destination_mask", addr(e->dstmask).s);
		if (e->dport_lo || e->dport_hi) {
			jw_int(w, "port_low", e->dport_lo);
			jw_int(w, "port_high", e->dport_hi);
		} else {
			jw_null(w, "port_low");
			jw_null(w, "port_high");
		}
		if (e->sport_lo || e->sport_hi) {
			jw_int(w, "source_port_low", e->sport_lo);
			jw_int(w, "source_port_high", e->sport_hi);
		}
		if (e->sport_op == ACE_PORT_NEQ)
			jw_bool(w, "source_port_not_equal", 1);
		if (e->dport_op == ACE_PORT_NEQ)
			jw_bool(w, "port_not_equal", 1);
		if (e->established)
			jw_bool(w, "established", 1);
		if (e->icmp_match)
			jw_int(w, "icmp_type", e->icmp_type);
		if (e->icmp_match == 2)
			jw_int(w, "icmp_code", e->icmp_code);
	}
	jw_obj_end(w);
}

static void group_json(struct jw *w, const struct conf_group *g)
{
	jw_obj(w, NULL);
	jw_str(w, "name", g->name);
	jw_str(w, "key", g->has_key ? SHOW_REMOVED : NULL);
	jw_str(w, "pool", g->pool);
	jw_str(w, "ipv6_pool", g->pool6);
	jw_arr(w, "dns");
	for (int k = 0; k < g->ndns && k < CONF_MAX_DNS; k++)
		jw_str(w, NULL, addr(g->dns[k]).s);
	jw_arr_end(w);
	jw_arr(w, "wins");
	for (int k = 0; k < g->nwins && k < CONF_MAX_DNS; k++)
		jw_str(w, NULL, addr(g->wins[k]).s);
	jw_arr_end(w);
	jw_str(w, "domain", g->domain);
	jw_arr(w, "split_dns");
	for (int k = 0; k < g->nsplit_dns && k < CONF_MAX_SPLIT_DNS; k++)
		jw_str(w, NULL, g->split_dns[k]);
	jw_arr_end(w);
	jw_str(w, "acl", g->acl);
	jw_str(w, "network_extension_acl", g->nem_acl);
	jw_str(w, "banner", g->banner);
	jw_bool(w, "save_password", g->save_password);
	jw_bool(w, "pfs", g->pfs);
	jw_int0(w, "max_users", g->max_users);
	jw_str(w, "netmask", g->netmask.s_addr ? addr(g->netmask).s : NULL);
	jw_bool(w, "include_local_lan", g->include_local_lan);
	jw_arr(w, "backup_gateways");
	for (int k = 0; k < g->nbackup_gw && k < CONF_MAX_BACKUP_GW; k++)
		jw_str(w, NULL, g->backup_gw[k]);
	jw_arr_end(w);
	jw_bool(w, "group_lock", g->group_lock);
	jw_bool(w, "firewall_are_u_there", g->firewall_ayt);
	jw_obj_end(w);
}

static void aaa_json(struct jw *w, const struct conf_aaa_list *l)
{
	static const char *const kinds[] = {
		[AAA_AUTHEN_LOGIN] = "authentication login",
		[AAA_AUTHOR_NETWORK] = "authorization network",
		[AAA_ACCT_NETWORK] = "accounting network",
	};

	jw_obj(w, NULL);
	jw_str(w, "kind", l->kind >= AAA_AUTHEN_LOGIN && l->kind <= AAA_ACCT_NETWORK ?
	       kinds[l->kind] : "unknown");
	jw_str(w, "name", l->name);
	jw_arr(w, "methods");
	for (int k = 0; k < l->nmethod && k < 4; k++) {
		char m[CONF_NAME_MAX + 8];
		if (l->method[k] == AAA_METHOD_LOCAL)
			snprintf(m, sizeof(m), "local");
		else
			snprintf(m, sizeof(m), "group %s", l->group[k]);
		jw_str(w, NULL, m);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void rc_json(FILE *f, const struct vpnd_conf *c)
{
	struct jw w;

	jw_init(&w, f);
	jw_obj(&w, NULL);
	jw_str(&w, "source", c->source);
	jw_str(&w, "hostname", c->hostname);
	if (c->control_group[0])
		jw_str(&w, "control_socket_group", c->control_group);
	/* null: kept forever */
	jw_int0(&w, "db_history_keep_days", c->db_history_keep_days);
	jw_bool(&w, "aaa_new_model", c->aaa_new_model);
	jw_arr(&w, "aaa");
	for (int i = 0; i < c->naaa; i++)
		aaa_json(&w, &c->aaa[i]);
	jw_arr_end(&w);
	jw_arr(&w, "users");
	for (int i = 0; i < c->nuser; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "name", c->user[i].name);
		jw_str(&w, "password", SHOW_REMOVED);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_arr(&w, "isakmp_policies");
	for (int i = 0; i < c->npolicy; i++)
		policy_json(&w, &c->policy[i]);
	jw_arr_end(&w);
	jw_arr(&w, "isakmp_keys");
	for (int i = 0; i < c->nisakmp_key; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "key", SHOW_REMOVED);
		jw_str(&w, "address", addr(c->isakmp_key[i].addr).s);
		jw_str(&w, "mask", addr(c->isakmp_key[i].mask).s);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	if (c->dpd_interval) {
		jw_obj(&w, "isakmp_keepalive");
		jw_int(&w, "interval", c->dpd_interval);
		jw_int(&w, "retry", c->dpd_retry);
		jw_str(&w, "mode", c->dpd_periodic ? "periodic" : "on-demand");
		jw_obj_end(&w);
	} else {
		jw_null(&w, "isakmp_keepalive");
	}
	jw_int0(&w, "nat_keepalive", c->natt_keepalive);
	jw_int0(&w, "xauth_timeout", c->xauth_timeout);
	jw_int0(&w, "network_extension_minimum_prefix", c->nem_min_prefix);
	jw_bool(&w, "aggressive_mode_disable", c->aggressive_disable);
	jw_obj(&w, "call_admission_ike");
	jw_int(&w, "in_negotiation_sa", c->cac_in_negotiation);
	jw_int(&w, "in_negotiation_sa_per_peer", c->cac_in_negotiation_peer);
	jw_int0(&w, "sa", c->cac_ike_sa);
	jw_obj_end(&w);
	jw_int0(&w, "aaa_local_max_fail", c->aaa_max_fail);
	show_logging_conf_json(&w, &c->logging);
	jw_arr(&w, "client_groups");
	for (int i = 0; i < c->ngroup; i++)
		group_json(&w, &c->group[i]);
	jw_arr_end(&w);
	jw_arr(&w, "isakmp_profiles");
	for (int i = 0; i < c->nprofile; i++)
		profile_json(&w, &c->profile[i]);
	jw_arr_end(&w);

	jw_obj(&w, "sa_lifetime");
	jw_int(&w, "seconds", c->sa_lifetime_seconds);
	jw_int(&w, "kilobytes", c->sa_lifetime_kb);
	jw_obj_end(&w);
	jw_int(&w, "replay_window", c->replay_window);
	jw_arr(&w, "transform_sets");
	for (int i = 0; i < c->ntset; i++)
		tset_json(&w, &c->tset[i]);
	jw_arr_end(&w);
	jw_arr(&w, "ipsec_profiles");
	for (int i = 0; i < c->nipsec_profile; i++)
		iprof_json(&w, c, &c->ipsec_profile[i]);
	jw_arr_end(&w);

	jw_arr(&w, "interfaces");
	for (int i = 0; i < c->niface; i++)
		iface_json(&w, &c->iface[i]);
	jw_arr_end(&w);
	jw_arr(&w, "pools");
	for (int i = 0; i < c->npool; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "name", c->pool[i].name);
		jw_str(&w, "first", addr(c->pool[i].start).s);
		jw_str(&w, "last", addr(c->pool[i].end).s);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "routes");
	for (int i = 0; i < c->nroute; i++) {
		const struct conf_route *r = &c->route[i];
		jw_obj(&w, NULL);
		jw_str(&w, "prefix", addr(r->prefix).s);
		jw_str(&w, "mask", addr(r->mask).s);
		jw_str(&w, "interface", r->ifname);
		jw_str(&w, "next_hop", r->nexthop.s_addr ? addr(r->nexthop).s : NULL);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_arr(&w, "access_lists");
	for (int i = 0; i < c->nacl; i++) {
		const struct conf_acl *a = &c->acl[i];
		jw_obj(&w, NULL);
		jw_str(&w, "name", a->name);
		jw_str(&w, "type", a->extended ? "extended" : "standard");
		jw_arr(&w, "entries");
		for (int k = 0; k < a->nace && k < CONF_MAX_ACES; k++)
			ace_json(&w, a, &a->ace[k]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
}

int show_running_config(FILE *f, const struct vpnd_conf *c, int json)
{
	if (json) {
		rc_json(f, c);
		return 0;
	}
	return with_header(f, rc_body_cb, c);
}

/* ------------------------------------------------------------------------------------------ */
/* show running-config interface NAME */

static void iface_body_cb(FILE *f, const void *arg)
{
	fprintf(f, "!\n");
	rc_interface(f, arg);
	fprintf(f, "end\n");
}

static const struct conf_interface *find_iface(const struct vpnd_conf *c, const char *name)
{
	const struct conf_interface *i = conf_find_iface(c, name);
	const char *d;
	long n;

	if (i)
		return i;
	/* IOS is case-blind on interface types: virtual-template1, Virtual-Template 1 (joined) */
	if (strncasecmp(name, "virtual-template", 16) == 0)
		d = name + 16;
	else if (strncasecmp(name, "vt", 2) == 0)
		d = name + 2;
	else
		return NULL;
	if (!all_digits(d) || strlen(d) > 4 || (n = atol(d)) < 1)
		return NULL;
	return conf_find_template(c, (int)n);
}

int show_running_interface(FILE *f, const struct vpnd_conf *c, const char *name, int json)
{
	const struct conf_interface *i = find_iface(c, name);

	if (i == NULL) {
		fprintf(f, "%% Interface '%s' is not in the running configuration\n", name);
		return -1;
	}
	if (json) {
		struct jw w;
		jw_init(&w, f);
		iface_json(&w, i);
		return 0;
	}
	return with_header(f, iface_body_cb, i);
}

/* ------------------------------------------------------------------------------------------ */
/* show running-config interface Virtual-AccessN */

int show_vaccess_unit(const char *word, const char *next, int *used)
{
	size_t alpha = 0;
	const char *digits;

	*used = 1;
	while (word[alpha] && !isdigit((unsigned char)word[alpha]))
		alpha++;
	if (alpha < 2)
		return -1;
	/* any abbreviation of Virtual-Access from "Vi" (as IOS), or the Linux name vaN */
	if (!(alpha <= 14 && strncasecmp(word, "virtual-access", alpha) == 0) &&
	    !(alpha == 2 && strncmp(word, "va", 2) == 0))
		return -1;
	/* "Virtual-Template..." shares the prefix up to "virtual-": that one is a template */
	if (alpha > 8 && strncasecmp(word, "virtual-t", 9) == 0)
		return -1;
	digits = word + alpha;
	if (*digits == '\0' && next != NULL && strncmp(word, "va", 2) != 0) {
		digits = next;
		*used = 2;
	}
	if (!all_digits(digits) || strlen(digits) > 9)
		return -1;
	return atoi(digits);
}

/* The template the session was cloned from: its profile's, or, if that profile is gone from
 * the configuration, the one its group matches now. */
static const struct conf_interface *vaccess_template(const struct vpnd_conf *c,
                                                     const struct show_vaccess *s)
{
	const struct conf_isakmp_profile *p = NULL;

	for (int i = 0; i < c->nprofile; i++)
		if (strcmp(c->profile[i].name, s->profile) == 0)
			p = &c->profile[i];
	if (p == NULL && s->group[0])
		p = conf_find_profile_for_group(c, s->group);
	if (p == NULL || p->virtual_template == 0)
		return NULL;
	return conf_find_template(c, p->virtual_template);
}

struct vaccess_arg {
	const struct conf_interface *tpl;
	const struct show_vaccess   *s;
};

static void vaccess_body_cb(FILE *f, const void *arg)
{
	const struct vaccess_arg *va = arg;
	const struct conf_interface *t = va->tpl;

	fprintf(f, "!\ninterface Virtual-Access%d\n", va->s->unit);
	iface_addr_lines(f, t);
	if (va->s->local[0])
		fprintf(f, " tunnel source %s\n", va->s->local);
	fprintf(f, " tunnel mode ipsec ipv4\n");
	if (va->s->peer[0])
		fprintf(f, " tunnel destination %s\n", va->s->peer);
	if (t->protection[0])
		fprintf(f, " tunnel protection ipsec profile %s\n", t->protection);
	/* the hub only answers: the clone never starts IKE itself */
	fprintf(f, " no tunnel protection ipsec initiate\n");
	fprintf(f, "end\n");
}

int show_running_vaccess(FILE *f, const struct vpnd_conf *c, const struct show_vaccess *s,
                         int json)
{
	const struct conf_interface *tpl = vaccess_template(c, s);
	struct conf_interface own;
	const struct conf_interface *t = &own;
	char name[32];

	if (tpl == NULL) {
		fprintf(f, "%% Virtual-Access%d: the template it was cloned from is not in the running "
		        "configuration\n", s->unit);
		return -1;
	}
	/* the clone as it runs: the template, with what RADIUS (or a CoA) set for this session */
	own = *tpl;
	if (s->acl_in[0])
		snprintf(own.acl_in, sizeof(own.acl_in), "%s", s->acl_in);
	if (s->acl_out[0])
		snprintf(own.acl_out, sizeof(own.acl_out), "%s", s->acl_out);
	if (s->mtu > 0)
		own.mtu = s->mtu;
	if (s->tcp_mss > 0)
		own.tcp_mss = s->tcp_mss;
	snprintf(name, sizeof(name), "Virtual-Access%d", s->unit);
	if (json) {
		struct jw w;
		jw_init(&w, f);
		jw_obj(&w, NULL);
		jw_str(&w, "name", name);
		jw_str(&w, "ifname", s->ifname);
		jw_str(&w, "template", t->name);
		jw_str(&w, "description", t->description);
		jw_str(&w, "ip_address", t->has_addr ? addr(t->addr).s : NULL);
		jw_str(&w, "netmask", t->has_addr ? addr(t->mask).s : NULL);
		jw_str(&w, "unnumbered", t->unnumbered);
		jw_int0(&w, "mtu", t->mtu);
		jw_int0(&w, "tcp_adjust_mss", t->tcp_mss);
		jw_str(&w, "access_group_in", t->acl_in);
		jw_str(&w, "access_group_out", t->acl_out);
		jw_str(&w, "tunnel_source", s->local);
		jw_str(&w, "tunnel_mode", "ipsec ipv4");
		jw_str(&w, "tunnel_destination", s->peer);
		jw_str(&w, "tunnel_protection", t->protection);
		jw_bool(&w, "tunnel_protection_initiate", 0);
		jw_str(&w, "username", s->username);
		jw_str(&w, "group", s->group);
		jw_str(&w, "profile", s->profile);
		jw_str(&w, "assigned_address",
		       strcmp(s->assigned, "0.0.0.0") != 0 ? s->assigned : NULL);
		jw_obj_end(&w);
		return 0;
	}
	struct vaccess_arg va = { t, s };
	return with_header(f, vaccess_body_cb, &va);
}

/* ------------------------------------------------------------------------------------------ */
/* Control socket handlers */

/* Takes --json out of argv wherever it is (vpnctl appends it); 1 when it was there. */
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
void show_cmd_running_config(struct control_conn *cc, int argc, char **argv)
{
	static const char usage[] =
		"show running-config [interface NAME | interface Virtual-AccessN] [--json]";
	const struct vpnd_conf *c = control_conf(cc);
	int json = control_take_json(&argc, argv), used = 1, unit;
	char name[2 * CONF_NAME_MAX], err[256];
	struct show_vaccess s;
	struct control_out o;

	if (c == NULL) {
		control_printf(cc, "%% no configuration loaded\n");
		return;
	}
	if (argc == 0) {
		if (control_out_open(cc, &o) == NULL)
			return;
		show_running_config(o.f, c, json);
		control_out_send(cc, &o);
		return;
	}
	/* "interface" may be cut short as on IOS (int) */
	if (argc < 2 || argc > 3 || strlen(argv[0]) > 9 || strncmp(argv[0], "interface",
	                                                           strlen(argv[0])) != 0) {
		control_printf(cc, "%% Invalid input: '%s' (usage: %s)\n", argv[0], usage);
		return;
	}
	/* a configured name wins over the Virtual-Access spellings (a Linux name may be "va1") */
	unit = argc == 2 && conf_find_iface(c, argv[1]) ? -1 :
	       show_vaccess_unit(argv[1], argc == 3 ? argv[2] : NULL, &used);
	if (unit < 0) {
		/* a name in two words: "Virtual-Template 1" */
		if (argc == 3 && !all_digits(argv[2])) {
			control_printf(cc, "%% Invalid input: '%s' (usage: %s)\n", argv[2], usage);
			return;
		}
		snprintf(name, sizeof(name), "%s%s", argv[1], argc == 3 ? argv[2] : "");
	} else if (used + 1 != argc) {
		control_printf(cc, "%% Invalid input: '%s' (usage: %s)\n", argv[argc - 1], usage);
		return;
	}
	if (control_out_open(cc, &o) == NULL)
		return;
	if (unit < 0) {
		show_running_interface(o.f, c, name, json);
	} else {
		int r;
		r = control_vaccess(cc, unit, &s, err, sizeof(err));
		if (r < 0)
			fprintf(o.f, "%% session store unreadable: %s\n", err);
		else if (r == 0)
			fprintf(o.f, "%% Virtual-Access%d does not exist (no live session on it)\n",
			        unit);
		else
			show_running_vaccess(o.f, c, &s, json);
	}
	control_out_send(cc, &o);
}
