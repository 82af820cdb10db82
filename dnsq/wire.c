/*
 * wire — DNS names and messages: decode (hostile input) and encode (our
 * queries).  See wire.h for the rules; the presentation format lives in
 * wire_fmt.c.
 *
 * Compression (RFC 1035 4.1.4): each pointer must point strictly below
 * the previous jump target (the first one below the name's own start), so
 * the walk can only move backwards and always ends; a loop, a pointer to
 * itself or a forward pointer is DNS_E_PTR_FWD.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "wire.h"

const char *dns_strerror(enum dns_err e)
{
	static const char *const msg[] = {
		[DNS_OK] = "ok",
		[DNS_E_SHORT] = "message truncated",
		[DNS_E_PTR_FWD] = "compression pointer loop or forward pointer",
		[DNS_E_PTR_MANY] = "too many compression pointers",
		[DNS_E_LABEL_LONG] = "label longer than 63 bytes",
		[DNS_E_NAME_LONG] = "name longer than 255 bytes",
		[DNS_E_LABEL_TYPE] = "unknown label type",
		[DNS_E_COUNT] = "record counts do not match the message",
		[DNS_E_RDATA] = "malformed RDATA",
		[DNS_E_OPT] = "misplaced or duplicate OPT record",
		[DNS_E_QDCOUNT] = "not exactly one question",
		[DNS_E_TEXT] = "not a valid domain name",
	};
	return (unsigned)e < sizeof(msg) / sizeof(msg[0]) && msg[e] ? msg[e] : "unknown error";
}

enum dns_err dns_name_read(const uint8_t *msg, size_t len, size_t *pos, struct dns_name *out)
{
	out->len = 0;
	if (*pos >= len)
		return DNS_E_SHORT;
	size_t off = *pos, limit = *pos;
	struct rd r = rd_init(msg + off, len - off);
	bool jumped = false;
	int jumps = 0;
	for (;;) {
		uint8_t l = rd_u8(&r);
		if (!rd_ok(&r))
			return DNS_E_SHORT;
		off++;
		if ((l & 0xc0) == 0xc0) {
			uint8_t lo = rd_u8(&r);
			if (!rd_ok(&r))
				return DNS_E_SHORT;
			off++;
			size_t target = (size_t)(l & 0x3f) << 8 | lo;
			if (!jumped) {
				*pos = off;
				jumped = true;
			}
			if (target >= limit)
				return DNS_E_PTR_FWD;
			if (++jumps > DNS_MAX_PTRS)
				return DNS_E_PTR_MANY;
			limit = off = target;
			r = rd_init(msg + target, len - target);
			continue;
		}
		if (l & 0xc0)
			return DNS_E_LABEL_TYPE;
		/* this label, its length byte, and the root byte still to come */
		if ((size_t)out->len + 1 + l + (l ? 1 : 0) > DNS_NAME_MAX)
			return DNS_E_NAME_LONG;
		out->wire[out->len++] = l;
		if (l == 0)
			break;
		rd_bytes(&r, out->wire + out->len, l);
		if (!rd_ok(&r))
			return DNS_E_SHORT;
		out->len = (uint8_t)(out->len + l);
		off += l;
	}
	if (!jumped)
		*pos = off;
	return DNS_OK;
}

void dns_name_root(struct dns_name *out)
{
	out->len = 1;
	out->wire[0] = 0;
}

