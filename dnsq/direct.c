/*
 * direct — @SERVER: one non-recursive query to one server, printed as
 * `dig @server +norec` prints it (SPEC).  TC=1 is retried over TCP, and
 * FORMERR to an EDNS query once without EDNS (as dig does); a timeout is
 * retried --retries times with the timeout doubled.  Exit 0 for an
 * answer or a referral, 1 for NXDOMAIN/NODATA, 2 for REFUSED, SERVFAIL,
 * FORMERR or no reply.  The state (attempt, transport) lives in frame 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsq.h"
#include "json.h"

static void send_one(struct dnsq *q)
{
	const struct dnsq_conf *c = q->conf;
	struct frame *f = &q->frames[0];
	nsec_t timeout = c->timeout << (f->attempt < 8 ? f->attempt : 8);
	q->queries++;
	if (transport_send(q, &c->server, c->port, &f->qname, f->qtype, f->use_tcp, f->use_edns,
			   false, timeout) < 0) {
		char a[ADDR_STRLEN];
		fprintf(stderr, "%s: %s: %s\n", c->prog, addr_fmt(&c->server, a, sizeof(a)),
			strerror(q->x.err));
		q->worst = 2;
		loop_exit(q->loop, 0);
	}
}

void direct_start(struct dnsq *q, const struct dns_name *name, uint16_t qtype)
{
	struct frame *f = &q->frames[0];
	memset(f, 0, sizeof(*f));
	f->qname0 = f->qname = *name;
	f->qtype = qtype;
	f->use_tcp = q->conf->tcp;
	f->use_edns = !q->conf->no_edns;
	q->started = clock_mono();
	q->nframes = 1;
	send_one(q);
}

/* 0 answer or referral, 1 NXDOMAIN / NODATA, 2 an error rcode. */
static int verdict(const struct dns_msg *m)
{
	if (m->rcode == DNS_R_NXDOMAIN)
		return 1;
	if (m->rcode != DNS_R_NOERROR)
		return 2;
	if (m->n_an)
		return 0;
	for (size_t i = 0; i < m->nrr; i++)
		if (m->rr[i].section == 2 && m->rr[i].type == DNS_T_NS)
			return 0;
	return 1;
}

static void json_section(struct json *j, const char *key, const struct dns_msg *m, int s)
{
	char *b = malloc(DNS_RR_STRLEN);
	json_arr_open(j, key);
	for (size_t i = 0; b && i < m->nrr; i++)
		if (m->rr[i].section == s) {
			dns_rr_fmt(m, &m->rr[i], b, DNS_RR_STRLEN);
			json_str(j, NULL, b);
		}
	json_arr_close(j);
	free(b);
}

static void report(struct dnsq *q, const struct dns_msg *m, int code, const char *err)
{
	const struct dnsq_conf *c = q->conf;
	struct frame *f = &q->frames[0];
	char n[DNS_NAME_STRLEN], t[16], fl[64];
	if (c->json) {
		struct json j;
		if (m) {
			json_begin(&j, q->out, "response");
			json_addr(&j, "server", &c->server);
			json_str(&j, "transport", q->x.tcp ? "tcp" : "udp");
			json_ms(&j, "rtt_ms", q->x.rtt);
			json_str(&j, "rcode", dns_rcode_name(m->rcode, t, sizeof(t)));
			json_str(&j, "flags", dns_flags_str(m->flags, fl, sizeof(fl)));
			json_uint(&j, "bytes", q->x.msglen);
			json_section(&j, "answer", m, 1);
			json_section(&j, "authority", m, 2);
			json_section(&j, "additional", m, 3);
			json_end(&j);
		}
		json_begin(&j, q->out, "summary");
		json_str(&j, "qname", dns_name_fmt(&f->qname, n, sizeof(n)));
		json_str(&j, "qtype", dns_type_name(f->qtype, t, sizeof(t)));
		json_str(&j, "rcode", m ? dns_rcode_name(m->rcode, t, sizeof(t)) : NULL);
		json_int(&j, "queries", q->queries);
		json_ms(&j, "time_ms", clock_mono() - q->started);
		json_int(&j, "exit", code);
		json_str(&j, "error", err);
		json_end(&j);
	} else if (m && c->short_out) {
		char *b = malloc(DNS_RR_STRLEN);
		for (size_t i = 0; b && i < m->n_an; i++) {
			dns_rdata_fmt(m, &m->rr[i], b, DNS_RR_STRLEN);
			fprintf(q->out, "%s\n", b);
		}
		free(b);
	} else if (m) {
		out_direct(q, m, q->x.msglen, q->x.rtt);
	}
	if (err && !c->json) {
		char a[ADDR_STRLEN];
		fprintf(stderr, "%s: %s: %s\n", c->prog, addr_fmt(&c->server, a, sizeof(a)), err);
	}
	q->worst = code;
	loop_exit(q->loop, 0);
}

void direct_on_transport(struct dnsq *q, enum tx_status st)
{
	const struct dnsq_conf *c = q->conf;
	struct frame *f = &q->frames[0];
	if (st == TX_TIMEOUT && f->attempt < c->retries) {
		f->attempt++;
		send_one(q);
		return;
	}
	if (st != TX_REPLY) {
		char why[128];
		snprintf(why, sizeof(why), "%s",
			 st == TX_TIMEOUT ? "connection timed out; no servers could be reached"
					  : strerror(q->x.err));
		report(q, NULL, 2, why);
		return;
	}
	struct dns_msg *m = &q->x.msg;
	if ((m->flags & DNS_F_TC) && !f->use_tcp) {
		dns_msg_free(m);
		f->use_tcp = true;
		send_one(q);
		return;
	}
	if (m->rcode == DNS_R_FORMERR && f->use_edns) {
		dns_msg_free(m);
		f->use_edns = false;
		send_one(q);
		return;
	}
	report(q, m, verdict(m), NULL);
	dns_msg_free(m);
}
