/*
 * test_decode — the -v/-vv teaching printer and the --pcap writer, the two
 * ways a student sees the packets of a run.
 *
 * Packets are built in code with the library's own encoders (clearer than
 * binary fixtures: each test says what it builds), decoded into a
 * memstream, and checked for the lines a student reads.  Then every
 * truncation of every packet, at every start layer, and random garbage:
 * the printer must never read past the end (run under ASan by make asan).
 * The pcap part reads the file back with tcpdump when it is installed.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "buf.h"
#include "cksum.h"
#include "decode.h"
#include "icmp.h"
#include "ip.h"
#include "pcap.h"
#include "unit.h"

#define CHECK_HAS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) { unit_cur_failed++; \
	printf("# %s:%d: output lacks \"%s\"\n", __FILE__, __LINE__, n_); } } while (0)
#define CHECK_LACKS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
	if (h_ && strstr(h_, n_)) { unit_cur_failed++; \
	printf("# %s:%d: output has \"%s\"\n", __FILE__, __LINE__, n_); } } while (0)

static char *out_buf;

/* Decode into a memstream; the text stays in out_buf until the next call. */
static const char *dec(int level, enum decode_start start, const struct ipfam *fam,
		       const void *pkt, size_t len)
{
	free(out_buf);
	out_buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out_buf, &n);
	struct decode d = { .out = f, .level = level, .t0 = clock_mono() };
	decode_packet(&d, "recv", start, fam, pkt, len);
	fclose(f);
	return out_buf;
}

static struct addr A(const char *s)
{
	struct addr a;
	addr_parse(&a, s, 0);
	return a;
}

/* IPv4 or IPv6 header + ICMP echo request (id 1234, seq 1, 56 bytes). */
static size_t build_echo(uint8_t *b, size_t cap, const char *src, const char *dst)
{
	struct ip_hdr h = { .ttl = 64, .df = true, .id = 0x1c46 };
	h.src = A(src);
	h.dst = A(dst);
	h.fam = ipfam_get(h.src.family);
	h.proto = (uint8_t)h.fam->icmp_proto;
	uint8_t pl[56];
	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)i;
	struct wr w = wr_init(b, cap);
	ip_encode(&w, &h, 64);
	size_t ip_len = wr_len(&w);
	icmp_echo_encode(&w, h.fam, h.fam->echo_request, 1234, 1, pl, sizeof(pl));
	if (h.fam->kernel_icmp_cksum) {
		uint32_t s = cksum_pseudo(&h.src, &h.dst, IPPROTO_ICMPV6, 64);
		be16_put(b + ip_len + 2, cksum_finish(cksum_add(s, b + ip_len, 64)));
	}
	return wr_len(&w);
}

/* An ICMPv4 error from 10.0.0.254 quoting the first quote_len bytes of q. */
static size_t build_v4_error(uint8_t *b, size_t cap, uint8_t type, uint8_t code, uint32_t info,
			     const uint8_t *q, size_t quote_len)
{
	struct ip_hdr h = { .fam = ipfam_get(AF_INET), .ttl = 255, .proto = IPPROTO_ICMP };
	h.src = A("10.0.0.254");
	h.dst = A("10.0.0.1");
	struct wr w = wr_init(b, cap);
	ip_encode(&w, &h, 8 + quote_len);
	size_t start = wr_len(&w);
	wr_u8(&w, type);
	wr_u8(&w, code);
	uint8_t *ck = wr_reserve(&w, 2);
	wr_u32(&w, info);
	wr_bytes(&w, q, quote_len);
	if (ck)
		be16_put(ck, cksum(b + start, wr_len(&w) - start));
	return wr_len(&w);
}

