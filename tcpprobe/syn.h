/*
 * syn — the probe and the answers to it, as pure functions: build a SYN,
 * parse what a raw TCP or raw ICMP socket hands us, and decide whether a
 * parsed segment answers a given probe.  No sockets, no state: the unit
 * tests and the fuzz harness drive these directly.
 */
#ifndef TCPPROBE_SYN_H
#define TCPPROBE_SYN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ip.h"
#include "tcp.h"

/* What a received packet turned out to be. */
struct syn_seg {
	bool is_icmp;
	struct addr src, dst;      /* TCP: the segment's; ICMP: the quoted probe's */
	struct tcp_hdr tcp;        /* TCP: the reply; ICMP: the quoted probe */
	bool partial;              /* ICMP: only the first 8 bytes of TCP were quoted */
	int ttl;                   /* IPv4 header TTL when the packet had one, else -1 */
	struct addr from;          /* ICMP: who sent the error */
	uint8_t icmp_type, icmp_code;
	const uint8_t *l4;         /* the TCP segment or ICMP message in the buffer */
	size_t l4_len;
};

/*
 * A packet from the raw TCP socket.  with_ip: it starts with the IP header
 * (IPv4 raw sockets); else from/local give the addresses (IPv6).  Returns
 * 0, or -1 with *why naming what was wrong ("truncated", "bad checksum").
 */
int syn_parse_tcp(const struct ipfam *fam, bool with_ip, const uint8_t *pkt, size_t len,
		  const struct addr *from, const struct addr *local, struct syn_seg *s,
		  const char **why);
/* A packet from the raw ICMP socket: an error quoting a TCP packet, or -1
 * with *why ("not an error", "quotes no TCP"). */
int syn_parse_icmp(const struct ipfam *fam, bool with_ip, const uint8_t *pkt, size_t len,
		   const struct addr *from, struct syn_seg *s, const char **why);

enum syn_verdict {
	SYN_NOT_OURS,     /* other addresses or ports: someone else's traffic */
	SYN_OPEN,         /* SYN+ACK, ack = ISN + 1 */
	SYN_CLOSED,       /* RST+ACK, ack = ISN + 1 (RFC 9293 3.10.7.3) */
	SYN_FILTERED,     /* an ICMP error quoting this very SYN (seq = ISN) */
	SYN_STALE,        /* our flow, but the ack (or quoted seq) is not this probe's */
};

/* Does s answer the SYN local:sport -> target:dport with isn? */
enum syn_verdict syn_match(const struct syn_seg *s, const struct addr *target,
			   const struct addr *local, uint16_t sport, uint16_t dport, uint32_t isn);

/* The SYN itself: header with our options (MSS, SACK-permitted,
 * timestamps, window scale) and checksum over the pseudo-header.  Returns
 * its length, 0 when cap is too small. */
size_t syn_build(uint8_t *buf, size_t cap, const struct addr *src, const struct addr *dst,
		 uint16_t sport, uint16_t dport, uint32_t isn, uint16_t mss, uint32_t tsval,
		 struct tcp_hdr *out);

/* A TCP socket bound to local:port (0 = any) and left unconnected: it
 * keeps the port ours, so the kernel resets the SYN-ACKs we provoke and
 * no local connection ever collides with a probe.  Returns the fd (port in
 * *got) or -1 with errno. */
int syn_hold_port(const struct ipfam *fam, const struct addr *local, uint16_t port,
		  const char *iface, uint16_t *got);

#endif
