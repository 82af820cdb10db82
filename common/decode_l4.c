/*
 * decode_l4 — the teaching printer's transport layers: ICMP and ICMPv6
 * (with the packet an error quotes, decoded again one level deeper), UDP
 * and TCP (with its options).  See decode.c for the conventions.
 *
 * Checksums are verified when the whole segment is here and not a
 * fragment; the UDP, TCP and ICMPv6 ones cover a pseudo-header, so they
 * also need the IP addresses (an ICMPv6 message from a ping socket has
 * none, and says so).  A quoted header is cut short by design: it prints
 * what the quote holds (RFC 792 promises the first 8 bytes: ports and
 * sequence number for TCP) and then "[truncated: ...]".
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cksum.h"
#include "decode_int.h"
#include "icmp.h"

#define UDP_HDR_LEN 8
#define TCP_HDR_LEN 20
#define TCP_CKSUM_OFF 16
#define UDP_CKSUM_OFF 6
#define ICMP_CKSUM_OFF 2

/*
 * Checksum status of seg[0..len) whose checksum field is at ck_off.
 * pseudo: the protocol number to put in a pseudo-header, or -1 for none
 * (ICMPv4).  Sums the message with the field as received (a correct one
 * folds to zero) and, if that fails, with the field zeroed to show the
 * value it should have held.
 */
static const char *ck_status(char *buf, size_t len, const struct decode_l3 *l3, int pseudo,
			     const uint8_t *seg, size_t n, size_t ck_off)
{
	if (l3 && !l3->whole) {
		snprintf(buf, len, "not verified: %s", l3->claimed > n ? "segment incomplete" : "fragment");
		return buf;
	}
	if (pseudo >= 0 && !l3) {
		snprintf(buf, len, "not verified: needs the IP addresses");
		return buf;
	}
	uint32_t sum = pseudo >= 0 ? cksum_pseudo(&l3->src, &l3->dst, (uint8_t)pseudo, (uint32_t)n) : 0;
	if (cksum_finish(cksum_add(sum, seg, n)) == 0) {
		snprintf(buf, len, "correct");
		return buf;
	}
	sum = cksum_add(sum, seg, ck_off);
	sum = cksum_add(sum, seg + ck_off + 2, n - ck_off - 2);
	uint16_t want = cksum_finish(sum);
	if (pseudo == IPPROTO_UDP && want == 0)
		want = 0xffff;   /* RFC 768: a computed zero is sent as all ones */
	snprintf(buf, len, "WRONG, should be 0x%04x", want);
	return buf;
}

/* ---- ICMP (RFC 792) and ICMPv6 (RFC 4443) ---- */

