/* interface blocks, ip local pool and ip route. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_parse.h"

#define FN(w, f)  { w, NULL, f, 0 }
#define SUB(w, t) { w, t, NULL, 0 }
#define NOOP(w)   { w, NULL, NULL, KW_NOOP }
#define END       { NULL, NULL, NULL, 0 }

#define TEMPLATE_PREFIX "Virtual-Template"

/* IOS hardware names someone may paste from a router. They load as names of their own, bound
 * to a Linux device when the file is loaded (conf_bind.c). */
static const char *const ios_names[] = {
	"FastEthernet", "GigabitEthernet", "TenGigabitEthernet", "Ethernet", "Serial",
	"Loopback", "Tunnel", "Dialer", "Vlan", "Virtual-Access", "Port-channel", "ATM", "BRI",
	"Async", "Cellular", "Multilink", "BVI", "NVI", "Null", NULL
};

/* the known IOS prefix s starts with (followed by a digit), or NULL */
static const char *ios_prefix(const char *s)
{
	for (int k = 0; ios_names[k]; k++) {
		size_t n = strlen(ios_names[k]);
		if (strncmp(s, ios_names[k], n) == 0 && s[n] >= '0' && s[n] <= '9')
			return ios_names[k];
	}
	return NULL;
}

/* an IOS name, bare (Serial) or numbered, or anything with a '/': never a Linux device */
static int ios_like(const char *s)
{
	if (strchr(s, '/') != NULL || ios_prefix(s) != NULL)
		return 1;
	for (int k = 0; ios_names[k]; k++)
		if (strcmp(s, ios_names[k]) == 0)
			return 1;
	return 0;
}

/* A name vpnd takes for an IOS interface: a known prefix, then digits, '/', '.' or ':'. */
int cp_ios_iface_name(const char *s)
{
	const char *pre = ios_prefix(s);

	if (pre == NULL || strlen(s) >= CONF_NAME_MAX)
		return 0;
	for (s += strlen(pre); *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '/' || *s == '.' || *s == ':'))
			return 0;
	return 1;
}

int conf_iface_is_ios(const char *name)
{
	return cp_ios_iface_name(name);
}

/* A name Linux accepts for a network device (see dev_valid_name()): 1..15 bytes, no '/', ':'. */
static int linux_ifname(struct conf_parser *p, const char *s)
{
	size_t n = strlen(s);

	if (ios_like(s)) {
		cp_error(p, "'%s' is an IOS name, expected a Linux device name (eth0) here", s);
		return 0;
	}
	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strchr(s, ':')) {
		cp_error(p, "bad interface name '%s', expected a Linux name of 1 to 15 characters "
		         "without '/' or ':'", s);
		return 0;
	}
	return 1;
}

/* An interface another line names: a Linux device, or an IOS-named interface of this file
 * (checked once the file is read; its Linux device is found by conf_iface_device()). */
static int iface_ref(struct conf_parser *p, const char *s, char *dst, size_t dstsz, int ref)
{
	if (cp_ios_iface_name(s) && (strncmp(s, "Tunnel", 6) != 0 || cp_vti_name(s)) &&
	    strncmp(s, "Virtual-Access", 14) != 0) {
		snprintf(dst, dstsz, "%s", s);
		if (ref)
			cp_ref(p, REF_IFACE, dst);
		return 1;
	}
	if (ios_like(s)) {
		cp_error(p, "bad interface name '%s', expected a Linux name (eth0) or an IOS "
		         "interface of this file (FastEthernet0/0, Loopback0)", s);
		return 0;
	}
	if (!linux_ifname(p, s))
		return 0;
	snprintf(dst, dstsz, "%s", s);
	return 1;
}

/* The name of a non-template interface block: a Linux name, or an IOS one vpnd can bind. */
static int block_name(struct conf_parser *p, const char *s)
{
	if (!ios_like(s))
		return linux_ifname(p, s);
	if (strncmp(s, "Tunnel", 6) == 0 && s[6] >= '0' && s[6] <= '9') {
		if (cp_vti_name(s))
			return 1;
		cp_error(p, "bad tunnel interface name '%s', expected TunnelN with N from 0 to "
		         "99999", s);
		return 0;
	}
	if (strncmp(s, "Virtual-Access", 14) == 0) {
		cp_error(p, "%s is made by vpnd for each session, expected 'interface "
		         "Virtual-TemplateN type tunnel' to configure it", s);
		return 0;
	}
	if (!cp_ios_iface_name(s)) {
		cp_error(p, "bad interface name '%s', expected a Linux name (eth0) or an IOS name "
		         "(FastEthernet0/0, Loopback0)", s);
		return 0;
	}
	return 1;
}

