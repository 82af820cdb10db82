/*
 * resolve — the iterative walk (RFC 1034 5.3.3) as an explicit state
 * machine, after unbound's iterator: an enum of states, one handler per
 * state returning "go on" or "wait for an event", one next_state() that
 * logs the transition, and a small driver loop.
 *
 * A frame resolves one name.  When every server of the zone cut we need
 * has no known address (NS names without glue), the frame pushes a new
 * frame above itself for one NS name (A, then AAAA) and waits in
 * RS_TARGET; the child walks from the closest known cut on its own (the
 * "sub-trace"), and when it is done its addresses are handed down and the
 * parent selects again.  Only one query is in flight at a time.
 *
 * Bounds (dnsq.h): CNAME links and loops per frame, referrals per frame,
 * frame depth, queries and wall time per top-level name.  Reaching one
 * ends the name with that outcome (exit 2), never a hang.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsq.h"

/* Driver passes per event: each pass either sends, changes frame or
 * finishes; far more than 128 queries' worth of work. */
#define RESOLVE_MAX_PASSES 100000

const char *resolve_state_name(enum rstate s)
{
	static const char *const names[RS_STATES] = {
		[RS_INIT] = "INIT", [RS_SELECT] = "SELECT", [RS_WAIT] = "WAIT",
		[RS_RESPONSE] = "RESPONSE", [RS_TARGET] = "TARGET", [RS_DONE] = "DONE",
	};
	return names[s];
}

static void next_state(struct dnsq *q, struct frame *f, enum rstate s)
{
	if (q->conf->verbose >= 2) {
		char n[DNS_NAME_STRLEN];
		fprintf(q->dec.out, ";; [%d] %s: %s -> %s\n", f->depth,
			dns_name_fmt(&f->qname, n, sizeof(n)), resolve_state_name(f->state),
			resolve_state_name(s));
	}
	f->state = s;
}

static void frame_init(struct frame *f, const struct dns_name *name, uint16_t qtype, int depth)
{
	for (int i = 0; i < f->nans; i++)
		free(f->ans[i].rdata);
	memset(f, 0, sizeof(*f));
	f->qname0 = f->qname = *name;
	f->qtype = qtype;
	f->depth = depth;
	f->cur_ns = f->cur_addr = -1;
	f->chain[0] = *name;
	f->links = 0;
}

static void done(struct dnsq *q, struct frame *f, enum outcome o)
{
	f->outcome = o;
	next_state(q, f, RS_DONE);
}

static void fail_all(struct dnsq *q, enum outcome o)
{
	q->aborted = true;
	q->abort_why = o;
	transport_cancel(q);
	q->nframes = 1;
	done(q, &q->frames[0], o);
}

static void keep(struct dnsq *q, struct frame *f, const struct dns_msg *m, int i)
{
	(void)q;
	if (f->nans == DNSQ_MAX_ANSWERS)
		return;
	struct answer *a = &f->ans[f->nans];
	const struct dns_rr *rr = &m->rr[i];
	char *buf = malloc(DNS_RR_STRLEN);
	if (!buf)
		return;
	dns_rdata_fmt(m, rr, buf, DNS_RR_STRLEN);
	a->rdata = realloc(buf, strlen(buf) + 1);
	if (!a->rdata)
		a->rdata = buf;
	dns_name_fmt(&rr->name, a->owner, sizeof(a->owner));
	a->ttl = rr->ttl;
	a->type = rr->type;
	if (rr->type == DNS_T_A || rr->type == DNS_T_AAAA)
		memcpy(a->addr, m->raw + rr->rdoff, rr->rdlen);
	f->nans++;
}

static int send_query(struct dnsq *q, struct frame *f);
static void on_budget(void *arg);

