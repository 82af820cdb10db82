/*
 * tcp — the TCP header and its options (RFC 9293, RFC 7323, RFC 2018):
 * build a SYN with MSS / SACK-permitted / timestamps / window scale, decode
 * any segment with its options.  One implementation for tcpprobe and
 * traceroute -T (and the -v decoder).
 */
#ifndef ND_TCP_H
#define ND_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"

#define TCP_HDR_LEN 20

enum {
	TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08,
	TCP_ACK = 0x10, TCP_URG = 0x20, TCP_ECE = 0x40, TCP_CWR = 0x80,
};

/* Options a SYN or SYN-ACK may carry; has_* says which were present. */
struct tcp_opts {
	bool has_mss, sack_ok, has_ts, has_wscale;
	uint16_t mss;
	uint32_t ts_val, ts_ecr;
	uint8_t wscale;
	bool malformed;          /* an option ran past the header: the rest ignored */
};

struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff;            /* header length in bytes (20..60) */
	uint8_t flags;           /* TCP_* */
	uint16_t window, cksum, urg;
	struct tcp_opts opts;
};

/* Decode a header and its options (r is left at the payload).  A quoted
 * header cut short after its first 8 bytes (ports and seq, what an ICMP
 * error promises) decodes with partial = true.  0 or -1. */
int tcp_decode(struct rd *r, struct tcp_hdr *h, bool *partial);
/* Write a header (with h->opts, padded to 4 bytes) and payload; checksum
 * over the pseudo-header of src/dst.  0 or -1. */
int tcp_encode(struct wr *w, const struct addr *src, const struct addr *dst,
	       const struct tcp_hdr *h, const void *payload, size_t len);
/* Does a whole segment (header + payload) carry a valid checksum over the
 * pseudo-header of src/dst?  (Added by tcpprobe: raw sockets see segments
 * before TCP has checked them.) */
bool tcp_cksum_ok(const struct addr *src, const struct addr *dst, const uint8_t *seg, size_t len);
/* "SYN ACK" etc. into buf. */
const char *tcp_flags_str(uint8_t flags, char *buf, size_t len);

#endif