/* interface NAME [type tunnel] | interface Virtual-TemplateN type tunnel */
void cp_h_interface(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	char name[CONF_NAME_MAX];
	int is_template = 0, type_tunnel = 0, k;
	long long num = 0;
	int j = i + 1;

	if (!cp_need(p, i, "an interface name (eth0) or Virtual-TemplateN type tunnel"))
		return;
	if (strncmp(p->argv[i], TEMPLATE_PREFIX, strlen(TEMPLATE_PREFIX)) == 0) {
		const char *d = p->argv[i] + strlen(TEMPLATE_PREFIX);
		is_template = 1;
		/* IOS also takes "Virtual-Template 1" */
		if (*d == '\0' && j < p->argc && cp_is_number(p->argv[j]))
			d = p->argv[j++];
		if (!cp_is_number(d) || strlen(d) > 4 || (num = atoi(d)) < 1) {
			cp_error(p, "bad template name '%s', expected Virtual-TemplateN with N from 1 to "
			         "9999", p->argv[i]);
			return;
		}
		snprintf(name, sizeof(name), TEMPLATE_PREFIX "%lld", num);
	} else {
		if (!block_name(p, p->argv[i]))
			return;
		snprintf(name, sizeof(name), "%s", p->argv[i]);
	}
	if (j < p->argc && strcmp(p->argv[j], "type") == 0) {
		if (!cp_need(p, j + 1, "tunnel"))
			return;
		if (strcmp(p->argv[j + 1], "tunnel") != 0) {
			cp_error(p, "bad interface type '%s', expected tunnel", p->argv[j + 1]);
			return;
		}
		if (!is_template) {
			cp_error(p, "'type tunnel' is only for Virtual-TemplateN, expected 'interface %s' "
			         "alone", name);
			return;
		}
		type_tunnel = 1;
		j += 2;
	}
	if (!cp_end(p, j))
		return;
	for (k = 0; k < c->niface; k++)
		if (strcmp(c->iface[k].name, name) == 0)
			break;
	if (k == c->niface) {
		if (is_template && !type_tunnel) {
			cp_error(p, "only tunnel templates are supported, expected 'interface %s type "
			         "tunnel'", name);
			return;
		}
		if (k == CONF_MAX_IFACES) {
			cp_error(p, "too many interfaces, expected at most %d", CONF_MAX_IFACES);
			return;
		}
		memset(&c->iface[k], 0, sizeof(c->iface[k]));
		memcpy(c->iface[k].name, name, sizeof(name));
		c->iface[k].is_template = is_template;
		c->iface[k].template_num = (int)num;
		c->iface[k].is_loopback = strncmp(name, "Loopback", 8) == 0;
		c->iface[k].is_vti = cp_vti_name(name);
		c->iface[k].line = p->line;
		c->niface++;
	}
	cp_open(p, CB_IFACE, k);
}

static struct conf_interface *cur_iface(struct conf_parser *p)
{
	return p->iface ? p->iface : &p->conf->iface[p->idx];
}

static void h_description(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);

	if (cp_need(p, i, "a description text"))
		cp_copy_text(p, cp_rest(p, i), "description", ifc->description,
		             sizeof(ifc->description));
}

static void h_ip_address(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);
	struct in_addr a, m;

	if (!cp_need(p, i, "an address and a netmask") || !cp_addr(p, i, "interface address", &a) ||
	    !cp_need(p, i + 1, "a netmask after the address") ||
	    !cp_netmask(p, i + 1, "netmask", &m))
		return;
	if (i + 2 < p->argc && strcmp(p->argv[i + 2], "secondary") == 0) {
		cp_error(p, "secondary addresses are not supported, expected one address per "
		         "interface");
		return;
	}
	if (!cp_end(p, i + 2))
		return;
	ifc->addr = a;
	ifc->mask = m;
	ifc->has_addr = 1;
	ifc->unnumbered[0] = '\0';
}

static void h_no_ip_address(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);

	if (!cp_end(p, i))
		return;
	ifc->has_addr = 0;
	ifc->addr.s_addr = ifc->mask.s_addr = 0;
}

