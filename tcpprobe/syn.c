/*
 * syn — build the SYN, parse the answers, match them to the probe (syn.h).
 *
 * Matching is strict because a raw socket sees every TCP segment and every
 * ICMP error on the host: a reply counts only when its addresses and ports
 * are the probe's and it acknowledges this probe's random ISN (RFC 9293
 * section 3.10.7.3: in SYN-SENT an RST is acceptable only if its ACK
 * acknowledges the SYN).  An ICMP error counts only when the TCP header it
 * quotes is our SYN: addresses, ports and seq = ISN (RFC 792 promises the
 * first 8 bytes of the datagram, which hold exactly those).  Everything
 * else is someone else's traffic or a stale answer to an earlier probe,
 * and the caller counts it without trusting it.
 */
#include "syn.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "buf.h"
#include "cksum.h"
#include "icmp.h"
#include "sock.h"

int syn_parse_tcp(const struct ipfam *fam, bool with_ip, const uint8_t *pkt, size_t len,
		  const struct addr *from, const struct addr *local, struct syn_seg *s,
		  const char **why)
{
	memset(s, 0, sizeof(*s));
	s->ttl = -1;
	struct rd r = rd_init(pkt, len);
	if (with_ip) {
		struct ip_hdr ip;
		if (ip_decode(&r, &ip) != 0 || ip.fam != fam) {
			*why = "bad IP header";
			return -1;
		}
		if (ip.proto != IPPROTO_TCP) {
			*why = "not TCP";
			return -1;
		}
		if (ip.mf || ip.frag_off) {
			*why = "fragment";
			return -1;
		}
		/* The header may claim less than arrived (Ethernet padding). */
		size_t body = ip.total_len > ip.hdr_len ? ip.total_len - ip.hdr_len : 0;
		if (body > rd_left(&r)) {
			*why = "truncated";
			return -1;
		}
		r = rd_sub(&r, body);
		s->src = ip.src;
		s->dst = ip.dst;
		s->ttl = ip.ttl;
	} else {
		s->src = *from;
		s->dst = *local;
	}
	s->l4 = rd_peek(&r);
	s->l4_len = rd_left(&r);
	if (tcp_decode(&r, &s->tcp, NULL) != 0) {
		*why = "truncated TCP header";
		return -1;
	}
	/* No checksum test here: a raw socket sees the segment before TCP
	 * does, and on veth and offloading NICs it still carries only the
	 * pseudo-header sum (CHECKSUM_PARTIAL).  The ack = ISN + 1 test is
	 * what keeps forged and damaged segments out. */
	return 0;
}

int syn_parse_icmp(const struct ipfam *fam, bool with_ip, const uint8_t *pkt, size_t len,
		   const struct addr *from, struct syn_seg *s, const char **why)
{
	memset(s, 0, sizeof(*s));
	s->ttl = -1;
	s->is_icmp = true;
	struct rd r = rd_init(pkt, len);
	s->from = *from;
	if (with_ip) {
		struct ip_hdr ip;
		if (ip_decode(&r, &ip) != 0 || ip.fam != fam || ip.proto != fam->icmp_proto) {
			*why = "bad IP header";
			return -1;
		}
		size_t body = ip.total_len > ip.hdr_len ? ip.total_len - ip.hdr_len : 0;
		if (body > rd_left(&r) || ip.mf || ip.frag_off) {
			*why = "truncated";
			return -1;
		}
		r = rd_sub(&r, body);
		s->from = ip.src;
		s->ttl = ip.ttl;
	}
	s->l4 = rd_peek(&r);
	s->l4_len = rd_left(&r);
	/* The kernel checks ICMPv6 checksums for raw sockets; ICMPv4 reaches
	 * raw sockets before icmp_rcv() has looked at it. */
	if (!fam->kernel_icmp_cksum && s->l4_len >= ICMP_HDR_LEN && cksum(s->l4, s->l4_len) != 0) {
		*why = "bad ICMP checksum";
		return -1;
	}
	struct icmp_msg m;
	if (icmp_decode(&r, fam, &m) != 0) {
		*why = "truncated ICMP header";
		return -1;
	}
	s->icmp_type = m.type;
	s->icmp_code = m.code;
	enum icmp_kind k = icmp_kind(&m);
	if (!icmp_kind_is_error(k) || k == ICMPK_REDIRECT) {
		*why = "not an ICMP error";
		return -1;
	}
	struct icmp_quote q;
	if (icmp_quote_decode(&m, &q) != 0) {
		*why = "bad quoted packet";
		return -1;
	}
	if (q.ip.proto != IPPROTO_TCP) {
		*why = "quotes no TCP";
		return -1;
	}
	s->src = q.ip.src;
	s->dst = q.ip.dst;
	struct rd t = rd_init(q.l4, q.l4_len);
	if (tcp_decode(&t, &s->tcp, &s->partial) != 0) {
		*why = "quoted TCP header too short";
		return -1;
	}
	return 0;
}

