/*
 * test_tcpprobe — common/tcp.c (header and options codec) and tcpprobe's
 * syn.c (SYN build, reply parsing, matching), with hostile inputs:
 * truncated headers, option lengths that run past the header, quotes cut
 * after 8 bytes, answers with the wrong ack.
 */
#include <netinet/in.h>

#include "buf.h"
#include "cksum.h"
#include "icmp.h"
#include "ip.h"
#include "tcp.h"
#include "../../tcpprobe/syn.h"
#include "unit.h"

static struct addr A(const char *s)
{
	struct addr a;
	addr_parse(&a, s, 0);
	return a;
}

/* An IP packet around l4 (src -> dst). */
static size_t wrap_ip(uint8_t *out, size_t cap, const struct addr *src, const struct addr *dst,
		      uint8_t proto, const uint8_t *l4, size_t len)
{
	struct ip_hdr h = { .fam = ipfam_get(src->family), .ttl = 61, .proto = proto, .df = true,
			    .src = *src, .dst = *dst };
	struct wr w = wr_init(out, cap);
	ip_encode(&w, &h, len);
	wr_bytes(&w, l4, len);
	return wr_ok(&w) ? wr_len(&w) : 0;
}

/* A SYN-ACK / RST from the server answering isn. */
static size_t reply(uint8_t *out, size_t cap, const struct addr *srv, const struct addr *cli,
		    uint16_t sport, uint16_t dport, uint8_t flags, uint32_t ack, uint16_t mss)
{
	struct tcp_hdr h = { .sport = sport, .dport = dport, .seq = 777, .ack = ack, .flags = flags,
			     .window = 65160 };
	if (mss) {
		h.opts = (struct tcp_opts){ .has_mss = true, .mss = mss, .sack_ok = true, .has_ts = true,
					    .ts_val = 1, .ts_ecr = 2, .has_wscale = true, .wscale = 10 };
	}
	struct wr w = wr_init(out, cap);
	return tcp_encode(&w, srv, cli, &h, NULL, 0) == 0 ? wr_len(&w) : 0;
}

UNIT_TEST(tcp_roundtrip_options)
{
	struct addr s = A("10.0.0.1"), d = A("10.0.0.2");
	uint8_t buf[80];
	struct tcp_hdr out;
	size_t n = syn_build(buf, sizeof(buf), &s, &d, 40000, 80, 0xdeadbeef, 1460, 1234, &out);
	CHECK_EQ_INT(n, 40);
	/* Linux's layout: MSS, SACK-permitted + TS, NOP + WS. */
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x04, 0xd2, 0, 0, 0, 0, 1, 3, 3, 7 };
	CHECK(memcmp(buf + 20, opts, sizeof(opts)) == 0);
	CHECK(tcp_cksum_ok(&s, &d, buf, n));
	struct rd r = rd_init(buf, n);
	struct tcp_hdr h;
	bool partial = true;
	CHECK_EQ_INT(tcp_decode(&r, &h, &partial), 0);
	CHECK(!partial);
	CHECK_EQ_INT(h.sport, 40000);
	CHECK_EQ_INT(h.dport, 80);
	CHECK_EQ_INT(h.seq, 0xdeadbeef);
	CHECK_EQ_INT(h.doff, 40);
	CHECK_EQ_INT(h.flags, TCP_SYN);
	CHECK(h.opts.has_mss && h.opts.mss == 1460);
	CHECK(h.opts.sack_ok && h.opts.has_ts && h.opts.ts_val == 1234);
	CHECK(h.opts.has_wscale && h.opts.wscale == 7);
	CHECK(!h.opts.malformed);
	buf[5] ^= 1;
	CHECK(!tcp_cksum_ok(&s, &d, buf, n));
}

UNIT_TEST(tcp_v6_checksum)
{
	struct addr s = A("fd00::1"), d = A("fd00::2");
	uint8_t buf[80];
	size_t n = syn_build(buf, sizeof(buf), &s, &d, 1, 2, 3, 1440, 0, NULL);
	CHECK(n == 40 && tcp_cksum_ok(&s, &d, buf, n));
}

