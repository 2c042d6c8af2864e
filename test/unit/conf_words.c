/*
 * Prints every keyword path the configuration parser accepts, one a line:
 * BLOCK<TAB>PATH<TAB>noop|-. test_man.sh checks each against vpnd.conf(5).
 */
#include <stdio.h>

#include "common/conf.h"

static void print(const char *block, const char *path, int noop, void *arg)
{
	printf("%s\t%s\t%s\n", block, path, noop ? "noop" : "-");
}

int main(void)
{
	conf_keywords(print, NULL);
	return fflush(stdout) == 0 ? 0 : 1;
}
