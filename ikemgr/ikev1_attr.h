/* Building Mode Config / XAUTH attribute lists (draft-dukes-ike-mode-cfg-02 3.2). */
#ifndef VPND_IKEV1_ATTR_H
#define VPND_IKEV1_ATTR_H

#include <stdint.h>
#include <stddef.h>

struct attr_buf {
	uint8_t data[4096];
	size_t  len;
	int     overflow;
};

void attr_init(struct attr_buf *, uint8_t cfg_type, uint16_t identifier);
void attr_tv(struct attr_buf *, uint16_t type, uint16_t value);
void attr_tlv(struct attr_buf *, uint16_t type, const void *data, size_t len);



/* Walk an attribute list. Returns 1 with an attribute, 0 at the end, -1 if malformed. */
struct attr_it {
	const uint8_t *p, *end;
};
struct attr_val {
	uint16_t       type;     /* without the AF bit */
	int            tv;
	uint16_t       value;    /* TV only */
	const uint8_t *data;     /* TLV only */
	uint16_t       len;
};
int attr_next(struct attr_it *, struct attr_val *);
#endif
