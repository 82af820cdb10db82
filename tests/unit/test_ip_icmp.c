/*
 * test_ip_icmp — IPv4/IPv6 header decode (options, extension headers and
 * their bound, bad lengths, truncation, checksum), encode round trips,
 * ICMP echo encode/decode, quotes of errors, and iputils' wording.
 */
#include <netinet/in.h>
#include <stdint.h>

#include "buf.h"
#include "cksum.h"
#include "icmp.h"
#include "ip.h"
#include "unit.h"

static const uint8_t v4src[4] = { 10, 0, 0, 1 }, v4dst[4] = { 10, 0, 0, 2 };
static const uint8_t v6src[16] = { 0xfd, 0, [15] = 1 }, v6dst[16] = { 0xfd, 0, [15] = 2 };

/* An IPv4 header of ihl words (options filled with NOPs, or the bytes
 * given) claiming total bytes; returns its length.  Checksum is right. */
static size_t build_v4(uint8_t *b, unsigned ihl, uint16_t total, uint8_t proto,
		       const uint8_t *opts, size_t optlen)
{
	struct wr w = wr_init(b, 60);
	wr_u8(&w, (uint8_t)(0x40 | ihl));
	wr_u8(&w, 0xb8);             /* dscp 46, not-ECT */
	wr_u16(&w, total);
	wr_u16(&w, 0x1234);
	wr_u16(&w, 0x4000);          /* DF */
	wr_u8(&w, 64);
	wr_u8(&w, proto);
	uint8_t *ck = wr_reserve(&w, 2);
	wr_bytes(&w, v4src, 4);
	wr_bytes(&w, v4dst, 4);
	size_t hl = (size_t)ihl * 4;
	if (hl > 20) {
		size_t i = 0;
		for (; i < optlen && i < hl - 20; i++)
			wr_u8(&w, opts[i]);
		for (; i < hl - 20; i++)
			wr_u8(&w, 1);
	}
	if (ck && hl >= 20)
		be16_put(ck, cksum(b, hl));
	return wr_len(&w);
}

/* Fixed IPv6 header with next header nh and payload length plen. */
static size_t build_v6(uint8_t *b, uint8_t nh, uint16_t plen)
{
	struct wr w = wr_init(b, 40);
	wr_u32(&w, 6u << 28 | 0x12u << 20 | 0xabcde);
	wr_u16(&w, plen);
	wr_u8(&w, nh);
	wr_u8(&w, 55);
	wr_bytes(&w, v6src, 16);
	wr_bytes(&w, v6dst, 16);
	return wr_len(&w);
}

/* An 8-byte extension header (hop-by-hop / destination options / routing
 * with PadN, or a fragment header). */
static size_t ext8(uint8_t *b, uint8_t type, uint8_t next)
{
	memset(b, 0, 8);
	b[0] = next;
	if (type == 44) {
		b[2] = 0x00;
		b[3] = 0x01;             /* offset 0, M flag */
		b[4] = 0xde; b[5] = 0xad; b[6] = 0xbe; b[7] = 0xef;
	} else {
		b[1] = 0;                /* 8 bytes */
		b[2] = 1;                /* PadN */
		b[3] = 4;
	}
	return 8;
}

UNIT_TEST(ip4_with_options)
{
	uint8_t b[64];
	const uint8_t ra[4] = { 148, 4, 0, 0 };    /* router alert */
	size_t n = build_v4(b, 6, 24 + 8, IPPROTO_UDP, ra, sizeof(ra));
	memset(b + n, 0x5a, 8);
	struct rd r = rd_init(b, n + 8);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), 0);
	CHECK(h.fam == ipfam_get(AF_INET));
	CHECK_EQ_INT(h.hdr_len, 24);
	CHECK_EQ_INT(h.opt_len, 4);
	CHECK_EQ_INT(h.total_len, 32);
	CHECK_EQ_INT(h.tos, 0xb8);
	CHECK_EQ_INT(h.id, 0x1234);
	CHECK(h.df && !h.mf);
	CHECK_EQ_INT(h.frag_off, 0);
	CHECK_EQ_INT(h.ttl, 64);
	CHECK_EQ_INT(h.proto, IPPROTO_UDP);
	CHECK(h.cksum_ok);
	CHECK(memcmp(h.src.bytes, v4src, 4) == 0 && h.src.family == AF_INET);
	CHECK(memcmp(h.dst.bytes, v4dst, 4) == 0);
	CHECK_EQ_INT(rd_left(&r), 8);              /* left at the payload */
	CHECK_EQ_INT(rd_peek(&r)[0], 0x5a);
}

