/*
 * raw — the raw-SYN method: our SYN from a raw TCP socket, the answers
 * from the same socket (SYN-ACK, RST) and from a raw ICMP socket (errors
 * that quote our SYN).
 *
 * The kernel builds the IP header (no IP_HDRINCL: it picks the route, the
 * IP ID and fragments nothing); we build the TCP header with the checksum
 * over the pseudo-header, for IPv4 and IPv6 alike.  The source port is
 * held by a bound, unconnected TCP socket (syn_hold_port): no local
 * connection can take it, and the kernel, which owns no connection for
 * the SYN-ACK, answers it with RST — so the server is left with nothing
 * half-open.  RTT is the kernel's receive stamp minus the kernel's
 * transmit stamp (SO_TIMESTAMPING, OPT_ID keys mapped back to probes).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

/* Linux raw ICMP socket filter (linux/icmp.h, which clashes with net/if.h):
 * a bit set per ICMP type to block. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif

#include "nl.h"
#include "sock.h"
#include "syn.h"
#include "tcpprobe.h"

static nsec_t rx_time(const struct rxmeta *m)
{
	return m->ts ? m->ts : clock_real();
}

static long long rtt_us(const struct tp_probe *p, nsec_t rx)
{
	nsec_t d = rx - p->tx_real;
	return d > 0 ? d / NS_PER_US : 0;
}

static int raw_send(struct tp *t, struct tp_probe *p)
{
	uint8_t seg[64];
	struct tcp_hdr h;
	/* RFC 7323 section 5.4: any starting TSval will do; ours is a
	 * millisecond clock so -v shows something plausible. */
	uint32_t tsval = (uint32_t)(clock_mono() / NS_PER_MS);
	size_t len = syn_build(seg, sizeof(seg), &t->local, &t->target, t->sport,
			       t->conf->ports[p->pidx], p->isn, t->our_mss, tsval, &h);
	if (!len) {
		errno = EMSGSIZE;
		return -1;
	}
	p->tx_user = clock_real();
	p->tx_real = p->tx_user;
	if (sock_sendto(t->tcp_fd, seg, len, &t->target, 0) < 0)
		return -1;
	if (t->tx_stamps)
		t->txkey_probe[t->txkey++ % TP_TXKEY_RING] = (uint32_t)(p - t->probes);
	if (t->conf->handshake)
		out_syn_sent(t, p, &h);
	out_packet(t, "sent", &t->local, &t->target, IPPROTO_TCP, t->conf->ttl, seg, len, p->tx_user);
	return 0;
}

static void raw_cancel(struct tp *t, struct tp_probe *p)
{
	(void)t;
	(void)p;
}

const struct tp_method tp_method_raw = { "raw", raw_send, raw_cancel };

/* Show (-v) and count a packet that does not answer anything.  IPv6 raw
 * sockets give no IP header: one is rebuilt from the addresses. */
static void ignore(struct tp *t, const uint8_t *pkt, size_t len, const struct addr *src,
		   const struct addr *dst, uint8_t proto, const char *why, nsec_t ts)
{
	t->ignored++;
	if (!t->conf->verbose && !pcap_is_open(&t->pcap))
		return;
	char what[96];
	snprintf(what, sizeof(what), "ignored: %s", why);
	if (t->fam->raw_rx_has_ip_header)
		out_packet_ip(t, what, pkt, len, ts);
	else
		out_packet(t, what, src, dst, proto, -1, pkt, len, ts);
}

