/*
 * test_traceroute — the UDP codec (common/udp.c) and traceroute's reply
 * matcher: Butskoy's annotations, the Paris checksum trick, and hostile
 * quotes (wrong ports, wrong destination, truncated, garbage) ignored;
 * and the error-queue matcher (unprivileged UDP, ping-socket ICMP).
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "sock.h"
#include "icmp.h"
#include "../../traceroute/traceroute.h"
#include "udp.h"
#include "unit.h"

extern const struct trt_method trt_method_udp, trt_method_icmp;

UNIT_TEST(udp_roundtrip)
{
	struct addr s, d;
	addr_parse(&s, "10.0.0.1", AF_INET);
	addr_parse(&d, "10.0.0.2", AF_INET);
	uint8_t buf[64];
	struct wr w = wr_init(buf, sizeof(buf));
	CHECK(udp_encode(&w, &s, &d, 1234, 33434, "hello", 5) == 0);
	CHECK_EQ_INT(wr_len(&w), 13);
	CHECK(udp_cksum_ok(&s, &d, buf, 13));
	buf[9] ^= 1;
	CHECK(!udp_cksum_ok(&s, &d, buf, 13));
	struct rd r = rd_init(buf, 13);
	struct udp_hdr h;
	CHECK(udp_decode(&r, &h) == 0);
	CHECK_EQ_INT(h.sport, 1234);
	CHECK_EQ_INT(h.dport, 33434);
	CHECK_EQ_INT(h.len, 13);
	struct rd shortr = rd_init(buf, 7);
	CHECK(udp_decode(&shortr, &h) == -1);
	/* a full writer fails cleanly */
	struct wr small = wr_init(buf, 10);
	CHECK(udp_encode(&small, &s, &d, 1, 2, "hello", 5) == -1);
}

