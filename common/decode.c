/*
 * decode — the -v / -vv teaching printer: entry points, Ethernet II,
 * 802.1Q tags, ARP, IPv4 and IPv6 (transport layers in decode_l4.c).
 *
 * Each layer reads its header through a struct rd in the order the RFC
 * lists the fields and prints them by name.  Before reading a fixed header
 * it checks the length, so a short packet prints every layer that was
 * whole and then one "[truncated: need N bytes, have M]" line; a header
 * whose fields contradict each other (IHL < 5, a total length shorter
 * than the header) gets "[malformed: why]" and decoding stops there.
 * Nothing is ever read past the end of the packet.
 *
 * Line shape: indent, the layer name in a 7-column field, then fields;
 * continuation lines leave the layer column blank.
 */
#include "decode.h"

#include <stdarg.h>
#include <string.h>

#include "cksum.h"
#include "decode_int.h"

#define LAYER_WIDTH 6
/* Indents beyond this are a bug in a caller, not a layout. */
#define MAX_INDENT 40

#define ETHER_HDR_LEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_IPV6 0x86dd
/* An 802.1ad outer tag and an 802.1Q inner one (QinQ) is the most a frame
 * to or from these tools carries; more is not walked. */
#define ETHER_MAX_VLAN_TAGS 2
#define ARP_FIXED_LEN 8
#define IP4_HDR_LEN 20
#define IP6_HDR_LEN 40

/* ---- output helpers ---- */

static void vline(const struct decode *d, int indent, const char *layer, const char *fmt, va_list ap)
{
	if (indent < 0)
		indent = 0;
	if (indent > MAX_INDENT)
		indent = MAX_INDENT;
	fprintf(d->out, "%*s%-*s ", indent, "", LAYER_WIDTH, layer ? layer : "");
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
}

void decode_line(const struct decode *d, int indent, const char *layer, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(d, indent, layer, fmt, ap);
	va_end(ap);
}

void decode_note_truncated(const struct decode *d, int indent, const char *layer,
			   size_t need, size_t have)
{
	decode_line(d, indent, layer, "[truncated: need %zu bytes, have %zu]", need, have);
}

void decode_note_malformed(const struct decode *d, int indent, const char *layer,
			   const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	decode_line(d, indent, layer, "[malformed: %s]", why);
}

void decode_hexdump(FILE *out, const void *p, size_t len, const char *indent)
{
	const uint8_t *b = p;
	if (!indent)
		indent = "";
	for (size_t off = 0; off < len; off += 16) {
		fprintf(out, "%s%04zx ", indent, off);
		for (size_t i = 0; i < 16; i++) {
			if (i % 8 == 0)
				fputc(' ', out);
			if (off + i < len)
				fprintf(out, "%02x ", b[off + i]);
			else
				fputs("   ", out);
		}
		fputc(' ', out);
		for (size_t i = 0; i < 16 && off + i < len; i++) {
			uint8_t c = b[off + i];
			fputc(c >= 0x20 && c < 0x7f ? c : '.', out);
		}
		fputc('\n', out);
	}
}

/* ---- names ---- */

const char *decode_proto_name(uint8_t proto)
{
	switch (proto) {
	case 0: return "Hop-by-Hop Options";
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPv4-in-IP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 41: return "IPv6-in-IP";
	case 43: return "Routing";
	case 44: return "Fragment";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 59: return "No Next Header";
	case 60: return "Destination Options";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 132: return "SCTP";
	default: return "unknown";
	}
}

static const char *ethertype_name(uint16_t t)
{
	switch (t) {
	case ETHERTYPE_IPV4: return "IPv4";
	case ETHERTYPE_ARP: return "ARP";
	case ETHERTYPE_VLAN: return "802.1Q VLAN";
	case ETHERTYPE_QINQ: return "802.1ad QinQ";
	case ETHERTYPE_IPV6: return "IPv6";
	case 0x8035: return "RARP";
	case 0x88cc: return "LLDP";
	case 0x8847: return "MPLS";
	default: return t < 0x0600 ? "802.3 length" : "unknown";
	}
}

/* RFC 3168 section 5: the two low bits of the TOS / traffic class. */
static const char *ecn_name(uint8_t tos)
{
	static const char *const names[4] = { "Not-ECT", "ECT(1)", "ECT(0)", "CE" };
	return names[tos & 3];
}

