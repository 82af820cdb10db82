/*
 * options — ping's command line, iputils' letters and wording.
 *
 * Pure string work: nothing here opens a socket or resolves a name.  Every
 * number goes through common/cli; the error lines are iputils' own so a
 * script that greps them keeps working, but every usage error exits 2
 * (iputils 20221126 exits 1 for some) and -w/-W/-i accept fractions.
 */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ping.h"

enum { OPT_JSON = 256, OPT_PCAP, OPT_HELP, OPT_VERSION };

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void ping_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"\nUsage\n"
		"  %s [options] <destination>...\n"
		"\nOptions:\n"
		"  <destination>      dns name or ip address (several are pinged concurrently)\n"
		"  -c <count>         stop after <count> replies\n"
		"  -D                 print timestamps\n"
		"  -f                 flood ping\n"
		"  -h, --help         print help and exit\n"
		"  -I <interface>     either interface name or address\n"
		"  -i <interval>      seconds between sending each packet\n"
		"  -l <preload>       send <preload> number of packages while waiting replies\n"
		"  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want|probe>\n"
		"  -n                 no dns name resolution\n"
		"  -O                 report outstanding replies\n"
		"  -p <pattern>       contents of padding byte\n"
		"  -q                 quiet output\n"
		"  -Q <tclass>        use quality of service <tclass> bits\n"
		"  -s <size>          use <size> as number of data bytes to be sent\n"
		"  -t <ttl>           define time to live\n"
		"  -v                 verbose output: decode every packet (-vv adds a hex dump)\n"
		"  -V, --version      print version and exit\n"
		"  -w <deadline>      reply wait <deadline> in seconds\n"
		"  -W <timeout>       time to wait for response\n"
		"\nIPv4 and IPv6:\n"
		"  -4                 use IPv4\n"
		"  -6                 use IPv6\n"
		"\nnetdiag extras:\n"
		"  --json             JSON Lines on stdout: reply, icmp_error, summary\n"
		"  --pcap <file>      write every packet sent and received to <file>\n"
		"\nFor more details see ping(8).\n",
		prog);
}

static int parse_pattern(struct ping_conf *c, const char *arg)
{
	/* iputils: up to 16 bytes given as hex digits, two per byte. */
	size_t n = strlen(arg);
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)arg[i])) {
			fprintf(stderr, "%s: patterns must be specified as hex digits: %s\n", c->prog, arg + i);
			return -1;
		}
	}
	c->pattern_len = 0;
	for (size_t i = 0; i < n && c->pattern_len < PING_MAX_PATTERN; i += 2) {
		char byte[3] = { arg[i], i + 1 < n ? arg[i + 1] : '\0', '\0' };
		c->pattern[c->pattern_len++] = (uint8_t)strtoul(byte, NULL, 16);
	}
	return 0;
}

static int parse_tos(struct ping_conf *c, const char *arg)
{
	unsigned long long v;
	enum cli_status st = cli_uint(arg, 0, ULLONG_MAX, true, &v);
	if (st == CLI_INVALID) {
		fprintf(stderr, "%s: bad TOS value: %s\n", c->prog, arg);
		return -1;
	}
	if (st != CLI_OK || v > 255) {
		fprintf(stderr, "%s: the decimal value of TOS bits must be in range 0-255: %s\n",
			c->prog, arg);
		return -1;
	}
	c->tos = (int)v;
	return 0;
}

static int parse_pmtu(struct ping_conf *c, const char *arg)
{
	static const char *const names[PMTU_MODES] = {
		[PMTU_DO] = "do", [PMTU_DONT] = "dont", [PMTU_WANT] = "want", [PMTU_PROBE] = "probe",
	};
	for (int i = 0; i < PMTU_MODES; i++) {
		if (strcmp(arg, names[i]) == 0) {
			c->pmtu = i;
			return 0;
		}
	}
	fprintf(stderr, "%s: invalid -M argument: %s\n", c->prog, arg);
	return -1;
}

static int parse_duration(struct ping_conf *c, const char *arg, const char *what, nsec_t *out)
{
	/* Up to 24 days, like iputils' INT_MAX milliseconds ceiling. */
	if (cli_duration(arg, 0, (nsec_t)INT_MAX * NS_PER_MS, out) != CLI_OK) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, what, arg);
		return -1;
	}
	return 0;
}

/* The user limits iputils enforces for non-root users (flooding others). */
static int check_limits(struct ping_conf *c)
{
	if (c->is_root)
		return 0;
	/* -f without -i means interval 0, so this covers flooding too. */
	if (c->interval < PING_MIN_USER_INTERVAL) {
		fprintf(stderr, "%s: cannot flood; minimal interval allowed for user is %lldms\n",
			c->prog, PING_MIN_USER_INTERVAL / NS_PER_MS);
		return -1;
	}
	if (c->preload > PING_MAX_USER_PRELOAD) {
		fprintf(stderr, "%s: cannot set preload to value greater than %d: %d\n", c->prog,
			PING_MAX_USER_PRELOAD, c->preload);
		return -1;
	}
	return 0;
}