/* IPv6 + TCP SYN with MSS, SACK-permitted, timestamps, NOP, wscale. */
static size_t build_tcp_syn(uint8_t *b, size_t cap)
{
	static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	struct ip_hdr h = { .fam = ipfam_get(AF_INET6), .ttl = 64, .proto = IPPROTO_TCP };
	h.src = A("fd00::1");
	h.dst = A("fd00::2");
	struct wr w = wr_init(b, cap);
	ip_encode(&w, &h, 40);
	size_t start = wr_len(&w);
	wr_u16(&w, 40000);
	wr_u16(&w, 80);
	wr_u32(&w, 123456789);
	wr_u32(&w, 0);
	wr_u16(&w, 10 << 12 | 0x0c2);      /* SYN ECE CWR */
	wr_u16(&w, 64800);
	uint8_t *ck = wr_reserve(&w, 2);
	wr_u16(&w, 0);
	wr_bytes(&w, opts, sizeof(opts));
	if (ck)
		be16_put(ck, cksum_finish(cksum_add(cksum_pseudo(&h.src, &h.dst, IPPROTO_TCP, 40),
						    b + start, 40)));
	return wr_len(&w);
}

/* Ethernet + IPv4 + UDP (DNS-ish payload "hello"). */
static size_t build_ether_udp(uint8_t *b, size_t cap)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	struct ip_hdr h = { .fam = ipfam_get(AF_INET), .ttl = 64, .proto = IPPROTO_UDP };
	h.src = A("10.0.0.1");
	h.dst = A("10.0.0.53");
	struct wr w = wr_init(b, cap);
	wr_bytes(&w, macs, 12);
	wr_u16(&w, 0x0800);
	ip_encode(&w, &h, 13);
	size_t start = wr_len(&w);
	wr_u16(&w, 5353);
	wr_u16(&w, 53);
	wr_u16(&w, 13);
	uint8_t *ck = wr_reserve(&w, 2);
	wr_bytes(&w, "hello", 5);
	if (ck)
		be16_put(ck, cksum_finish(cksum_add(cksum_pseudo(&h.src, &h.dst, IPPROTO_UDP, 13),
						    b + start, 13)));
	return wr_len(&w);
}

/* Ethernet + gratuitous ARP request from 10.0.0.7, padded to 60 bytes. */
static size_t build_garp(uint8_t *b)
{
	static const uint8_t f[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x07, 0x08, 0x06,
		0, 1, 0x08, 0, 6, 4, 0, 1,
		0x02, 0, 0, 0, 0, 0x07, 10, 0, 0, 7,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 7,
	};
	memcpy(b, f, sizeof(f));
	return sizeof(f);
}

UNIT_TEST(echo_request_v4)
{
	uint8_t b[128];
	size_t n = build_echo(b, sizeof(b), "10.0.0.1", "10.0.0.2");
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK(strncmp(o, "[", 1) == 0);
	CHECK_HAS(o, " ms] recv 84 bytes\n");
	CHECK_HAS(o, "  IPv4   version 4, ihl 5 (20 bytes), tos 0x00 (dscp 0, ecn Not-ECT), total length 84\n");
	CHECK_HAS(o, "id 0x1c46 (7238), flags DF, fragment offset 0, ttl 64, protocol 1 (ICMP)");
	CHECK_HAS(o, "(correct), options 0 bytes");
	CHECK_HAS(o, "src 10.0.0.1, dst 10.0.0.2");
	CHECK_HAS(o, "  ICMP   type 8 (Echo Request) code 0, cksum 0x");
	CHECK_HAS(o, "id 0x04d2 (1234), seq 1, payload 56 bytes\n");
	CHECK_HAS(o, "meaning: ");
	CHECK_LACKS(o, "truncated");
	CHECK_LACKS(o, "WRONG");
	CHECK_LACKS(o, "0000  ");                 /* no hexdump at level 1 */

	o = dec(2, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "  0000  45 00 00 54 1c 46 40 00  40 01");
	CHECK_HAS(o, "  0050  34 35 36 37");
}