/* RS_INIT: start at the closest zone cut we know for the name. */
static bool do_init(struct dnsq *q, struct frame *f)
{
	zonecut_find(q->cache, &f->qname, q->gen, &f->dp);
	if (f->dp.nns == 0) {
		snprintf(f->why, sizeof(f->why), "no servers known for %s", ".");
		done(q, f, OUT_FAIL);
		return true;
	}
	out_start_cut(q, f);
	next_state(q, f, RS_SELECT);
	return true;
}

/* Is a frame below already resolving this name (any type)?  Then asking
 * again would walk in a circle (a.zone1 NS b.zone2, b.zone2 NS a.zone1). */
static bool resolving(const struct dnsq *q, const struct dns_name *n)
{
	for (int i = 0; i < q->nframes; i++)
		if (dns_name_eq(&q->frames[i].qname0, n))
			return true;
	return false;
}

/* Push a walk for a glueless NS name; false when none can be started. */
static bool start_target(struct dnsq *q, struct frame *f)
{
	const struct dnsq_conf *c = q->conf;
	for (int i = 0; i < f->dp.nns; i++) {
		struct dp_server *s = &f->dp.ns[i];
		int usable = 0;
		for (int k = 0; k < s->naddr; k++)
			usable += transport_family_ok(c, &s->a[k]);
		if (usable)
			continue;   /* it has addresses; they were all tried */
		uint16_t types[2];
		int nt = 0;
		if (c->family != AF_INET6)
			types[nt++] = DNS_T_A;
		if (c->family != AF_INET)
			types[nt++] = DNS_T_AAAA;
		for (int t = 0; t < nt; t++) {
			bool *flag = types[t] == DNS_T_A ? &s->target_a : &s->target_aaaa;
			if (*flag)
				continue;
			*flag = true;
			if (zonecut_host_is_done(q->cache, &s->name, types[t]))
				continue;
			char n[DNS_NAME_STRLEN];
			if (resolving(q, &s->name)) {
				snprintf(f->why, sizeof(f->why), "%s needs itself to be resolved",
					 dns_name_fmt(&s->name, n, sizeof(n)));
				continue;
			}
			if (q->nframes > DNSQ_MAX_DEPTH) {
				snprintf(f->why, sizeof(f->why), "NS names without glue nested deeper than %d",
					 DNSQ_MAX_DEPTH);
				continue;
			}
			struct frame *nf = &q->frames[q->nframes++];
			frame_init(nf, &s->name, types[t], f->depth + 1);
			nf->target_ns = i;
			next_state(q, f, RS_TARGET);
			out_subwalk(q, nf->depth, &s->name, types[t], &f->dp.zone, true, nf);
			return true;
		}
	}
	return false;
}

/* RS_SELECT: the next untried address of the cut, or a glueless NS walk. */
static bool do_select(struct dnsq *q, struct frame *f)
{
	if (q->aborted) {
		fail_all(q, q->abort_why);
		return true;
	}
	for (int i = 0; i < f->dp.nns; i++) {
		struct dp_server *s = &f->dp.ns[i];
		for (int k = 0; k < s->naddr; k++) {
			if (s->tried[k] || !transport_family_ok(q->conf, &s->a[k]))
				continue;
			s->tried[k] = true;
			f->cur_ns = i;
			f->cur_addr = k;
			f->attempt = 0;
			f->use_tcp = q->conf->tcp;
			f->use_edns = !q->conf->no_edns;
			return send_query(q, f) == 0 ? false : true;
		}
	}
	if (start_target(q, f))
		return true;
	char z[DNS_NAME_STRLEN];
	if (!f->why[0])
		snprintf(f->why, sizeof(f->why), "no usable server address for %s",
			 dns_name_fmt(&f->dp.zone, z, sizeof(z)));
	done(q, f, OUT_FAIL);
	return true;
}

