/*
 * trace — the probe table: the single source of truth of a run.
 *
 * A flat array holds nqueries probes for every TTL from first to max.
 * Up to -N of them are in flight; each has a deadline computed the way
 * Butskoy's get_timeout() does (-w MAX,HERE,NEAR: HERE times the RTT of
 * an answer from the same hop, else NEAR times the RTT of an answer from
 * a later hop, else MAX), recomputed whenever something is answered, so
 * a silent hop costs little once its neighbours have spoken.  Replies
 * are matched to their slot by the method (match.c); rows are printed
 * strictly in order from the next_print cursor the moment they are
 * complete, and the run stops at the hop that answered "final".
 *
 * Probe states (enum trt_pstate): IDLE -> INFLIGHT -> DONE, or
 * INFLIGHT -> RETRY -> INFLIGHT -> DONE.  RETRY exists because routers
 * rate-limit ICMP errors (Linux: a burst of 6, then one a second per
 * destination): a probe that went unanswered while others of its hop
 * answered, or at the frontier where nothing further has answered yet
 * (a destination whose bucket is empty), is sent once more, at least
 * TRT_RETRY_PACE after its first send and after the previous retry, so
 * a fast run does not invent silent hops.  Everything here is driven by
 * one timer (the earliest deadline, retry time or send slot) and the
 * socket callbacks.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sock.h"
#include "traceroute.h"

/* Packets read per wakeup before yielding to timers: a flood of
 * unrelated ICMP cannot starve the schedule. */
#define TRT_RX_BATCH 64

static const char *const pstate_names[PR_STATES] = {
	[PR_IDLE] = "idle", [PR_INFLIGHT] = "in flight", [PR_RETRY] = "retry", [PR_DONE] = "done",
};

static void progress(struct trt *t);

static inline nsec_t imin_ns(nsec_t a, nsec_t b) { return a < b ? a : b; }

int trt_slot_ttl(const struct trt *t, int slot)
{
	return t->conf->first_ttl + slot / t->conf->nqueries;
}

int trt_table_init(struct trt *t)
{
	const struct trt_conf *c = t->conf;
	int hops = c->max_ttl - c->first_ttl + 1;
	t->nprobes = hops * c->nqueries;
	/* one extra slot: the black-hole search's probe */
	t->probes = calloc((size_t)t->nprobes + 1, sizeof(*t->probes));
	if (!t->probes)
		return -1;
	t->bh.slot = t->nprobes;
	for (int i = 0; i < t->nprobes; i++)
		t->probes[i].ttl = trt_slot_ttl(t, i);
	t->final_ttl = INT_MAX;
	return 0;
}

/* The one place a probe changes state (-vv logs every transition). */
static void set_state(struct trt *t, int slot, enum trt_pstate s)
{
	struct trt_probe *p = &t->probes[slot];
	if (p->state == PR_INFLIGHT)
		t->inflight--;
	if (s == PR_INFLIGHT)
		t->inflight++;
	if (t->conf->verbose >= 2)
		fprintf(t->dec.out, "[%10.3f ms] probe %d (ttl %d): %s -> %s\n",
			(double)(clock_mono() - t->start) / NS_PER_MS, slot, p->ttl,
			pstate_names[p->state], pstate_names[s]);
	p->state = s;
}

static nsec_t scaled(nsec_t rtt, double factor)
{
	return (nsec_t)((double)rtt * factor);
}

/* Butskoy's get_timeout(), plus one rule of ours: when neither the same
 * hop nor a later one has answered but an earlier one has, NEAR times
 * that earlier hop's RTT (floored), so a silent destination does not
 * cost MAX before its retry. */
static nsec_t probe_wait(const struct trt *t, int slot)
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

static bool retry_eligible(const struct trt *t, int slot)
{
	const struct trt_probe *p = &t->probes[slot];
	int nq = t->conf->nqueries, hop0 = slot - slot % nq;
	if (t->conf->no_retry || p->retried || p->sends >= TRT_MAX_SENDS)
		return false;
	return hop_answered(t, hop0) || trt_is_frontier(t, slot);
}

/* A paced retry: at least TRT_RETRY_PACE after the probe's own send (the
 * router's bucket refills one token a second) and after any other retry
 * of the same hop (one router, one bucket).  Different hops are
 * different routers and do not wait for each other. */