UNIT_TEST(echo_request_v6_and_from_icmp)
{
	uint8_t b[128];
	size_t n = build_echo(b, sizeof(b), "fd00::1", "fd00::2");
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "  IPv6   version 6, traffic class 0x00");
	CHECK_HAS(o, "payload length 64, next header 58 (ICMPv6), hop limit 64");
	CHECK_HAS(o, "src fd00::1, dst fd00::2");
	CHECK_HAS(o, "  ICMPv6 type 128 (Echo Request) code 0, cksum 0x");
	CHECK_HAS(o, "(correct)");             /* pseudo-header checksum verified */

	o = dec(1, DECODE_FROM_ICMP, ipfam_get(AF_INET6), b + 40, n - 40);
	CHECK_HAS(o, "  ICMPv6 type 128 (Echo Request)");
	CHECK_HAS(o, "not verified: needs the IP addresses");

	n = build_echo(b, sizeof(b), "10.0.0.1", "10.0.0.2");
	o = dec(1, DECODE_FROM_ICMP, ipfam_get(AF_INET), b + 20, n - 20);
	CHECK_HAS(o, "  ICMP   type 8 (Echo Request) code 0, cksum 0x");
	CHECK_HAS(o, "(correct)");
	o = dec(1, DECODE_FROM_ICMP, NULL, b + 20, n - 20);
	CHECK_HAS(o, "[malformed: no address family given]");
}

UNIT_TEST(time_exceeded_with_quote)
{
	uint8_t q[128], b[256];
	build_echo(q, sizeof(q), "10.0.0.1", "10.0.0.2");
	size_t n = build_v4_error(b, sizeof(b), 11, 0, 0, q, 28);
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "  ICMP   type 11 (Time Exceeded) code 0 (TTL Exceeded in Transit), cksum 0x");
	CHECK_HAS(o, "meaning: a router decremented the TTL to zero");
	CHECK_HAS(o, "quoted packet, 28 bytes:\n");
	/* the quote, indented one level deeper */
	CHECK_HAS(o, "\n      IPv4   version 4, ihl 5 (20 bytes)");
	CHECK_HAS(o, "payload 8 of 64 bytes present (truncated: an ICMP error quotes only the start)");
	CHECK_HAS(o, "\n      ICMP   type 8 (Echo Request) code 0");
	CHECK_HAS(o, "not verified: segment incomplete");
	CHECK_HAS(o, "id 0x04d2 (1234), seq 1, payload 56 bytes (0 present)");
}

UNIT_TEST(frag_needed_and_other_errors)
{
	uint8_t q[128], b[256];
	build_echo(q, sizeof(q), "10.0.0.1", "10.0.0.2");
	size_t n = build_v4_error(b, sizeof(b), 3, 4, 1400, q, 28);
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "type 3 (Destination Unreachable) code 4 (Fragmentation Needed)");
	CHECK_HAS(o, "next-hop mtu 1400");

	n = build_v4_error(b, sizeof(b), 5, 1, 0x0a0000fe, q, 28);
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "type 5 (Redirect) code 1 (Redirect Host)");
	CHECK_HAS(o, "gateway 10.0.0.254");

	n = build_v4_error(b, sizeof(b), 12, 0, 0x09000000, q, 28);
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "pointer 9 ");

	/* a UDP probe quoted by a port unreachable: ports are in the quote */
	uint8_t u[128];
	size_t un = build_ether_udp(u, sizeof(u));
	n = build_v4_error(b, sizeof(b), 3, 3, 0, u + 14, un - 14);
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "code 3 (Port Unreachable)");
	CHECK_HAS(o, "\n      UDP    sport 5353, dport 53, length 13");
}

UNIT_TEST(quoted_tcp_header_is_cut_short)
{
	uint8_t t[128], b[256];
	build_tcp_syn(t, sizeof(t));
	/* Turn the v6 SYN into a v6 time exceeded's quote (48 bytes: IPv6 + 8). */
	struct ip_hdr h = { .fam = ipfam_get(AF_INET6), .ttl = 64, .proto = IPPROTO_ICMPV6 };
	h.src = A("fd00::fe");
	h.dst = A("fd00::1");
	struct wr w = wr_init(b, sizeof(b));
	ip_encode(&w, &h, 8 + 48);
	wr_u8(&w, 3);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, 0);
	wr_bytes(&w, t, 48);
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, wr_len(&w));
	CHECK_HAS(o, "ICMPv6 type 3 (Time Exceeded) code 0 (Hop Limit Exceeded in Transit)");
	CHECK_HAS(o, "WRONG, should be 0x");              /* we left the checksum 0 */
	CHECK_HAS(o, "\n      TCP    sport 40000, dport 80, seq 123456789\n");
	CHECK_HAS(o, "[truncated: need 20 bytes, have 8]");
}

