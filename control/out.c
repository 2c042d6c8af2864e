/*
 * What the show commands share around control_printf: the --json flag, and answers written to
 * a FILE (the JSON writer's and the formatters' interface) then sent as one text.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"

int control_take_json(int *argc, char **argv)
{
	int json = 0, n = 0;

	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			argv[n++] = argv[i];
	}
	*argc = n;
	return json;
}

FILE *control_out_open(struct control_conn *cc, struct control_out *o)
{
	o->buf = NULL;
	o->len = 0;
	if ((o->f = open_memstream(&o->buf, &o->len)) == NULL)
		control_printf(cc, "%% out of memory\n");
	return o->f;
}

void control_out_send(struct control_conn *cc, struct control_out *o)
{
	if (fclose(o->f) != 0)
		control_printf(cc, "%% out of memory\n");
	else if (o->len > INT_MAX)
		control_printf(cc, "%% answer too long\n");
	else
		control_printf(cc, "%.*s", (int)o->len, o->buf);
	free(o->buf);
	o->f = NULL;
	o->buf = NULL;
}

struct jw *control_json_begin(struct control_conn *cc, struct control_json *j)
{
	if (control_out_open(cc, &j->o) == NULL)
		return NULL;
	jw_init(&j->w, j->o.f);
	jw_obj(&j->w, NULL);
	return &j->w;
}

void control_json_end(struct control_conn *cc, struct control_json *j)
{
	jw_obj_end(&j->w);
	control_out_send(cc, &j->o);
}
