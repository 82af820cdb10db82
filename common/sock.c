/*
 * sock — socket opening, options and cmsg-aware receive (see sock.h).
 *
 * Every control message is length-checked before it is read (a kernel
 * that sends less than we expect gets ignored, not over-read), and data
 * is copied out of CMSG_DATA with memcpy rather than cast in place.
 */
#include "sock.h"

#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "priv.h"

int sock_open(int family, int type, int proto)
{
	bool need_raw = type == SOCK_RAW || family == AF_PACKET;
	bool raised = need_raw && priv_raise(CAP_NET_RAW) == 0;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	int saved = errno;
	if (raised)
		priv_lower(CAP_NET_RAW);
	errno = saved;
	return fd;
}

int sock_open_icmp(const struct ipfam *fam, enum sock_icmp_mode mode, bool *is_raw)
{
	int fd = -1;
	*is_raw = false;
	if (mode != SOCK_ICMP_RAW) {
		fd = sock_open(fam->family, SOCK_DGRAM, fam->icmp_proto);
		if (fd >= 0 || mode == SOCK_ICMP_DGRAM)
			return fd;
		/* EACCES: our group is outside net.ipv4.ping_group_range;
		 * EAFNOSUPPORT/EPROTONOSUPPORT: no ping sockets in this kernel.
		 * Anything else is a real error a raw socket would not fix. */
		if (errno != EACCES && errno != EAFNOSUPPORT && errno != EPROTONOSUPPORT)
			return -1;
	}
	fd = sock_open(fam->family, SOCK_RAW, fam->icmp_proto);
	if (fd >= 0)
		*is_raw = true;
	return fd;
}

static int setopt_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

unsigned sock_enable(int fd, const struct ipfam *fam, unsigned flags)
{
	unsigned on = 0;
	if (flags & (SOCK_RX_TS | SOCK_TX_TS)) {
		int ts = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE;
		if (flags & SOCK_TX_TS)
			ts |= SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
			      SOF_TIMESTAMPING_OPT_TSONLY;
		if (setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPING, ts) == 0)
			on |= flags & (SOCK_RX_TS | SOCK_TX_TS);
		else if (setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) == 0)
			on |= flags & SOCK_RX_TS;
	}
	if ((flags & SOCK_RX_TTL) && setopt_int(fd, fam->sol, fam->so_recvttl, 1) == 0)
		on |= SOCK_RX_TTL;
	if ((flags & SOCK_RX_TOS) && setopt_int(fd, fam->sol, fam->so_recvtos, 1) == 0)
		on |= SOCK_RX_TOS;
	if ((flags & SOCK_RX_ERR) && setopt_int(fd, fam->sol, fam->so_recverr, 1) == 0)
		on |= SOCK_RX_ERR;
	if ((flags & SOCK_RX_PKTINFO) && setopt_int(fd, fam->sol, fam->so_pktinfo, 1) == 0)
		on |= SOCK_RX_PKTINFO;
	return on;
}

int sock_set_ttl(int fd, const struct ipfam *fam, int ttl)
{
	if (setopt_int(fd, fam->sol, fam->so_ttl, ttl) < 0)
		return -1;
	/* IPv4 multicast TTL is a byte-sized option on some kernels; an int
	 * works on Linux for both families. */
	return setopt_int(fd, fam->sol, fam->so_mcast_ttl, ttl);
}

int sock_set_tos(int fd, const struct ipfam *fam, int tos)
{
	return setopt_int(fd, fam->sol, fam->so_tos, tos);
}

int sock_set_pmtu(int fd, const struct ipfam *fam, enum pmtu_mode mode)
{
	return setopt_int(fd, fam->sol, fam->so_mtu_discover, fam->pmtu_mode[mode]);
}

int sock_bind_device(int fd, const char *ifname)
{
	/* Unprivileged since Linux 5.7 for a socket not yet bound; raise
	 * CAP_NET_RAW anyway when we hold it, for older kernels. */
	bool raised = priv_raise(CAP_NET_RAW) == 0;
	int rc = setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1);
	int saved = errno;
	if (raised)
		priv_lower(CAP_NET_RAW);
	errno = saved;
	return rc;
}

int sock_bind(int fd, const struct addr *a, uint16_t port)
{
	union sockaddr_any sa;
	socklen_t len = addr_to_sockaddr(a, port, &sa);
	if (!len) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return bind(fd, &sa.sa, len);
}

int sock_set_bufs(int fd, int rcvbuf, int sndbuf)
{
	if (rcvbuf && setopt_int(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf) < 0)
		return -1;
	if (sndbuf && setopt_int(fd, SOL_SOCKET, SO_SNDBUF, sndbuf) < 0)
		return -1;
	return 0;
}

/* Length of a control message's payload, checked against the end of
 * the control buffer (the kernel never lies here, but a cmsg_len that
 * points past the buffer must not become an over-read). */
static size_t cmsg_payload_len(const struct msghdr *msg, const struct cmsghdr *c)
{
	const uint8_t *end = (const uint8_t *)msg->msg_control + msg->msg_controllen;
	const uint8_t *data = CMSG_DATA(c);
	if (c->cmsg_len < CMSG_LEN(0) || data > end || c->cmsg_len - CMSG_LEN(0) > (size_t)(end - data))
		return 0;
	return c->cmsg_len - CMSG_LEN(0);
}

