/*
 * gen_corpus — writes the seed corpora in fuzz/corpus/<harness>/ from
 * packets built with the library's own encoders: echo requests and
 * replies, the ICMP errors a ping or traceroute sees (with their quotes),
 * TCP SYN with options, UDP, IPv4 options, IPv6 extension headers, ARP
 * and a VLAN-tagged frame.  A few small, real-shaped packets are enough
 * for libFuzzer to find its way into every layer.
 *
 *   make fuzz-corpus     (runs fuzz/bin/gen_corpus from the top directory)
 */
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cksum.h"
#include "icmp.h"
#include "ip.h"

#define MAXPKT 512

struct pkt {
	uint8_t b[MAXPKT];
	size_t len;
	size_t l4;      /* offset of the transport header */
};

static void save(const char *harness, const char *name, const uint8_t *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof(path), "fuzz/corpus/%s", harness);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "fuzz/corpus/%s/%s", harness, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static struct addr A(const char *s)
{
	struct addr a;
	if (addr_parse(&a, s, 0) != 0)
		abort();
	return a;
}

/* IP header + upper layer l4[0..n) with its checksum (at ck_off, or none
 * if ck_off < 0) filled in, pseudo-header included where the protocol has one. */
static struct pkt ip_wrap(const char *src, const char *dst, uint8_t proto, uint8_t ttl,
			  const uint8_t *l4, size_t n, int ck_off)
{
	struct pkt p = { .len = 0 };
	struct ip_hdr h = { .ttl = ttl, .proto = proto, .df = true };
	h.src = A(src);
	h.dst = A(dst);
	h.fam = ipfam_get(h.src.family);
	struct wr w = wr_init(p.b, sizeof(p.b));
	if (ip_encode(&w, &h, n) != 0)
		abort();
	p.l4 = wr_len(&w);
	wr_bytes(&w, l4, n);
	p.len = wr_len(&w);
	if (ck_off >= 0) {
		uint8_t *c = p.b + p.l4;
		c[ck_off] = c[ck_off + 1] = 0;
		uint32_t sum = proto == IPPROTO_ICMP ? 0 : cksum_pseudo(&h.src, &h.dst, proto, (uint32_t)n);
		be16_put(c + ck_off, cksum_finish(cksum_add(sum, c, n)));
	}
	return p;
}

static struct pkt echo(const char *src, const char *dst, uint8_t type, size_t datalen)
{
	struct addr s = A(src);
	const struct ipfam *fam = ipfam_get(s.family);
	uint8_t m[MAXPKT], data[256];
	for (size_t i = 0; i < datalen; i++)
		data[i] = (uint8_t)i;
	struct wr w = wr_init(m, sizeof(m));
	icmp_echo_encode(&w, fam, type, 0x04d2, 1, data, datalen);
	return ip_wrap(src, dst, (uint8_t)fam->icmp_proto, 64, m, wr_len(&w), 2);
}

/* An ICMP error from router to the sender of q, quoting qlen bytes of it. */
static struct pkt icmp_error(const char *router, const char *to, uint8_t type, uint8_t code,
			     uint32_t info, const struct pkt *q, size_t qlen)
{
	struct addr r = A(router);
	const struct ipfam *fam = ipfam_get(r.family);
	uint8_t m[MAXPKT];
	struct wr w = wr_init(m, sizeof(m));
	wr_u8(&w, type);
	wr_u8(&w, code);
	wr_u16(&w, 0);
	wr_u32(&w, info);
	wr_bytes(&w, q->b, qlen < q->len ? qlen : q->len);
	return ip_wrap(router, to, (uint8_t)fam->icmp_proto, 255, m, wr_len(&w), 2);
}

static struct pkt tcp_syn(const char *src, const char *dst)
{
	static const uint8_t seg[40] = {
		0x9c, 0x40, 0x00, 0x50, 0x07, 0x5b, 0xcd, 0x15, 0, 0, 0, 0,
		0xa0, 0xc2, 0xfd, 0x20, 0, 0, 0, 0,
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
	};
	return ip_wrap(src, dst, IPPROTO_TCP, 64, seg, sizeof(seg), 16);
}

static struct pkt tcp_ack_sack(void)
{
	static const uint8_t seg[44] = {
		0x00, 0x50, 0x9c, 0x40, 0, 0, 0, 100, 0, 0, 0, 200,
		0xb0, 0x10, 0x01, 0x00, 0, 0, 0, 0,
		1, 1, 5, 18, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 1, 1, 0, 0,
	};
	return ip_wrap("10.0.0.2", "10.0.0.1", IPPROTO_TCP, 64, seg, sizeof(seg), 16);
}

