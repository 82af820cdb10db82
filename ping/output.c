/*
 * output — what ping prints: iputils' lines to the character, or JSON
 * Lines with --json.
 *
 * Reply lines, the statistics block and the SIGQUIT status line follow
 * iputils 20221126 (ping_common.c gather_statistics/finish/status); the
 * arithmetic behind the numbers is common/stats.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "icmp.h"
#include "json.h"
#include "ping.h"

/* -D: wall-clock time the line was printed, as iputils does. */
static void print_timestamp(struct ping *p)
{
	if (!p->conf->print_time)
		return;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	fprintf(p->out, "[%lu.%06lu] ", (unsigned long)tv.tv_sec, (unsigned long)tv.tv_usec);
}

/* Flood mode draws with raw writes so the dots and backspaces are not
 * held back by stdio buffering. */
static void flood_write(struct ping *p, const char *s)
{
	fflush(p->out);
	ssize_t rc = write(fileno(p->out), s, strlen(s));
	(void)rc;
}

const char *out_name(struct ping_target *t, const struct addr *a, char *buf, size_t len)
{
	return addr_names_fmt(&t->names, a, t->numeric, buf, len);
}

static void json_target(struct json *j, const struct ping_target *t)
{
	json_str(j, "host", t->name);
	json_addr(j, "dst", &t->addr);
}

void out_header(struct ping *p, struct ping_target *t)
{
	const struct ping_conf *c = p->conf;
	char num[ADDR_STRLEN];
	addr_fmt(&t->addr, num, sizeof(num));
	if (c->json) {
		struct json j;
		json_begin(&j, p->out, "start");
		json_target(&j, t);
		json_str(&j, "family", t->fam->name);
		json_str(&j, "socket", t->raw ? "raw" : "ping");
		json_uint(&j, "data_bytes", c->datalen);
		json_end(&j);
		return;
	}
	if (t->fam->family == AF_INET) {
		fprintf(p->out, "PING %s (%s) ", t->canon, num);
	} else {
		char name[512];
		fprintf(p->out, "PING %s(%s) ", t->canon, out_name(t, &t->addr, name, sizeof(name)));
	}
	if (c->iface || addr_is_set(&c->source)) {
		char src[ADDR_STRLEN];
		fprintf(p->out, "from %s %s: ", addr_fmt(&t->local, src, sizeof(src)), c->iface ? c->iface : "");
	}
	if (t->fam->family == AF_INET)
		fprintf(p->out, "%zu(%zu) bytes of data.\n", c->datalen, c->datalen + ICMP_HDR_LEN + 20);
	else
		fprintf(p->out, "%zu data bytes\n", c->datalen);
	fflush(p->out);
}

void out_pattern(struct ping *p)
{
	const struct ping_conf *c = p->conf;
	if (!c->pattern_len || c->quiet || c->json)
		return;
	fprintf(p->out, "PATTERN: 0x");
	for (size_t i = 0; i < c->pattern_len; i++)
		fprintf(p->out, "%02x", c->pattern[i]);
	fprintf(p->out, "\n");
}

/* iputils prints the first differing byte and then the whole payload
 * (after the timestamp) 32 bytes to a line. */
static void wrong_data(struct ping *p, const uint8_t *data, size_t len)
{
	const struct ping_conf *c = p->conf;
	size_t start = c->datalen >= PING_TV_LEN ? PING_TV_LEN : 0;
	size_t end = len < c->datalen ? len : c->datalen;
	for (size_t i = start; i < end; i++) {
		uint8_t want = ping_fill_byte(c, i);
		if (data[i] == want)
			continue;
		fprintf(p->out, "\nwrong data byte #%zu should be 0x%x but was 0x%x", i, want, data[i]);
		for (size_t k = start; k < end; k++) {
			if (k % 32 == start)
				fprintf(p->out, "\n#%zu\t", k);
			fprintf(p->out, "%x ", data[k]);
		}
		return;
	}
}

