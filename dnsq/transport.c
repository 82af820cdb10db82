/*
 * transport — one DNS query on the wire, UDP or TCP, and the matching of
 * its reply.
 *
 * RFC 5452: every UDP query gets a fresh socket bound to port 0 (the
 * kernel picks a random ephemeral port) and a 16-bit ID from getrandom(),
 * so an off-path attacker has to guess both.  The socket is deliberately
 * not connect()ed: a datagram from the wrong address or port reaches us,
 * is counted and shown ("ignored ... wrong source port"), and never
 * accepted.  A reply counts only when address, port, ID, QR and the
 * question all match; anything else is ignored and we keep waiting until
 * the deadline (SPEC).  TCP (RFC 7766) frames each message with a 2-byte
 * length; the stream is already tied to the server, but the ID and
 * question are still checked.
 *
 * One query is in flight at a time: the resolver is a sequential walk, and
 * this keeps the trace in the order things happened.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnsq.h"
#include "nl.h"
#include "sock.h"

static void xnote(struct xfer *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void xnote(struct xfer *x, const char *fmt, ...)
{
	x->ignored++;
	if (x->nnotes == DNSQ_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->notes[x->nnotes++], DNSQ_NOTE_LEN, fmt, ap);
	va_end(ap);
}

bool transport_family_ok(const struct dnsq_conf *c, const struct addr *a)
{
	return c->family == AF_UNSPEC || c->family == a->family;
}

static void close_fd(struct dnsq *q)
{
	struct xfer *x = &q->x;
	if (x->fd >= 0) {
		loop_fd_remove(q->loop, x->fd);
		close(x->fd);
	}
	x->fd = -1;
}

static void on_timeout(void *arg);

static void finish(struct dnsq *q, enum tx_status st)
{
	struct xfer *x = &q->x;
	loop_cancel(q->loop, on_timeout, q);
	close_fd(q);
	x->active = false;
	resolve_on_transport(q, st);
}

void transport_cancel(struct dnsq *q)
{
	loop_cancel(q->loop, on_timeout, q);
	close_fd(q);
	q->x.active = false;
}

static void on_timeout(void *arg)
{
	finish(arg, TX_TIMEOUT);
}

/* Does this message answer the query in flight?  NULL, or why not. */
static const char *mismatch(struct xfer *x, const uint8_t *p, size_t len, enum dns_err *perr)
{
	struct dns_msg *m = &x->msg;
	*perr = dns_msg_parse(m, p, len);
	if (len >= 2 && be16_get(p) != x->id)
		return "wrong ID";
	if (*perr != DNS_OK)
		return "malformed";
	if (!(m->flags & DNS_F_QR) || m->opcode != 0)
		return "not a response to a query";
	/* RFC 6891 7 / 1035 4.1.1: a FORMERR or NOTIMP may come without the
	 * question when the server could not parse ours. */
	if (!m->has_question)
		return m->rcode == DNS_R_FORMERR || m->rcode == DNS_R_NOTIMP ? NULL : "no question";
	if (!dns_name_eq(&m->qname, &x->qname) || m->qtype != x->qtype || m->qclass != DNS_C_IN)
		return "question does not match";
	return NULL;
}

static void on_udp(void *arg, int fd, short revents)
{
	struct dnsq *q = arg;
	struct xfer *x = &q->x;
	(void)revents;
	for (int i = 0; i < DNSQ_MAX_RX_BURST; i++) {
		struct addr from;
		uint16_t port = 0;
		struct rxmeta meta;
		ssize_t n = sock_recv(fd, x->rx, DNS_MSG_MAX, &from, &port, &meta, false);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			/* an ICMP error queued on the socket: keep waiting */
			return;
		}
		char a[ADDR_STRLEN];
		addr_fmt(&from, a, sizeof(a));
		size_t len = (size_t)n;
		const char *why = NULL;
		enum dns_err e = DNS_OK;
		if (meta.truncated)
			why = "larger than 64 KB";
		else if (!addr_eq(&from, &x->server))
			why = "wrong source address";
		else if (port != x->port)
			why = "wrong source port";
		else
			why = mismatch(x, x->rx, len, &e);
		out_packet(q, false, x->rx, len, why ? why : "recv", &from, port);
		if (why) {
			if (e != DNS_OK && strcmp(why, "malformed") == 0)
				xnote(x, "ignored packet from %s#%u: malformed (%s)", a, port, dns_strerror(e));
			else
				xnote(x, "ignored packet from %s#%u: %s", a, port, why);
			dns_msg_free(&x->msg);
			q->ignored_total++;
			continue;
		}
		x->rtt = (meta.ts ? meta.ts : clock_real()) - x->tx_real;
		x->msglen = len;
		finish(q, TX_REPLY);
		return;
	}
}

static void tcp_fail(struct dnsq *q, int err)
{
	q->x.err = err;
	finish(q, TX_NETERR);
}

