/*
 * scan — the probe table, paced sends, deadlines, decisions, the end.
 *
 * The table holds one entry per (round, port), round-major, and is the
 * single source of truth: a probe is IDLE, INFLIGHT or DONE.  Sends go out
 * in table order, no faster than --rate and no earlier than the start of
 * their round (-i); each probe's deadline is its send time plus -W, so the
 * deadlines are in table order too and one cursor (next_expire) with one
 * timer finds every timeout.  A probe is decided once — by the first
 * answer that matches it (raw.c, connect.c) or by its deadline — and its
 * row is printed at that moment; later answers are counted as late.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpprobe.h"

static void tick(void *arg);
static void expire(void *arg);

int scan_setup(struct tp *t)
{
	const struct tp_conf *c = t->conf;
	t->nprobes = c->nports * (size_t)c->count;
	t->probes = calloc(t->nprobes, sizeof(*t->probes));
	t->port_idx = malloc(65536 * sizeof(*t->port_idx));
	t->best = calloc(c->nports, 1);
	t->txkey_probe = malloc(TP_TXKEY_RING * sizeof(*t->txkey_probe));
	if (!t->probes || !t->port_idx || !t->best || !t->txkey_probe)
		return -1;
	for (size_t i = 0; i < 65536; i++)
		t->port_idx[i] = -1;
	for (size_t i = 0; i < TP_TXKEY_RING; i++)
		t->txkey_probe[i] = UINT32_MAX;
	for (size_t i = 0; i < c->nports; i++)
		if (t->port_idx[c->ports[i]] < 0)
			t->port_idx[c->ports[i]] = (int32_t)i;
	for (size_t i = 0; i < t->nprobes; i++) {
		t->probes[i].pidx = (uint32_t)(i % c->nports);
		t->probes[i].round = (uint32_t)(i / c->nports);
		t->probes[i].fd = -1;
	}
	stats_init(&t->rtt);
	return 0;
}

struct tp_probe *scan_find(struct tp *t, uint16_t port, uint32_t isn, bool any_isn)
{
	int32_t pidx = t->port_idx[port];
	if (pidx < 0 || t->next_send == 0)
		return NULL;
	size_t n = t->conf->nports;
	/* Newest round first: bounded by -c, the rounds this port has had. */
	for (size_t round = (t->next_send - 1) / n + 1; round-- > 0;) {
		size_t i = round * n + (size_t)pidx;
		if (i >= t->next_send)
			continue;
		struct tp_probe *p = &t->probes[i];
		if (any_isn ? p->state == TP_INFLIGHT : (p->state != TP_IDLE && p->isn == isn))
			return p;
	}
	return NULL;
}

static void finish(struct tp *t)
{
	if (t->finished)
		return;
	t->finished = true;
	loop_cancel(t->loop, tick, t);
	loop_cancel(t->loop, expire, t);
	out_summary(t);
	loop_exit(t->loop, 0);
}

static void arm_expire(struct tp *t)
{
	while (t->next_expire < t->next_send && t->probes[t->next_expire].state == TP_DONE)
		t->next_expire++;
	if (t->next_expire < t->next_send)
		loop_timer_at(t->loop, t->probes[t->next_expire].deadline, expire, t);
	else
		loop_cancel(t->loop, expire, t);
}

void scan_decide(struct tp *t, struct tp_probe *p, const struct tp_result *r)
{
	if (p->state != TP_INFLIGHT || t->finished)
		return;
	t->method->cancel(t, p);
	p->state = TP_DONE;
	p->cls = (uint8_t)r->cls;
	t->inflight--;
	t->decided++;
	if (r->reason != TP_R_TIMEOUT)
		t->answered++;
	if (t->best[p->pidx] < r->cls)
		t->best[p->pidx] = (uint8_t)r->cls;
	if (r->cls == TP_OPEN && r->rtt_us >= 0)
		stats_add(&t->rtt, r->rtt_us);
	out_result(t, p, r);
	if ((size_t)t->decided == t->nprobes) {
		finish(t);
		return;
	}
	if (p == &t->probes[t->next_expire])
		arm_expire(t);
	/* A send held back by the in-flight cap may go now. */
	if (t->max_inflight && t->next_send < t->nprobes && !loop_pending(t->loop, tick, t))
		loop_timer(t->loop, 0, tick, t);
}