void decode_l4_icmp(const struct decode *d, struct rd *r, const struct ipfam *fam,
		    const struct decode_l3 *l3, int in, int depth)
{
	const char *L = fam->icmp_name;
	const uint8_t *start = rd_peek(r);
	size_t len = rd_left(r);
	struct icmp_msg m;
	if (icmp_decode(r, fam, &m) != 0) {
		if (len >= 2)
			decode_line(d, in, L, "type %u (%s) code %u", start[0], icmp_type_name(fam, start[0]), start[1]);
		decode_note_truncated(d, in, len >= 2 ? "" : L, ICMP_HDR_LEN, len);
		return;
	}
	bool v4 = fam->family == AF_INET;
	char ck[64], code[80] = "";
	const char *cn = icmp_code_name(fam, m.type, m.code);
	if (cn[0])
		snprintf(code, sizeof(code), " (%s)", cn);
	ck_status(ck, sizeof(ck), l3, v4 ? -1 : IPPROTO_ICMPV6, start, len, ICMP_CKSUM_OFF);
	decode_line(d, in, L, "type %u (%s) code %u%s, cksum 0x%04x (%s)", m.type,
		    icmp_type_name(fam, m.type), m.code, code, m.cksum, ck);

	enum icmp_kind kind = icmp_kind(&m);
	switch (kind) {
	case ICMPK_ECHO_REQUEST:
	case ICMPK_ECHO_REPLY:
		if (l3 && l3->claimed > len)
			decode_line(d, in, "", "id 0x%04x (%u), seq %u, payload %zu bytes (%zu present)", m.id,
				    m.id, m.seq, l3->claimed - ICMP_HDR_LEN, m.body_len);
		else
			decode_line(d, in, "", "id 0x%04x (%u), seq %u, payload %zu bytes", m.id, m.id, m.seq,
				    m.body_len);
		break;
	case ICMPK_TOO_BIG:
		decode_line(d, in, "", "next-hop mtu %u", icmp_mtu(&m));
		break;
	case ICMPK_REDIRECT: {
		uint8_t gb[4] = { (uint8_t)(m.info >> 24), (uint8_t)(m.info >> 16),
				  (uint8_t)(m.info >> 8), (uint8_t)m.info };
		struct addr gw;
		char g[ADDR_STRLEN];
		addr_from_bytes(&gw, AF_INET, gb);
		decode_line(d, in, "", "gateway %s", addr_fmt(&gw, g, sizeof(g)));
		break;
	}
	case ICMPK_PARAM_PROBLEM:
		/* RFC 792: one byte at the start of the word; RFC 4443: 32 bits. */
		decode_line(d, in, "", "pointer %u (offset of the bad byte in the quoted packet)",
			    v4 ? m.info >> 24 : m.info);
		break;
	case ICMPK_OTHER:
		decode_line(d, in, "", "rest of header 0x%08x, %zu bytes of data", m.info, m.body_len);
		break;
	default:
		break;
	}
	decode_line(d, in, "", "meaning: %s", icmp_explain(fam, m.type, m.code));
	if (!icmp_kind_is_error(kind))
		return;

	/* RFC 4884: a non-zero length field says how much of the body is the
	 * original datagram (v4: byte 5, 32-bit words; v6: byte 4, 64-bit
	 * words) and that extension objects follow. */
	unsigned ext_words = v4 ? (m.info >> 16) & 0xff : m.info >> 24;
	if (ext_words && kind != ICMPK_TOO_BIG && kind != ICMPK_REDIRECT && kind != ICMPK_PARAM_PROBLEM)
		decode_line(d, in, "", "RFC 4884 length: original datagram %u bytes, then extensions",
			    ext_words * (v4 ? 4 : 8));
	decode_line(d, in, "", "quoted packet, %zu bytes:", m.body_len);
	int qin = in + DECODE_QUOTE_INDENT;
	if (depth + 1 > DECODE_MAX_QUOTE_DEPTH) {
		decode_line(d, qin, "", "[not decoded: quotes are decoded at most %d levels deep]",
			    DECODE_MAX_QUOTE_DEPTH);
		return;
	}
	if (m.body_len && (m.body[0] >> 4) != fam->version)
		decode_note_malformed(d, qin, "", "an %s error quoting an IPv%u packet", L, m.body[0] >> 4);
	struct rd q = rd_init(m.body, m.body_len);
	decode_ip_layer(d, &q, qin, depth + 1);
}

/* ---- UDP (RFC 768) ---- */

static void app_hook(const struct decode *d, int proto, uint16_t sp, uint16_t dp, struct rd *r, int depth)
{
	/* Quoted payloads are fragments of our own probes: not worth a parse. */
	if (d->app && depth == 0 && rd_left(r))
		d->app(d, proto, sp, dp, rd_peek(r), rd_left(r));
}

