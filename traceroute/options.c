/*
 * options — traceroute's command line: Butskoy's letters, defaults and
 * error wording (prefixed with the program name, as SPEC.md asks), plus
 * --mtu (tracepath's job), --max-time, --json, --pcap and -v.
 *
 * Pure string work: nothing here opens a socket or resolves a name.
 * Every number goes through common/cli.  Usage errors exit 2, as the
 * model's do.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "traceroute.h"

enum {
	OPT_JSON = 256, OPT_PCAP, OPT_HELP, OPT_VERSION, OPT_MTU, OPT_MAXTIME, OPT_NORETRY,
};

static const struct option long_opts[] = {
	{ "icmp", no_argument, NULL, 'I' },
	{ "tcp", no_argument, NULL, 'T' },
	{ "udp", no_argument, NULL, 'U' },
	{ "dont-fragment", no_argument, NULL, 'F' },
	{ "first", required_argument, NULL, 'f' },
	{ "interface", required_argument, NULL, 'i' },
	{ "max-hops", required_argument, NULL, 'm' },
	{ "sim-queries", required_argument, NULL, 'N' },
	{ "port", required_argument, NULL, 'p' },
	{ "tos", required_argument, NULL, 't' },
	{ "wait", required_argument, NULL, 'w' },
	{ "queries", required_argument, NULL, 'q' },
	{ "source", required_argument, NULL, 's' },
	{ "sendwait", required_argument, NULL, 'z' },
	{ "mtu", no_argument, NULL, OPT_MTU },
	{ "max-time", required_argument, NULL, OPT_MAXTIME },
	{ "no-retry", no_argument, NULL, OPT_NORETRY },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void trt_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage:\n"
		"  %s [ -46FITUnv ] [ -f first_ttl ] [ -i device ] [ -m max_ttl ] [ -N squeries ]\n"
		"        [ -p port ] [ -t tos ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ]\n"
		"        [ -z sendwait ] [ --mtu ] [ --max-time secs ] [ --json ] [ --pcap file ]\n"
		"        host [ packetlen ]\n"
		"Options:\n"
		"  -4                          Use IPv4\n"
		"  -6                          Use IPv6\n"
		"  -F  --dont-fragment         Do not fragment packets (DF set; a router's\n"
		"                              frag-needed shows as !F-<mtu>)\n"
		"  -f first_ttl  --first=first_ttl\n"
		"                              Start from the first_ttl hop (instead from 1)\n"
		"  -I  --icmp                  Use ICMP ECHO for tracerouting (a ping socket\n"
		"                              where net.ipv4.ping_group_range allows, else\n"
		"                              CAP_NET_RAW)\n"
		"  -T  --tcp                   Use TCP SYN for tracerouting (default port is 80;\n"
		"                              needs CAP_NET_RAW)\n"
		"  -i device  --interface=device\n"
		"                              Specify a network interface to operate with\n"
		"  -m max_ttl  --max-hops=max_ttl\n"
		"                              Set the max number of hops (max TTL to be\n"
		"                              reached). Default is 30\n"
		"  -N squeries  --sim-queries=squeries\n"
		"                              Set the number of probes to be tried\n"
		"                              simultaneously (default is 16)\n"
		"  -n                          Do not resolve IP addresses to their domain names\n"
		"  -p port  --port=port        Set the destination port to use. It is the\n"
		"                              destination port of every UDP probe (default\n"
		"                              33434; the flow stays fixed), the port for\n"
		"                              -U (default 53) and -T (default 80); for -I the\n"
		"                              initial ICMP sequence value\n"
		"  -t tos  --tos=tos           Set the TOS (IPv4 type of service) or TC (IPv6\n"
		"                              traffic class) value for outgoing packets\n"
		"  -w MAX,HERE,NEAR  --wait=MAX,HERE,NEAR\n"
		"                              Wait for a probe no more than HERE (default 3)\n"
		"                              times longer than a response from the same hop,\n"
		"                              or no more than NEAR (default 10) times than some\n"
		"                              next hop, or MAX (default 5.0) seconds\n"
		"  -q nqueries  --queries=nqueries\n"
		"                              Set the number of probes per each hop. Default is 3\n"
		"  -s src_addr  --source=src_addr\n"
		"                              Use source src_addr for outgoing packets\n"
		"  -z sendwait  --sendwait=sendwait\n"
		"                              Minimal time interval between probes (default 0).\n"
		"                              A value above 10 is milliseconds, else seconds\n"
		"  -U  --udp                   Use UDP to particular port for tracerouting\n"
		"                              (default port is 53)\n"
		"  --mtu                       Discover the path MTU (F=<mtu> where it changes,\n"
		"                              then the path MTU and TCP MSS; finds black holes)\n"
		"  --max-time=secs             Stop the whole run after secs seconds\n"
		"  --no-retry                  Do not retry unanswered probes (the model's way)\n"
		"  --json                      JSON Lines on stdout: one hop object per row, summary\n"
		"  --pcap=file                 Write every packet sent and received to file\n"
		"  -v  --verbose               Decode every probe and reply (-vv adds hex dumps)\n"
		"  -V  --version               Print version info and exit\n"
		"  --help                      Read this help and exit\n"
		"\n"
		"Arguments:\n"
		"+     host          The host to traceroute to\n"
		"      packetlen     The full packet length (default is the length of an IP\n"
		"                    header plus 40). Can be ignored or increased to a minimal\n"
		"                    allowed value\n"
		"\nUDP (default, -U) needs no privilege: errors are read from the socket's\n"
		"error queue (with CAP_NET_RAW a raw ICMP socket adds routers that quote\n"
		"only 8 bytes of the probe).\n"
		"Exit status: 0 destination reached, 1 not reached, 2 error.\n"
		"For more details see traceroute(8).\n",
		prog);
}

static int cant_handle(const struct trt_conf *c, int opt, const char *arg, int argc)
{
	if (opt < 256)
		fprintf(stderr, "%s: Cannot handle `-%c' option with arg `%s' (argc %d)\n", c->prog,
			opt, arg, argc);
	else
		fprintf(stderr, "%s: Cannot handle option with arg `%s' (argc %d)\n", c->prog, arg,
			argc);
	return -1;
}

static int number(struct trt_conf *c, int opt, const char *arg, long long min, long long max,
		  int argc, long long *out)
{
	if (cli_int(arg, min, max, out) != CLI_OK)
		return cant_handle(c, opt, arg, argc);
	return 0;
}

/* Butskoy: "-w MAX,HERE,NEAR", each a non-negative decimal (seconds for
 * MAX, factors for the others); missing parts keep their defaults. */
