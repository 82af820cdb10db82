/*
 * allsrv — --all-servers: after the walk, ask every address of every NS
 * of every zone cut on the path the same questions and report where the
 * answers disagree (SPEC: NS sets parent vs child, SOA serials, answers,
 * lame or silent servers).
 *
 * Each server address of a zone is asked, in order: the zone's NS set
 * (the apex question every authoritative server must answer with AA; one
 * that cannot is lame, refusing or silent, and is asked nothing more),
 * its SOA, and the name itself — at the last zone that is the answer,
 * above it the referral, which is that parent server's view of the next
 * zone's NS set.  Servers met on the way join their zone: NS names from
 * any parent server's referral (with its in-bailiwick glue) and from the
 * zone's own NS answers (with in-zone addresses from the additional
 * section), so "every NS" means every NS anyone named.  An NS name with
 * no address known (out-of-zone, not resolved by the walk) is listed,
 * not asked.
 *
 * Same transport and scrub as the walk (fresh socket and ID per query,
 * classify.c, TC -> TCP, FORMERR -> no EDNS, timeouts with backoff), one
 * query in flight, the steps shown by -T / --json like the walk's.
 * Bounded by this phase's query and time budgets (dnsq.h; reaching one is
 * reported and the report says it is incomplete), DNSQ_MAX_NS and
 * DNSQ_MAX_ADDRS per zone, DNSQ_ALL_MAX_ZONES zones, and
 * DNSQ_ALL_MAX_FINDINGS findings kept.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsq.h"
#include "json.h"

/* Findings kept for the report; the rest are counted. */
#define DNSQ_ALL_MAX_FINDINGS 256
/* Text of one value list or one finding. */
#define ALL_TEXT 4096
/* Driver passes per event: each pass sends, skips a server or starts a zone. */
#define ALL_MAX_PASSES 100000
#define ALL_MAX_SRV (DNSQ_ALL_MAX_ZONES * DNSQ_MAX_NS * DNSQ_MAX_ADDRS)

enum aq { AQ_NS, AQ_SOA, AQ_NAME, AQ_N };
/* Values kept per server, each a sorted '\n'-separated list (NULL: not learned). */
enum av { AV_NS, AV_SERIAL, AV_ANSWER, AV_DELEG, AV_N };

struct asrv {
	int zone;
	struct dns_name name;
	struct addr addr;          /* family 0: no address known */
	enum prov prov;
	const char *status;        /* "ok", "lame", "refused", "servfail", "formerr", "silent", ... */
	char fail[DNSQ_NOTE_LEN * 2]; /* why it failed, "" when it did not */
	char *val[AV_N];
	struct dns_name deleg_cut; /* AV_DELEG: the zone it referred to */
};

struct finding {
	const char *kind;
	int zone;
	char *text;
};

struct allsrv {
	bool reported;
	unsigned gen;              /* the name (q->gen) the last report was for */
	struct dns_name qname;
	uint16_t qtype;
	struct dp *zones;          /* DNSQ_ALL_MAX_ZONES, root first */
	int nzones, zone;          /* on the path; the one being asked */
	struct asrv *srv;
	int nsrv, capsrv, cur;
	enum aq qi;
	int attempt;
	bool use_tcp, use_edns;
	int queries, max_queries;
	nsec_t started;
	bool out_of_queries, out_of_time, active;
	struct finding *find;
	int nfind, lost_findings;
	const struct frame *result;
};

struct allsrv *allsrv_new(void)
{
	struct allsrv *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->zones = calloc(DNSQ_ALL_MAX_ZONES, sizeof(*a->zones));
	a->find = calloc(DNSQ_ALL_MAX_FINDINGS, sizeof(*a->find));
	if (!a->zones || !a->find) {
		allsrv_free(a);
		return NULL;
	}
	return a;
}

static void reset(struct allsrv *a)
{
	for (int i = 0; i < a->nsrv; i++)
		for (int v = 0; v < AV_N; v++)
			free(a->srv[i].val[v]);
	for (int i = 0; i < a->nfind; i++)
		free(a->find[i].text);
	a->nsrv = a->nfind = a->lost_findings = 0;
}

void allsrv_free(struct allsrv *a)
{
	if (!a)
		return;
	reset(a);
	free(a->srv);
	free(a->zones);
	free(a->find);
	free(a);
}

bool allsrv_active(const struct dnsq *q)
{
	return q->all && q->all->active;
}

bool allsrv_pending(const struct dnsq *q)
{
	return q->all && !q->all->active && q->all->gen != q->gen;
}

static int total_findings(const struct allsrv *a)
{
	return a->nfind + a->lost_findings;
}

int allsrv_disagreements(const struct dnsq *q)
{
	return q->all ? total_findings(q->all) : 0;
}

