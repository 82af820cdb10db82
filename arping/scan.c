/*
 * scan — --scan CIDR: ARP-sweep a subnet (arp-scan's job).
 *
 * Every address gets a request; a silent one is asked again when its
 * wait (--timeout) has passed, up to --retries more times.  Sends are
 * paced by one token schedule (--rate probes per second), retries first
 * when they are due, so a sweep never bursts onto the LAN.  Because every
 * try waits the same time and tries are sent in time order, the pending
 * windows form a FIFO: its head is always the next window to close, and
 * the run ends the moment the last one does — not at a fixed "timeout
 * plus slack".  One line per live host as its first answer arrives; a
 * second MAC answering for an address is printed again as a conflict.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>

#include "arping.h"
#include "packet.h"

#define SCAN_RX_BURST 64

struct scan_host {
	nsec_t tx;                    /* realtime send time of the latest try */
	nsec_t tx_user;
	nsec_t due;                   /* monotonic: when this try's window closes */
	uint8_t mac[ETHER_ADDR_LEN];  /* first MAC that answered */
	uint8_t tries;
	uint8_t nmacs;                /* distinct MACs seen (saturates) */
	bool answered;
};

struct scan {
	uint32_t base;                /* first address, host order */
	uint32_t n;                   /* addresses */
	struct scan_host *h;
	uint32_t *fifo;               /* open windows, oldest first (ring of n) */
	uint32_t head, count;
	uint32_t cursor;              /* next address never tried */
	uint32_t *keys;               /* tx-stamp key -> host (ring) */
	nsec_t next_send;             /* monotonic token schedule */
	nsec_t gap;                   /* 1 / rate */
	long long sent, responded, nconflicts;
	struct {
		uint32_t host;
		uint8_t mac[ETHER_ADDR_LEN];
	} conflicts[ARPING_SCAN_MAX_CONFLICTS];
	int nconf_kept;
	nsec_t start;
};

static void pace(void *arg);

static uint32_t addr_u32(const struct addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 |
	       a->bytes[3];
}

static void u32_addr(struct addr *a, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	addr_from_bytes(a, AF_INET, b);
}

int scan_setup(struct arping *a)
{
	const struct arping_conf *c = a->conf;
	struct scan *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	a->scan = s;
	unsigned p = c->scan_prefix;
	uint32_t mask = p ? ~0u << (32 - p) : 0;
	uint32_t net = addr_u32(&c->scan_net) & mask;
	uint64_t size = (uint64_t)1 << (32 - p);
	/* Network and broadcast addresses are nobody's, except in /31 and
	 * /32 (RFC 3021). */
	if (p <= 30) {
		s->base = net + 1;
		s->n = (uint32_t)(size - 2);
	} else {
		s->base = net;
		s->n = (uint32_t)size;
	}
	s->h = calloc(s->n, sizeof(*s->h));
	s->fifo = calloc(s->n, sizeof(*s->fifo));
	s->keys = calloc(ARPING_TXKEYS, sizeof(*s->keys));
	if (!s->h || !s->fifo || !s->keys)
		return -1;
	s->gap = NS_PER_S / c->rate;
	return 0;
}

void scan_free(struct arping *a)
{
	struct scan *s = a->scan;
	if (!s)
		return;
	free(s->h);
	free(s->fifo);
	free(s->keys);
	free(s);
	a->scan = NULL;
}

void scan_stop(struct arping *a)
{
	struct scan *s = a->scan;
	if (a->finished)
		return;
	a->finished = true;
	loop_cancel(a->loop, pace, a);
	loop_fd_remove(a->loop, a->fd);
	a->exit_code = s->responded ? 0 : 1;
	out_scan_summary(a, s->n, s->sent, s->responded, s->nconflicts, clock_mono() - s->start);
	loop_exit(a->loop, a->exit_code);
}

static void take_stamp(struct arping *a, uint32_t key, nsec_t ts)
{
	struct scan *s = a->scan;
	struct scan_host *h = &s->h[s->keys[key % ARPING_TXKEYS]];
	if (!h->answered && ts >= h->tx_user && ts - h->tx_user < 10 * NS_PER_S)
		h->tx = ts;
}

static void send_try(struct arping *a, uint32_t i)
{
	struct scan *s = a->scan;
	struct scan_host *h = &s->h[i];
	struct arp_msg m = { .op = ARP_REQUEST, .spa = a->src };
	u32_addr(&m.tpa, s->base + i);
	memcpy(m.sha, a->mymac, ETHER_ADDR_LEN);
	memset(m.tha, 0, ETHER_ADDR_LEN);       /* RFC 826: unknown */
	uint8_t frame[ETHER_HDR_LEN + ARP_LEN];
	size_t len = arping_build(a->bcast, a->mymac, &m, frame, sizeof(frame));
	nsec_t now = clock_real();
	h->tries++;
	h->due = clock_mono() + a->conf->scan_wait;
	/* The window opens whether or not the send worked: a failed send is
	 * retried like a lost one, and the run still ends. */
	s->fifo[(s->head + s->count) % s->n] = i;
	s->count++;
	if (packet_send(a->fd, a->ifindex, frame, len) != (ssize_t)len)
		return;
	h->tx = h->tx_user = now;
	s->keys[a->tx_key++ % ARPING_TXKEYS] = i;
	s->sent++;
	arping_show(a, "sent broadcast", frame, len);
	arping_record(a, now, frame, len);
}