enum dns_err dns_name_from_text(const char *text, struct dns_name *out)
{
	dns_name_root(out);
	if (!text || !*text)
		return DNS_E_TEXT;
	if (strcmp(text, ".") == 0)
		return DNS_OK;
	uint8_t w[DNS_NAME_MAX + 8];
	size_t lab = 0, n = 1;   /* w[lab]: current length byte; n: next free byte */
	w[0] = 0;
	for (const char *p = text;; p++) {
		if (*p == '.' || *p == '\0') {
			if (w[lab] == 0) {
				if (*p == '\0' && lab > 0)
					break;   /* trailing dot: that empty label is the root */
				return DNS_E_TEXT;   /* empty label */
			}
			if (n > DNS_NAME_MAX - 1)
				return DNS_E_NAME_LONG;
			lab = n++;
			w[lab] = 0;
			if (*p == '\0')
				break;
			continue;
		}
		int c = (unsigned char)*p;
		if (c == '\\') {   /* RFC 1035 5.1: \X and \DDD */
			if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
			    isdigit((unsigned char)p[3])) {
				c = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
				if (c > 255)
					return DNS_E_TEXT;
				p += 3;
			} else if (p[1]) {
				c = (unsigned char)*++p;
			} else {
				return DNS_E_TEXT;
			}
		}
		if (w[lab] == DNS_LABEL_MAX)
			return DNS_E_LABEL_LONG;
		if (n >= DNS_NAME_MAX - 1)
			return DNS_E_NAME_LONG;
		w[n++] = (uint8_t)c;
		w[lab]++;
	}
	memcpy(out->wire, w, lab + 1);
	out->len = (uint8_t)(lab + 1);
	return DNS_OK;
}

char *dns_name_fmt(const struct dns_name *n, char *buf, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (n->len <= 1) {
		snprintf(buf, len, ".");
		return buf;
	}
	for (size_t i = 0; i < n->len && n->wire[i]; i += 1 + (size_t)n->wire[i]) {
		uint8_t l = n->wire[i];
		for (size_t k = 1; k <= l && i + k < n->len; k++) {
			uint8_t c = n->wire[i + k];
			char tmp[8];
			if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';')
				snprintf(tmp, sizeof(tmp), "\\%c", c);
			else if (c < 0x21 || c > 0x7e)
				snprintf(tmp, sizeof(tmp), "\\%03u", c);
			else
				snprintf(tmp, sizeof(tmp), "%c", c);
			size_t tl = strlen(tmp);
			if (o + tl + 2 > len)
				return buf;
			memcpy(buf + o, tmp, tl + 1);
			o += tl;
		}
		if (o + 2 > len)
			return buf;
		buf[o++] = '.';
		buf[o] = '\0';
	}
	return buf;
}

static bool bytes_caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return false;
	return true;
}

bool dns_name_eq(const struct dns_name *a, const struct dns_name *b)
{
	return a->len == b->len && bytes_caseeq(a->wire, b->wire, a->len);
}

bool dns_name_under(const struct dns_name *sub, const struct dns_name *zone)
{
	size_t off = 0;
	while (off < sub->len && sub->len - off > zone->len && sub->wire[off])
		off += 1 + (size_t)sub->wire[off];
	if (off >= sub->len + 0u || sub->len - off != zone->len)
		return false;
	return bytes_caseeq(sub->wire + off, zone->wire, zone->len);
}

int dns_name_labels(const struct dns_name *n)
{
	int c = 0;
	for (size_t i = 0; i < n->len && n->wire[i]; i += 1 + (size_t)n->wire[i])
		c++;
	return c;
}

void dns_name_parent(const struct dns_name *n, struct dns_name *out)
{
	if (n->len <= 1 || (size_t)n->wire[0] + 1 >= n->len) {
		dns_name_root(out);
		return;
	}
	size_t skip = 1 + (size_t)n->wire[0];
	struct dns_name tmp;
	tmp.len = (uint8_t)(n->len - skip);
	memcpy(tmp.wire, n->wire + skip, tmp.len);
	*out = tmp;
}

enum dns_err dns_name_reverse(int family, const uint8_t *bytes, struct dns_name *out)
{
	char text[128];
	size_t o = 0;
	if (family == 4) {
		o = (size_t)snprintf(text, sizeof(text), "%u.%u.%u.%u.in-addr.arpa.", bytes[3], bytes[2],
				     bytes[1], bytes[0]);
	} else {
		static const char hex[] = "0123456789abcdef";
		for (int i = 15; i >= 0; i--) {
			text[o++] = hex[bytes[i] & 0xf];
			text[o++] = '.';
			text[o++] = hex[bytes[i] >> 4];
			text[o++] = '.';
		}
		snprintf(text + o, sizeof(text) - o, "ip6.arpa.");
	}
	return dns_name_from_text(text, out);
}

/* Does the name at *pos end inside [.., end)?  Advances *pos. */
static bool rdata_name(const struct dns_msg *m, size_t *pos, size_t end)
{
	struct dns_name n;
	return dns_name_read(m->raw, end, pos, &n) == DNS_OK;
}

