/*
 * Private to the configuration shows (control/show_*.c, control/rc_*.c): the names of things
 * as the configuration writes them and as IOS's show commands spell them, and the pieces
 * running-config is built from.
 */
#ifndef VPND_CONTROL_SHOW_INT_H
#define VPND_CONTROL_SHOW_INT_H

#include <arpa/inet.h>
#include <stdio.h>

#include "common/conf.h"
#include "control/json.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct addrbuf { char s[INET_ADDRSTRLEN]; };

static inline struct addrbuf addr(struct in_addr a)
{
	struct addrbuf b;
	if (inet_ntop(AF_INET, &a, b.s, sizeof(b.s)) == NULL)
		snprintf(b.s, sizeof(b.s), "0.0.0.0");
	return b;
}

/* A peer selector as the configuration writes it after `address`: "A", "A MASK" (a mask
 * other than /32), "ipv6 P/LEN" */
struct selbuf { char s[INET6_ADDRSTRLEN + 2 * INET_ADDRSTRLEN + 8]; };
static inline struct selbuf sel_text(int is6, struct in_addr a, struct in_addr m,
                                     const struct in6_addr *a6, int plen6)
{
	struct selbuf b;
	char t[INET6_ADDRSTRLEN];
	if (is6) {
		if (inet_ntop(AF_INET6, a6, t, sizeof(t)) == NULL)
			snprintf(t, sizeof(t), "::");
		snprintf(b.s, sizeof(b.s), "ipv6 %s/%d", t, plen6);
	} else if (m.s_addr != 0xffffffff) {
		snprintf(b.s, sizeof(b.s), "%s %s", addr(a).s, addr(m).s);
	} else {
		snprintf(b.s, sizeof(b.s), "%s", addr(a).s);
	}
	return b;
}
#define SEL_TEXT(e) sel_text((e)->is6, (e)->addr, (e)->mask, &(e)->addr6, (e)->plen6)

static inline struct addrbuf wildcard(struct in_addr mask)
{
	struct in_addr w = { .s_addr = ~mask.s_addr };
	return addr(w);
}

/* control/show_names.c */
const char *ike_encr_word(int e);
const char *ike_hash_word(int h);
const char *ike_auth_word(int a);
const char *ike_encr_text(const struct conf_isakmp_policy *p, char *buf, size_t len);
const char *ike_hash_text(int h);
const char *ike_auth_text(int a);
const char *dh_text(int g);
int         default_hash(const struct conf_isakmp_policy *p);
const char *esp_encr_word(int e);
const char *esp_auth_word(int a);
/* the transforms of a set as the configuration writes them (show 0) or as show prints them */
/* rc_text.c: one access list entry as the running configuration writes it (with a newline) */
void rc_ace_line(FILE *f, const struct conf_acl *acl, const struct conf_ace *e);
void rc_acls(FILE *f, const struct vpnd_conf *c);        /* rc_acl.c: every access list */
const char *tset_transforms(const struct conf_transform_set *t, int show, char *buf, size_t len);

/* control/show_crypto.c: the objects of the crypto shows, shared with running-config --json */
void policy_json(struct jw *w, const struct conf_isakmp_policy *p);
void profile_json(struct jw *w, const struct conf_isakmp_profile *p);
void tset_json(struct jw *w, const struct conf_transform_set *t);
void iprof_json(struct jw *w, const struct vpnd_conf *c, const struct conf_ipsec_profile *p);

/* control/rc_text.c: running-config as text */
void rc_body(FILE *f, const struct vpnd_conf *c);
/* control/rc_ikev2.c: the crypto ikev2 lines */
void rc_ikev2(FILE *f, const struct vpnd_conf *c);
/* control/rc_ikev2_json.c: the "ikev2" object of running-config --json */
void rc_ikev2_json(struct jw *w, const struct vpnd_conf *c);
void rc_interface(FILE *f, const struct conf_interface *i);
void iface_addr_lines(FILE *f, const struct conf_interface *i);
int  all_digits(const char *s);
/* "Building configuration..." and the size line IOS prints before a configuration */
typedef void body_fn(FILE *, const void *);
int  with_header(FILE *f, body_fn *fn, const void *arg);

/* control/rc_json.c: running-config as JSON */
void rc_json(FILE *f, const struct vpnd_conf *c);
void iface_json(struct jw *w, const struct conf_interface *i);

#endif
