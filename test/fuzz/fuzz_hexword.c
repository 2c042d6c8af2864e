// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_hexword.c common/hexword.c parent/ctl_check.c -o fuzz_hexword
/*
 * The operator's XAUTH answer on its way in: control decodes the hex words of the command
 * line (common/hexword.c) into the struct the parent checks by its name alone
 * (ctl_ezx_check). Any word must decode into a terminated string of non-NUL bytes inside its
 * field, or be refused; what decodes encodes back to the same word (lowercase); the parent's
 * check reads nothing past the struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hexword.h"
#include "parent/ctl_check.h"

static void must(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_ez_xauth_answer *a = malloc(sizeof(*a));
	char *word = malloc(size + 1), again[2 * MSG_PASS_MAX];

	if (a == NULL || word == NULL) {
		free(a);
		free(word);
		return 0;
	}
	memcpy(word, data, size);
	word[size] = '\0';
	memset(a, 0x5a, sizeof(*a));
	if (hexword_decode(word, a->password, sizeof(a->password)) == 0) {
		size_t n = strlen(a->password);
		must(n < sizeof(a->password));
		must(hexword_encode(a->password, again, sizeof(again)) == 0);
		for (size_t k = 0; word[k]; k++)
			if (word[k] >= 'A' && word[k] <= 'F')
				word[k] = (char)(word[k] - 'A' + 'a');
		must(strcmp(again, word) == 0);
	}
	memcpy(a, data, size < sizeof(*a) ? size : sizeof(*a));
	if (ctl_ezx_check(a) == 0)
		must(memchr(a->ezvpn, 0, sizeof(a->ezvpn)) != NULL && a->ezvpn[0] != '\0');
	free(a);
	free(word);
	return 0;
}
