/* RADIUS left out of a fuzz target (no_radius.c) */
#ifndef VPND_NO_RADIUS_H
#define VPND_NO_RADIUS_H
void no_radius_init(void);
#endif
