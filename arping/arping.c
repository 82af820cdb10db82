/*
 * arping — the probe engine: ARP requests (default), duplicate address
 * detection (-D), unsolicited announcements (-U, -A), reply matching.
 *
 * Timing and counting follow iputils arping: the first probe goes at
 * once, then one per interval; the run ends when -c probes have had their
 * interval, at -w, on the first reply with -f/-D, or after the last
 * announcement with -U/-A.  The first reply switches to unicast to the
 * MAC that answered (unless -b).  What differs is the clock: an RTT is
 * the kernel's receive stamp of the reply minus the kernel's transmit
 * stamp of the latest probe (iputils reads the monotonic clock in user
 * space and adds 0.5 ms), and every MAC that answers for the address is
 * remembered so a second one is flagged as an address conflict.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>

#include "arping.h"
#include "packet.h"

/* A kernel transmit stamp further than this from our own clock reading
 * is not believed (a key that got out of step with our sends). */
#define ARPING_TXSTAMP_SLACK (10 * NS_PER_S)
/* Frames read per wakeup: a burst of ARP (a scan next door) must not
 * starve the timers; poll() says at once when more are queued. */
#define ARPING_RX_BURST 64

static void tick(void *arg);

long long arping_us(nsec_t from, nsec_t to)
{
	nsec_t d = to - from;
	return d > 0 ? (d + NS_PER_US / 2) / NS_PER_US : 0;
}

size_t arping_build(const uint8_t dst_mac[ETHER_ADDR_LEN], const uint8_t src_mac[ETHER_ADDR_LEN],
		    const struct arp_msg *m, uint8_t *buf, size_t cap)
{
	struct ether_hdr h = { .type = ETHERTYPE_ARP };
	memcpy(h.dst, dst_mac, ETHER_ADDR_LEN);
	memcpy(h.src, src_mac, ETHER_ADDR_LEN);
	struct wr w = wr_init(buf, cap);
	if (ether_encode(&w, &h) < 0 || arp_encode(&w, m) < 0)
		return 0;
	return wr_len(&w);
}

void arping_show(struct arping *a, const char *what, const void *frame, size_t len)
{
	if (a->dec.out)
		decode_packet(&a->dec, what, DECODE_FROM_ETHER, NULL, frame, len);
}

void arping_record(struct arping *a, nsec_t ts, const void *frame, size_t len)
{
	if (pcap_is_open(&a->pcap))
		pcap_write(&a->pcap, ts ? ts : clock_real(), frame, len);
}

void arping_drain_stamps(struct arping *a, void (*cb)(struct arping *a, uint32_t key, nsec_t ts))
{
	uint32_t key;
	nsec_t ts;
	/* packet_tx_stamp bounds each call; this bounds the calls. */
	for (int i = 0; i < ARPING_RX_BURST && packet_tx_stamp(a->fd, &key, &ts) == 1; i++)
		cb(a, key, ts);
}

static void take_stamp(struct arping *a, uint32_t key, nsec_t ts)
{
	if (key == a->last_key && ts >= a->last_tx_user && ts - a->last_tx_user < ARPING_TXSTAMP_SLACK)
		a->last_tx = ts;
}

/* iputils' exit code evaluation (finish() in arping.c, current). */
static int exit_code(const struct arping *a)
{
	const struct arping_conf *c = a->conf;
	if (c->dad)
		return a->received ? 1 : 0;
	if (c->unsolicited)
		return 0;
	if (c->deadline && c->count > 0 && !c->quit_on_reply)
		return a->received >= c->count ? 0 : 1;
	return a->received ? 0 : 1;
}

static void finish(struct arping *a)
{
	if (a->finished)
		return;
	a->finished = true;
	loop_cancel(a->loop, tick, a);
	loop_fd_remove(a->loop, a->fd);
	a->exit_code = exit_code(a);
	out_summary(a);
	loop_exit(a->loop, a->exit_code);
}