/* RDATA structure check per type, so a record we later print or use is
 * known to be sound; unknown types are opaque (RFC 3597). */
static enum dns_err rdata_check(const struct dns_msg *m, const struct dns_rr *rr)
{
	size_t pos = rr->rdoff, end = rr->rdoff + rr->rdlen;
	struct rd r;
	switch (rr->type) {
	case DNS_T_A:
		return rr->rdlen == 4 ? DNS_OK : DNS_E_RDATA;
	case DNS_T_AAAA:
		return rr->rdlen == 16 ? DNS_OK : DNS_E_RDATA;
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_DNAME:
		return rdata_name(m, &pos, end) && pos == end ? DNS_OK : DNS_E_RDATA;
	case DNS_T_MX:
		pos += 2;
		return pos < end && rdata_name(m, &pos, end) && pos == end ? DNS_OK : DNS_E_RDATA;
	case DNS_T_SRV:
		pos += 6;
		return pos < end && rdata_name(m, &pos, end) && pos == end ? DNS_OK : DNS_E_RDATA;
	case DNS_T_SOA:
		if (!rdata_name(m, &pos, end) || !rdata_name(m, &pos, end))
			return DNS_E_RDATA;
		return end - pos == 20 ? DNS_OK : DNS_E_RDATA;
	case DNS_T_TXT: case DNS_T_HINFO:
		r = rd_init(m->raw + pos, rr->rdlen);
		if (rr->rdlen == 0)
			return DNS_E_RDATA;
		/* bounded: every string consumes at least one byte */
		while (rd_left(&r) && rd_ok(&r))
			rd_skip(&r, rd_u8(&r));
		return rd_ok(&r) ? DNS_OK : DNS_E_RDATA;
	case DNS_T_CAA:
		r = rd_init(m->raw + pos, rr->rdlen);
		rd_u8(&r);
		{
			uint8_t tl = rd_u8(&r);
			rd_skip(&r, tl);
			return rd_ok(&r) && tl > 0 ? DNS_OK : DNS_E_RDATA;
		}
	case DNS_T_DS: case DNS_T_DNSKEY:
		return rr->rdlen >= 4 ? DNS_OK : DNS_E_RDATA;
	case DNS_T_RRSIG:
		pos += 18;
		return pos < end && rdata_name(m, &pos, end) ? DNS_OK : DNS_E_RDATA;
	case DNS_T_NSEC:
		return rdata_name(m, &pos, end) ? DNS_OK : DNS_E_RDATA;
	default:
		return DNS_OK;
	}
}

/* RFC 6891 6.1: one OPT, in the additional section, owned by the root. */
static enum dns_err parse_opt(struct dns_msg *m, const struct dns_rr *rr)
{
	if (m->edns || rr->section != 3 || rr->name.len != 1)
		return DNS_E_OPT;
	m->edns = true;
	m->edns_size = rr->rclass;
	m->rcode = (uint16_t)(m->rcode | (rr->ttl >> 24) << 4);
	m->edns_version = (uint8_t)(rr->ttl >> 16);
	m->edns_do = (rr->ttl & 0x8000) != 0;
	struct rd r = rd_init(m->raw + rr->rdoff, rr->rdlen);
	while (rd_left(&r) && rd_ok(&r)) {
		if (++m->edns_nopts > DNS_MAX_EDNS_OPTS)
			return DNS_E_OPT;
		rd_u16(&r);
		rd_skip(&r, rd_u16(&r));
	}
	return rd_ok(&r) ? DNS_OK : DNS_E_RDATA;
}

