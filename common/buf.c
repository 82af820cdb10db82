/*
 * buf — bounds-checked reader and writer (see buf.h).
 *
 * Every accessor checks the remaining length first; a failure poisons the
 * reader (left = 0, err = true) so later reads keep failing and a parser
 * only needs one rd_ok() at the end.
 */
#include "buf.h"

#include <string.h>

static bool rd_need(struct rd *r, size_t n)
{
	if (r->err || r->left < n) {
		r->err = true;
		r->left = 0;
		return false;
	}
	return true;
}

uint8_t rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	uint8_t v = r->p[0];
	r->p++;
	r->left--;
	return v;
}

uint16_t rd_u16(struct rd *r)
{
	if (!rd_need(r, 2))
		return 0;
	uint16_t v = be16_get(r->p);
	r->p += 2;
	r->left -= 2;
	return v;
}

uint32_t rd_u32(struct rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
		     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return v;
}

void rd_bytes(struct rd *r, void *dst, size_t n)
{
	const uint8_t *src = rd_ptr(r, n);
	if (src)
		memcpy(dst, src, n);
	else if (n)
		memset(dst, 0, n);
}

const uint8_t *rd_ptr(struct rd *r, size_t n)
{
	if (!rd_need(r, n))
		return NULL;
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

void rd_skip(struct rd *r, size_t n)
{
	(void)rd_ptr(r, n);
}

struct rd rd_sub(struct rd *r, size_t n)
{
	const uint8_t *p = rd_ptr(r, n);
	if (!p)
		return (struct rd){ .p = NULL, .left = 0, .err = true };
	return rd_init(p, n);
}

struct rd rd_rest(struct rd *r)
{
	struct rd sub = *r;
	r->p += r->left;
	r->left = 0;
	return sub;
}

static uint8_t *wr_need(struct wr *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return NULL;
	}
	uint8_t *p = w->base + w->len;
	w->len += n;
	return p;
}

void wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *p = wr_need(w, 1);
	if (p)
		p[0] = v;
}

void wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *p = wr_need(w, 2);
	if (p)
		be16_put(p, v);
}

void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *p = wr_need(w, 4);
	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_need(w, n);
	if (p && n)
		memcpy(p, src, n);
}

void wr_zero(struct wr *w, size_t n)
{
	uint8_t *p = wr_need(w, n);
	if (p && n)
		memset(p, 0, n);
}

uint8_t *wr_reserve(struct wr *w, size_t n)
{
	uint8_t *p = wr_need(w, n);
	if (p && n)
		memset(p, 0, n);
	return p;
}
