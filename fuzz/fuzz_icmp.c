/*
 * fuzz_icmp — icmp_decode(), icmp_quote_decode() and the naming functions
 * on arbitrary bytes, as an ICMPv4 and as an ICMPv6 message.
 *
 * Checks that the body and the quote's upper-layer pointer stay inside the
 * input, and touches every byte they point at so ASan sees a bad range.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n, const uint8_t *lo, size_t size)
{
	if (n && (p < lo || p + n > lo + size))
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		sink ^= p[i];
}

static void one(const struct ipfam *fam, const uint8_t *data, size_t size)
{
	struct rd r = rd_init(data, size);
	struct icmp_msg m;
	if (icmp_decode(&r, fam, &m) != 0)
		return;
	if (m.len != size || m.body_len != size - ICMP_HDR_LEN)
		__builtin_trap();
	touch(m.body, m.body_len, data, size);
	enum icmp_kind k = icmp_kind(&m);
	(void)icmp_kind_is_error(k);
	(void)icmp_mtu(&m);
	char buf[256];
	const char *s = icmp_describe(&m, buf, sizeof(buf));
	if (strlen(s) >= sizeof(buf))
		__builtin_trap();
	/* a tiny buffer must be truncated, never overrun */
	char small[4];
	icmp_describe(&m, small, sizeof(small));
	if (!icmp_type_name(fam, m.type) || !icmp_code_name(fam, m.type, m.code) ||
	    !icmp_explain(fam, m.type, m.code))
		__builtin_trap();
	struct icmp_quote q;
	if (icmp_quote_decode(&m, &q) == 0) {
		if (q.ip.fam != fam)
			__builtin_trap();
		touch(q.l4, q.l4_len, m.body, m.body_len);
		if (q.l4_len + q.ip.hdr_len != m.body_len)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(ipfam_get(AF_INET), data, size);
	one(ipfam_get(AF_INET6), data, size);
	return 0;
}
