/*
 * show running-config [interface NAME | interface Virtual-AccessN]: the entry points and the
 * control socket's handler (the printers are in rc_text.c, rc_acl.c, rc_ikev2.c and rc_json.c;
 * the crypto shows in show_crypto.c).
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
#include "control/show_int.h"
#include "control/show_logging.h"

static void rc_body_cb(FILE *f, const void *arg)
{
	rc_body(f, arg);
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

	/* an Easy VPN remote session (ikemgr/ez_report.c): its ezvpn's virtual-interface */
	if (strncmp(s->profile, "ezvpn ", 6) == 0) {
		const struct conf_ezvpn *ez = conf_find_ezvpn(c, s->profile + 6);
		return ez && ez->virtual_interface ? conf_find_template(c, ez->virtual_interface) : NULL;
	}
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

	int initiated = strncmp(va->s->profile, "ezvpn ", 6) == 0;

	fprintf(f, "!\ninterface Virtual-Access%d\n", va->s->unit);
	if (initiated && strcmp(va->s->assigned, "0.0.0.0") != 0 && va->s->assigned[0])
		fprintf(f, " ip address %s 255.255.255.255\n", va->s->assigned);   /* pushed */
	else
		iface_addr_lines(f, t);
	if (va->s->local[0])
		fprintf(f, " tunnel source %s\n", va->s->local);
	fprintf(f, " tunnel mode %s\n",
	        conf_tunnel_mode_words(t->tunnel_mode_ipsec ? t->tunnel_mode_ipsec : TUNNEL_IPSEC_IPV4));
	if (va->s->peer[0])
		fprintf(f, " tunnel destination %s\n", va->s->peer);
	if (t->protection[0])
		fprintf(f, " tunnel protection ipsec profile %s\n", t->protection);
	/* a hub's clone only answers; an Easy VPN remote's started IKE itself */
	if (!initiated)
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
	if (s->acl6_in[0])
		snprintf(own.acl6_in, sizeof(own.acl6_in), "%s", s->acl6_in);
	if (s->acl6_out[0])
		snprintf(own.acl6_out, sizeof(own.acl6_out), "%s", s->acl6_out);
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
		jw_str(&w, "ipv6_traffic_filter_in", t->acl6_in);
		jw_str(&w, "ipv6_traffic_filter_out", t->acl6_out);
		jw_str(&w, "tunnel_source", s->local);
		jw_str(&w, "tunnel_mode", "ipsec ipv4");
		jw_str(&w, "tunnel_destination", s->peer);
		jw_str(&w, "tunnel_protection", t->protection);
		jw_bool(&w, "tunnel_protection_initiate", strncmp(s->profile, "ezvpn ", 6) == 0);
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