bool allsrv_complete(const struct dnsq *q)
{
	return !q->all || !(q->all->out_of_queries || q->all->out_of_time);
}

/* ---- value lists ---- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sort and join n strings with '\n' (duplicates dropped); malloc'd. */
static char *join_sorted(char **items, int n)
{
	qsort(items, (size_t)n, sizeof(*items), cmp_str);
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(items[i]) + 1;
	char *out = malloc(len), *p = out;
	if (!out)
		return NULL;
	*p = 0;
	for (int i = 0; i < n; i++) {
		if (i && strcmp(items[i], items[i - 1]) == 0)
			continue;
		if (p != out)
			*p++ = '\n';
		size_t l = strlen(items[i]);
		memcpy(p, items[i], l + 1);
		p += l;
	}
	return out;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static char *name_text(const struct dns_name *n)
{
	char b[DNS_NAME_STRLEN];
	dns_name_fmt(n, b, sizeof(b));
	lower(b);
	return strdup(b);
}

/* Is token t one of the entries of list? */
static bool in_list(const char *list, const char *t, size_t tl)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == tl && memcmp(p, t, l) == 0)
			return true;
		p = e ? e + 1 : p + l;
	}
	return false;
}

/* The entries of x that are not in y, joined with sep. */
static void list_minus(const char *x, const char *y, const char *sep, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (const char *p = x; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (!in_list(y, p, l) && o < len) {
			int w = snprintf(out + o, len - o, "%s%.*s", o ? sep : "", (int)l, p);
			o += w > 0 ? (size_t)w : 0;
		}
		p = e ? e + 1 : p + l;
	}
	if (!out[0])
		snprintf(out, len, "(none)");
}

static const char *flat(const char *list, const char *sep, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (const char *p = list; p && *p && o < len;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		int w = snprintf(out + o, len - o, "%s%.*s", o ? sep : "", (int)l, p);
		o += w > 0 ? (size_t)w : 0;
		p = e ? e + 1 : p + l;
	}
	return out;
}

/* ---- servers ---- */

static struct asrv *srv_add(struct dnsq *q, int zone, const struct dns_name *name,
			    const struct addr *ad, enum prov prov)
{
	struct allsrv *a = q->all;
	for (int i = 0; i < a->nsrv; i++) {
		struct asrv *s = &a->srv[i];
		if (s->zone == zone && dns_name_eq(&s->name, name) &&
		    (ad ? addr_eq(&s->addr, ad) : s->addr.family == 0))
			return NULL;
	}
	if (a->nsrv == a->capsrv) {
		if (a->capsrv == ALL_MAX_SRV)
			return NULL;
		int cap = a->capsrv ? a->capsrv * 2 : 16;
		if (cap > ALL_MAX_SRV)
			cap = ALL_MAX_SRV;
		struct asrv *n = realloc(a->srv, (size_t)cap * sizeof(*n));
		if (!n)
			return NULL;
		a->srv = n;
		a->capsrv = cap;
	}
	struct asrv *s = &a->srv[a->nsrv++];
	memset(s, 0, sizeof(*s));
	s->zone = zone;
	s->name = *name;
	if (ad)
		s->addr = *ad;
	s->prov = prov;
	s->status = "ok";
	if (!ad) {
		s->status = "no_address";
		snprintf(s->fail, sizeof(s->fail), "no address known (no glue, not resolved)");
	}
	return s;
}

/* An NS name (and maybe an address) of zone k, met on the way. */
static void zone_add(struct dnsq *q, int k, const struct dns_name *ns, const struct addr *ad,
		     enum prov prov)
{
	struct allsrv *a = q->all;
	struct dp *dp = &a->zones[k];
	struct dp_server *s = NULL;
	for (int i = 0; i < dp->nns && !s; i++)
		if (dns_name_eq(&dp->ns[i].name, ns))
			s = &dp->ns[i];
	if (!s) {
		if (dp->nns == DNSQ_MAX_NS)
			return;
		s = &dp->ns[dp->nns++];
		memset(s, 0, sizeof(*s));
		s->name = *ns;
	}
	bool fresh = false;
	if (ad && transport_family_ok(q->conf, ad)) {
		bool have = false;
		for (int i = 0; i < s->naddr; i++)
			have = have || addr_eq(&s->a[i], ad);
		if (!have && s->naddr < DNSQ_MAX_ADDRS) {
			s->a[s->naddr] = *ad;
			s->prov[s->naddr++] = prov;
			fresh = true;
		}
	}
	if (k != a->zone || !fresh)
		return;
	/* the zone is being asked: the new address gets its turn; a
	 * placeholder for the name without an address goes away */
	for (int i = a->cur + 1; i < a->nsrv; i++) {
		struct asrv *t = &a->srv[i];
		if (t->zone == k && !t->addr.family && dns_name_eq(&t->name, ns)) {
			t->addr = *ad;
			t->prov = prov;
			t->status = "ok";
			t->fail[0] = 0;
			return;
		}
	}
	srv_add(q, k, ns, ad, prov);
}

