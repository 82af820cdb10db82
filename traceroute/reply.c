/*
 * reply — what comes back: read the sockets, hand each packet to the
 * matcher (match.c, method_tcp.c), and record what a reply says about its
 * probe in the table.  The schedule (trace.c) runs once per batch.
 *
 * Where errors come from (main.c opens the sockets): the UDP probe
 * socket's error queue always, and a raw ICMP socket when the capability
 * allowed one.  With both, an error reaches us twice; the queue's copy is
 * the one recorded, and the raw copy only when its quote is too short
 * for the queue to name the probe (errq_has_it).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sock.h"
#include "traceroute.h"

/* Packets read per wakeup before yielding to timers: a flood of
 * unrelated ICMP cannot starve the schedule. */
#define TRT_RX_BATCH 64

/* Record what a reply says about its probe.  The caller runs trt_progress()
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
		trt_set_state(t, r->slot, PR_DONE);
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
	trt_set_state(t, r->slot, PR_DONE);
	if (r->final && p->ttl < t->final_ttl) {
		t->final_ttl = p->ttl;
		trt_discard_beyond(t);
	}
}

/* Would the error queue name this error's probe itself?  Then the raw
 * socket's copy is only shown (-v, --pcap): the queue's copy is recorded,
 * so one error is never counted twice. */
static bool errq_has_it(const struct trt *t, const struct trt_reply *r)
{
	return t->errq_fd >= 0 && t->errq_fd != t->fd && r->is_icmp_error &&
	       r->l4_quoted >= t->m->errq_id_len;
}

/* The ICMP errors on errq_fd's error queue. */
static bool rx_errq(struct trt *t, int fd)
{
	bool got = false;
	for (int n = 0; n < TRT_RX_BATCH && !t->finished; n++) {
		struct addr to;
		uint16_t port = 0;
		struct rxmeta meta;
		ssize_t len = sock_recv(fd, t->rxbuf, TRT_BUF, &to, &port, &meta, true);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct trt_reply r;
		if (trt_match_errq(t, t->rxbuf, (size_t)len, &meta, &to, port, &r) < 0) {
			/* with a raw socket too, its copy may still name the probe */
			if (t->fd < 0 || t->fd == fd)
				t->ignored++;
			continue;
		}
		if (t->fd < 0 || t->fd == fd)   /* no raw copy to show: rebuild it */
			out_errq(t, &meta, t->rxbuf, (size_t)len);
		trt_on_reply(t, &r, meta.ts);
		got = true;
	}
	return got;
}

void trt_rx(void *arg, int fd, short revents)
{
	(void)revents;
	struct trt *t = arg;
	bool got = false;
	/* POLLERR is not always set when POLLIN is: the queue is read first
	 * every time (it also clears the socket error a plain read returns). */
	if (fd == t->errq_fd)
		got = rx_errq(t, fd);
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
		bool raw_ip = t->fam->raw_rx_has_ip_header && !(fd == t->fd && t->icmp_dgram);
		uint8_t proto = fd == t->fd ? (uint8_t)t->fam->icmp_proto : t->m->proto;
		struct trt_reply r;
		int rc;
		if (fd == t->fd) {
			rc = trt_match_icmp(t, t->rxbuf, (size_t)len, &from, meta.ttl, &r);
		} else if (t->m->raw_tcp) {
			rc = trt_match_tcp(t, t->rxbuf, (size_t)len, &from, meta.ttl, &r);
		} else {
			t->ignored++;   /* a datagram to our UDP port: nobody answers that way */
			continue;
		}
		t->rx_from = from;
		if (rc < 0) {
			t->ignored++;
			if (t->conf->verbose)
				out_packet(t, "ignored", t->rxbuf, (size_t)len, !raw_ip, proto, meta.ttl, false);
			continue;
		}
		out_packet(t, "recv", t->rxbuf, (size_t)len, !raw_ip, proto, meta.ttl, false);
		if (errq_has_it(t, &r))
			continue;
		trt_on_reply(t, &r, meta.ts);
		got = true;
	}
	if (got)
		trt_progress(t);
}
