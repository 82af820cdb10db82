/*
 * tcpprobe — SYN-handshake prober: is a TCP port open, closed or filtered,
 * and why; how long does the handshake take.
 *
 * The order of a main (ARCHITECTURE.md): parse options, open the raw
 * sockets that need CAP_NET_RAW (both families, before we know which the
 * host has), drop every capability for good, resolve, run the loop, exit
 * 0 (a port is open) / 1 (none is) / 2 (error).  Without CAP_NET_RAW the
 * probe falls back to --connect, which needs no privilege, and says so.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nl.h"
#include "priv.h"
#include "sock.h"
#include "tcpprobe.h"

struct raw_socks {
	int tcp[2], icmp[2];   /* [0] IPv4, [1] IPv6; -1 when not open */
	int err;               /* errno of the first failure */
};

static const int fams[2] = { AF_INET, AF_INET6 };

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Raw TCP (send SYNs, see SYN-ACK/RST) and raw ICMP (see errors) for each
 * family the user allows.  Returns false when a raw socket could not be
 * had (rs->err says why). */
static bool open_raw(const struct tp_conf *c, struct raw_socks *rs)
{
	for (int i = 0; i < 2; i++)
		rs->tcp[i] = rs->icmp[i] = -1;
	rs->err = 0;
	for (int i = 0; i < 2; i++) {
		if (c->family != AF_UNSPEC && c->family != fams[i])
			continue;
		const struct ipfam *fam = ipfam_get(fams[i]);
		rs->tcp[i] = sock_open(fams[i], SOCK_RAW, IPPROTO_TCP);
		if (rs->tcp[i] >= 0)
			rs->icmp[i] = sock_open(fams[i], SOCK_RAW, fam->icmp_proto);
		if (rs->tcp[i] < 0 || rs->icmp[i] < 0) {
			rs->err = errno;
			for (int j = 0; j < 2; j++) {
				close_fd(&rs->tcp[j]);
				close_fd(&rs->icmp[j]);
			}
			return false;
		}
		/* SO_BINDTODEVICE may want the capability on older kernels. */
		if (c->iface && (sock_bind_device(rs->tcp[i], c->iface) < 0 ||
				 sock_bind_device(rs->icmp[i], c->iface) < 0)) {
			rs->err = errno;
			return false;
		}
	}
	return true;
}

/* Our source address and the MSS our SYN offers (route MTU minus headers). */
static int route(struct tp *t)
{
	const struct tp_conf *c = t->conf;
	int oif = 0;
	if (c->iface) {
		struct nl_link link;
		if (nl_link_get(0, c->iface, &link) < 0) {
			fprintf(stderr, "%s: SO_BINDTODEVICE %s: No such device\n", c->prog, c->iface);
			return -1;
		}
		oif = link.ifindex;
	}
	struct nl_route rt;
	if (nl_route_get(&t->target, NULL, oif, &rt) < 0) {
		fprintf(stderr, "%s: connect: %s\n", c->prog, strerror(errno));
		return -1;
	}
	t->local = rt.src;
	if (!addr_is_set(&t->local)) {
		fprintf(stderr, "%s: no source address for %s\n", c->prog, c->host);
		return -1;
	}
	uint32_t mtu = rt.mtu ? rt.mtu : 1500;
	size_t hdrs = t->fam->hdr_len + TCP_HDR_LEN;
	t->our_mss = (uint16_t)(mtu > hdrs + 64 && mtu - hdrs < 65535 ? mtu - hdrs : 536);
	return 0;
}

static int setup_output(struct tp *t)
{
	const struct tp_conf *c = t->conf;
	t->out = stdout;
	if (c->verbose)
		t->dec = decode_for(c->verbose, c->json);
	return pcap_start(&t->pcap, c->prog, c->pcap_path, PCAP_LINKTYPE_RAW);
}

/* Everything after the drop: resolve, set up, run.  Returns the exit code;
 * main() frees what it allocated whatever happened. */