/* "aa:bb:cc" for any length (ARP allows hlen up to 255). */
static const char *hex_colon(const uint8_t *p, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 4 <= len; i++)
		used += (size_t)snprintf(buf + used, len - used, i ? ":%02x" : "%02x", p[i]);
	return n ? buf : "(none)";
}

/* ---- Ethernet II (IEEE 802.3 clause 3) and 802.1Q ---- */

static void arp(const struct decode *d, struct rd *r, int in);

static void ether(const struct decode *d, struct rd *r, int in)
{
	if (rd_left(r) < ETHER_HDR_LEN) {
		decode_note_truncated(d, in, "ETH", ETHER_HDR_LEN, rd_left(r));
		return;
	}
	uint8_t dst[6], src[6];
	char a[24], b[24];
	rd_bytes(r, dst, 6);
	rd_bytes(r, src, 6);
	uint16_t type = rd_u16(r);
	decode_line(d, in, "ETH", "dst %s, src %s, type 0x%04x (%s)", hex_colon(dst, 6, a, sizeof(a)),
		    hex_colon(src, 6, b, sizeof(b)), type, ethertype_name(type));
	for (int tags = 0; type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ; tags++) {
		if (tags == ETHER_MAX_VLAN_TAGS) {
			decode_note_malformed(d, in, "VLAN", "more than %d VLAN tags, not walked further",
					      ETHER_MAX_VLAN_TAGS);
			return;
		}
		if (rd_left(r) < 4) {
			decode_note_truncated(d, in, "VLAN", 4, rd_left(r));
			return;
		}
		uint16_t tci = rd_u16(r);
		type = rd_u16(r);
		decode_line(d, in, "VLAN", "pcp %u, dei %u, vid %u, type 0x%04x (%s)", tci >> 13,
			    (tci >> 12) & 1, tci & 0xfff, type, ethertype_name(type));
	}
	switch (type) {
	case ETHERTYPE_ARP:
		arp(d, r, in);
		break;
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		if (rd_left(r) && (rd_peek(r)[0] >> 4) != (type == ETHERTYPE_IPV4 ? 4 : 6))
			decode_note_malformed(d, in, "ETH", "ethertype says %s, the version nibble says %u",
					      ethertype_name(type), rd_peek(r)[0] >> 4);
		decode_ip_layer(d, r, in, 0);
		break;
	default:
		decode_line(d, in, "data", "%zu bytes (not decoded)", rd_left(r));
	}
}

/* ---- ARP (RFC 826) ---- */

static const char *arp_op_name(uint16_t op)
{
	switch (op) {
	case 1: return "request";
	case 2: return "reply";
	case 3: return "RARP request";
	case 4: return "RARP reply";
	case 8: return "InARP request";
	case 9: return "InARP reply";
	default: return "unknown";
	}
}

static const char *arp_proto_addr(const uint8_t *p, size_t n, uint16_t ptype, char *buf, size_t len)
{
	struct addr a;
	if (ptype == ETHERTYPE_IPV4 && n == 4) {
		addr_from_bytes(&a, AF_INET, p);
		return addr_fmt(&a, buf, len);
	}
	if (ptype == ETHERTYPE_IPV6 && n == 16) {
		addr_from_bytes(&a, AF_INET6, p);
		return addr_fmt(&a, buf, len);
	}
	return hex_colon(p, n, buf, len);
}