static void fill_step(struct dnsq *q, struct frame *f, struct step *st)
{
	const struct dp_server *s = &f->dp.ns[f->cur_ns];
	memset(st, 0, sizeof(*st));
	st->n = ++q->steps;
	st->depth = f->depth;
	st->server = &s->name;
	st->addr = &s->a[f->cur_addr];
	st->prov = s->prov[f->cur_addr];
	st->remembered = s->remembered[f->cur_addr];
	st->qname = &f->qname;
	st->qtype = f->qtype;
	st->tcp = f->use_tcp;
	st->edns = f->use_edns;
	for (int i = 0; i < q->x.nnotes; i++)
		step_note(st, "%s", q->x.notes[i]);
}

static void server_failed(struct dnsq *q, struct frame *f, const char *what)
{
	char n[DNS_NAME_STRLEN], a[ADDR_STRLEN];
	const struct dp_server *s = &f->dp.ns[f->cur_ns];
	(void)q;
	snprintf(f->why, sizeof(f->why), "%s (%s): %s", dns_name_fmt(&s->name, n, sizeof(n)),
		 addr_fmt(&s->a[f->cur_addr], a, sizeof(a)), what);
}

/* Send to the current server; 0 when a query is in flight.  On failure
 * the step is shown and the frame goes back to RS_SELECT. */
static int send_query(struct dnsq *q, struct frame *f)
{
	const struct dnsq_conf *c = q->conf;
	if (q->queries >= c->max_queries) {
		fail_all(q, OUT_QUERY_LIMIT);
		return -1;
	}
	nsec_t timeout = c->timeout << (f->attempt < 8 ? f->attempt : 8);
	const struct dp_server *s = &f->dp.ns[f->cur_ns];
	q->queries++;
	if (transport_send(q, &s->a[f->cur_addr], 53, &f->qname, f->qtype, f->use_tcp,
			   f->use_edns, false, timeout) == 0) {
		next_state(q, f, RS_WAIT);
		return 0;
	}
	struct step st;
	fill_step(q, f, &st);
	char label[96];
	snprintf(label, sizeof(label), "unreachable (%s)", strerror(q->x.err));
	st.label = label;
	out_step(q, &st);
	server_failed(q, f, label);
	next_state(q, f, RS_SELECT);
	return -1;
}

static void learn_referral(struct dnsq *q, struct frame *f, const struct dns_msg *m,
			   const struct verdict *v)
{
	struct dns_name ns[DNSQ_MAX_NS];
	for (int i = 0; i < v->nns; i++)
		dns_rdata_name(m, &m->rr[v->ns[i]], &ns[i]);
	zonecut_add_zone(q->cache, &v->cut, ns, v->nns, q->gen);
	for (int i = 0; i < v->nglue; i++) {
		const struct dns_rr *rr = &m->rr[v->glue[i]];
		struct addr a;
		addr_from_bytes(&a, rr->type == DNS_T_A ? AF_INET : AF_INET6, m->raw + rr->rdoff);
		zonecut_add_addr(q->cache, &rr->name, &a, PROV_GLUE, q->gen);
	}
	zonecut_find(q->cache, &f->qname, q->gen, &f->dp);
	/* the cut just learned is not "remembered": it came from this walk */
	f->dp.remembered = false;
}

/* Record the CNAME links of this reply; false (and done) on a loop or
 * when the chain gets too long. */
static bool follow_chain(struct dnsq *q, struct frame *f, const struct dns_msg *m,
			 const struct verdict *v)
{
	for (int i = 0; i < v->nrec; i++) {
		const struct dns_rr *rr = &m->rr[v->rec[i]];
		if (rr->type != DNS_T_CNAME || f->qtype == DNS_T_CNAME)
			continue;
		struct dns_name t;
		if (dns_rdata_name(m, rr, &t) != DNS_OK)
			continue;
		for (int k = 0; k <= f->links && k <= DNSQ_MAX_CNAME; k++)
			if (dns_name_eq(&f->chain[k], &t)) {
				char n[DNS_NAME_STRLEN];
				snprintf(f->why, sizeof(f->why), "CNAME loop at %s",
					 dns_name_fmt(&t, n, sizeof(n)));
				done(q, f, OUT_CNAME_LOOP);
				return false;
			}
		if (++f->links > DNSQ_MAX_CNAME) {
			snprintf(f->why, sizeof(f->why), "more than %d CNAME links", DNSQ_MAX_CNAME);
			done(q, f, OUT_CNAME_LIMIT);
			return false;
		}
		f->chain[f->links] = t;
	}
	return true;
}

