/*
 * buf — the one bounds-checked reader and writer every packet goes through.
 *
 * A reader hands out bytes in network order until it runs dry; a read past
 * the end returns 0 and sets a sticky error flag, so a parser reads like the
 * RFC's field list and checks rd_ok() once at the end.  rd_sub() carves out
 * a nested reader over the next n bytes (an option, an RDATA, an ICMP quote)
 * so an inner parser can never read past its own field.
 *
 * The writer is the mirror image: appends in network order, never past its
 * capacity, sticky error on overflow.
 */
#ifndef ND_BUF_H
#define ND_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t left;
	bool err;
};

struct wr {
	uint8_t *base;
	size_t cap;
	size_t len;
	bool err;
};

static inline struct rd rd_init(const void *p, size_t n)
{
	return (struct rd){ .p = p, .left = p ? n : 0, .err = false };
}

static inline bool rd_ok(const struct rd *r) { return !r->err; }
static inline size_t rd_left(const struct rd *r) { return r->left; }
/* Pointer to the unread bytes (valid for rd_left() bytes). */
static inline const uint8_t *rd_peek(const struct rd *r) { return r->p; }

uint8_t rd_u8(struct rd *r);
uint16_t rd_u16(struct rd *r);
uint32_t rd_u32(struct rd *r);
/* Copy n bytes out; on a short buffer dst is zeroed and err set. */
void rd_bytes(struct rd *r, void *dst, size_t n);
/* Borrow n bytes in place; NULL (and err) when fewer remain. */
const uint8_t *rd_ptr(struct rd *r, size_t n);
void rd_skip(struct rd *r, size_t n);
/* A reader over the next n bytes; the parent advances past them.  When
 * fewer than n remain both readers are marked bad. */
struct rd rd_sub(struct rd *r, size_t n);
/* A reader over everything left (the parent is left empty). */
struct rd rd_rest(struct rd *r);

static inline struct wr wr_init(void *p, size_t cap)
{
	return (struct wr){ .base = p, .cap = cap, .len = 0, .err = false };
}

static inline bool wr_ok(const struct wr *w) { return !w->err; }
static inline size_t wr_len(const struct wr *w) { return w->len; }

void wr_u8(struct wr *w, uint8_t v);
void wr_u16(struct wr *w, uint16_t v);
void wr_u32(struct wr *w, uint32_t v);
void wr_bytes(struct wr *w, const void *src, size_t n);
void wr_zero(struct wr *w, size_t n);
/* Reserve n bytes to be filled later (a length or checksum field);
 * returns NULL on overflow. */
uint8_t *wr_reserve(struct wr *w, size_t n);

/* Big-endian helpers for patching reserved fields in place. */
static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#endif