static void schedule_retry(struct trt *t, int slot)
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
	set_state(t, slot, PR_RETRY);
}

void trt_unpark(struct trt *t, bool as_retry)
{
	nsec_t now = clock_mono();
	for (int i = t->next_print; i < t->next_send; i++) {
		struct trt_probe *p = &t->probes[i];
		if (p->state == PR_RETRY && p->retry_at == INT64_MAX) {
			if (as_retry && !p->retried)
				schedule_retry(t, i);
			else if (as_retry)
				set_state(t, i, PR_DONE);
			else
				p->retry_at = now;
		} else if (!as_retry && p->state == PR_INFLIGHT && p->size > t->size &&
			   p->ttl >= t->bh.ttl) {
			/* sent big while the search ran: it will vanish too */
			p->state = PR_RETRY;
			t->inflight--;
			p->retry_at = now;
		}
	}
}

static void fatal(struct trt *t, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", t->conf->prog, what, strerror(err));
	t->finished = true;
	loop_exit(t->loop, 2);
}

int trt_send_slot(struct trt *t, int slot, size_t size)
{
	struct trt_probe *p = &t->probes[slot];
	int send = p->sends;
	if (send >= TRT_MAX_SENDS) {
		set_state(t, slot, PR_DONE);
		return 0;
	}
	nsec_t now_real = clock_real();
	p->size = size;
	int rc = t->m->send(t, slot, send, p->ttl, size);
	p->tx_real[send] = now_real;
	p->tx_mono = clock_mono();
	p->sends++;
	t->sent++;
	t->last_send = p->tx_mono;
	set_state(t, slot, PR_INFLIGHT);
	if (rc < 0) {
		/* A full queue or a local refusal of one probe is a lost
		 * probe; anything else (no route, no permission) ends the run. */
		if (errno == ENOBUFS || errno == EAGAIN || errno == ENOMEM)
			return 0;
		if (errno == EMSGSIZE && t->conf->mtu)
			return 0;
		fatal(t, "send", errno);
		return -1;
	}
	return 0;
}

static int send_probe(struct trt *t, int slot)
{
	return trt_send_slot(t, slot, t->size);
}

/* Probes beyond the final hop will never be printed: forget them. */
static void discard_beyond(struct trt *t)
{
	for (int i = 0; i < t->next_send; i++) {
		struct trt_probe *p = &t->probes[i];
		if (p->ttl > t->final_ttl && p->state != PR_DONE)
			set_state(t, i, PR_DONE);
	}
}

static void finish(struct trt *t)
{
	if (t->finished)
		return;
	t->finished = true;
	if (t->line_ttl)
		out_end_line(t);
	if (t->conf->mtu)
		trt_pmtu_summary(t);
	out_summary_json(t);
	loop_exit(t->loop, trt_exit_code(t));
}

static void print_ready(struct trt *t)
{
	int nq = t->conf->nqueries;
	while (!t->finished && t->next_print < t->nprobes) {
		struct trt_probe *p = &t->probes[t->next_print];
		if (p->ttl > t->final_ttl || p->state != PR_DONE)
			break;
		if (t->conf->mtu && p->answered && p->size != t->shown_mtu) {
			p->mtu_shown = (uint32_t)p->size;   /* Butskoy's F=<mtu> */
			t->shown_mtu = (uint32_t)p->size;
		}
		out_probe(t, t->next_print);
		t->next_print++;
		if (t->next_print % nq == 0) {
			out_hop_json(t, p->ttl);
			out_end_line(t);
			if (p->ttl >= t->final_ttl) {
				finish(t);
				return;
			}
		}
	}
	if (t->next_print >= t->nprobes ||
	    (t->next_print < t->nprobes && t->probes[t->next_print].ttl > t->final_ttl))
		finish(t);
}

static void on_timer(void *arg)
{
	progress(arg);
}

static void on_max_time(void *arg)
{
	struct trt *t = arg;
	/* Close the hop being printed: what has not answered is "*". */
	int nq = t->conf->nqueries;
	int end = t->next_print - t->next_print % nq + nq;
	for (int i = t->next_print; i < end && i < t->nprobes; i++)
		if (t->probes[i].state != PR_DONE)
			set_state(t, i, PR_DONE);
	if (t->next_print < t->nprobes)
		t->final_ttl = t->probes[t->next_print].ttl;
	print_ready(t);
	finish(t);
}