/* Returns 0 to run, 1 when -h/-V were answered, -1 on a usage error. */
int ping_parse_options(int argc, char **argv, struct ping_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->prog = cli_progname(argv[0]);
	c->interval = NS_PER_S;
	c->linger = 10 * NS_PER_S;
	c->datalen = PING_DEFAULT_DATALEN;
	c->ttl = c->tos = c->pmtu = -1;
	c->preload = 1;
	c->family = AF_UNSPEC;
	c->is_root = getuid() == 0;

	long long v;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "46c:DfhI:i:l:M:nOp:qQ:s:t:vVw:W:", long_opts, NULL)) != -1) {
		switch (opt) {
		case '4':
		case '6':
			if (cli_family_opt(c->prog, opt, &c->family) < 0)
				return -1;
			break;
		case 'c':
			if (cli_iputils_int(c->prog, optarg, 1, LLONG_MAX, &v) < 0)
				return -1;
			c->count = v;
			break;
		case 'D':
			c->print_time = true;
			break;
		case 'f':
			c->flood = true;
			break;
		case 'h':
		case OPT_HELP:
			ping_usage(stdout, c->prog);
			return 1;
		case 'I':
			/* iputils: a colon means an IPv6 source address; a
			 * dotted quad an IPv4 one; anything else a device. */
			if (addr_parse(&c->source, optarg, 0) == 0)
				break;
			if (strchr(optarg, ':')) {
				fprintf(stderr, "%s: invalid source address: %s\n", c->prog, optarg);
				return -1;
			}
			if (strlen(optarg) >= 16 || !*optarg) {
				fprintf(stderr, "%s: SO_BINDTODEVICE %s: No such device\n", c->prog, optarg);
				return -1;
			}
			c->iface = optarg;
			break;
		case 'i':
			if (parse_duration(c, optarg, "bad timing interval", &c->interval) < 0)
				return -1;
			c->interval_set = true;
			break;
		case 'l':
			if (cli_iputils_int(c->prog, optarg, 1, 65536, &v) < 0)
				return -1;
			c->preload = (int)v;
			break;
		case 'M':
			if (parse_pmtu(c, optarg) < 0)
				return -1;
			break;
		case 'n':
			c->numeric = true;
			break;
		case 'O':
			c->outstanding = true;
			break;
		case 'p':
			if (parse_pattern(c, optarg) < 0)
				return -1;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'Q':
			if (parse_tos(c, optarg) < 0)
				return -1;
			break;
		case 's':
			if (cli_iputils_int(c->prog, optarg, 0, 65527, &v) < 0)
				return -1;
			c->datalen = (size_t)v;
			break;
		case 't':
			if (cli_iputils_int(c->prog, optarg, 0, 255, &v) < 0)
				return -1;
			c->ttl = (int)v;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'V':
		case OPT_VERSION:
			cli_version("ping");
			return 1;
		case 'w': {
			/* iputils takes whole seconds with its integer wording;
			 * we also take fractions. */
			enum cli_status st = cli_duration(optarg, 0, (nsec_t)INT_MAX * NS_PER_S, &c->deadline);
			nsec_t ignored;
			if (st == CLI_INVALID && optarg[0] == '-' &&
			    cli_duration(optarg + 1, 0, INT64_MAX, &ignored) == CLI_OK)
				st = CLI_RANGE;   /* a negative number: out of range */
			if (st != CLI_OK)
				return cli_iputils_bad(c->prog, optarg, st, 0, INT_MAX);
			break;
		}
		case 'W':
			if (parse_duration(c, optarg, "bad linger time", &c->linger) < 0)
				return -1;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_PCAP:
			c->pcap_path = optarg;
			break;
		default:
			if (optopt && strchr("cIilMpQstwW", optopt))
				fprintf(stderr, "%s: option requires an argument -- '%c'\n", c->prog, optopt);
			else if (optopt)
				fprintf(stderr, "%s: invalid option -- '%c'\n", c->prog, optopt);
			else
				fprintf(stderr, "%s: unrecognized option '%s'\n", c->prog, argv[optind - 1]);
			ping_usage(stderr, c->prog);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: usage error: Destination address required\n", c->prog);
		return -1;
	}
	c->targets = argv + optind;
	c->ntargets = argc - optind;
	if (c->flood && !c->interval_set)
		c->interval = 0;
	if (c->flood && c->json) {
		fprintf(stderr, "%s: -f and --json cannot be combined\n", c->prog);
		return -1;
	}
	if (c->source.family && c->family && c->source.family != c->family) {
		fprintf(stderr, "%s: -I %s does not match the address family asked for\n", c->prog,
			argv[optind - 1]);
		return -1;
	}
	return check_limits(c);
}
