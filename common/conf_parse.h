/*
 * Private to the configuration parser (common/conf*.c): the parser state, the keyword tables
 * and the argument helpers the per-block files share. Nothing outside common/conf*.c includes it.
 */
#ifndef VPND_CONF_PARSE_H
#define VPND_CONF_PARSE_H

#include <stddef.h>

#include "common/conf.h"

#define CP_LINE_MAX  4096   /* longer lines are refused, not split */
#define CP_MAX_ARGS  48
#define CP_CMD_MAX   256    /* the words of a line, for messages */

/* What the indented lines that follow belong to. */
enum cp_block {
	CB_NONE = 0,
	CB_SKIP,        /* the opener had an error, already reported: its sub-lines are dropped */
	CB_IGNORED,     /* the opener means nothing on Linux: its sub-lines are accepted silently */
	CB_POLICY, CB_GROUP, CB_PROFILE, CB_TSET, CB_IPSEC_PROF, CB_IFACE, CB_ACL,
	CB_KEYRING,
	CB_RADIUS_SERVER, CB_RADIUS_GROUP,
	CB_TRUSTPOINT,
	CB_DYNAUTH,
	CB_EZVPN,
	CB_CMAP,        /* crypto map NAME SEQ ipsec-manual | ipsec-isakmp */
	CB_ACL6,        /* ipv6 access-list NAME */
	CB_V2_PROPOSAL, CB_V2_POLICY, CB_V2_KEYRING, CB_V2_PROFILE, CB_V2_AUTHOR, CB_V2_CLUSTER,
	CB_V2_MANGLER,  /* crypto ikev2 name-mangler NAME */
	CB_V2_PEER,     /* a peer NAME block inside crypto ikev2 keyring (p->idx: the keyring) */
	CB_CERTMAP,     /* crypto pki certificate map LABEL SEQ */
};

/* Names checked once the whole file is read (a reference may come before its target). */
enum cp_ref_kind {
	REF_POOL, REF_ACL, REF_GROUP, REF_TSET, REF_IPSEC_PROF, REF_ISAKMP_PROF,
	REF_AAA_LOGIN, REF_AAA_NETWORK, REF_TEMPLATE, REF_KEYRING, REF_LOCAL_ADDR,
	REF_TRUSTPOINT,
	REF_AAA_ACCT,
	REF_POOL6,
	REF_EZVPN,      /* interface: crypto ipsec client ezvpn NAME */
	REF_IFACE,      /* an IOS interface name used by another line: must be configured */
	REF_CMAP,       /* interface: crypto map NAME */
	REF_ACL6,       /* interface: ipv6 traffic-filter NAME in|out */
	REF_V2_PROPOSAL,    /* crypto ikev2 policy: proposal NAME */
	REF_V2_KEYRING,     /* crypto ikev2 profile: keyring local NAME */
	REF_V2_PROFILE,     /* crypto ipsec profile: set ikev2-profile NAME */
	REF_V2_ROUTE_ACL,   /* authorization policy: route set access-list NAME (standard) */
	REF_V2_SUBNET_ACL6, /* authorization policy: ipv6 subnet-acl NAME (ipv6 access-list) */
	REF_CERTMAP,        /* crypto ikev2 profile: match certificate LABEL */
	REF_V2_MANGLER,     /* crypto ikev2 profile: aaa authorization ... name-mangler NAME */
};

struct cp_ref {
	int         kind;
	const void *field;      /* char[] in *conf (an int for REF_TEMPLATE); "" or 0 = no longer used */
	int         line;
};

struct conf_parser;
/* Called with i = index of the first word after the keywords that selected it. */
typedef void (*cp_handler)(struct conf_parser *p, int i);

