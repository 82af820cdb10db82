/*
 * link — DHCP over a packet socket: the client has no address yet, so it
 * builds Ethernet, IPv4 and UDP itself (common/ether, ip, udp) and reads
 * whole frames, unicast or broadcast, before the kernel would deliver
 * them to any UDP socket (research 2.2 item 15: a UDP socket on
 * 0.0.0.0:68 never sees a unicast OFFER).
 *
 * A classic BPF program passes only unfragmented IPv4/UDP to port 68; it
 * is attached before the socket is bound (common/packet.h), so no other
 * frame is ever queued.  Every frame is still checked in full here: IP
 * header checksum, lengths, no fragments, UDP length and checksum.  The
 * one exception is the UDP checksum of a frame the kernel marks
 * TP_STATUS_CSUMNOTREADY (PACKET_AUXDATA): a checksum offloaded by a
 * sender on this host (a veth peer) is not filled in yet, and udhcpc
 * skips the check for exactly these frames too.  common/packet.c has no
 * PACKET_AUXDATA reader, so the receive call lives here.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "dhcpc.h"
#include "ip.h"
#include "nl.h"
#include "packet.h"
#include "sock.h"
#include "udp.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
/* The TTL udhcpc and dnsmasq use for DHCP (IPDEFTTL). */
#define DHCPC_TTL 64

int link_open(void)
{
	return packet_open();
}

static int attach_filter(int fd)
{
	/* Ethernet offsets: type 12; IPv4 at 14: flags/fragment 20,
	 * protocol 23; UDP destination port at 14 + IHL*4 + 2. */
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IPV4, 0, 8),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 4, 0),   /* MF or an offset */
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DHCP_CLIENT_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	return packet_attach_filter(fd, prog, (unsigned short)(sizeof(prog) / sizeof(prog[0])));
}