static void arp(const struct decode *d, struct rd *r, int in)
{
	size_t avail = rd_left(r);
	if (avail < ARP_FIXED_LEN) {
		decode_note_truncated(d, in, "ARP", ARP_FIXED_LEN, avail);
		return;
	}
	uint16_t htype = rd_u16(r), ptype = rd_u16(r);
	uint8_t hlen = rd_u8(r), plen = rd_u8(r);
	uint16_t op = rd_u16(r);
	decode_line(d, in, "ARP", "htype %u (%s), ptype 0x%04x (%s), hlen %u, plen %u, op %u (%s)",
		    htype, htype == 1 ? "Ethernet" : "other", ptype, ethertype_name(ptype), hlen, plen,
		    op, arp_op_name(op));
	size_t need = ARP_FIXED_LEN + 2 * ((size_t)hlen + plen);
	if (avail < need) {
		decode_note_truncated(d, in, "", need, avail);
		return;
	}
	const uint8_t *sha = rd_ptr(r, hlen), *spa = rd_ptr(r, plen);
	const uint8_t *tha = rd_ptr(r, hlen), *tpa = rd_ptr(r, plen);
	if (!rd_ok(r))
		return;
	char hw[3 * 256], pr[3 * 256];
	decode_line(d, in, "", "sender %s %s", hex_colon(sha, hlen, hw, sizeof(hw)),
		    arp_proto_addr(spa, plen, ptype, pr, sizeof(pr)));
	decode_line(d, in, "", "target %s %s", hex_colon(tha, hlen, hw, sizeof(hw)),
		    arp_proto_addr(tpa, plen, ptype, pr, sizeof(pr)));
	/* RFC 5227 section 2.3: an announcement names itself as the target. */
	if (plen && memcmp(spa, tpa, plen) == 0)
		decode_line(d, in, "", "gratuitous: sender IP == target IP (announces %s)",
			    arp_proto_addr(spa, plen, ptype, pr, sizeof(pr)));
	if (rd_left(r))
		decode_line(d, in, "", "%zu bytes of trailing padding (Ethernet minimum frame)", rd_left(r));
}

/* ---- IP: what both families do with the payload ---- */

/* Carve the upper-layer bytes the header claims out of r, and say so when
 * fewer are here (an ICMP quote, a short capture) or more (link padding). */
static struct rd ip_payload(const struct decode *d, struct rd *r, size_t claimed, int in, int depth)
{
	size_t have = rd_left(r);
	if (have < claimed)
		decode_line(d, in, "", "payload %zu of %zu bytes present (truncated%s)", have, claimed,
			    depth ? ": an ICMP error quotes only the start" : "");
	else if (have > claimed)
		decode_line(d, in, "", "%zu bytes after the end the header claims (link-layer padding)",
			    have - claimed);
	return rd_sub(r, have < claimed ? have : claimed);
}

/* ---- IPv4 (RFC 791) ---- */

static const char *ip4_opt_name(uint8_t type)
{
	switch (type) {
	case 7: return "Record Route";
	case 68: return "Timestamp";
	case 130: return "Security";
	case 131: return "Loose Source Route";
	case 133: return "Extended Security";
	case 136: return "Stream ID";
	case 137: return "Strict Source Route";
	case 148: return "Router Alert";
	default: return "unknown";
	}
}

/* RFC 791 section 3.1, "Options": single-byte EOL and NOP, else type,
 * length, data.  At most 40 bytes, and every turn consumes at least one. */
static void ip4_options(const struct decode *d, struct rd o, int in)
{
	while (rd_left(&o)) {
		uint8_t type = rd_u8(&o);
		if (type == 0) {
			decode_line(d, in, "", "option End of Options List (0)%s",
				    rd_left(&o) ? ", then padding" : "");
			return;
		}
		if (type == 1) {
			decode_line(d, in, "", "option No Operation (1)");
			continue;
		}
		uint8_t olen = rd_u8(&o);
		if (!rd_ok(&o) || olen < 2 || (size_t)olen - 2 > rd_left(&o)) {
			decode_note_malformed(d, in, "", "option %u (%s) length %u, %zu bytes left", type,
					      ip4_opt_name(type), olen, rd_left(&o));
			return;
		}
		rd_skip(&o, (size_t)olen - 2);
		decode_line(d, in, "", "option %s (%u), length %u", ip4_opt_name(type), type, olen);
	}
}

