/*
 * pcap — write what a tool sent and received to a classic pcap file
 * (--pcap FILE) so a student can open exactly this run in Wireshark or
 * tcpdump -r.
 *
 * IP tools use LINKTYPE_RAW (101: each record starts with the IPv4 or IPv6
 * header); arping and dhcpc use LINKTYPE_ETHERNET (1).  Records carry
 * nanosecond timestamps (magic 0xa1b23c4d).  When a tool only has the
 * upper layer of a packet (ICMP from a ping socket, the kernel built the
 * IP header), pcap_write_l4() wraps it in a synthesized IP header from
 * the addresses it knows, so the file still decodes.
 */
#ifndef ND_PCAP_H
#define ND_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "clock.h"

#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_LINKTYPE_RAW 101

struct pcap {
	FILE *f;
	int linktype;
};

/* Open (truncate) path and write the file header; -1 with errno. */
int pcap_open(struct pcap *p, const char *path, int linktype);
/* Write one record (whole frame or IP packet) stamped ts (realtime ns). */
int pcap_write(struct pcap *p, nsec_t ts, const void *pkt, size_t len);
/* Write an upper-layer payload (proto = ICMP, UDP, TCP...) inside a
 * synthesized IPv4/IPv6 header from src to dst with the given TTL. */
int pcap_write_l4(struct pcap *p, nsec_t ts, const struct addr *src, const struct addr *dst,
		  uint8_t proto, uint8_t ttl, const void *l4, size_t len);
void pcap_close(struct pcap *p);
/* --pcap FILE for a tool: nothing when path is NULL; else open it, or say
 * "prog: path: reason" on stderr and return -1. */
int pcap_start(struct pcap *p, const char *prog, const char *path, int linktype);
static inline bool pcap_is_open(const struct pcap *p) { return p->f != NULL; }

#endif
