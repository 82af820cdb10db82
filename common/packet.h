/*
 * packet — AF_PACKET link-layer sockets for the tools that speak below IP
 * (arping's ARP, dhcpc before it has an address).
 *
 * The socket is opened with protocol 0, so it receives nothing until
 * packet_bind() names an interface and an ethertype; a BPF program
 * attached in between (packet_attach_filter) is therefore in place before
 * the first frame is queued: no unfiltered frame ever reaches the tool.
 * Frames are whole Ethernet frames both ways (SOCK_RAW), so what is sent
 * and what --pcap records are the same bytes.  packet_recv() returns the
 * kernel's receive timestamp and what the kernel knows about the frame
 * (broadcast, for us, someone else's; arrival interface); transmit
 * timestamps come from the error queue (packet_tx_stamp).
 *
 * CAP_NET_RAW is needed only for socket() (sock_open raises it there);
 * binding, filters and sending work without it afterwards.
 */
#ifndef ND_PACKET_H
#define ND_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>

#include "clock.h"

/* What the kernel says about a received frame (sockaddr_ll, cmsgs). */
struct packet_meta {
	nsec_t ts;            /* kernel receive timestamp (realtime ns); 0 when none */
	int ifindex;          /* arrival interface */
	uint8_t pkttype;      /* PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST,
			       * PACKET_OTHERHOST, PACKET_OUTGOING */
	uint16_t protocol;    /* ethertype, host order */
	bool truncated;       /* the frame was longer than the buffer */
};

/* Features packet_enable() can turn on (and returns the subset that is on). */
enum {
	PACKET_RX_TS = 1 << 0,   /* kernel receive timestamps */
	PACKET_TX_TS = 1 << 1,   /* kernel transmit timestamps on the error queue */
};

/* socket(AF_PACKET, SOCK_RAW, 0), nonblocking, CAP_NET_RAW raised only
 * around the call.  -1 with errno. */
int packet_open(void);
/* Attach a classic BPF program (SO_ATTACH_FILTER).  -1 with errno. */
int packet_attach_filter(int fd, const struct sock_filter *prog, unsigned short len);
/* A ready-made program: Ethernet/IPv4 ARP requests and replies only
 * (htype 1, ptype 0x0800, hlen 6, plen 4, op 1 or 2). */
int packet_filter_arp(int fd);
/* Start receiving ethertype (host order) frames on ifindex. */
int packet_bind(int fd, int ifindex, uint16_t ethertype);
unsigned packet_enable(int fd, unsigned flags);

/* Send one whole Ethernet frame out of ifindex; the frame's first six
 * bytes are its destination.  Returns the bytes sent or -1 with errno. */
ssize_t packet_send(int fd, int ifindex, const void *frame, size_t len);
/* Receive one frame (MSG_DONTWAIT); -1 with errno (EAGAIN when none). */
ssize_t packet_recv(int fd, void *buf, size_t len, struct packet_meta *m);
/* One transmit timestamp from the error queue: 1 with *id (the send's
 * SOF_TIMESTAMPING_OPT_ID counter, from 0) and *ts set; 0 when none is
 * queued; -1 on error. */
int packet_tx_stamp(int fd, uint32_t *id, nsec_t *ts);

#endif
