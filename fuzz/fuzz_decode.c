/*
 * fuzz_decode — the -vv teaching printer on arbitrary bytes, from each of
 * its start layers (Ethernet, IP, ICMP and ICMPv6), with an app hook that
 * reads every byte it is handed.  Output goes to /dev/null: the point is
 * that every field is formatted and no read strays past the input.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void app(const struct decode *d, int ipproto, uint16_t sport, uint16_t dport,
		const uint8_t *payload, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sink ^= payload[i];
	decode_line(d, 2, "APP", "proto %d %u -> %u, %zu bytes", ipproto, sport, dport, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *out;
	if (!out)
		out = fopen("/dev/null", "w");
	if (!out)
		return 0;
	struct decode d = { .out = out, .level = 2, .t0 = clock_mono(), .app = app };
	decode_packet(&d, "fuzz", DECODE_FROM_ETHER, NULL, data, size);
	decode_packet(&d, "fuzz", DECODE_FROM_IP, NULL, data, size);
	decode_packet(&d, "fuzz", DECODE_FROM_ICMP, ipfam_get(AF_INET), data, size);
	decode_packet(&d, "fuzz", DECODE_FROM_ICMP, ipfam_get(AF_INET6), data, size);
	return 0;
}
