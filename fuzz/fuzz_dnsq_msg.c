/*
 * fuzz_dnsq_msg — dnsq's message parser and presentation format: any
 * bytes must parse or be refused without reading out of bounds, and every
 * record that parses must print.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../dnsq/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[DNS_RR_STRLEN];
	struct dns_msg m;
	if (dns_msg_parse(&m, data, size) == DNS_OK) {
		struct dns_name n;
		for (size_t i = 0; i < m.nrr; i++) {
			dns_rr_fmt(&m, &m.rr[i], buf, sizeof(buf));
			dns_rdata_name(&m, &m.rr[i], &n);
		}
	}
	dns_msg_free(&m);
	return 0;
}
