/*
 * options — tcpprobe's command line (SPEC.md): hping3/nping letters where
 * they exist (-c, -i, -t, -s, -S), ping's for the rest (-W, -n, -I, -4,
 * -6, -v).  Pure string work: nothing here opens a socket or resolves.
 * Every usage error is one line on stderr and exit 2.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tcpprobe.h"

enum { OPT_JSON = 256, OPT_PCAP, OPT_RATE, OPT_CONNECT, OPT_HELP, OPT_VERSION };

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "connect", no_argument, NULL, OPT_CONNECT },
	{ "handshake", no_argument, NULL, 'S' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void tp_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"\nUsage\n"
		"  %s [options] <host> [ports]\n"
		"\nPorts: 80, 22,80,443, 8000-8010 or a mix (default 80).\n"
		"\nOptions:\n"
		"  -c <count>         probes per port (default 1)\n"
		"  -i <interval>      seconds between rounds of probes (default 1)\n"
		"  -W <timeout>       seconds to wait for an answer (default 1)\n"
		"  -t <ttl>           time to live / hop limit of the SYN\n"
		"  -s <port>          source port (default: a free port, held for the run)\n"
		"  -S, --handshake    show the handshake: SYN, SYN-ACK (options decoded), RST\n"
		"  --rate <pps>       probes per second (default %d, at most %d)\n"
		"  --connect          full handshake through the kernel (no privilege needed)\n"
		"  -I <interface>     send through this interface\n"
		"  -n                 no reverse lookups\n"
		"  -4, -6             use IPv4 / IPv6\n"
		"  -v                 decode every packet (-vv adds a hex dump)\n"
		"  --json             JSON Lines on stdout: probe, summary\n"
		"  --pcap <file>      write every packet sent and received to <file>\n"
		"  -h, --help         print help and exit\n"
		"  -V, --version      print version and exit\n"
		"\nExit status: 0 a port is open, 1 none is, 2 error.\n"
		"For more details see tcpprobe(8).\n",
		prog, TP_DEFAULT_RATE, TP_MAX_RATE);
}

static int bad(const struct tp_conf *c, const char *what, const char *arg)
{
	fprintf(stderr, "%s: invalid %s: '%s'\n", c->prog, what, arg);
	return -1;
}

static int number(const struct tp_conf *c, const char *what, const char *arg, long long min,
		  long long max, long long *out)
{
	enum cli_status st = cli_int(arg, min, max, out);
	if (st == CLI_RANGE) {
		fprintf(stderr, "%s: invalid %s: '%s': out of range: %lld <= value <= %lld\n", c->prog,
			what, arg, min, max);
		return -1;
	}
	return st == CLI_OK ? 0 : bad(c, what, arg);
}

static int duration(const struct tp_conf *c, const char *what, const char *arg, nsec_t min, nsec_t *out)
{
	/* A day is more than any probe needs. */
	if (cli_duration(arg, min, 86400 * NS_PER_S, out) != CLI_OK)
		return bad(c, what, arg);
	return 0;
}

/* Returns 0 to run, 1 when -h/-V were answered, -1 on a usage error. */
int tp_parse_options(int argc, char **argv, struct tp_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->prog = cli_progname(argv[0]);
	c->count = 1;
	c->interval = NS_PER_S;
	c->timeout = NS_PER_S;
	c->ttl = -1;
	c->rate = TP_DEFAULT_RATE;
	c->family = AF_UNSPEC;
	c->is_root = getuid() == 0;
	bool interval_set = false;

	long long v;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "46c:hI:i:ns:St:vVW:", long_opts, NULL)) != -1) {
		switch (opt) {
		case '4':
		case '6':
			if (cli_family_opt(c->prog, opt, &c->family) < 0)
				return -1;
			break;
		case 'c':
			if (number(c, "count", optarg, 1, TP_MAX_PROBES, &v) < 0)
				return -1;
			c->count = v;
			break;
		case 'h':
		case OPT_HELP:
			tp_usage(stdout, c->prog);
			return 1;
		case 'I':
			if (!*optarg || strlen(optarg) >= 16) {
				fprintf(stderr, "%s: SO_BINDTODEVICE %s: No such device\n", c->prog, optarg);
				return -1;
			}
			c->iface = optarg;
			break;
		case 'i':
			if (duration(c, "interval", optarg, 0, &c->interval) < 0)
				return -1;
			interval_set = true;
			break;
		case 'n':
			c->numeric = true;
			break;
		case 's':
			if (number(c, "source port", optarg, 1, 65535, &v) < 0)
				return -1;
			c->sport = (int)v;
			break;
		case 'S':
			c->handshake = true;
			break;
		case 't':
			if (number(c, "ttl", optarg, 1, 255, &v) < 0)
				return -1;
			c->ttl = (int)v;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'V':
		case OPT_VERSION:
			cli_version("tcpprobe");
			return 1;
		case 'W':
			if (duration(c, "timeout", optarg, NS_PER_MS, &c->timeout) < 0)
				return -1;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_PCAP:
			c->pcap_path = optarg;
			break;
		case OPT_RATE:
			if (number(c, "rate", optarg, 1, TP_MAX_RATE, &v) < 0)
				return -1;
			c->rate = (unsigned)v;
			break;
		case OPT_CONNECT:
			c->connect_mode = true;
			break;
		default:
			if (optopt && strchr("cIisStW", optopt))
				fprintf(stderr, "%s: option requires an argument -- '%c'\n", c->prog, optopt);
			else if (optopt)
				fprintf(stderr, "%s: invalid option -- '%c'\n", c->prog, optopt);
			else
				fprintf(stderr, "%s: unrecognized option '%s'\n", c->prog, argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: usage error: Destination address required\n", c->prog);
		return -1;
	}
	c->host = argv[optind++];
	const char *ports = optind < argc ? argv[optind++] : "80";
	if (optind < argc) {
		fprintf(stderr, "%s: usage error: unexpected argument '%s'\n", c->prog, argv[optind]);
		return -1;
	}
	size_t n = 0;
	if (cli_ports(ports, &c->ports, &n, 65535) != CLI_OK)
		return bad(c, "port list", ports);
	/* "80,80" or overlapping ranges: each port once, first place kept
	 * (a reply is matched to a port, so a port can have one row a round). */
	bool seen[65536] = { false };
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (!seen[c->ports[i]])
			c->ports[kept++] = c->ports[i];
		seen[c->ports[i]] = true;
	}
	c->nports = kept;
	if ((unsigned long long)c->nports * (unsigned long long)c->count > TP_MAX_PROBES) {
		fprintf(stderr, "%s: too many probes: %zu ports x %lld (at most %u)\n", c->prog,
			c->nports, c->count, TP_MAX_PROBES);
		return -1;
	}
	if (interval_set && c->count > 1 && c->interval < TP_MIN_USER_INTERVAL && !c->is_root) {
		fprintf(stderr, "%s: cannot flood; minimal interval allowed for user is %lldms\n",
			c->prog, TP_MIN_USER_INTERVAL / NS_PER_MS);
		return -1;
	}
	return 0;
}
