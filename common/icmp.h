/*
 * icmp — ICMP (RFC 792) and ICMPv6 (RFC 4443) messages: echo encode/decode,
 * errors with the packet they quote, and names for every type and code.
 *
 * The per-family type numbers are looked up through struct ipfam, and
 * errors are classified into one enum so tools ask "is this a time
 * exceeded?" once for both families.
 */
#ifndef ND_ICMP_H
#define ND_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ip.h"

#define ICMP_HDR_LEN 8

/* What an ICMP message is, independent of the family's numbering. */
enum icmp_kind {
	ICMPK_ECHO_REPLY,
	ICMPK_ECHO_REQUEST,
	ICMPK_UNREACH,        /* v4 type 3 (except code 4), v6 type 1 */
	ICMPK_TOO_BIG,        /* v4 type 3 code 4, v6 type 2 */
	ICMPK_TIME_EXCEEDED,  /* v4 type 11, v6 type 3 */
	ICMPK_PARAM_PROBLEM,  /* v4 type 12, v6 type 4 */
	ICMPK_REDIRECT,       /* v4 type 5 (v6 redirects are ND, type 137) */
	ICMPK_SOURCE_QUENCH,  /* v4 type 4 */
	ICMPK_OTHER,
};

struct icmp_msg {
	const struct ipfam *fam;
	uint8_t type, code;
	uint16_t cksum;
	uint16_t id, seq;          /* echo request / reply */
	uint32_t info;             /* second header word: MTU, gateway, pointer */
	const uint8_t *body;       /* echo payload, or the quoted packet */
	size_t body_len;
	size_t len;                /* whole ICMP message */
};

/* Decode the ICMP header at r (r is left empty: the body is the rest). */
int icmp_decode(struct rd *r, const struct ipfam *fam, struct icmp_msg *m);

enum icmp_kind icmp_kind(const struct icmp_msg *m);
bool icmp_kind_is_error(enum icmp_kind k);
/* Next-hop MTU of a frag-needed / packet-too-big, else 0. */
uint32_t icmp_mtu(const struct icmp_msg *m);

/* The packet an ICMP error quotes: its IP header and the first bytes of
 * its upper layer (RFC 792 promises 8; RFC 1812 routers send more). */
struct icmp_quote {
	struct ip_hdr ip;
	const uint8_t *l4;
	size_t l4_len;
	bool truncated;            /* fewer bytes quoted than the header claims */
};

/* Decode the quote of an error message; -1 if the quote is not a sane
 * packet of the same family (too short, wrong version, bad header). */
int icmp_quote_decode(const struct icmp_msg *m, struct icmp_quote *q);

/* Build an echo request/reply: header, then payload.  The checksum is
 * computed over the finished message for IPv4; for IPv6 it is left 0
 * because the kernel fills it (it needs the pseudo-header and source). */
int icmp_echo_encode(struct wr *w, const struct ipfam *fam, uint8_t type, uint16_t id,
		     uint16_t seq, const void *payload, size_t len);

/* iputils' wording of an error, e.g. "Destination Host Unreachable",
 * "Frag needed and DF set (mtu = 1400)", "Destination unreachable: No route". */
const char *icmp_describe(const struct icmp_msg *m, char *buf, size_t len);
/* Short names for the decoder: "Destination Unreachable", "Host Unreachable". */
const char *icmp_type_name(const struct ipfam *fam, uint8_t type);
const char *icmp_code_name(const struct ipfam *fam, uint8_t type, uint8_t code);
/* A one-line plain explanation for students (-v). */
const char *icmp_explain(const struct ipfam *fam, uint8_t type, uint8_t code);

#endif
