/*
 * options — arping's command line: iputils' letters and wording, plus
 * --scan, --json and --pcap.
 *
 * Pure string work: nothing here opens a socket or asks the kernel.  Every
 * number goes through common/cli.  Error lines are iputils' own
 * ("invalid argument: 'x'"), but every usage error exits 2 (iputils
 * 20221126 exits 1 for a bad number) and -w/-i accept fractions.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arping.h"
#include "cli.h"

enum { OPT_JSON = 256, OPT_PCAP, OPT_SCAN, OPT_RATE, OPT_RETRIES, OPT_TIMEOUT, OPT_HELP, OPT_VERSION };

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "scan", required_argument, NULL, OPT_SCAN },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void arping_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"\nUsage:\n"
		"  %s [options] <destination>\n"
		"  %s [options] --scan <network/prefix>\n"
		"\nOptions:\n"
		"  -f            quit on first reply\n"
		"  -q            be quiet\n"
		"  -b            keep on broadcasting, do not unicast\n"
		"  -D            duplicate address detection mode\n"
		"  -U            unsolicited ARP mode, update your neighbours\n"
		"  -A            ARP answer mode, update your neighbours\n"
		"  -V            print version and exit\n"
		"  -c <count>    how many packets to send\n"
		"  -w <timeout>  how long to wait for a reply\n"
		"  -i <interval> set interval between packets (default: 1 second)\n"
		"  -I <device>   which ethernet device to use\n"
		"  -s <source>   source IP address\n"
		"  -v            verbose: decode every frame (-vv adds a hex dump)\n"
		"  -h, --help    print help and exit\n"
		"  <destination> DNS name or IP address\n"
		"\nnetdiag extras:\n"
		"  --scan <cidr>      sweep a subnet, one line per live host\n"
		"  --rate <pps>       --scan: probes per second (default %d, at most %d)\n"
		"  --retries <n>      --scan: extra tries for a silent address (default %d)\n"
		"  --timeout <s>      --scan: wait per try (default 0.25)\n"
		"  --json             JSON Lines on stdout: reply, conflict, host, summary\n"
		"  --pcap <file>      write every frame sent and received to <file>\n"
		"\nFor more details see arping(8).\n",
		prog, prog, ARPING_SCAN_DEFAULT_RATE, ARPING_SCAN_MAX_RATE, ARPING_SCAN_DEFAULT_RETRIES);
}

static int duration(const char *prog, const char *arg, nsec_t min, nsec_t *out)
{
	/* Whole seconds up to INT_MAX as iputils, fractions too. */
	enum cli_status st = cli_duration(arg, min, (nsec_t)INT_MAX * NS_PER_S, out);
	return st == CLI_OK ? 0 : cli_iputils_bad(prog, arg, st, 0, INT_MAX);
}

static int check_combination(struct arping_conf *c, int nargs)
{
	if (c->scan_text) {
		if (nargs != 0) {
			fprintf(stderr, "%s: usage error: --scan takes no destination\n", c->prog);
			return -1;
		}
		if (c->dad || c->unsolicited) {
			fprintf(stderr, "%s: usage error: --scan cannot be combined with -D, -U or -A\n", c->prog);
			return -1;
		}
		if (addr_cidr_parse(&c->scan_net, &c->scan_prefix, c->scan_text, AF_INET) < 0) {
			fprintf(stderr, "%s: invalid network: %s\n", c->prog, c->scan_text);
			return -1;
		}
		if (c->scan_prefix < ARPING_SCAN_MIN_PREFIX) {
			fprintf(stderr, "%s: --scan %s: too large (at most a /%d)\n", c->prog, c->scan_text,
				ARPING_SCAN_MIN_PREFIX);
			return -1;
		}
		return 0;
	}
	if (nargs != 1) {
		fprintf(stderr, "%s: usage error: %s\n", c->prog,
			nargs ? "only one destination is allowed" : "Destination address required");
		return -1;
	}
	return 0;
}

int arping_parse_options(int argc, char **argv, struct arping_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->prog = cli_progname(argv[0]);
	c->count = -1;
	c->interval = NS_PER_S;
	c->rate = ARPING_SCAN_DEFAULT_RATE;
	c->retries = ARPING_SCAN_DEFAULT_RETRIES;
	c->scan_wait = ARPING_SCAN_DEFAULT_WAIT;

	long long v;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "bfDUAqc:w:i:s:I:Vvh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			c->broadcast_only = true;
			break;
		case 'D':
			c->dad = true;
			c->quit_on_reply = true;
			break;
		case 'U':
			c->unsolicited = true;
			break;
		case 'A':
			c->advert = true;
			c->unsolicited = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'c':
			if (cli_iputils_int(c->prog, optarg, 1, INT_MAX, &v) < 0)
				return -1;
			c->count = v;
			break;
		case 'w':
			if (duration(c->prog, optarg, 0, &c->deadline) < 0)
				return -1;
			break;
		case 'i':
			/* iputils' -i 0 disarms its timer (one probe, then
			 * silence); we need a real period: at least 1 ms. */
			if (duration(c->prog, optarg, NS_PER_MS, &c->interval) < 0)
				return -1;
			break;
		case 'I':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE) {
				fprintf(stderr, "%s: Device %s not available.\n", c->prog, optarg);
				return -1;
			}
			c->iface = optarg;
			break;
		case 'f':
			c->quit_on_reply = true;
			break;
		case 's':
			c->source_text = optarg;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'V':
		case OPT_VERSION:
			cli_version("arping");
			return 1;
		case 'h':
		case OPT_HELP:
			arping_usage(stdout, c->prog);
			return 1;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_PCAP:
			c->pcap_path = optarg;
			break;
		case OPT_SCAN:
			c->scan_text = optarg;
			break;
		case OPT_RATE:
			if (cli_iputils_int(c->prog, optarg, 1, ARPING_SCAN_MAX_RATE, &c->rate) < 0)
				return -1;
			break;
		case OPT_RETRIES:
			if (cli_iputils_int(c->prog, optarg, 0, ARPING_SCAN_MAX_RETRIES, &v) < 0)
				return -1;
			c->retries = (int)v;
			break;
		case OPT_TIMEOUT:
			if (cli_duration(optarg, NS_PER_MS, 60 * NS_PER_S, &c->scan_wait) != CLI_OK) {
				fprintf(stderr, "%s: invalid argument: '%s': 0.001 <= value <= 60\n", c->prog, optarg);
				return -1;
			}
			break;
		default:
			if (optopt && strchr("cwisI", optopt))
				fprintf(stderr, "%s: option requires an argument -- '%c'\n", c->prog, optopt);
			else if (optopt)
				fprintf(stderr, "%s: invalid option -- '%c'\n", c->prog, optopt);
			else
				fprintf(stderr, "%s: unrecognized option '%s'\n", c->prog, argv[optind - 1]);
			arping_usage(stderr, c->prog);
			return -1;
		}
	}
	if (c->source_text && addr_parse(&c->source, c->source_text, AF_INET) < 0) {
		fprintf(stderr, "%s: invalid source %s\n", c->prog, c->source_text);
		return -1;
	}
	if (check_combination(c, argc - optind) < 0)
		return -1;
	if (!c->scan_text)
		c->target = argv[optind];
	return 0;
}
