/*
 * wait — how long a probe waits, and whether it gets a second chance.
 *
 * The deadline is Butskoy's get_timeout() (-w MAX,HERE,NEAR: HERE times
 * the RTT of an answer from the same hop, else NEAR times the RTT of an
 * answer from a later hop, else MAX) plus one rule of ours for a silent
 * destination.  The retry policy exists because routers rate-limit ICMP
 * errors (Linux: a burst of 6, then one a second per destination): a
 * probe that went unanswered while others of its hop answered, or at the
 * frontier where nothing further has answered yet (a destination whose
 * bucket is empty), is sent once more, at least TRT_RETRY_PACE after its
 * first send and after the previous retry of its hop, so a fast run does
 * not invent silent hops.  Pure decisions over the table; trace.c acts.
 */
#include <stdint.h>

#include "traceroute.h"

static inline nsec_t imin_ns(nsec_t a, nsec_t b) { return a < b ? a : b; }

static nsec_t scaled(nsec_t rtt, double factor)
{
	return (nsec_t)((double)rtt * factor);
}

/* Butskoy's get_timeout(), plus one rule of ours: when neither the same
 * hop nor a later one has answered but an earlier one has, NEAR times
 * that earlier hop's RTT (floored), so a silent destination does not
 * cost MAX before its retry. */
nsec_t trt_probe_wait(const struct trt *t, int slot)
{
	const struct trt_conf *c = t->conf;
	int nq = c->nqueries, hop0 = slot - slot % nq;
	nsec_t w = c->wait_max;
	if (c->here > 0) {
		for (int i = hop0; i < hop0 + nq; i++)
			if (i != slot && t->probes[i].answered)
				return imin_ns(scaled(t->probes[i].rtt, c->here), w);
	}
	if (c->near > 0) {
		for (int i = hop0 + nq; i < t->next_send; i++)
			if (t->probes[i].answered)
				return imin_ns(scaled(t->probes[i].rtt, c->near), w);
		if (!c->no_retry) {
			for (int i = hop0 - 1; i >= 0; i--) {
				if (t->probes[i].answered) {
					nsec_t v = scaled(t->probes[i].rtt, c->near);
					if (v < TRT_MIN_NEAR_WAIT)
						v = TRT_MIN_NEAR_WAIT;
					return imin_ns(v, w);
				}
			}
		}
	}
	return w;
}

static bool hop_answered(const struct trt *t, int hop0)
{
	for (int i = hop0; i < hop0 + t->conf->nqueries && i < t->nprobes; i++)
		if (t->probes[i].answered)
			return true;
	return false;
}

/* Should an unanswered probe be sent once more before it becomes "*"?
 * Yes when its own hop answered other probes (that router speaks, but
 * its ICMP bucket ran dry), or when it is the frontier: the hop before
 * answered and nothing beyond has (a destination that rate-limits its
 * port unreachables looks exactly like this).  A hop that is silent
 * while later hops answer is a silent router: no retry. */
bool trt_is_frontier(const struct trt *t, int slot)
{
	int nq = t->conf->nqueries, hop0 = slot - slot % nq;
	if (hop_answered(t, hop0))
		return false;
	if (hop0 > 0 && !hop_answered(t, hop0 - nq))
		return false;
	for (int i = hop0 + nq; i < t->next_send; i++)
		if (t->probes[i].answered)
			return false;
	return true;
}

bool trt_retry_eligible(const struct trt *t, int slot)
{
	const struct trt_probe *p = &t->probes[slot];
	int nq = t->conf->nqueries, hop0 = slot - slot % nq;
	if (t->conf->no_retry || p->retried || p->sends >= TRT_MAX_SENDS)
		return false;
	return hop_answered(t, hop0) || trt_is_frontier(t, slot);
}

/* A frontier hop whose first retry also went unanswered is silent: its
 * other retries are not worth another second each. */
bool trt_frontier_gave_up(const struct trt *t, int slot)
{
	int nq = t->conf->nqueries, hop0 = slot - slot % nq;
	if (hop_answered(t, hop0))
		return false;
	for (int i = hop0; i < hop0 + nq; i++) {
		const struct trt_probe *o = &t->probes[i];
		if (i != slot && o->retried && o->state == PR_DONE)
			return true;
	}
	return false;
}

/* The first slot of the nearest hop being retried as the frontier, or -1.
 * While there is one, a probe beyond it would reach the same (possibly
 * rate-limited) destination and take the token the retry waits for, and
 * a silent probe beyond it cannot be judged yet: that hop may turn out to
 * be the destination.  So new sends stop there and judgement waits. */
int trt_frontier_hold(const struct trt *t)
{
	int nq = t->conf->nqueries;
	for (int hop0 = t->next_print - t->next_print % nq; hop0 < t->next_send; hop0 += nq) {
		for (int i = hop0; i < hop0 + nq && i < t->next_send; i++) {
			const struct trt_probe *p = &t->probes[i];
			if (p->retried && (p->state == PR_RETRY || p->state == PR_INFLIGHT) &&
			    trt_is_frontier(t, i))
				return hop0;
		}
	}
	return -1;
}

/* A paced retry: at least TRT_RETRY_PACE after the probe's own send (the
 * router's bucket refills one token a second) and after any other retry
 * of the same hop (one router, one bucket).  Different hops are
 * different routers and do not wait for each other. */
void trt_schedule_retry(struct trt *t, int slot)
{
	struct trt_probe *p = &t->probes[slot];
	int nq = t->conf->nqueries, hop0 = slot - slot % nq;
	nsec_t at = p->tx_mono + TRT_RETRY_PACE;
	for (int i = hop0; i < hop0 + nq; i++) {
		const struct trt_probe *o = &t->probes[i];
		if (i != slot && o->retried && o->retry_at != INT64_MAX && o->retry_at + TRT_RETRY_PACE > at)
			at = o->retry_at + TRT_RETRY_PACE;
	}
	p->retried = true;
	p->retry_at = at;
	trt_set_state(t, slot, PR_RETRY);
}

/* How long a black-hole search probe waits: NEAR times the slowest
 * answer of the hop before, floored; MAX when there is none. */
nsec_t trt_bh_wait(const struct trt *t)
{
	const struct trt_conf *c = t->conf;
	nsec_t rtt = -1;
	int nq = c->nqueries, hop0 = (t->bh.ttl - c->first_ttl) * nq;
	for (int i = hop0 - nq; i >= 0 && i < hop0; i++)
		if (t->probes[i].answered && t->probes[i].rtt > rtt)
			rtt = t->probes[i].rtt;
	if (rtt < 0 || c->near <= 0)
		return c->wait_max;
	nsec_t v = scaled(rtt, c->near);
	return imin_ns(v < TRT_MIN_NEAR_WAIT ? TRT_MIN_NEAR_WAIT : v, c->wait_max);
}