enum syn_verdict syn_match(const struct syn_seg *s, const struct addr *target,
			   const struct addr *local, uint16_t sport, uint16_t dport, uint32_t isn)
{
	if (s->is_icmp) {
		/* The quote is our packet: from us, to the target. */
		if (!addr_eq(&s->src, local) || !addr_eq(&s->dst, target) ||
		    s->tcp.sport != sport || s->tcp.dport != dport)
			return SYN_NOT_OURS;
		return s->tcp.seq == isn ? SYN_FILTERED : SYN_STALE;
	}
	if (!addr_eq(&s->src, target) || s->tcp.sport != dport || s->tcp.dport != sport)
		return SYN_NOT_OURS;
	if (addr_is_set(&s->dst) && !addr_eq(&s->dst, local))
		return SYN_NOT_OURS;
	uint8_t f = s->tcp.flags;
	if (!(f & TCP_ACK) || s->tcp.ack != isn + 1)
		return SYN_STALE;
	if (f & TCP_RST)
		return SYN_CLOSED;
	if ((f & (TCP_SYN | TCP_FIN)) == TCP_SYN)
		return SYN_OPEN;
	return SYN_STALE;
}

size_t syn_build(uint8_t *buf, size_t cap, const struct addr *src, const struct addr *dst,
		 uint16_t sport, uint16_t dport, uint32_t isn, uint16_t mss, uint32_t tsval,
		 struct tcp_hdr *out)
{
	struct tcp_hdr h = {
		.sport = sport, .dport = dport, .seq = isn, .ack = 0,
		/* Window and options as a Linux SYN on Ethernet carries them:
		 * an option-less SYN is treated differently by middleboxes. */
		.flags = TCP_SYN, .window = 64240,
		.opts = { .has_mss = true, .mss = mss, .sack_ok = true, .has_ts = true,
			  .ts_val = tsval, .ts_ecr = 0, .has_wscale = true, .wscale = 7 },
	};
	struct wr w = wr_init(buf, cap);
	if (tcp_encode(&w, src, dst, &h, NULL, 0) != 0)
		return 0;
	h.doff = (uint8_t)wr_len(&w);
	if (out)
		*out = h;
	return wr_len(&w);
}

int syn_hold_port(const struct ipfam *fam, const struct addr *local, uint16_t port,
		  const char *iface, uint16_t *got)
{
	int fd = sock_open(fam->family, SOCK_STREAM, IPPROTO_TCP);
	if (fd < 0)
		return -1;
	if ((iface && sock_bind_device(fd, iface) < 0) || sock_bind(fd, local, port) < 0)
		goto fail;
	union sockaddr_any sa;
	socklen_t sl = sizeof(sa);
	struct addr bound;
	if (getsockname(fd, &sa.sa, &sl) < 0 || addr_from_sockaddr(&bound, got, &sa.sa, sl) < 0)
		goto fail;
	return fd;
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
