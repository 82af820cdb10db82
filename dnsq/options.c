/*
 * options — dnsq's command line: `dnsq [options] [@server] name [type]`.
 *
 * Pure string work: nothing here opens a socket.  Numbers and durations go
 * through common/cli.  @SERVER must be a numeric address: dnsq never asks
 * the system resolver, not even for the server's own name.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dnsq.h"

enum {
	OPT_TCP = 256, OPT_TIMEOUT, OPT_RETRIES, OPT_NO_EDNS, OPT_BUFSIZE, OPT_DNSSEC, OPT_JSON,
	OPT_PCAP, OPT_ALL, OPT_MAXQ, OPT_MAXT, OPT_HINTS,
};

static const struct option long_opts[] = {
	{ "trace", no_argument, NULL, 'T' },
	{ "short", no_argument, NULL, 's' },
	{ "tcp", no_argument, NULL, OPT_TCP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "no-edns", no_argument, NULL, OPT_NO_EDNS },
	{ "bufsize", required_argument, NULL, OPT_BUFSIZE },
	{ "dnssec", no_argument, NULL, OPT_DNSSEC },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "all-servers", no_argument, NULL, OPT_ALL },
	{ "max-queries", required_argument, NULL, OPT_MAXQ },
	{ "max-time", required_argument, NULL, OPT_MAXT },
	{ "root-hints", required_argument, NULL, OPT_HINTS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void dnsq_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [options] [@server] name [type]\n"
		"       %s [options] -x address\n"
		"       %s [options] -f file\n"
		"\nResolve name by walking down from the root servers, without any\n"
		"recursive resolver and without /etc/resolv.conf.\n"
		"\nOptions:\n"
		"  -T, --trace          show every query: server, where its address came from,\n"
		"                       RTT, flags, what came back and every record ignored\n"
		"  -s, --short          answer data only, one per line (as dig +short)\n"
		"  -x ADDR              reverse lookup (in-addr.arpa / ip6.arpa)\n"
		"  -f FILE              resolve every 'name [type]' line of FILE ('-': stdin),\n"
		"                       sharing what was learned between names\n"
		"  @SERVER              one non-recursive query to SERVER (an address), as\n"
		"                       dig @SERVER +norec; -p PORT sets its port\n"
		"  --root-hints FILE    root servers from FILE (named.root format); default:\n"
		"                       IANA's, built in\n"
		"  --tcp                use TCP only\n"
		"  --timeout SEC        per query, doubled on each retry (default 1)\n"
		"  --retries N          retries per server address (default 1)\n"
		"  -4, -6               use only IPv4 / IPv6 servers\n"
		"  --no-edns            send queries without EDNS0\n"
		"  --bufsize N          EDNS0 UDP payload size (default 1232)\n"
		"  --dnssec             set the DO bit, show RRSIGs\n"
		"  --all-servers        after the walk, ask every address of every NS of every\n"
		"                       zone on the path for the zone's NS set, SOA and the\n"
		"                       name; report each server and where they disagree\n"
		"                       (NS sets parent vs zone, serials, answers, lame,\n"
		"                       refused or silent servers)\n"
		"  --max-queries N      query budget per name (default 128; with --all-servers\n"
		"                       also the budget of the report, default 256)\n"
		"  --max-time SEC       time budget per name (default 10; report: 30)\n"
		"  --json               JSON Lines: step, [server, disagreement,] answer, summary\n"
		"  -v                   decode every packet sent and received (-vv: hex, states)\n"
		"  --pcap FILE          write every packet to FILE (pcap)\n"
		"  -h, --help           print this help\n"
		"  -V, --version        print the version\n"
		"\nTypes: A AAAA NS CNAME MX TXT SOA PTR SRV CAA DS DNSKEY or TYPEnnn.\n"
		"Exit: 0 answer, 1 NXDOMAIN or NODATA, 2 failure (every server failed, limit\n"
		"reached, bad usage).  With --all-servers, 0 and 1 only when every server\n"
		"answered and all agreed; any disagreement, failed server or budget hit: 2.\n"
		"See dnsq(8).\n",
		prog, prog, prog);
}

static int usage_error(const char *prog, const char *what, const char *arg)
{
	fprintf(stderr, "%s: usage error: %s%s%s\n", prog, what, arg ? ": " : "", arg ? arg : "");
	return -1;
}

static int number(const char *prog, const char *opt, const char *arg, long long min, long long max,
		  long long *out)
{
	enum cli_status st = cli_int(arg, min, max, out);
	if (st == CLI_OK)
		return 0;
	if (st == CLI_RANGE)
		fprintf(stderr, "%s: invalid argument for %s: '%s': out of range: %lld <= value <= %lld\n",
			prog, opt, arg, min, max);
	else
		fprintf(stderr, "%s: invalid argument for %s: '%s'\n", prog, opt, arg);
	return -1;
}

static int duration(const char *prog, const char *opt, const char *arg, nsec_t min, nsec_t max,
		    nsec_t *out)
{
	if (cli_duration(arg, min, max, out) == CLI_OK)
		return 0;
	fprintf(stderr, "%s: invalid argument for %s: '%s' (seconds, %.3f to %.0f)\n", prog, opt, arg,
		(double)min / NS_PER_S, (double)max / NS_PER_S);
	return -1;
}

/* 1: printed help/version (exit 0); 0: run; -1: usage error (exit 2). */
int dnsq_parse_options(int argc, char **argv, struct dnsq_conf *c)
{
	const char *prog = cli_progname(argv[0]);
	*c = (struct dnsq_conf){
		.prog = prog, .qtype = DNS_T_A, .port = 53, .bufsize = DNSQ_DEF_BUFSIZE,
		.timeout = DNSQ_DEF_TIMEOUT, .retries = DNSQ_DEF_RETRIES, .family = AF_UNSPEC,
		.max_queries = DNSQ_DEF_MAX_QUERIES, .max_time = DNSQ_DEF_MAX_TIME,
	};
	const char *rev = NULL, *type = NULL;
	long long v;
	int opt;
	while ((opt = getopt_long(argc, argv, "+Tsx:f:p:46vhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'T': c->trace = true; break;
		case 's': c->short_out = true; break;
		case 'x': rev = optarg; break;
		case 'f': c->batch = optarg; break;
		case 'p':
			if (number(prog, "-p", optarg, 1, 65535, &v) < 0)
				return -1;
			c->port = (uint16_t)v;
			break;
		case '4': c->family = AF_INET; break;
		case '6': c->family = AF_INET6; break;
		case 'v': c->verbose++; break;
		case OPT_TCP: c->tcp = true; break;
		case OPT_TIMEOUT:
			if (duration(prog, "--timeout", optarg, NS_PER_MS, 60 * NS_PER_S, &c->timeout) < 0)
				return -1;
			break;
		case OPT_RETRIES:
			if (number(prog, "--retries", optarg, 0, 10, &v) < 0)
				return -1;
			c->retries = (int)v;
			break;
		case OPT_NO_EDNS: c->no_edns = true; break;
		case OPT_BUFSIZE:
			if (number(prog, "--bufsize", optarg, 512, 65535, &v) < 0)
				return -1;
			c->bufsize = (uint16_t)v;
			break;
		case OPT_DNSSEC: c->dnssec = true; break;
		case OPT_JSON: c->json = true; break;
		case OPT_PCAP: c->pcap_path = optarg; break;
		case OPT_ALL: c->all_servers = true; break;
		case OPT_MAXQ:
			if (number(prog, "--max-queries", optarg, 1, 100000, &v) < 0)
				return -1;
			c->max_queries = (int)v;
			c->max_queries_set = true;
			break;
		case OPT_MAXT:
			if (duration(prog, "--max-time", optarg, NS_PER_MS, 3600 * NS_PER_S, &c->max_time) < 0)
				return -1;
			c->max_time_set = true;
			break;
		case OPT_HINTS: c->root_hints = optarg; break;
		case 'h': dnsq_usage(stdout, prog); return 1;
		case 'V': cli_version("dnsq"); return 1;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
			return -1;
		}
	}
	for (int i = optind; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '@') {
			if (addr_parse(&c->server, a + 1, c->family) < 0)
				return usage_error(prog, "@SERVER must be an IPv4 or IPv6 address "
						   "(dnsq never asks the system resolver)", a + 1);
			c->has_server = true;
		} else if (!c->name && !rev) {
			c->name = a;
		} else if (!type) {
			type = a;
		} else {
			return usage_error(prog, "unexpected argument", a);
		}
	}
	if (type && dns_type_parse(type, &c->qtype) < 0)
		return usage_error(prog, "unknown type", type);
	if (rev) {
		struct addr ra;
		if (addr_parse(&ra, rev, AF_UNSPEC) < 0)
			return usage_error(prog, "-x needs an IPv4 or IPv6 address", rev);
		c->reverse = true;
		c->name = rev;
		if (!type)
			c->qtype = DNS_T_PTR;
	}
	if (c->batch && (c->name || c->has_server))
		return usage_error(prog, "-f takes the names from the file", c->name ? c->name : "@server");
	if (!c->batch && !c->name)
		return usage_error(prog, "a name to resolve is required", NULL);
	if (c->short_out && c->json)
		return usage_error(prog, "--short and --json exclude each other", NULL);
	if (c->has_server && c->server.family && c->family && c->server.family != c->family)
		return usage_error(prog, "@SERVER does not match -4/-6", NULL);
	if (c->all_servers && c->has_server)
		return usage_error(prog, "--all-servers walks from the root; it excludes @SERVER", NULL);
	if (c->all_servers && c->short_out)
		return usage_error(prog, "--short and --all-servers exclude each other", NULL);
	return 0;
}