static void h_unnumbered(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);

	if (!cp_need(p, i, "an interface name") || !cp_end(p, i + 1) ||
	    !iface_ref(p, p->argv[i], ifc->unnumbered, sizeof(ifc->unnumbered), 1))
		return;
	ifc->has_addr = 0;
	ifc->addr.s_addr = ifc->mask.s_addr = 0;
}

static void h_mtu(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "an MTU from 68 to 9216") && cp_num(p, i, "MTU", 68, 9216, &n) &&
	    cp_end(p, i + 1))
		cur_iface(p)->mtu = (int)n;
}

static void h_adjust_mss(struct conf_parser *p, int i)
{
	long long n;

	if (cp_need(p, i, "an MSS from 500 to 1460") && cp_num(p, i, "MSS", 500, 1460, &n) &&
	    cp_end(p, i + 1))
		cur_iface(p)->tcp_mss = (int)n;
}

/* ACL NAME in|out at word i into in or out, a reference of kind ref (ip access-group,
 * ipv6 traffic-filter) */
void cp_acl_direction(struct conf_parser *p, int i, const char *what, char *in, char *out,
                      int ref)
{
	char name[CONF_NAME_MAX], expect[80], label[64];
	char *dst;

	snprintf(expect, sizeof(expect), "an %s name then in or out", what);
	snprintf(label, sizeof(label), "%s name", what);
	if (!cp_need(p, i, expect) || !cp_name(p, i, label, name, sizeof(name)) ||
	    !cp_need(p, i + 1, "in or out"))
		return;
	if (strcmp(p->argv[i + 1], "in") == 0) {
		dst = in;
	} else if (strcmp(p->argv[i + 1], "out") == 0) {
		dst = out;
	} else {
		cp_error(p, "bad direction '%s', expected in or out", p->argv[i + 1]);
		return;
	}
	if (!cp_end(p, i + 2))
		return;
	memcpy(dst, name, sizeof(name));
	cp_ref(p, ref, dst);
}

static void h_access_group(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);
	cp_acl_direction(p, i, "access list", ifc->acl_in, ifc->acl_out, REF_ACL);
}

static int need_template(struct conf_parser *p)
{
	if (cur_iface(p)->is_template || cur_iface(p)->is_vti)
		return 1;
	cp_error(p, "'%s' is only for tunnels, expected it under 'interface Virtual-TemplateN "
	         "type tunnel' or 'interface TunnelN'", p->cmd);
	return 0;
}

static void h_tunnel_mode(struct conf_parser *p, int i)
{
	static const char expected[] = "ipsec ipv4 [v6-overlay], ipsec ipv6 [v4-overlay] or ipsec "
	                               "dual-overlay";
	struct conf_interface *ifc;
	int mode = 0, n;

	if (!need_template(p) || !cp_need(p, i, expected))
		return;
	ifc = cur_iface(p);
	for (mode = TUNNEL_IPSEC_IPV4; mode <= TUNNEL_IPSEC_DUAL; mode++) {
		char w[32], *tok, *save = NULL;
		snprintf(w, sizeof(w), "%s", conf_tunnel_mode_words(mode));
		for (n = 0, tok = strtok_r(w, " ", &save); tok; tok = strtok_r(NULL, " ", &save), n++)
			if (i + n >= p->argc || strcmp(p->argv[i + n], tok) != 0)
				break;
		if (!tok && i + n == p->argc)
			break;
	}
	if (mode > TUNNEL_IPSEC_DUAL) {
		cp_error(p, "bad tunnel mode '%s', expected %s", cp_rest(p, i), expected);
		return;
	}
	/* a static VTI dials its IPv4 tunnel destination */
	if (ifc->is_vti && mode != TUNNEL_IPSEC_IPV4) {
		cp_error(p, "interface %s dials an IPv4 destination: expected 'tunnel mode ipsec "
		         "ipv4'", ifc->name);
		return;
	}
	ifc->tunnel_mode_ipsec = mode;
}

const char *conf_tunnel_mode_words(int mode)
{
	switch (mode) {
	case TUNNEL_IPSEC_IPV4:    return "ipsec ipv4";
	case TUNNEL_IPSEC_IPV4_V6: return "ipsec ipv4 v6-overlay";
	case TUNNEL_IPSEC_IPV6:    return "ipsec ipv6";
	case TUNNEL_IPSEC_IPV6_V4: return "ipsec ipv6 v4-overlay";
	case TUNNEL_IPSEC_DUAL:    return "ipsec dual-overlay";
	default:                   return "";
	}
}