void out_reply(struct ping *p, struct ping_target *t, const struct ping_reply *r)
{
	const struct ping_conf *c = p->conf;
	if (c->json) {
		struct json j;
		json_begin(&j, p->out, "reply");
		json_target(&j, t);
		json_addr(&j, "from", r->from);
		json_uint(&j, "seq", r->seq);
		if (r->ttl >= 0)
			json_int(&j, "ttl", r->ttl);
		else
			json_null(&j, "ttl");
		json_uint(&j, "bytes", r->bytes);
		json_double(&j, "rtt_ms", (double)r->rtt_us / 1000.0);
		json_bool(&j, "dup", r->dup);
		if (r->different_addr)
			json_bool(&j, "different_address", true);
		if (r->truncated)
			json_bool(&j, "truncated", true);
		if (r->bad_cksum)
			json_bool(&j, "bad_checksum", true);
		json_end(&j);
		return;
	}
	if (c->quiet)
		return;
	if (c->flood) {
		flood_write(p, r->bad_cksum ? "\bC" : "\b \b");
		return;
	}
	char name[512], ms[32];
	print_timestamp(p);
	fprintf(p->out, "%zu bytes from %s: icmp_seq=%u", r->bytes,
		out_name(t, r->from, name, sizeof(name)), r->seq);
	if (r->ttl >= 0)
		fprintf(p->out, " ttl=%d", r->ttl);
	if (r->truncated) {
		fprintf(p->out, " (truncated)\n");
		fflush(p->out);
		return;
	}
	/* iputils shows no time when the payload cannot hold its timeval;
	 * we keep the send time ourselves, but print what it prints. */
	if (c->datalen >= PING_TV_LEN)
		fprintf(p->out, " time=%s ms", stats_fmt_ms(r->rtt_us, ms, sizeof(ms)));
	if (r->dup)
		fprintf(p->out, " (DUP!)");
	if (r->bad_cksum)
		fprintf(p->out, " (BAD CHECKSUM!)");
	if (r->different_addr)
		fprintf(p->out, " (DIFFERENT ADDRESS!)");
	if (!r->dup && !r->bad_cksum)
		wrong_data(p, r->payload, r->payload_len);
	fprintf(p->out, "\n");
	fflush(p->out);
}

void out_icmp_error(struct ping *p, struct ping_target *t, const struct addr *from, uint16_t seq,
		    uint8_t type, uint8_t code, uint32_t info, bool counted)
{
	const struct ping_conf *c = p->conf;
	struct icmp_msg m = { .fam = t->fam, .type = type, .code = code, .info = info };
	char msg[128];
	icmp_describe(&m, msg, sizeof(msg));
	if (c->json) {
		struct json j;
		json_begin(&j, p->out, "icmp_error");
		json_target(&j, t);
		json_addr(&j, "from", from);
		json_uint(&j, "seq", seq);
		json_uint(&j, "icmp_type", type);
		json_uint(&j, "icmp_code", code);
		json_str(&j, "message", msg);
		if (icmp_mtu(&m))
			json_uint(&j, "mtu", icmp_mtu(&m));
		if (!counted)
			json_bool(&j, "advisory", true);
		json_end(&j);
		return;
	}
	if (c->quiet)
		return;
	if (c->flood) {
		if (counted)
			flood_write(p, "\bE");
		return;
	}
	char name[512];
	print_timestamp(p);
	fprintf(p->out, "From %s%s icmp_seq=%u %s\n", out_name(t, from, name, sizeof(name)),
		counted ? "" : ":", seq, msg);
	fflush(p->out);
}

void out_local_error(struct ping *p, struct ping_target *t, const char *what, int err, uint32_t mtu)
{
	const struct ping_conf *c = p->conf;
	char msg[160];
	/* iputils' wording differs by family: "mtu=1300" / "mtu: 1500". */
	if (err == EMSGSIZE && mtu)
		snprintf(msg, sizeof(msg), "message too long, mtu%s%u",
			 t->fam->family == AF_INET ? "=" : ": ", mtu);
	else
		snprintf(msg, sizeof(msg), "%s", strerror(err));
	if (c->json) {
		struct json j;
		json_begin(&j, p->out, "local_error");
		json_target(&j, t);
		json_str(&j, "message", msg);
		if (mtu)
			json_uint(&j, "mtu", mtu);
		json_end(&j);
		return;
	}
	if (c->quiet)
		return;
	if (c->flood) {
		flood_write(p, "E");
		return;
	}
	fflush(p->out);
	fprintf(stderr, "%s: %s: %s\n", c->prog, what, msg);
}

void out_no_answer(struct ping *p, struct ping_target *t, uint16_t seq)
{
	if (p->conf->json) {
		struct json j;
		json_begin(&j, p->out, "no_answer");
		json_target(&j, t);
		json_uint(&j, "seq", seq);
		json_end(&j);
		return;
	}
	if (p->conf->quiet)
		return;
	print_timestamp(p);
	fprintf(p->out, "no answer yet for icmp_seq=%u\n", seq);
	fflush(p->out);
}

void out_flood_sent(struct ping *p)
{
	flood_write(p, ".");
}

static long long run_time_ms(const struct ping_target *t)
{
	if (t->ntransmitted < 1)
		return 0;
	return (t->last_tx - t->first_tx + NS_PER_MS / 2) / NS_PER_MS;
}