static void on_tcp_packet(struct tp *t, const uint8_t *pkt, size_t len, const struct addr *from,
			  const struct rxmeta *m)
{
	bool with_ip = t->fam->raw_rx_has_ip_header;
	const struct addr *local = addr_is_set(&m->local) ? &m->local : &t->local;
	struct syn_seg s;
	const char *why = NULL;
	nsec_t rx = rx_time(m);
	if (syn_parse_tcp(t->fam, with_ip, pkt, len, from, local, &s, &why) != 0) {
		ignore(t, pkt, len, from, local, IPPROTO_TCP, why, rx);
		return;
	}
	/* Every TCP segment on the host comes here: only our flow is news. */
	if (!addr_eq(&s.src, &t->target) || s.tcp.dport != t->sport) {
		t->ignored++;
		return;
	}
	struct tp_probe *p = scan_find(t, s.tcp.sport, s.tcp.ack - 1, false);
	enum syn_verdict v = p ? syn_match(&s, &t->target, &t->local, t->sport, s.tcp.sport, p->isn)
			       : SYN_STALE;
	if (v != SYN_OPEN && v != SYN_CLOSED) {
		struct tp_probe *cur = scan_find(t, s.tcp.sport, 0, true);
		if (cur && t->conf->handshake)
			out_foreign(t, &s.tcp, cur->isn + 1);
		ignore(t, pkt, len, from, local, IPPROTO_TCP,
		       "not an answer to our SYN (wrong ack, flags or address)", rx);
		return;
	}
	if (with_ip)
		out_packet_ip(t, p->state == TP_INFLIGHT ? "recv" : "recv (late or duplicate)", pkt, len, rx);
	else
		out_packet(t, p->state == TP_INFLIGHT ? "recv" : "recv (late or duplicate)", &s.src, &s.dst,
			   IPPROTO_TCP, m->ttl, s.l4, s.l4_len, rx);
	if (p->state != TP_INFLIGHT) {
		t->late++;
		return;
	}
	struct tp_result r = {
		.cls = v == SYN_OPEN ? TP_OPEN : TP_CLOSED,
		.reason = v == SYN_OPEN ? TP_R_SYNACK : TP_R_RST,
		.rtt_us = rtt_us(p, rx), .have_tcp = true, .tcp = s.tcp,
		.ttl = s.ttl >= 0 ? s.ttl : m->ttl,
	};
	if (t->conf->handshake)
		out_handshake_reply(t, p, &s.tcp);
	scan_decide(t, p, &r);
}

static void on_icmp_packet(struct tp *t, const uint8_t *pkt, size_t len, const struct addr *from,
			   const struct rxmeta *m)
{
	bool with_ip = t->fam->raw_rx_has_ip_header;
	struct syn_seg s;
	const char *why = NULL;
	nsec_t rx = rx_time(m);
	if (syn_parse_icmp(t->fam, with_ip, pkt, len, from, &s, &why) != 0) {
		ignore(t, pkt, len, from, &t->local, (uint8_t)t->fam->icmp_proto, why, rx);
		return;
	}
	struct tp_probe *p = scan_find(t, s.tcp.dport, s.tcp.seq, false);
	enum syn_verdict v = p ? syn_match(&s, &t->target, &t->local, t->sport, s.tcp.dport, p->isn)
			       : SYN_NOT_OURS;
	if (v != SYN_FILTERED) {
		ignore(t, pkt, len, from, &t->local, (uint8_t)t->fam->icmp_proto,
		       "ICMP error about a packet that is not our SYN", rx);
		return;
	}
	if (with_ip)
		out_packet_ip(t, "recv", pkt, len, rx);
	else
		out_packet(t, "recv", from, &t->local, (uint8_t)t->fam->icmp_proto, m->ttl, pkt, len, rx);
	if (p->state != TP_INFLIGHT) {
		t->late++;
		return;
	}
	struct tp_result r = {
		.cls = TP_FILTERED, .reason = TP_R_ICMP, .rtt_us = rtt_us(p, rx), .from = s.from,
		.icmp_type = s.icmp_type, .icmp_code = s.icmp_code,
		.ttl = s.ttl >= 0 ? s.ttl : m->ttl,
	};
	scan_decide(t, p, &r);
}