UNIT_TEST(ip4_max_options)
{
	uint8_t b[64];
	size_t n = build_v4(b, 15, 60, IPPROTO_ICMP, NULL, 0);
	struct rd r = rd_init(b, n);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), 0);
	CHECK_EQ_INT(h.hdr_len, 60);
	CHECK_EQ_INT(h.opt_len, 40);
	CHECK(h.cksum_ok);
	CHECK_EQ_INT(rd_left(&r), 0);
}

UNIT_TEST(ip4_fragment_fields)
{
	uint8_t b[20];
	build_v4(b, 5, 20, IPPROTO_UDP, NULL, 0);
	b[6] = 0x20 | 0x01;          /* MF, offset 0x0102 words */
	b[7] = 0x02;
	b[10] = b[11] = 0;
	be16_put(b + 10, cksum(b, 20));
	struct rd r = rd_init(b, 20);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), 0);
	CHECK(h.mf && !h.df);
	CHECK_EQ_INT(h.frag_off, 0x102 * 8);
}

UNIT_TEST(ip4_bad_ihl_below_5)
{
	uint8_t b[20];
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		build_v4(b, 5, 20, IPPROTO_UDP, NULL, 0);
		b[0] = (uint8_t)(0x40 | ihl);
		struct rd r = rd_init(b, sizeof(b));
		struct ip_hdr h;
		CHECK_EQ_INT(ip_decode(&r, &h), -1);
	}
}

UNIT_TEST(ip4_ihl_beyond_buffer)
{
	uint8_t b[64];
	size_t n = build_v4(b, 6, 24, IPPROTO_UDP, NULL, 0);
	struct rd r = rd_init(b, n - 1);   /* options cut short */
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), -1);
	b[0] = 0x4f;                       /* 60-byte header in 24 bytes */
	r = rd_init(b, n);
	CHECK_EQ_INT(ip_decode(&r, &h), -1);
}

UNIT_TEST(ip4_truncated_fixed_header)
{
	uint8_t b[20];
	build_v4(b, 5, 20, IPPROTO_UDP, NULL, 0);
	for (size_t len = 0; len < 20; len++) {
		struct rd r = rd_init(b, len);
		struct ip_hdr h;
		CHECK_EQ_INT(ip_decode(&r, &h), -1);
	}
}

UNIT_TEST(ip4_checksum_verify)
{
	uint8_t b[20];
	build_v4(b, 5, 20, IPPROTO_UDP, NULL, 0);
	struct rd r = rd_init(b, 20);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), 0);
	CHECK(h.cksum_ok);
	b[8] = 63;                         /* a router decremented TTL without fixing it */
	r = rd_init(b, 20);
	CHECK_EQ_INT(ip_decode(&r, &h), 0);   /* still decodes ... */
	CHECK(!h.cksum_ok);                    /* ... but says so */
}

UNIT_TEST(ip_bad_version_and_empty)
{
	uint8_t b[40] = { 0x50 };
	struct ip_hdr h;
	struct rd r = rd_init(b, sizeof(b));
	CHECK_EQ_INT(ip_decode(&r, &h), -1);
	r = rd_init(b, 0);
	CHECK_EQ_INT(ip_decode(&r, &h), -1);
	r = rd_init(NULL, 0);
	CHECK_EQ_INT(ip_decode(&r, &h), -1);
}

UNIT_TEST(ip6_plain)
{
	uint8_t b[48];
	size_t n = build_v6(b, IPPROTO_ICMPV6, 8);
	memset(b + n, 0x77, 8);
	struct rd r = rd_init(b, n + 8);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), 0);
	CHECK(h.fam == ipfam_get(AF_INET6));
	CHECK_EQ_INT(h.tos, 0x12);
	CHECK_EQ_INT(h.flow, 0xabcde);
	CHECK_EQ_INT(h.total_len, 48);
	CHECK_EQ_INT(h.ttl, 55);
	CHECK_EQ_INT(h.proto, IPPROTO_ICMPV6);
	CHECK_EQ_INT(h.hdr_len, 40);
	CHECK(h.cksum_ok);
	CHECK(memcmp(h.src.bytes, v6src, 16) == 0 && memcmp(h.dst.bytes, v6dst, 16) == 0);
	CHECK_EQ_INT(rd_left(&r), 8);
}

