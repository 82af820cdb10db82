/*
 * method_tcp — TCP SYN probes (-T), half-open.
 *
 * The SYN goes out of a raw TCP socket with our own header (common/tcp.c
 * builds it with Linux's option layout, so it looks like any kernel SYN).
 * Our source port is held by an ordinary bound, non-listening TCP
 * socket: nobody else can take it, and when the destination answers
 * SYN-ACK the kernel finds no connection and answers RST itself, so the
 * remote application never sees a connection.  Ports stay fixed for the
 * run (Paris); the probe's identity is in the sequence number, which
 * comes back quoted in ICMP errors and as ack - 1 in the SYN-ACK or RST.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sock.h"
#include "tcp.h"
#include "traceroute.h"

#define TCP_DEFAULT_PORT 80
/* Linux's SYN options: MSS, SACK-permitted, timestamps, window scale. */
#define TCP_SYN_OPT_LEN 20

static int tcp_setup(struct trt *t)
{
	int i = t->fam->family == AF_INET ? 0 : 1;
	t->tx_fd = t->tcp_fd[i];
	if (t->tx_fd < 0)
		return -1;
	t->hold_fd = sock_open(t->fam->family, SOCK_STREAM, IPPROTO_TCP);
	if (t->hold_fd < 0)
		return -1;
	if (t->conf->iface && sock_bind_device(t->hold_fd, t->conf->iface) < 0)
		return -1;
	if (sock_bind(t->hold_fd, &t->src, 0) < 0)
		return -1;
	union sockaddr_any sa;
	socklen_t sl = sizeof(sa);
	if (getsockname(t->hold_fd, &sa.sa, &sl) < 0 ||
	    addr_from_sockaddr(&t->src, &t->sport, &sa.sa, sl) < 0)
		return -1;
	t->dport = t->conf->port_set ? (uint16_t)t->conf->port : TCP_DEFAULT_PORT;
	if (getrandom(&t->isn, sizeof(t->isn), 0) != sizeof(t->isn))
		t->isn = (uint32_t)getpid() << 16;
	return 0;
}

static int tcp_send(struct trt *t, int slot, int send, int ttl, size_t size)
{
	(void)size;   /* a SYN carries no payload: the size is fixed */
	struct tcp_hdr h = {
		.sport = t->sport, .dport = t->dport,
		.seq = t->isn + trt_ident(slot, send),
		.flags = TCP_SYN, .window = 64240,
		.opts = { .has_mss = true, .mss = (uint16_t)(t->pmtu ? t->pmtu - t->fam->hdr_len - 20 : 1460),
			  .sack_ok = true, .has_ts = true, .ts_val = (uint32_t)(clock_mono() / NS_PER_MS),
			  .has_wscale = true, .wscale = 7 },
	};
	struct wr w = wr_init(t->txbuf, TRT_BUF);
	if (tcp_encode(&w, &t->src, &t->dst, &h, NULL, 0) < 0)
		return -1;
	if (sock_set_ttl(t->tx_fd, t->fam, ttl) < 0)
		return -1;
	if (sock_sendto(t->tx_fd, t->txbuf, wr_len(&w), &t->dst, 0) < 0)
		return -1;
	out_packet(t, "sent", t->txbuf, wr_len(&w), true, IPPROTO_TCP, ttl, true);
	return 0;
}

static int tcp_match_quote(const struct trt *t, const uint8_t *l4, size_t len, int *send)
{
	struct rd r = rd_init(l4, len);
	uint16_t sport = rd_u16(&r), dport = rd_u16(&r);
	uint32_t seq = rd_u32(&r);
	if (!rd_ok(&r) || sport != t->sport || dport != t->dport)
		return -1;
	return trt_ident_slot(seq - t->isn, send);
}

int trt_match_tcp(const struct trt *t, const uint8_t *pkt, size_t len, const struct addr *from,
		  int recv_ttl, struct trt_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->slot = -1;
	r->recv_ttl = recv_ttl;
	if (from)
		r->from = *from;
	struct rd rd = rd_init(pkt, len);
	if (t->fam->raw_rx_has_ip_header) {
		struct ip_hdr ip;
		if (ip_decode(&rd, &ip) < 0 || ip.fam != t->fam || ip.proto != IPPROTO_TCP || ip.frag_off)
			return -1;
		r->from = ip.src;
		r->recv_ttl = ip.ttl;
	}
	if (!addr_eq(&r->from, &t->dst))
		return -1;
	struct tcp_hdr h;
	bool partial = false;
	if (tcp_decode(&rd, &h, &partial) < 0 || partial)
		return -1;
	if (h.sport != t->dport || h.dport != t->sport || !(h.flags & TCP_ACK))
		return -1;
	if ((h.flags & (TCP_SYN | TCP_RST)) == 0)
		return -1;
	int send = 0;
	int slot = trt_ident_slot(h.ack - 1 - t->isn, &send);
	bool in_table = slot >= 0 && (slot < t->nprobes || (slot == t->nprobes && t->bh.active));
	if (!in_table || send >= t->probes[slot].sends)
		return -1;
	r->slot = slot;
	r->send = send;
	r->final = true;
	tcp_flags_str(h.flags, r->ext, sizeof(r->ext));
	return 0;
}

const struct trt_method trt_method_tcp = {
	.name = "tcp",
	.proto = IPPROTO_TCP,
	.hdr_len = TCP_HDR_LEN + TCP_SYN_OPT_LEN,
	.icmp_need = TRT_ICMP_RAW,
	.raw_tcp = true,
	.setup = tcp_setup,
	.send = tcp_send,
	.match_quote = tcp_match_quote,
};