UNIT_TEST(quote_nesting_is_bounded)
{
	uint8_t l0[128], l1[256], l2[384], l3[512];
	size_t n = build_echo(l0, sizeof(l0), "10.0.0.1", "10.0.0.2");
	n = build_v4_error(l1, sizeof(l1), 11, 0, 0, l0, n);
	n = build_v4_error(l2, sizeof(l2), 11, 0, 0, l1, n);
	n = build_v4_error(l3, sizeof(l3), 11, 0, 0, l2, n);
	const char *o = dec(1, DECODE_FROM_IP, NULL, l3, n);
	CHECK_HAS(o, "\n      IPv4   ");               /* quote */
	CHECK_HAS(o, "\n          IPv4   ");           /* quote inside the quote */
	CHECK_LACKS(o, "\n              IPv4   ");     /* not a third level */
	CHECK_HAS(o, "[not decoded: quotes are decoded at most 2 levels deep]");
}

UNIT_TEST(tcp_syn_with_options)
{
	uint8_t b[128];
	size_t n = build_tcp_syn(b, sizeof(b));
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "  TCP    sport 40000, dport 80, seq 123456789, ack 0\n");
	CHECK_HAS(o, "data offset 10 (40 bytes), flags SYN ECE CWR, window 64800\n");
	CHECK_HAS(o, "(correct), urgent 0");
	CHECK_HAS(o, "options MSS 1460, SACK-permitted, TS val 1 ecr 0, NOP, window scale 7\n");
	CHECK_HAS(o, "payload 0 bytes");

	b[40 + 20 + 1] = 1;                       /* MSS length 1: stops the walk */
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "options [malformed: kind 2 length 1, 18 bytes left]\n");
	CHECK_HAS(o, "WRONG, should be 0x");

	b[40 + 20 + 1] = 60;                      /* runs past the header */
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "[malformed: kind 2 length 60");

	b[40 + 20 + 1] = 3;                       /* well-formed TLV, wrong size for MSS */
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "[malformed: kind 2 with length 3]");
}

static int app_calls;
static void app(const struct decode *d, int ipproto, uint16_t sport, uint16_t dport,
		const uint8_t *payload, size_t len)
{
	app_calls++;
	decode_line(d, 2, "DNS", "proto %d %u->%u %zu bytes %.*s", ipproto, sport, dport, len, (int)len,
		    (const char *)payload);
}

UNIT_TEST(ether_udp_with_app_hook)
{
	uint8_t b[128];
	size_t n = build_ether_udp(b, sizeof(b));
	free(out_buf);
	size_t sz = 0;
	FILE *f = open_memstream(&out_buf, &sz);
	struct decode d = { .out = f, .level = 1, .t0 = clock_mono(), .app = app };
	app_calls = 0;
	decode_packet(&d, "sent", DECODE_FROM_ETHER, NULL, b, n);
	fclose(f);
	const char *o = out_buf;
	CHECK_HAS(o, "  ETH    dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800 (IPv4)\n");
	CHECK_HAS(o, "  UDP    sport 5353, dport 53, length 13, cksum 0x");
	CHECK_HAS(o, "(correct)");
	CHECK_HAS(o, "payload 5 bytes");
	CHECK_HAS(o, "  DNS    proto 17 5353->53 5 bytes hello\n");
	CHECK_EQ_INT(app_calls, 1);
	CHECK_LACKS(o, "WRONG");
}

