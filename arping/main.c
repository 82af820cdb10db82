/*
 * arping — send ARP requests to a neighbour (iputils-compatible), detect
 * duplicate addresses, announce, or sweep a subnet (--scan).
 *
 * The order of a main (ARCHITECTURE.md): parse options, open the packet
 * socket (the one thing that needs CAP_NET_RAW), drop every capability
 * for good, resolve the destination, ask the kernel which interface and
 * source address its route uses (unless -I/-s say), bind the socket to
 * that interface behind an ARP-only filter, run the loop, exit 0/1/2.
 */
#include <errno.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>

#include "arping.h"
#include "cli.h"
#include "nl.h"
#include "packet.h"
#include "priv.h"
#include "sock.h"

static int fail(const struct arping_conf *c, const char *fmt, const char *a1, const char *a2)
{
	fprintf(stderr, "%s: ", c->prog);
	fprintf(stderr, fmt, a1, a2);
	fputc('\n', stderr);
	return -1;
}

/* The address whose route picks the interface: the destination, or the
 * first address of the swept subnet. */
static void route_key(const struct arping *a, struct addr *key)
{
	const struct arping_conf *c = a->conf;
	*key = a->dst;
	if (c->scan_text) {
		*key = c->scan_net;
		unsigned p = c->scan_prefix;
		uint32_t v = (uint32_t)key->bytes[0] << 24 | (uint32_t)key->bytes[1] << 16 |
			     (uint32_t)key->bytes[2] << 8 | key->bytes[3];
		v &= p ? ~0u << (32 - p) : 0;
		if (p <= 30)
			v++;
		uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
		addr_from_bytes(key, AF_INET, b);
	}
}

/* iputils' check_ifflags() wording and exit codes (printed on stdout). */
static int check_link(struct arping *a, const struct nl_link *l)
{
	const struct arping_conf *c = a->conf;
	if (!(l->flags & IFF_UP)) {
		if (!c->quiet)
			printf("Interface \"%s\" is down\n", l->name);
		return -2;
	}
	if (l->flags & (IFF_NOARP | IFF_LOOPBACK)) {
		if (!c->quiet)
			printf("Interface \"%s\" is not ARPable\n", l->name);
		return c->dad ? -1 : -2;
	}
	if (l->hwtype != ARPHRD_ETHER || l->hwaddr_len != ETHER_ADDR_LEN) {
		if (!c->quiet)
			printf("Interface \"%s\" is not ARPable (no ll address)\n", l->name);
		return c->dad ? -1 : -2;
	}
	return 0;
}

/* Interface (from -I or the route) and its MAC.  Returns 0, or the exit
 * code to leave with as a negative number. */
static int find_link(struct arping *a, struct addr *key)
{
	const struct arping_conf *c = a->conf;
	struct nl_link l;
	char k[ADDR_STRLEN], g[ADDR_STRLEN];
	if (c->iface) {
		if (nl_link_get(0, c->iface, &l) < 0) {
			fail(c, "Device %s not available.", c->iface, NULL);
			return -2;
		}
	} else {
		struct nl_route rt;
		int got = nl_route_get(key, NULL, 0, &rt);
		if (got == 0 && rt.type == RTN_LOCAL && c->scan_text) {
			/* The subnet's first address is our own: its route is
			 * lo.  The next one shows the link. */
			key->bytes[3]++;
			got = nl_route_get(key, NULL, 0, &rt);
		}
		if (got < 0 || rt.oif <= 0) {
			char why[160];
			snprintf(why, sizeof(why), "no route to %s: %s", addr_fmt(key, k, sizeof(k)),
				 strerror(errno ? errno : ENETUNREACH));
			fail(c, "Suitable device could not be determined (%s). Please, use option -I.", why, NULL);
			return -2;
		}
		if (addr_is_set(&rt.gw) && rt.type == RTN_UNICAST) {
			/* ARP never leaves the link: say so before nobody answers. */
			fprintf(stderr,
				"%s: warning: %s is not on a connected network: its route goes via gateway %s "
				"(dev %s); ARP only reaches hosts on that link\n",
				c->prog, addr_fmt(key, k, sizeof(k)), addr_fmt(&rt.gw, g, sizeof(g)), rt.ifname);
		}
		if (nl_link_get(rt.oif, NULL, &l) < 0) {
			fail(c, "Device %s not available.", rt.ifname, NULL);
			return -2;
		}
	}
	int rc = check_link(a, &l);
	if (rc < 0)
		return rc;
	a->ifindex = l.ifindex;
	snprintf(a->ifname, sizeof(a->ifname), "%s", l.name);
	memcpy(a->mymac, l.hwaddr, ETHER_ADDR_LEN);
	if (l.hwaddr_len == ETHER_ADDR_LEN && !(l.brdaddr[0] == 0 && l.brdaddr[1] == 0))
		memcpy(a->bcast, l.brdaddr, ETHER_ADDR_LEN);
	else
		memset(a->bcast, 0xff, ETHER_ADDR_LEN);
	return 0;
}

