/*
 * options — dhcpc's command line: udhcpc's letters where they exist
 * (-r -H -C -V -O -s -f -B), long options for the rest.  -V is the vendor
 * class as in udhcpc, so the version is --version only.  Pure string
 * work: every value is checked here, every error is one line and exit 2.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dhcpc.h"

enum {
	OPT_L_JSON = 256, OPT_L_PCAP, OPT_L_HELP, OPT_L_VERSION, OPT_L_OFFERS, OPT_L_APPLY,
	OPT_L_RELEASE, OPT_L_ARP, OPT_L_TIMEOUT, OPT_L_RETRIES, OPT_L_REBOOT,
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_L_JSON },
	{ "pcap", required_argument, NULL, OPT_L_PCAP },
	{ "help", no_argument, NULL, OPT_L_HELP },
	{ "version", no_argument, NULL, OPT_L_VERSION },
	{ "offers", no_argument, NULL, OPT_L_OFFERS },
	{ "apply", no_argument, NULL, OPT_L_APPLY },
	{ "release", no_argument, NULL, OPT_L_RELEASE },
	{ "arp-check", no_argument, NULL, OPT_L_ARP },
	{ "timeout", required_argument, NULL, OPT_L_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_L_RETRIES },
	{ "reboot", no_argument, NULL, OPT_L_REBOOT },
	{ "request", required_argument, NULL, 'r' },
	{ "hostname", required_argument, NULL, 'H' },
	{ "clientid", required_argument, NULL, 'C' },
	{ "vendorclass", required_argument, NULL, 'V' },
	{ "request-option", required_argument, NULL, 'O' },
	{ "script", required_argument, NULL, 's' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "broadcast", no_argument, NULL, 'B' },
	{ "mac", required_argument, NULL, 'm' },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* Parameters udhcpc asks for, plus 121 so the lint can see classless
 * routes (they are shown and checked, never applied). */
static const uint8_t default_prl[] = { OPT_SUBNET, OPT_ROUTER, OPT_DNS, OPT_HOSTNAME, OPT_DOMAIN,
				       OPT_BROADCAST, OPT_NTP, OPT_CLASSLESS };

void dhcpc_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [options] interface\n"
		"\n"
		"DISCOVER -> OFFER -> REQUEST -> ACK on interface over a packet socket, each step\n"
		"printed with its timing, then the lease and its lint (and the chosen OFFER's\n"
		"findings the ACK does not repeat). Nothing is changed unless --apply is given.\n"
		"\n"
		"Options:\n"
		"  -r, --request ADDR     ask for ADDR (option 50 in DISCOVER and REQUEST)\n"
		"      --reboot           INIT-REBOOT: REQUEST ADDR of -r directly (would the server give it?)\n"
		"  -H, --hostname NAME    send NAME as option 12\n"
		"  -C, --clientid ID      client identifier: text, or hex bytes aa:bb:...; '' sends none\n"
		"                         (default: type 1 + MAC)\n"
		"  -V, --vendorclass STR  vendor class identifier (option 60)\n"
		"  -O, --request-option N add option N (number or name) to the parameter request list\n"
		"  -m, --mac MAC          use MAC as chaddr and frame source\n"
		"  -B, --broadcast        ask for broadcast replies (BROADCAST flag)\n"
		"      --offers           list every OFFER within --timeout; never REQUEST (rogue check)\n"
		"      --arp-check        probe the address with ARP before taking it; DECLINE if in use\n"
		"      --apply            put the address and default route on the interface (CAP_NET_ADMIN)\n"
		"  -s, --script PROG      run PROG with udhcpc's events and environment\n"
		"  -f, --foreground       keep the lease: renew at T1, rebind at T2, deconfigure at\n"
		"                         expiry, start over on NAK; until SIGTERM\n"
		"                         (SIGUSR1 renews, SIGUSR2 releases)\n"
		"      --release          send RELEASE (one-shot: after printing the lease; -f: at exit)\n"
		"      --timeout SECS     give up an exchange after SECS (30; --offers: 3)\n"
		"      --retries N        retransmissions per exchange (4): 4 s doubling, +-1 s\n"
		"      --json             JSON Lines: step, offer, lease, warning, note, summary\n"
		"      --pcap FILE        write every frame sent and received to FILE (Ethernet)\n"
		"  -v, --verbose          decode every frame (-vv adds a hex dump)\n"
		"  -h, --help             print this help and exit\n"
		"      --version          print the version and exit\n"
		"\n"
		"Exit: 0 lease (or offers), 1 no offer, NAK or DECLINE, 2 error.\n"
		"For more details see dhcpc(8).\n",
		prog);
}

static int fail(const char *prog, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -1;
}

static int opt_code(const char *s, uint8_t *code)
{
	unsigned long long v;
	if (cli_uint(s, 1, 254, false, &v) == CLI_OK) {
		*code = (uint8_t)v;
		return 0;
	}
	for (unsigned c = 1; c < 255; c++) {
		const char *n = dhcp_opt_name((uint8_t)c);
		if (n && strcmp(n, s) == 0) {
			*code = (uint8_t)c;
			return 0;
		}
	}
	/* udhcpc's names for the common ones */
	static const struct { const char *n; uint8_t c; } alias[] = {
		{ "subnet", 1 }, { "domain", 15 }, { "ntpsrv", 42 }, { "staticroutes", 121 },
		{ "search", 119 }, { "lease", 51 }, { "serverid", 54 },
	};
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(alias[i].n, s) == 0) {
			*code = alias[i].c;
			return 0;
		}
	return -1;
}