UNIT_TEST(tcp_hostile_options)
{
	/* doff 6 (24 bytes): MSS with length 9 runs past the header. */
	uint8_t b[24] = { 0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x12, 0, 0, 0, 0, 0, 0, 2, 9, 5, 0 };
	struct rd r = rd_init(b, sizeof(b));
	struct tcp_hdr h;
	CHECK_EQ_INT(tcp_decode(&r, &h, NULL), 0);
	CHECK(h.opts.malformed && !h.opts.has_mss);
	/* Length 0 and 1 would loop forever in a naive walker. */
	b[21] = 0;
	r = rd_init(b, sizeof(b));
	CHECK_EQ_INT(tcp_decode(&r, &h, NULL), 0);
	CHECK(h.opts.malformed);
	/* Window scale 14 is the most RFC 7323 allows. */
	uint8_t c[24] = { 0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x12, 0, 0, 0, 0, 0, 0, 1, 3, 3, 30 };
	r = rd_init(c, sizeof(c));
	CHECK_EQ_INT(tcp_decode(&r, &h, NULL), 0);
	CHECK(h.opts.has_wscale && h.opts.wscale == 14);
	/* doff below 5 and doff past the buffer. */
	c[12] = 0x40;
	r = rd_init(c, sizeof(c));
	CHECK_EQ_INT(tcp_decode(&r, &h, NULL), -1);
	c[12] = 0xf0;
	r = rd_init(c, sizeof(c));
	CHECK_EQ_INT(tcp_decode(&r, &h, NULL), -1);
	bool partial = false;
	r = rd_init(c, sizeof(c));
	CHECK_EQ_INT(tcp_decode(&r, &h, &partial), 0);
	CHECK(partial);
	/* Truncated: 8 bytes decode only as a quote. */
	r = rd_init(c, 8);
	CHECK_EQ_INT(tcp_decode(&r, &h, NULL), -1);
	r = rd_init(c, 8);
	CHECK_EQ_INT(tcp_decode(&r, &h, &partial), 0);
	CHECK(partial && h.sport == 1 && h.dport == 2 && h.seq == 1);
	r = rd_init(c, 7);
	CHECK_EQ_INT(tcp_decode(&r, &h, &partial), -1);
}

UNIT_TEST(tcp_flags_names)
{
	char b[48];
	CHECK_STR(tcp_flags_str(TCP_SYN | TCP_ACK, b, sizeof(b)), "SYN ACK");
	CHECK_STR(tcp_flags_str(TCP_RST | TCP_ACK, b, sizeof(b)), "ACK RST");
	CHECK_STR(tcp_flags_str(0, b, sizeof(b)), "none");
	CHECK_STR(tcp_flags_str(0xff, b, 8), "SYN ACK");
}

