/*
 * connect — the unprivileged method: the kernel does the handshake.
 *
 * One nonblocking connect() per probe, with IP_RECVERR / IPV6_RECVERR on
 * so an ICMP error that kills the attempt leaves its type, code and sender
 * on the error queue.  That is what makes the classification the same as
 * the raw method's: connect() alone reports ECONNREFUSED both for an RST
 * and for an ICMP port unreachable (nmap -sT calls the latter "closed",
 * -sS "filtered"); with the error queue we know which it was.
 *
 *   connect() result             error queue        class     reason
 *   0 (writable)                 -                  open      syn-ack (RTT: TCP_INFO tcpi_rtt)
 *   ECONNREFUSED                 empty              closed    rst
 *   any error                    ICMP type/code     filtered  icmp T/C from ROUTER
 *   EHOSTUNREACH, ENETUNREACH    empty              filtered  icmp (the errno's usual code)
 *   still pending at -W          -                  filtered  timeout
 *
 * TCP_SYNCNT 1 keeps the kernel from retrying the SYN for two minutes; an
 * open port's connection is closed with SO_LINGER {1, 0}, an immediate RST,
 * as nmap -sT does, so the server keeps nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sock.h"
#include "tcpprobe.h"

/* Sockets in flight at once: well under the usual 1024-fd limit. */
#define TP_CONNECT_MAX_INFLIGHT 512

static void on_event(void *arg, int fd, short revents);
static void classify(struct tp *t, struct tp_probe *p, int fd, int err);

static int connect_send(struct tp *t, struct tp_probe *p)
{
	const struct tp_conf *c = t->conf;
	int fd = socket(t->fam->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -1;
	if (fd >= t->fd_max) {
		close(fd);
		errno = EMFILE;
		return -1;
	}
	int one = 1;
	sock_enable(fd, t->fam, SOCK_RX_ERR | SOCK_RX_TS);
	setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one));
	if ((c->ttl >= 0 && sock_set_ttl(fd, t->fam, c->ttl) < 0) ||
	    (c->iface && sock_bind_device(fd, c->iface) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	union sockaddr_any sa;
	socklen_t sl = addr_to_sockaddr(&t->target, c->ports[p->pidx], &sa);
	p->tx_user = p->tx_real = clock_real();
	p->fd = fd;
	t->fd_probe[fd] = (int32_t)(p - t->probes);
	if (loop_fd(t->loop, fd, POLLOUT, on_event, t) < 0) {
		close(fd);
		p->fd = -1;
		return -1;
	}
	if (connect(fd, &sa.sa, sl) < 0 && errno != EINPROGRESS)
		classify(t, p, fd, errno);   /* decided at once: a local route said no */
	return 0;
}

static void connect_cancel(struct tp *t, struct tp_probe *p)
{
	if (p->fd < 0)
		return;
	loop_fd_remove(t->loop, p->fd);
	t->fd_probe[p->fd] = -1;
	close(p->fd);
	p->fd = -1;
}

const struct tp_method tp_method_connect = { "connect", connect_send, connect_cancel };

/* The usual ICMP behind an errno, when the error queue had nothing. */
static void errno_icmp(struct tp *t, int err, struct tp_result *r)
{
	bool v4 = t->fam->family == AF_INET;
	r->reason = TP_R_ICMP;
	r->icmp_type = v4 ? 3 : 1;
	if (err == ENETUNREACH)
		r->icmp_code = 0;
	else if (err == EACCES || err == EPERM)
		r->icmp_code = v4 ? 13 : 1;
	else
		r->icmp_code = v4 ? 1 : 3;
}

static void on_event(void *arg, int fd, short revents)
{
	(void)revents;
	struct tp *t = arg;
	if (fd < 0 || fd >= t->fd_max || t->fd_probe[fd] < 0)
		return;
	struct tp_probe *p = &t->probes[t->fd_probe[fd]];
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	classify(t, p, fd, err);
}

static void classify(struct tp *t, struct tp_probe *p, int fd, int err)
{
	struct tp_result r = { .rtt_us = -1, .ttl = -1, .info_wscale = -1 };
	bool icmp = false;
	nsec_t icmp_ts = 0;
	uint8_t buf[512];
	struct rxmeta m;
	for (int i = 0; i < TP_MAX_READS; i++) {
		if (sock_recv(fd, buf, sizeof(buf), NULL, NULL, &m, true) < 0)
			break;
		if (m.is_error && m.ee_origin == t->fam->ee_origin_icmp) {
			icmp = true;
			r.icmp_type = m.ee_type;
			r.icmp_code = m.ee_code;
			r.from = m.offender;
			icmp_ts = m.ts;
		}
	}
	nsec_t now = clock_real();
	if (icmp) {
		r.cls = TP_FILTERED;
		r.reason = TP_R_ICMP;
		nsec_t at = icmp_ts ? icmp_ts : now;
		r.rtt_us = at > p->tx_real ? (at - p->tx_real) / NS_PER_US : 0;
	} else if (err == 0) {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		memset(&ti, 0, sizeof(ti));
		r.cls = TP_OPEN;
		r.reason = TP_R_SYNACK;
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 && tl >= 32) {
			/* The first sample is the SYN -> SYN-ACK time the kernel
			 * measured; srtt starts at exactly that. */
			r.rtt_us = ti.tcpi_rtt;
			r.have_info = true;
			r.info_sack = (ti.tcpi_options & TCPI_OPT_SACK) != 0;
			r.info_ts = (ti.tcpi_options & TCPI_OPT_TIMESTAMPS) != 0;
			r.info_wscale = (ti.tcpi_options & TCPI_OPT_WSCALE) ? ti.tcpi_snd_wscale : -1;
		} else {
			r.rtt_us = (now - p->tx_real) / NS_PER_US;
		}
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	} else if (err == ECONNREFUSED) {
		r.cls = TP_CLOSED;
		r.reason = TP_R_RST;
		r.rtt_us = (now - p->tx_real) / NS_PER_US;
	} else if (err == ETIMEDOUT) {
		r.cls = TP_FILTERED;
		r.reason = TP_R_TIMEOUT;
	} else {
		r.cls = TP_FILTERED;
		errno_icmp(t, err, &r);
		r.rtt_us = (now - p->tx_real) / NS_PER_US;
	}
	if (t->conf->handshake && !t->conf->json && r.cls == TP_OPEN)
		fprintf(t->out, "--connect: the kernel did the handshake (SYN, SYN-ACK, ACK) and we "
			"closed it with RST (SO_LINGER 0); run with CAP_NET_RAW to see the segments\n");
	scan_decide(t, p, &r);
}

int connect_setup(struct tp *t)
{
	struct rlimit rl;
	t->fd_max = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 1u << 20)
		t->fd_max = (int)rl.rlim_cur;
	t->fd_probe = malloc((size_t)t->fd_max * sizeof(*t->fd_probe));
	if (!t->fd_probe)
		return -1;
	for (int i = 0; i < t->fd_max; i++)
		t->fd_probe[i] = -1;
	t->max_inflight = TP_CONNECT_MAX_INFLIGHT;
	if ((size_t)t->fd_max / 2 < t->max_inflight)
		t->max_inflight = (size_t)t->fd_max / 2;
	return 0;
}