static void ip4(const struct decode *d, struct rd *r, int in, int depth)
{
	const uint8_t *start = rd_peek(r);
	size_t avail = rd_left(r);
	if (avail < IP4_HDR_LEN) {
		decode_note_truncated(d, in, "IPv4", IP4_HDR_LEN, avail);
		return;
	}
	uint8_t vihl = rd_u8(r), tos = rd_u8(r);
	uint16_t total = rd_u16(r), id = rd_u16(r), frag = rd_u16(r);
	uint8_t ttl = rd_u8(r), proto = rd_u8(r);
	uint16_t ck = rd_u16(r);
	uint8_t a[4];
	struct decode_l3 l3 = { .fam = ipfam_get(AF_INET) };
	rd_bytes(r, a, 4);
	addr_from_bytes(&l3.src, AF_INET, a);
	rd_bytes(r, a, 4);
	addr_from_bytes(&l3.dst, AF_INET, a);
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	bool df = frag & 0x4000, mf = frag & 0x2000, evil = frag & 0x8000;
	size_t off = (size_t)(frag & 0x1fff) * 8;

	decode_line(d, in, "IPv4", "version %u, ihl %u (%zu bytes), tos 0x%02x (dscp %u, ecn %s), total length %u",
		    vihl >> 4, vihl & 0x0f, ihl, tos, tos >> 2, ecn_name(tos), total);
	char fl[32];
	snprintf(fl, sizeof(fl), "%s%s%s", df ? " DF" : "", mf ? " MF" : "", evil ? " reserved-bit" : "");
	decode_line(d, in, "", "id 0x%04x (%u), flags%s, fragment offset %zu, ttl %u, protocol %u (%s)",
		    id, id, fl[0] ? fl : " none", off, ttl, proto, decode_proto_name(proto));
	char s[ADDR_STRLEN], t[ADDR_STRLEN], ckstat[48] = "not checked";
	if (ihl >= IP4_HDR_LEN && ihl <= avail) {
		uint8_t tmp[60];
		memcpy(tmp, start, ihl);
		tmp[10] = tmp[11] = 0;
		if (cksum(start, ihl) == 0)
			snprintf(ckstat, sizeof(ckstat), "correct");
		else
			snprintf(ckstat, sizeof(ckstat), "WRONG, should be 0x%04x", cksum(tmp, ihl));
	}
	decode_line(d, in, "", "header checksum 0x%04x (%s), options %zu bytes", ck, ckstat,
		    ihl > IP4_HDR_LEN ? ihl - IP4_HDR_LEN : 0);
	decode_line(d, in, "", "src %s, dst %s", addr_fmt(&l3.src, s, sizeof(s)), addr_fmt(&l3.dst, t, sizeof(t)));
	if (ihl < IP4_HDR_LEN) {
		decode_note_malformed(d, in, "", "ihl %zu: the header is at least 5 words (RFC 791)", ihl / 4);
		return;
	}
	if (ihl > avail) {
		decode_note_truncated(d, in, "", ihl, avail);
		return;
	}
	if (ihl > IP4_HDR_LEN)
		ip4_options(d, rd_sub(r, ihl - IP4_HDR_LEN), in);
	if (total < ihl) {
		decode_note_malformed(d, in, "", "total length %u is shorter than the %zu-byte header", total, ihl);
		return;
	}
	l3.claimed = total - ihl;
	struct rd pl = ip_payload(d, r, l3.claimed, in, depth);
	l3.whole = rd_left(&pl) == l3.claimed && !mf && off == 0;
	if (off) {
		decode_line(d, in, "", "fragment at offset %zu: %zu bytes of %s data, not decoded "
			    "(its header is in the first fragment)", off, rd_left(&pl), decode_proto_name(proto));
		return;
	}
	decode_l4_dispatch(d, &pl, proto, &l3, in, depth);
}

/* ---- IPv6 (RFC 8200) ---- */

static bool ip6_is_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

