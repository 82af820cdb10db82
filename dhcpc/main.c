/*
 * dhcpc — a DHCP client that shows its work (models: busybox udhcpc,
 * dhcpcd, dhcping).
 *
 * The order of a main (ARCHITECTURE.md): parse options, open the packet
 * sockets (CAP_NET_RAW, raised only around socket()), drop every
 * capability — except CAP_NET_ADMIN kept permitted, not effective, when
 * --apply will need it for its netlink calls — then look the interface
 * up, bind, attach filters, run the state machine, exit 0/1/2.
 */
#include <errno.h>
#include <net/if_arp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dhcpc.h"
#include "nl.h"
#include "priv.h"

static int fail(const struct dhcpc_conf *c, const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", c->prog, what, why);
	return 2;
}

static int setup_interface(struct dhcpc *d)
{
	const struct dhcpc_conf *c = d->conf;
	struct nl_link link;
	if (nl_link_get(0, c->iface, &link) < 0)
		return fail(c, c->iface, errno == ENODEV || errno == ENOENT ? "No such device" : strerror(errno));
	if (link.hwtype != ARPHRD_ETHER || link.hwaddr_len != ETHER_ADDR_LEN)
		return fail(c, c->iface, "not an Ethernet interface");
	if (!(link.flags & IFF_UP))
		return fail(c, c->iface, "interface is down");
	d->ifindex = link.ifindex;
	snprintf(d->ifname, sizeof(d->ifname), "%s", link.name);
	memcpy(d->hw, link.hwaddr, ETHER_ADDR_LEN);
	memcpy(d->chaddr, c->mac_set ? c->mac : link.hwaddr, ETHER_ADDR_LEN);
	if (c->client_id_len) {
		memcpy(d->client_id, c->client_id, c->client_id_len);
		d->client_id_len = c->client_id_len;
	} else if (!c->no_client_id) {
		/* RFC 2132 9.14: type 1 (Ethernet) + hardware address, as udhcpc. */
		d->client_id[0] = 1;
		memcpy(d->client_id + 1, d->chaddr, ETHER_ADDR_LEN);
		d->client_id_len = 1 + ETHER_ADDR_LEN;
	}
	memcpy(d->prl, c->prl, c->prl_len);
	d->prl_len = c->prl_len;
	return 0;
}

/* Everything after the drop; returns the exit code (main frees). */
static int run(struct dhcpc *d, struct dhcp_msg *vmsg)
{
	const struct dhcpc_conf *c = d->conf;
	int rc;
	d->loop = loop_new();
	d->rxbuf = malloc(DHCPC_RX_BUF);
	d->offers = calloc(DHCPC_MAX_OFFERS + 1, sizeof(*d->offers));   /* +1: parse scratch */
	if (!d->loop || !d->rxbuf || !d->offers)
		return fail(c, "memory", strerror(ENOMEM));
	if ((rc = setup_interface(d)) != 0)
		return rc;
	if (c->verbose) {
		d->dec = decode_for(c->verbose, c->json);
		d->dec.app = out_decode_dhcp;
		d->dec.app_arg = vmsg;
	}
	if (pcap_start(&d->pcap, c->prog, c->pcap_path, PCAP_LINKTYPE_ETHERNET) < 0)
		return 2;
	if (link_setup(d) < 0 || arp_setup(d) < 0)
		return fail(c, d->ifname, strerror(errno));
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (loop_signal(d->loop, sigs[i], fsm_on_signal, d) < 0)
			return fail(c, "signalfd", strerror(errno));
	out_header(d);
	fsm_start(d);
	if (loop_run(d->loop) < 0)
		return fail(c, "poll", strerror(errno));
	out_summary(d);
	return d->exit_code;
}

int main(int argc, char **argv)
{
	static const cap_value_t caps[] = { CAP_NET_RAW, CAP_NET_ADMIN };
	static const cap_value_t keep[] = { CAP_NET_ADMIN };
	const char *prog = cli_progname(argv[0]);
	if (priv_init(prog, caps, 2) < 0)
		return 2;
	struct dhcpc_conf conf;
	int rc = dhcpc_parse_options(argc, argv, &conf);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	int fd = link_open();
	if (fd < 0)
		return fail(&conf, "socket", errno == EPERM || errno == EACCES
						     ? "Operation not permitted (need CAP_NET_RAW)" : strerror(errno));
	/* ARP: --arp-check probes; -f answers for a lease it holds unapplied. */
	int arp_fd = -1;
	if (conf.arp_check || conf.foreground) {
		arp_fd = arp_open();
		if (arp_fd < 0)
			return fail(&conf, "socket", strerror(errno));
	}
	if (conf.apply && !priv_have(CAP_NET_ADMIN))
		return fail(&conf, "--apply", "Operation not permitted (need CAP_NET_ADMIN)");
	if (priv_drop_except(keep, conf.apply ? 1 : 0) < 0)
		return fail(&conf, "cannot drop capabilities", strerror(errno));

	struct dhcpc *d = calloc(1, sizeof(*d));
	struct dhcp_msg *vmsg = malloc(sizeof(*vmsg));
	if (!d || !vmsg) {
		free(d);
		free(vmsg);
		return fail(&conf, "memory", strerror(ENOMEM));
	}
	d->conf = &conf;
	d->out = stdout;
	d->fd = fd;
	d->arp_fd = arp_fd;
	d->chosen = -1;
	d->exit_code = 2;
	rc = run(d, vmsg);
	pcap_close(&d->pcap);
	close(fd);
	if (arp_fd >= 0)
		close(arp_fd);
	if (d->loop)
		loop_free(d->loop);
	free(d->rxbuf);
	free(d->offers);
	free(vmsg);
	free(d);
	return rc;
}
