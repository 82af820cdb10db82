/*
 * output — what dnsq prints: the trace (-T), the answer (dig-like by
 * default, -s short), and the JSON Lines events (--json: step, answer,
 * summary).
 *
 * Trace shape, one block per query sent (sub-walks indented two more
 * columns, all lines start with ";;" so the answer lines stay the only
 * zone-file lines on stdout):
 *
 *   ;; step 2: ns1.nic.lab. 10.53.0.2 (glue) udp: www.example.lab. A
 *   ;;   referral to example.lab. in 0.21 ms: NOERROR, flags qr, 94 bytes
 *   ;;     example.lab.	3600	IN	NS	ns1.example.lab.
 *   ;;     ns1.example.lab.	3600	IN	A	10.53.0.3	; glue
 *   ;;   ignored out-of-bailiwick A for ns1.other.lab. from ns1.nic.lab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsq.h"
#include "json.h"

const char *prov_name(enum prov p, bool remembered)
{
	static const char *const names[] = {
		[PROV_HINT] = "root hint", [PROV_GLUE] = "glue", [PROV_RESOLVED] = "resolved",
		[PROV_USER] = "command line", [PROV_ZONE] = "zone data",
	};
	static const char *const rem[] = {
		[PROV_HINT] = "root hint", [PROV_GLUE] = "remembered glue",
		[PROV_RESOLVED] = "remembered, resolved", [PROV_USER] = "command line",
		[PROV_ZONE] = "zone data",
	};
	return remembered ? rem[p] : names[p];
}

const char *outcome_name(enum outcome o)
{
	static const char *const names[] = {
		[OUT_NONE] = "none", [OUT_ANSWER] = "answer", [OUT_NXDOMAIN] = "nxdomain",
		[OUT_NODATA] = "nodata", [OUT_FAIL] = "servfail", [OUT_CNAME_LOOP] = "cname_loop",
		[OUT_CNAME_LIMIT] = "cname_limit", [OUT_REFERRAL_LIMIT] = "referral_limit",
		[OUT_QUERY_LIMIT] = "query_limit", [OUT_TIME_LIMIT] = "time_limit",
		[OUT_DEPTH_LIMIT] = "depth_limit",
	};
	return names[o];
}

static void indent(struct dnsq *q, int depth)
{
	fprintf(q->out, ";;");
	for (int i = 0; i < depth; i++)
		fprintf(q->out, "  ");
}

static void rr_line(struct dnsq *q, int depth, const struct dns_msg *m, int i, const char *tail)
{
	char *b = malloc(DNS_RR_STRLEN);
	if (!b)
		return;
	dns_rr_fmt(m, &m->rr[i], b, DNS_RR_STRLEN);
	indent(q, depth);
	fprintf(q->out, "    %s%s\n", b, tail);
	free(b);
}

static void json_rrs(struct json *j, const char *key, const struct dns_msg *m, const int *idx, int n)
{
	json_arr_open(j, key);
	char *b = malloc(DNS_RR_STRLEN);
	for (int i = 0; b && i < n; i++) {
		dns_rr_fmt(m, &m->rr[idx[i]], b, DNS_RR_STRLEN);
		json_str(j, NULL, b);
	}
	free(b);
	json_arr_close(j);
}

static void json_step(struct dnsq *q, const struct step *st)
{
	struct json j;
	char n[DNS_NAME_STRLEN], t[16], f[64];
	json_begin(&j, q->out, "step");
	json_int(&j, "step", st->n);
	json_int(&j, "depth", st->depth);
	json_str(&j, "server", dns_name_fmt(st->server, n, sizeof(n)));
	json_addr(&j, "address", st->addr);
	json_str(&j, "provenance", prov_name(st->prov, st->remembered));
	json_str(&j, "qname", dns_name_fmt(st->qname, n, sizeof(n)));
	json_str(&j, "qtype", dns_type_name(st->qtype, t, sizeof(t)));
	json_str(&j, "transport", st->tcp ? "tcp" : "udp");
	json_bool(&j, "edns", st->edns);
	json_str(&j, "classification", st->label);
	if (st->msg) {
		json_ms(&j, "rtt_ms", st->rtt);
		json_str(&j, "rcode", dns_rcode_name(st->msg->rcode, t, sizeof(t)));
		json_str(&j, "flags", dns_flags_str(st->msg->flags, f, sizeof(f)));
		json_uint(&j, "bytes", st->bytes);
	} else {
		json_null(&j, "rtt_ms");
		json_null(&j, "rcode");
	}
	if (st->cut) {
		json_str(&j, "zone", dns_name_fmt(st->cut, n, sizeof(n)));
		json_rrs(&j, "ns", st->msg, st->ns_idx, st->nns);
		json_rrs(&j, "glue", st->msg, st->glue_idx, st->nglue);
	}
	if (st->msg && st->nrec)
		json_rrs(&j, "records", st->msg, st->rec_idx, st->nrec);
	json_arr_open(&j, "ignored");
	for (int i = 0; i < st->nnotes; i++)
		json_str(&j, NULL, st->notes[i]);
	json_arr_close(&j);
	json_end(&j);
}

void out_step(struct dnsq *q, const struct step *st)
{
	const struct dnsq_conf *c = q->conf;
	if (c->json) {
		json_step(q, st);
		return;
	}
	if (!c->trace)
		return;
	char n[DNS_NAME_STRLEN], qn[DNS_NAME_STRLEN], a[ADDR_STRLEN], t[16], rc[16], f[64];
	int d = st->depth;
	indent(q, d);
	fprintf(q->out, " step %d: %s %s (%s) %s%s: %s %s\n", st->n,
		dns_name_fmt(st->server, n, sizeof(n)), addr_fmt(st->addr, a, sizeof(a)),
		prov_name(st->prov, st->remembered), st->tcp ? "tcp" : "udp",
		st->edns ? "" : " no-edns", dns_name_fmt(st->qname, qn, sizeof(qn)),
		dns_type_name(st->qtype, t, sizeof(t)));
	indent(q, d);
	if (!st->msg) {
		fprintf(q->out, "   %s after %.0f ms\n", st->label, (double)st->rtt / NS_PER_MS);
	} else {
		fprintf(q->out, "   %s", st->label);
		if (st->cut)
			fprintf(q->out, " to %s", dns_name_fmt(st->cut, n, sizeof(n)));
		fprintf(q->out, " in %.2f ms: %s, flags %s, %zu bytes\n", (double)st->rtt / NS_PER_MS,
			dns_rcode_name(st->msg->rcode, rc, sizeof(rc)),
			dns_flags_str(st->msg->flags, f, sizeof(f)), st->bytes);
	}
	for (int i = 0; i < st->nns; i++)
		rr_line(q, d, st->msg, st->ns_idx[i], "");
	for (int i = 0; i < st->nglue; i++)
		rr_line(q, d, st->msg, st->glue_idx[i], "\t; glue");
	for (int i = 0; st->msg && i < st->nrec; i++)
		rr_line(q, d, st->msg, st->rec_idx[i], "");
	for (int i = 0; i < st->nnotes; i++) {
		indent(q, d);
		fprintf(q->out, "   %s\n", st->notes[i]);
	}
	if (st->dropped_notes) {
		indent(q, d);
		fprintf(q->out, "   ... and %d more ignored\n", st->dropped_notes);
	}
	fflush(q->out);
}

void out_subwalk(struct dnsq *q, int depth, const struct dns_name *name, uint16_t type,
		 const struct dns_name *zone, bool begin, const struct frame *f)
{
	if (!q->conf->trace || q->conf->json)
		return;
	char n[DNS_NAME_STRLEN], z[DNS_NAME_STRLEN], t[16];
	indent(q, depth - 1);
	dns_name_fmt(name, n, sizeof(n));
	dns_type_name(type, t, sizeof(t));
	if (begin) {
		fprintf(q->out, "   %s is an NS of %s without glue: resolving its %s\n", n,
			dns_name_fmt(zone, z, sizeof(z)), t);
		return;
	}
	fprintf(q->out, "   %s %s:", n, t);
	int found = 0;
	for (int i = 0; i < f->nans; i++)
		if (f->ans[i].type == type) {
			fprintf(q->out, " %s", f->ans[i].rdata);
			found++;
		}
	if (found)
		fprintf(q->out, " (resolved)\n");
	else
		fprintf(q->out, " none (%s%s%s)\n", outcome_name(f->outcome), f->why[0] ? ": " : "", f->why);
}

void out_start_cut(struct dnsq *q, const struct frame *f)
{
	if (!q->conf->trace || q->conf->json)
		return;
	char z[DNS_NAME_STRLEN], n[DNS_NAME_STRLEN];
	if (f->links) {
		indent(q, f->depth);
		fprintf(q->out, " following the CNAME to %s from zone %s%s\n",
			dns_name_fmt(&f->qname, n, sizeof(n)), dns_name_fmt(&f->dp.zone, z, sizeof(z)),
			f->dp.remembered ? " (remembered)" : "");
	} else if (f->dp.remembered) {
		indent(q, f->depth);
		fprintf(q->out, " starting at %s, remembered from an earlier name\n",
			dns_name_fmt(&f->dp.zone, z, sizeof(z)));
	}
}

static const char *failure_text(const struct frame *f, char *buf, size_t len)
{
	switch (f->outcome) {
	case OUT_QUERY_LIMIT:
		snprintf(buf, len, "query budget exhausted");
		break;
	case OUT_TIME_LIMIT:
		snprintf(buf, len, "time budget exhausted");
		break;
	case OUT_CNAME_LOOP: case OUT_CNAME_LIMIT: case OUT_REFERRAL_LIMIT: case OUT_DEPTH_LIMIT:
		snprintf(buf, len, "%s", f->why);
		break;
	default:
		snprintf(buf, len, "every server failed%s%s%s", f->why[0] ? " (last: " : "", f->why,
			 f->why[0] ? ")" : "");
		break;
	}
	return buf;
}

void out_result(struct dnsq *q, const struct frame *f)
{
	const struct dnsq_conf *c = q->conf;
	char n[DNS_NAME_STRLEN], t[16], why[DNSQ_NOTE_LEN + 64];
	dns_name_fmt(&f->qname0, n, sizeof(n));
	dns_type_name(f->qtype, t, sizeof(t));
	bool ok = f->outcome == OUT_ANSWER || f->outcome == OUT_NXDOMAIN || f->outcome == OUT_NODATA;
	if (!ok)
		failure_text(f, why, sizeof(why));
	if (c->json) {
		struct json j;
		for (int i = 0; i < f->nans; i++) {
			json_begin(&j, q->out, "answer");
			json_str(&j, "name", f->ans[i].owner);
			json_uint(&j, "ttl", f->ans[i].ttl);
			json_str(&j, "class", "IN");
			json_str(&j, "rrtype", dns_type_name(f->ans[i].type, t, sizeof(t)));
			json_str(&j, "data", f->ans[i].rdata);
			json_end(&j);
		}
		json_begin(&j, q->out, "summary");
		json_str(&j, "qname", n);
		json_str(&j, "qtype", dns_type_name(f->qtype, t, sizeof(t)));
		json_str(&j, "outcome", outcome_name(f->outcome));
		json_str(&j, "rcode", ok ? dns_rcode_name(f->rcode, t, sizeof(t)) : "SERVFAIL");
		json_int(&j, "answers", f->outcome == OUT_ANSWER ? f->nans : 0);
		json_int(&j, "queries", q->queries);
		json_ms(&j, "time_ms", clock_mono() - q->started);
		json_int(&j, "ignored_packets", q->ignored_total);
		if (q->all)
			allsrv_json_summary(q, &j);
		if (ok)
			json_null(&j, "error");
		else
			json_str(&j, "error", why);
		json_end(&j);
		return;
	}
	if (!ok) {
		fflush(q->out);
		fprintf(stderr, "%s: %s %s: %s\n", c->prog, n, t, why);
		return;
	}
	if (c->trace)
		fprintf(q->out, "\n");
	if (!c->short_out) {
		if (f->outcome == OUT_NXDOMAIN)
			fprintf(q->out, ";; NXDOMAIN: %s does not exist\n",
				dns_name_fmt(&f->qname, n, sizeof(n)));
		else if (f->outcome == OUT_NODATA)
			fprintf(q->out, ";; NODATA: %s has no %s records\n",
				dns_name_fmt(&f->qname, n, sizeof(n)), t);
	}
	for (int i = 0; i < f->nans; i++) {
		const struct answer *a = &f->ans[i];
		if (c->short_out) {
			if (f->outcome == OUT_ANSWER)
				fprintf(q->out, "%s\n", a->rdata);
		} else {
			fprintf(q->out, "%s\t%u\tIN\t%s\t%s\n", a->owner, a->ttl,
				dns_type_name(a->type, t, sizeof(t)), a->rdata);
		}
	}
	if (c->trace)
		fprintf(q->out, ";; %d queries, %.1f ms\n", q->queries,
			(double)(clock_mono() - q->started) / NS_PER_MS);
	fflush(q->out);
}
