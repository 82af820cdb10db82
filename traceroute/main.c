/*
 * traceroute — print the route packets take to a network host.
 *
 * The order of a main (ARCHITECTURE.md): parse options, open the sockets
 * that need privilege, drop every capability for good, resolve the host,
 * ask the kernel for the route (source address, interface MTU), set up
 * the method's unprivileged sockets, run the loop, exit 0/1/2.
 *
 * Least-privileged socket first, per method (struct trt_method's
 * icmp_need): UDP (default, -U) needs nothing — errors come back on the
 * probe socket's own error queue (IP_RECVERR), as in Butskoy's and
 * tracepath's unprivileged UDP; a raw ICMP socket is opened too only
 * when CAP_NET_RAW is there already, because it adds what the queue
 * cannot carry: errors from routers that quote only 8 bytes of the probe
 * (the quoted checksum then names it) and the router's real packet for
 * -v and --pcap.  -I uses a ping socket where net.ipv4.ping_group_range
 * allows and a raw one otherwise; -T needs raw ICMP and raw TCP.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nl.h"
#include "priv.h"
#include "sock.h"
#include "traceroute.h"

static int fail(const struct trt_conf *c, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s%s\n", c->prog, what, strerror(err),
		err == EPERM || err == EACCES ? " (need CAP_NET_RAW)" : "");
	return -1;
}

/* Privileged phase: the sockets each family may need (see the top). */
static void open_privileged(const struct trt_conf *c, struct trt *t, int err[2], bool dgram[2])
{
	static const int fams[2] = { AF_INET, AF_INET6 };
	static const cap_value_t raw_cap = CAP_NET_RAW;
	const struct trt_method *m = t->m;
	for (int i = 0; i < 2; i++) {
		t->icmp_fd[i] = t->tcp_fd[i] = -1;
		err[i] = 0;
		dgram[i] = false;
		if (c->family != AF_UNSPEC && c->family != fams[i])
			continue;
		const struct ipfam *fam = ipfam_get(fams[i]);
		bool raw = false;
		switch (m->icmp_need) {
		case TRT_ICMP_OPTIONAL:
			/* not asked for: without the capability the error queue does it all */
			if (priv_have(raw_cap))
				t->icmp_fd[i] = sock_open(fams[i], SOCK_RAW, fam->icmp_proto);
			raw = true;
			break;
		case TRT_ICMP_PING:
			/* ping socket first (EACCES: group outside ping_group_range), then raw */
			t->icmp_fd[i] = sock_open_icmp(fam, SOCK_ICMP_AUTO, &raw);
			break;
		case TRT_ICMP_RAW:
			t->icmp_fd[i] = sock_open(fams[i], SOCK_RAW, fam->icmp_proto);
			raw = true;
			break;
		}
		if (t->icmp_fd[i] < 0)
			err[i] = errno;
		dgram[i] = t->icmp_fd[i] >= 0 && !raw;
		if (m->raw_tcp) {
			t->tcp_fd[i] = sock_open(fams[i], SOCK_RAW, IPPROTO_TCP);
			if (t->tcp_fd[i] < 0)
				err[i] = errno;
		}
		/* Binding to a device may need the capability on old kernels. */
		if (c->iface && t->icmp_fd[i] >= 0)
			sock_bind_device(t->icmp_fd[i], c->iface);
		if (c->iface && t->tcp_fd[i] >= 0)
			sock_bind_device(t->tcp_fd[i], c->iface);
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int resolve(struct trt *t, const int err[2], const bool dgram[2])
{
	const struct trt_conf *c = t->conf;
	char canon[256];
	int rc = addr_resolve(&t->dst, c->host, c->family, canon, sizeof(canon));
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, c->host, gai_strerror(rc));
		return -1;
	}
	snprintf(t->dst_name, sizeof(t->dst_name), "%s", c->host);
	t->fam = ipfam_get(t->dst.family);
	int mine = t->dst.family == AF_INET ? 0 : 1;
	close_fd(&t->icmp_fd[1 - mine]);
	close_fd(&t->tcp_fd[1 - mine]);
	bool need_icmp = t->m->icmp_need != TRT_ICMP_OPTIONAL;
	if ((need_icmp && t->icmp_fd[mine] < 0) || (t->m->raw_tcp && t->tcp_fd[mine] < 0)) {
		int e = err[mine] ? err[mine] : EPERM;
		fprintf(stderr, "%s: socket: %s%s\n", c->prog, strerror(e),
			e != EPERM && e != EACCES ? "" :
			t->m->icmp_need == TRT_ICMP_PING ? " (need CAP_NET_RAW or net.ipv4.ping_group_range)" :
			" (need CAP_NET_RAW)");
		return -1;
	}
	t->fd = t->icmp_fd[mine];
	t->icmp_dgram = dgram[mine];
	return 0;
}

