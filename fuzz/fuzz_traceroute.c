/*
 * fuzz_traceroute — traceroute's reply matcher on any bytes: the first
 * byte picks the method (UDP, ICMP, TCP) and the family, the rest is what
 * the raw socket delivered (an IPv4 packet with its header, or an ICMPv6
 * message without one; for TCP also a segment on the raw TCP socket).
 * Every probe slot claims every send so a forged quote can reach all the
 * matching code.  The same bytes also go through the error-queue matcher
 * (unprivileged UDP, ping sockets): bytes 1-2 as the error's type and
 * code, the rest as the quoted data after the probe's L4 header.  Any
 * crash or sanitizer report is a bug.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../traceroute/traceroute.h"
#include "sock.h"

extern const struct trt_method trt_method_udp, trt_method_icmp, trt_method_tcp;

#define FZ_SLOTS 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const struct trt_method *const ms[3] = { &trt_method_udp, &trt_method_icmp, &trt_method_tcp };
	struct trt_probe probes[FZ_SLOTS + 1];
	memset(probes, 0, sizeof(probes));
	for (int i = 0; i <= FZ_SLOTS; i++)
		probes[i].sends = TRT_MAX_SENDS;
	struct trt_conf c;
	memset(&c, 0, sizeof(c));
	c.nqueries = 3;
	c.first_ttl = 1;
	struct trt t;
	memset(&t, 0, sizeof(t));
	t.conf = &c;
	t.m = ms[(data[0] & 3) % 3];
	bool v6 = data[0] & 4;
	t.bh.active = data[0] & 8;
	t.fam = ipfam_get(v6 ? AF_INET6 : AF_INET);
	addr_parse(&t.src, v6 ? "fd00::1" : "10.0.0.1", 0);
	addr_parse(&t.dst, v6 ? "fd00::2" : "10.0.9.2", 0);
	t.sport = 40000;
	t.dport = 33434;
	t.ident = 0x1234;
	t.isn = 0x01000000;
	t.probes = probes;
	t.nprobes = FZ_SLOTS;
	t.bh.slot = FZ_SLOTS;
	struct addr from;
	addr_parse(&from, v6 ? "fd00::9" : "10.0.5.1", 0);
	struct trt_reply r;
	if (trt_match_icmp(&t, data + 1, size - 1, &from, 64, &r) == 0) {
		if (r.slot < 0 || r.slot > FZ_SLOTS || r.send < 0 || r.send >= TRT_MAX_SENDS)
			__builtin_trap();
	}
	if (trt_match_tcp(&t, data + 1, size - 1, &t.dst, 64, &r) == 0) {
		if (r.slot < 0 || r.slot > FZ_SLOTS)
			__builtin_trap();
	}
	if (size >= 3) {
		struct rxmeta m;
		memset(&m, 0, sizeof(m));
		m.is_error = true;
		m.ee_origin = t.fam->ee_origin_icmp;
		m.ee_type = data[1];
		m.ee_code = data[2];
		m.ee_info = data[0] & 0x10 ? 1280 : 0;
		m.offender = from;
		t.icmp_dgram = data[0] & 0x20;
		if (trt_match_errq(&t, data + 3, size - 3, &m, &t.dst, t.dport, &r) == 0) {
			if (r.slot < 0 || r.slot > FZ_SLOTS || r.send < 0 || r.send >= TRT_MAX_SENDS)
				__builtin_trap();
		}
	}
	return 0;
}