UNIT_TEST(ip6_extension_headers)
{
	uint8_t b[128];
	size_t n = build_v6(b, 0, 24 + 8);
	n += ext8(b + n, 0, 60);          /* hop-by-hop -> destination options */
	n += ext8(b + n, 60, 44);         /* destination options -> fragment */
	n += ext8(b + n, 44, IPPROTO_UDP);
	memset(b + n, 0x11, 8);
	struct rd r = rd_init(b, n + 8);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), 0);
	CHECK_EQ_INT(h.proto, IPPROTO_UDP);
	CHECK_EQ_INT(h.hdr_len, 64);
	CHECK(h.mf);
	CHECK_EQ_INT(h.frag_off, 0);
	CHECK_EQ_INT(h.id, 0xbeef);
	CHECK_EQ_INT(rd_left(&r), 8);
}

UNIT_TEST(ip6_extension_header_bound)
{
	uint8_t b[40 + 9 * 8 + 8];
	/* exactly IP6_MAX_EXT_HEADERS: accepted */
	size_t n = build_v6(b, 60, 8 * IP6_MAX_EXT_HEADERS);
	for (int i = 0; i < IP6_MAX_EXT_HEADERS; i++)
		n += ext8(b + n, 60, i == IP6_MAX_EXT_HEADERS - 1 ? IPPROTO_TCP : 60);
	struct rd r = rd_init(b, n);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), 0);
	CHECK_EQ_INT(h.proto, IPPROTO_TCP);
	CHECK_EQ_INT(h.hdr_len, 40 + 8 * IP6_MAX_EXT_HEADERS);

	/* one more: refused */
	n = build_v6(b, 60, 8 * (IP6_MAX_EXT_HEADERS + 1));
	for (int i = 0; i <= IP6_MAX_EXT_HEADERS; i++)
		n += ext8(b + n, 60, i == IP6_MAX_EXT_HEADERS ? IPPROTO_TCP : 60);
	r = rd_init(b, n);
	CHECK_EQ_INT(ip_decode(&r, &h), -1);
}

UNIT_TEST(ip6_truncated)
{
	uint8_t b[64];
	size_t n = build_v6(b, 0, 8);
	n += ext8(b + n, 0, IPPROTO_UDP);
	for (size_t len = 0; len < n; len++) {
		struct rd r = rd_init(b, len);
		struct ip_hdr h;
		CHECK_EQ_INT(ip_decode(&r, &h), -1);
	}
	/* an extension header claiming more than is there */
	b[41] = 3;                        /* 32 bytes */
	struct rd r = rd_init(b, n);
	struct ip_hdr h;
	CHECK_EQ_INT(ip_decode(&r, &h), -1);
}

UNIT_TEST(ip_encode_round_trip)
{
	const struct ipfam *fams[2] = { ipfam_get(AF_INET), ipfam_get(AF_INET6) };
	for (int i = 0; i < 2; i++) {
		struct ip_hdr in = { .fam = fams[i], .tos = 0x10, .flow = 0x54321, .id = 77,
				     .df = i == 0, .ttl = 9, .proto = IPPROTO_ICMP };
		addr_from_bytes(&in.src, fams[i]->family, i ? v6src : v4src);
		addr_from_bytes(&in.dst, fams[i]->family, i ? v6dst : v4dst);
		uint8_t b[64];
		struct wr w = wr_init(b, sizeof(b));
		CHECK_EQ_INT(ip_encode(&w, &in, 100), 0);
		CHECK_EQ_INT(wr_len(&w), fams[i]->hdr_len);
		struct rd r = rd_init(b, wr_len(&w));
		struct ip_hdr out;
		CHECK_EQ_INT(ip_decode(&r, &out), 0);
		CHECK(out.fam == fams[i]);
		CHECK_EQ_INT(out.tos, 0x10);
		CHECK_EQ_INT(out.ttl, 9);
		CHECK_EQ_INT(out.proto, IPPROTO_ICMP);
		CHECK_EQ_INT(out.total_len, fams[i]->hdr_len + 100);
		CHECK(out.cksum_ok);
		CHECK(addr_eq(&out.src, &in.src) && addr_eq(&out.dst, &in.dst));
		if (i == 0) {
			CHECK_EQ_INT(out.id, 77);
			CHECK(out.df);
		} else {
			CHECK_EQ_INT(out.flow, 0x54321);
		}
	}
}

