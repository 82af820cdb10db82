/*
 * udp — the UDP header (RFC 768): encode with the pseudo-header checksum,
 * decode with length checks.  Used by traceroute (probes, quoted probes),
 * dhcpc (BOOTP over a packet socket) and dnsq's hostile-peer tests.
 */
#ifndef ND_UDP_H
#define ND_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"

#define UDP_HDR_LEN 8

struct udp_hdr {
	uint16_t sport, dport;
	uint16_t len;        /* header + payload, as the header claims */
	uint16_t cksum;      /* as received (0: none, IPv4 only) */
};

/* Decode the header at r (r is left at the payload).  0 or -1. */
int udp_decode(struct rd *r, struct udp_hdr *h);
/* Write header + payload; the checksum covers the pseudo-header of
 * src/dst (IPv4 or IPv6).  0 or -1 when the writer is full. */
int udp_encode(struct wr *w, const struct addr *src, const struct addr *dst, uint16_t sport,
	       uint16_t dport, const void *payload, size_t len);
/* Does a whole UDP datagram (header + payload) carry a valid checksum?
 * An IPv4 checksum of 0 means "none" and passes. */
bool udp_cksum_ok(const struct addr *src, const struct addr *dst, const uint8_t *udp, size_t len);

#endif