static void ip6(const struct decode *d, struct rd *r, int in, int depth)
{
	size_t avail = rd_left(r);
	if (avail < IP6_HDR_LEN) {
		decode_note_truncated(d, in, "IPv6", IP6_HDR_LEN, avail);
		return;
	}
	uint32_t vtf = rd_u32(r);
	uint16_t plen = rd_u16(r);
	uint8_t nh = rd_u8(r), hlim = rd_u8(r);
	uint8_t a[16];
	struct decode_l3 l3 = { .fam = ipfam_get(AF_INET6) };
	rd_bytes(r, a, 16);
	addr_from_bytes(&l3.src, AF_INET6, a);
	rd_bytes(r, a, 16);
	addr_from_bytes(&l3.dst, AF_INET6, a);
	uint8_t tc = (uint8_t)(vtf >> 20);
	char s[ADDR_STRLEN], t[ADDR_STRLEN];

	decode_line(d, in, "IPv6", "version %u, traffic class 0x%02x (dscp %u, ecn %s), flow label 0x%05x",
		    vtf >> 28, tc, tc >> 2, ecn_name(tc), vtf & 0xfffff);
	decode_line(d, in, "", "payload length %u, next header %u (%s), hop limit %u", plen, nh,
		    decode_proto_name(nh), hlim);
	decode_line(d, in, "", "src %s, dst %s", addr_fmt(&l3.src, s, sizeof(s)), addr_fmt(&l3.dst, t, sizeof(t)));
	struct rd pl = ip_payload(d, r, plen, in, depth);
	bool complete = rd_left(&pl) == plen, fragment = false;
	size_t frag_off = 0, ext = 0;

	/* Section 4: a chain of extension headers, each naming the next. */
	for (int i = 0; ip6_is_ext(nh); i++) {
		if (i == IP6_MAX_EXT_HEADERS) {
			decode_note_malformed(d, in, "", "more than %d extension headers, not walked further",
					      IP6_MAX_EXT_HEADERS);
			return;
		}
		size_t left = rd_left(&pl);
		if (left < 8) {
			decode_note_truncated(d, in, "", 8, left);
			return;
		}
		uint8_t next = rd_u8(&pl), len8 = rd_u8(&pl);
		size_t elen = nh == 44 ? 8 : nh == 51 ? ((size_t)len8 + 2) * 4 : ((size_t)len8 + 1) * 8;
		if (elen > left) {
			decode_note_truncated(d, in, "", elen, left);
			return;
		}
		struct rd e = rd_sub(&pl, elen - 2);
		ext += elen;
		if (nh == 44) {
			uint16_t offm = rd_u16(&e);
			uint32_t ident = rd_u32(&e);
			frag_off = offm & 0xfff8;
			fragment = true;
			decode_line(d, in, "", "ext Fragment: offset %zu, %s, id 0x%08x, next header %u (%s)",
				    frag_off, offm & 1 ? "more fragments" : "last fragment", ident, next,
				    decode_proto_name(next));
		} else if (nh == 43) {
			uint8_t type = rd_u8(&e), segs = rd_u8(&e);
			decode_line(d, in, "", "ext Routing: type %u, segments left %u, %zu bytes, next header %u (%s)",
				    type, segs, elen, next, decode_proto_name(next));
		} else if (nh == 51) {
			rd_skip(&e, 2);
			uint32_t spi = rd_u32(&e);
			decode_line(d, in, "", "ext Authentication Header: spi 0x%08x, %zu bytes, next header %u (%s)",
				    spi, elen, next, decode_proto_name(next));
		} else {
			decode_line(d, in, "", "ext %s: %zu bytes, next header %u (%s)", decode_proto_name(nh),
				    elen, next, decode_proto_name(next));
		}
		nh = next;
	}
	l3.claimed = plen > ext ? plen - ext : 0;
	l3.whole = complete && !fragment;
	if (frag_off) {
		decode_line(d, in, "", "fragment at offset %zu: %zu bytes of %s data, not decoded "
			    "(its header is in the first fragment)", frag_off, rd_left(&pl), decode_proto_name(nh));
		return;
	}
	decode_l4_dispatch(d, &pl, nh, &l3, in, depth);
}

void decode_ip_layer(const struct decode *d, struct rd *r, int indent, int depth)
{
	if (rd_left(r) < 1) {
		decode_note_truncated(d, indent, "IP", 1, 0);
		return;
	}
	unsigned v = rd_peek(r)[0] >> 4;
	if (v == 4)
		ip4(d, r, indent, depth);
	else if (v == 6)
		ip6(d, r, indent, depth);
	else
		decode_note_malformed(d, indent, "IP", "version %u is neither 4 nor 6", v);
}

/* ---- entry point ---- */

void decode_packet(const struct decode *d, const char *what, enum decode_start start,
		   const struct ipfam *fam, const void *pkt, size_t len)
{
	double ms = (double)(clock_mono() - d->t0) / (double)NS_PER_MS;
	fprintf(d->out, "[%9.3f ms] %s %zu bytes\n", ms, what ? what : "packet", len);
	struct rd r = rd_init(pkt, len);
	switch (start) {
	case DECODE_FROM_ETHER:
		ether(d, &r, 2);
		break;
	case DECODE_FROM_IP:
		decode_ip_layer(d, &r, 2, 0);
		break;
	case DECODE_FROM_ICMP:
		if (fam)
			decode_l4_icmp(d, &r, fam, NULL, 2, 0);
		else
			decode_note_malformed(d, 2, "ICMP", "no address family given");
		break;
	default:
		decode_note_malformed(d, 2, "?", "unknown start layer %d", (int)start);
	}
	if (d->level >= 2 && pkt)
		decode_hexdump(d->out, pkt, len, "  ");
	fflush(d->out);
}
