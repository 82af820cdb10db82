/*
 * wire_fmt — presentation format (RFC 1035 5.1, RFC 3597 5, RFC 4034,
 * RFC 8659): what dig and drill print for each record type.
 *
 * Every RDATA is read again through a bounded reader; bytes a peer chose
 * (names, TXT strings) are escaped as \DDD so a hostile record cannot put
 * control characters on the user's terminal.  A type without a formatter,
 * or RDATA that does not parse, is printed in the generic "\# len hex".
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "wire.h"

static const struct {
	uint16_t type;
	const char *name;
} types[] = {
	{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" }, { DNS_T_SOA, "SOA" },
	{ DNS_T_PTR, "PTR" }, { DNS_T_HINFO, "HINFO" }, { DNS_T_MX, "MX" }, { DNS_T_TXT, "TXT" },
	{ DNS_T_AAAA, "AAAA" }, { DNS_T_SRV, "SRV" }, { DNS_T_DNAME, "DNAME" }, { DNS_T_OPT, "OPT" },
	{ DNS_T_DS, "DS" }, { DNS_T_RRSIG, "RRSIG" }, { DNS_T_NSEC, "NSEC" },
	{ DNS_T_DNSKEY, "DNSKEY" }, { DNS_T_CAA, "CAA" }, { DNS_T_ANY, "ANY" },
};

const char *dns_type_name(uint16_t type, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type) {
			snprintf(buf, len, "%s", types[i].name);
			return buf;
		}
	snprintf(buf, len, "TYPE%u", type);
	return buf;
}

int dns_type_parse(const char *text, uint16_t *type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(text, types[i].name) == 0 && types[i].type != DNS_T_OPT) {
			*type = types[i].type;
			return 0;
		}
	if (strncasecmp(text, "TYPE", 4) == 0 && text[4] >= '0' && text[4] <= '9') {
		unsigned long v = 0;
		for (const char *p = text + 4; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v = v * 10 + (unsigned long)(*p - '0');
			if (v > 65535)
				return -1;
		}
		*type = (uint16_t)v;
		return 0;
	}
	return -1;
}

const char *dns_rcode_name(uint16_t rcode, char *buf, size_t len)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
					     "NXRRSET", "NOTAUTH", "NOTZONE" };
	if (rcode < sizeof(names) / sizeof(names[0]))
		snprintf(buf, len, "%s", names[rcode]);
	else if (rcode == DNS_R_BADVERS)
		snprintf(buf, len, "BADVERS");
	else
		snprintf(buf, len, "RCODE%u", rcode);
	return buf;
}

const char *dns_flags_str(uint16_t flags, char *buf, size_t len)
{
	static const struct { uint16_t bit; const char *name; } f[] = {
		{ DNS_F_QR, "qr" }, { DNS_F_AA, "aa" }, { DNS_F_TC, "tc" }, { DNS_F_RD, "rd" },
		{ DNS_F_RA, "ra" }, { DNS_F_AD, "ad" }, { DNS_F_CD, "cd" },
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (flags & f[i].bit) {
			int n = snprintf(buf + o, len - o, "%s%s", o ? " " : "", f[i].name);
			if (n < 0 || (size_t)n >= len - o)
				break;
			o += (size_t)n;
		}
	return buf;
}

/* A bounded string builder: appends never overflow; truncation is silent
 * (the buffers are sized for the largest record). */
struct sb {
	char *b;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sb *s, const char *fmt, ...)
{
	if (s->len + 1 >= s->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->b + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len = (size_t)n < s->cap - s->len ? s->len + (size_t)n : s->cap - 1;
}

static void sb_name(struct sb *s, const struct dns_msg *m, size_t *pos, size_t end, bool *ok)
{
	struct dns_name n;
	char t[DNS_NAME_STRLEN];
	if (dns_name_read(m->raw, end, pos, &n) != DNS_OK) {
		*ok = false;
		return;
	}
	sb_printf(s, "%s", dns_name_fmt(&n, t, sizeof(t)));
}

/* <character-string>: quoted, with " and \ escaped and the rest of the
 * unprintable bytes as \DDD. */
static void sb_cstring(struct sb *s, struct rd *r)
{
	uint8_t l = rd_u8(r);
	const uint8_t *p = rd_ptr(r, l);
	if (!p)
		return;
	sb_printf(s, "\"");
	for (size_t i = 0; i < l; i++) {
		if (p[i] == '"' || p[i] == '\\')
			sb_printf(s, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] > 0x7e)
			sb_printf(s, "\\%03u", p[i]);
		else
			sb_printf(s, "%c", p[i]);
	}
	sb_printf(s, "\"");
}

