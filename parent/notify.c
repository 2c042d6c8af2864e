/*
 * What systemd (Type=notify, sd_notify(3)) is told: READY=1 once every child has said it is
 * ready, RELOADING=1 while a reload runs (then READY=1 again), STOPPING=1 when the shutdown
 * starts. Outside systemd NOTIFY_SOCKET is unset and sd_notify() does nothing.
 */
#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "parent/parent.h"

static void say(const char *what)
{
	int r = sd_notify(0, what);
	if (r < 0)
		log_warnx("cannot tell the service manager %s (%d)", what, r);
}

void notify_ready(void)     { say("READY=1\nSTATUS=running"); }
void notify_reloading(void) { say("RELOADING=1\nSTATUS=reloading the configuration"); }
void notify_stopping(void)  { say("STOPPING=1\nSTATUS=stopping"); }