struct cp_kw {
	const char         *word;   /* NULL ends a table */
	const struct cp_kw *sub;    /* next word */
	cp_handler          fn;     /* or the handler that parses the rest */
	int                 flags;
};
#define KW_NOOP        0x1  /* means nothing on Linux: one warning, any arguments */
#define KW_NOOP_BLOCK  0x2  /* same, and its sub-lines are accepted without more warnings */
#define KW_QUIET       0x4  /* accepted without a word, any arguments (remark, exit) */
#define KW_OPENS       0x8  /* opens a block of sub-commands */
#define KW_HIDDEN      0x10 /* not listed in "expected one of" */
#define KW_NOOP_SHORT  0x20 /* with KW_NOOP: the warning names only the keyword (its arguments
                               may be a password) */

struct conf_parser {
	struct vpnd_conf *conf;
	const char       *name;
	conf_diag_fn      diag;
	void             *arg;
	int               nerr;
	int               line;

	/* the current line: raw text (trailing blanks cut), its words, where each word starts */
	char  raw[CP_LINE_MAX];
	char  words[CP_LINE_MAX];
	int   argc;
	char *argv[CP_MAX_ARGS];
	int   argpos[CP_MAX_ARGS];
	char  cmd[CP_CMD_MAX];          /* the words joined by one space */

	int   block;                    /* enum cp_block */
	int   idx;                      /* index of the block's entry in *conf */
	char  block_cmd[CP_CMD_MAX];    /* the opener, for messages */

	/* a multi-line group banner in progress */
	int    banner_on;
	int    banner_line;
	int    banner_group;
	int    banner_overflow;
	char   banner_delim[3];
	size_t banner_len;

	/* per policy: whether `hash` was given (the default depends on the rest of the block) */
	unsigned char policy_hash_set[CONF_MAX_POLICIES];

	struct cp_ref *refs;
	size_t         nrefs, caprefs;

	/* conf_iface_line: the interface the interface handlers write to, instead of
	 * conf->iface[idx] */
	struct conf_interface *iface;

	/* the file line of each access list entry (crypto map checks name the ignored ones) */
	int ace_line[CONF_MAX_ACLS][CONF_MAX_ACES];

	/* crypto ikev2 keyring: the open peer (-1 none) and its line's indentation; the line of
	 * crypto ikev2 redirect gateway */
	int v2_peer, v2_peer_indent, v2_redirect_line;

	int ended;                      /* `end` seen */
	int after_end_warned;
};