UNIT_TEST(gratuitous_arp)
{
	uint8_t b[60];
	size_t n = build_garp(b);
	const char *o = dec(1, DECODE_FROM_ETHER, NULL, b, n);
	CHECK_HAS(o, "type 0x0806 (ARP)");
	CHECK_HAS(o, "  ARP    htype 1 (Ethernet), ptype 0x0800 (IPv4), hlen 6, plen 4, op 1 (request)\n");
	CHECK_HAS(o, "sender 02:00:00:00:00:07 10.0.0.7\n");
	CHECK_HAS(o, "target 00:00:00:00:00:00 10.0.0.7\n");
	CHECK_HAS(o, "gratuitous: sender IP == target IP");
	CHECK_HAS(o, "18 bytes of trailing padding");
	b[41] = 8;                                /* an ordinary request for 10.0.0.8 */
	b[21] = 2;
	o = dec(1, DECODE_FROM_ETHER, NULL, b, n);
	CHECK_HAS(o, "op 2 (reply)");
	CHECK_LACKS(o, "gratuitous");
}

UNIT_TEST(ipv6_extension_headers_and_fragments)
{
	uint8_t b[128];
	size_t n = build_echo(b, sizeof(b), "fd00::1", "fd00::2");
	/* insert hop-by-hop (PadN) and a fragment header before the ICMPv6 */
	uint8_t p[160];
	memcpy(p, b, 40);
	p[6] = 0;                                  /* next: hop-by-hop */
	be16_put(p + 4, 64 + 16);
	const uint8_t hbh[8] = { 44, 0, 1, 4, 0, 0, 0, 0 };
	const uint8_t frag[8] = { 58, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef };   /* offset 0, M */
	memcpy(p + 40, hbh, 8);
	memcpy(p + 48, frag, 8);
	memcpy(p + 56, b + 40, n - 40);
	const char *o = dec(1, DECODE_FROM_IP, NULL, p, n + 16);
	CHECK_HAS(o, "next header 0 (Hop-by-Hop Options)");
	CHECK_HAS(o, "ext Hop-by-Hop Options: 8 bytes, next header 44 (Fragment)");
	CHECK_HAS(o, "ext Fragment: offset 0, more fragments, id 0xdeadbeef, next header 58 (ICMPv6)");
	CHECK_HAS(o, "ICMPv6 type 128 (Echo Request)");
	CHECK_HAS(o, "not verified: fragment");

	p[50] = 0x01;                              /* offset 256 bytes: not the first fragment */
	o = dec(1, DECODE_FROM_IP, NULL, p, n + 16);
	CHECK_HAS(o, "fragment at offset 256: 64 bytes of ICMPv6 data, not decoded");
	CHECK_LACKS(o, "Echo Request");
}

UNIT_TEST(ipv4_malformed_headers)
{
	uint8_t b[128];
	size_t n = build_echo(b, sizeof(b), "10.0.0.1", "10.0.0.2");
	b[8] = 1;                                  /* TTL changed, checksum not */
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "ttl 1,");
	CHECK_HAS(o, "header checksum 0x0a61 (WRONG, should be 0x");

	b[0] = 0x44;
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "[malformed: ihl 4: the header is at least 5 words (RFC 791)]");
	CHECK_LACKS(o, "ICMP ");

	b[0] = 0x4f;                               /* 60-byte header, options all junk */
	o = dec(1, DECODE_FROM_IP, NULL, b, 40);
	CHECK_HAS(o, "[truncated: need 60 bytes, have 40]");

	n = build_echo(b, sizeof(b), "10.0.0.1", "10.0.0.2");
	be16_put(b + 2, 10);                       /* total length < header */
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "[malformed: total length 10 is shorter than the 20-byte header]");

	b[0] = 0x75;
	o = dec(1, DECODE_FROM_IP, NULL, b, n);
	CHECK_HAS(o, "  IP     [malformed: version 7 is neither 4 nor 6]");
}