static int run(struct tp *t, const struct tp_conf *conf, struct raw_socks *rs, bool use_raw)
{
	const char *prog = conf->prog;
	char canon[256];
	int gai = addr_resolve(&t->target, conf->host, conf->family, canon, sizeof(canon));
	if (gai != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, conf->host, gai_strerror(gai));
		return 2;
	}
	t->fam = ipfam_get(t->target.family);
	int mine = t->target.family == AF_INET ? 0 : 1;
	t->tcp_fd = rs->tcp[mine];
	t->icmp_fd = rs->icmp[mine];
	rs->tcp[mine] = rs->icmp[mine] = -1;
	close_fd(&rs->tcp[1 - mine]);
	close_fd(&rs->icmp[1 - mine]);
	t->method = use_raw ? &tp_method_raw : &tp_method_connect;

	t->loop = loop_new();
	t->rxbuf = malloc(TP_RX_BUF);
	t->viewbuf = malloc(TP_RX_BUF);
	if (!t->loop || !t->rxbuf || !t->viewbuf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	if (route(t) < 0 || setup_output(t) < 0)
		return 2;
	if (scan_setup(t) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	if (use_raw ? raw_setup(t) < 0 : connect_setup(t) < 0)
		return 2;
	if (loop_signal(t->loop, SIGINT, scan_on_signal, t) < 0 ||
	    loop_signal(t->loop, SIGTERM, scan_on_signal, t) < 0) {
		fprintf(stderr, "%s: signalfd: %s\n", prog, strerror(errno));
		return 2;
	}
	scan_start(t);
	if (!t->finished && loop_run(t->loop) < 0) {
		fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
		return 2;
	}
	return scan_exit_code(t);
}

static void cleanup(struct tp *t, struct raw_socks *rs)
{
	pcap_close(&t->pcap);
	for (size_t i = 0; t->probes && i < t->nprobes; i++)
		if (t->probes[i].fd >= 0)
			close(t->probes[i].fd);
	for (int i = 0; i < 2; i++) {
		close_fd(&rs->tcp[i]);
		close_fd(&rs->icmp[i]);
	}
	close_fd(&t->tcp_fd);
	close_fd(&t->icmp_fd);
	close_fd(&t->hold_fd);
	if (t->probes)
		stats_free(&t->rtt);
	free(t->probes);
	free(t->port_idx);
	free(t->best);
	free(t->txkey_probe);
	free(t->fd_probe);
	free(t->rxbuf);
	free(t->viewbuf);
	if (t->loop)
		loop_free(t->loop);
}

int main(int argc, char **argv)
{
	static const cap_value_t caps[] = { CAP_NET_RAW };
	const char *prog = cli_progname(argv[0]);
	if (priv_init(prog, caps, 1) < 0)
		return 2;
	struct tp_conf conf;
	int rc = tp_parse_options(argc, argv, &conf);
	if (rc != 0) {
		free(conf.ports);
		return rc > 0 ? 0 : 2;
	}

	struct raw_socks rs = { .tcp = { -1, -1 }, .icmp = { -1, -1 } };
	bool use_raw = !conf.connect_mode && open_raw(&conf, &rs);
	struct tp t = { .conf = &conf, .tcp_fd = -1, .icmp_fd = -1, .hold_fd = -1 };
	int code = 2;
	if (!conf.connect_mode && !use_raw) {
		if (rs.err != EPERM && rs.err != EACCES) {
			fprintf(stderr, "%s: socket: %s\n", prog, strerror(rs.err));
			goto out;
		}
		/* SPEC: fall back to connect() and say so. */
		fprintf(stderr, "%s: no raw socket (%s; needs CAP_NET_RAW): using --connect, "
			"the kernel does the handshake\n", prog, strerror(rs.err));
	}
	if (priv_drop() < 0) {
		fprintf(stderr, "%s: cannot drop capabilities: %s\n", prog, strerror(errno));
		goto out;
	}
	code = run(&t, &conf, &rs, use_raw);
out:
	cleanup(&t, &rs);
	free(conf.ports);
	return code;
}
