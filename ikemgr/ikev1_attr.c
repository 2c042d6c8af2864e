#include <string.h>
#include <arpa/inet.h>

#include "ikemgr/ikev1_attr.h"

void attr_init(struct attr_buf *a, uint8_t cfg_type, uint16_t identifier)
{
	a->len = 0;
	a->overflow = 0;
	a->data[0] = cfg_type;
	a->data[1] = 0;
	a->data[2] = (uint8_t)(identifier >> 8);
	a->data[3] = (uint8_t)identifier;
	a->len = 4;
}

void attr_tv(struct attr_buf *a, uint16_t type, uint16_t value)
{
	if (a->len + 4 > sizeof(a->data)) {
		a->overflow = 1;
		return;
	}
	uint16_t t = htons(type | 0x8000), v = htons(value);
	memcpy(a->data + a->len, &t, 2);
	memcpy(a->data + a->len + 2, &v, 2);
	a->len += 4;
}

void attr_tlv(struct attr_buf *a, uint16_t type, const void *data, size_t len)
{
	if (len > 0xffff || a->len + 4 + len > sizeof(a->data)) {
		a->overflow = 1;
		return;
	}
	uint16_t t = htons(type & 0x7fff), l = htons((uint16_t)len);
	memcpy(a->data + a->len, &t, 2);
	memcpy(a->data + a->len + 2, &l, 2);
	if (len)
		memcpy(a->data + a->len + 4, data, len);
	a->len += 4 + len;
}

int attr_next(struct attr_it *it, struct attr_val *v)
{
	if (it->p == it->end)
		return 0;
	if (it->end - it->p < 4)
		return -1;
	uint16_t t = (uint16_t)(it->p[0] << 8 | it->p[1]);
	uint16_t w = (uint16_t)(it->p[2] << 8 | it->p[3]);
	v->type = t & 0x7fff;
	v->tv = !!(t & 0x8000);
	if (v->tv) {
		v->value = w;
		v->data = NULL;
		v->len = 0;
		it->p += 4;
		return 1;
	}
	if ((size_t)(it->end - it->p - 4) < w)
		return -1;
	v->value = 0;
	v->data = it->p + 4;
	v->len = w;
	it->p += 4 + w;
	return 1;
}