static int parse_wait(struct trt_conf *c, const char *arg, int argc)
{
	char buf[128];
	if (strlen(arg) >= sizeof(buf))
		return cant_handle(c, 'w', arg, argc);
	strcpy(buf, arg);
	char *save = NULL;
	char *part = strtok_r(buf, ",/", &save);
	for (int i = 0; part && i < 3; i++, part = strtok_r(NULL, ",/", &save)) {
		nsec_t v;
		if (cli_duration(part, 0, 3600 * NS_PER_S, &v) != CLI_OK)
			return cant_handle(c, 'w', arg, argc);
		if (i == 0)
			c->wait_max = v;
		else if (i == 1)
			c->here = (double)v / NS_PER_S;
		else
			c->near = (double)v / NS_PER_S;
	}
	if (part)
		return cant_handle(c, 'w', arg, argc);
	return 0;
}

/* Butskoy's -z: a value above 10 is milliseconds, else seconds. */
static int parse_sendwait(struct trt_conf *c, const char *arg, int argc)
{
	nsec_t v;
	if (cli_duration(arg, 0, 1000 * NS_PER_S, &v) != CLI_OK)
		return cant_handle(c, 'z', arg, argc);
	if (v > 10 * NS_PER_S)
		v /= 1000;
	c->sendwait = v;
	return 0;
}

static void defaults(struct trt_conf *c, char **argv)
{
	memset(c, 0, sizeof(*c));
	c->prog = cli_progname(argv[0]);
	c->method = TRT_M_UDP;
	c->family = AF_UNSPEC;
	c->first_ttl = 1;
	c->max_ttl = 30;
	c->nqueries = 3;
	c->sim = 16;
	c->wait_max = 5 * NS_PER_S;
	c->here = 3;
	c->near = 10;
	c->port = -1;
	c->tos = -1;
	c->packetlen = -1;
}