static void zone_start(struct dnsq *q, int k)
{
	struct allsrv *a = q->all;
	const struct dp *dp = &a->zones[k];
	a->zone = k;
	for (int i = 0; i < dp->nns; i++) {
		int usable = 0;
		for (int j = 0; j < dp->ns[i].naddr; j++)
			if (transport_family_ok(q->conf, &dp->ns[i].a[j])) {
				srv_add(q, k, &dp->ns[i].name, &dp->ns[i].a[j], dp->ns[i].prov[j]);
				usable++;
			}
		if (!usable)
			srv_add(q, k, &dp->ns[i].name, NULL, PROV_GLUE);
	}
}

static const struct dns_name *qname_of(const struct allsrv *a, enum aq qi)
{
	return qi == AQ_NAME ? &a->qname : &a->zones[a->zone].zone;
}

static uint16_t qtype_of(const struct allsrv *a, enum aq qi)
{
	return qi == AQ_NS ? DNS_T_NS : qi == AQ_SOA ? DNS_T_SOA : a->qtype;
}

static void fill_step(struct dnsq *q, struct step *st)
{
	struct allsrv *a = q->all;
	struct asrv *s = &a->srv[a->cur];
	memset(st, 0, sizeof(*st));
	st->n = ++q->steps;
	st->server = &s->name;
	st->addr = &s->addr;
	st->prov = s->prov;
	st->qname = qname_of(a, a->qi);
	st->qtype = qtype_of(a, a->qi);
	st->tcp = a->use_tcp;
	st->edns = a->use_edns;
	for (int i = 0; i < q->x.nnotes; i++)
		step_note(st, "%s", q->x.notes[i]);
}

static void server_fail(struct asrv *s, const char *status, const char *what, enum aq qi)
{
	static const char *const qn[AQ_N] = { [AQ_NS] = "NS", [AQ_SOA] = "SOA", [AQ_NAME] = "the name" };
	s->status = status;
	snprintf(s->fail, sizeof(s->fail), "%s (asked %s)", what, qn[qi]);
}

static void next_server(struct allsrv *a)
{
	a->cur++;
	a->qi = AQ_NS;
}

/* 0: a query is in flight; -1: none (the server failed, or a budget ran out). */
static int send_cur(struct dnsq *q)
{
	const struct dnsq_conf *c = q->conf;
	struct allsrv *a = q->all;
	struct asrv *s = &a->srv[a->cur];
	if (a->queries >= a->max_queries) {
		a->out_of_queries = true;
		return -1;
	}
	a->queries++;
	q->queries++;
	nsec_t timeout = c->timeout << (a->attempt < 8 ? a->attempt : 8);
	if (transport_send(q, &s->addr, 53, qname_of(a, a->qi), qtype_of(a, a->qi), a->use_tcp,
			   a->use_edns, false, timeout) == 0)
		return 0;
	struct step st;
	fill_step(q, &st);
	char label[96];
	snprintf(label, sizeof(label), "unreachable (%s)", strerror(q->x.err));
	st.label = label;
	out_step(q, &st);
	server_fail(s, "unreachable", label, a->qi);
	next_server(a);
	return -1;
}

static void report(struct dnsq *q);

static void advance(struct dnsq *q)
{
	struct allsrv *a = q->all;
	for (int pass = 0; pass < ALL_MAX_PASSES; pass++) {
		if (a->out_of_queries || a->out_of_time)
			break;
		if (a->cur >= a->nsrv) {
			if (a->zone + 1 >= a->nzones)
				break;
			zone_start(q, a->zone + 1);
			continue;
		}
		if (!a->srv[a->cur].addr.family) {
			next_server(a);
			continue;
		}
		if (a->qi == AQ_NS) {
			a->attempt = 0;
			a->use_tcp = q->conf->tcp;
			a->use_edns = !q->conf->no_edns;
		}
		if (send_cur(q) == 0)
			return;
	}
	report(q);
}

static void on_budget(void *arg)
{
	struct dnsq *q = arg;
	q->all->out_of_time = true;
	transport_cancel(q);
	report(q);
}

void allsrv_start(struct dnsq *q, const struct frame *f)
{
	struct allsrv *a = q->all;
	reset(a);
	a->result = f;
	a->qname = f->qname0;
	a->qtype = f->qtype;
	a->nzones = zonecut_path(q->cache, &f->qname0, q->gen, a->zones, DNSQ_ALL_MAX_ZONES);
	a->zone = -1;
	a->cur = 0;
	a->qi = AQ_NS;
	a->queries = 0;
	a->max_queries = q->conf->max_queries_set ? q->conf->max_queries : DNSQ_DEF_ALL_QUERIES;
	a->out_of_queries = a->out_of_time = false;
	a->reported = false;
	a->active = true;
	a->started = clock_mono();
	if (q->conf->trace && !q->conf->json)
		fprintf(q->out, ";; --all-servers: asking every server of %d zone%s\n", a->nzones,
			a->nzones == 1 ? "" : "s");
	loop_timer(q->loop, q->conf->max_time_set ? q->conf->max_time : DNSQ_DEF_ALL_TIME, on_budget, q);
	advance(q);
}