UNIT_TEST(match_synack_rst_stale)
{
	struct addr cli = A("10.0.0.1"), srv = A("10.0.0.2");
	uint8_t seg[80], pkt[120];
	struct syn_seg s;
	const char *why;
	uint32_t isn = 0xfffffffe;
	size_t n = reply(seg, sizeof(seg), &srv, &cli, 80, 40000, TCP_SYN | TCP_ACK, isn + 1, 1400);
	size_t m = wrap_ip(pkt, sizeof(pkt), &srv, &cli, IPPROTO_TCP, seg, n);
	CHECK_EQ_INT(syn_parse_tcp(ipfam_get(AF_INET), true, pkt, m, NULL, NULL, &s, &why), 0);
	CHECK_EQ_INT(s.ttl, 61);
	CHECK(s.tcp.opts.mss == 1400 && s.tcp.opts.wscale == 10);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 80, isn), SYN_OPEN);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 80, isn + 1), SYN_STALE);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40001, 80, isn), SYN_NOT_OURS);
	CHECK_EQ_INT(syn_match(&s, &cli, &srv, 40000, 80, isn), SYN_NOT_OURS);
	/* ack wraps: ISN 0xffffffff is acknowledged by 0. */
	n = reply(seg, sizeof(seg), &srv, &cli, 81, 40000, TCP_RST | TCP_ACK, 0, 0);
	m = wrap_ip(pkt, sizeof(pkt), &srv, &cli, IPPROTO_TCP, seg, n);
	CHECK_EQ_INT(syn_parse_tcp(ipfam_get(AF_INET), true, pkt, m, NULL, NULL, &s, &why), 0);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 81, 0xffffffff), SYN_CLOSED);
	/* An RST without ACK does not answer a SYN (RFC 9293 3.10.7.3). */
	n = reply(seg, sizeof(seg), &srv, &cli, 81, 40000, TCP_RST, 0, 0);
	m = wrap_ip(pkt, sizeof(pkt), &srv, &cli, IPPROTO_TCP, seg, n);
	CHECK_EQ_INT(syn_parse_tcp(ipfam_get(AF_INET), true, pkt, m, NULL, NULL, &s, &why), 0);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 81, 0xffffffff), SYN_STALE);
	/* A bare ACK with the right number is not an answer either. */
	n = reply(seg, sizeof(seg), &srv, &cli, 81, 40000, TCP_ACK, 0, 0);
	m = wrap_ip(pkt, sizeof(pkt), &srv, &cli, IPPROTO_TCP, seg, n);
	CHECK_EQ_INT(syn_parse_tcp(ipfam_get(AF_INET), true, pkt, m, NULL, NULL, &s, &why), 0);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 81, 0xffffffff), SYN_STALE);
}

UNIT_TEST(parse_tcp_v6_and_truncated)
{
	struct addr cli = A("fd00::1"), srv = A("fd00::2");
	uint8_t seg[80];
	struct syn_seg s;
	const char *why = NULL;
	size_t n = reply(seg, sizeof(seg), &srv, &cli, 443, 5555, TCP_SYN | TCP_ACK, 100, 1440);
	CHECK_EQ_INT(syn_parse_tcp(ipfam_get(AF_INET6), false, seg, n, &srv, &cli, &s, &why), 0);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 5555, 443, 99), SYN_OPEN);
	for (size_t cut = 0; cut < n; cut++) {
		int rc = syn_parse_tcp(ipfam_get(AF_INET6), false, seg, cut, &srv, &cli, &s, &why);
		CHECK(rc == -1 || cut >= 20);
	}
	/* IPv4 header claiming more than arrived. */
	uint8_t pkt[120];
	struct addr c4 = A("10.0.0.1"), s4 = A("10.0.0.2");
	n = reply(seg, sizeof(seg), &s4, &c4, 443, 5555, TCP_SYN | TCP_ACK, 100, 1440);
	size_t m = wrap_ip(pkt, sizeof(pkt), &s4, &c4, IPPROTO_TCP, seg, n);
	CHECK_EQ_INT(syn_parse_tcp(ipfam_get(AF_INET), true, pkt, m - 1, NULL, NULL, &s, &why), -1);
	CHECK_STR(why, "truncated");
	/* Not TCP. */
	m = wrap_ip(pkt, sizeof(pkt), &s4, &c4, IPPROTO_UDP, seg, n);
	CHECK_EQ_INT(syn_parse_tcp(ipfam_get(AF_INET), true, pkt, m, NULL, NULL, &s, &why), -1);
}

/* An ICMP error from router quoting our SYN (quote cut to quote_l4 bytes of TCP). */
static size_t icmp_err(uint8_t *out, size_t cap, const struct ipfam *fam, uint8_t type, uint8_t code,
		       const struct addr *cli, const struct addr *srv, uint32_t isn, size_t quote_l4)
{
	uint8_t syn[64], inner[128];
	size_t n = syn_build(syn, sizeof(syn), cli, srv, 40000, 8083, isn, 1460, 0, NULL);
	size_t q = wrap_ip(inner, sizeof(inner), cli, srv, IPPROTO_TCP, syn, n);
	q -= n - quote_l4;
	struct wr w = wr_init(out, cap);
	wr_u8(&w, type);
	wr_u8(&w, code);
	uint8_t *ck = wr_reserve(&w, 2);
	wr_u32(&w, 0);
	wr_bytes(&w, inner, q);
	if (!wr_ok(&w))
		return 0;
	be16_put(ck, 0);
	if (fam->family == AF_INET)
		be16_put(ck, cksum(out, wr_len(&w)));
	return wr_len(&w);
}

