/*
 * traceroute — print the route packets take to a network host.
 *
 * The order of a main (ARCHITECTURE.md): parse options, open the sockets
 * that need privilege (a raw ICMP socket per family: it receives every
 * ICMP error with the whole quoted probe and the router's own IP header,
 * which IP_RECVERR on a UDP socket does not give; and for -T a raw TCP
 * socket), drop every capability for good, resolve the host, ask the
 * kernel for the route (source address, interface MTU), set up the
 * method's unprivileged sockets, run the loop, exit 0/1/2.
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

/* Privileged phase: the raw sockets of each family we may use. */
static void open_raw(const struct trt_conf *c, struct trt *t, int err[2])
{
	static const int fams[2] = { AF_INET, AF_INET6 };
	for (int i = 0; i < 2; i++) {
		t->icmp_fd[i] = t->tcp_fd[i] = -1;
		err[i] = 0;
		if (c->family != AF_UNSPEC && c->family != fams[i])
			continue;
		const struct ipfam *fam = ipfam_get(fams[i]);
		t->icmp_fd[i] = sock_open(fams[i], SOCK_RAW, fam->icmp_proto);
		if (t->icmp_fd[i] < 0)
			err[i] = errno;
		if (c->method == TRT_M_TCP) {
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

static int resolve(struct trt *t, const int err[2])
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
	if (t->icmp_fd[mine] < 0 || (c->method == TRT_M_TCP && t->tcp_fd[mine] < 0))
		return fail(c, "socket", err[mine] ? err[mine] : EPERM);
	t->fd = t->icmp_fd[mine];
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
	enum pmtu_mode pm = c->mtu ? PMTU_PROBE : c->dontfrag ? PMTU_DO : PMTU_DONT;
	if (sock_set_pmtu(fd, t->fam, pm) < 0)
		return fail(c, "setsockopt mtu discovery", errno);
	sock_enable(t->fd, t->fam, SOCK_RX_TS | SOCK_RX_TTL);
	if (c->method == TRT_M_TCP)
		sock_enable(t->tx_fd, t->fam, SOCK_RX_TS | SOCK_RX_TTL);
	return 0;
}

static int setup_output(struct trt *t)
{
	const struct trt_conf *c = t->conf;
	t->out = stdout;
	if (c->verbose)
		t->dec = (struct decode){ .out = c->json ? stderr : stdout, .level = c->verbose,
					  .t0 = clock_mono() };
	if (c->pcap_path) {
		if (pcap_open(&t->pcap, c->pcap_path, PCAP_LINKTYPE_RAW) < 0) {
			fprintf(stderr, "%s: %s: %s\n", c->prog, c->pcap_path, strerror(errno));
			return -1;
		}
		t->pcap_on = true;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const cap_value_t caps[] = { CAP_NET_RAW };
	const char *prog = cli_progname(argv[0]);
	if (priv_init(caps, 1) < 0) {
		fprintf(stderr, "%s: cannot limit capabilities: %s\n", prog, strerror(errno));
		return 2;
	}
	struct trt_conf conf;
	int rc = trt_parse_options(argc, argv, &conf);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	struct trt t = { .conf = &conf, .m = trt_methods[conf.method], .hold_fd = -1, .tx_fd = -1 };
	int err[2];
	open_raw(&conf, &t, err);
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
	if (resolve(&t, err) < 0 || route(&t, &if_mtu) < 0)
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
	if (loop_fd(t.loop, t.fd, POLLIN, trt_rx, &t) < 0 ||
	    (conf.method == TRT_M_TCP && loop_fd(t.loop, t.tx_fd, POLLIN, trt_rx, &t) < 0) ||
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
	if (t.pcap_on)
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
