/*
 * dnsq — resolve a name by walking down from the root, and show the walk.
 *
 * The order of a main (ARCHITECTURE.md): parse options, drop every
 * capability (dnsq needs none: UDP and TCP sockets on ephemeral ports, one
 * fresh socket per query, opened later by transport.c), load the root
 * hints, run the loop, exit 0/1/2.  It never reads /etc/resolv.conf and
 * never calls getaddrinfo: names and the @SERVER address are handled by
 * dnsq's own code.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dnsq.h"
#include "priv.h"

static int exit_code(enum outcome o)
{
	switch (o) {
	case OUT_ANSWER: return 0;
	case OUT_NXDOMAIN: case OUT_NODATA: return 1;
	default: return 2;
	}
}

static int to_name(const struct dnsq_conf *c, const char *text, bool reverse, struct dns_name *n)
{
	enum dns_err e;
	if (reverse) {
		struct addr a;
		if (addr_parse(&a, text, AF_UNSPEC) < 0)
			e = DNS_E_TEXT;
		else
			e = dns_name_reverse(a.family == AF_INET ? 4 : 6, a.bytes, n);
	} else {
		e = dns_name_from_text(text, n);
	}
	if (e == DNS_OK)
		return 0;
	fprintf(stderr, "%s: '%s': %s\n", c->prog, text, dns_strerror(e));
	return -1;
}

static void next_name(void *arg);

static void on_finished(struct dnsq *q, const struct frame *f)
{
	if (allsrv_pending(q)) {   /* --all-servers: the report first; it calls back */
		allsrv_start(q, f);
		return;
	}
	out_result(q, f);
	int code = exit_code(f->outcome);
	/* --all-servers: 0/1 only when every server agreed and answered */
	if (q->all && (allsrv_disagreements(q) || !allsrv_complete(q)))
		code = 2;
	if (code > q->worst)
		q->worst = code;
	if (q->batch)   /* from the loop, not from inside this walk */
		loop_timer(q->loop, 0, next_name, q);
	else
		loop_exit(q->loop, 0);
}

/* The next "name [type]" line of a -f batch. */
static void next_name(void *arg)
{
	struct dnsq *q = arg;
	char line[1200];
	while (q->batch_lines < DNSQ_MAX_BATCH && fgets(line, sizeof(line), q->batch)) {
		q->batch_lines++;
		char *name = strtok(line, " \t\r\n"), *type = strtok(NULL, " \t\r\n");
		if (!name || name[0] == '#' || name[0] == ';')
			continue;
		uint16_t qtype = q->conf->qtype;
		struct dns_name n;
		if (type && dns_type_parse(type, &qtype) < 0) {
			fprintf(stderr, "%s: %s:%d: unknown type '%s'\n", q->conf->prog, q->conf->batch,
				q->batch_lines, type);
			q->worst = 2;
			continue;
		}
		if (to_name(q->conf, name, false, &n) < 0) {
			q->worst = 2;
			continue;
		}
		if (q->conf->trace && !q->conf->json)
			fprintf(q->out, "%s;; %s %s\n", q->gen ? "\n" : "", name, type ? type : "");
		resolve_start(q, &n, qtype);
		return;
	}
	loop_exit(q->loop, 0);
}

static void on_signal(void *arg, int signo)
{
	struct dnsq *q = arg;
	(void)signo;
	fprintf(stderr, "%s: interrupted\n", q->conf->prog);
	q->worst = 2;
	loop_exit(q->loop, 0);
}

static int setup_output(struct dnsq *q)
{
	const struct dnsq_conf *c = q->conf;
	q->out = stdout;
	if (c->verbose) {
		q->dec = decode_for(c->verbose, c->json);
		q->dec.app = show_dns;
	}
	return pcap_start(&q->pcap, c->prog, c->pcap_path, PCAP_LINKTYPE_RAW);
}

int main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	if (priv_init(prog, NULL, 0) < 0)
		return 2;
	struct dnsq_conf conf;
	int rc = dnsq_parse_options(argc, argv, &conf);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (priv_drop() < 0) {
		fprintf(stderr, "%s: cannot drop capabilities: %s\n", prog, strerror(errno));
		return 2;
	}
	struct dnsq q = { .conf = &conf, .x = { .fd = -1 }, .finished = on_finished, .worst = 2 };
	q.loop = loop_new();
	q.cache = zonecut_new();
	q.frames = calloc(DNSQ_MAX_DEPTH + 1, sizeof(*q.frames));
	q.x.rx = malloc(DNS_MSG_MAX + 2);
	if (conf.all_servers)
		q.all = allsrv_new();
	if (!q.loop || !q.cache || !q.frames || !q.x.rx || (conf.all_servers && !q.all)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	if (setup_output(&q) < 0)
		goto out;
	if (!conf.has_server && hints_load(&q, conf.root_hints) < 0)
		goto out;
	if (loop_signal(q.loop, SIGINT, on_signal, &q) < 0 ||
	    loop_signal(q.loop, SIGTERM, on_signal, &q) < 0) {
		fprintf(stderr, "%s: signalfd: %s\n", prog, strerror(errno));
		goto out;
	}
	struct dns_name name;
	if (conf.batch) {
		q.batch = strcmp(conf.batch, "-") == 0 ? stdin : fopen(conf.batch, "r");
		if (!q.batch) {
			fprintf(stderr, "%s: %s: %s\n", prog, conf.batch, strerror(errno));
			goto out;
		}
		q.worst = 0;
		next_name(&q);
	} else {
		if (to_name(&conf, conf.name, conf.reverse, &name) < 0)
			goto out;
		q.worst = 0;
		if (conf.has_server)
			direct_start(&q, &name, conf.qtype);
		else
			resolve_start(&q, &name, conf.qtype);
	}
	if (loop_run(q.loop) < 0) {
		fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
		q.worst = 2;
	}
out:
	if (q.loop)
		transport_cancel(&q);
	pcap_close(&q.pcap);
	if (q.batch && q.batch != stdin)
		fclose(q.batch);
	for (int i = 0; q.frames && i <= DNSQ_MAX_DEPTH; i++)
		for (int k = 0; k < q.frames[i].nans; k++)
			free(q.frames[i].ans[k].rdata);
	free(q.frames);
	free(q.x.rx);
	zonecut_free(q.cache);
	allsrv_free(q.all);
	if (q.loop)
		loop_free(q.loop);
	return q.worst;
}
