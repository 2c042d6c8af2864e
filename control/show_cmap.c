/*
 * show crypto map [tag NAME] [--json]: the configured crypto map entries as IOS lays them out
 * (peer, access list, transform sets, interfaces). Session keys are never shown; a manual
 * entry shows its SPIs.
 */
#include <stdio.h>
#include <string.h>

#include "control/control.h"
#include "control/json.h"
#include "control/show_config.h"
#include "control/show_int.h"

static const char *kind_word(int kind)
{
	return kind == CMAP_MANUAL ? "ipsec-manual" : "ipsec-isakmp";
}

static void interfaces(FILE *f, struct jw *w, const struct vpnd_conf *c, const char *map)
{
	for (int i = 0; i < c->niface; i++)
		if (strcmp(c->iface[i].crypto_map, map) == 0) {
			if (w)
				jw_str(w, NULL, c->iface[i].name);
			else
				fprintf(f, "                %s\n", c->iface[i].name);
		}
}

static void entry_text(FILE *f, const struct vpnd_conf *c, const struct conf_crypto_map *m)
{
	const struct conf_acl *acl = m->match_acl[0] ? conf_find_acl(c, m->match_acl) : NULL;
	char buf[160];

	fprintf(f, "\nCrypto Map \"%s\" %d %s", m->name, m->seq, kind_word(m->kind));
	if (m->dynamic[0])
		fprintf(f, " dynamic %s", m->dynamic);
	fprintf(f, "\n");
	for (int k = 0; k < m->npeer; k++)
		fprintf(f, "        Peer = %s\n", addr(m->peer[k]).s);
	if (acl) {
		fprintf(f, "        %s IP access list %s\n", acl->extended ? "Extended" : "Standard",
		        acl->name);
		for (int k = 0; k < acl->nace; k++) {
			fprintf(f, "            access-list %s ", acl->name);
			rc_ace_line(f, acl, &acl->ace[k]);
		}
	} else {
		fprintf(f, "        No matching address list set.\n");
	}
	if (m->npeer)
		fprintf(f, "        Current peer: %s\n", addr(m->peer[0]).s);
	if (m->kind == CMAP_MANUAL) {
		fprintf(f, "        Inbound esp spi: %u (0x%08x)\n", m->key_in.spi, m->key_in.spi);
		fprintf(f, "        Outbound esp spi: %u (0x%08x)\n", m->key_out.spi, m->key_out.spi);
	} else {
		fprintf(f, "        Security association lifetime: %u kilobytes/%u seconds\n",
		        m->lifetime_kb ? m->lifetime_kb : c->sa_lifetime_kb,
		        m->lifetime_seconds ? m->lifetime_seconds : c->sa_lifetime_seconds);
		fprintf(f, "        PFS (Y/N): %s\n", m->pfs_group ? "Y" : "N");
		if (m->pfs_group)
			fprintf(f, "        DH group:  group%d\n", m->pfs_group);
	}
	fprintf(f, "        Transform sets={ \n");
	for (int k = 0; k < m->ntset; k++) {
		const struct conf_transform_set *t = conf_find_tset(c, m->tset[k]);
		fprintf(f, "                %s:  { %s } ,\n", m->tset[k],
		        t ? tset_transforms(t, 1, buf, sizeof(buf)) : "?");
	}
	fprintf(f, "        }\n");
	fprintf(f, "        Interfaces using crypto map %s:\n", m->name);
	interfaces(f, NULL, c, m->name);
}

static void entry_json(struct jw *w, const struct vpnd_conf *c, const struct conf_crypto_map *m)
{
	char buf[160];

	jw_obj(w, NULL);
	jw_str(w, "name", m->name);
	jw_int(w, "seq", m->seq);
	jw_str(w, "kind", kind_word(m->kind));
	jw_str(w, "dynamic", m->dynamic[0] ? m->dynamic : NULL);
	jw_arr(w, "peers");
	for (int k = 0; k < m->npeer; k++)
		jw_str(w, NULL, addr(m->peer[k]).s);
	jw_arr_end(w);
	jw_str(w, "match_address", m->match_acl[0] ? m->match_acl : NULL);
	jw_arr(w, "transform_sets");
	for (int k = 0; k < m->ntset; k++) {
		const struct conf_transform_set *t = conf_find_tset(c, m->tset[k]);
		jw_obj(w, NULL);
		jw_str(w, "name", m->tset[k]);
		jw_str(w, "transforms", t ? tset_transforms(t, 1, buf, sizeof(buf)) : NULL);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (m->kind == CMAP_MANUAL) {
		jw_int(w, "inbound_spi", m->key_in.spi);
		jw_int(w, "outbound_spi", m->key_out.spi);
	} else {
		jw_int0(w, "pfs_group", m->pfs_group);
		jw_int0(w, "lifetime_seconds", m->lifetime_seconds);
		jw_int0(w, "lifetime_kb", m->lifetime_kb);
	}
	jw_arr(w, "interfaces");
	interfaces(NULL, w, c, m->name);
	jw_arr_end(w);
	jw_obj_end(w);
}

int show_cmap(FILE *f, const struct vpnd_conf *c, const char *tag, int json)
{
	struct jw w;
	int shown = 0;

	if (json) {
		jw_init(&w, f);
		jw_obj(&w, NULL);
		jw_arr(&w, "crypto_maps");
	}
	for (int k = 0; k < c->ncmap && k < CONF_MAX_CMAPS; k++) {
		if (tag && strcmp(c->cmap[k].name, tag) != 0)
			continue;
		if (json)
			entry_json(&w, c, &c->cmap[k]);
		else
			entry_text(f, c, &c->cmap[k]);
		shown++;
	}
	if (json) {
		jw_arr_end(&w);
		jw_obj_end(&w);
	} else if (!shown) {
		fprintf(f, tag ? "%% no crypto map %s is configured\n" : "\nNo crypto map is configured\n",
		        tag);
	}
	return tag && !shown ? -1 : 0;
}

void show_cmd_crypto_map(struct control_conn *cc, int argc, char **argv)
{
	const struct vpnd_conf *c = control_conf(cc);
	int json = control_take_json(&argc, argv);
	struct control_out o;

	if (!(argc == 0 || (argc == 2 && strcmp(argv[0], "tag") == 0))) {
		control_printf(cc, "%% Invalid input (usage: show crypto map [tag NAME] [--json])\n");
		return;
	}
	if (c == NULL) {
		control_printf(cc, "%% no configuration loaded\n");
		return;
	}
	if (control_out_open(cc, &o) == NULL)
		return;
	show_cmap(o.f, c, argc ? argv[1] : NULL, json);
	control_out_send(cc, &o);
}