static int add_prl(struct dhcpc_conf *c, uint8_t code)
{
	if (memchr(c->prl, code, c->prl_len))
		return 0;
	if (c->prl_len >= DHCPC_MAX_PRL)
		return -1;
	c->prl[c->prl_len++] = code;
	return 0;
}

static int parse_client_id(struct dhcpc_conf *c, const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || strcmp(s, "none") == 0) {
		c->no_client_id = true;
		return 0;
	}
	/* aa:bb:cc... as hex bytes, else the text itself */
	bool hex = n >= 5 && (n + 1) % 3 == 0;
	for (size_t i = 0; hex && i < n; i++) {
		char ch = s[i];
		bool hd = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
		hex = i % 3 == 2 ? ch == ':' : hd;
	}
	if (hex) {
		for (size_t i = 0; i < n; i += 3)
			c->client_id[c->client_id_len++] = (uint8_t)strtoul((char[3]){ s[i], s[i + 1], 0 }, NULL, 16);
		return 0;
	}
	if (n > DHCPC_MAX_CLIENT_ID)
		return -1;
	memcpy(c->client_id, s, n);
	c->client_id_len = n;
	return 0;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

int dhcpc_parse_options(int argc, char **argv, struct dhcpc_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->prog = cli_progname(argv[0]);
	c->retries = DHCPC_DEFAULT_RETRIES;
	memcpy(c->prl, default_prl, sizeof(default_prl));
	c->prl_len = sizeof(default_prl);
	bool timeout_set = false;
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":r:H:C:V:O:s:m:fBvh", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (addr_parse(&c->req_ip, optarg, AF_INET) < 0)
				return fail(c->prog, "invalid address: '%s'", optarg);
			break;
		case 'H':
			if (!dhcp_valid_name(optarg, strlen(optarg)))
				return fail(c->prog, "invalid hostname: '%s'", optarg);
			c->hostname = optarg;
			break;
		case 'C':
			if (parse_client_id(c, optarg) < 0)
				return fail(c->prog, "invalid client id: '%s'", optarg);
			break;
		case 'V':
			if (!printable(optarg) || strlen(optarg) > 255)
				return fail(c->prog, "invalid vendor class: '%s'", optarg);
			c->vendor_class = optarg;
			break;
		case 'O': {
			char *dup = strdup(optarg), *save = NULL;
			if (!dup)
				return fail(c->prog, "%s", "out of memory");
			for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				uint8_t code;
				if (opt_code(t, &code) < 0 || add_prl(c, code) < 0) {
					fail(c->prog, "invalid option: '%s'", t);
					free(dup);
					return -1;
				}
			}
			free(dup);
			break;
		}
		case 's':
			c->script = optarg;
			break;
		case 'm':
			if (ether_parse(c->mac, optarg) < 0 || (c->mac[0] & 1))
				return fail(c->prog, "invalid MAC address: '%s'", optarg);
			c->mac_set = true;
			break;
		case 'f':
			c->foreground = true;
			break;
		case 'B':
			c->broadcast = true;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'h':
		case OPT_L_HELP:
			dhcpc_usage(stdout, c->prog);
			return 1;
		case OPT_L_VERSION:
			cli_version("dhcpc");
			return 1;
		case OPT_L_JSON:
			c->json = true;
			break;
		case OPT_L_PCAP:
			c->pcap_path = optarg;
			break;
		case OPT_L_OFFERS:
			c->offers = true;
			break;
		case OPT_L_APPLY:
			c->apply = true;
			break;
		case OPT_L_RELEASE:
			c->release = true;
			break;
		case OPT_L_ARP:
			c->arp_check = true;
			break;
		case OPT_L_REBOOT:
			c->reboot = true;
			break;
		case OPT_L_TIMEOUT:
			if (cli_duration(optarg, NS_PER_S / 10, 3600 * NS_PER_S, &c->timeout) != CLI_OK)
				return fail(c->prog, "invalid timeout: '%s' (0.1 to 3600 seconds)", optarg);
			timeout_set = true;
			break;
		case OPT_L_RETRIES: {
			unsigned long long v;
			if (cli_uint(optarg, 0, 10, false, &v) != CLI_OK)
				return fail(c->prog, "invalid retries: '%s' (0 to 10)", optarg);
			c->retries = (int)v;
			break;
		}
		case ':':
			return fail(c->prog, "option requires an argument: '%s'", argv[optind - 1]);
		default:
			return fail(c->prog, "unknown option: '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return fail(c->prog, "usage error: %s", optind >= argc ? "interface required" : "one interface only");
	c->iface = argv[optind];
	if (strlen(c->iface) >= IF_NAMESIZE)
		return fail(c->prog, "invalid interface name: '%s'", c->iface);
	if (c->offers && (c->apply || c->foreground || c->release || c->arp_check || c->script || c->reboot))
		return fail(c->prog, "usage error: %s", "--offers never requests a lease: it cannot be combined "
							 "with --apply, -f, --release, --arp-check, -s or --reboot");
	if (c->reboot && !addr_is_set(&c->req_ip))
		return fail(c->prog, "usage error: %s", "--reboot needs -r ADDR");
	if (!timeout_set)
		c->timeout = c->offers ? DHCPC_DEFAULT_OFFERS_TIMEOUT : DHCPC_DEFAULT_TIMEOUT;
	return 0;
}