/* ---- replies ---- */

static void got_ns(struct dnsq *q, struct asrv *s, const struct dns_msg *m, const struct verdict *v)
{
	struct allsrv *a = q->all;
	const struct dns_name *zone = &a->zones[s->zone].zone;
	char *items[DNSQ_MAX_ANSWERS];
	struct dns_name ns[DNSQ_MAX_ANSWERS];
	int n = 0;
	for (int i = 0; i < v->nrec; i++) {
		const struct dns_rr *rr = &m->rr[v->rec[i]];
		if (rr->type != DNS_T_NS || dns_rdata_name(m, rr, &ns[n]) != DNS_OK)
			continue;
		if ((items[n] = name_text(&ns[n])) != NULL)
			n++;
	}
	s->val[AV_NS] = join_sorted(items, n);
	for (int i = 0; i < n; i++) {
		free(items[i]);
		zone_add(q, s->zone, &ns[i], NULL, PROV_ZONE);
	}
	/* in-zone addresses of those names: the zone's own data */
	for (size_t i = 0; i < m->nrr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != 3 || (rr->type != DNS_T_A && rr->type != DNS_T_AAAA) ||
		    !dns_name_under(&rr->name, zone))
			continue;
		for (int k = 0; k < n; k++)
			if (dns_name_eq(&ns[k], &rr->name)) {
				struct addr ad;
				addr_from_bytes(&ad, rr->type == DNS_T_A ? AF_INET : AF_INET6, m->raw + rr->rdoff);
				zone_add(q, s->zone, &rr->name, &ad, PROV_ZONE);
				break;
			}
	}
}

static void got_answer(struct asrv *s, const struct dns_msg *m, const struct verdict *v)
{
	char *items[DNSQ_MAX_ANSWERS];
	int n = 0;
	char *b = malloc(DNS_RR_STRLEN);
	for (int i = 0; b && i < v->nrec; i++) {
		const struct dns_rr *rr = &m->rr[v->rec[i]];
		char t[16];
		int w = snprintf(b, DNS_RR_STRLEN, "%s ", dns_type_name(rr->type, t, sizeof(t)));
		dns_rdata_fmt(m, rr, b + w, DNS_RR_STRLEN - (size_t)w);
		if ((items[n] = strdup(b)) != NULL)
			n++;
	}
	free(b);
	s->val[AV_ANSWER] = join_sorted(items, n);
	for (int i = 0; i < n; i++)
		free(items[i]);
}

static void got_referral(struct dnsq *q, struct asrv *s, const struct dns_msg *m,
			 const struct verdict *v)
{
	struct allsrv *a = q->all;
	char *items[DNSQ_MAX_NS];
	struct dns_name ns[DNSQ_MAX_NS];
	int n = 0;
	for (int i = 0; i < v->nns; i++)
		if (dns_rdata_name(m, &m->rr[v->ns[i]], &ns[n]) == DNS_OK &&
		    (items[n] = name_text(&ns[n])) != NULL)
			n++;
	s->val[AV_DELEG] = join_sorted(items, n);
	s->deleg_cut = v->cut;
	for (int i = 0; i < n; i++)
		free(items[i]);
	int k = s->zone + 1;
	if (k >= a->nzones || !dns_name_eq(&v->cut, &a->zones[k].zone))
		return;
	for (int i = 0; i < n; i++)
		zone_add(q, k, &ns[i], NULL, PROV_GLUE);
	for (int i = 0; i < v->nglue; i++) {
		const struct dns_rr *rr = &m->rr[v->glue[i]];
		struct addr ad;
		addr_from_bytes(&ad, rr->type == DNS_T_A ? AF_INET : AF_INET6, m->raw + rr->rdoff);
		zone_add(q, k, &rr->name, &ad, PROV_GLUE);
	}
}

static const char *fail_status(enum cls c)
{
	switch (c) {
	case CL_REFUSED: return "refused";
	case CL_SERVFAIL: return "servfail";
	case CL_FORMERR: return "formerr";
	default: return "lame";
	}
}