/* Transmit stamps: the kernel's own send time replaces ours. */
static void drain_txstamps(struct tp *t)
{
	uint8_t buf[256];
	struct rxmeta m;
	for (int i = 0; i < TP_MAX_READS; i++) {
		if (sock_recv(t->tcp_fd, buf, sizeof(buf), NULL, NULL, &m, true) < 0)
			return;
		if (!m.is_txstamp)
			continue;
		uint32_t idx = t->txkey_probe[m.txstamp_id % TP_TXKEY_RING];
		if (idx >= t->nprobes)
			continue;
		struct tp_probe *p = &t->probes[idx];
		if (p->state == TP_INFLIGHT && m.ts >= p->tx_user && m.ts - p->tx_user < TP_TXSTAMP_SLACK)
			p->tx_real = m.ts;
	}
}

static void on_readable(void *arg, int fd, short revents)
{
	struct tp *t = arg;
	if (fd == t->tcp_fd && (revents & POLLERR))
		drain_txstamps(t);
	for (int i = 0; i < TP_MAX_READS && !t->finished; i++) {
		struct addr from;
		struct rxmeta m;
		ssize_t n = sock_recv(fd, t->rxbuf, TP_RX_BUF, &from, NULL, &m, false);
		if (n < 0)
			return;
		if (m.truncated) {
			t->ignored++;
			continue;
		}
		if (fd == t->tcp_fd) {
			/* A stamp queued behind a reply: take it first. */
			if (t->tx_stamps)
				drain_txstamps(t);
			on_tcp_packet(t, t->rxbuf, (size_t)n, &from, &m);
		} else {
			on_icmp_packet(t, t->rxbuf, (size_t)n, &from, &m);
		}
	}
}

/* Only errors on the ICMP socket: echo replies and the rest never wake us. */
static void icmp_filter(struct tp *t)
{
	if (t->fam->family == AF_INET) {
		uint32_t f = ~((1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED) |
			       (1u << ICMP_PARAMETERPROB));
		setsockopt(t->icmp_fd, IPPROTO_RAW, ICMP_FILTER, &f, sizeof(f));
		return;
	}
	struct icmp6_filter f;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
	ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &f);
	setsockopt(t->icmp_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
}

int raw_setup(struct tp *t)
{
	const struct tp_conf *c = t->conf;
	unsigned want = SOCK_RX_TS | SOCK_TX_TS | SOCK_RX_TTL | SOCK_RX_PKTINFO;
	unsigned on = sock_enable(t->tcp_fd, t->fam, want);
	t->tx_stamps = (on & SOCK_TX_TS) != 0;
	sock_enable(t->icmp_fd, t->fam, SOCK_RX_TS | SOCK_RX_TTL | SOCK_RX_PKTINFO);
	icmp_filter(t);
	if (c->ttl >= 0 && sock_set_ttl(t->tcp_fd, t->fam, c->ttl) < 0) {
		fprintf(stderr, "%s: setsockopt TTL: %s\n", c->prog, strerror(errno));
		return -1;
	}
	/* A scan's answers arrive in bursts: room for a few thousand. */
	sock_set_bufs(t->tcp_fd, 4 << 20, 0);
	sock_set_bufs(t->icmp_fd, 1 << 20, 0);
	t->hold_fd = syn_hold_port(t->fam, &t->local, (uint16_t)c->sport, c->iface, &t->sport);
	if (t->hold_fd < 0) {
		fprintf(stderr, "%s: bind source port %d: %s\n", c->prog, c->sport, strerror(errno));
		return -1;
	}
	if (loop_fd(t->loop, t->tcp_fd, POLLIN, on_readable, t) < 0 ||
	    loop_fd(t->loop, t->icmp_fd, POLLIN, on_readable, t) < 0) {
		fprintf(stderr, "%s: loop: %s\n", c->prog, strerror(errno));
		return -1;
	}
	return 0;
}

uint32_t tp_random32(void)
{
	uint32_t v = 0;
	/* getrandom(2) on a few bytes never blocks once the pool is up. */
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)clock_real() ^ (uint32_t)clock_mono() * 2654435761u;
	return v;
}
