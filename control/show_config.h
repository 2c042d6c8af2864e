/*
 * IOS-style show commands for the running configuration, answered by the control process on
 * the control socket from its redacted copy: show crypto isakmp policy | show crypto isakmp profile | show crypto ipsec
 * transform-set | show crypto ipsec profile | show running-config [interface NAME], each with
 * --json.
 *
 * The formatters write to a FILE (a memory stream for the control socket, anything in tests)
 * and never read a key or a password: running-config prints them as <removed>.
 */
#ifndef VPND_CONTROL_SHOW_CONFIG_H
#define VPND_CONTROL_SHOW_CONFIG_H

#include <stdio.h>

#include "common/conf.h"

#define SHOW_REMOVED "<removed>"

/* Each writes IOS text, or JSON when json is set; 0, or -1 after a '%' line on F. */
int show_isakmp_policy(FILE *f, const struct vpnd_conf *c, int json);
int show_isakmp_profile(FILE *f, const struct vpnd_conf *c, int json);
int show_ipsec_transform_set(FILE *f, const struct vpnd_conf *c, int json);
int show_ipsec_profile(FILE *f, const struct vpnd_conf *c, int json);
int show_running_config(FILE *f, const struct vpnd_conf *c, int json);
/* A configured interface (eth0, Virtual-Template1): -1 and a '%' line when there is none. */
int show_running_interface(FILE *f, const struct vpnd_conf *c, const char *name, int json);

/* What the session store says about the live session on Virtual-AccessN. */
struct show_vaccess {
	int  unit;
	char ifname[16];
	char username[CONF_NAME_MAX * 2];
	char group[CONF_NAME_MAX];
	char profile[CONF_NAME_MAX];
	char peer[SA46_STRLEN], local[SA46_STRLEN];  /* IPv4 or IPv6, "" when unknown */
	char assigned[16];                          /* a dotted quad, "" when unknown */
	/* the session's own interface settings (RADIUS, CoA), "" / 0 = the template's */
	char acl_in[CONF_NAME_MAX], acl_out[CONF_NAME_MAX];
	int  mtu, tcp_mss;
	char acl6_in[CONF_NAME_MAX], acl6_out[CONF_NAME_MAX];
};

/*
 * The live session on unit N, read from the session store (control/store.c) through a
 * read-only handle: H, or one opened on DBPATH for the call. 1: found, 0: none, -1: the store
 * could not be read (why in ERR).
 */
struct sqlite3;
int show_vaccess_query(struct sqlite3 *h, int unit, struct show_vaccess *out, char *err,
                       size_t errlen);
int show_vaccess_lookup(const char *dbpath, int unit, struct show_vaccess *out, char *err,
                        size_t errlen);
/* Read-only, with a first read done (WAL and -shm open): before the chroot. NULL: logged. */
struct sqlite3 *control_store_open(const char *path);
/* Virtual-AccessN as IOS shows a cloned interface: its template's lines plus the session's
 * tunnel source and destination. -1 and a '%' line when its template is not configured. */
int show_running_vaccess(FILE *f, const struct vpnd_conf *c, const struct show_vaccess *s,
                         int json);
/* "Virtual-Access2", "Vi2", "va2" -> 2; "Virtual-Access 2" comes as two words. -1: not one. */
int show_vaccess_unit(const char *word, const char *next, int *used);

/* show ip local pool [NAME] (show_pool.c): ranges, free and in-use counts from the open
 * sessions in DB; with NAME, the addresses in use too. -1 with ERR (unknown pool, store). */
int show_ip_local_pool(FILE *f, const struct vpnd_conf *c, struct sqlite3 *db,
                       const char *name, int json, char *err, size_t errlen);

/* show crypto ipsec client ezvpn [NAME] (show_ezvpn.c): the configured Easy VPN tunnels with
 * the state the store's ezvpn table holds (DB NULL: every one idle). -1 with ERR (unknown
 * name, store). */
int show_ezvpn(FILE *f, const struct vpnd_conf *c, struct sqlite3 *db, const char *name,
               int json, char *err, size_t errlen);

/* Control socket handlers (control/commands.c's table). */
struct control_conn;
void show_cmd_isakmp_policy(struct control_conn *, int argc, char **argv);
void show_cmd_isakmp_profile(struct control_conn *, int argc, char **argv);
void show_cmd_ipsec_transform_set(struct control_conn *, int argc, char **argv);
void show_cmd_ipsec_profile(struct control_conn *, int argc, char **argv);
void show_cmd_running_config(struct control_conn *, int argc, char **argv);
void show_cmd_ip_local_pool(struct control_conn *, int argc, char **argv);
void show_cmd_ezvpn(struct control_conn *, int argc, char **argv);
/* show_cmap.c: show crypto map [tag NAME]; -1 when TAG names no map */
int  show_cmap(FILE *f, const struct vpnd_conf *, const char *tag, int json);
void show_cmd_crypto_map(struct control_conn *, int argc, char **argv);
void ez_cmd_connect(struct control_conn *, int argc, char **argv);
void ez_cmd_clear(struct control_conn *, int argc, char **argv);
void ez_cmd_xauth(struct control_conn *, int argc, char **argv);

#endif