UNIT_TEST(ip_encode_overflow)
{
	struct ip_hdr in = { .fam = ipfam_get(AF_INET), .ttl = 1 };
	addr_from_bytes(&in.src, AF_INET, v4src);
	addr_from_bytes(&in.dst, AF_INET, v4dst);
	uint8_t b[19];
	struct wr w = wr_init(b, sizeof(b));
	CHECK_EQ_INT(ip_encode(&w, &in, 0), -1);
	uint8_t big[20];
	w = wr_init(big, sizeof(big));
	CHECK_EQ_INT(ip_encode(&w, &in, 65536), -1);
}

UNIT_TEST(icmp_echo_v4)
{
	const struct ipfam *f = ipfam_get(AF_INET);
	uint8_t b[64], pl[56];
	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)i;
	struct wr w = wr_init(b, sizeof(b));
	CHECK_EQ_INT(icmp_echo_encode(&w, f, f->echo_request, 0x04d2, 1, pl, sizeof(pl)), 0);
	CHECK_EQ_INT(wr_len(&w), 64);
	CHECK_EQ_INT(cksum(b, 64), 0);                 /* checksum covers it all */
	struct rd r = rd_init(b, 64);
	struct icmp_msg m;
	CHECK_EQ_INT(icmp_decode(&r, f, &m), 0);
	CHECK_EQ_INT(m.type, 8);
	CHECK_EQ_INT(m.code, 0);
	CHECK_EQ_INT(m.id, 0x04d2);
	CHECK_EQ_INT(m.seq, 1);
	CHECK_EQ_INT(m.body_len, 56);
	CHECK_EQ_INT(m.len, 64);
	CHECK(memcmp(m.body, pl, 56) == 0);
	CHECK(icmp_kind(&m) == ICMPK_ECHO_REQUEST);
	CHECK(!icmp_kind_is_error(icmp_kind(&m)));
	CHECK_EQ_INT(rd_left(&r), 0);
}

UNIT_TEST(icmp_echo_v6_leaves_checksum_to_kernel)
{
	const struct ipfam *f = ipfam_get(AF_INET6);
	uint8_t b[16];
	struct wr w = wr_init(b, sizeof(b));
	CHECK_EQ_INT(icmp_echo_encode(&w, f, f->echo_request, 7, 9, "abcdefgh", 8), 0);
	CHECK_EQ_INT(b[0], 128);
	CHECK_EQ_INT(be16_get(b + 2), 0);
	w = wr_init(b, 15);
	CHECK_EQ_INT(icmp_echo_encode(&w, f, f->echo_request, 7, 9, "abcdefgh", 8), -1);
}

UNIT_TEST(icmp_short_header)
{
	uint8_t b[8] = { 8 };
	for (size_t len = 0; len < 8; len++) {
		struct rd r = rd_init(b, len);
		struct icmp_msg m;
		CHECK_EQ_INT(icmp_decode(&r, ipfam_get(AF_INET), &m), -1);
	}
}

/* A v4 time exceeded quoting the first 28 bytes of an 84-byte echo. */
static size_t build_time_exceeded(uint8_t *b, size_t quote_len)
{
	struct wr w = wr_init(b, 128);
	wr_u8(&w, 11);
	wr_u8(&w, 0);
	uint8_t *ck = wr_reserve(&w, 2);
	wr_u32(&w, 0);
	uint8_t q[60];
	size_t n = build_v4(q, 5, 84, IPPROTO_ICMP, NULL, 0);
	uint8_t echo[8] = { 8, 0, 0x12, 0x34, 0x04, 0xd2, 0, 1 };
	memcpy(q + n, echo, 8);
	wr_bytes(&w, q, quote_len);
	be16_put(ck, cksum(b, wr_len(&w)));
	return wr_len(&w);
}

UNIT_TEST(icmp_quote_truncated)
{
	uint8_t b[128];
	size_t n = build_time_exceeded(b, 28);
	struct rd r = rd_init(b, n);
	struct icmp_msg m;
	CHECK_EQ_INT(icmp_decode(&r, ipfam_get(AF_INET), &m), 0);
	CHECK(icmp_kind(&m) == ICMPK_TIME_EXCEEDED);
	CHECK(icmp_kind_is_error(icmp_kind(&m)));
	struct icmp_quote q;
	CHECK_EQ_INT(icmp_quote_decode(&m, &q), 0);
	CHECK(q.truncated);                      /* header says 84, 28 quoted */
	CHECK_EQ_INT(q.ip.total_len, 84);
	CHECK_EQ_INT(q.ip.proto, IPPROTO_ICMP);
	CHECK_EQ_INT(q.l4_len, 8);
	CHECK_EQ_INT(q.l4[0], 8);
	CHECK_EQ_INT(be16_get(q.l4 + 4), 0x04d2);
}

