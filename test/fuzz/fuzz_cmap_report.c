// clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE test/fuzz/fuzz_cmap_report.c parent/cmap_check.c -o fuzz_cmap_report
/*
 * The parent's check of tunmgr's crypto map SA reports (parent/cmap_check.c): any bytes as
 * IMSG_CM_SA_UP or IMSG_CM_SA_DOWN. What it accepts must be what the store and show output
 * rely on: a crypto map's session id, strings terminated and printable.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "parent/ezvpn.h"

static void printable(const char *s, size_t size)
{
	size_t n = strnlen(s, size);
	assert(n < size);
	for (size_t i = 0; i < n; i++)
		assert(s[i] >= 0x20 && s[i] <= 0x7e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		struct msg_cm_sa u;
		memset(&u, 0, sizeof(u));
		memcpy(&u, data + 1, size - 1 < sizeof(u) ? size - 1 : sizeof(u));
		if (cm_sa_check(&u) == NULL) {
			assert(u.sa.session_id - MSG_CM_SESSION_BASE < CONF_MAX_CMAPS);
			assert(u.seq >= 1 && u.seq <= 65535 && u.map[0] && u.sa.ifname[0]);
			printable(u.map, sizeof(u.map));
			printable(u.iface, sizeof(u.iface));
			printable(u.sa.ifname, sizeof(u.sa.ifname));
			printable(u.sa.transform, sizeof(u.sa.transform));
		}
	} else {
		struct msg_ipsec_sa_down d;
		memset(&d, 0, sizeof(d));
		memcpy(&d, data + 1, size - 1 < sizeof(d) ? size - 1 : sizeof(d));
		if (cm_sa_down_check(&d) == NULL) {
			assert(d.session_id - MSG_CM_SESSION_BASE < CONF_MAX_CMAPS);
			printable(d.reason, sizeof(d.reason));
		}
	}
	return 0;
}
