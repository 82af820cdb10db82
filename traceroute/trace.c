/*
 * trace — the probe table: the single source of truth of a run, and the
 * scheduler that walks it.
 *
 * A flat array holds nqueries probes for every TTL from first to max.
 * Up to -N of them are in flight; each has a deadline (wait.c: Butskoy's
 * -w MAX,HERE,NEAR rule, recomputed whenever something is answered, so a
 * silent hop costs little once its neighbours have spoken).  Replies are
 * matched to their slot (match.c) and recorded (reply.c); rows are
 * printed strictly in order from the next_print cursor the moment they
 * are complete, and the run stops at the hop that answered "final".
 *
 * Probe states (enum trt_pstate): IDLE -> INFLIGHT -> DONE, or
 * INFLIGHT -> RETRY -> INFLIGHT -> DONE.  RETRY exists because routers
 * rate-limit ICMP errors (wait.c decides who gets a paced second send).
 * trt_set_state() is the one place a probe changes state.  Everything
 * here is driven by one timer (the earliest deadline, retry time or send
 * slot) and the socket callbacks (reply.c), which call trt_progress().
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sock.h"
#include "traceroute.h"

static const char *const pstate_names[PR_STATES] = {
	[PR_IDLE] = "idle", [PR_INFLIGHT] = "in flight", [PR_RETRY] = "retry", [PR_DONE] = "done",
};

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
void trt_set_state(struct trt *t, int slot, enum trt_pstate s)
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

void trt_unpark(struct trt *t, bool as_retry)
{
	nsec_t now = clock_mono();
	for (int i = t->next_print; i < t->next_send; i++) {
		struct trt_probe *p = &t->probes[i];
		if (p->state == PR_RETRY && p->retry_at == INT64_MAX) {
			if (as_retry && !p->retried) {
				trt_schedule_retry(t, i);
			} else if (as_retry) {
				trt_set_state(t, i, PR_DONE);
			} else {
				p->retry_at = now;
				p->size = t->size;   /* the size that passes the hole */
			}
		} else if (!as_retry && p->state == PR_INFLIGHT && p->size > t->size &&
			   p->ttl >= t->bh.ttl) {
			/* sent big while the search ran: it will vanish too */
			p->state = PR_RETRY;
			t->inflight--;
			p->retry_at = now;
			p->size = t->size;
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
		trt_set_state(t, slot, PR_DONE);
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
	trt_set_state(t, slot, PR_INFLIGHT);
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
void trt_discard_beyond(struct trt *t)
{
	for (int i = 0; i < t->next_send; i++) {
		struct trt_probe *p = &t->probes[i];
		if (p->ttl > t->final_ttl && p->state != PR_DONE)
			trt_set_state(t, i, PR_DONE);
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
	trt_progress(arg);
}

static void on_max_time(void *arg)
{
	struct trt *t = arg;
	/* Close the hop being printed: what has not answered is "*". */
	int nq = t->conf->nqueries;
	int end = t->next_print - t->next_print % nq + nq;
	for (int i = t->next_print; i < end && i < t->nprobes; i++)
		if (t->probes[i].state != PR_DONE)
			trt_set_state(t, i, PR_DONE);
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


/* Expire, retry and send; arm the timer for the next thing to do. */
static void schedule(struct trt *t)
{
	const struct trt_conf *c = t->conf;
	nsec_t now = clock_mono(), next = INT64_MAX;
	int nq = c->nqueries, hold = trt_frontier_hold(t);
	for (int i = t->next_print; i < t->next_send && !t->finished; i++) {
		struct trt_probe *p = &t->probes[i];
		if (p->ttl > t->final_ttl)
			break;
		if (p->state == PR_INFLIGHT) {
			nsec_t dl = p->tx_mono + trt_probe_wait(t, i);
			if (now < dl) {
				next = next < dl ? next : dl;
				continue;
			}
			if (hold >= 0 && i >= hold + nq)
				continue;   /* judged once the frontier's retry is */
			/* --mtu: a hop is judged only after the hop before it, so
			 * a black hole is found at its first silent hop, not at a
			 * later one whose resend happened to expire first. */
			if (c->mtu && prev_hop_pending(t, i))
				continue;
			if (c->mtu && trt_bh_check(t, i)) {
				trt_set_state(t, i, PR_RETRY);   /* parked until the search ends */
				p->retry_at = INT64_MAX;
				continue;
			}
			if (trt_retry_eligible(t, i)) {
				trt_schedule_retry(t, i);
				if (hold < 0 && trt_is_frontier(t, i))
					hold = i - i % nq;
			} else {
				trt_set_state(t, i, PR_DONE);
				continue;
			}
		}
		if (p->state == PR_RETRY && p->retry_at != INT64_MAX) {
			if (trt_frontier_gave_up(t, i)) {
				trt_set_state(t, i, PR_DONE);
				continue;
			}
			if (now >= p->retry_at) {
				t->retries++;
				/* the size it had: a path MTU found meanwhile beyond
				 * this hop must not mark F= here (a too-big for this
				 * probe lowers it as for any other) */
				if (trt_send_slot(t, i, p->size) < 0)
					return;
				next = next < now ? next : now;
			} else {
				next = next < p->retry_at ? next : p->retry_at;
			}
		}
	}
	if (t->bh.active && t->probes[t->bh.slot].state == PR_INFLIGHT) {
		struct trt_probe *b = &t->probes[t->bh.slot];
		nsec_t dl = b->tx_mono + trt_bh_wait(t);
		if (now >= dl) {
			trt_set_state(t, t->bh.slot, PR_DONE);
			trt_bh_on_result(t, false, NULL);
			next = now;
		} else {
			next = next < dl ? next : dl;
		}
	}
	/* New probes, up to -N in flight, never past the final hop. */
	hold = trt_frontier_hold(t);
	while (!t->finished && t->inflight < c->sim && t->next_send < t->nprobes &&
	       t->probes[t->next_send].ttl <= t->final_ttl && !t->bh.active &&
	       (hold < 0 || t->next_send < hold + nq)) {
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
			at = p->tx_mono + trt_probe_wait(t, i);
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

void trt_progress(struct trt *t)
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
	trt_progress(t);
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