/* Source address and interface MTU from the kernel's route. */
static int route(struct trt *t, uint32_t *mtu)
{
	const struct trt_conf *c = t->conf;
	int oif = 0;
	if (c->iface) {
		struct nl_link link;
		if (nl_link_get(0, c->iface, &link) < 0) {
			fprintf(stderr, "%s: %s: No such device\n", c->prog, c->iface);
			return -1;
		}
		oif = link.ifindex;
	}
	if (addr_is_set(&c->source) && c->source.family != t->dst.family) {
		fprintf(stderr, "%s: %s: address family mismatch\n", c->prog, "source");
		return -1;
	}
	struct nl_route rt;
	if (nl_route_get(&t->dst, addr_is_set(&c->source) ? &c->source : NULL, oif, &rt) < 0)
		return fail(c, "route", errno);
	t->ifindex = rt.oif;
	t->src = addr_is_set(&c->source) ? c->source : rt.src;
	/* --mtu starts at the interface's MTU, not the route's: the route
	 * carries the kernel's cached path MTU from earlier runs (tracepath's
	 * "pmtu 1400" on a re-run), and we want to measure afresh. */
	struct nl_link link;
	*mtu = nl_link_get(rt.oif, NULL, &link) == 0 ? link.mtu : rt.mtu;
	if (!addr_is_set(&t->src)) {
		fprintf(stderr, "%s: no source address for %s\n", c->prog, c->host);
		return -1;
	}
	return 0;
}

static int socket_options(struct trt *t)
{
	const struct trt_conf *c = t->conf;
	int fd = t->tx_fd;
	if (c->tos >= 0 && sock_set_tos(fd, t->fam, c->tos) < 0)
		return fail(c, "setsockopt tos", errno);
	/* -F as Butskoy sets it: DF on, but the kernel's cached path MTU is
	 * not applied to our sends (PMTU_DO would refuse a big probe with
	 * EMSGSIZE once a frag-needed taught the kernel a smaller MTU, and
	 * the router's !F-<mtu> is what the user asked to see). */
	enum pmtu_mode pm = c->mtu || c->dontfrag ? PMTU_PROBE : PMTU_DONT;
	if (sock_set_pmtu(fd, t->fam, pm) < 0)
		return fail(c, "setsockopt mtu discovery", errno);
	if (t->fd >= 0)
		sock_enable(t->fd, t->fam, SOCK_RX_TS | SOCK_RX_TTL);
	if (t->m->raw_tcp)
		sock_enable(t->tx_fd, t->fam, SOCK_RX_TS | SOCK_RX_TTL);
	/* The error queue: the UDP probe socket's, or the ping socket's. */
	int errq = t->m->icmp_need == TRT_ICMP_OPTIONAL ? t->tx_fd : t->icmp_dgram ? t->fd : -1;
	if (errq >= 0) {
		unsigned want = SOCK_RX_ERR | SOCK_RX_TS | SOCK_RX_TTL;
		if (!(sock_enable(errq, t->fam, want) & SOCK_RX_ERR)) {
			/* a raw socket still hears every error; without one we are deaf */
			if (t->fd < 0 || t->fd == errq)
				return fail(c, "setsockopt recverr", errno);
		} else {
			t->errq_fd = errq;
		}
	}
	return 0;
}

