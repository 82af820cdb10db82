/*
 * fuzz_dnsq_name — the name decoder on its own: the first two bytes are
 * the start offset, the rest is the message.  Compression loops, forward
 * pointers and over-long names must be refused; a decoded name must fit
 * DNS_NAME_MAX, print, and survive the text round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dnsq/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t pos = (size_t)(data[0] << 8 | data[1]);
	struct dns_name n, back;
	char text[DNS_NAME_STRLEN];
	if (dns_name_read(data + 2, size - 2, &pos, &n) != DNS_OK)
		return 0;
	if (n.len > DNS_NAME_MAX || pos > size - 2)
		abort();
	dns_name_fmt(&n, text, sizeof(text));
	if (dns_name_from_text(text, &back) != DNS_OK || !dns_name_eq(&n, &back))
		abort();
	return 0;
}
