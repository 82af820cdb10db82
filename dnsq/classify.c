/*
 * classify — what kind of reply this is, and which of its records may be
 * believed (the scrub).
 *
 * The rules are unbound's iter_resptype.c and iter_scrub.c, written out:
 * the server was asked as an authority for one zone (the delegation point
 * we chose it from), so it is believed only about names at or below that
 * zone.  Answers must be owned by the name asked or by the CNAME chain
 * from it; a referral must point strictly below the zone and toward the
 * name; glue must be an address of one of the referral's NS names and lie
 * under the zone too ("in bailiwick").  Everything else is ignored, and
 * each ignored record is written into the step's notes with the reason,
 * so the trace shows what a poisoning attempt looked like.
 *
 * Classification is separate from action (resolve.c decides what to do).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dnsq.h"

const char *classify_label(enum cls c)
{
	static const char *const names[] = {
		[CL_ANSWER] = "answer", [CL_CNAME] = "cname", [CL_REFERRAL] = "referral",
		[CL_NXDOMAIN] = "nxdomain", [CL_NODATA] = "nodata", [CL_LAME] = "lame",
		[CL_REFUSED] = "refused", [CL_SERVFAIL] = "servfail", [CL_FORMERR] = "formerr",
		[CL_TRUNCATED] = "truncated → tcp",
	};
	return names[c];
}

void step_note(struct step *st, const char *fmt, ...)
{
	if (!st)
		return;
	if (st->nnotes == DNSQ_MAX_NOTES) {
		st->dropped_notes++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->notes[st->nnotes++], DNSQ_NOTE_LEN, fmt, ap);
	va_end(ap);
}

static void note_rr(struct step *st, const struct dns_msg *m, int i, const char *why,
		    const struct dns_name *server)
{
	char n[DNS_NAME_STRLEN], s[DNS_NAME_STRLEN], t[16];
	step_note(st, "ignored %s %s for %s from %s", why,
		  dns_type_name(m->rr[i].type, t, sizeof(t)),
		  dns_name_fmt(&m->rr[i].name, n, sizeof(n)), dns_name_fmt(server, s, sizeof(s)));
}

/* Index of the first authority SOA that can speak for name inside zone. */
static int find_soa(const struct dns_msg *m, const struct dns_name *name, const struct dns_name *zone)
{
	for (size_t i = 0; i < m->nrr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section == 2 && rr->type == DNS_T_SOA && dns_name_under(&rr->name, zone) &&
		    dns_name_under(name, &rr->name))
			return (int)i;
	}
	return -1;
}

static void add_rec(struct verdict *v, int i)
{
	if (v->nrec < DNSQ_MAX_ANSWERS)
		v->rec[v->nrec++] = i;
}

/* Follow qname through the answer section: CNAME links, then the RRset.
 * Returns true when the RRset for the end of the chain is here. */
static bool scrub_answer(const struct dns_msg *m, const struct dns_name *qname, uint16_t qtype,
			 const struct dns_name *zone, const struct dns_name *server, bool dnssec,
			 struct verdict *v, bool used[], struct step *st)
{
	struct dns_name cur = *qname;
	bool found = false;
	/* bounded: one more link than a resolution may follow */
	for (int link = 0; link <= DNSQ_MAX_CNAME; link++) {
		int cname = -1;
		for (size_t i = 0; i < m->nrr && i < m->n_an; i++) {
			const struct dns_rr *rr = &m->rr[i];
			if (used[i] || rr->rclass != DNS_C_IN || !dns_name_eq(&rr->name, &cur))
				continue;
			bool sig = rr->type == DNS_T_RRSIG;
			if (rr->type != qtype && rr->type != DNS_T_CNAME && !sig && qtype != DNS_T_ANY)
				continue;
			if (!dns_name_under(&rr->name, zone)) {
				used[i] = true;
				note_rr(st, m, (int)i, "out-of-zone", server);
				continue;
			}
			if (sig) {
				used[i] = true;
				if (dnssec)
					add_rec(v, (int)i);
			} else if (rr->type == qtype || qtype == DNS_T_ANY) {
				used[i] = true;
				add_rec(v, (int)i);
				found = true;
			} else if (cname < 0) {
				cname = (int)i;
			}
		}
		if (found || cname < 0 || qtype == DNS_T_CNAME)
			break;
		struct dns_name next;
		if (dns_rdata_name(m, &m->rr[cname], &next) != DNS_OK)
			break;
		used[cname] = true;
		add_rec(v, cname);
		v->links++;
		cur = next;
	}
	v->target = cur;
	return found;
}

