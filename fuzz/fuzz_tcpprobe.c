/*
 * fuzz_tcpprobe — tcpprobe's reply parser on arbitrary bytes: as a packet
 * from the raw TCP socket (IPv4 with its header, IPv6 without) and as one
 * from the raw ICMP socket (an error quoting a TCP segment), then matched
 * against a fixed probe.  Checks that the segment pointer stays inside the
 * input and that decoded header lengths are sane.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../tcpprobe/syn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void check(const struct syn_seg *s, const uint8_t *data, size_t size)
{
	if (s->l4_len && (s->l4 < data || s->l4 + s->l4_len > data + size))
		__builtin_trap();
	for (size_t i = 0; i < s->l4_len; i++)
		sink ^= s->l4[i];
	if (!s->partial && (s->tcp.doff < 20 || s->tcp.doff > 60))
		__builtin_trap();
	if (s->tcp.opts.has_wscale && s->tcp.opts.wscale > 14)
		__builtin_trap();
}

static void one(int family, bool with_ip, const uint8_t *data, size_t size)
{
	const struct ipfam *fam = ipfam_get(family);
	struct addr a, b;
	addr_parse(&a, family == AF_INET ? "10.0.0.1" : "fd00::1", family);
	addr_parse(&b, family == AF_INET ? "10.0.0.2" : "fd00::2", family);
	struct syn_seg s;
	const char *why = NULL;
	if (syn_parse_tcp(fam, with_ip, data, size, &b, &a, &s, &why) == 0) {
		check(&s, data, size);
		(void)syn_match(&s, &b, &a, 40000, 80, 12345);
	} else if (!why) {
		__builtin_trap();
	}
	why = NULL;
	if (syn_parse_icmp(fam, with_ip, data, size, &b, &s, &why) == 0) {
		check(&s, data, size);
		(void)syn_match(&s, &b, &a, 40000, 80, 12345);
	} else if (!why) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(AF_INET, true, data, size);
	one(AF_INET6, false, data, size);
	one(AF_INET6, true, data, size);
	return 0;
}