UNIT_TEST(ipv4_options_listed)
{
	uint8_t b[64];
	struct ip_hdr h = { .fam = ipfam_get(AF_INET), .ttl = 1, .proto = 2 };
	h.src = A("10.0.0.1");
	h.dst = A("224.0.0.22");
	struct wr w = wr_init(b, sizeof(b));
	ip_encode(&w, &h, 4);
	const uint8_t ra[4] = { 148, 4, 0, 0 };
	memcpy(b + 20, ra, 4);
	b[0] = 0x46;
	be16_put(b + 2, 28);
	be16_put(b + 10, 0);
	be16_put(b + 10, cksum(b, 24));
	memset(b + 24, 0, 4);
	const char *o = dec(1, DECODE_FROM_IP, NULL, b, 28);
	CHECK_HAS(o, "ihl 6 (24 bytes)");
	CHECK_HAS(o, "(correct), options 4 bytes");
	CHECK_HAS(o, "option Router Alert (148), length 4");
	CHECK_HAS(o, "4 bytes of protocol 2 (IGMP), not decoded");
	b[21] = 9;                                 /* option longer than the header */
	o = dec(1, DECODE_FROM_IP, NULL, b, 28);
	CHECK_HAS(o, "[malformed: option 148 (Router Alert) length 9, 2 bytes left]");
}

UNIT_TEST(vlan_tag)
{
	uint8_t b[200];
	size_t n = build_ether_udp(b + 4, sizeof(b) - 4);
	memmove(b, b + 4, 12);
	be16_put(b + 12, 0x8100);
	be16_put(b + 14, 5 << 13 | 42);
	be16_put(b + 16, 0x0800);
	const char *o = dec(1, DECODE_FROM_ETHER, NULL, b, n + 4);
	CHECK_HAS(o, "type 0x8100 (802.1Q VLAN)");
	CHECK_HAS(o, "  VLAN   pcp 5, dei 0, vid 42, type 0x0800 (IPv4)");
	CHECK_HAS(o, "  UDP    sport 5353");
}

UNIT_TEST(truncation_messages)
{
	uint8_t b[128];
	size_t n = build_ether_udp(b, sizeof(b));
	const char *o = dec(1, DECODE_FROM_ETHER, NULL, b, 10);
	CHECK_HAS(o, "  ETH    [truncated: need 14 bytes, have 10]");
	o = dec(1, DECODE_FROM_ETHER, NULL, b, 14 + 10);
	CHECK_HAS(o, "  IPv4   [truncated: need 20 bytes, have 10]");
	o = dec(1, DECODE_FROM_ETHER, NULL, b, 14 + 20 + 6);
	CHECK_HAS(o, "  UDP    sport 5353, dport 53\n");
	CHECK_HAS(o, "[truncated: need 8 bytes, have 6]");
	o = dec(1, DECODE_FROM_ETHER, NULL, b, n - 2);
	CHECK_HAS(o, "payload 5 bytes (3 present)");
	o = dec(1, DECODE_FROM_IP, NULL, b, 0);
	CHECK_HAS(o, "recv 0 bytes\n  IP     [truncated: need 1 bytes, have 0]");
	o = dec(2, DECODE_FROM_IP, NULL, NULL, 0);
	CHECK_HAS(o, "[truncated: need 1 bytes, have 0]");
}

/* Every prefix of every packet at every start layer, and garbage: under
 * ASan this proves the printer never reads past the end it was given. */
static void decode_all_prefixes(const uint8_t *pkt, size_t len)
{
	FILE *f = fopen("/dev/null", "w");
	struct decode d = { .out = f, .level = 2, .t0 = clock_mono(), .app = app };
	for (size_t cut = 0; cut <= len; cut++) {
		/* a fresh heap copy of exactly cut bytes, so ASan sees the end */
		uint8_t *p = malloc(cut ? cut : 1);
		memcpy(p, pkt, cut);
		decode_packet(&d, "cut", DECODE_FROM_ETHER, NULL, p, cut);
		decode_packet(&d, "cut", DECODE_FROM_IP, NULL, p, cut);
		decode_packet(&d, "cut", DECODE_FROM_ICMP, ipfam_get(AF_INET), p, cut);
		decode_packet(&d, "cut", DECODE_FROM_ICMP, ipfam_get(AF_INET6), p, cut);
		free(p);
	}
	fclose(f);
}

