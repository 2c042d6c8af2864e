/* The host's IP forwarding, from ip routing / ipv6 unicast-routing (forwarding.c). */
#ifndef VPND_PARENT_FORWARDING_H
#define VPND_PARENT_FORWARDING_H

#include "common/conf.h"

#define FORWARDING_PROC "/proc/sys/net"

/*
 * At start and at each reload: raise what the configuration asks for under procnet (the
 * network namespace's /proc/sys/net, FORWARDING_PROC but in the unit test), warn about what it
 * leaves off that the templates need. Never lowers anything, never fails: a /proc that cannot
 * be read or written is one warning per family.
 */
void forwarding_apply(const char *procnet, const struct vpnd_conf *c);

#endif
