/*
 * ping — send ICMP ECHO_REQUEST to network hosts (iputils-compatible).
 *
 * The order of a main (ARCHITECTURE.md): parse options, open the sockets
 * that need privilege, drop every capability for good, resolve names,
 * run the loop, exit 0/1/2.  Sockets are opened before we know the
 * family of each destination, so each destination gets an IPv4 and an
 * IPv6 socket and keeps the one it needs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nl.h"
#include "ping.h"
#include "priv.h"
#include "sock.h"

struct family_sock {
	int fd;
	bool raw;
	int err;       /* errno when the socket could not be opened */
};

static int fail(const struct ping_conf *c, const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", c->prog, what, why);
	return -1;
}

/* Open both families' sockets for one destination (before the drop). */
static void open_sockets(const struct ping_conf *c, struct family_sock fs[2])
{
	static const int fams[2] = { AF_INET, AF_INET6 };
	for (int i = 0; i < 2; i++) {
		fs[i] = (struct family_sock){ .fd = -1 };
		if (c->family != AF_UNSPEC && c->family != fams[i]) {
			fs[i].err = EAFNOSUPPORT;
			continue;
		}
		fs[i].fd = sock_open_icmp(ipfam_get(fams[i]), SOCK_ICMP_AUTO, &fs[i].raw);
		if (fs[i].fd < 0)
			fs[i].err = errno;
	}
}

static int bind_device(const struct ping_conf *c, int fd)
{
	if (fd < 0 || !c->iface || sock_bind_device(fd, c->iface) == 0)
		return 0;
	char what[64];
	snprintf(what, sizeof(what), "SO_BINDTODEVICE %s", c->iface);
	return fail(c, what, strerror(errno));
}

/* iputils treats a v4 argument inet_aton() accepts ("10.1", "0") as
 * numeric; a v6 one is numeric when it has a colon. */
static bool typed_numeric(const char *name, int family)
{
	struct in_addr a;
	return family == AF_INET ? inet_aton(name, &a) != 0 : strchr(name, ':') != NULL;
}

static int resolve_target(struct ping *p, struct ping_target *t, struct family_sock fs[2])
{
	const struct ping_conf *c = p->conf;
	char canon[256];
	int rc = addr_resolve(&t->addr, t->name, c->family, canon, sizeof(canon));
	if (rc != 0)
		return fail(c, t->name, gai_strerror(rc));
	t->fam = ipfam_get(t->addr.family);
	struct family_sock *mine = &fs[t->addr.family == AF_INET ? 0 : 1];
	struct family_sock *other = &fs[t->addr.family == AF_INET ? 1 : 0];
	if (other->fd >= 0)
		close(other->fd);
	other->fd = -1;
	if (mine->fd < 0) {
		fprintf(stderr, "%s: socket: %s%s\n", c->prog, strerror(mine->err),
			mine->err == EPERM || mine->err == EACCES
				? " (need CAP_NET_RAW or net.ipv4.ping_group_range)" : "");
		return -1;
	}
	t->fd = mine->fd;
	t->raw = mine->raw;
	mine->fd = -1;

	bool numeric = typed_numeric(t->name, t->addr.family);
	t->numeric = c->numeric || c->flood || numeric;
	if (t->addr.family == AF_INET)
		snprintf(t->canon, sizeof(t->canon), "%s", numeric || !canon[0] ? t->name : canon);
	else
		snprintf(t->canon, sizeof(t->canon), "%s", t->name);
	t->footer_name = t->canon;
	return 0;
}

/* Where our packets leave from: iputils learns this by connect()ing a
 * UDP socket; we ask the routing table, with the same errors. */
static int find_source(struct ping *p, struct ping_target *t)
{
	const struct ping_conf *c = p->conf;
	if (addr_is_set(&c->source)) {
		if (c->source.family != t->addr.family)
			return fail(c, "invalid source address", "address family mismatch");
		if (sock_bind(t->fd, &c->source, 0) < 0)
			return fail(c, "bind", strerror(errno));
		t->local = c->source;
		return 0;
	}
	int oif = 0;
	if (c->iface) {
		struct nl_link link;
		if (nl_link_get(0, c->iface, &link) == 0)
			oif = link.ifindex;
	}
	struct nl_route rt;
	if (nl_route_get(&t->addr, NULL, oif, &rt) < 0) {
		if (errno == EACCES) {
			fprintf(stderr, "%s: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n",
				c->prog);
			return -1;
		}
		return fail(c, "connect", strerror(errno));
	}
	if (rt.type == RTN_BROADCAST) {
		fprintf(stderr, "%s: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n",
			c->prog);
		return -1;
	}
	t->local = rt.src;
	return 0;
}