UNIT_TEST(every_truncation_never_crashes)
{
	uint8_t a[128], b[256], c[512], t[128], e[128], g[60];
	size_t na = build_echo(a, sizeof(a), "10.0.0.1", "10.0.0.2");
	size_t nb = build_v4_error(b, sizeof(b), 11, 0, 0, a, na);
	size_t nc = build_v4_error(c, sizeof(c), 3, 4, 1400, b, nb);
	size_t nt = build_tcp_syn(t, sizeof(t));
	size_t ne = build_ether_udp(e, sizeof(e));
	size_t ng = build_garp(g);
	decode_all_prefixes(a, na);
	decode_all_prefixes(b, nb);
	decode_all_prefixes(c, nc);
	decode_all_prefixes(t, nt);
	decode_all_prefixes(e, ne);
	decode_all_prefixes(g, ng);
	uint8_t v6[128];
	size_t n6 = build_echo(v6, sizeof(v6), "fd00::1", "fd00::2");
	decode_all_prefixes(v6, n6);
	CHECK(1);
}

UNIT_TEST(random_garbage_never_crashes)
{
	FILE *f = fopen("/dev/null", "w");
	struct decode d = { .out = f, .level = 2, .t0 = clock_mono(), .app = app };
	unsigned seed = 12345;
	static const uint8_t firsts[] = { 0x45, 0x46, 0x4f, 0x60, 0x44, 0x00, 0xff, 0x03, 0x0b };
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % 160);
		uint8_t *p = malloc(len ? len : 1);
		for (size_t k = 0; k < len; k++)
			p[k] = (uint8_t)rand_r(&seed);
		/* bias towards headers the decoder will walk into */
		if (len && i % 2)
			p[0] = firsts[(size_t)rand_r(&seed) % sizeof(firsts)];
		if (len > 9 && i % 3 == 0)
			p[9] = (uint8_t)(i % 4 == 0 ? 1 : 6);
		if (len > 6 && i % 5 == 0)
			p[6] = (uint8_t)(i % 2 ? 58 : 0);
		if (len > 13 && i % 7 == 0) {
			p[12] = 0x08;
			p[13] = (uint8_t)(i % 2 ? 0x06 : 0x00);
		}
		decode_packet(&d, "junk", (enum decode_start)(i % 3), ipfam_get(i % 2 ? AF_INET : AF_INET6), p, len);
		free(p);
	}
	fclose(f);
	CHECK(1);
}

/* ---- pcap ---- */