static void expire(void *arg)
{
	struct tp *t = arg;
	nsec_t now = clock_mono();
	while (!t->finished && t->next_expire < t->next_send) {
		struct tp_probe *p = &t->probes[t->next_expire];
		if (p->state == TP_INFLIGHT && p->deadline > now)
			break;
		t->next_expire++;
		if (p->state == TP_INFLIGHT) {
			struct tp_result r = { .cls = TP_FILTERED, .reason = TP_R_TIMEOUT, .rtt_us = -1,
					       .ttl = -1, .info_wscale = -1 };
			scan_decide(t, p, &r);
		}
	}
	if (!t->finished)
		arm_expire(t);
}

/* Send what is due: rounds start -i apart, probes go --rate per second. */
static void tick(void *arg)
{
	struct tp *t = arg;
	const struct tp_conf *c = t->conf;
	nsec_t gap = NS_PER_S / c->rate;
	nsec_t now = clock_mono();
	for (int b = 0; b < TP_MAX_BATCH && t->next_send < t->nprobes && !t->finished; b++) {
		if (t->max_inflight && (size_t)t->inflight >= t->max_inflight)
			return;   /* scan_decide restarts us */
		struct tp_probe *p = &t->probes[t->next_send];
		nsec_t due = t->t0 + (nsec_t)p->round * c->interval;
		if (due < t->next_at)
			due = t->next_at;
		if (due > now) {
			loop_timer_at(t->loop, due, tick, t);
			return;
		}
		p->isn = tp_random32();
		p->state = TP_INFLIGHT;
		p->deadline = now + c->timeout;
		t->next_send++;
		t->inflight++;
		t->sent++;
		if (t->method->send(t, p) < 0) {
			int e = errno;
			p->state = TP_IDLE;
			t->next_send--;
			t->inflight--;
			t->sent--;
			if (e == ENOBUFS || e == EAGAIN) {
				/* The device queue is full: back off one slot. */
				t->next_at = now + gap;
				loop_timer(t->loop, gap, tick, t);
				return;
			}
			fprintf(stderr, "%s: %s: %s\n", c->prog,
				t->method == &tp_method_raw ? "sendto" : "connect", strerror(e));
			t->fatal = true;
			finish(t);
			return;
		}
		/* A slow wakeup may catch up, but never by more than a batch. */
		nsec_t floor = now - gap * TP_MAX_BATCH;
		t->next_at = (due > floor ? due : floor) + gap;
		if (!loop_pending(t->loop, expire, t))
			arm_expire(t);
	}
	if (t->next_send < t->nprobes && !t->finished)
		loop_timer(t->loop, 0, tick, t);
}

void scan_start(struct tp *t)
{
	t->t0 = clock_mono();
	t->next_at = t->t0;
	tick(t);
}

void scan_on_signal(void *arg, int signo)
{
	(void)signo;
	struct tp *t = arg;
	/* As ping: probes still in flight are not counted as lost. */
	for (size_t i = t->next_expire; i < t->next_send; i++) {
		struct tp_probe *p = &t->probes[i];
		if (p->state == TP_INFLIGHT) {
			t->method->cancel(t, p);
			p->state = TP_IDLE;
			t->sent--;
			t->inflight--;
		}
	}
	finish(t);
}

int scan_exit_code(const struct tp *t)
{
	if (t->fatal)
		return 2;
	for (size_t i = 0; i < t->conf->nports; i++)
		if (t->best[i] == TP_OPEN)
			return 0;
	return 1;
}
