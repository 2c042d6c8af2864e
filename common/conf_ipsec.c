/* crypto ipsec: transform sets, ipsec profiles and the global SA settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alg.h"
#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define END       { NULL, NULL, NULL, 0 }

#define TRANSFORMS "esp-des, esp-3des, esp-aes [128|192|256], esp-gcm [128|256], esp-null, " \
	"esp-md5-hmac, esp-sha-hmac, esp-sha256-hmac, esp-sha384-hmac or esp-sha512-hmac"

static void legacy_add(char *buf, size_t sz, const char *w)
{
	size_t n = strlen(buf);
	snprintf(buf + n, sz - n, "%s%s", n ? " " : "", w);
}

/*
 * Reads the transforms from word i into *ts. Returns 0 (after reporting) when the list is not
 * one encryption and at most one authentication that go together.
 */
static int parse_transforms(struct conf_parser *p, int i, const char *name,
                            struct conf_transform_set *ts)
{
	const char *encr_w = NULL, *auth_w = NULL;
	char legacy[128] = "";
	const struct alg_esp_encr *e;
	const struct alg_esp_auth *a;

	for (; i < p->argc; i++) {
		const char *w = p->argv[i];
		if (strncmp(w, "ah-", 3) == 0) {
			cp_error(p, "AH transform '%s' is not supported, expected %s", w, TRANSFORMS);
			return 0;
		}
		if (strcmp(w, "comp-lzs") == 0) {
			cp_error(p, "compression transform '%s' is not supported, expected %s", w,
			         TRANSFORMS);
			return 0;
		}
		if ((e = alg_esp_encr_word(w))) {
			if (encr_w) {
				cp_error(p, "two encryption transforms ('%s' and '%s'), expected one",
				         encr_w, w);
				return 0;
			}
			encr_w = w;
			ts->encr = e->id;
			ts->keylen = e->bits[0] ? e->key_bits : 0;
			if (e->legacy)
				legacy_add(legacy, sizeof(legacy), w);
			if (e->bits[0] && i + 1 < p->argc && cp_is_number(p->argv[i + 1])) {
				const char *kl = p->argv[++i];
				if (!(ts->keylen = alg_bits_word(e->conf_bits, kl))) {
					cp_error(p, "bad key length '%s' for %s, expected %s", kl, w,
					         e->conf_bits[2] ? "128, 192 or 256" : "128 or 256");
					return 0;
				}
			}
			continue;
		}
		if ((a = alg_esp_auth_word(w))) {
			if (auth_w) {
				cp_error(p, "two authentication transforms ('%s' and '%s'), expected one",
				         auth_w, w);
				return 0;
			}
			auth_w = w;
			ts->auth = a->id;
			if (a->legacy)
				legacy_add(legacy, sizeof(legacy), w);
			continue;
		}
		cp_error(p, "unknown transform '%s', expected %s", w, TRANSFORMS);
		return 0;
	}
	if (!encr_w) {
		cp_error(p, "transform set '%s' has no encryption transform, expected one of esp-aes, "
		         "esp-gcm, esp-3des, esp-des (esp-null for none)", name);
		return 0;
	}
	if (ts->encr == ESP_ENCR_AES_GCM16 && auth_w) {
		cp_error(p, "esp-gcm authenticates by itself and takes no '%s', expected esp-gcm "
		         "alone", auth_w);
		return 0;
	}
	if (ts->encr == ESP_ENCR_NULL && !auth_w) {
		cp_error(p, "esp-null alone protects nothing, expected an authentication transform "
		         "such as esp-sha256-hmac");
		return 0;
	}
	if (!auth_w)
		ts->auth = ESP_AUTH_NONE;
	if (!auth_w && ts->encr != ESP_ENCR_AES_GCM16)
		cp_warn(p, "transform set '%s' has no authentication transform: its packets are "
		        "encrypted but not integrity-protected", name);
	if (legacy[0])
		cp_legacy(p, legacy);
	return 1;
}

/* crypto ipsec transform-set NAME T1 [T2 [T3]] */
void cp_h_transform_set(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	struct conf_transform_set ts;
	int k;

	memset(&ts, 0, sizeof(ts));
	if (!cp_need(p, i, "a name then the transforms") ||
	    !cp_name(p, i, "transform set name", ts.name, sizeof(ts.name)))
		return;
	for (k = 0; k < c->ntset; k++)
		if (strcmp(c->tset[k].name, ts.name) == 0)
			break;
	if (k == c->ntset && !cp_need(p, i + 1, TRANSFORMS))
		return;
	if (k == CONF_MAX_TSETS) {
		cp_error(p, "too many transform sets, expected at most %d", CONF_MAX_TSETS);
		return;
	}
	/* an existing set named without transforms is only re-entered (for `mode`) */
	if (i + 1 < p->argc) {
		if (k < c->ntset)
			ts.mode_transport = c->tset[k].mode_transport;
		if (!parse_transforms(p, i + 1, ts.name, &ts))
			return;
		ts.line = p->line;
		c->tset[k] = ts;
		if (k == c->ntset)
			c->ntset++;
	}
	cp_open(p, CB_TSET, k);
}

