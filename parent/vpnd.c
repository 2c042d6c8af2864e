/*
 * vpnd: the parent process, and the entry point of the re-executed children (-X ROLE).
 *
 *   vpnd [-d] [-D] [-n] -f FILE [-S DIR]
 *
 * In the foreground (the default) lines go to stderr; -D detaches (double fork, setsid,
 * stdio on /dev/null, DIR/vpnd.pid) and logs to syslog; under systemd (JOURNAL_STREAM set)
 * lines go to the journal with their fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/sandbox.h"
#include "db/db.h"
#include "common/ossl_legacy.h"
#include "parent/forwarding.h"
#include "parent/parent.h"
#include "control/ctlproc.h"

/* the state directory (database, control socket): persistent, as session history is */
#ifndef STATEDIR
#define STATEDIR "/var/lib/vpnd"   /* what configure gives with --localstatedir=/var */
#endif
#define DEFAULT_RUNDIR STATEDIR

static void usage(void)
{
	fprintf(stderr, "usage: vpnd [-d] [-D] [-n] -f FILE [-S DIR]\n");
	exit(2);
}

static void diag_stderr(void *arg, int is_error, const char *msg)
{
	fprintf(stderr, "%s\n", msg);
}

/* Internal: "vpnd -X ROLE [-d]", exec'd by the parent with the channel on fd 3. */
static int child_entry(const char *rolename, int debug)
{
	static int (*const mains[])(struct proc_boot *) = {
		[ROLE_IKEMGR] = ikemgr_main,
		[ROLE_KEYMGR] = keymgr_main,
		[ROLE_TUNMGR] = tunmgr_main,
		[ROLE_CONTROL] = control_main,
	};
	int role = proc_role_from_name(rolename);
	struct proc_boot b;
	struct stat st;

	if (role < 0) {
		fprintf(stderr, "vpnd: unknown role %s\n", rolename);
		return 2;
	}
	log_init(proc_role_name(role), debug);
	/* stderr is the parent's pipe (parent/logrelay.c); fd 4 its stderr, for when it is gone */
	log_relay(fstat(4, &st) == 0 ? 4 : -1);
	if (fstat(3, &st) == -1 || !S_ISSOCK(st.st_mode))
		fatalx("-X is internal to vpnd: fd 3 must be the parent's channel");
	/* Providers are modules read from disk: load them before the chroot (single DES). */
	if ((role == ROLE_IKEMGR || role == ROLE_TUNMGR) && ossl_legacy_load() < 0)
		log_warnx("single DES unavailable (OpenSSL legacy provider)");
	if (role == ROLE_CONTROL)
		proc_predrop = control_predrop;
	proc_bootstrap(role, 3, debug, &b);
	return mains[role](&b);
}

static int check_only(const char *file)
{
	struct vpnd_conf *conf = malloc(sizeof(*conf));
	int errors;

	if (conf == NULL) {
		perror("vpnd");
		return 1;
	}
	errors = conf_load(file, conf, diag_stderr, NULL);
	if (errors == 0)
		errors = iface_bind(conf, diag_stderr, NULL);
	explicit_bzero(conf, sizeof(*conf));
	free(conf);
	return errors > 0 ? 1 : 0;
}