/* Does the hop before slot's still have a probe in flight or waiting? */
static bool prev_hop_pending(const struct trt *t, int slot)
{
	int nq = t->conf->nqueries, hop0 = slot - slot % nq;
	for (int i = hop0 - nq; i >= 0 && i < hop0; i++)
		if (t->probes[i].state == PR_INFLIGHT || t->probes[i].state == PR_RETRY)
			return true;
	return false;
}

/* How long a black-hole search probe waits: NEAR times the slowest
 * answer of the hop before, floored; MAX when there is none. */
static nsec_t bh_wait(const struct trt *t)
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

/* Expire, retry and send; arm the timer for the next thing to do. */
static void schedule(struct trt *t)
{
	const struct trt_conf *c = t->conf;
	nsec_t now = clock_mono(), next = INT64_MAX;
	for (int i = t->next_print; i < t->next_send && !t->finished; i++) {
		struct trt_probe *p = &t->probes[i];
		if (p->ttl > t->final_ttl)
			break;
		if (p->state == PR_INFLIGHT) {
			nsec_t dl = p->tx_mono + probe_wait(t, i);
			if (now < dl) {
				next = next < dl ? next : dl;
				continue;
			}
			/* --mtu: a hop is judged only after the hop before it, so
			 * a black hole is found at its first silent hop, not at a
			 * later one whose resend happened to expire first. */
			if (c->mtu && prev_hop_pending(t, i))
				continue;
			if (c->mtu && trt_bh_check(t, i)) {
				set_state(t, i, PR_RETRY);   /* parked until the search ends */
				p->retry_at = INT64_MAX;
				continue;
			}
			if (retry_eligible(t, i)) {
				schedule_retry(t, i);
			} else {
				set_state(t, i, PR_DONE);
				continue;
			}
		}
		if (p->state == PR_RETRY && p->retry_at != INT64_MAX) {
			if (now >= p->retry_at) {
				t->retries++;
				if (send_probe(t, i) < 0)
					return;
				next = next < now ? next : now;
			} else {
				next = next < p->retry_at ? next : p->retry_at;
			}
		}
	}
	if (t->bh.active && t->probes[t->bh.slot].state == PR_INFLIGHT) {
		struct trt_probe *b = &t->probes[t->bh.slot];
		nsec_t dl = b->tx_mono + bh_wait(t);
		if (now >= dl) {
			set_state(t, t->bh.slot, PR_DONE);
			trt_bh_on_result(t, false, NULL);
			next = now;
		} else {
			next = next < dl ? next : dl;
		}
	}
	/* New probes, up to -N in flight, never past the final hop. */
	while (!t->finished && t->inflight < c->sim && t->next_send < t->nprobes &&
	       t->probes[t->next_send].ttl <= t->final_ttl && !t->bh.active) {
		if (c->sendwait && t->sent && now < t->last_send + c->sendwait) {
			nsec_t at = t->last_send + c->sendwait;
			next = next < at ? next : at;
			break;
		}
		if (send_probe(t, t->next_send) < 0)
			return;
		t->next_send++;
		now = clock_mono();
	}
	if (t->finished)
		return;
	/* The next thing to do: a deadline of a probe just sent counts too. */
	for (int i = t->next_print; i < t->next_send; i++) {
		const struct trt_probe *p = &t->probes[i];
		if (p->ttl > t->final_ttl)
			break;
		nsec_t at = INT64_MAX;
		if (p->state == PR_INFLIGHT) {
			at = p->tx_mono + probe_wait(t, i);
			if (at <= now)   /* expired but waiting on the hop before */
				at = now + TRT_RECHECK;
		}
		else if (p->state == PR_RETRY)
			at = p->retry_at;
		next = next < at ? next : at;
	}
	if (next != INT64_MAX)
		loop_timer_at(t->loop, next, on_timer, t);
	else
		loop_cancel(t->loop, on_timer, t);
}


static void progress(struct trt *t)
{
	/* schedule() may expire probes that print_ready() can then print,
	 * and printing may end the run: alternate until nothing changes. */
	for (int round = 0; round < 4 && !t->finished; round++) {
		int before = t->next_print;
		schedule(t);
		print_ready(t);
		if (t->next_print == before)
			break;
	}
}