int link_setup(struct dhcpc *d)
{
	int one = 1;
	if (attach_filter(d->fd) < 0)
		return -1;
	if (setsockopt(d->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0)
		return -1;
	packet_enable(d->fd, PACKET_RX_TS);
	if (packet_bind(d->fd, d->ifindex, ETHERTYPE_IPV4) < 0)
		return -1;
	if (d->conf->mac_set) {
		/* Replies unicast to another MAC reach us on a real NIC only in
		 * promiscuous mode (nmap PR#2470); veth delivers them anyway.
		 * Best effort: failing is not fatal. */
		struct packet_mreq mr = { .mr_ifindex = d->ifindex, .mr_type = PACKET_MR_PROMISC };
		(void)setsockopt(d->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	return 0;
}

int link_send(struct dhcpc *d, const uint8_t *dst_mac, const struct addr *src,
	      const struct addr *dst, const uint8_t *msg, size_t len)
{
	struct wr w = wr_init(d->txbuf, sizeof(d->txbuf));
	struct ether_hdr eh = { .type = ETHERTYPE_IPV4 };
	memcpy(eh.dst, dst_mac, ETHER_ADDR_LEN);
	memcpy(eh.src, d->chaddr, ETHER_ADDR_LEN);
	struct ip_hdr ih = {
		.fam = ipfam_get(AF_INET), .ttl = DHCPC_TTL, .proto = IPPROTO_UDP,
		.src = *src, .dst = *dst,
	};
	if (ether_encode(&w, &eh) < 0 || ip_encode(&w, &ih, UDP_HDR_LEN + len) < 0 ||
	    udp_encode(&w, src, dst, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, msg, len) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	ssize_t n = packet_send(d->fd, d->ifindex, d->txbuf, wr_len(&w));
	if (n < 0)
		return -1;
	out_packet(d, "sent", d->txbuf, wr_len(&w), clock_real());
	d->sent++;
	return 0;
}

int link_parse_frame(const uint8_t *frame, size_t len, bool csum_unverified, struct dhcpc_rx *rx,
		     const char **why)
{
	memset(rx, 0, sizeof(*rx));
	rx->frame = frame;
	rx->frame_len = len;
	struct rd r = rd_init(frame, len);
	struct ether_hdr eh;
	if (ether_decode(&r, &eh) < 0 || eh.type != ETHERTYPE_IPV4) {
		*why = "not an IPv4 frame";
		return -1;
	}
	memcpy(rx->l2src, eh.src, ETHER_ADDR_LEN);
	rx->l2_broadcast = ether_is_broadcast(eh.dst);
	struct ip_hdr ih;
	if (ip_decode(&r, &ih) < 0 || ih.fam->version != 4) {
		*why = "malformed IPv4 header";
		return -1;
	}
	if (!ih.cksum_ok) {
		*why = "bad IPv4 header checksum";
		return -1;
	}
	if (ih.mf || ih.frag_off) {
		*why = "IPv4 fragment";
		return -1;
	}
	if (ih.proto != IPPROTO_UDP) {
		*why = "not UDP";
		return -1;
	}
	if (ih.total_len < ih.hdr_len || ih.total_len - ih.hdr_len > rd_left(&r)) {
		*why = "IPv4 total length larger than the frame";
		return -1;
	}
	/* Ethernet pads short frames: the IP header's length is the truth. */
	size_t ip_payload = ih.total_len - ih.hdr_len;
	const uint8_t *udp = rd_peek(&r);
	struct rd u = rd_init(udp, ip_payload);
	struct udp_hdr uh;
	if (udp_decode(&u, &uh) < 0 || uh.len < UDP_HDR_LEN || uh.len > ip_payload) {
		*why = "bad UDP length";
		return -1;
	}
	if (uh.dport != DHCP_CLIENT_PORT) {
		*why = "not to UDP port 68";
		return -1;
	}
	if (!csum_unverified && !udp_cksum_ok(&ih.src, &ih.dst, udp, uh.len)) {
		*why = "bad UDP checksum";
		return -1;
	}
	rx->src = ih.src;
	rx->dst = ih.dst;
	rx->sport = uh.sport;
	rx->dport = uh.dport;
	rx->payload = udp + UDP_HDR_LEN;
	rx->payload_len = uh.len - UDP_HDR_LEN;
	return 0;
}

int link_recv(struct dhcpc *d, struct dhcpc_rx *rx, const char **why)
{
	struct sockaddr_ll sll;
	union {
		char buf[512];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = d->rxbuf, .iov_len = DHCPC_RX_BUF };
	struct msghdr msg = {
		.msg_name = &sll, .msg_namelen = sizeof(sll),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	*why = NULL;
	ssize_t n = recvmsg(d->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return 0;
	if (msg.msg_namelen >= offsetof(struct sockaddr_ll, sll_addr) &&
	    sll.sll_pkttype == PACKET_OUTGOING) {
		*why = "our own outgoing frame";
		return -2;
	}
	if ((msg.msg_flags & MSG_TRUNC) || (size_t)n > DHCPC_RX_BUF) {
		*why = "frame larger than the receive buffer";
		return -1;
	}
	bool unverified = false;
	const uint8_t *end = (const uint8_t *)msg.msg_control + msg.msg_controllen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		struct tpacket_auxdata aux;
		const uint8_t *p = CMSG_DATA(c);
		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		if (c->cmsg_len < CMSG_LEN(sizeof(aux)) || p > end || (size_t)(end - p) < sizeof(aux))
			continue;
		memcpy(&aux, p, sizeof(aux));
		unverified = (aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
	}
	struct rxmeta meta;
	memset(&meta, 0, sizeof(meta));
	sock_parse_control(&msg, &meta);
	nsec_t ts = meta.ts ? meta.ts : clock_real();
	int rc = link_parse_frame(d->rxbuf, (size_t)n, unverified, rx, why);
	rx->ts = ts;
	rx->frame = d->rxbuf;
	rx->frame_len = (size_t)n;
	return rc < 0 ? -1 : 1;
}