static void send_probe(struct arping *a)
{
	const struct arping_conf *c = a->conf;
	struct arp_msg m = { .op = c->advert ? ARP_REPLY : ARP_REQUEST, .spa = a->src, .tpa = a->dst };
	memcpy(m.sha, a->mymac, ETHER_ADDR_LEN);
	/* iputils: the target hardware address is the frame's destination
	 * (broadcast, then the learned MAC), ours for -A. */
	memcpy(m.tha, c->advert ? a->mymac : a->he, ETHER_ADDR_LEN);
	uint8_t frame[ETHER_HDR_LEN + ARP_LEN];
	size_t len = arping_build(a->he, a->mymac, &m, frame, sizeof(frame));
	nsec_t now = clock_real();
	ssize_t n = packet_send(a->fd, a->ifindex, frame, len);
	if (n != (ssize_t)len) {
		/* iputils counts only what went out; say why once per failure. */
		fprintf(stderr, "%s: sendto: %s\n", c->prog, strerror(errno));
		return;
	}
	a->last_tx = a->last_tx_user = now;
	a->last_key = a->tx_key++;
	a->sent++;
	if (!a->unicasting)
		a->brd_sent++;
	arping_show(a, a->unicasting ? "sent unicast" : "sent broadcast", frame, len);
	arping_record(a, now, frame, len);
}

static void tick(void *arg)
{
	struct arping *a = arg;
	const struct arping_conf *c = a->conf;
	a->ticks++;
	if (c->count > 0 && c->count < a->ticks) {
		finish(a);
		return;
	}
	send_probe(a);
	if (c->unsolicited && a->sent == c->count) {
		finish(a);
		return;
	}
	loop_timer_at(a->loop, a->start + a->ticks * c->interval, tick, a);
}

/* iputils polls its interval and deadline timers in one pass, interval
 * first: a probe due at the deadline still goes out (-w 3 sends 4). */
#define ARPING_SAME_INSTANT (2 * NS_PER_MS)

static void deadline_done(void *arg)
{
	struct arping *a = arg;
	nsec_t next = a->start + a->ticks * a->conf->interval;
	if (loop_pending(a->loop, tick, a) && next <= clock_mono() + ARPING_SAME_INSTANT)
		tick(a);
	finish(a);
}

void arping_on_signal(void *arg, int signo)
{
	struct arping *a = arg;
	(void)signo;
	if (a->scan)
		scan_stop(a);
	else
		finish(a);
}

/* Remember who answered; a second MAC for the address is a conflict. */
static int note_mac(struct arping *a, const uint8_t *mac)
{
	for (int i = 0; i < a->nmacs; i++) {
		if (memcmp(a->macs[i].mac, mac, ETHER_ADDR_LEN) == 0) {
			a->macs[i].replies++;
			return i;
		}
	}
	if (a->nmacs == ARPING_MAX_MACS)
		return -1;
	memcpy(a->macs[a->nmacs].mac, mac, ETHER_ADDR_LEN);
	a->macs[a->nmacs].replies = 1;
	return a->nmacs++;
}

/* iputils' recv_pack() checks: is this an answer to what we asked? */
static const char *why_not_ours(const struct arping *a, const struct arp_msg *m)
{
	if (!addr_eq(&m->spa, &a->dst))
		return "ignored: sender is not the address asked about";
	if (!a->conf->dad) {
		if (!addr_eq(&m->tpa, &a->src))
			return "ignored: not addressed to our source address";
		if (memcmp(m->tha, a->mymac, ETHER_ADDR_LEN) != 0)
			return "ignored: not addressed to our MAC";
		return NULL;
	}
	/* DAD (RFC 5227 2.1.1): someone else claiming the address. */
	if (memcmp(m->sha, a->mymac, ETHER_ADDR_LEN) == 0)
		return "ignored: our own frame";
	if (!addr_is_any(&a->src) && !addr_eq(&a->src, &m->tpa))
		return "ignored: not addressed to our source address";
	return NULL;
}