/* Act on a classified reply; advances a->cur / a->qi. */
static void handle(struct dnsq *q, struct asrv *s, const struct dns_msg *m, const struct verdict *v,
		   const char *label)
{
	struct allsrv *a = q->all;
	bool last = s->zone == a->nzones - 1;
	char what[DNSQ_NOTE_LEN + 64];
	switch (a->qi) {
	case AQ_NS: case AQ_SOA:
		if (v->cls != CL_ANSWER) {
			if (v->cls == CL_NXDOMAIN || v->cls == CL_NODATA || v->cls == CL_CNAME ||
			    v->cls == CL_REFERRAL)
				snprintf(what, sizeof(what), "lame (%s for the zone apex)", label);
			else
				snprintf(what, sizeof(what), "%s", label);
			server_fail(s, fail_status(v->cls), what, a->qi);
			next_server(a);
			return;
		}
		if (a->qi == AQ_NS) {
			got_ns(q, s, m, v);
		} else {
			uint32_t serial;
			for (int i = 0; i < v->nrec && !s->val[AV_SERIAL]; i++)
				if (m->rr[v->rec[i]].type == DNS_T_SOA &&
				    dns_rdata_soa_serial(m, &m->rr[v->rec[i]], &serial) == 0) {
					char b[16];
					snprintf(b, sizeof(b), "%u", serial);
					s->val[AV_SERIAL] = strdup(b);
				}
		}
		a->qi++;
		return;
	case AQ_NAME: case AQ_N:
		break;
	}
	switch (v->cls) {
	case CL_ANSWER: case CL_CNAME:
		got_answer(s, m, v);
		break;
	case CL_NXDOMAIN: case CL_NODATA:
		s->val[AV_ANSWER] = strdup(v->cls == CL_NXDOMAIN ? "NXDOMAIN" : "NODATA");
		break;
	case CL_REFERRAL:
		got_referral(q, s, m, v);
		if (last) {
			char z[DNS_NAME_STRLEN];
			snprintf(what, sizeof(what), "referral to %s", dns_name_fmt(&v->cut, z, sizeof(z)));
			lower(what);
			s->val[AV_ANSWER] = strdup(what);
		}
		break;
	default:
		server_fail(s, fail_status(v->cls), label, a->qi);
		break;
	}
	next_server(a);
}

void allsrv_on_transport(struct dnsq *q, enum tx_status st)
{
	struct allsrv *a = q->all;
	const struct dnsq_conf *c = q->conf;
	struct asrv *s = &a->srv[a->cur];
	struct step step;
	char label[DNSQ_NOTE_LEN + 16];
	if (st != TX_REPLY) {
		fill_step(q, &step);
		if (st == TX_TIMEOUT)
			snprintf(label, sizeof(label), "timeout");
		else
			snprintf(label, sizeof(label), "unreachable (%s)", strerror(q->x.err));
		step.label = label;
		step.rtt = c->timeout << (a->attempt < 8 ? a->attempt : 8);
		out_step(q, &step);
		if (st == TX_TIMEOUT && a->attempt < c->retries) {
			a->attempt++;
			if (send_cur(q) == 0)
				return;
		} else {
			if (st == TX_TIMEOUT)
				snprintf(label, sizeof(label), "no reply (%d %s)", a->attempt + 1,
					 a->attempt ? "timeouts" : "timeout");
			server_fail(s, st == TX_TIMEOUT ? "silent" : "unreachable", label, a->qi);
			next_server(a);
		}
		advance(q);
		return;
	}
	struct dns_msg *m = &q->x.msg;
	fill_step(q, &step);
	step.msg = m;
	step.rtt = q->x.rtt;
	step.bytes = q->x.msglen;
	if ((m->flags & DNS_F_TC) && !a->use_tcp) {
		step.label = classify_label(CL_TRUNCATED);
		out_step(q, &step);
		dns_msg_free(m);
		a->use_tcp = true;
		if (send_cur(q) != 0)
			advance(q);
		return;
	}
	struct verdict v;
	classify(m, qname_of(a, a->qi), qtype_of(a, a->qi), &a->zones[s->zone].zone, &s->name,
		 c->dnssec, &v, &step);
	step.label = classify_label(v.cls);
	if (v.why[0] && (v.cls == CL_LAME || v.cls == CL_FORMERR)) {
		snprintf(label, sizeof(label), "%s (%s)", step.label, v.why);
		step.label = label;
	}
	step.rec_idx = v.rec;
	step.nrec = v.nrec;
	if (v.cls == CL_REFERRAL) {
		step.cut = &v.cut;
		step.ns_idx = v.ns;
		step.nns = v.nns;
		step.glue_idx = v.glue;
		step.nglue = v.nglue;
	}
	out_step(q, &step);
	if (v.cls == CL_FORMERR && a->use_edns) {   /* RFC 6891 7 */
		dns_msg_free(m);
		a->use_edns = false;
		if (send_cur(q) != 0)
			advance(q);
		return;
	}
	handle(q, s, m, &v, step.label);
	dns_msg_free(m);
	advance(q);
}