static void summary_json(struct ping *p, struct ping_target *t)
{
	struct stats_summary s;
	bool have = stats_summarize(&t->rtt, &s);
	struct json j;
	json_begin(&j, p->out, "summary");
	json_target(&j, t);
	json_int(&j, "transmitted", t->ntransmitted);
	json_int(&j, "received", t->nreceived);
	json_int(&j, "duplicates", t->nrepeats);
	json_int(&j, "errors", t->nerrors);
	json_int(&j, "corrupted", t->ncorrupted);
	json_int(&j, "ignored", t->nignored);
	json_double(&j, "loss_pct", stats_loss_pct(t->ntransmitted, t->nreceived));
	json_int(&j, "time_ms", run_time_ms(t));
	if (have) {
		json_double(&j, "rtt_min_ms", (double)s.min / 1000.0);
		json_double(&j, "rtt_avg_ms", (double)s.avg / 1000.0);
		json_double(&j, "rtt_max_ms", (double)s.max / 1000.0);
		json_double(&j, "rtt_mdev_ms", (double)s.mdev / 1000.0);
		json_double(&j, "rtt_p50_ms", s.p50);
		json_double(&j, "rtt_p90_ms", s.p90);
		json_double(&j, "rtt_p99_ms", s.p99);
		json_double(&j, "jitter_ms", s.jitter);
	} else {
		static const char *const keys[] = { "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms",
			"rtt_mdev_ms", "rtt_p50_ms", "rtt_p90_ms", "rtt_p99_ms", "jitter_ms" };
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			json_null(&j, keys[i]);
	}
	json_int(&j, "pipe", t->pipesize);
	json_end(&j);
}

void out_summary(struct ping *p, struct ping_target *t)
{
	const struct ping_conf *c = p->conf;
	if (c->json) {
		summary_json(p, t);
		return;
	}
	FILE *f = p->out;
	fprintf(f, "\n--- %s ping statistics ---\n", t->footer_name);
	fprintf(f, "%lld packets transmitted, %lld received", t->ntransmitted, t->nreceived);
	if (t->nrepeats)
		fprintf(f, ", +%lld duplicates", t->nrepeats);
	if (t->ncorrupted)
		fprintf(f, ", +%lld corrupted", t->ncorrupted);
	if (t->nerrors)
		fprintf(f, ", +%lld errors", t->nerrors);
	if (t->ntransmitted)
		/* iputils prints the loss as a float with %g. */
		fprintf(f, ", %g%% packet loss, time %lldms",
			(double)(float)stats_loss_pct(t->ntransmitted, t->nreceived), run_time_ms(t));
	fprintf(f, "\n");

	const char *comma = "";
	struct stats_summary s;
	if (t->nreceived && c->datalen >= PING_TV_LEN && stats_summarize(&t->rtt, &s)) {
		char rtt[128];
		fprintf(f, "rtt min/avg/max/mdev = %s ms", stats_fmt_rtt(&s, rtt, sizeof(rtt)));
		comma = ", ";
	}
	if (t->pipesize > 1) {
		fprintf(f, "%spipe %lld", comma, t->pipesize);
		comma = ", ";
	}
	if (t->nreceived && (c->interval == 0 || c->flood) && t->ntransmitted > 1) {
		long long ipg = (t->last_tx - t->first_tx) / NS_PER_US / (t->ntransmitted - 1);
		long long ewma = t->ewma8 / 8;
		fprintf(f, "%sipg/ewma %lld.%03lld/%lld.%03lld ms", comma, ipg / 1000, ipg % 1000,
			ewma / 1000, ewma % 1000);
	}
	fprintf(f, "\n");
	fflush(f);
}

void out_status(struct ping_target *t)
{
	long long loss = t->ntransmitted ? (t->ntransmitted - t->nreceived) * 100 / t->ntransmitted : 0;
	/* With several destinations, say whose line it is. */
	fprintf(stderr, "\r");
	if (t->run->ntargets > 1)
		fprintf(stderr, "%s: ", t->footer_name);
	fprintf(stderr, "%lld/%lld packets, %lld%% loss", t->nreceived, t->ntransmitted, loss);
	struct stats_summary s;
	if (t->nreceived && t->run->conf->datalen >= PING_TV_LEN && stats_summarize(&t->rtt, &s)) {
		long long ewma = t->ewma8 / 8;
		fprintf(stderr, ", min/avg/ewma/max = %lld.%03lld/%lld.%03lld/%lld.%03lld/%lld.%03lld ms",
			s.min / 1000, s.min % 1000, s.avg / 1000, s.avg % 1000, ewma / 1000, ewma % 1000,
			s.max / 1000, s.max % 1000);
	}
	fprintf(stderr, "\n");
}
