/*
 * method_udp — UDP probes (the default, and -U to one port).
 *
 * Paris traceroute's technique: every probe of a run has the same
 * addresses and ports, so a load-balancing router hashes them all onto
 * one path; the probe is told apart by its UDP checksum, which no ECMP
 * hash looks at.  Two payload bytes are chosen so the checksum the
 * kernel computes equals the probe's identity (slot and send number); an
 * ICMP error quotes the UDP header (RFC 792 promises 8 bytes), so the
 * checksum comes back in every quote.  The identity is also written in
 * the payload (bytes 2-3, after the two balance bytes) and read from
 * there when the router quoted that far (Linux quotes up to 576 bytes):
 * over veth and other checksum-offloading links the quoted checksum is
 * only the pseudo-header's partial sum, identical for every probe.
 * The payload is sent from an
 * ordinary unconnected UDP socket: sending needs no privilege, and an
 * unconnected socket is not shut down by the port unreachable that ends
 * the trace.
 *
 * Errors come back on that socket's error queue (IP_RECVERR, as
 * Butskoy's and tracepath's unprivileged UDP): the kernel matches the
 * quoted ports to our socket and hands over the quoted payload, whose
 * bytes 2-3 name the probe.  A router that quotes only the 8 bytes
 * RFC 792 promises leaves no payload: then only a raw ICMP socket (opened
 * by main.c when CAP_NET_RAW is there) sees the quoted checksum, and
 * reply.c takes that error from the raw copy.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cksum.h"
#include "sock.h"
#include "traceroute.h"
#include "udp.h"

/* Butskoy: 33434 upward for the default method, 53 for -U. */
#define UDP_BASE_PORT 33434
#define UDP_FIXED_PORT 53
/* Payload bytes that carry the identity: 2 balance + 2 identity. */
#define UDP_ID_LEN 4

static int udp_setup(struct trt *t)
{
	const struct trt_conf *c = t->conf;
	t->tx_fd = sock_open(t->fam->family, SOCK_DGRAM, IPPROTO_UDP);
	if (t->tx_fd < 0)
		return -1;
	if (c->iface && sock_bind_device(t->tx_fd, c->iface) < 0)
		return -1;
	if (sock_bind(t->tx_fd, &t->src, 0) < 0)
		return -1;
	union sockaddr_any sa;
	socklen_t sl = sizeof(sa);
	if (getsockname(t->tx_fd, &sa.sa, &sl) < 0 || addr_from_sockaddr(&t->src, &t->sport, &sa.sa, sl) < 0)
		return -1;
	if (c->port_set)
		t->dport = (uint16_t)c->port;
	else
		t->dport = c->method == TRT_M_UDP_PORT ? UDP_FIXED_PORT : UDP_BASE_PORT;
	return 0;
}

/*
 * The two balance bytes B that make the finished checksum equal target:
 * with B = 0 the sum is S and the checksum ~S; we need ~(S + B) = target,
 * so B = ~target - S in one's complement arithmetic.
 */
static uint16_t balance(const struct trt *t, const uint8_t *udp, size_t len, uint16_t target)
{
	uint32_t sum = cksum_pseudo(&t->src, &t->dst, IPPROTO_UDP, (uint32_t)len);
	sum = cksum_add(sum, udp, len);
	uint16_t folded = (uint16_t)~cksum_finish(sum);   /* S, folded */
	uint32_t b = (uint32_t)(uint16_t)~target + (uint16_t)~folded;
	b = (b & 0xffff) + (b >> 16);
	return (uint16_t)b;
}

/* Build the datagram for one probe into buf (header + payload). */
static size_t udp_build(struct trt *t, int slot, int send, size_t size, uint8_t *buf, size_t cap)
{
	size_t l4 = size > t->fam->hdr_len ? size - t->fam->hdr_len : 0;
	if (l4 < UDP_HDR_LEN + UDP_ID_LEN)
		l4 = UDP_HDR_LEN + UDP_ID_LEN;
	if (l4 > cap)
		l4 = cap;
	uint8_t payload[TRT_BUF];
	size_t plen = l4 - UDP_HDR_LEN;
	/* Butskoy fills with 0x40 + i; the first two bytes balance the checksum. */
	for (size_t i = 0; i < plen; i++)
		payload[i] = (uint8_t)(0x40 + (i & 0x3f));
	uint16_t target = (uint16_t)trt_ident(slot, send);
	payload[0] = payload[1] = 0;
	be16_put(payload + 2, target);
	struct wr w = wr_init(buf, cap);
	if (udp_encode(&w, &t->src, &t->dst, t->sport, t->dport, payload, plen) < 0)
		return 0;
	buf[6] = buf[7] = 0;
	uint16_t b = balance(t, buf, l4, target);
	be16_put(buf + UDP_HDR_LEN, b);
	be16_put(buf + 6, target);
	return l4;
}

static int udp_send(struct trt *t, int slot, int send, int ttl, size_t size)
{
	size_t l4 = udp_build(t, slot, send, size, t->txbuf, TRT_BUF - 64);
	if (!l4)
		return -1;
	if (sock_set_ttl(t->tx_fd, t->fam, ttl) < 0)
		return -1;
	/* The kernel computes the checksum over the same bytes (and gets
	 * target, by construction): we send the payload only. */
	if (trt_sendto(t, t->txbuf + UDP_HDR_LEN, l4 - UDP_HDR_LEN, t->dport) < 0)
		return -1;
	out_packet(t, "sent", t->txbuf, l4, true, IPPROTO_UDP, ttl, true);
	return 0;
}

static int udp_match_quote(const struct trt *t, const uint8_t *l4, size_t len, int *send)
{
	struct rd r = rd_init(l4, len);
	struct udp_hdr h;
	if (udp_decode(&r, &h) < 0 || h.sport != t->sport || h.dport != t->dport)
		return -1;
	if (rd_left(&r) >= UDP_ID_LEN) {
		rd_skip(&r, 2);
		return trt_ident_slot(rd_u16(&r), send);
	}
	return trt_ident_slot(h.cksum, send);
}

/* The error queue hands over what follows the UDP header: the identity
 * is at bytes 2-3, the port is the probe's destination. */
static int udp_match_errq(const struct trt *t, const uint8_t *data, size_t len, uint16_t port,
			  int *send)
{
	struct rd r = rd_init(data, len);
	rd_skip(&r, 2);
	uint16_t id = rd_u16(&r);
	if (!rd_ok(&r) || port != t->dport)
		return -1;
	return trt_ident_slot(id, send);
}

const struct trt_method trt_method_udp = {
	.name = "udp",
	.proto = IPPROTO_UDP,
	.hdr_len = UDP_HDR_LEN,
	.icmp_need = TRT_ICMP_OPTIONAL,
	.errq_id_len = UDP_HDR_LEN + UDP_ID_LEN,
	.setup = udp_setup,
	.send = udp_send,
	.match_quote = udp_match_quote,
	.match_errq = udp_match_errq,
};