static int setup_output(struct trt *t)
{
	const struct trt_conf *c = t->conf;
	t->out = stdout;
	if (c->verbose)
		t->dec = decode_for(c->verbose, c->json);
	return pcap_start(&t->pcap, c->prog, c->pcap_path, PCAP_LINKTYPE_RAW);
}

int main(int argc, char **argv)
{
	static const cap_value_t caps[] = { CAP_NET_RAW };
	const char *prog = cli_progname(argv[0]);
	if (priv_init(prog, caps, 1) < 0)
		return 2;
	struct trt_conf conf;
	int rc = trt_parse_options(argc, argv, &conf);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	struct trt t = { .conf = &conf, .m = trt_methods[conf.method], .hold_fd = -1, .tx_fd = -1,
			 .fd = -1, .errq_fd = -1 };
	int err[2];
	bool dgram[2];
	open_privileged(&conf, &t, err, dgram);
	if (priv_drop() < 0) {
		fprintf(stderr, "%s: cannot drop capabilities: %s\n", prog, strerror(errno));
		return 2;
	}
	int code = 2;
	t.loop = loop_new();
	t.rxbuf = malloc(TRT_BUF);
	t.txbuf = malloc(TRT_BUF);
	t.viewbuf = malloc(TRT_BUF);
	if (!t.loop || !t.rxbuf || !t.txbuf || !t.viewbuf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	uint32_t if_mtu = 0;
	if (resolve(&t, err, dgram) < 0 || route(&t, &if_mtu) < 0)
		goto out;
	if (t.m->setup(&t) < 0) {
		fail(&conf, "socket", errno);
		goto out;
	}
	t.hdr_total = t.fam->hdr_len + t.m->hdr_len;
	/* Butskoy: an IP header plus 40 bytes unless packetlen says
	 * otherwise; never less than the headers. */
	long len = conf.packetlen >= 0 ? conf.packetlen : (long)t.fam->hdr_len + 40;
	t.size = (size_t)len < t.hdr_total ? t.hdr_total : (size_t)len;
	if (conf.method == TRT_M_TCP)
		t.size = t.hdr_total;
	if (conf.mtu)
		trt_pmtu_init(&t, if_mtu);
	if (socket_options(&t) < 0 || setup_output(&t) < 0 || trt_table_init(&t) < 0)
		goto out;
	if ((t.fd >= 0 && loop_fd(t.loop, t.fd, POLLIN, trt_rx, &t) < 0) ||
	    (t.errq_fd >= 0 && t.errq_fd != t.fd && loop_fd(t.loop, t.errq_fd, POLLIN, trt_rx, &t) < 0) ||
	    (t.m->raw_tcp && loop_fd(t.loop, t.tx_fd, POLLIN, trt_rx, &t) < 0) ||
	    loop_signal(t.loop, SIGINT, trt_on_signal, &t) < 0 ||
	    loop_signal(t.loop, SIGTERM, trt_on_signal, &t) < 0) {
		fprintf(stderr, "%s: event loop: %s\n", prog, strerror(errno));
		goto out;
	}
	out_header(&t);
	trt_start(&t);
	code = loop_run(t.loop);
	if (code < 0) {
		fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
		code = 2;
	}
out:
	pcap_close(&t.pcap);
	close_fd(&t.hold_fd);
	if (conf.method == TRT_M_UDP || conf.method == TRT_M_UDP_PORT)
		close_fd(&t.tx_fd);
	for (int i = 0; i < 2; i++) {
		close_fd(&t.icmp_fd[i]);
		close_fd(&t.tcp_fd[i]);
	}
	free(t.probes);
	free(t.rxbuf);
	free(t.txbuf);
	free(t.viewbuf);
	if (t.loop)
		loop_free(t.loop);
	return code;
}
