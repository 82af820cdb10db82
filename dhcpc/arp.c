/*
 * arp — the client's two uses of ARP, through common/ether (arping's
 * codec) on a second packet socket filtered to Ethernet/IPv4 ARP.
 *
 * --arp-check: before taking an ACKed address, probe for it the RFC 5227
 * way (sender address 0.0.0.0, so nobody's cache is touched): any reply
 * for it, or another host's probe for it, is a conflict, and the state
 * machine DECLINEs (RFC 2131 3.1.5).
 *
 * Holding a lease without --apply: the kernel does not know the address,
 * so nobody would answer the server's ARP when it unicasts the renewal
 * ACK to ciaddr (RFC 2131 4.1), and -f could never renew.  While a lease
 * is held and not applied, we answer ARP requests for that one address
 * ourselves.
 */
#include <linux/if_packet.h>
#include <poll.h>
#include <string.h>

#include "dhcpc.h"
#include "packet.h"

int arp_open(void)
{
	return packet_open();
}

static void arp_send(struct dhcpc *d, const uint8_t *dst_mac, const struct arp_msg *m)
{
	uint8_t frame[ETHER_HDR_LEN + ARP_LEN + 18];
	struct wr w = wr_init(frame, sizeof(frame));
	struct ether_hdr eh = { .type = ETHERTYPE_ARP };
	memcpy(eh.dst, dst_mac, ETHER_ADDR_LEN);
	memcpy(eh.src, d->chaddr, ETHER_ADDR_LEN);
	if (ether_encode(&w, &eh) < 0 || arp_encode(&w, m) < 0)
		return;
	wr_zero(&w, sizeof(frame) - wr_len(&w));   /* the 60-byte Ethernet minimum */
	if (packet_send(d->arp_fd, d->ifindex, frame, wr_len(&w)) >= 0) {
		out_packet(d, "sent", frame, wr_len(&w), clock_real());
		d->sent++;
	}
}

static void probe_tick(void *arg)
{
	struct dhcpc *d = arg;
	static const uint8_t bcast[ETHER_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (d->state != ST_ARP_CHECK)
		return;
	if (d->arp_sent >= DHCPC_ARP_PROBES) {
		fsm_arp_done(d, false);
		return;
	}
	struct arp_msg m = { .op = ARP_REQUEST, .tpa = d->lease.addr };
	memcpy(m.sha, d->chaddr, ETHER_ADDR_LEN);
	arp_send(d, bcast, &m);
	d->arp_sent++;
	loop_timer(d->loop, d->arp_sent < DHCPC_ARP_PROBES ? DHCPC_ARP_GAP : DHCPC_ARP_WAIT,
		   probe_tick, d);
}

void arp_check_start(struct dhcpc *d)
{
	d->arp_sent = 0;
	d->arp_conflict = false;
	probe_tick(d);
}

static void on_arp(struct dhcpc *d, const uint8_t *frame, size_t len)
{
	struct rd r = rd_init(frame, len);
	struct ether_hdr eh;
	struct arp_msg m;
	if (ether_decode(&r, &eh) < 0 || eh.type != ETHERTYPE_ARP || arp_decode(&r, &m) < 0)
		return;
	bool ours = memcmp(m.sha, d->chaddr, ETHER_ADDR_LEN) == 0;
	if (d->state == ST_ARP_CHECK && !ours) {
		/* RFC 5227 2.1.1: a reply or request from the address, or
		 * another host probing for it, is a conflict. */
		bool from_it = addr_eq(&m.spa, &d->lease.addr);
		bool probing_it = addr_is_any(&m.spa) && addr_eq(&m.tpa, &d->lease.addr) &&
				  m.op == ARP_REQUEST;
		if (from_it || probing_it) {
			out_packet(d, "recv", frame, len, clock_real());
			d->received++;
			memcpy(d->arp_conflict_mac, m.sha, ETHER_ADDR_LEN);
			loop_cancel(d->loop, probe_tick, d);
			fsm_arp_done(d, true);
		}
		return;
	}
	bool holding = d->have_lease && !d->applied &&
		       (d->state == ST_BOUND || d->state == ST_RENEWING || d->state == ST_REBINDING);
	if (holding && !ours && m.op == ARP_REQUEST && addr_eq(&m.tpa, &d->lease.addr) &&
	    !addr_is_any(&m.spa)) {
		out_packet(d, "recv", frame, len, clock_real());
		struct arp_msg rep = { .op = ARP_REPLY, .spa = d->lease.addr, .tpa = m.spa };
		memcpy(rep.sha, d->chaddr, ETHER_ADDR_LEN);
		memcpy(rep.tha, m.sha, ETHER_ADDR_LEN);
		arp_send(d, m.sha, &rep);
	}
}

static void arp_readable(void *arg, int fd, short revents)
{
	struct dhcpc *d = arg;
	(void)revents;
	uint8_t frame[256];
	struct packet_meta meta;
	/* One wakeup drains what is queued, bounded so a flood of ARP cannot
	 * starve the DHCP socket. */
	for (int i = 0; i < 64; i++) {
		ssize_t n = packet_recv(fd, frame, sizeof(frame), &meta);
		if (n < 0)
			return;
		if (meta.pkttype == PACKET_OUTGOING || meta.truncated)
			continue;
		on_arp(d, frame, (size_t)n);
	}
}

int arp_setup(struct dhcpc *d)
{
	if (d->arp_fd < 0)
		return 0;
	if (packet_filter_arp(d->arp_fd) < 0 || packet_bind(d->arp_fd, d->ifindex, ETHERTYPE_ARP) < 0)
		return -1;
	return loop_fd(d->loop, d->arp_fd, POLLIN, arp_readable, d);
}