/* One paced step: a due retry, else the next new address, else wait for
 * the oldest window; ends the run when nothing is left. */
static void pace(void *arg)
{
	struct arping *a = arg;
	struct scan *s = a->scan;
	nsec_t now = clock_mono();
	unsigned max_tries = 1 + (unsigned)a->conf->retries;
	/* Closed windows of answered hosts and of those out of tries leave;
	 * an answered host's window stays open to its end so a second
	 * station answering for the same address is still seen. */
	while (s->count) {
		struct scan_host *h = &s->h[s->fifo[s->head]];
		if (h->due > now)
			break;
		if (!h->answered && h->tries < max_tries)
			break;      /* due for a retry */
		s->head = (s->head + 1) % s->n;
		s->count--;
	}
	if (now < s->next_send) {
		loop_timer_at(a->loop, s->next_send, pace, a);
		return;
	}
	if (s->count && s->h[s->fifo[s->head]].due <= now) {
		/* The loop above left it: unanswered, with tries left. */
		uint32_t i = s->fifo[s->head];
		s->head = (s->head + 1) % s->n;
		s->count--;
		send_try(a, i);
	} else if (s->cursor < s->n) {
		/* Our own address answers nobody, not even us: skip it. */
		if (s->base + s->cursor == addr_u32(&a->src) && ++s->cursor == s->n) {
			loop_timer(a->loop, 0, pace, a);
			return;
		}
		send_try(a, s->cursor++);
	} else if (!s->count) {
		scan_stop(a);
		return;
	} else {
		loop_timer_at(a->loop, s->h[s->fifo[s->head]].due, pace, a);
		return;
	}
	s->next_send += s->gap;
	if (s->next_send < now - s->gap)
		s->next_send = now;   /* fell behind (a slow machine): no burst to catch up */
	loop_timer_at(a->loop, s->next_send, pace, a);
}

static bool seen_conflict(struct scan *s, uint32_t i, const uint8_t *mac)
{
	for (int k = 0; k < s->nconf_kept; k++)
		if (s->conflicts[k].host == i && memcmp(s->conflicts[k].mac, mac, ETHER_ADDR_LEN) == 0)
			return true;
	if (s->nconf_kept < ARPING_SCAN_MAX_CONFLICTS) {
		s->conflicts[s->nconf_kept].host = i;
		memcpy(s->conflicts[s->nconf_kept].mac, mac, ETHER_ADDR_LEN);
		s->nconf_kept++;
	}
	return false;
}

static void on_frame(struct arping *a, const uint8_t *buf, size_t len, const struct packet_meta *pm)
{
	struct scan *s = a->scan;
	if (pm->pkttype != PACKET_HOST && pm->pkttype != PACKET_BROADCAST)
		return;
	nsec_t rx = pm->ts ? pm->ts : clock_real();
	arping_record(a, rx, buf, len);
	struct rd r = rd_init(buf, len);
	struct ether_hdr eh;
	struct arp_msg m;
	if (ether_decode(&r, &eh) < 0 || eh.type != ETHERTYPE_ARP || arp_decode(&r, &m) < 0) {
		a->ignored++;
		arping_show(a, "ignored: malformed", buf, len);
		return;
	}
	uint32_t ip = addr_u32(&m.spa);
	uint32_t i = ip - s->base;
	if (m.op != ARP_REPLY || !addr_eq(&m.tpa, &a->src) ||
	    memcmp(m.tha, a->mymac, ETHER_ADDR_LEN) != 0 || ip < s->base || i >= s->n || !s->h[i].tries) {
		a->ignored++;
		arping_show(a, "ignored: not an answer to the scan", buf, len);
		return;
	}
	arping_show(a, pm->pkttype == PACKET_HOST ? "recv unicast" : "recv broadcast", buf, len);
	struct scan_host *h = &s->h[i];
	if (a->tx_stamps && h->tx == h->tx_user)
		arping_drain_stamps(a, take_stamp);
	long long rtt = arping_us(h->tx, rx);
	if (!h->answered) {
		h->answered = true;
		memcpy(h->mac, m.sha, ETHER_ADDR_LEN);
		h->nmacs = 1;
		s->responded++;
		out_scan_host(a, &m.spa, m.sha, rtt, 1);
		return;
	}
	if (memcmp(h->mac, m.sha, ETHER_ADDR_LEN) == 0 || seen_conflict(s, i, m.sha))
		return;     /* the same station again (a retry crossed its answer) */
	if (h->nmacs < UINT8_MAX)
		h->nmacs++;
	s->nconflicts++;
	out_scan_host(a, &m.spa, m.sha, rtt, h->nmacs);
}

static void on_readable(void *arg, int fd, short revents)
{
	struct arping *a = arg;
	if (revents & POLLERR)
		arping_drain_stamps(a, take_stamp);
	for (int k = 0; k < SCAN_RX_BURST && !a->finished; k++) {
		struct packet_meta pm;
		ssize_t n = packet_recv(fd, a->rxbuf, sizeof(a->rxbuf), &pm);
		if (n < 0)
			return;
		on_frame(a, a->rxbuf, (size_t)n, &pm);
	}
}

void scan_start(struct arping *a)
{
	struct scan *s = a->scan;
	out_scan_header(a, s->n);
	loop_fd(a->loop, a->fd, POLLIN, on_readable, a);
	s->start = a->start = clock_mono();
	s->next_send = s->start;
	pace(a);
}