static void on_tcp(void *arg, int fd, short revents)
{
	struct dnsq *q = arg;
	struct xfer *x = &q->x;
	if (!x->connected) {
		int err = 0;
		socklen_t sl = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
		if (err) {
			tcp_fail(q, err);
			return;
		}
		x->connected = true;
		uint8_t buf[2 + sizeof(x->query)];
		be16_put(buf, (uint16_t)x->qlen);
		memcpy(buf + 2, x->query, x->qlen);
		ssize_t w = send(fd, buf, x->qlen + 2, MSG_NOSIGNAL);
		if (w != (ssize_t)(x->qlen + 2)) {
			tcp_fail(q, w < 0 ? errno : EMSGSIZE);
			return;
		}
		x->tx_real = clock_real();
		out_packet(q, true, x->query, x->qlen, "sent", &x->server, x->port);
		loop_fd(q->loop, fd, POLLIN, on_tcp, q);
		return;
	}
	(void)revents;
	/* bounded: each pass reads at least one byte of a <= 65537-byte frame */
	for (;;) {
		size_t want = x->rxlen < 2 ? 2 - x->rxlen : 2 + be16_get(x->rx) - x->rxlen;
		if (want == 0)
			break;
		ssize_t n = read(fd, x->rx + x->rxlen, want);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			tcp_fail(q, errno);
			return;
		}
		if (n == 0) {
			tcp_fail(q, ECONNRESET);
			return;
		}
		x->rxlen += (size_t)n;
	}
	size_t len = x->rxlen - 2;
	enum dns_err e;
	const char *why = mismatch(x, x->rx + 2, len, &e);
	out_packet(q, false, x->rx + 2, len, why ? why : "recv", &x->server, x->port);
	if (why) {
		char a[ADDR_STRLEN];
		xnote(x, "ignored TCP reply from %s: %s%s%s", addr_fmt(&x->server, a, sizeof(a)), why,
		      e ? ": " : "", e ? dns_strerror(e) : "");
		dns_msg_free(&x->msg);
		tcp_fail(q, EPROTO);
		return;
	}
	/* the parsed message points into rx after the length prefix */
	x->rtt = clock_real() - x->tx_real;
	x->msglen = len;
	finish(q, TX_REPLY);
}

/* The local end, for -v and --pcap only (a route lookup per query). */
static void local_end(struct dnsq *q)
{
	struct xfer *x = &q->x;
	union sockaddr_any sa;
	socklen_t sl = sizeof(sa);
	x->lport = 0;
	memset(&x->local, 0, sizeof(x->local));
	if (getsockname(x->fd, &sa.sa, &sl) == 0)
		addr_from_sockaddr(&x->local, &x->lport, &sa.sa, sl);
	if (!q->conf->verbose && !pcap_is_open(&q->pcap))
		return;
	struct nl_route rt;
	if (addr_is_any(&x->local) && nl_route_get(&x->server, NULL, 0, &rt) == 0 &&
	    addr_is_set(&rt.src))
		x->local = rt.src;
}

int transport_send(struct dnsq *q, const struct addr *server, uint16_t port,
		   const struct dns_name *qname, uint16_t qtype, bool tcp, bool edns, bool rd,
		   nsec_t timeout)
{
	const struct dnsq_conf *c = q->conf;
	struct xfer *x = &q->x;
	transport_cancel(q);
	x->server = *server;
	x->port = port;
	x->qname = *qname;
	x->qtype = qtype;
	x->tcp = tcp;
	x->connected = false;
	x->rxlen = 0;
	x->err = 0;
	x->ignored = 0;
	x->nnotes = 0;
	if (getrandom(&x->id, sizeof(x->id), 0) != sizeof(x->id)) {
		x->err = errno;
		return -1;
	}
	struct dns_query dq = { .id = x->id, .qname = qname, .qtype = qtype, .rd = rd,
				.edns = edns, .bufsize = c->bufsize, .do_bit = edns && c->dnssec };
	x->qlen = dns_query_build(x->query, sizeof(x->query), &dq);
	x->fd = sock_open(server->family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (x->qlen == 0 || x->fd < 0) {
		x->err = x->qlen == 0 ? EMSGSIZE : errno;
		close_fd(q);
		return -1;
	}
	struct addr any;
	addr_from_bytes(&any, server->family, (const uint8_t[16]){ 0 });
	union sockaddr_any sa;
	socklen_t sl = addr_to_sockaddr(server, port, &sa);
	if (!tcp) {
		sock_enable(x->fd, ipfam_get(server->family), SOCK_RX_TS);
		/* port 0: a fresh random ephemeral port for every query */
		if (sock_bind(x->fd, &any, 0) < 0)
			goto fail;
		local_end(q);
		x->tx_real = clock_real();
		if (sendto(x->fd, x->query, x->qlen, 0, &sa.sa, sl) != (ssize_t)x->qlen)
			goto fail;
		out_packet(q, true, x->query, x->qlen, "sent", &x->server, x->port);
		loop_fd(q->loop, x->fd, POLLIN, on_udp, q);
	} else {
		if (connect(x->fd, &sa.sa, sl) < 0 && errno != EINPROGRESS)
			goto fail;
		local_end(q);
		loop_fd(q->loop, x->fd, POLLOUT, on_tcp, q);
	}
	x->active = true;
	x->deadline = clock_mono() + timeout;
	loop_timer(q->loop, timeout, on_timeout, q);
	return 0;
fail:
	x->err = errno;
	close_fd(q);
	return -1;
}