/* RS_RESPONSE: classify the reply and act on it. */
static bool do_response(struct dnsq *q, struct frame *f)
{
	struct dns_msg *m = &q->x.msg;
	struct step st;
	struct verdict v;
	fill_step(q, f, &st);
	st.msg = m;
	st.rtt = q->x.rtt;
	st.bytes = q->x.msglen;
	const struct dp_server *s = &f->dp.ns[f->cur_ns];
	if ((m->flags & DNS_F_TC) && !f->use_tcp) {
		st.label = classify_label(CL_TRUNCATED);
		out_step(q, &st);
		dns_msg_free(m);
		f->use_tcp = true;
		return send_query(q, f) != 0;
	}
	classify(m, &f->qname, f->qtype, &f->dp.zone, &s->name, q->conf->dnssec, &v, &st);
	st.label = classify_label(v.cls);
	char label[DNSQ_NOTE_LEN + 16];
	if (v.why[0] && (v.cls == CL_LAME || v.cls == CL_FORMERR)) {
		snprintf(label, sizeof(label), "%s (%s)", st.label, v.why);
		st.label = label;
	}
	st.rec_idx = v.rec;
	st.nrec = v.nrec;
	if (v.soa >= 0 && (v.cls == CL_NXDOMAIN || v.cls == CL_NODATA)) {
		v.rec[v.nrec < DNSQ_MAX_ANSWERS ? v.nrec++ : DNSQ_MAX_ANSWERS - 1] = v.soa;
		st.nrec = v.nrec;
	}
	if (v.cls == CL_REFERRAL) {
		st.cut = &v.cut;
		st.ns_idx = v.ns;
		st.nns = v.nns;
		st.glue_idx = v.glue;
		st.nglue = v.nglue;
	}
	out_step(q, &st);
	bool cont = true;
	switch (v.cls) {
	case CL_ANSWER: case CL_NXDOMAIN: case CL_NODATA:
		if (!follow_chain(q, f, m, &v))
			break;
		for (int i = 0; i < v.nrec; i++)
			keep(q, f, m, v.rec[i]);
		f->rcode = m->rcode;
		if (v.cls == CL_NODATA)
			f->qname = v.target;
		done(q, f, v.cls == CL_ANSWER ? OUT_ANSWER : v.cls == CL_NXDOMAIN ? OUT_NXDOMAIN : OUT_NODATA);
		break;
	case CL_CNAME:
		if (!follow_chain(q, f, m, &v))
			break;
		for (int i = 0; i < v.nrec; i++)
			keep(q, f, m, v.rec[i]);
		f->qname = v.target;
		next_state(q, f, RS_INIT);
		break;
	case CL_REFERRAL:
		if (++f->referrals > DNSQ_MAX_REFERRALS) {
			snprintf(f->why, sizeof(f->why), "more than %d referrals", DNSQ_MAX_REFERRALS);
			done(q, f, OUT_REFERRAL_LIMIT);
			break;
		}
		learn_referral(q, f, m, &v);
		next_state(q, f, RS_SELECT);
		break;
	case CL_FORMERR:
		if (f->use_edns) {   /* RFC 6891 7: retry without EDNS */
			f->use_edns = false;
			dns_msg_free(m);
			return send_query(q, f) != 0;
		}
		server_failed(q, f, st.label);
		next_state(q, f, RS_SELECT);
		break;
	default:
		server_failed(q, f, st.label);
		next_state(q, f, RS_SELECT);
		break;
	}
	dns_msg_free(m);
	return cont;
}