/* Sender protocol address: -s (checked the way iputils does, by binding
 * a UDP socket to it), the target itself for -U/-A, 0.0.0.0 for -D, else
 * the source the kernel's route would use. */
static int find_source(struct arping *a, const struct addr *key)
{
	const struct arping_conf *c = a->conf;
	static const uint8_t zero[4];
	if (c->source_text) {
		a->src = c->source;
		int fd = sock_open(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			return fail(c, "socket: %s", strerror(errno), NULL);
		int rc = sock_bind(fd, &a->src, 0);
		int err = errno;
		close(fd);
		if (rc < 0)
			return fail(c, "bind: %s", strerror(err), NULL);
		return 0;
	}
	if (c->dad) {
		addr_from_bytes(&a->src, AF_INET, zero);
		return 0;
	}
	if (c->unsolicited) {
		a->src = a->dst;
		return 0;
	}
	struct nl_route rt;
	if (nl_route_get(key, NULL, a->ifindex, &rt) == 0 && rt.src.family == AF_INET) {
		a->src = rt.src;
		return 0;
	}
	return fail(c, "no source address in not-DAD mode", NULL, NULL);
}

static int setup_output(struct arping *a)
{
	const struct arping_conf *c = a->conf;
	a->out = stdout;
	if (c->verbose)
		a->dec = decode_for(c->verbose, c->json);
	return pcap_start(&a->pcap, c->prog, c->pcap_path, PCAP_LINKTYPE_ETHERNET);
}

static int bind_socket(struct arping *a)
{
	const struct arping_conf *c = a->conf;
	/* Filter first, then bind: the socket has received nothing so far
	 * (protocol 0), so no unfiltered frame is ever queued. */
	if (packet_filter_arp(a->fd) < 0)
		return fail(c, "SO_ATTACH_FILTER: %s", strerror(errno), NULL);
	if (packet_bind(a->fd, a->ifindex, ETH_P_ARP) < 0)
		return fail(c, "bind: %s", strerror(errno), NULL);
	a->tx_stamps = packet_enable(a->fd, PACKET_RX_TS | PACKET_TX_TS) & PACKET_TX_TS;
	return 0;
}

/* Everything after the privileged socket: returns the exit code. */
static int run(struct arping *a)
{
	const struct arping_conf *c = a->conf;
	const char *prog = c->prog;
	if (priv_drop() < 0) {
		fprintf(stderr, "%s: cannot drop capabilities: %s\n", prog, strerror(errno));
		return 2;
	}
	a->loop = loop_new();
	if (!a->loop || setup_output(a) < 0)
		return 2;
	if (!c->scan_text) {
		int gai = addr_resolve(&a->dst, c->target, AF_INET, NULL, 0);
		if (gai != 0) {
			fail(c, "%s: %s", c->target, gai_strerror(gai));
			return 2;
		}
	}
	struct addr key;
	route_key(a, &key);
	int rc = find_link(a, &key);
	if (rc < 0)
		return -rc;
	if (find_source(a, &key) < 0 || bind_socket(a) < 0)
		return 2;
	if (c->scan_text ? scan_setup(a) < 0 : arping_setup(a) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	/* Signals become loop events only now: during name resolution a
	 * Ctrl-C must still be able to stop a hung lookup. */
	if (loop_signal(a->loop, SIGINT, arping_on_signal, a) < 0 ||
	    loop_signal(a->loop, SIGQUIT, arping_on_signal, a) < 0 ||
	    loop_signal(a->loop, SIGTERM, arping_on_signal, a) < 0) {
		fprintf(stderr, "%s: signalfd: %s\n", prog, strerror(errno));
		return 2;
	}
	if (c->scan_text) {
		scan_start(a);
	} else {
		out_header(a);
		arping_start(a);
	}
	if (!a->finished && loop_run(a->loop) < 0) {
		fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
		return 2;
	}
	return a->exit_code;
}

int main(int argc, char **argv)
{
	static const cap_value_t caps[] = { CAP_NET_RAW };
	const char *prog = cli_progname(argv[0]);
	if (priv_init(prog, caps, 1) < 0)
		return 2;
	struct arping_conf conf;
	int rc = arping_parse_options(argc, argv, &conf);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	struct arping *a = calloc(1, sizeof(*a));
	if (!a) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	a->conf = &conf;
	a->fd = packet_open();
	int code;
	if (a->fd < 0) {
		int err = errno;
		fprintf(stderr, "%s: socket: %s%s\n", prog, strerror(err),
			err == EPERM || err == EACCES ? " (need CAP_NET_RAW)" : "");
		code = 2;
	} else {
		code = run(a);
		close(a->fd);
	}
	pcap_close(&a->pcap);
	scan_free(a);
	stats_free(&a->rtt);
	loop_free(a->loop);
	free(a);
	return code;
}