/* ---- the report ---- */

static void finding(struct allsrv *a, const char *kind, int zone, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void finding(struct allsrv *a, const char *kind, int zone, const char *fmt, ...)
{
	if (a->nfind == DNSQ_ALL_MAX_FINDINGS) {
		a->lost_findings++;
		return;
	}
	char *b = malloc(ALL_TEXT);
	if (!b) {
		a->lost_findings++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, ALL_TEXT, fmt, ap);
	va_end(ap);
	a->find[a->nfind++] = (struct finding){ .kind = kind, .zone = zone, .text = b };
}

static const char *who(const struct asrv *s, char *buf, size_t len)
{
	char n[DNS_NAME_STRLEN], ad[ADDR_STRLEN];
	dns_name_fmt(&s->name, n, sizeof(n));
	lower(n);
	if (s->addr.family)
		snprintf(buf, len, "%s %s", n, addr_fmt(&s->addr, ad, sizeof(ad)));
	else
		snprintf(buf, len, "%s", n);
	return buf;
}

static bool value_match(const struct asrv *s, int zone, enum av v, const struct dns_name *cut)
{
	return s->zone == zone && s->val[v] && (!cut || dns_name_eq(&s->deleg_cut, cut));
}

/* "value at s1, s2; value at s3" over the distinct values of v in zone;
 * returns how many distinct values there are. */
static int groups(const struct allsrv *a, int zone, enum av v, const struct dns_name *cut,
		  const char *sep, char *out, size_t len)
{
	int ng = 0;
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < a->nsrv; i++) {
		const struct asrv *s = &a->srv[i];
		if (!value_match(s, zone, v, cut))
			continue;
		bool seen = false;
		for (int k = 0; k < i && !seen; k++)
			seen = value_match(&a->srv[k], zone, v, cut) && strcmp(a->srv[k].val[v], s->val[v]) == 0;
		if (seen)
			continue;
		ng++;
		char *fl = malloc(ALL_TEXT);
		if (!fl)
			continue;
		int w = snprintf(out + o, o < len ? len - o : 0, "%s%s at ", o ? "; " : "",
				 flat(s->val[v], sep, fl, ALL_TEXT));
		o += w > 0 ? (size_t)w : 0;
		free(fl);
		bool first = true;
		for (int k = i; k < a->nsrv; k++) {
			const struct asrv *t = &a->srv[k];
			if (!value_match(t, zone, v, cut) || strcmp(t->val[v], s->val[v]) != 0)
				continue;
			char wb[DNS_NAME_STRLEN + ADDR_STRLEN];
			w = snprintf(out + o, o < len ? len - o : 0, "%s%s", first ? "" : ", ",
				     who(t, wb, sizeof(wb)));
			o += w > 0 ? (size_t)w : 0;
			first = false;
		}
	}
	return ng;
}

/* The union of the values of v in zone (for parent vs child): sorted,
 * each entry once. */
static char *union_of(const struct allsrv *a, int zone, enum av v, const struct dns_name *cut)
{
	int n = 0;
	for (int i = 0; i < a->nsrv; i++)
		if (value_match(&a->srv[i], zone, v, cut))
			for (const char *p = a->srv[i].val[v]; p && *p; p = strchr(p + 1, '\n'))
				n++;
	char **items = calloc((size_t)n + 1, sizeof(*items));
	if (!items)
		return NULL;
	int k = 0;
	for (int i = 0; i < a->nsrv; i++) {
		if (!value_match(&a->srv[i], zone, v, cut))
			continue;
		for (const char *p = a->srv[i].val[v]; *p && k < n;) {
			const char *e = strchr(p, '\n');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if ((items[k] = strndup(p, l)) != NULL)
				k++;
			p = e ? e + 1 : p + l;
		}
	}
	char *all = join_sorted(items, k);
	for (int i = 0; i < k; i++)
		free(items[i]);
	free(items);
	return all;
}

