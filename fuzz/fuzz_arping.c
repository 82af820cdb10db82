/*
 * fuzz_arping — the Ethernet/ARP parser arping and dhcpc trust
 * (common/ether.c), and the -v printer over the same bytes.  Whatever a
 * LAN sends must decode or be refused, never read out of bounds; a frame
 * that decodes must re-encode to the same 42 bytes.
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "ether.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = rd_init(data, size);
	struct ether_hdr h;
	struct arp_msg m;
	if (ether_decode(&r, &h) == 0 && arp_decode(&r, &m) == 0) {
		uint8_t out[ETHER_HDR_LEN + ARP_LEN];
		struct wr w = wr_init(out, sizeof(out));
		if (ether_encode(&w, &h) != 0 || arp_encode(&w, &m) != 0 || wr_len(&w) != sizeof(out) ||
		    memcmp(out, data, sizeof(out)) != 0)
			__builtin_trap();
		char b[24];
		ether_fmt(m.sha, b, sizeof(b));
	}
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	struct decode d = { .out = devnull, .level = 2 };
	if (devnull)
		decode_packet(&d, "fuzz", DECODE_FROM_ETHER, NULL, data, size);
	return 0;
}