int conf_tunnel_takes_peer(const struct conf_interface *t, int v6)
{
	switch (t->tunnel_mode_ipsec) {
	case TUNNEL_IPSEC_IPV4:
	case TUNNEL_IPSEC_IPV6_V4:
		return !v6;
	case TUNNEL_IPSEC_IPV4_V6:
	case TUNNEL_IPSEC_IPV6:
		return v6;
	case TUNNEL_IPSEC_DUAL:
		return 1;
	default:
		return !v6;     /* a template without the line: IPv4, as vpnd always took it */
	}
}

int conf_tunnel_inner6(const struct conf_interface *t)
{
	return t->ipv6_enable || t->tunnel_mode_ipsec == TUNNEL_IPSEC_IPV6 ||
	       t->tunnel_mode_ipsec == TUNNEL_IPSEC_IPV6_V4 ||
	       t->tunnel_mode_ipsec == TUNNEL_IPSEC_DUAL;
}

/* Accepted for IOS compatibility: the outside address is chosen per peer by ikemgr. */
static void h_tunnel_source(struct conf_parser *p, int i)
{
	struct in_addr a;

	if (!need_template(p) || !cp_need(p, i, "an interface name or an address"))
		return;
	if (cur_iface(p)->is_vti) {
		cp_h_tunnel_source(p, i);
		return;
	}
	/* nothing keeps the name: it is checked, not referenced */
	if (inet_pton(AF_INET, p->argv[i], &a) != 1 &&
	    (ios_like(p->argv[i]) ? !block_name(p, p->argv[i]) : !linux_ifname(p, p->argv[i])))
		return;
	cp_end(p, i + 1);
}

static void h_tunnel_protection(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);
	char name[CONF_NAME_MAX];

	if (!need_template(p) || !cp_need(p, i, "ipsec profile NAME"))
		return;
	if (strcmp(p->argv[i], "ipsec") != 0 || i + 1 >= p->argc ||
	    strcmp(p->argv[i + 1], "profile") != 0) {
		cp_error(p, "bad tunnel protection '%s', expected ipsec profile NAME", cp_rest(p, i));
		return;
	}
	if (!cp_need(p, i + 2, "an ipsec profile name") ||
	    !cp_name(p, i + 2, "ipsec profile name", name, sizeof(name)) || !cp_end(p, i + 3))
		return;
	memcpy(ifc->protection, name, sizeof(name));
	cp_ref(p, REF_IPSEC_PROF, ifc->protection);
}

/* physical-interface DEV (vpnd's word, not IOS's): the Linux device an IOS-named interface
 * stands for, when its address does not say it */
static void h_physical(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);

	if (!cp_need(p, i, "a Linux device name (eth0)") || !linux_ifname(p, p->argv[i]) ||
	    !cp_end(p, i + 1))
		return;
	if (ifc->is_template || ifc->is_loopback || ifc->is_vti || !ios_like(ifc->name)) {
		cp_error(p, "physical-interface is for IOS-named interfaces (FastEthernet0/0), "
		         "expected it only under one of those, not under %s", ifc->name);
		return;
	}
	snprintf(ifc->device, sizeof(ifc->device), "%s", p->argv[i]);
	ifc->device_explicit = 1;
}

/* crypto map NAME: one map per interface, as on IOS; its entries are checked after the file */
void cp_h_iface_cmap(struct conf_parser *p, int i)
{
	struct conf_interface *ifc = cur_iface(p);
	char name[CONF_NAME_MAX];

	if (!cp_need(p, i, "a crypto map name") ||
	    !cp_name(p, i, "crypto map name", name, sizeof(name)) || !cp_end(p, i + 1))
		return;
	if (ifc->is_template || ifc->is_loopback) {
		cp_error(p, "a crypto map protects traffic leaving a physical interface, expected "
		         "this line under one, not under %s", ifc->name);
		return;
	}
	if (ifc->crypto_map[0] && strcmp(ifc->crypto_map, name) != 0) {
		cp_error(p, "interface %s already has crypto map %s, expected one crypto map per "
		         "interface", ifc->name, ifc->crypto_map);
		return;
	}
	memcpy(ifc->crypto_map, name, sizeof(name));
	cp_ref(p, REF_CMAP, ifc->crypto_map);
}

static void h_shutdown(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		cur_iface(p)->shutdown = 1;
}

static void h_no_shutdown(struct conf_parser *p, int i)
{
	if (cp_end(p, i))
		cur_iface(p)->shutdown = 0;
}