/* Copy a control message's payload if it is at least size bytes. */
static bool cmsg_get(const struct msghdr *msg, const struct cmsghdr *c, void *dst, size_t size)
{
	if (cmsg_payload_len(msg, c) < size)
		return false;
	memcpy(dst, CMSG_DATA(c), size);
	return true;
}

static void parse_extended_err(const struct msghdr *msg, const struct cmsghdr *c, struct rxmeta *m)
{
	struct sock_extended_err ee;
	if (!cmsg_get(msg, c, &ee, sizeof(ee)))
		return;
	if (ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
		m->is_txstamp = true;
		m->txstamp_id = ee.ee_data;
		return;
	}
	m->is_error = true;
	m->ee_errno = (int)ee.ee_errno;
	m->ee_origin = ee.ee_origin;
	m->ee_type = ee.ee_type;
	m->ee_code = ee.ee_code;
	m->ee_info = ee.ee_info;
	/* SO_EE_OFFENDER: a sockaddr right after the struct, inside the cmsg. */
	size_t have = cmsg_payload_len(msg, c);
	if (have > sizeof(ee)) {
		union sockaddr_any off;
		size_t n = have - sizeof(ee);
		if (n > sizeof(off))
			n = sizeof(off);
		memset(&off, 0, sizeof(off));
		memcpy(&off, CMSG_DATA(c) + sizeof(ee), n);
		if (off.sa.sa_family != AF_UNSPEC)
			addr_from_sockaddr(&m->offender, NULL, &off.sa, (socklen_t)n);
	}
}

void sock_parse_control(struct msghdr *msg, struct rxmeta *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		int v;
		if (c->cmsg_level == SOL_SOCKET) {
			if (c->cmsg_type == SO_TIMESTAMPING) {
				struct timespec ts[3];
				if (cmsg_get(msg, c, ts, sizeof(ts)) && (ts[0].tv_sec || ts[0].tv_nsec))
					m->ts = clock_from_ts(&ts[0]);
			} else if (c->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;
				if (cmsg_get(msg, c, &ts, sizeof(ts)))
					m->ts = clock_from_ts(&ts);
			}
		} else if (c->cmsg_level == IPPROTO_IP) {
			if (c->cmsg_type == IP_TTL && cmsg_get(msg, c, &v, sizeof(v)))
				m->ttl = v;
			else if (c->cmsg_type == IP_TOS && cmsg_payload_len(msg, c) >= 1)
				m->tos = *CMSG_DATA(c);
			else if (c->cmsg_type == IP_RECVERR)
				parse_extended_err(msg, c, m);
			else if (c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				if (cmsg_get(msg, c, &pi, sizeof(pi))) {
					m->ifindex = pi.ipi_ifindex;
					addr_from_bytes(&m->local, AF_INET, &pi.ipi_addr);
				}
			}
		} else if (c->cmsg_level == IPPROTO_IPV6) {
			if (c->cmsg_type == IPV6_HOPLIMIT && cmsg_get(msg, c, &v, sizeof(v)))
				m->ttl = v;
			else if (c->cmsg_type == IPV6_TCLASS && cmsg_get(msg, c, &v, sizeof(v)))
				m->tos = v;
			else if (c->cmsg_type == IPV6_RECVERR)
				parse_extended_err(msg, c, m);
			else if (c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				if (cmsg_get(msg, c, &pi, sizeof(pi))) {
					m->ifindex = (int)pi.ipi6_ifindex;
					addr_from_bytes(&m->local, AF_INET6, &pi.ipi6_addr);
				}
			}
		}
	}
}

ssize_t sock_recv(int fd, void *buf, size_t len, struct addr *from, uint16_t *port,
		  struct rxmeta *m, bool errqueue)
{
	union sockaddr_any sa;
	/* Room for a timestamp, TTL, TOS, pktinfo and an extended error
	 * with its offender address, with slack. */
	union {
		char buf[512];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	memset(m, 0, sizeof(*m));
	m->ttl = m->tos = -1;
	memset(&sa, 0, sizeof(sa));
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC | (errqueue ? MSG_ERRQUEUE : 0));
	if (n < 0)
		return -1;
	m->truncated = (msg.msg_flags & MSG_TRUNC) || (size_t)n > len;
	m->ctl_truncated = msg.msg_flags & MSG_CTRUNC;
	if ((size_t)n > len)
		n = (ssize_t)len;
	if (from) {
		memset(from, 0, sizeof(*from));
		if (msg.msg_namelen)
			addr_from_sockaddr(from, port, &sa.sa, msg.msg_namelen);
	}
	sock_parse_control(&msg, m);
	return n;
}

ssize_t sock_sendto(int fd, const void *buf, size_t len, const struct addr *to, uint16_t port)
{
	union sockaddr_any sa;
	socklen_t sl = addr_to_sockaddr(to, port, &sa);
	return sendto(fd, buf, len, 0, &sa.sa, sl);
}
