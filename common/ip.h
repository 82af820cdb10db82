/*
 * ip — IPv4 and IPv6 headers, and the per-family table.
 *
 * struct ipfam is where the differences between the two families live as
 * data (header size, ICMP protocol and echo types, socket option names, who
 * computes the ICMP checksum), so the tools run one code path for both.
 * ip_decode() turns either header into the same struct ip_hdr.
 */
#ifndef ND_IP_H
#define ND_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"

enum pmtu_mode { PMTU_DO, PMTU_DONT, PMTU_WANT, PMTU_PROBE, PMTU_MODES };

struct ipfam {
	const char *name;          /* "IPv4", "IPv6" */
	const char *icmp_name;     /* "ICMP", "ICMPv6" */
	int family;                /* AF_INET, AF_INET6 */
	uint8_t version;           /* 4, 6 */
	size_t addr_len;           /* 4, 16 */
	size_t hdr_len;            /* fixed header: 20, 40 */
	int icmp_proto;            /* IPPROTO_ICMP, IPPROTO_ICMPV6 */
	uint8_t echo_request, echo_reply;
	int sol;                   /* IPPROTO_IP, IPPROTO_IPV6 */
	int so_ttl;                /* IP_TTL, IPV6_UNICAST_HOPS */
	int so_mcast_ttl;          /* IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS */
	int so_recvttl;            /* IP_RECVTTL, IPV6_RECVHOPLIMIT */
	int cmsg_ttl;              /* IP_TTL, IPV6_HOPLIMIT */
	int so_tos;                /* IP_TOS, IPV6_TCLASS */
	int so_recvtos;            /* IP_RECVTOS, IPV6_RECVTCLASS */
	int so_recverr;            /* IP_RECVERR, IPV6_RECVERR */
	int so_mtu_discover;       /* IP_MTU_DISCOVER, IPV6_MTU_DISCOVER */
	int so_mtu;                /* IP_MTU, IPV6_MTU */
	int so_pktinfo;            /* IP_PKTINFO, IPV6_RECVPKTINFO */
	int cmsg_pktinfo;          /* IP_PKTINFO, IPV6_PKTINFO */
	int pmtu_mode[PMTU_MODES]; /* IP_PMTUDISC_*, IPV6_PMTUDISC_* */
	uint8_t ee_origin_icmp;    /* SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6 */
	bool raw_rx_has_ip_header; /* IPv4 raw sockets deliver the IP header, IPv6 do not */
	bool kernel_icmp_cksum;    /* the kernel fills the ICMPv6 checksum (it needs the pseudo-header) */
	size_t max_payload;        /* largest ICMP payload in one datagram */
};

const struct ipfam *ipfam_get(int family);   /* NULL for other families */

/* Bounded walk over IPv6 extension headers: more than this many in one
 * packet is not something a real stack sends, and refusing keeps a hostile
 * chain from costing more than a few reads. */
#define IP6_MAX_EXT_HEADERS 8

struct ip_hdr {
	const struct ipfam *fam;
	uint8_t tos;               /* IPv4 TOS / IPv6 traffic class */
	uint32_t flow;             /* IPv6 flow label */
	uint32_t total_len;        /* as the header claims: v4 total length, v6 40 + payload length */
	uint16_t id;               /* IPv4 identification (IPv6: fragment header id, low 16 bits) */
	bool df, mf;
	uint16_t frag_off;         /* in bytes */
	uint8_t ttl;               /* TTL / hop limit */
	uint8_t proto;             /* upper-layer protocol (after any IPv6 extension headers) */
	uint16_t cksum;            /* IPv4 header checksum as received */
	bool cksum_ok;             /* IPv4 header checksum verifies (always true for v6) */
	size_t hdr_len;            /* bytes of header including options / extension headers */
	size_t opt_len;            /* IPv4 options bytes */
	struct addr src, dst;
};

/*
 * Decode an IPv4 or IPv6 header (the version nibble decides) and leave r at
 * the upper-layer payload.  A header that claims more than the buffer holds
 * (a quoted packet is usually cut short) is fine as long as the header itself
 * is whole; callers compare total_len with what is left when it matters.
 * Returns 0, or -1 for a malformed header.
 */
int ip_decode(struct rd *r, struct ip_hdr *h);

/* Write a header for payload_len bytes of payload (IPv4: with checksum,
 * no options).  Returns 0 or -1 when the writer is full. */
int ip_encode(struct wr *w, const struct ip_hdr *h, size_t payload_len);

#endif