static const struct cp_kw ip_tcp[] = { FN("adjust-mss", h_adjust_mss), END };
static const struct cp_kw iface_ip[] = {
	FN("address", h_ip_address),
	FN("unnumbered", h_unnumbered),
	FN("mtu", h_mtu),
	SUB("tcp", ip_tcp),
	FN("access-group", h_access_group),
	NOOP("virtual-reassembly"),
	NOOP("route-cache"),
	NOOP("redirects"),
	NOOP("unreachables"),
	NOOP("proxy-arp"),
	END
};
static const struct cp_kw iface_tunnel[] = {
	FN("mode", h_tunnel_mode),
	FN("source", h_tunnel_source),
	FN("protection", h_tunnel_protection),
	FN("destination", cp_h_tunnel_destination),
	END
};
static const struct cp_kw iface_no_ip[] = {
	FN("address", h_no_ip_address),
	NOOP("virtual-reassembly"),
	NOOP("route-cache"),
	NOOP("mroute-cache"),
	NOOP("redirects"),
	NOOP("unreachables"),
	NOOP("proxy-arp"),
	END
};
static const struct cp_kw iface_no[] = {
	FN("shutdown", h_no_shutdown),
	SUB("ip", iface_no_ip),
	NOOP("mop"),
	NOOP("cdp"),
	NOOP("keepalive"),
	END
};

const struct cp_kw cp_iface_cmds[] = {
	FN("description", h_description),
	SUB("ip", iface_ip),
	SUB("tunnel", iface_tunnel),
	FN("shutdown", h_shutdown),
	SUB("no", iface_no),
	SUB("ipv6", cp_ipv6_iface),
	FN("physical-interface", h_physical),
	SUB("crypto", cp_iface_crypto),
	NOOP("duplex"),
	NOOP("speed"),
	NOOP("media-type"),
	NOOP("negotiation"),
	NOOP("load-interval"),
	END
};

/* ip local pool NAME START [END] */
void cp_h_local_pool(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	struct conf_pool pool;
	int j = i + 2;

	memset(&pool, 0, sizeof(pool));
	pool.line = p->line;
	if (!cp_need(p, i, "a pool name, a first and a last address") ||
	    !cp_name(p, i, "pool name", pool.name, sizeof(pool.name)) ||
	    !cp_need(p, i + 1, "the first address of the range") ||
	    !cp_addr(p, i + 1, "first pool address", &pool.start))
		return;
	pool.end = pool.start;
	if (j < p->argc) {
		if (!cp_addr(p, j, "last pool address", &pool.end))
			return;
		j++;
	}
	if (!cp_end(p, j))
		return;
	if (ntohl(pool.start.s_addr) > ntohl(pool.end.s_addr)) {
		cp_error(p, "pool range %s %s runs backwards, expected the first address then the "
		         "last", p->argv[i + 1], p->argv[i + 2]);
		return;
	}
	for (int k = 0; k < c->npool; k++) {
		if (strcmp(c->pool[k].name, pool.name) == 0) {
			cp_error(p, "pool '%s' is already defined at line %d, expected one range per "
			         "pool", pool.name, c->pool[k].line);
			return;
		}
	}
	if (c->npool == CONF_MAX_POOLS) {
		cp_error(p, "too many pools, expected at most %d", CONF_MAX_POOLS);
		return;
	}
	c->pool[c->npool++] = pool;
}

/* ip route PREFIX MASK NEXTHOP | ip route PREFIX MASK IFNAME [NEXTHOP] */
void cp_h_route(struct conf_parser *p, int i)
{
	struct vpnd_conf *c = p->conf;
	struct conf_route r;
	int j = i + 2;

	memset(&r, 0, sizeof(r));
	r.line = p->line;
	if (!cp_need(p, i, "a prefix, a netmask and a next hop or interface") ||
	    !cp_addr(p, i, "route prefix", &r.prefix) ||
	    !cp_need(p, i + 1, "a netmask after the prefix") ||
	    !cp_netmask(p, i + 1, "route netmask", &r.mask) ||
	    !cp_need(p, j, "a next-hop address or an interface name"))
		return;
	if (r.prefix.s_addr & ~r.mask.s_addr) {
		struct in_addr net = { .s_addr = r.prefix.s_addr & r.mask.s_addr };
		char buf[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &net, buf, sizeof(buf));
		cp_error(p, "prefix %s has bits outside netmask %s, expected %s", p->argv[i],
		         p->argv[i + 1], buf);
		return;
	}
	if (inet_pton(AF_INET, p->argv[j], &r.nexthop) != 1) {
		/* r is a copy: the reference is taken once it is in place */
		if (!iface_ref(p, p->argv[j], r.ifname, sizeof(r.ifname), 0))
			return;
		j++;
		if (j < p->argc) {
			if (!cp_addr(p, j, "next-hop address", &r.nexthop))
				return;
			j++;
		}
	} else {
		j++;
	}
	if (!cp_end(p, j))
		return;
	if (c->nroute == CONF_MAX_ROUTES) {
		cp_error(p, "too many routes, expected at most %d", CONF_MAX_ROUTES);
		return;
	}
	c->route[c->nroute] = r;
	if (cp_ios_iface_name(r.ifname))
		cp_ref(p, REF_IFACE, c->route[c->nroute].ifname);
	c->nroute++;
}