static struct pkt udp(const char *src, const char *dst)
{
	uint8_t seg[8 + 12] = { 0x9c, 0x41, 0x82, 0x9b, 0, 20, 0, 0, 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	return ip_wrap(src, dst, IPPROTO_UDP, 1, seg, sizeof(seg), 6);
}

static struct pkt with_ip4_options(void)
{
	struct pkt p = echo("10.0.0.1", "10.0.0.2", 8, 8);
	struct pkt o = p;
	static const uint8_t opts[8] = { 148, 4, 0, 0, 7, 3, 4, 0 };   /* RA, empty RR, EOL */
	memcpy(o.b + 20, opts, sizeof(opts));
	memcpy(o.b + 28, p.b + 20, p.len - 20);
	o.len = p.len + 8;
	o.b[0] = 0x47;
	be16_put(o.b + 2, (uint16_t)o.len);
	o.b[10] = o.b[11] = 0;
	be16_put(o.b + 10, cksum(o.b, 28));
	return o;
}

static struct pkt with_ip6_ext(void)
{
	struct pkt p = echo("fd00::1", "fd00::2", 128, 8);
	struct pkt o = p;
	static const uint8_t ext[24] = {
		60, 0, 1, 4, 0, 0, 0, 0,                      /* hop-by-hop, PadN */
		44, 0, 1, 4, 0, 0, 0, 0,                      /* destination options */
		58, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef,          /* fragment, M */
	};
	memcpy(o.b + 40, ext, sizeof(ext));
	memcpy(o.b + 64, p.b + 40, p.len - 40);
	o.len = p.len + 24;
	o.b[6] = 0;
	be16_put(o.b + 4, (uint16_t)(o.len - 40));
	return o;
}

static void ether(const char *name, uint16_t type, const uint8_t *pl, size_t n, bool vlan)
{
	uint8_t f[MAXPKT + 18];
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	struct wr w = wr_init(f, sizeof(f));
	wr_bytes(&w, macs, 12);
	if (vlan) {
		wr_u16(&w, 0x8100);
		wr_u16(&w, 3 << 13 | 42);
	}
	wr_u16(&w, type);
	wr_bytes(&w, pl, n);
	while (wr_len(&w) < 60)
		wr_u8(&w, 0);
	save("fuzz_decode", name, f, wr_len(&w));
}

/* Save an IP packet for fuzz_ip and fuzz_decode, its ICMP part for fuzz_icmp. */
static void both(const char *name, const struct pkt *p, bool is_icmp)
{
	save("fuzz_ip", name, p->b, p->len);
	save("fuzz_decode", name, p->b, p->len);
	if (is_icmp) {
		char icmp_only[128];
		snprintf(icmp_only, sizeof(icmp_only), "%s.icmp", name);
		save("fuzz_icmp", name, p->b + p->l4, p->len - p->l4);
		save("fuzz_decode", icmp_only, p->b + p->l4, p->len - p->l4);
	}
}

int main(void)
{
	struct pkt e4 = echo("10.0.0.1", "10.0.0.2", 8, 56);
	struct pkt r4 = echo("10.0.0.2", "10.0.0.1", 0, 56);
	struct pkt e6 = echo("fd00::1", "fd00::2", 128, 56);
	struct pkt r6 = echo("fd00::2", "fd00::1", 129, 16);
	struct pkt syn4 = tcp_syn("10.0.0.1", "10.0.0.2");
	struct pkt syn6 = tcp_syn("fd00::1", "fd00::2");
	struct pkt u4 = udp("10.0.0.1", "10.0.0.2");
	struct pkt u6 = udp("fd00::1", "fd00::2");

	both("echo_request_v4", &e4, true);
	both("echo_reply_v4", &r4, true);
	both("echo_request_v6", &e6, true);
	both("echo_reply_v6", &r6, true);
	both("tcp_syn_v4", &syn4, false);
	both("tcp_syn_v6", &syn6, false);
	struct pkt sack = tcp_ack_sack();
	both("tcp_ack_sack_v4", &sack, false);
	both("udp_v4", &u4, false);
	both("udp_v6", &u6, false);
	struct pkt o4 = with_ip4_options();
	both("ip4_options", &o4, false);
	struct pkt x6 = with_ip6_ext();
	both("ip6_ext_headers", &x6, false);

	struct pkt te = icmp_error("10.0.0.254", "10.0.0.1", 11, 0, 0, &e4, 28);
	both("time_exceeded_v4", &te, true);
	struct pkt fn = icmp_error("10.0.0.254", "10.0.0.1", 3, 4, 1400, &e4, 84);
	both("frag_needed_v4", &fn, true);
	struct pkt pu = icmp_error("10.0.0.2", "10.0.0.1", 3, 3, 0, &u4, 28);
	both("port_unreach_v4", &pu, true);
	struct pkt rd = icmp_error("10.0.0.254", "10.0.0.1", 5, 1, 0x0a0000fd, &e4, 28);
	both("redirect_v4", &rd, true);
	struct pkt pp = icmp_error("10.0.0.254", "10.0.0.1", 12, 0, 0x09000000, &syn4, 28);
	both("param_problem_v4", &pp, true);
	struct pkt nested = icmp_error("10.0.0.253", "10.0.0.254", 11, 0, 0, &te, te.len);
	both("nested_quote_v4", &nested, true);
	struct pkt tb = icmp_error("fd00::fe", "fd00::1", 2, 0, 1280, &e6, 96);
	both("packet_too_big_v6", &tb, true);
	struct pkt hl = icmp_error("fd00::fe", "fd00::1", 3, 0, 0, &syn6, 48);
	both("hop_limit_v6", &hl, true);
	struct pkt un = icmp_error("fd00::fe", "fd00::1", 1, 4, 0, &u6, 48);
	both("port_unreach_v6", &un, true);

	static const uint8_t garp[28] = {
		0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 1,
	};
	ether("ether_arp_gratuitous", 0x0806, garp, sizeof(garp), false);
	ether("ether_echo_v4", 0x0800, e4.b, e4.len, false);
	ether("ether_vlan_udp_v4", 0x0800, u4.b, u4.len, true);
	ether("ether_echo_v6", 0x86dd, e6.b, e6.len, false);
	return 0;
}