static void scrub_referral(const struct dns_msg *m, const struct dns_name *qname,
			   const struct dns_name *zone, const struct dns_name *server,
			   struct verdict *v, struct step *st)
{
	int first = -1;
	for (size_t i = 0; i < m->nrr; i++)
		if (m->rr[i].section == 2 && m->rr[i].type == DNS_T_NS) {
			first = (int)i;
			break;
		}
	if (first < 0)
		return;
	const struct dns_name *cut = &m->rr[first].name;
	char z[DNS_NAME_STRLEN];
	if (!dns_name_under(qname, cut)) {
		v->cls = CL_LAME;
		snprintf(v->why, sizeof(v->why), "referral to %s, which is not on the way to the name",
			 dns_name_fmt(cut, z, sizeof(z)));
		return;
	}
	if (!dns_name_under(cut, zone) || dns_name_eq(cut, zone)) {
		v->cls = CL_LAME;
		snprintf(v->why, sizeof(v->why), "%s referral to %s",
			 dns_name_eq(cut, zone) ? "same-zone" : "upward", dns_name_fmt(cut, z, sizeof(z)));
		return;
	}
	v->cls = CL_REFERRAL;
	v->cut = *cut;
	for (size_t i = 0; i < m->nrr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != 2 || rr->type != DNS_T_NS)
			continue;
		if (!dns_name_eq(&rr->name, cut)) {
			note_rr(st, m, (int)i, "second referral", server);
		} else if (v->nns == DNSQ_MAX_NS) {
			note_rr(st, m, (int)i, "excess", server);
		} else {
			v->ns[v->nns++] = (int)i;
		}
	}
	for (size_t i = 0; i < m->nrr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != 3 || (rr->type != DNS_T_A && rr->type != DNS_T_AAAA))
			continue;
		bool named = false;
		for (int k = 0; k < v->nns && !named; k++) {
			struct dns_name nsn;
			named = dns_rdata_name(m, &m->rr[v->ns[k]], &nsn) == DNS_OK &&
				dns_name_eq(&nsn, &rr->name);
		}
		if (!named)
			note_rr(st, m, (int)i, "unrelated", server);
		else if (!dns_name_under(&rr->name, zone))
			note_rr(st, m, (int)i, "out-of-bailiwick", server);
		else if (v->nglue < (int)(sizeof(v->glue) / sizeof(v->glue[0])))
			v->glue[v->nglue++] = (int)i;
	}
}

void classify(const struct dns_msg *m, const struct dns_name *qname, uint16_t qtype,
	      const struct dns_name *zone, const struct dns_name *server, bool dnssec,
	      struct verdict *v, struct step *st)
{
	memset(v, 0, sizeof(*v));
	v->soa = -1;
	v->target = *qname;
	char rc[16];
	switch (m->rcode) {
	case DNS_R_NOERROR: case DNS_R_NXDOMAIN:
		break;
	case DNS_R_REFUSED:
		v->cls = CL_REFUSED;
		return;
	case DNS_R_SERVFAIL:
		v->cls = CL_SERVFAIL;
		return;
	case DNS_R_FORMERR: case DNS_R_NOTIMP: case DNS_R_BADVERS:
		v->cls = CL_FORMERR;
		snprintf(v->why, sizeof(v->why), "%s", dns_rcode_name(m->rcode, rc, sizeof(rc)));
		return;
	default:
		v->cls = CL_LAME;
		snprintf(v->why, sizeof(v->why), "rcode %s", dns_rcode_name(m->rcode, rc, sizeof(rc)));
		return;
	}
	bool used[DNS_MAX_RRS] = { false };
	bool aa = m->flags & DNS_F_AA;
	bool found = scrub_answer(m, qname, qtype, zone, server, dnssec, v, used, st);
	for (size_t i = 0; i < m->n_an; i++)
		if (!used[i])
			note_rr(st, m, (int)i, "unrelated", server);
	if (found || v->links) {
		if (!aa) {
			v->cls = CL_LAME;
			snprintf(v->why, sizeof(v->why), "answer without the AA flag");
			return;
		}
		if (found) {
			v->cls = CL_ANSWER;
			return;
		}
		/* the chain ends at a name this server is authoritative for */
		if (dns_name_under(&v->target, zone)) {
			v->soa = find_soa(m, &v->target, zone);
			if (m->rcode == DNS_R_NXDOMAIN) {
				v->cls = CL_NXDOMAIN;
				return;
			}
			if (v->soa >= 0) {
				v->cls = CL_NODATA;
				return;
			}
		}
		v->cls = CL_CNAME;
		return;
	}
	v->soa = find_soa(m, qname, zone);
	if (m->rcode == DNS_R_NXDOMAIN) {
		v->cls = aa ? CL_NXDOMAIN : CL_LAME;
		if (!aa)
			snprintf(v->why, sizeof(v->why), "NXDOMAIN without the AA flag");
		return;
	}
	if (v->soa >= 0 && aa) {
		v->cls = CL_NODATA;
		return;
	}
	v->cls = CL_LAME;
	snprintf(v->why, sizeof(v->why), "neither answer nor referral nor SOA");
	scrub_referral(m, qname, zone, server, v, st);
	if (v->cls != CL_REFERRAL)
		v->nns = v->nglue = 0;
}