UNIT_TEST(icmp_quote_matches)
{
	const struct ipfam *v4 = ipfam_get(AF_INET);
	struct addr cli = A("10.0.0.1"), srv = A("10.0.0.2"), rtr = A("10.0.0.254");
	uint8_t icmp[200], pkt[260];
	struct syn_seg s;
	const char *why = NULL;
	size_t n = icmp_err(icmp, sizeof(icmp), v4, 3, 13, &cli, &srv, 42, 8);
	size_t m = wrap_ip(pkt, sizeof(pkt), &rtr, &cli, IPPROTO_ICMP, icmp, n);
	CHECK_EQ_INT(syn_parse_icmp(v4, true, pkt, m, &rtr, &s, &why), 0);
	CHECK(s.partial);
	CHECK(addr_eq(&s.from, &rtr));
	CHECK(s.icmp_type == 3 && s.icmp_code == 13);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 8083, 42), SYN_FILTERED);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 8083, 43), SYN_STALE);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 8084, 42), SYN_NOT_OURS);
	/* Quote shorter than 8 bytes of TCP: refused. */
	n = icmp_err(icmp, sizeof(icmp), v4, 3, 13, &cli, &srv, 42, 7);
	m = wrap_ip(pkt, sizeof(pkt), &rtr, &cli, IPPROTO_ICMP, icmp, n);
	CHECK_EQ_INT(syn_parse_icmp(v4, true, pkt, m, &rtr, &s, &why), -1);
	/* Bad ICMP checksum. */
	n = icmp_err(icmp, sizeof(icmp), v4, 3, 13, &cli, &srv, 42, 40);
	icmp[2] ^= 0xff;
	m = wrap_ip(pkt, sizeof(pkt), &rtr, &cli, IPPROTO_ICMP, icmp, n);
	CHECK_EQ_INT(syn_parse_icmp(v4, true, pkt, m, &rtr, &s, &why), -1);
	CHECK_STR(why, "bad ICMP checksum");
	/* An echo reply is not an error. */
	uint8_t echo[8] = { 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
	m = wrap_ip(pkt, sizeof(pkt), &rtr, &cli, IPPROTO_ICMP, echo, 8);
	CHECK_EQ_INT(syn_parse_icmp(v4, true, pkt, m, &rtr, &s, &why), -1);
}

UNIT_TEST(icmp6_quote_full)
{
	const struct ipfam *v6 = ipfam_get(AF_INET6);
	struct addr cli = A("fd00::1"), srv = A("fd00::2"), rtr = A("fd00::fe");
	uint8_t icmp[200];
	struct syn_seg s;
	const char *why = NULL;
	size_t n = icmp_err(icmp, sizeof(icmp), v6, 1, 4, &cli, &srv, 7, 40);
	CHECK_EQ_INT(syn_parse_icmp(v6, false, icmp, n, &rtr, &s, &why), 0);
	CHECK(!s.partial && s.tcp.opts.mss == 1460);
	CHECK_EQ_INT(syn_match(&s, &srv, &cli, 40000, 8083, 7), SYN_FILTERED);
	for (size_t cut = 0; cut < n; cut++)
		(void)syn_parse_icmp(v6, false, icmp, cut, &rtr, &s, &why);
}

int main(void)
{
	RUN(tcp_roundtrip_options);
	RUN(tcp_v6_checksum);
	RUN(tcp_hostile_options);
	RUN(tcp_flags_names);
	RUN(match_synack_rst_stale);
	RUN(parse_tcp_v6_and_truncated);
	RUN(icmp_quote_matches);
	RUN(icmp6_quote_full);
	return unit_done();
}