static void h_mode(struct conf_parser *p, int i)
{
	struct conf_transform_set *ts = &p->conf->tset[p->idx];

	if (!cp_need(p, i, "tunnel or transport"))
		return;
	if (strcmp(p->argv[i], "tunnel") == 0) {
		if (cp_end(p, i + 1))
			ts->mode_transport = 0;
	} else if (strcmp(p->argv[i], "transport") == 0) {
		if (!cp_end(p, i + 1))
			return;
		ts->mode_transport = 1;
		/* IOS applies transport only to traffic between the two peers' own addresses;
		 * a remote-access client's traffic never is, so IOS runs tunnel mode too */
		cp_warn(p, "'mode transport' in transform set '%s': a virtual-access session is "
		        "tunnel mode, as IOS does for client traffic; tunnel mode is negotiated",
		        ts->name);
	} else {
		cp_error(p, "bad mode '%s', expected tunnel or transport", p->argv[i]);
	}
}

const struct cp_kw cp_tset_cmds[] = {
	FN("mode", h_mode),
	END
};

/* crypto ipsec profile NAME */
void cp_h_ipsec_profile(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int k;

	if (!cp_need(p, i, "a profile name") ||
	    !cp_name(p, i, "profile name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	for (k = 0; k < c->nipsec_profile; k++)
		if (strcmp(c->ipsec_profile[k].name, name) == 0)
			break;
	if (k == c->nipsec_profile) {
		if (k == CONF_MAX_IPSEC_PROF) {
			cp_error(p, "too many ipsec profiles, expected at most %d", CONF_MAX_IPSEC_PROF);
			return;
		}
		memset(&c->ipsec_profile[k], 0, sizeof(c->ipsec_profile[k]));
		memcpy(c->ipsec_profile[k].name, name, sizeof(name));
		c->ipsec_profile[k].line = p->line;
		c->nipsec_profile++;
	}
	cp_open(p, CB_IPSEC_PROF, k);
}

static struct conf_ipsec_profile *cur_iprof(struct conf_parser *p)
{
	return &p->conf->ipsec_profile[p->idx];
}

int cp_tset_list(struct conf_parser *p, int i, char names[][CONF_NAME_MAX], int *n)
{
	*n = 0;
	if (!cp_need(p, i, "one or more transform set names"))
		return 0;
	for (; i < p->argc; i++, (*n)++) {
		if (*n == CONF_MAX_TSET_REFS) {
			cp_error(p, "too many transform sets in '%s', expected at most %d", p->cmd,
			         CONF_MAX_TSET_REFS);
			return 0;
		}
		if (!cp_name(p, i, "transform set name", names[*n], CONF_NAME_MAX))
			return 0;
	}
	return 1;
}

static void h_set_tset(struct conf_parser *p, int i)
{
	struct conf_ipsec_profile *ip = cur_iprof(p);
	char names[CONF_MAX_TSET_REFS][CONF_NAME_MAX];
	int n;

	if (!cp_tset_list(p, i, names, &n))
		return;
	/* the new list replaces the old one; emptied slots drop out of the name checks */
	memset(ip->tset, 0, sizeof(ip->tset));
	memcpy(ip->tset, names, sizeof(names[0]) * (size_t)n);
	ip->ntset = n;
	for (int k = 0; k < n; k++)
		cp_ref(p, REF_TSET, ip->tset[k]);
}

int cp_pfs_group(struct conf_parser *p, int i, int *group)
{
	int g = 2;     /* bare `set pfs` is group 2, as on IOS */

	if (i < p->argc) {
		const char *w = p->argv[i];
		g = 0;
		if (strncmp(w, "group", 5) == 0 && cp_is_number(w + 5) && strlen(w + 5) <= 2 &&
		    alg_dh(atoi(w + 5)))
			g = atoi(w + 5);
		if (!g) {
			cp_error(p, "bad PFS group '%s', expected group1, group2, group5, group14, "
			         "group15, group16, group19, group20 or group21", w);
			return 0;
		}
		i++;
	}
	if (!cp_end(p, i))
		return 0;
	*group = g;
	return 1;
}

static void h_set_pfs(struct conf_parser *p, int i)
{
	const int bare = i >= p->argc;
	int g;

	if (!cp_pfs_group(p, i, &g))
		return;
	cur_iprof(p)->pfs_group = g;
	if (alg_dh(g)->legacy) {
		char what[CP_CMD_MAX + 16];
		snprintf(what, sizeof(what), "%s%s", p->cmd, bare ? " (group2)" : "");
		cp_legacy(p, what);
	}
}

/* lifetime seconds N | kilobytes N, for a profile, a crypto map entry or the global default */
int cp_sa_lifetime(struct conf_parser *p, int i, uint32_t *secs, uint32_t *kb)
{
	long long v;

	if (!cp_need(p, i, "seconds N or kilobytes N"))
		return 0;
	if (strcmp(p->argv[i], "seconds") == 0) {
		if (!cp_need(p, i + 1, "seconds from 120 to 86400") ||
		    !cp_num(p, i + 1, "SA lifetime", 120, 86400, &v) || !cp_end(p, i + 2))
			return 0;
		*secs = (uint32_t)v;
	} else if (strcmp(p->argv[i], "kilobytes") == 0) {
		if (!cp_need(p, i + 1, "kilobytes from 2560 to 4294967295") ||
		    !cp_num(p, i + 1, "SA lifetime", 2560, 4294967295LL, &v) || !cp_end(p, i + 2))
			return 0;
		*kb = (uint32_t)v;
	} else {
		cp_error(p, "bad lifetime unit '%s', expected seconds or kilobytes", p->argv[i]);
		return 0;
	}
	return 1;
}

static void h_set_lifetime(struct conf_parser *p, int i)
{
	cp_sa_lifetime(p, i, &cur_iprof(p)->lifetime_seconds, &cur_iprof(p)->lifetime_kb);
}

static void h_set_ikev2_profile(struct conf_parser *p, int i)
{
	struct conf_ipsec_profile *ip = cur_iprof(p);

	if (cp_v2_name(p, i, "an ikev2 profile name", ip->ikev2_profile) && cp_end(p, i + 1))
		cp_ref(p, REF_V2_PROFILE, ip->ikev2_profile);
}

static void h_set_isakmp_profile(struct conf_parser *p, int i)
{
	struct conf_ipsec_profile *ip = cur_iprof(p);
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "an isakmp profile name") ||
	    !cp_name(p, i, "isakmp profile name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	memcpy(ip->isakmp_profile, name, sizeof(name));
	cp_ref(p, REF_ISAKMP_PROF, ip->isakmp_profile);
}

static void replay_window(struct conf_parser *p, int i, int *out);

/* set security-association idle-time SECONDS (IOS: 60..86400): the session ends after that
 * long with no ESP either way, as with a RADIUS Idle-Timeout */
static void h_set_idle_time(struct conf_parser *p, int i)
{
	long long v;

	if (cp_need(p, i, "seconds from 60 to 86400") &&
	    cp_num(p, i, "SA idle time", 60, 86400, &v) && cp_end(p, i + 1))
		cur_iprof(p)->idle_time = (int)v;
}

/* set security-association replay window-size N | disable */
static void h_set_replay_window(struct conf_parser *p, int i)
{
	replay_window(p, i, &cur_iprof(p)->replay_window);
}

static void h_set_replay_disable(struct conf_parser *p, int i)
{
	(void)i;
	cp_error(p, "anti-replay cannot be disabled: a replayed ESP packet would be delivered "
	         "again; expected 'window-size N' (a bigger window for reordering links)");
}

/*
 * set reverse-route [gateway A | tag N | distance N]: on IOS a dynamic map needs it to route
 * to its clients; a DVTI session's virtual-access interface always gets the route to the
 * client, so the bare line is accepted as what happens anyway. The options change how IOS
 * redistributes that route, which vpnd does not do: refused.
 */
static void h_set_reverse_route(struct conf_parser *p, int i)
{
	if (i < p->argc) {
		cp_error(p, "'set reverse-route %s' is not supported: vpnd routes each client "
		         "through its virtual-access interface and redistributes nothing, expected "
		         "'set reverse-route' alone", p->argv[i]);
		return;
	}
	cur_iprof(p)->reverse_route = 1;
}

static const struct cp_kw sa_replay_cmds[] = {
	FN("window-size", h_set_replay_window),
	FN("disable", h_set_replay_disable),
	END
};
static const struct cp_kw set_sa[] = {
	FN("lifetime", h_set_lifetime),
	FN("idle-time", h_set_idle_time),
	SUB("replay", sa_replay_cmds),
	END
};
static const struct cp_kw set_cmds[] = {
	FN("transform-set", h_set_tset),
	FN("pfs", h_set_pfs),
	SUB("security-association", set_sa),
	FN("isakmp-profile", h_set_isakmp_profile),
	FN("ikev2-profile", h_set_ikev2_profile),
	FN("reverse-route", h_set_reverse_route),
	END
};

const struct cp_kw cp_ipsec_prof_cmds[] = {
	SUB("set", set_cmds),
	END
};

void cp_h_sa_lifetime(struct conf_parser *p, int i)
{
	cp_sa_lifetime(p, i, &p->conf->sa_lifetime_seconds, &p->conf->sa_lifetime_kb);
}

/* Window sizes are powers of two: the data plane keeps the window as whole 64-bit words. */
static void replay_window(struct conf_parser *p, int i, int *out)
{
	long long n;

	if (!cp_need(p, i, "a power of two from 64 to 65536") ||
	    !cp_num(p, i, "replay window size", 64, 65536, &n))
		return;
	if (n & (n - 1)) {
		cp_error(p, "bad replay window size '%s', expected a power of two from 64 to 65536",
		         p->argv[i]);
		return;
	}
	if (!cp_end(p, i + 1))
		return;
	if (n < 1024)
		cp_warn(p, "replay window %lld is raised to 1024, the data plane's minimum", n);
	*out = n < 1024 ? 1024 : (int)n;
}

void cp_h_sa_replay(struct conf_parser *p, int i)
{
	replay_window(p, i, &p->conf->replay_window);
}