static void sb_hex(struct sb *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_printf(s, "%02X", p[i]);
}

static void sb_base64(struct sb *s, const uint8_t *p, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		sb_printf(s, "%c%c%c%c", b64[v >> 18 & 63], b64[v >> 12 & 63],
			  i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '=');
	}
}

static void sb_time(struct sb *s, uint32_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char b[32];
	if (gmtime_r(&tt, &tm) && strftime(b, sizeof(b), "%Y%m%d%H%M%S", &tm))
		sb_printf(s, "%s", b);
	else
		sb_printf(s, "%u", t);
}

/* NSEC type bitmaps (RFC 4034 4.1.2): window, length 1..32, bits. */
static void sb_bitmap(struct sb *s, struct rd *r)
{
	char t[16];
	while (rd_left(r) && rd_ok(r)) {
		uint8_t win = rd_u8(r), bl = rd_u8(r);
		const uint8_t *bits = bl <= 32 ? rd_ptr(r, bl) : NULL;
		if (!bits) {
			r->err = true;
			return;
		}
		for (unsigned i = 0; i < bl * 8u; i++)
			if (bits[i / 8] & (0x80 >> (i % 8)))
				sb_printf(s, " %s", dns_type_name((uint16_t)(win * 256 + i), t, sizeof(t)));
	}
}

static void generic(struct sb *s, const struct dns_msg *m, const struct dns_rr *rr)
{
	sb_printf(s, "\\# %u", rr->rdlen);
	if (rr->rdlen) {
		sb_printf(s, " ");
		sb_hex(s, m->raw + rr->rdoff, rr->rdlen);
	}
}