static int setup_output(struct ping *p)
{
	const struct ping_conf *c = p->conf;
	p->out = stdout;
	if (c->verbose)
		p->dec = decode_for(c->verbose, c->json);
	return pcap_start(&p->pcap, c->prog, c->pcap_path, PCAP_LINKTYPE_RAW);
}

/* Everything main() allocated, released on every path out (so a fatal
 * error under LeakSanitizer still exits with our own code). */
static void release(struct ping *p, struct family_sock (*socks)[2], int nsocks)
{
	for (int i = 0; socks && i < nsocks; i++)
		for (int f = 0; f < 2; f++)
			if (socks[i][f].fd >= 0)
				close(socks[i][f].fd);
	free(socks);
	for (int i = 0; p->targets && i < p->ntargets; i++) {
		struct ping_target *t = &p->targets[i];
		stats_free(&t->rtt);
		free(t->sent);
		free(t->txkey_seq);
		if (t->fd >= 0)
			close(t->fd);
	}
	free(p->targets);
	pcap_close(&p->pcap);
	free(p->rxbuf);
	free(p->viewbuf);
	loop_free(p->loop);
}

/* Parse, open sockets, drop privileges, resolve, set up: 0 or -1. */
static int prepare(struct ping *p, struct family_sock (*socks)[2])
{
	const struct ping_conf *c = p->conf;
	for (int i = 0; i < c->ntargets; i++) {
		open_sockets(c, socks[i]);
		if (bind_device(c, socks[i][0].fd) < 0 || bind_device(c, socks[i][1].fd) < 0)
			return -1;
	}
	if (priv_drop() < 0)
		return fail(c, "cannot drop capabilities", strerror(errno));
	p->loop = loop_new();
	p->rxbuf = malloc(PING_RX_BUF);
	p->viewbuf = malloc(PING_RX_BUF);
	if (!p->loop || !p->rxbuf || !p->viewbuf)
		return fail(c, "setup", strerror(ENOMEM));
	if (setup_output(p) < 0)
		return -1;
	for (int i = 0; i < c->ntargets; i++) {
		struct ping_target *t = &p->targets[i];
		t->run = p;
		t->name = c->targets[i];
		if (resolve_target(p, t, socks[i]) < 0 || find_source(p, t) < 0 ||
		    ping_target_setup(p, t) < 0)
			return -1;
	}
	/* Signals become loop events only now: during name resolution a
	 * Ctrl-C must still be able to stop a hung lookup. */
	if (loop_signal(p->loop, SIGINT, ping_on_signal, p) < 0 ||
	    loop_signal(p->loop, SIGQUIT, ping_on_signal, p) < 0)
		return fail(c, "signalfd", strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	static const cap_value_t caps[] = { CAP_NET_RAW };
	const char *prog = cli_progname(argv[0]);
	if (priv_init(prog, caps, 1) < 0)
		return 2;
	struct ping_conf conf;
	int rc = ping_parse_options(argc, argv, &conf);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	struct ping p = { .conf = &conf, .ntargets = conf.ntargets };
	struct family_sock (*socks)[2] = calloc((size_t)conf.ntargets, sizeof(*socks));
	p.targets = calloc((size_t)conf.ntargets, sizeof(*p.targets));
	if (!socks || !p.targets) {
		fprintf(stderr, "%s: out of memory\n", prog);
		release(&p, socks, 0);
		return 2;
	}
	for (int i = 0; i < conf.ntargets; i++)
		socks[i][0].fd = socks[i][1].fd = p.targets[i].fd = -1;
	int code = 2;
	if (prepare(&p, socks) == 0) {
		out_pattern(&p);
		for (int i = 0; i < conf.ntargets; i++)
			out_header(&p, &p.targets[i]);
		ping_start(&p);
		if (loop_run(p.loop) < 0)
			fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
		else
			code = ping_exit_code(&p);
	}
	release(&p, socks, conf.ntargets);
	return code;
}