static void on_frame(struct arping *a, const uint8_t *buf, size_t len, const struct packet_meta *pm)
{
	const struct arping_conf *c = a->conf;
	nsec_t rx = pm->ts ? pm->ts : clock_real();
	/* Frames we sent, or unicast between other stations (promiscuous
	 * bridges), are not answers (iputils drops them the same way). */
	if (pm->pkttype != PACKET_HOST && pm->pkttype != PACKET_BROADCAST &&
	    pm->pkttype != PACKET_MULTICAST)
		return;
	arping_record(a, rx, buf, len);
	struct rd r = rd_init(buf, len);
	struct ether_hdr eh;
	struct arp_msg m;
	if (ether_decode(&r, &eh) < 0 || eh.type != ETHERTYPE_ARP || arp_decode(&r, &m) < 0 ||
	    (m.op != ARP_REQUEST && m.op != ARP_REPLY)) {
		a->ignored++;
		arping_show(a, "ignored: malformed", buf, len);
		return;
	}
	const char *why = why_not_ours(a, &m);
	if (why) {
		a->ignored++;
		arping_show(a, why, buf, len);
		return;
	}
	bool broadcast = pm->pkttype != PACKET_HOST;
	arping_show(a, broadcast ? "recv broadcast" : "recv unicast", buf, len);
	if (a->tx_stamps && a->last_tx == a->last_tx_user)
		arping_drain_stamps(a, take_stamp);

	int first = a->nmacs;
	int idx = note_mac(a, m.sha);
	bool new_mac = idx == first || idx < 0;
	struct arping_reply rep = {
		.arp = &m, .broadcast = broadcast,
		.rtt_us = a->sent ? arping_us(a->last_tx, rx) : -1,
		.new_mac = new_mac,
		.first_mac = a->nmacs > 1 ? a->macs[0].mac : NULL,
	};
	if (rep.rtt_us >= 0)
		stats_add(&a->rtt, rep.rtt_us);
	out_reply(a, &rep);
	if (new_mac && first > 0) {
		a->conflict = true;
		out_conflict(a, m.sha, a->macs[0].mac);
	}
	a->received++;
	/* iputils' order: -w with -c returns before counting the kind. */
	if (c->deadline && a->received == c->count) {
		finish(a);
		return;
	}
	if (broadcast)
		a->brd_recv++;
	if (m.op == ARP_REQUEST)
		a->req_recv++;
	if (c->quit_on_reply) {
		finish(a);
		return;
	}
	if (!c->broadcast_only) {
		memcpy(a->he, m.sha, ETHER_ADDR_LEN);
		a->unicasting = true;
	}
}

static void on_readable(void *arg, int fd, short revents)
{
	struct arping *a = arg;
	if (revents & POLLERR)
		arping_drain_stamps(a, take_stamp);
	for (int i = 0; i < ARPING_RX_BURST && !a->finished; i++) {
		struct packet_meta pm;
		ssize_t n = packet_recv(fd, a->rxbuf, sizeof(a->rxbuf), &pm);
		if (n < 0) {
			if (errno == ENETDOWN) {
				fprintf(stderr, "%s: recvfrom: %s\n", a->conf->prog, strerror(errno));
				a->exit_code = 2;
				loop_exit(a->loop, 2);
			}
			return;
		}
		on_frame(a, a->rxbuf, (size_t)n, &pm);
	}
}

int arping_setup(struct arping *a)
{
	stats_init(&a->rtt);
	memcpy(a->he, a->bcast, ETHER_ADDR_LEN);
	return loop_fd(a->loop, a->fd, POLLIN, on_readable, a);
}

void arping_start(struct arping *a)
{
	a->start = clock_mono();
	if (a->conf->deadline)
		loop_timer(a->loop, a->conf->deadline, deadline_done, a);
	tick(a);
}