UNIT_TEST(annotations)
{
	const struct ipfam *v4 = ipfam_get(AF_INET), *v6 = ipfam_get(AF_INET6);
	char b[16];
	bool fin;
	trt_annotation(v4, 11, 0, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "");
	CHECK(!fin);
	trt_annotation(v4, 3, 3, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "");
	CHECK(fin);
	trt_annotation(v4, 3, 1, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!H");
	trt_annotation(v4, 3, 0, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!N");
	trt_annotation(v4, 3, 2, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!P");
	trt_annotation(v4, 3, 13, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!X");
	trt_annotation(v4, 3, 4, 1400, b, sizeof(b), &fin);
	CHECK_STR(b, "!F-1400");
	trt_annotation(v4, 3, 5, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!S");
	trt_annotation(v4, 3, 14, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!V");
	trt_annotation(v4, 3, 15, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!C");
	trt_annotation(v4, 3, 16, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!<16>");
	trt_annotation(v4, 11, 1, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!<11-1>");
	trt_annotation(v6, 3, 0, 0, b, sizeof(b), &fin);
	CHECK(!fin);
	trt_annotation(v6, 1, 4, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "");
	trt_annotation(v6, 1, 1, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!X");
	trt_annotation(v6, 1, 3, 0, b, sizeof(b), &fin);
	CHECK_STR(b, "!H");
	trt_annotation(v6, 2, 0, 1280, b, sizeof(b), &fin);
	CHECK_STR(b, "!F-1280");
}

/* A run with a UDP flow 10.0.0.1:40000 -> 10.0.9.2:33434 and 3 probes sent. */
static void fake_run(struct trt *t, struct trt_conf *c, struct trt_probe *probes)
{
	memset(t, 0, sizeof(*t));
	memset(c, 0, sizeof(*c));
	c->nqueries = 3;
	c->first_ttl = 1;
	t->conf = c;
	t->m = &trt_method_udp;
	t->fam = ipfam_get(AF_INET);
	addr_parse(&t->src, "10.0.0.1", AF_INET);
	addr_parse(&t->dst, "10.0.9.2", AF_INET);
	t->sport = 40000;
	t->dport = 33434;
	t->probes = probes;
	t->nprobes = 3;
	for (int i = 0; i < 3; i++)
		probes[i].sends = 1;
}

/* The ICMP error a router at 10.0.5.1 sends for probe slot/send. */
static size_t build_error(const struct trt *t, uint8_t type, uint8_t code, int slot, int send,
			  size_t quote_payload, uint8_t *out)
{
	uint8_t udp[64];
	uint8_t pl[32] = { 0 };
	be16_put(pl + 2, (uint16_t)trt_ident(slot, send));
	struct wr uw = wr_init(udp, sizeof(udp));
	udp_encode(&uw, &t->src, &t->dst, t->sport, t->dport, pl, sizeof(pl));
	struct ip_hdr qh = { .fam = t->fam, .ttl = 1, .proto = IPPROTO_UDP, .src = t->src, .dst = t->dst };
	uint8_t quote[128];
	struct wr qw = wr_init(quote, sizeof(quote));
	ip_encode(&qw, &qh, wr_len(&uw));
	wr_bytes(&qw, udp, UDP_HDR_LEN + quote_payload);
	struct addr router;
	addr_parse(&router, "10.0.5.1", AF_INET);
	struct ip_hdr oh = { .fam = t->fam, .ttl = 62, .proto = IPPROTO_ICMP, .src = router, .dst = t->src };
	struct wr w = wr_init(out, 256);
	ip_encode(&w, &oh, 8 + wr_len(&qw));
	wr_u8(&w, type);
	wr_u8(&w, code);
	wr_u16(&w, 0);
	wr_u32(&w, 0);
	wr_bytes(&w, quote, wr_len(&qw));
	return wr_len(&w);
}

UNIT_TEST(match_udp)
{
	struct trt t;
	struct trt_conf c;
	struct trt_probe probes[4];
	memset(probes, 0, sizeof(probes));
	fake_run(&t, &c, probes);
	uint8_t pkt[256];
	struct trt_reply r;
	size_t n = build_error(&t, 11, 0, 2, 0, 32, pkt);
	CHECK(trt_match_icmp(&t, pkt, n, NULL, -1, &r) == 0);
	CHECK_EQ_INT(r.slot, 2);
	CHECK_EQ_INT(r.send, 0);
	CHECK(!r.final);
	CHECK_EQ_INT(r.recv_ttl, 62);
	char a[ADDR_STRLEN];
	CHECK_STR(addr_fmt(&r.from, a, sizeof(a)), "10.0.5.1");
	/* port unreachable: final, no annotation */
	n = build_error(&t, 3, 3, 1, 0, 32, pkt);
	CHECK(trt_match_icmp(&t, pkt, n, NULL, -1, &r) == 0);
	CHECK(r.final);
	CHECK_STR(r.annot, "");
	/* a send never made, a slot out of the table */
	n = build_error(&t, 11, 0, 1, 1, 32, pkt);
	CHECK(trt_match_icmp(&t, pkt, n, NULL, -1, &r) == -1);
	n = build_error(&t, 11, 0, 7, 0, 32, pkt);
	CHECK(trt_match_icmp(&t, pkt, n, NULL, -1, &r) == -1);
	/* somebody else's flow */
	t.sport = 40001;
	n = build_error(&t, 11, 0, 0, 0, 32, pkt);
	t.sport = 40000;
	CHECK(trt_match_icmp(&t, pkt, n, NULL, -1, &r) == -1);
	/* every truncation of a valid error is refused or matched, never read past */
	n = build_error(&t, 11, 0, 0, 0, 32, pkt);
	for (size_t k = 0; k < n; k++) {
		uint8_t *copy = malloc(k ? k : 1);
		memcpy(copy, pkt, k);
		(void)trt_match_icmp(&t, copy, k, NULL, -1, &r);
		free(copy);
	}
}

UNIT_TEST(match_udp_cksum_only)
{
	/* An RFC 792 router quotes 8 bytes: the identity comes from the
	 * checksum, which the sender made equal to it. */
	struct trt t;
	struct trt_conf c;
	struct trt_probe probes[4];
	memset(probes, 0, sizeof(probes));
	fake_run(&t, &c, probes);
	uint8_t pkt[256];
	size_t n = build_error(&t, 11, 0, 1, 0, 0, pkt);
	/* patch the quoted checksum (offset: 20 outer + 8 icmp + 20 inner + 6) */
	be16_put(pkt + 20 + 8 + 20 + 6, (uint16_t)trt_ident(1, 0));
	struct trt_reply r;
	CHECK(trt_match_icmp(&t, pkt, n, NULL, -1, &r) == 0);
	CHECK_EQ_INT(r.slot, 1);
}

UNIT_TEST(ident_roundtrip)
{
	for (int slot = 0; slot < TRT_MAX_HOPS * TRT_MAX_QUERIES + 1; slot += 37) {
		for (int send = 0; send < TRT_MAX_SENDS; send++) {
			int s2 = -1;
			uint32_t id = trt_ident(slot, send);
			CHECK(id > 0 && id < 0xffff);
			CHECK_EQ_INT(trt_ident_slot(id, &s2), slot);
			CHECK_EQ_INT(s2, send);
		}
	}
	int s;
	CHECK_EQ_INT(trt_ident_slot(0, &s), -1);
}

/* What sock_recv(..., errqueue) reports for an ICMP error from 10.0.5.1. */
static struct rxmeta errq_meta(uint8_t type, uint8_t code, uint32_t info)
{
	struct rxmeta m;
	memset(&m, 0, sizeof(m));
	m.ttl = 62;
	m.is_error = true;
	m.ee_origin = ipfam_get(AF_INET)->ee_origin_icmp;
	m.ee_type = type;
	m.ee_code = code;
	m.ee_info = info;
	addr_parse(&m.offender, "10.0.5.1", AF_INET);
	return m;
}

UNIT_TEST(match_errq_udp)
{
	struct trt t;
	struct trt_conf c;
	struct trt_probe probes[4];
	fake_run(&t, &c, probes);
	uint8_t pl[32];
	memset(pl, 0x40, sizeof(pl));
	be16_put(pl + 2, (uint16_t)trt_ident(2, 0));
	struct rxmeta m = errq_meta(11, 0, 0);
	struct trt_reply r;
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &t.dst, t.dport, &r) == 0);
	CHECK_EQ_INT(r.slot, 2);
	CHECK_EQ_INT(r.send, 0);
	CHECK(!r.final && r.is_icmp_error);
	CHECK_EQ_INT(r.recv_ttl, 62);
	CHECK(addr_eq(&r.from, &m.offender));
	/* port unreachable: final, no annotation */
	m = errq_meta(3, 3, 0);
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &t.dst, t.dport, &r) == 0);
	CHECK(r.final);
	CHECK_STR(r.annot, "");
	/* frag needed: too big with its MTU, Butskoy's !F-1280 */
	m = errq_meta(3, 4, 1280);
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &t.dst, t.dport, &r) == 0);
	CHECK(r.too_big && r.final);
	CHECK_EQ_INT(r.mtu, 1280);
	CHECK_STR(r.annot, "!F-1280");
	/* not ours: another port, another destination, a local error, a
	 * slot never sent, a send never made, an 8-byte quote (no payload) */
	m = errq_meta(11, 0, 0);
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &t.dst, 53, &r) == -1);
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &m.offender, t.dport, &r) == -1);
	CHECK(trt_match_errq(&t, pl, 3, &m, &t.dst, t.dport, &r) == -1);
	CHECK(trt_match_errq(&t, pl, 0, &m, &t.dst, t.dport, &r) == -1);
	struct rxmeta local = m;
	local.ee_origin = 1;   /* SO_EE_ORIGIN_LOCAL */
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &local, &t.dst, t.dport, &r) == -1);
	be16_put(pl + 2, (uint16_t)trt_ident(9, 0));
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &t.dst, t.dport, &r) == -1);
	be16_put(pl + 2, (uint16_t)trt_ident(1, 1));
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &t.dst, t.dport, &r) == -1);
	/* a redirect or an echo reply is no answer to a probe */
	be16_put(pl + 2, (uint16_t)trt_ident(1, 0));
	m = errq_meta(5, 1, 0);
	CHECK(trt_match_errq(&t, pl, sizeof(pl), &m, &t.dst, t.dport, &r) == -1);
}