/* Returns 0 to run, 1 when --help/-V were answered, -1 on a usage error. */
int trt_parse_options(int argc, char **argv, struct trt_conf *c)
{
	defaults(c, argv);
	long long v;
	int opt;
	opterr = 0;
	/* '+': options stop at the host, as Butskoy's parser does. */
	while ((opt = getopt_long(argc, argv, "+46FIUTf:i:m:N:np:t:w:q:s:z:vVh", long_opts, NULL)) != -1) {
		switch (opt) {
		case '4':
		case '6':
			c->family = opt == '4' ? AF_INET : AF_INET6;
			break;
		case 'F':
			c->dontfrag = true;
			break;
		case 'I':
			c->method = TRT_M_ICMP;
			break;
		case 'U':
			c->method = TRT_M_UDP_PORT;
			break;
		case 'T':
			c->method = TRT_M_TCP;
			break;
		case 'f':
			if (number(c, opt, optarg, 0, INT_MAX, argc, &v) < 0)
				return -1;
			c->first_ttl = (int)v;
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= 16)
				return cant_handle(c, opt, optarg, argc);
			c->iface = optarg;
			break;
		case 'm':
			if (number(c, opt, optarg, 0, INT_MAX, argc, &v) < 0)
				return -1;
			c->max_ttl = (int)v;
			break;
		case 'N':
			if (number(c, opt, optarg, 0, INT_MAX, argc, &v) < 0)
				return -1;
			c->sim = (int)v;
			break;
		case 'n':
			c->numeric = true;
			break;
		case 'p':
			if (number(c, opt, optarg, 0, 65535, argc, &v) < 0)
				return -1;
			c->port = (int)v;
			c->port_set = true;
			break;
		case 't':
			if (cli_uint(optarg, 0, 255, true, (unsigned long long *)&v) != CLI_OK)
				return cant_handle(c, opt, optarg, argc);
			c->tos = (int)v;
			break;
		case 'w':
			if (parse_wait(c, optarg, argc) < 0)
				return -1;
			break;
		case 'q':
			if (number(c, opt, optarg, 0, INT_MAX, argc, &v) < 0)
				return -1;
			c->nqueries = (int)v;
			break;
		case 's':
			if (addr_parse(&c->source, optarg, 0) < 0)
				return cant_handle(c, opt, optarg, argc);
			break;
		case 'z':
			if (parse_sendwait(c, optarg, argc) < 0)
				return -1;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'V':
			cli_version("traceroute");
			return 1;
		case 'h':
		case OPT_HELP:
			trt_usage(stdout, c->prog);
			return 1;
		case OPT_MTU:
			c->mtu = true;
			c->dontfrag = true;
			break;
		case OPT_MAXTIME:
			if (cli_duration(optarg, 1, 86400 * NS_PER_S, &c->max_time) != CLI_OK)
				return cant_handle(c, opt, optarg, argc);
			break;
		case OPT_NORETRY:
			c->no_retry = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_PCAP:
			c->pcap_path = optarg;
			break;
		default:
			if (optopt && strchr("fimNptwqsz", optopt))
				fprintf(stderr, "%s: Option `-%c' (argc %d) requires an argument: `-%c %s'\n",
					c->prog, optopt, optind - 1, optopt, "value");
			else if (optopt)
				fprintf(stderr, "%s: Bad option `-%c' (argc %d)\n", c->prog, optopt, optind - 1);
			else
				fprintf(stderr, "%s: Bad option `%s' (argc %d)\n", c->prog, argv[optind - 1],
					optind - 1);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: Specify \"host\" missing argument.\n", c->prog);
		return -1;
	}
	c->host = argv[optind++];
	if (optind < argc) {
		if (cli_int(argv[optind], 0, LONG_MAX, &v) != CLI_OK)
			return cant_handle(c, 'l', argv[optind], argc);
		if (v > 65000) {
			fprintf(stderr, "%s: too big packetlen %lld specified\n", c->prog, v);
			return -1;
		}
		c->packetlen = (long)v;
		optind++;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: Extra arg `%s' (position %d, argc %d)\n", c->prog, argv[optind],
			optind, argc);
		return -1;
	}
	if (c->max_ttl > TRT_MAX_HOPS) {
		fprintf(stderr, "%s: max hops cannot be more than %d\n", c->prog, TRT_MAX_HOPS);
		return -1;
	}
	if (c->first_ttl == 0 || c->first_ttl > c->max_ttl) {
		fprintf(stderr, "%s: first hop out of range\n", c->prog);
		return -1;
	}
	if (c->nqueries > TRT_MAX_QUERIES) {
		fprintf(stderr, "%s: no more than %d probes per hop\n", c->prog, TRT_MAX_QUERIES);
		return -1;
	}
	/* Butskoy treats 0 as 1 for both. */
	if (c->nqueries < 1)
		c->nqueries = 1;
	if (c->sim < 1)
		c->sim = 1;
	if (c->sim > TRT_MAX_SIM)
		c->sim = TRT_MAX_SIM;
	if (c->wait_max == 0)
		c->wait_max = 5 * NS_PER_S;
	return 0;
}