/* What an interface line may set on one session's virtual-access interface (RADIUS
 * ip:interface-config): the words after "ip", and after "ipv6". The rest (addresses, tunnel)
 * belong to the template. */
static const char *const session_cmds[] = { "mtu", "tcp", "access-group" };
static const char *const session_cmds6[] = { "traffic-filter" };

static void line_diag(void *arg, int is_error, const char *msg)
{
	char **why = arg;
	if (is_error && !(*why)[0]) {
		/* "NAME:LINE: error: text": keep the text */
		const char *t = strstr(msg, "error: ");
		snprintf(*why, 160, "%s", t ? t + 7 : msg);
	}
}

int conf_iface_line(const struct vpnd_conf *conf, struct conf_interface *ifc, const char *line,
                    char *why, size_t whylen)
{
	struct conf_parser *p = calloc(1, sizeof(*p));
	/* the line works on a copy: one refused after its handler ran changes nothing */
	struct conf_interface *tmp = malloc(sizeof(*tmp));
	char msg[160] = "", *mp = msg;
	int rc = -1;

	why[0] = 0;
	if (!p || !tmp) {
		snprintf(why, whylen, "out of memory");
		free(p);
		free(tmp);
		return -1;
	}
	*tmp = *ifc;
	size_t n = strnlen(line, CP_LINE_MAX);
	if (n == CP_LINE_MAX) {
		snprintf(why, whylen, "line too long");
		goto out;
	}
	p->conf = (struct vpnd_conf *)conf;     /* handlers only read it through p->iface */
	p->name = "ip:interface-config";
	p->diag = line_diag;
	p->arg = &mp;
	p->iface = tmp;
	p->block = CB_IFACE;
	memcpy(p->raw, line, n);
	p->raw[n] = 0;
	if (tokenize_line(p) <= 0) {
		snprintf(why, whylen, "%s", msg[0] ? msg : "empty line");
		goto out;
	}
	int v6 = p->argc >= 2 && !strcmp(p->argv[0], "ipv6");
	int ok = p->argc >= 2 && (v6 || !strcmp(p->argv[0], "ip"));
	const char *const *cmds = v6 ? session_cmds6 : session_cmds;
	size_t ncmds = v6 ? sizeof(session_cmds6) / sizeof(session_cmds6[0])
	                  : sizeof(session_cmds) / sizeof(session_cmds[0]);
	for (size_t k = 0; ok && k < ncmds; k++)
		if (!strcmp(p->argv[1], cmds[k]))
			ok = 2;
	if (ok != 2) {
		snprintf(why, whylen, "'%s' cannot be applied to a virtual-access interface, expected "
		         "ip mtu, ip tcp adjust-mss, ip access-group or ipv6 traffic-filter", p->cmd);
		goto out;
	}
	cp_dispatch(p, cp_iface_cmds, 0);
	if (p->nerr) {
		snprintf(why, whylen, "%s", msg);
		goto out;
	}
	const char *acl = !strcmp(p->argv[1], "access-group") ? p->argv[2] : NULL;
	if (acl && !conf_find_acl(conf, acl)) {
		snprintf(why, whylen, "access list '%s' is not configured here", acl);
		goto out;
	}
	acl = v6 ? p->argv[2] : NULL;
	if (acl && !conf_find_acl6(conf, acl)) {
		snprintf(why, whylen, "ipv6 access list '%s' is not configured here", acl);
		goto out;
	}
	*ifc = *tmp;
	rc = 0;
out:
	free(p->refs);
	free(p);
	free(tmp);
	return rc;
}
