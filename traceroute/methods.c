/*
 * methods — the probe methods, as a const table indexed by
 * enum trt_method_id (ARCHITECTURE.md: plug-ins are const tables of
 * function pointers in an explicit array).  -U is the UDP method with a
 * fixed well-known port; it differs only in its default port.
 * trt_sendto() is the send every method shares.
 */
#include <errno.h>

#include "sock.h"
#include "traceroute.h"

/* An ICMP error leaves its errno on a socket with IP_RECVERR (sk_err)
 * as well as on the error queue, and the next send returns it instead of
 * sending: that send is retried.  Errors still in the kernel's backlog are
 * delivered during the retry itself (softirqs run inside the send), so one
 * send can meet one error per probe in flight; a local failure repeats
 * every time, so after that many attempts and TRT_SEND_ATTEMPTS more the
 * caller sees it. */
#define TRT_SEND_ATTEMPTS 3

int trt_sendto(struct trt *t, const void *buf, size_t len, uint16_t port)
{
	ssize_t rc = -1;
	for (int i = 0; i < t->inflight + TRT_SEND_ATTEMPTS; i++) {
		rc = sock_sendto(t->tx_fd, buf, len, &t->dst, port);
		if (rc >= 0 || t->errq_fd != t->tx_fd || errno == EAGAIN || errno == ENOBUFS ||
		    errno == EINTR)
			break;
	}
	return rc < 0 ? -1 : 0;
}

extern const struct trt_method trt_method_udp, trt_method_icmp, trt_method_tcp;

const struct trt_method *const trt_methods[] = {
	[TRT_M_UDP] = &trt_method_udp,
	[TRT_M_UDP_PORT] = &trt_method_udp,
	[TRT_M_ICMP] = &trt_method_icmp,
	[TRT_M_TCP] = &trt_method_tcp,
};