static void analyse(struct allsrv *a)
{
	char *buf = malloc(ALL_TEXT), *x = malloc(ALL_TEXT), *y = malloc(ALL_TEXT);
	if (!buf || !x || !y)
		goto out;
	for (int z = 0; z < a->nzones; z++) {
		char zn[DNS_NAME_STRLEN], pn[DNS_NAME_STRLEN];
		const struct dns_name *zone = &a->zones[z].zone;
		dns_name_fmt(zone, zn, sizeof(zn));
		lower(zn);
		if (z > 0) {
			dns_name_fmt(&a->zones[z - 1].zone, pn, sizeof(pn));
			lower(pn);
			if (groups(a, z - 1, AV_DELEG, zone, " ", buf, ALL_TEXT) > 1)
				finding(a, "delegation", z, "%s: the servers of %s delegate it differently: %s",
					zn, pn, buf);
			char *pu = union_of(a, z - 1, AV_DELEG, zone), *cu = union_of(a, z, AV_NS, NULL);
			if (pu && cu && pu[0] && cu[0]) {
				list_minus(pu, cu, " ", x, ALL_TEXT);
				list_minus(cu, pu, " ", y, ALL_TEXT);
				if (strcmp(x, "(none)") != 0 || strcmp(y, "(none)") != 0)
					finding(a, "ns_parent_child", z,
						"%s: NS set at the parent (%s) differs from the zone's own: "
						"only at the parent: %s; only in the zone: %s", zn, pn, x, y);
			}
			free(pu);
			free(cu);
		}
		if (groups(a, z, AV_NS, NULL, " ", buf, ALL_TEXT) > 1)
			finding(a, "ns_set", z, "%s: servers return different NS sets: %s", zn, buf);
		if (groups(a, z, AV_SERIAL, NULL, " ", buf, ALL_TEXT) > 1)
			finding(a, "soa_serial", z, "%s: SOA serials differ: %s", zn, buf);
		if (z == a->nzones - 1 && groups(a, z, AV_ANSWER, NULL, ", ", buf, ALL_TEXT) > 1) {
			char qn[DNS_NAME_STRLEN], t[16];
			finding(a, "answer", z, "%s: answers for %s %s differ: %s", zn,
				dns_name_fmt(&a->qname, qn, sizeof(qn)), dns_type_name(a->qtype, t, sizeof(t)),
				buf);
		}
		for (int i = 0; i < a->nsrv; i++) {
			const struct asrv *s = &a->srv[i];
			if (s->zone != z || !s->addr.family || strcmp(s->status, "ok") == 0)
				continue;
			char wb[DNS_NAME_STRLEN + ADDR_STRLEN];
			finding(a, s->status, z, "%s: %s: %s", zn, who(s, wb, sizeof(wb)), s->fail);
		}
	}
out:
	free(buf);
	free(x);
	free(y);
}

static void json_list(struct json *j, const char *key, const char *list)
{
	if (!list) {
		json_null(j, key);
		return;
	}
	json_arr_open(j, key);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		json_strn(j, NULL, p, l);
		p = e ? e + 1 : p + l;
	}
	json_arr_close(j);
}

static void print_server(struct dnsq *q, const struct asrv *s, int z, const char *pu, const char *cu)
{
	struct allsrv *a = q->all;
	char n[DNS_NAME_STRLEN], ad[ADDR_STRLEN];
	dns_name_fmt(&s->name, n, sizeof(n));
	lower(n);
	bool in_parent = pu && in_list(pu, n, strlen(n)), in_child = cu && in_list(cu, n, strlen(n));
	bool ok = strcmp(s->status, "ok") == 0;
	if (q->conf->json) {
		struct json j;
		char zn[DNS_NAME_STRLEN], cut[DNS_NAME_STRLEN];
		json_begin(&j, q->out, "server");
		json_str(&j, "zone", dns_name_fmt(&a->zones[z].zone, zn, sizeof(zn)));
		json_str(&j, "server", n);
		if (s->addr.family)
			json_addr(&j, "address", &s->addr);
		else
			json_null(&j, "address");
		json_str(&j, "provenance", prov_name(s->prov, false));
		if (z > 0)
			json_bool(&j, "in_parent", in_parent);
		else
			json_null(&j, "in_parent");
		json_bool(&j, "in_zone", in_child);
		json_str(&j, "status", s->status);
		json_str(&j, "error", ok ? NULL : s->fail);
		json_list(&j, "ns", s->val[AV_NS]);
		if (s->val[AV_SERIAL])
			json_uint(&j, "serial", strtoul(s->val[AV_SERIAL], NULL, 10));
		else
			json_null(&j, "serial");
		if (s->val[AV_DELEG]) {
			dns_name_fmt(&s->deleg_cut, cut, sizeof(cut));
			lower(cut);
			json_str(&j, "referral", cut);
		} else {
			json_null(&j, "referral");
		}
		json_list(&j, "referral_ns", s->val[AV_DELEG]);
		json_list(&j, "answer", z == a->nzones - 1 ? s->val[AV_ANSWER] : NULL);
		json_end(&j);
		return;
	}
	fprintf(q->out, ";;   %s %s", n, s->addr.family ? addr_fmt(&s->addr, ad, sizeof(ad)) : "-");
	if (z > 0 && !in_parent)
		fprintf(q->out, " [not at the parent]");
	if (cu && cu[0] && !in_child)
		fprintf(q->out, " [not in the zone's NS set]");
	if (!ok) {
		fprintf(q->out, ": %s\n", s->fail);
		return;
	}
	char *b = malloc(ALL_TEXT);
	if (!b)
		return;
	fprintf(q->out, ": NS %s", s->val[AV_NS] ? flat(s->val[AV_NS], " ", b, ALL_TEXT) : "?");
	fprintf(q->out, "; SOA %s", s->val[AV_SERIAL] ? s->val[AV_SERIAL] : "?");
	if (s->val[AV_DELEG]) {
		char cut[DNS_NAME_STRLEN];
		dns_name_fmt(&s->deleg_cut, cut, sizeof(cut));
		lower(cut);
		fprintf(q->out, "; referral to %s %s", cut, flat(s->val[AV_DELEG], " ", b, ALL_TEXT));
	} else if (s->val[AV_ANSWER]) {
		fprintf(q->out, "; answer %s", flat(s->val[AV_ANSWER], ", ", b, ALL_TEXT));
	}
	fprintf(q->out, "\n");
	free(b);
}