/* mkdir -p, the last component private to root. */
static int make_rundir(const char *dir)
{
	char tmp[PATH_MAX];
	struct stat st;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *s = tmp + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
		return -1;
	if (stat(tmp, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/*
 * -D: the launcher returns once the configuration has loaded (its errors went to the
 * terminal); the daemon is a session leader's child, so it never gets a controlling tty.
 */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		return -1;
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1 || (fd = open("/dev/null", O_RDWR)) == -1)
		return -1;
	for (int i = 0; i <= 2; i++)
		if (dup2(fd, i) == -1)
			return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

static void write_pidfile(struct parent *p)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vpnd.pid", p->rundir);
	if ((f = fopen(path, "w")) == NULL || fprintf(f, "%d\n", (int)getpid()) < 0 ||
	    fclose(f) != 0) {
		log_warn("%s", path);
		return;
	}
	p->pidfile = 1;
}

static void remove_pidfile(struct parent *p)
{
	char path[PATH_MAX + 16];

	if (!p->pidfile)
		return;
	snprintf(path, sizeof(path), "%s/vpnd.pid", p->rundir);
	if (unlink(path) == -1)
		log_warn("%s", path);
}

static void free_parent(struct parent *p)
{
	free(p->acct);
	p->acct = NULL;
	if (p->conf != NULL) {
		explicit_bzero(p->conf, sizeof(*p->conf));
		free(p->conf);
	}
	p->conf = NULL;
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/*
 * Once the children are exec'd (a filter survives fork and exec, so before that it would bind
 * them too): the state directory read-write, the configuration's and the trust point files'
 * directories read-only (a reload re-reads them), signals to the children only.
 */
static void parent_sandbox(struct parent *p)
{
	static char dirs[1 + 4 * CONF_MAX_TRUSTPOINTS][PATH_MAX];
	static const char *ro[1 + 4 * CONF_MAX_TRUSTPOINTS + 1];
	const char *rw[] = { p->rundir, NULL };
	pid_t pids[ROLE_LAST + 1] = { 0 };
	struct sandbox_paths sp = { .ro = ro, .rw = rw, .children = pids };
	int n = 0;

	for (int i = -1; i < p->conf->ntrustpoint; i++) {
		const struct conf_trustpoint *tp = i >= 0 ? &p->conf->trustpoint[i] : NULL;
		const char *files[4] = { p->conf_file, NULL, NULL, NULL };

		if (tp != NULL) {
			files[0] = tp->ca_file;
			files[1] = tp->cert_file;
			files[2] = tp->key_file;
			files[3] = tp->crl_file;
		}
		for (int f = 0; f < 4; f++) {
			if (files[f] == NULL || files[f][0] == '\0')
				continue;
			snprintf(dirs[n], sizeof(dirs[n]), "%s", files[f]);
			ro[n] = dirname(dirs[n]);
			n++;
		}
	}
	ro[n] = NULL;
	for (int r = ROLE_IKEMGR, k = 0; r <= ROLE_LAST; r++)
		if (p->child[r].pid > 0)
			pids[k++] = p->child[r].pid;
	sandbox_limits(ROLE_PARENT);
	sandbox_enter(ROLE_PARENT, &sp);
}

static int run_parent(struct parent *p)
{
	char dbpath[PATH_MAX + 16];
	int n;

	log_init("vpnd", p->debug);
	if (geteuid() != 0) {
		fprintf(stderr, "vpnd: must run as root\n");
		return 1;
	}
	p->conf = malloc(sizeof(*p->conf));
	if (p->conf == NULL)
		fatal("malloc");
	if (conf_load(p->conf_file, p->conf, diag_stderr, NULL) > 0 ||
	    iface_bind(p->conf, diag_stderr, NULL) > 0) {
		free_parent(p);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (p->daemon && daemonize() == -1)
		fatal("cannot become a daemon");
	logsink_open(p, p->daemon ? LOGSINK_SYSLOG :
	             getenv("JOURNAL_STREAM") != NULL ? LOGSINK_JOURNAL : LOGSINK_CONSOLE);
	logsink_configure(&p->conf->logging, p->conf->hostname);

	if (make_rundir(p->rundir) == -1)
		fatal("%s", p->rundir);
	if (p->daemon)
		write_pidfile(p);
	snprintf(dbpath, sizeof(dbpath), "%s/vpnd.db", p->rundir);
	p->db = db_open(dbpath);
	if (p->db == NULL)
		fatalx("cannot open the session store %s", dbpath);
	p->conf->run_id = db_run_id(p->db);
	acct_recover(p);
	n = db_close_stale(p->db, "crash");
	if (n < 0)
		log_warnx("could not close the sessions left by a previous run");
	else
		log_info("closed %d stale session%s", n, n == 1 ? "" : "s");
	ezvpn_reset(p);
	if (privsep_ensure_users() == -1)
		fatalx("the system users are not usable");
	iface_check(p->conf);
	forwarding_apply(FORWARDING_PROC, p->conf);
	if (sockets_open(p->socks) == -1)
		fatalx("cannot open the IKE and ESP sockets");
	if (sockets_open_dynauth(p->socks, p->conf) == -1)
		fatalx("cannot open UDP port %u for dynamic-author", p->conf->dynauth.port);
	if (sockets_open_metrics(p->socks, p->conf) == -1)
		fatalx("cannot serve metrics (ip http server)");

	if (uv_loop_init(&p->loop) != 0)
		fatalx("uv_loop_init");
	if (acct_init(p) == -1)
		fatalx("accounting timers");
	if (logsink_start(&p->loop) == -1)
		fatalx("cannot watch the log socket");
	/* before the children exist: a second vpnd must stop here */
	if (control_open(p) == -1)
		fatalx("control socket");
	if (spawn_children(p) == -1) {
		control_close(p);
		fatalx("could not start the children");
	}
	if (supervise_start(p) == -1) {
		kill_children(p, SIGKILL);
		control_close(p);
		fatalx("could not watch the children");
	}
	parent_sandbox(p);

	uv_run(&p->loop, UV_RUN_DEFAULT);

	/* whatever finish() left open, for a clean loop close (and a quiet LeakSanitizer) */
	uv_walk(&p->loop, close_walk_cb, NULL);
	uv_run(&p->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&p->loop) != 0)
		log_debug("loop still busy at exit");
	remove_pidfile(p);
	logsession_free();
	logsink_stop();
	free_parent(p);
	return p->exit_code;
}

int main(int argc, char **argv)
{
	static struct parent parent;
	const char *file = NULL, *rundir = DEFAULT_RUNDIR, *role = NULL;
	int ch, debug = 0, check = 0, daemon = 0;

	while ((ch = getopt(argc, argv, "dDnf:S:X:")) != -1) {
		switch (ch) {
		case 'd': debug = 1; break;
		case 'D': daemon = 1; break;
		case 'n': check = 1; break;
		case 'f': file = optarg; break;
		case 'S': rundir = optarg; break;
		case 'X': role = optarg; break;
		default:  usage();
		}
	}
	if (optind != argc)
		usage();
	if (role != NULL)
		return child_entry(role, debug);
	if (file == NULL)
		usage();
	if (check)
		return check_only(file);

	if (snprintf(parent.rundir, sizeof(parent.rundir), "%s", rundir) >=
	    (int)sizeof(parent.rundir)) {
		fprintf(stderr, "vpnd: %s: path too long\n", rundir);
		return 1;
	}
	parent.conf_file = file;
	parent.debug = debug;
	parent.daemon = daemon;
	parent.ctl_fd = -1;
	for (int i = 0; i < PROC_NSOCK; i++)
		parent.socks[i] = -1;
	return run_parent(&parent);
}