/* Diagnostics, formatted "NAME:LINE: error: ..." (line = p->line unless given). */
void cp_error(struct conf_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cp_warn(struct conf_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cp_warn_at(struct conf_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cp_error_at(struct conf_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Each returns 1 when the word is there and good; otherwise reports the error and returns 0. */
int cp_need(struct conf_parser *p, int i, const char *expected);
int cp_end(struct conf_parser *p, int i);
int cp_num(struct conf_parser *p, int i, const char *what, long long lo, long long hi,
           long long *out);
int cp_addr(struct conf_parser *p, int i, const char *what, struct in_addr *out);
int cp_netmask(struct conf_parser *p, int i, const char *what, struct in_addr *out);
int cp_wildcard(struct conf_parser *p, int i, const char *what, struct in_addr *mask);
int cp_name(struct conf_parser *p, int i, const char *what, char *dst, size_t dstsz);
int cp_copy_text(struct conf_parser *p, const char *src, const char *what, char *dst, size_t dstsz);
/* Same for a key or password: never echoed in a message. */
int cp_secret(struct conf_parser *p, const char *src, const char *what, char *dst, size_t dstsz);
int cp_is_number(const char *s);
int cp_mask_ok(struct in_addr mask);
/* The raw text from word i to the end of the line. */
const char *cp_rest(struct conf_parser *p, int i);

/* Remember a name to check once the file is read; the latest use of a field wins. */
void cp_ref(struct conf_parser *p, int kind, const void *field);
/* Set uses_legacy and warn once for this line. */
void cp_legacy(struct conf_parser *p, const char *what);
/* Open a block for the indented lines that follow. */
void cp_open(struct conf_parser *p, int block, int idx);

/* Split p->raw into p->argv; returns the word count, -1 on error (reported). */
int tokenize_line(struct conf_parser *p);
/* Walk the keyword tables from word i and run the handler found. */
void cp_dispatch(struct conf_parser *p, const struct cp_kw *tbl, int i);
/* The table of a block's indented lines (NULL for none); conf_words.c walks them all. */
const struct cp_kw *cp_block_table(int block);

/* Tables and helpers of the per-block files. */
extern const struct cp_kw cp_top[];
extern const struct cp_kw cp_policy_cmds[], cp_group_cmds[], cp_profile_cmds[];
extern const struct cp_kw cp_tset_cmds[], cp_ipsec_prof_cmds[];
extern const struct cp_kw cp_iface_cmds[], cp_acl_cmds[], cp_acl6_cmds[];
extern const struct cp_kw cp_keyring_cmds[];
extern const struct cp_kw cp_radius_server_cmds[], cp_radius_group_cmds[];
extern const struct cp_kw cp_trustpoint_cmds[];
extern const struct cp_kw cp_dynauth_cmds[];
/* conf_ezvpn.c: crypto ipsec client ezvpn, its block and the interface line naming one */
extern const struct cp_kw cp_ezvpn_cmds[], cp_iface_crypto[];
void cp_h_ezvpn(struct conf_parser *p, int i);
void cp_check_ezvpn(struct conf_parser *p);
/* conf_cmap.c: crypto map NAME SEQ, its block, and the interface line naming a map */
extern const struct cp_kw cp_cmap_cmds[];
void cp_h_cmap(struct conf_parser *p, int i);
void cp_h_dynamic_map(struct conf_parser *p, int i);
void cp_h_iface_cmap(struct conf_parser *p, int i);
/* conf_vti.c: interface TunnelN (static VTI) */
int cp_vti_name(const char *s);
void cp_h_tunnel_source(struct conf_parser *p, int i);
void cp_h_tunnel_destination(struct conf_parser *p, int i);
void cp_check_vti(struct conf_parser *p);
void cp_check_cmap(struct conf_parser *p);
/* conf_iface.c: an IOS name (FastEthernet0/0, Loopback0) vpnd accepts for an interface */
int cp_ios_iface_name(const char *s);
/* conf_ipv6.c: ipv6 lines at the top, in a group, in an interface */
extern const struct cp_kw cp_ipv6_top[], cp_no_ipv6_top[], cp_ipv6_group[], cp_ipv6_iface[];
void cp_check_ipv6(struct conf_parser *p);

void cp_banner_line(struct conf_parser *p, const char *raw);
void cp_banner_eof(struct conf_parser *p);
void cp_policy_finish(struct conf_parser *p);
void cp_check_refs(struct conf_parser *p);

/* Handlers referenced from the top-level table (conf_top.c). */
void cp_h_hostname(struct conf_parser *p, int i);
void cp_h_control_socket_group(struct conf_parser *p, int i);
void cp_h_db_history_keep(struct conf_parser *p, int i);
void cp_h_aaa_new_model(struct conf_parser *p, int i);
void cp_h_no_aaa_new_model(struct conf_parser *p, int i);
void cp_h_aaa_authen_login(struct conf_parser *p, int i);
void cp_h_aaa_author_network(struct conf_parser *p, int i);
void cp_h_aaa_acct_network(struct conf_parser *p, int i);
void cp_h_username(struct conf_parser *p, int i);
void cp_h_radius_server(struct conf_parser *p, int i);
void cp_h_radius_host(struct conf_parser *p, int i);
void cp_h_radius_group(struct conf_parser *p, int i);
void cp_h_radius_global_timeout(struct conf_parser *p, int i);
void cp_h_radius_global_retransmit(struct conf_parser *p, int i);
void cp_h_radius_deadtime(struct conf_parser *p, int i);
void cp_h_radius_dead_criteria(struct conf_parser *p, int i);
void cp_h_radius_group_password(struct conf_parser *p, int i);
void cp_h_acct_update(struct conf_parser *p, int i);
void cp_check_radius(struct conf_parser *p);
/* conf_dynauth.c: aaa server radius dynamic-author */
void cp_h_dynauth(struct conf_parser *p, int i);
void cp_check_dynauth(struct conf_parser *p);
void cp_h_isakmp_policy(struct conf_parser *p, int i);
void cp_h_isakmp_key(struct conf_parser *p, int i);
void cp_h_isakmp_keepalive(struct conf_parser *p, int i);
void cp_h_isakmp_nat_keepalive(struct conf_parser *p, int i);
void cp_h_isakmp_xauth_timeout(struct conf_parser *p, int i);
void cp_h_isakmp_nem_min(struct conf_parser *p, int i);
void cp_h_client_group(struct conf_parser *p, int i);
void cp_h_isakmp_profile(struct conf_parser *p, int i);
void cp_h_transform_set(struct conf_parser *p, int i);
void cp_h_ipsec_profile(struct conf_parser *p, int i);
void cp_h_sa_lifetime(struct conf_parser *p, int i);
/* conf_ipsec.c, shared with crypto map entries: 1 when parsed (an error reported otherwise) */
int  cp_tset_list(struct conf_parser *p, int i, char names[][CONF_NAME_MAX], int *n);
int  cp_pfs_group(struct conf_parser *p, int i, int *group);
int  cp_sa_lifetime(struct conf_parser *p, int i, uint32_t *secs, uint32_t *kb);
void cp_h_sa_replay(struct conf_parser *p, int i);
void cp_h_interface(struct conf_parser *p, int i);
void cp_h_local_pool(struct conf_parser *p, int i);
void cp_h_route(struct conf_parser *p, int i);
void cp_h_acl_standard(struct conf_parser *p, int i);
void cp_h_acl_extended(struct conf_parser *p, int i);
void cp_h_access_list(struct conf_parser *p, int i);
/* eq|neq|lt|gt|range at word *j if there is one (conf_acl.c); ports = the protocol has them */
int cp_port_match(struct conf_parser *p, int *j, int ports, uint8_t *op, uint16_t *lo,
                  uint16_t *hi);
/* conf_iface.c: ACL NAME in|out into in or out (ip access-group, ipv6 traffic-filter) */
void cp_acl_direction(struct conf_parser *p, int i, const char *what, char *in, char *out,
                      int ref);
/* conf_ipv6.c: PREFIX/LEN with no bits past LEN */
int cp_prefix6(struct conf_parser *p, int i, struct in6_addr *out, int *plen);
/* conf_acl6.c: ipv6 access-list NAME */
void cp_h_ipv6_acl(struct conf_parser *p, int i);
/* conf_keyring.c: keyrings, and the profile lines that select keys by address */
void cp_h_keyring(struct conf_parser *p, int i);
/* `ipv6 P[/LEN]` of a peer selector (a bare address is /128; bits past LEN are cleared, as
 * they are for an IPv4 address under its mask) */
int cp_peer6(struct conf_parser *p, int i, struct in6_addr *out, int *plen);
/* same family, address and prefix: the line replaces the earlier one, as in IOS */
#define CP_SAME_SEL(a, b) ((a)->is6 == (b)->is6 && ((a)->is6 ? \
	(a)->plen6 == (b)->plen6 && !memcmp(&(a)->addr6, &(b)->addr6, 16) : \
	(a)->addr.s_addr == (b)->addr.s_addr && (a)->mask.s_addr == (b)->mask.s_addr))
void cp_h_match_address(struct conf_parser *p, int i);
void cp_h_profile_keyring(struct conf_parser *p, int i);
void cp_h_profile_local(struct conf_parser *p, int i);
void cp_h_self_identity(struct conf_parser *p, int i);
/* conf_pki.c: trust points, and the profile line that names one */
void cp_h_trustpoint(struct conf_parser *p, int i);
void cp_h_profile_trustpoint(struct conf_parser *p, int i);
void cp_pki_finish(struct conf_parser *p);
/* conf_certmap.c: crypto pki certificate map LABEL SEQ */
extern const struct cp_kw cp_certmap_cmds[];
void cp_h_certmap(struct conf_parser *p, int i);
void cp_check_certmaps(struct conf_parser *p);
/* conf_admission.c: aggressive-mode disable, call admission limits, local user lockout */
void cp_h_isakmp_aggressive(struct conf_parser *p, int i);
void cp_h_cac_ike(struct conf_parser *p, int i);
void cp_h_aaa_local_attempts(struct conf_parser *p, int i);
/* conf_logging.c: logging ..., no logging ..., crypto logging session */
extern const struct cp_kw cp_logging_cmds[], cp_no_logging_cmds[];
void cp_h_crypto_logging(struct conf_parser *p, int i);
void cp_h_http_server(struct conf_parser *p, int i);
void cp_h_http_port(struct conf_parser *p, int i);
void cp_h_no_http_server(struct conf_parser *p, int i);
void cp_h_http_access_class(struct conf_parser *p, int i);
/* conf_ikev2.c, conf_ikev2_prof.c: crypto ikev2 ... */
extern const struct cp_kw cp_v2_proposal_cmds[], cp_v2_policy_cmds[], cp_v2_keyring_cmds[],
                          cp_v2_peer_cmds[], cp_v2_profile_cmds[], cp_v2_author_cmds[],
                          cp_v2_cluster_cmds[], cp_v2_mangler_cmds[];
void cp_h_v2_proposal(struct conf_parser *p, int i);
void cp_h_v2_policy(struct conf_parser *p, int i);
void cp_h_v2_keyring(struct conf_parser *p, int i);
void cp_h_v2_profile(struct conf_parser *p, int i);
void cp_h_v2_author(struct conf_parser *p, int i);
void cp_h_v2_cluster(struct conf_parser *p, int i);
void cp_h_v2_mangler(struct conf_parser *p, int i);
void cp_h_v2_cookie(struct conf_parser *p, int i);
void cp_h_v2_limit_neg(struct conf_parser *p, int i);
void cp_h_v2_limit_sa(struct conf_parser *p, int i);
void cp_h_v2_fragmentation(struct conf_parser *p, int i);
void cp_h_v2_redirect_gw(struct conf_parser *p, int i);
/* a name into a CONF_NAME_MAX field, zeroed past its end; 1 when good */
int  cp_v2_name(struct conf_parser *p, int i, const char *what, char *dst);
/* NAME in a table of structs whose first member is the name, else added zeroed; -1 when full
 * (reported) */
int  cp_v2_find_or_add(struct conf_parser *p, void *tbl, size_t esz, int *n, int max,
                       const char *name, const char *what);
/* conf_ikev2_keyring.c: a peer selector (A [MASK], ipv6 P/LEN, X:X::X/LEN) to the end of the
 * line, *j past it; an identity (address|fqdn|email|key-id VALUE). 1 when good */
int  cp_v2_selector(struct conf_parser *p, int i, int *j, struct in_addr *a, struct in_addr *m,
                    int *is6, struct in6_addr *a6, int *plen6);
int  cp_v2_identity(struct conf_parser *p, int i, int *type, char *value);
/* match fvrf any (the only one): 1 when good */
int  cp_v2_fvrf(struct conf_parser *p, int i);
/* the defaults (IOS's "default" proposal, policy and authorization policy) and the checks */
void cp_ikev2_finish(struct conf_parser *p);
void cp_ikev2_check_profiles(struct conf_parser *p);

#endif