UNIT_TEST(pcap_file_header_and_records)
{
	char path[] = "/tmp/test_pcap.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	struct pcap p;
	CHECK_EQ_INT(pcap_open(&p, path, PCAP_LINKTYPE_RAW), 0);
	uint8_t a[128];
	size_t na = build_echo(a, sizeof(a), "10.0.0.1", "10.0.0.2");
	CHECK_EQ_INT(pcap_write(&p, 1700000000LL * NS_PER_S + 123456789, a, na), 0);
	struct addr s4 = A("10.0.0.2"), d4 = A("10.0.0.1");
	CHECK_EQ_INT(pcap_write_l4(&p, 1700000001LL * NS_PER_S + 5, &s4, &d4, IPPROTO_ICMP, 63, a + 20, na - 20), 0);
	uint8_t v6[128];
	size_t n6 = build_echo(v6, sizeof(v6), "fd00::1", "fd00::2");
	struct addr s6 = A("fd00::1"), d6 = A("fd00::2");
	CHECK_EQ_INT(pcap_write_l4(&p, 1700000002LL * NS_PER_S, &s6, &d6, IPPROTO_ICMPV6, 64, v6 + 40, n6 - 40), 0);
	CHECK_EQ_INT(pcap_write_l4(&p, 0, &s4, &d6, IPPROTO_ICMP, 1, a, 8), -1);   /* mixed families */
	pcap_close(&p);
	CHECK(p.f == NULL);

	FILE *f = fopen(path, "rb");
	uint8_t file[1024];
	size_t got = f ? fread(file, 1, sizeof(file), f) : 0;
	if (f)
		fclose(f);
	CHECK_EQ_INT(got, 24 + (16 + 84) + (16 + 84) + (16 + 104));
	uint32_t u32[6];
	memcpy(u32, file, sizeof(u32));
	CHECK_EQ_INT(u32[0], 0xa1b23c4d);
	CHECK_EQ_INT(file[4] | file[5] << 8, 2);
	CHECK_EQ_INT(file[6] | file[7] << 8, 4);
	CHECK_EQ_INT(u32[4], 262144);
	CHECK_EQ_INT(u32[5], PCAP_LINKTYPE_RAW);
	uint32_t rec[4];
	memcpy(rec, file + 24, sizeof(rec));
	CHECK_EQ_INT(rec[0], 1700000000);
	CHECK_EQ_INT(rec[1], 123456789);
	CHECK_EQ_INT(rec[2], 84);
	CHECK_EQ_INT(rec[3], 84);
	/* the synthesized IPv4 header: checksum right, DF clear, id 0, TTL 63 */
	const uint8_t *ip = file + 24 + 16 + 84 + 16;
	CHECK_EQ_INT(cksum(ip, 20), 0);
	CHECK_EQ_INT(be16_get(ip + 4), 0);
	CHECK_EQ_INT(be16_get(ip + 6), 0);
	CHECK_EQ_INT(ip[8], 63);
	CHECK_EQ_INT(be16_get(ip + 2), 84);

	if (system("command -v tcpdump >/dev/null 2>&1") != 0) {
		printf("# tcpdump not installed: skipped reading the file back\n");
	} else {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "tcpdump -nn -tt --time-stamp-precision=nano -r %s 2>/dev/null", path);
		FILE *t = popen(cmd, "r");
		char text[2048] = "";
		size_t tl = t ? fread(text, 1, sizeof(text) - 1, t) : 0;
		text[tl] = '\0';
		if (t)
			pclose(t);
		CHECK_HAS(text, "1700000000.123456789 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1234, seq 1, length 64");
		CHECK_HAS(text, "1700000001.000000005 IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 1234, seq 1, length 64");
		CHECK_HAS(text, "1700000002.000000000 IP6 fd00::1 > fd00::2: ICMP6, echo request, id 1234, seq 1, length 64");
		CHECK_LACKS(text, "bad");
	}
	unlink(path);
}

UNIT_TEST(pcap_errors)
{
	struct pcap p;
	CHECK_EQ_INT(pcap_open(&p, "/nonexistent/dir/x.pcap", PCAP_LINKTYPE_ETHERNET), -1);
	CHECK(p.f == NULL);
	CHECK_EQ_INT(pcap_write(&p, 0, "x", 1), -1);
	pcap_close(&p);
}

int main(void)
{
	RUN(echo_request_v4);
	RUN(echo_request_v6_and_from_icmp);
	RUN(time_exceeded_with_quote);
	RUN(frag_needed_and_other_errors);
	RUN(quoted_tcp_header_is_cut_short);
	RUN(quote_nesting_is_bounded);
	RUN(tcp_syn_with_options);
	RUN(ether_udp_with_app_hook);
	RUN(gratuitous_arp);
	RUN(ipv6_extension_headers_and_fragments);
	RUN(ipv4_malformed_headers);
	RUN(ipv4_options_listed);
	RUN(vlan_tag);
	RUN(truncation_messages);
	RUN(every_truncation_never_crashes);
	RUN(random_garbage_never_crashes);
	RUN(pcap_file_header_and_records);
	RUN(pcap_errors);
	free(out_buf);
	return unit_done();
}