static void udp(const struct decode *d, struct rd *r, const struct decode_l3 *l3, int in, int depth)
{
	const uint8_t *start = rd_peek(r);
	size_t len = rd_left(r);
	if (len < UDP_HDR_LEN) {
		if (len >= 4)
			decode_line(d, in, "UDP", "sport %u, dport %u", be16_get(start), be16_get(start + 2));
		decode_note_truncated(d, in, len >= 4 ? "" : "UDP", UDP_HDR_LEN, len);
		return;
	}
	uint16_t sport = rd_u16(r), dport = rd_u16(r), ulen = rd_u16(r), ck = rd_u16(r);
	char cks[64];
	if (ck == 0 && l3->fam->family == AF_INET)
		snprintf(cks, sizeof(cks), "none: the sender did not compute one");
	else if (ck == 0)
		snprintf(cks, sizeof(cks), "zero: invalid over IPv6 (RFC 8200 section 8.1)");
	else if (ulen != l3->claimed && l3->whole)
		snprintf(cks, sizeof(cks), "not verified: length mismatch");
	else
		ck_status(cks, sizeof(cks), l3, IPPROTO_UDP, start, len, UDP_CKSUM_OFF);
	decode_line(d, in, "UDP", "sport %u, dport %u, length %u, cksum 0x%04x (%s)", sport, dport, ulen, ck, cks);
	if (ulen < UDP_HDR_LEN) {
		decode_note_malformed(d, in, "", "length %u is less than the 8-byte header", ulen);
		return;
	}
	if (ulen != l3->claimed)
		decode_line(d, in, "", "length %u, but the IP header leaves %zu bytes", ulen, l3->claimed);
	size_t want = (size_t)ulen - UDP_HDR_LEN;
	struct rd pl = rd_sub(r, want < rd_left(r) ? want : rd_left(r));
	if (rd_left(&pl) < want)
		decode_line(d, in, "", "payload %zu bytes (%zu present)", want, rd_left(&pl));
	else
		decode_line(d, in, "", "payload %zu bytes", want);
	app_hook(d, IPPROTO_UDP, sport, dport, &pl, depth);
}

/* ---- TCP (RFC 9293) ---- */

