/*
 * Configuration reload (SIGHUP, `vpnctl reload`): the file is parsed again; with any error
 * the running configuration stays and the first error is reported. Otherwise every child
 * gets the new configuration (ikemgr and tunmgr redacted) and applies it in place: sessions
 * whose isakmp profile, group and virtual template still exist keep running, the others are
 * cleared with reason "reload". Sockets and the state directory do not change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "parent/forwarding.h"
#include "parent/parent.h"

struct first_error {
	char msg[512];
	int  errors, warnings;
};

static void diag(void *arg, int is_error, const char *msg)
{
	struct first_error *f = arg;
	if (is_error) {
		if (!f->errors++)
			snprintf(f->msg, sizeof(f->msg), "%s", msg);
		log_warnx("reload: %s", msg);
	} else {
		f->warnings++;
	}
}

int parent_reload(struct parent *p, char *why, size_t whylen)
{
	struct first_error f;
	struct vpnd_conf *c = malloc(sizeof(*c)), *red = malloc(sizeof(*red));
	int rc = -1;

	memset(&f, 0, sizeof(f));
	notify_reloading();
	if (!c || !red) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (conf_load(p->conf_file, c, diag, &f) > 0 || iface_bind(c, diag, &f) > 0) {
		snprintf(why, whylen, "%s%s", f.msg,
		         f.errors > 1 ? " (and more, see the log)" : "");
		log_warnx("reload of %s refused: %d error%s, the running configuration stays",
		          p->conf_file, f.errors, f.errors == 1 ? "" : "s");
		goto out;
	}
	c->run_id = p->conf->run_id;
	/* the metrics socket was bound at start (sockets do not change, see above) */
	if (c->http_server != p->conf->http_server || c->http_port != p->conf->http_port ||
	    c->http_addr.s_addr != p->conf->http_addr.s_addr)
		log_warnx("reload: ip http server settings take effect at the next start");
	memcpy(red, c, sizeof(*red));
	conf_redact(red);
	for (int r = ROLE_IKEMGR; r <= ROLE_LAST; r++) {
		struct child *ch = &p->child[r];
		const struct vpnd_conf *send = r == ROLE_KEYMGR ? c : red;
		if (!ch->ib_open || imsg_compose(&ch->ib, IMSG_RELOAD, 0, -1, send, sizeof(*send)) == -1) {
			snprintf(why, whylen, "cannot reach %s", ch->name);
			goto out;
		}
	}
	memcpy(p->conf, c, sizeof(*p->conf));
	logsink_configure(&p->conf->logging, p->conf->hostname);
	forwarding_apply(FORWARDING_PROC, p->conf);
	history_kick(p);
	ezvpn_reloaded(p);
	log_info("configuration reloaded from %s (%d warning%s)", p->conf_file, f.warnings,
	         f.warnings == 1 ? "" : "s");
	snprintf(why, whylen, "reloaded %s", p->conf_file);
	rc = 0;
out:
	/* READY again whatever came of it: a refused reload leaves the old configuration running */
	notify_ready();
	if (c) {
		explicit_bzero(c, sizeof(*c));
		free(c);
	}
	free(red);
	return rc;
}