/* RS_DONE: hand a sub-walk's addresses down, or finish the name. */
static bool do_done(struct dnsq *q, struct frame *f)
{
	if (q->nframes == 1) {
		loop_cancel(q->loop, on_budget, q);
		q->finished(q, f);
		return false;
	}
	struct frame *parent = &q->frames[q->nframes - 2];
	struct dp_server *s = &parent->dp.ns[f->target_ns];
	int found = 0;
	for (int i = 0; i < f->nans; i++) {
		const struct answer *a = &f->ans[i];
		if (a->type != f->qtype || (a->type != DNS_T_A && a->type != DNS_T_AAAA))
			continue;
		struct addr ad;
		addr_from_bytes(&ad, a->type == DNS_T_A ? AF_INET : AF_INET6, a->addr);
		zonecut_add_addr(q->cache, &s->name, &ad, PROV_RESOLVED, q->gen);
		found++;
	}
	zonecut_host_done(q->cache, &s->name, f->qtype, q->gen);
	out_subwalk(q, f->depth, &f->qname0, f->qtype, &parent->dp.zone, false, f);
	if (!found && f->why[0])
		memcpy(parent->why, f->why, sizeof(parent->why));
	q->nframes--;
	zonecut_fill(q->cache, q->gen, &parent->dp);
	next_state(q, parent, RS_SELECT);
	return true;
}

static void drive(struct dnsq *q)
{
	for (int pass = 0; pass < RESOLVE_MAX_PASSES; pass++) {
		struct frame *f = &q->frames[q->nframes - 1];
		bool cont = false;
		switch (f->state) {
		case RS_INIT: cont = do_init(q, f); break;
		case RS_SELECT: cont = do_select(q, f); break;
		case RS_RESPONSE: cont = do_response(q, f); break;
		case RS_DONE: cont = do_done(q, f); break;
		case RS_WAIT: case RS_TARGET: case RS_STATES: cont = false; break;
		}
		if (!cont)
			return;
	}
	fail_all(q, OUT_FAIL);
}

static void on_budget(void *arg)
{
	struct dnsq *q = arg;
	fail_all(q, OUT_TIME_LIMIT);
	drive(q);
}

void resolve_start(struct dnsq *q, const struct dns_name *name, uint16_t qtype)
{
	q->gen++;
	q->queries = 0;
	q->steps = 0;
	q->aborted = false;
	q->started = clock_mono();
	q->nframes = 1;
	frame_init(&q->frames[0], name, qtype, 0);
	loop_timer(q->loop, q->conf->max_time, on_budget, q);
	drive(q);
}

void resolve_on_transport(struct dnsq *q, enum tx_status st)
{
	if (q->conf->has_server) {
		direct_on_transport(q, st);
		return;
	}
	if (allsrv_active(q)) {
		allsrv_on_transport(q, st);
		return;
	}
	struct frame *f = &q->frames[q->nframes - 1];
	if (f->state != RS_WAIT) {
		if (st == TX_REPLY)
			dns_msg_free(&q->x.msg);
		return;
	}
	if (st == TX_REPLY) {
		next_state(q, f, RS_RESPONSE);
	} else {
		struct step s;
		fill_step(q, f, &s);
		char label[96];
		if (st == TX_TIMEOUT)
			snprintf(label, sizeof(label), "timeout");
		else
			snprintf(label, sizeof(label), "unreachable (%s)", strerror(q->x.err));
		s.label = label;
		s.rtt = q->conf->timeout << (f->attempt < 8 ? f->attempt : 8);
		out_step(q, &s);
		server_failed(q, f, label);
		if (st == TX_TIMEOUT && f->attempt < q->conf->retries) {
			f->attempt++;
			if (send_query(q, f) == 0)
				return;
		} else {
			next_state(q, f, RS_SELECT);
		}
	}
	drive(q);
}
