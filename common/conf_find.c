/* Look-ups by name over the parsed configuration, and the redaction of its secrets. */
#include <string.h>

#include "common/conf.h"

#define FIND(arr, n, key)                                   \
	do {                                                \
		if (!(key))                                 \
			return NULL;                        \
		for (int k_ = 0; k_ < (n); k_++)            \
			if (strcmp((arr)[k_].name, (key)) == 0) \
				return &(arr)[k_];          \
		return NULL;                                \
	} while (0)

const struct conf_group *conf_find_group(const struct vpnd_conf *c, const char *name)
{
	FIND(c->group, c->ngroup, name);
}

const struct conf_isakmp_profile *conf_find_profile_for_group(const struct vpnd_conf *c,
                                                              const char *group)
{
	if (!group)
		return NULL;
	for (int k = 0; k < c->nprofile; k++)
		for (int m = 0; m < c->profile[k].nmatch_group; m++)
			if (strcmp(c->profile[k].match_group[m], group) == 0)
				return &c->profile[k];
	return NULL;
}

const struct conf_transform_set *conf_find_tset(const struct vpnd_conf *c, const char *name)
{
	FIND(c->tset, c->ntset, name);
}

const struct conf_ipsec_profile *conf_find_ipsec_profile(const struct vpnd_conf *c,
                                                         const char *name)
{
	FIND(c->ipsec_profile, c->nipsec_profile, name);
}

const struct conf_interface *conf_find_iface(const struct vpnd_conf *c, const char *name)
{
	FIND(c->iface, c->niface, name);
}

const struct conf_interface *conf_find_template(const struct vpnd_conf *c, int num)
{
	for (int k = 0; k < c->niface; k++)
		if (c->iface[k].is_template && c->iface[k].template_num == num)
			return &c->iface[k];
	return NULL;
}

const struct conf_pool *conf_find_pool(const struct vpnd_conf *c, const char *name)
{
	FIND(c->pool, c->npool, name);
}

const struct conf_pool6 *conf_find_pool6(const struct vpnd_conf *c, const char *name)
{
	FIND(c->pool6, c->npool6, name);
}

const struct conf_acl *conf_find_acl(const struct vpnd_conf *c, const char *name)
{
	FIND(c->acl, c->nacl, name);
}

const struct conf_acl6 *conf_find_acl6(const struct vpnd_conf *c, const char *name)
{
	FIND(c->acl6, c->nacl6, name);
}

const struct conf_user *conf_find_user(const struct vpnd_conf *c, const char *name)
{
	FIND(c->user, c->nuser, name);
}

const struct conf_aaa_list *conf_find_aaa(const struct vpnd_conf *c, int kind, const char *name)
{
	if (!name)
		return NULL;
	for (int k = 0; k < c->naaa; k++)
		if (c->aaa[k].kind == kind && strcmp(c->aaa[k].name, name) == 0)
			return &c->aaa[k];
	return NULL;
}

const struct conf_radius_server *conf_find_radius(const struct vpnd_conf *c, const char *name)
{
	FIND(c->radius, c->nradius, name);
}

const struct conf_radius_group *conf_find_radius_group(const struct vpnd_conf *c, const char *name)
{
	FIND(c->radius_group, c->nradius_group, name);
}

int conf_profile_group_via_radius(const struct vpnd_conf *c, const struct conf_isakmp_profile *pr)
{
	const struct conf_aaa_list *l;
	if (!pr || !pr->isakmp_auth_list[0] ||
	    !(l = conf_find_aaa(c, AAA_AUTHOR_NETWORK, pr->isakmp_auth_list)))
		return 0;
	for (int m = 0; m < l->nmethod; m++)
		if (l->method[m] == AAA_METHOD_GROUP)
			return 1;
	return 0;
}

