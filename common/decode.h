/*
 * decode — the -v / -vv teaching view: print any packet layer by layer.
 *
 * Every header field by name, flags spelled out, options listed, an ICMP
 * error's quoted packet decoded too (indented), each ICMP type/code named
 * with a one-line plain explanation, stamped with ms since the tool
 * started.  -vv adds a hex dump.  Bytes go through the same bounds-checked
 * readers as the tools: a truncated or hostile packet is printed as far as
 * it is sound, then "[truncated: ...]" — never read past its end.
 *
 * Tools with an application protocol (DNS, DHCP) pass an app hook that is
 * called with the UDP/TCP payload and prints its own lines via decode_line().
 */
#ifndef ND_DECODE_H
#define ND_DECODE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clock.h"
#include "ip.h"

struct decode;
typedef void (*decode_app_fn)(const struct decode *d, int ipproto, uint16_t sport,
			      uint16_t dport, const uint8_t *payload, size_t len);

struct decode {
	FILE *out;
	int level;            /* 1: layers; 2: layers and a hex dump */
	nsec_t t0;            /* clock_mono() at start; stamps are ms since */
	decode_app_fn app;    /* optional application-layer printer */
	void *app_arg;
};

/* The -v decoder of a tool: on stdout, or on stderr when stdout carries
 * --json lines; stamps count from now. */
static inline struct decode decode_for(int level, bool json)
{
	return (struct decode){ .out = json ? stderr : stdout, .level = level, .t0 = clock_mono() };
}

enum decode_start {
	DECODE_FROM_ETHER,    /* Ethernet II frame (ARP, IPv4, IPv6 inside) */
	DECODE_FROM_IP,       /* IPv4 or IPv6 header (version nibble decides) */
	DECODE_FROM_ICMP,     /* ICMP/ICMPv6 message without IP header (fam says which) */
};

/*
 * Print one packet.  what is a short label ("sent", "recv", "recv error",
 * "ignored: wrong id"); fam is needed only for DECODE_FROM_ICMP.
 * Output shape (level 1):
 *   [    0.123 ms] sent 64 bytes
 *     ICMP   type 8 (Echo Request) code 0, cksum 0x1c2b, id 0x04d2, seq 1
 *            payload 56 bytes
 */
void decode_packet(const struct decode *d, const char *what, enum decode_start start,
		   const struct ipfam *fam, const void *pkt, size_t len);

/* One indented "field value" line for app decoders: decode_line(d, 2, "DNS", "id 0x%04x", id). */
void decode_line(const struct decode *d, int indent, const char *layer, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Classic 16-bytes-per-line hex + ASCII dump, each line prefixed by indent. */
void decode_hexdump(FILE *out, const void *p, size_t len, const char *indent);

#endif