enum dns_err dns_msg_parse(struct dns_msg *m, const uint8_t *raw, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->raw = raw;
	m->len = len;
	struct rd r = rd_init(raw, len);
	m->id = rd_u16(&r);
	m->flags = rd_u16(&r);
	m->qdcount = rd_u16(&r);
	m->ancount = rd_u16(&r);
	m->nscount = rd_u16(&r);
	m->arcount = rd_u16(&r);
	if (!rd_ok(&r))
		return DNS_E_SHORT;
	m->opcode = (uint8_t)(m->flags >> 11 & 0xf);
	m->rcode = m->flags & 0xf;
	size_t pos = DNS_HDR_LEN;
	if (m->qdcount > 1)
		return DNS_E_QDCOUNT;
	if (m->qdcount == 1) {
		enum dns_err e = dns_name_read(raw, len, &pos, &m->qname);
		if (e)
			return e;
		r = rd_init(raw + pos, len - pos);
		m->qtype = rd_u16(&r);
		m->qclass = rd_u16(&r);
		if (!rd_ok(&r))
			return DNS_E_SHORT;
		pos += 4;
		m->has_question = true;
	}
	size_t total = (size_t)m->ancount + m->nscount + m->arcount;
	/* a record is at least 11 bytes: counts that cannot fit are lies */
	if (total > DNS_MAX_RRS || total * 11 > len - pos)
		return DNS_E_COUNT;
	m->rr = calloc(total ? total : 1, sizeof(*m->rr));
	if (!m->rr)
		return DNS_E_COUNT;
	for (size_t i = 0; i < total; i++) {
		struct dns_rr *rr = &m->rr[m->nrr];
		rr->section = i < m->ancount ? 1 : i < (size_t)m->ancount + m->nscount ? 2 : 3;
		if (pos >= len)
			return DNS_E_COUNT;
		enum dns_err e = dns_name_read(raw, len, &pos, &rr->name);
		if (e)
			return e;
		r = rd_init(raw + pos, len - pos);
		rr->type = rd_u16(&r);
		rr->rclass = rd_u16(&r);
		rr->ttl = rd_u32(&r);
		rr->rdlen = rd_u16(&r);
		rd_sub(&r, rr->rdlen);
		if (!rd_ok(&r))
			return DNS_E_SHORT;
		rr->rdoff = pos + 10;
		pos = rr->rdoff + rr->rdlen;
		if (rr->type == DNS_T_OPT) {
			if ((e = parse_opt(m, rr)) != DNS_OK)
				return e;
			continue;
		}
		if ((e = rdata_check(m, rr)) != DNS_OK)
			return e;
		if (rr->section == 1)
			m->n_an++;
		else if (rr->section == 2)
			m->n_ns++;
		else
			m->n_ar++;
		m->nrr++;
	}
	m->trailing = len - pos;
	return DNS_OK;
}

void dns_msg_free(struct dns_msg *m)
{
	free(m->rr);
	m->rr = NULL;
	m->nrr = 0;
}

size_t dns_query_build(uint8_t *buf, size_t cap, const struct dns_query *q)
{
	struct wr w = wr_init(buf, cap);
	wr_u16(&w, q->id);
	wr_u16(&w, q->rd ? DNS_F_RD : 0);
	wr_u16(&w, 1);
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	wr_u16(&w, q->edns ? 1 : 0);
	wr_bytes(&w, q->qname->wire, q->qname->len);
	wr_u16(&w, q->qtype);
	wr_u16(&w, DNS_C_IN);
	if (q->edns) {   /* RFC 6891 6.1.2 */
		wr_u8(&w, 0);
		wr_u16(&w, DNS_T_OPT);
		wr_u16(&w, q->bufsize);
		wr_u32(&w, q->do_bit ? 0x8000u : 0);
		wr_u16(&w, 0);
	}
	return wr_ok(&w) ? wr_len(&w) : 0;
}

enum dns_err dns_rdata_name(const struct dns_msg *m, const struct dns_rr *rr, struct dns_name *out)
{
	size_t pos = rr->rdoff;
	if (rr->type == DNS_T_MX)
		pos += 2;
	else if (rr->type == DNS_T_SRV)
		pos += 6;
	return dns_name_read(m->raw, rr->rdoff + rr->rdlen, &pos, out);
}

int dns_rdata_soa_serial(const struct dns_msg *m, const struct dns_rr *rr, uint32_t *serial)
{
	if (rr->type != DNS_T_SOA || rr->rdlen < 20)
		return -1;
	struct rd r = rd_init(m->raw + rr->rdoff + rr->rdlen - 20, 4);
	*serial = rd_u32(&r);
	return rd_ok(&r) ? 0 : -1;
}
