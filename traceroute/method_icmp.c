/*
 * method_icmp — ICMP echo probes (-I).
 *
 * One identifier for the whole run and the probe's identity in the
 * sequence number: the flow (addresses, protocol, identifier) stays fixed
 * for ECMP hashing.  Probes go out of the ICMP socket that also receives
 * the answers.  Least privilege first (main.c): a ping socket where
 * net.ipv4.ping_group_range lets us in — the kernel then owns the
 * identifier (the socket's "port", read back after bind), delivers only
 * our echo replies, and queues the routers' errors on the error queue
 * with the quoted echo header, whose sequence names the probe — else a
 * raw socket, which needs CAP_NET_RAW.  The kernel fills the ICMPv6
 * checksum (it needs the pseudo-header), and a ping socket's ICMPv4 one.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sock.h"
#include "traceroute.h"

static int icmp_setup(struct trt *t)
{
	uint16_t id;
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)getpid();
	t->ident = id;
	t->tx_fd = t->fd;
	if (t->conf->iface && sock_bind_device(t->tx_fd, t->conf->iface) < 0)
		return -1;
	if (t->icmp_dgram) {
		/* The kernel writes the socket's port as the echo id. */
		union sockaddr_any sa;
		socklen_t sl = sizeof(sa);
		struct addr a;
		uint16_t port = 0;
		if (sock_bind(t->tx_fd, &t->src, 0) < 0 || getsockname(t->tx_fd, &sa.sa, &sl) < 0 ||
		    addr_from_sockaddr(&a, &port, &sa.sa, sl) < 0)
			return -1;
		t->ident = port;
		return 0;
	}
	if (addr_is_set(&t->conf->source) && sock_bind(t->tx_fd, &t->src, 0) < 0)
		return -1;
	return 0;
}

static int icmp_send(struct trt *t, int slot, int send, int ttl, size_t size)
{
	size_t l4 = size > t->fam->hdr_len ? size - t->fam->hdr_len : 0;
	if (l4 < ICMP_HDR_LEN)
		l4 = ICMP_HDR_LEN;
	if (l4 > TRT_BUF - 64)
		l4 = TRT_BUF - 64;
	uint8_t payload[TRT_BUF];
	size_t plen = l4 - ICMP_HDR_LEN;
	for (size_t i = 0; i < plen; i++)
		payload[i] = (uint8_t)(0x40 + (i & 0x3f));
	struct wr w = wr_init(t->txbuf, TRT_BUF);
	uint16_t seq = (uint16_t)trt_ident(slot, send);
	if (icmp_echo_encode(&w, t->fam, t->fam->echo_request, t->ident, seq, payload, plen) < 0)
		return -1;
	if (sock_set_ttl(t->tx_fd, t->fam, ttl) < 0)
		return -1;
	if (trt_sendto(t, t->txbuf, wr_len(&w), 0) < 0)
		return -1;
	out_packet(t, "sent", t->txbuf, wr_len(&w), true, (uint8_t)t->fam->icmp_proto, ttl, true);
	return 0;
}

static int icmp_match_quote(const struct trt *t, const uint8_t *l4, size_t len, int *send)
{
	struct rd r = rd_init(l4, len);
	uint8_t type = rd_u8(&r);
	rd_skip(&r, 3);
	uint16_t id = rd_u16(&r), seq = rd_u16(&r);
	if (!rd_ok(&r) || type != t->fam->echo_request || id != t->ident)
		return -1;
	return trt_ident_slot(seq, send);
}

/* Ping socket: the error queue hands over the quoted echo header. */
static int icmp_match_errq(const struct trt *t, const uint8_t *data, size_t len, uint16_t port,
			   int *send)
{
	(void)port;
	return icmp_match_quote(t, data, len, send);
}

static int icmp_match_direct(const struct trt *t, const struct addr *from, uint8_t proto,
			     const uint8_t *l4, size_t len, int *send, char *ext, size_t extlen)
{
	(void)from;
	(void)ext;
	(void)extlen;
	struct rd r = rd_init(l4, len);
	uint8_t type = rd_u8(&r);
	rd_skip(&r, 3);
	uint16_t id = rd_u16(&r), seq = rd_u16(&r);
	if (!rd_ok(&r) || proto != IPPROTO_ICMP || type != t->fam->echo_reply || id != t->ident)
		return -1;
	return trt_ident_slot(seq, send);
}

const struct trt_method trt_method_icmp = {
	.name = "icmp",
	.proto = 0,   /* set per family: see trt_method_proto() */
	.hdr_len = ICMP_HDR_LEN,
	.icmp_need = TRT_ICMP_PING,
	.errq_id_len = ICMP_HDR_LEN,
	.setup = icmp_setup,
	.send = icmp_send,
	.match_quote = icmp_match_quote,
	.match_direct = icmp_match_direct,
	.match_errq = icmp_match_errq,
};