UNIT_TEST(icmp_quote_too_short_for_header)
{
	uint8_t b[128];
	size_t n = build_time_exceeded(b, 12);   /* not even an IP header */
	struct rd r = rd_init(b, n);
	struct icmp_msg m;
	CHECK_EQ_INT(icmp_decode(&r, ipfam_get(AF_INET), &m), 0);
	struct icmp_quote q;
	CHECK_EQ_INT(icmp_quote_decode(&m, &q), -1);
}

UNIT_TEST(icmp_quote_wrong_family)
{
	/* An ICMPv6 time exceeded quoting an IPv4 packet. */
	uint8_t b[128];
	size_t n = build_time_exceeded(b, 28);
	b[0] = 3;
	struct rd r = rd_init(b, n);
	struct icmp_msg m;
	CHECK_EQ_INT(icmp_decode(&r, ipfam_get(AF_INET6), &m), 0);
	CHECK(icmp_kind(&m) == ICMPK_TIME_EXCEEDED);
	struct icmp_quote q;
	CHECK_EQ_INT(icmp_quote_decode(&m, &q), -1);
}

static const char *describe(int family, uint8_t type, uint8_t code, uint32_t info, char *buf, size_t len)
{
	struct icmp_msg m = { .fam = ipfam_get(family), .type = type, .code = code, .info = info };
	return icmp_describe(&m, buf, len);
}

UNIT_TEST(icmp_describe_iputils_wording)
{
	char b[128];
	CHECK_STR(describe(AF_INET, 3, 1, 0, b, sizeof(b)), "Destination Host Unreachable");
	CHECK_STR(describe(AF_INET, 3, 4, 1400, b, sizeof(b)), "Frag needed and DF set (mtu = 1400)");
	CHECK_STR(describe(AF_INET, 11, 0, 0, b, sizeof(b)), "Time to live exceeded");
	CHECK_STR(describe(AF_INET, 3, 13, 0, b, sizeof(b)), "Packet filtered");
	CHECK_STR(describe(AF_INET6, 1, 0, 0, b, sizeof(b)), "Destination unreachable: No route");
	CHECK_STR(describe(AF_INET6, 2, 0, 1280, b, sizeof(b)), "Packet too big: mtu=1280");
	CHECK_STR(describe(AF_INET6, 3, 0, 0, b, sizeof(b)), "Time exceeded: Hop limit");
}

UNIT_TEST(icmp_mtu_and_kinds)
{
	struct icmp_msg m = { .fam = ipfam_get(AF_INET), .type = 3, .code = 4, .info = 0xabcd0578 };
	CHECK(icmp_kind(&m) == ICMPK_TOO_BIG);
	CHECK_EQ_INT(icmp_mtu(&m), 1400);          /* low 16 bits only (RFC 1191) */
	m.code = 3;
	CHECK(icmp_kind(&m) == ICMPK_UNREACH);
	CHECK_EQ_INT(icmp_mtu(&m), 0);
	struct icmp_msg m6 = { .fam = ipfam_get(AF_INET6), .type = 2, .info = 1280 };
	CHECK(icmp_kind(&m6) == ICMPK_TOO_BIG);
	CHECK_EQ_INT(icmp_mtu(&m6), 1280);
	m6.type = 129;
	CHECK(icmp_kind(&m6) == ICMPK_ECHO_REPLY);
}

int main(void)
{
	RUN(ip4_with_options);
	RUN(ip4_max_options);
	RUN(ip4_fragment_fields);
	RUN(ip4_bad_ihl_below_5);
	RUN(ip4_ihl_beyond_buffer);
	RUN(ip4_truncated_fixed_header);
	RUN(ip4_checksum_verify);
	RUN(ip_bad_version_and_empty);
	RUN(ip6_plain);
	RUN(ip6_extension_headers);
	RUN(ip6_extension_header_bound);
	RUN(ip6_truncated);
	RUN(ip_encode_round_trip);
	RUN(ip_encode_overflow);
	RUN(icmp_echo_v4);
	RUN(icmp_echo_v6_leaves_checksum_to_kernel);
	RUN(icmp_short_header);
	RUN(icmp_quote_truncated);
	RUN(icmp_quote_too_short_for_header);
	RUN(icmp_quote_wrong_family);
	RUN(icmp_describe_iputils_wording);
	RUN(icmp_mtu_and_kinds);
	return unit_done();
}
