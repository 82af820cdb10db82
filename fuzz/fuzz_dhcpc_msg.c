/*
 * fuzz_dhcpc_msg — dhcpc's message parser on arbitrary bytes: the fixed
 * header, the option iterator, overload into file/sname, RFC 3396
 * concatenation, then everything a reply is used for (lease extraction,
 * lint, option 121, each option's text form).  Seeds in
 * fuzz/corpus/fuzz_dhcpc_msg/ include overloaded and split options.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../dhcpc/dhcpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp_msg m;
	static struct dhcp_lease l;
	static struct dhcp_lint lint;
	static const uint8_t prl[] = { 1, 3, 6, 12, 15, 121 };
	const char *why;
	if (dhcp_parse(data, size, &m, &why) < 0)
		return 0;
	lint.n = 0;
	dhcp_lease_from(&m, &l, &lint, prl, sizeof(prl));
	char text[600];
	for (int i = 0; i < m.norder; i++)
		dhcp_opt_text(&m, m.order[i], text, sizeof(text));
	return 0;
}