/* Whole arrays, not just the used entries: nothing stale may survive in the copy either. */
void conf_redact(struct vpnd_conf *c)
{
	for (int k = 0; k < CONF_MAX_GROUPS; k++)
		explicit_bzero(c->group[k].key, sizeof(c->group[k].key));
	for (int k = 0; k < CONF_MAX_USERS; k++)
		explicit_bzero(c->user[k].password, sizeof(c->user[k].password));
	for (int k = 0; k < CONF_MAX_ISAKMP_KEYS; k++)
		explicit_bzero(c->isakmp_key[k].key, sizeof(c->isakmp_key[k].key));
	for (int k = 0; k < CONF_MAX_KEYRINGS; k++)
		for (int j = 0; j < CONF_MAX_KEYRING_KEYS; j++)
			explicit_bzero(c->keyring[k].psk[j].key, sizeof(c->keyring[k].psk[j].key));
	for (int k = 0; k < CONF_MAX_RADIUS; k++)
		explicit_bzero(c->radius[k].key, sizeof(c->radius[k].key));
	explicit_bzero(c->radius_group_password, sizeof(c->radius_group_password));
	explicit_bzero(c->dynauth.server_key, sizeof(c->dynauth.server_key));
	for (int k = 0; k < CONF_MAX_DYNAUTH_CLIENTS; k++)
		explicit_bzero(c->dynauth.client[k].key, sizeof(c->dynauth.client[k].key));
	for (int k = 0; k < CONF_MAX_TRUSTPOINTS; k++)
		explicit_bzero(c->trustpoint[k].key_der, sizeof(c->trustpoint[k].key_der));
	for (int k = 0; k < CONF_MAX_CMAPS; k++) {
		struct conf_session_key *in = &c->cmap[k].key_in, *out = &c->cmap[k].key_out;
		explicit_bzero(in->cipher, sizeof(in->cipher));
		explicit_bzero(in->auth, sizeof(in->auth));
		explicit_bzero(out->cipher, sizeof(out->cipher));
		explicit_bzero(out->auth, sizeof(out->auth));
	}
	for (int k = 0; k < CONF_MAX_V2_KEYRINGS; k++)
		for (int j = 0; j < CONF_V2_PEERS; j++) {
			struct conf_ikev2_peer *pe = &c->v2.keyring[k].peer[j];
			explicit_bzero(pe->key_local, sizeof(pe->key_local));
			explicit_bzero(pe->key_remote, sizeof(pe->key_remote));
		}
	for (int k = 0; k < CONF_MAX_EZVPN; k++) {
		explicit_bzero(c->ezvpn[k].group_key, sizeof(c->ezvpn[k].group_key));
		explicit_bzero(c->ezvpn[k].password, sizeof(c->ezvpn[k].password));
	}
}

int conf_profile_has_tp(const struct conf_isakmp_profile *pr, const char *tp)
{
	for (int k = 0; k < pr->nca_tp; k++)
		if (strcmp(pr->ca_tp[k], tp) == 0)
			return 1;
	return 0;
}

const struct conf_trustpoint *conf_find_trustpoint(const struct vpnd_conf *c, const char *name)
{
	for (int k = 0; k < c->ntrustpoint; k++)
		if (strcmp(c->trustpoint[k].name, name) == 0)
			return &c->trustpoint[k];
	return NULL;
}

const struct conf_ezvpn *conf_find_ezvpn(const struct vpnd_conf *c, const char *name)
{
	for (int k = 0; k < c->nezvpn; k++)
		if (strcmp(c->ezvpn[k].name, name) == 0)
			return &c->ezvpn[k];
	return NULL;
}

const char *conf_ezvpn_idle_state(const struct conf_ezvpn *e)
{
	return e->connect_manual ? "CONNECT_REQUIRED" : "IDLE";
}

const char *conf_iface_device(const struct vpnd_conf *c, const char *name)
{
	const struct conf_interface *f = conf_find_iface(c, name);

	if (f == NULL)
		return NULL;
	if (f->is_loopback)
		return "lo";
	return f->device[0] ? f->device : f->name;
}
