/*
 * methods — the probe methods, as a const table indexed by
 * enum trt_method_id (ARCHITECTURE.md: plug-ins are const tables of
 * function pointers in an explicit array).  -U is the UDP method with a
 * fixed well-known port; it differs only in its default port.
 */
#include "traceroute.h"

extern const struct trt_method trt_method_udp, trt_method_icmp, trt_method_tcp;

const struct trt_method *const trt_methods[] = {
	[TRT_M_UDP] = &trt_method_udp,
	[TRT_M_UDP_PORT] = &trt_method_udp,
	[TRT_M_ICMP] = &trt_method_icmp,
	[TRT_M_TCP] = &trt_method_tcp,
};