UNIT_TEST(match_errq_ping)
{
	struct trt t;
	struct trt_conf c;
	struct trt_probe probes[4];
	fake_run(&t, &c, probes);
	t.m = &trt_method_icmp;
	t.ident = 0x4242;
	t.icmp_dgram = true;
	/* the quoted echo request, from its ICMP header on */
	uint8_t q[16];
	struct wr w = wr_init(q, sizeof(q));
	icmp_echo_encode(&w, t.fam, t.fam->echo_request, t.ident, (uint16_t)trt_ident(1, 0), "abcdefgh", 8);
	struct rxmeta m = errq_meta(11, 0, 0);
	struct trt_reply r;
	CHECK(trt_match_errq(&t, q, 8, &m, &t.dst, 0, &r) == 0);
	CHECK_EQ_INT(r.slot, 1);
	be16_put(q + 4, 0x4243);   /* another identifier */
	CHECK(trt_match_errq(&t, q, 8, &m, &t.dst, 0, &r) == -1);
	/* an echo reply on the ping socket: no IPv4 header in front */
	uint8_t e[16];
	w = wr_init(e, sizeof(e));
	icmp_echo_encode(&w, t.fam, t.fam->echo_reply, t.ident, (uint16_t)trt_ident(2, 0), "abcdefgh", 8);
	CHECK(trt_match_icmp(&t, e, wr_len(&w), &t.dst, 60, &r) == 0);
	CHECK_EQ_INT(r.slot, 2);
	CHECK(r.final);
}

int main(void)
{
	RUN(udp_roundtrip);
	RUN(annotations);
	RUN(match_udp);
	RUN(match_udp_cksum_only);
	RUN(ident_roundtrip);
	RUN(match_errq_udp);
	RUN(match_errq_ping);
	return unit_done();
}
