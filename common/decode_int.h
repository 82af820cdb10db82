/*
 * decode_int.h — private to decode.c and decode_l4.c.
 *
 * The teaching printer is one module split over two files to keep each
 * small: decode.c has the entry points, the link and network layers;
 * decode_l4.c has ICMP, UDP and TCP.  ICMP errors call back into the
 * network layer to print the packet they quote, hence this header.
 */
#ifndef ND_DECODE_INT_H
#define ND_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "decode.h"
#include "ip.h"

/* Depth 0 is the packet itself, 1 the packet an ICMP error quotes, 2 a
 * quote inside that quote.  Nothing legitimate nests deeper (RFC 1122
 * 3.2.2: no ICMP error about an ICMP error), and stopping here keeps a
 * hostile matryoshka from costing more than a few lines. */
#define DECODE_MAX_QUOTE_DEPTH 2
/* Extra columns of indent for each level of quoting. */
#define DECODE_QUOTE_INDENT 4

/* What the transport decoders need from the IP header below them. */
struct decode_l3 {
	const struct ipfam *fam;
	struct addr src, dst;
	size_t claimed;   /* upper-layer bytes the IP header claims */
	bool whole;       /* all of them are here and this is not a fragment,
			   * so a checksum over them means something */
};

/* The IP layer (version nibble decides); indent in columns. */
void decode_ip_layer(const struct decode *d, struct rd *r, int indent, int depth);
/* The transport layer: ICMP, ICMPv6, UDP, TCP; anything else is counted. */
void decode_l4_dispatch(const struct decode *d, struct rd *r, uint8_t proto,
			const struct decode_l3 *l3, int indent, int depth);
/* An ICMP/ICMPv6 message; l3 is NULL when there was no IP header. */
void decode_l4_icmp(const struct decode *d, struct rd *r, const struct ipfam *fam,
		    const struct decode_l3 *l3, int indent, int depth);

/* "[truncated: need N bytes, have M]" and "[malformed: ...]" lines. */
void decode_note_truncated(const struct decode *d, int indent, const char *layer,
			   size_t need, size_t have);
void decode_note_malformed(const struct decode *d, int indent, const char *layer,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* IANA protocol numbers, for "protocol 6 (TCP)" and "next header 58 (ICMPv6)". */
const char *decode_proto_name(uint8_t proto);

#endif
