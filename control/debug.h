/* debug crypto ... on the control socket (control/debug.c). */
#ifndef VPND_PARENT_DEBUG_H
#define VPND_PARENT_DEBUG_H

struct control_conn;
void debug_cmd_debug_crypto(struct control_conn *, int argc, char **argv);
void debug_cmd_no_debug_crypto(struct control_conn *, int argc, char **argv);
void debug_cmd_undebug_all(struct control_conn *, int argc, char **argv);
void debug_cmd_show_debugging(struct control_conn *, int argc, char **argv);
void debug_cmd_show_condition(struct control_conn *, int argc, char **argv);

#endif