static void report(struct dnsq *q)
{
	struct allsrv *a = q->all;
	if (a->reported)
		return;
	a->reported = true;
	a->active = false;
	loop_cancel(q->loop, on_budget, q);
	transport_cancel(q);
	analyse(a);
	const struct dnsq_conf *c = q->conf;
	char qn[DNS_NAME_STRLEN], t[16];
	dns_name_fmt(&a->qname, qn, sizeof(qn));
	dns_type_name(a->qtype, t, sizeof(t));
	int asked = 0;
	for (int i = 0; i < a->nsrv; i++)
		asked += a->srv[i].addr.family != 0;
	if (!c->json)
		fprintf(q->out, "%s;; servers of every zone on the path of %s %s: %d zone%s, %d address%s, "
			"%d queries\n", c->trace ? "\n" : "", qn, t, a->nzones, a->nzones == 1 ? "" : "s",
			asked, asked == 1 ? "" : "es", a->queries);
	for (int z = 0; z < a->nzones; z++) {
		char *pu = z > 0 ? union_of(a, z - 1, AV_DELEG, &a->zones[z].zone) : NULL;
		char *cu = union_of(a, z, AV_NS, NULL);
		if (!c->json) {
			char zn[DNS_NAME_STRLEN], pn[DNS_NAME_STRLEN];
			dns_name_fmt(&a->zones[z].zone, zn, sizeof(zn));
			lower(zn);
			if (z > 0) {
				dns_name_fmt(&a->zones[z - 1].zone, pn, sizeof(pn));
				lower(pn);
				fprintf(q->out, ";; zone %s (delegated by %s)\n", zn, pn);
			} else {
				fprintf(q->out, ";; zone %s\n", zn);
			}
		}
		for (int i = 0; i < a->nsrv; i++)
			if (a->srv[i].zone == z)
				print_server(q, &a->srv[i], z, pu, cu);
		free(pu);
		free(cu);
	}
	const char *cut_short = a->out_of_queries ? "query budget" : a->out_of_time ? "time budget" : NULL;
	if (cut_short) {
		int left = 0;
		for (int i = a->cur; i < a->nsrv; i++)
			left += a->srv[i].addr.family != 0;
		fprintf(stderr, "%s: --all-servers: %s exhausted after %d queries; report incomplete "
			"(%d+ server addresses not asked)\n", c->prog, cut_short, a->queries, left);
		if (!c->json)
			fprintf(q->out, ";; %s exhausted after %d queries: report incomplete\n", cut_short,
				a->queries);
	}
	if (c->json) {
		for (int i = 0; i < a->nfind; i++) {
			struct json j;
			char zn[DNS_NAME_STRLEN];
			json_begin(&j, q->out, "disagreement");
			json_str(&j, "kind", a->find[i].kind);
			json_str(&j, "zone", dns_name_fmt(&a->zones[a->find[i].zone].zone, zn, sizeof(zn)));
			json_str(&j, "detail", a->find[i].text);
			json_end(&j);
		}
	} else if (!total_findings(a)) {
		fprintf(q->out, ";; disagreements: none\n");
	} else {
		fprintf(q->out, ";; disagreements: %d\n", total_findings(a));
		for (int i = 0; i < a->nfind; i++)
			fprintf(q->out, ";;   %s %s\n", a->find[i].kind, a->find[i].text);
		if (a->lost_findings)
			fprintf(q->out, ";;   ... and %d more\n", a->lost_findings);
	}
	fflush(q->out);
	a->gen = q->gen;
	q->finished(q, a->result);
}

void allsrv_json_summary(const struct dnsq *q, struct json *j)
{
	const struct allsrv *a = q->all;
	int asked = 0;
	for (int i = 0; i < a->nsrv; i++)
		asked += a->srv[i].addr.family != 0;
	json_int(j, "zones", a->nzones);
	json_int(j, "servers", asked);
	json_int(j, "all_servers_queries", a->queries);
	json_int(j, "disagreements", total_findings(a));
	json_bool(j, "complete", allsrv_complete(q));
}