enum dns_err dns_rdata_fmt(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len)
{
	struct sb s = { .b = buf, .cap = len, .len = 0 };
	if (len)
		buf[0] = '\0';
	size_t pos = rr->rdoff, end = rr->rdoff + rr->rdlen;
	struct rd r = rd_init(m->raw + rr->rdoff, rr->rdlen);
	bool ok = true;
	char a[INET6_ADDRSTRLEN], t[16];
	switch (rr->type) {
	case DNS_T_A: case DNS_T_AAAA: {
		size_t n = rr->type == DNS_T_A ? 4 : 16;
		const uint8_t *p = rr->rdlen == n ? rd_ptr(&r, n) : NULL;
		if (!p || !inet_ntop(n == 4 ? AF_INET : AF_INET6, p, a, sizeof(a)))
			ok = false;
		else
			sb_printf(&s, "%s", a);
		break;
	}
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_DNAME:
		sb_name(&s, m, &pos, end, &ok);
		break;
	case DNS_T_MX:
		sb_printf(&s, "%u ", rd_u16(&r));
		pos += 2;
		sb_name(&s, m, &pos, end, &ok);
		break;
	case DNS_T_SRV: {
		uint16_t pri = rd_u16(&r), w = rd_u16(&r), port = rd_u16(&r);
		sb_printf(&s, "%u %u %u ", pri, w, port);
		pos += 6;
		sb_name(&s, m, &pos, end, &ok);
		break;
	}
	case DNS_T_SOA: {
		sb_name(&s, m, &pos, end, &ok);
		sb_printf(&s, " ");
		sb_name(&s, m, &pos, end, &ok);
		r = rd_init(m->raw + pos, pos <= end ? end - pos : 0);
		uint32_t v[5];
		for (int i = 0; i < 5; i++)
			v[i] = rd_u32(&r);
		sb_printf(&s, " %u %u %u %u %u", v[0], v[1], v[2], v[3], v[4]);
		break;
	}
	case DNS_T_TXT: case DNS_T_HINFO:
		for (int i = 0; rd_left(&r) && rd_ok(&r); i++) {
			if (i)
				sb_printf(&s, " ");
			sb_cstring(&s, &r);
		}
		break;
	case DNS_T_CAA: {
		uint8_t flags = rd_u8(&r), tl = rd_u8(&r);
		const uint8_t *tag = rd_ptr(&r, tl);
		if (!tag || tl == 0) {
			ok = false;
			break;
		}
		sb_printf(&s, "%u ", flags);
		for (size_t i = 0; i < tl; i++)
			sb_printf(&s, (tag[i] > 0x20 && tag[i] < 0x7f) ? "%c" : "\\%03u", tag[i]);
		sb_printf(&s, " \"");
		while (rd_left(&r)) {
			uint8_t c = rd_u8(&r);
			sb_printf(&s, c == '"' || c == '\\' ? "\\%c" : (c >= 0x20 && c < 0x7f) ? "%c" : "\\%03u", c);
		}
		sb_printf(&s, "\"");
		break;
	}
	case DNS_T_DS: {
		uint16_t tag = rd_u16(&r);
		uint8_t alg = rd_u8(&r), dt = rd_u8(&r);
		sb_printf(&s, "%u %u %u ", tag, alg, dt);
		size_t n = rd_left(&r);
		sb_hex(&s, rd_ptr(&r, n), n);
		break;
	}
	case DNS_T_DNSKEY: {
		uint16_t fl = rd_u16(&r);
		uint8_t proto = rd_u8(&r), alg = rd_u8(&r);
		sb_printf(&s, "%u %u %u ", fl, proto, alg);
		size_t n = rd_left(&r);
		sb_base64(&s, rd_ptr(&r, n), n);
		break;
	}
	case DNS_T_RRSIG: {
		uint16_t tc = rd_u16(&r);
		uint8_t alg = rd_u8(&r), labels = rd_u8(&r);
		uint32_t ottl = rd_u32(&r), exp = rd_u32(&r), inc = rd_u32(&r);
		uint16_t tag = rd_u16(&r);
		sb_printf(&s, "%s %u %u %u ", dns_type_name(tc, t, sizeof(t)), alg, labels, ottl);
		sb_time(&s, exp);
		sb_printf(&s, " ");
		sb_time(&s, inc);
		sb_printf(&s, " %u ", tag);
		pos += 18;
		sb_name(&s, m, &pos, end, &ok);
		if (ok && pos <= end) {
			sb_printf(&s, " ");
			sb_base64(&s, m->raw + pos, end - pos);
		}
		break;
	}
	case DNS_T_NSEC:
		sb_name(&s, m, &pos, end, &ok);
		if (ok) {
			r = rd_init(m->raw + pos, pos <= end ? end - pos : 0);
			sb_bitmap(&s, &r);
		}
		break;
	default:
		generic(&s, m, rr);
		return DNS_OK;
	}
	if (!ok || !rd_ok(&r)) {
		s.len = 0;
		generic(&s, m, rr);
		return DNS_E_RDATA;
	}
	return DNS_OK;
}

void dns_rr_fmt(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len)
{
	char n[DNS_NAME_STRLEN], t[16], c[16];
	struct sb s = { .b = buf, .cap = len, .len = 0 };
	if (rr->rclass == DNS_C_IN)
		snprintf(c, sizeof(c), "IN");
	else
		snprintf(c, sizeof(c), "CLASS%u", rr->rclass);
	sb_printf(&s, "%s\t%u\t%s\t%s\t", dns_name_fmt(&rr->name, n, sizeof(n)), rr->ttl, c,
		  dns_type_name(rr->type, t, sizeof(t)));
	if (s.len < len)
		dns_rdata_fmt(m, rr, buf + s.len, len - s.len);
}