/* Append ", text" to an options line; a full buffer just stops growing. */
static void opt_add(char *buf, size_t cap, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void opt_add(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
	if (*used + 1 >= cap)
		return;
	if (*used)
		*used += (size_t)snprintf(buf + *used, cap - *used, ", ");
	if (*used + 1 >= cap) {
		*used = cap - 1;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
	va_end(ap);
	*used = n < 0 ? *used : *used + (size_t)n;
	if (*used >= cap)
		*used = cap - 1;
}

/*
 * RFC 9293 section 3.1 option list: EOL and NOP are one byte, the rest
 * kind, length, data.  At most 40 bytes and each turn consumes at least
 * one, so the walk is bounded; a length that is < 2 or runs past the
 * header stops it.
 */
static void tcp_options(const struct decode *d, struct rd o, int in)
{
	char buf[768];
	size_t used = 0;
	buf[0] = '\0';
	while (rd_left(&o)) {
		uint8_t kind = rd_u8(&o);
		if (kind == 0) {
			opt_add(buf, sizeof(buf), &used, "EOL");
			break;
		}
		if (kind == 1) {
			opt_add(buf, sizeof(buf), &used, "NOP");
			continue;
		}
		uint8_t olen = rd_u8(&o);
		if (!rd_ok(&o) || olen < 2 || (size_t)olen - 2 > rd_left(&o)) {
			opt_add(buf, sizeof(buf), &used, "[malformed: kind %u length %u, %zu bytes left]",
				kind, olen, rd_left(&o));
			break;
		}
		struct rd v = rd_sub(&o, (size_t)olen - 2);
		if (kind == 2 && olen == 4)
			opt_add(buf, sizeof(buf), &used, "MSS %u", rd_u16(&v));
		else if (kind == 3 && olen == 3)
			opt_add(buf, sizeof(buf), &used, "window scale %u", rd_u8(&v));
		else if (kind == 4 && olen == 2)
			opt_add(buf, sizeof(buf), &used, "SACK-permitted");
		else if (kind == 8 && olen == 10) {
			uint32_t val = rd_u32(&v);
			opt_add(buf, sizeof(buf), &used, "TS val %u ecr %u", val, rd_u32(&v));
		} else if (kind == 5 && olen >= 10 && (olen - 2) % 8 == 0) {
			opt_add(buf, sizeof(buf), &used, "SACK");
			while (rd_left(&v) >= 8) {
				uint32_t left = rd_u32(&v);
				uint32_t right = rd_u32(&v);
				used += (size_t)snprintf(buf + used, sizeof(buf) - used, " %u-%u", left, right);
				if (used >= sizeof(buf))
					used = sizeof(buf) - 1;
			}
		} else if (kind <= 8)
			opt_add(buf, sizeof(buf), &used, "[malformed: kind %u with length %u]", kind, olen);
		else
			opt_add(buf, sizeof(buf), &used, "kind %u len %u", kind, olen);
	}
	decode_line(d, in, "", "options %s", buf);
}

static void tcp(const struct decode *d, struct rd *r, const struct decode_l3 *l3, int in, int depth)
{
	const uint8_t *start = rd_peek(r);
	size_t len = rd_left(r);
	if (len < 8) {
		if (len >= 4)
			decode_line(d, in, "TCP", "sport %u, dport %u", be16_get(start), be16_get(start + 2));
		decode_note_truncated(d, in, len >= 4 ? "" : "TCP", TCP_HDR_LEN, len);
		return;
	}
	uint16_t sport = rd_u16(r), dport = rd_u16(r);
	uint32_t seq = rd_u32(r);
	if (len < TCP_HDR_LEN) {
		/* The 8 bytes an ICMP quote is guaranteed to hold. */
		decode_line(d, in, "TCP", "sport %u, dport %u, seq %u", sport, dport, seq);
		decode_note_truncated(d, in, "", TCP_HDR_LEN, len);
		return;
	}
	uint32_t ack = rd_u32(r);
	uint16_t offfl = rd_u16(r), win = rd_u16(r), ck = rd_u16(r), urg = rd_u16(r);
	size_t hlen = (size_t)(offfl >> 12) * 4;
	static const struct { uint16_t bit; const char *name; } flags[] = {
		{ 0x002, "SYN" }, { 0x010, "ACK" }, { 0x004, "RST" }, { 0x001, "FIN" },
		{ 0x008, "PSH" }, { 0x020, "URG" }, { 0x040, "ECE" }, { 0x080, "CWR" },
		{ 0x100, "AE" },
	};
	char fl[64] = "", cks[64];
	size_t fused = 0;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (offfl & flags[i].bit)
			fused += (size_t)snprintf(fl + fused, sizeof(fl) - fused, " %s", flags[i].name);
	decode_line(d, in, "TCP", "sport %u, dport %u, seq %u, ack %u", sport, dport, seq, ack);
	decode_line(d, in, "", "data offset %u (%zu bytes), flags%s%s, window %u", offfl >> 12, hlen,
		    fl[0] ? fl : " none", offfl & 0x0e00 ? " (reserved bits set)" : "", win);
	decode_line(d, in, "", "cksum 0x%04x (%s), urgent %u", ck,
		    ck_status(cks, sizeof(cks), l3, IPPROTO_TCP, start, len, TCP_CKSUM_OFF), urg);
	if (hlen < TCP_HDR_LEN) {
		decode_note_malformed(d, in, "", "data offset %zu: the header is at least 5 words", hlen / 4);
		return;
	}
	if (hlen > len) {
		decode_note_truncated(d, in, "", hlen, len);
		return;
	}
	if (hlen > TCP_HDR_LEN)
		tcp_options(d, rd_sub(r, hlen - TCP_HDR_LEN), in);
	size_t want = l3->claimed > hlen ? l3->claimed - hlen : 0;
	if (rd_left(r) < want)
		decode_line(d, in, "", "payload %zu bytes (%zu present)", want, rd_left(r));
	else
		decode_line(d, in, "", "payload %zu bytes", want);
	app_hook(d, IPPROTO_TCP, sport, dport, r, depth);
}

void decode_l4_dispatch(const struct decode *d, struct rd *r, uint8_t proto,
			const struct decode_l3 *l3, int in, int depth)
{
	switch (proto) {
	case IPPROTO_ICMP:
		decode_l4_icmp(d, r, ipfam_get(AF_INET), l3, in, depth);
		break;
	case IPPROTO_ICMPV6:
		decode_l4_icmp(d, r, ipfam_get(AF_INET6), l3, in, depth);
		break;
	case IPPROTO_UDP:
		udp(d, r, l3, in, depth);
		break;
	case IPPROTO_TCP:
		tcp(d, r, l3, in, depth);
		break;
	default:
		decode_line(d, in, "data", "%zu bytes of protocol %u (%s), not decoded", rd_left(r), proto,
			    decode_proto_name(proto));
	}
}