/* Record what a reply says about its probe.  The caller runs progress()
 * once per batch of replies: replies already queued must all be read
 * before any deadline is judged (with microsecond RTTs, Butskoy's HERE
 * rule would otherwise expire a probe whose answer is next in the queue). */
void trt_on_reply(struct trt *t, const struct trt_reply *r, nsec_t rx_real)
{
	struct trt_probe *p = &t->probes[r->slot];
	bool bh = r->slot == t->bh.slot;
	/* Accepted until the probe is printed, even after its deadline or
	 * while its retry waits: a late answer is still the truth. */
	if (t->finished || p->answered || p->state == PR_IDLE || (bh && p->state != PR_INFLIGHT) ||
	    (!bh && (r->slot < t->next_print || p->ttl > t->final_ttl))) {
		t->ignored++;   /* late, duplicate, or for a discarded hop */
		return;
	}
	if (bh) {
		set_state(t, r->slot, PR_DONE);
		if (r->too_big) {
			/* not a black hole after all: the router does speak */
			trt_pmtu_lower(t, p->size, r->mtu);
			t->bh.confirmed = false;
			trt_bh_on_result(t, false, NULL);
		} else {
			trt_bh_on_result(t, true, &r->from);
		}
		return;
	}
	if (r->too_big && t->conf->mtu && trt_pmtu_lower(t, p->size, r->mtu)) {
		if (p->state == PR_RETRY && p->retry_at == INT64_MAX)
			return;   /* parked: the black-hole search resends it */
		trt_send_slot(t, r->slot, t->size);
		return;
	}
	if (!rx_real)
		rx_real = clock_real();
	p->answered = true;
	p->from = r->from;
	p->rtt = rx_real - p->tx_real[r->send];
	if (p->rtt < 0)
		p->rtt = 0;
	p->recv_ttl = r->recv_ttl;
	p->icmp_type = r->type;
	p->icmp_code = r->code;
	p->final = r->final;
	snprintf(p->annot, sizeof(p->annot), "%s", r->annot);
	snprintf(p->ext, sizeof(p->ext), "%s", r->ext);
	set_state(t, r->slot, PR_DONE);
	if (r->final && p->ttl < t->final_ttl) {
		t->final_ttl = p->ttl;
		discard_beyond(t);
	}
}

void trt_rx(void *arg, int fd, short revents)
{
	(void)revents;
	struct trt *t = arg;
	bool got = false;
	for (int n = 0; n < TRT_RX_BATCH && !t->finished; n++) {
		struct addr from;
		uint16_t port = 0;
		struct rxmeta meta;
		ssize_t len = sock_recv(fd, t->rxbuf, TRT_BUF, &from, &port, &meta, false);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		bool raw_ip = t->fam->raw_rx_has_ip_header;
		uint8_t proto = fd == t->fd ? (uint8_t)t->fam->icmp_proto : t->m->proto;
		struct trt_reply r;
		int rc;
		if (fd == t->fd)
			rc = trt_match_icmp(t, t->rxbuf, (size_t)len, &from, meta.ttl, &r);
		else
			rc = trt_match_tcp(t, t->rxbuf, (size_t)len, &from, meta.ttl, &r);
		if (rc < 0) {
			t->ignored++;
			t->rx_from = from;
			if (t->conf->verbose)
				out_packet(t, "ignored", t->rxbuf, (size_t)len, !raw_ip, proto, meta.ttl, false);
			continue;
		}
		t->rx_from = from;
		out_packet(t, "recv", t->rxbuf, (size_t)len, !raw_ip, proto, meta.ttl, false);
		trt_on_reply(t, &r, meta.ts);
		got = true;
	}
	if (got)
		progress(t);
}

void trt_on_signal(void *arg, int signo)
{
	(void)signo;
	on_max_time(arg);
}

void trt_start(struct trt *t)
{
	t->start = clock_mono();
	if (t->conf->max_time)
		loop_timer(t->loop, t->conf->max_time, on_max_time, t);
	progress(t);
}

int trt_exit_code(const struct trt *t)
{
	for (int i = 0; i < t->nprobes; i++) {
		const struct trt_probe *p = &t->probes[i];
		if (p->answered && p->ttl <= t->final_ttl && addr_eq(&p->from, &t->dst))
			return 0;
	}
	return 1;
}
