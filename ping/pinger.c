/*
 * pinger — send echo requests on schedule, match what comes back.
 *
 * Each target has its own socket and a table of every sequence number
 * sent, with its send time: RTT is kernel receive time minus that send
 * time (the kernel's transmit stamp when it gives one), never anything
 * read from the reply's payload, which the peer controls (iputils'
 * CVE-2025-47268).  A reply counts only if its identifier, sequence and
 * source address all belong to a probe we sent; anything else is counted
 * as ignored and shown with -v.
 *
 * ICMP errors come two ways because the kernel gives them two ways: a raw
 * socket sees the router's whole ICMP packet (we match its quoted echo),
 * a ping socket gets them on its error queue (the kernel already matched
 * them to the socket).  Both end in on_error().
 */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cksum.h"
#include "icmp.h"
#include "nl.h"
#include "ping.h"
#include "sock.h"

/* A kernel transmit stamp further than this from our own clock reading
 * is not believed (a key that got out of step with our sends). */
#define PING_TXSTAMP_SLACK (10 * NS_PER_S)

static void tick(void *arg);
static void on_readable(void *arg, int fd, short revents);
static void after_answer(struct ping *p, struct ping_target *t);
static void linger_done(void *arg);

static struct ping *ping_of(struct ping_target *t)
{
	return t->run;
}

/* The probe with this sequence number, if it is still in the window. */
static struct ping_sent *sent_of(struct ping_target *t, uint16_t seq)
{
	struct ping_sent *e = &t->sent[seq % PING_WINDOW];
	return e->used && e->seq == seq ? e : NULL;
}

uint8_t ping_fill_byte(const struct ping_conf *c, size_t i)
{
	if (c->pattern_len)
		return c->pattern[i % c->pattern_len];
	return (uint8_t)i;  /* iputils' default: byte i of the payload is i */
}

static size_t build_probe(struct ping *p, struct ping_target *t, uint16_t seq, nsec_t now_real,
			  uint8_t *buf, size_t cap)
{
	const struct ping_conf *c = p->conf;
	uint8_t payload[65536];
	for (size_t i = 0; i < c->datalen; i++)
		payload[i] = ping_fill_byte(c, i);
	if (c->datalen >= PING_TV_LEN) {
		struct timeval tv = { .tv_sec = now_real / NS_PER_S,
				      .tv_usec = (now_real % NS_PER_S) / NS_PER_US };
		memcpy(payload, &tv, sizeof(tv));
	}
	struct wr w = wr_init(buf, cap);
	if (icmp_echo_encode(&w, t->fam, t->fam->echo_request, t->ident, seq, payload, c->datalen) < 0)
		return 0;
	return wr_len(&w);
}

/*
 * The packet as it was on the wire, for -v and --pcap.  A raw IPv4 socket
 * hands us the real IP header; otherwise (ping sockets, IPv6, what we
 * send) the kernel builds it, so we rebuild the same header from what we
 * know: addresses, TTL, and for ICMPv6 the checksum the kernel fills in.
 */
static void set_view(struct ping *p, struct ping_target *t, const struct addr *src,
		     const struct addr *dst, int ttl, bool df, const uint8_t *icmp, size_t len)
{
	p->view_len = 0;
	if (!p->dec.out && !pcap_is_open(&p->pcap))
		return;
	struct ip_hdr h = { .fam = t->fam, .ttl = (uint8_t)(ttl >= 0 ? ttl : 64),
			    .proto = (uint8_t)t->fam->icmp_proto, .src = *src, .dst = *dst,
			    .df = df };
	struct wr w = wr_init(p->viewbuf, PING_RX_BUF);
	if (ip_encode(&w, &h, len) < 0)
		return;
	size_t icmp_off = wr_len(&w);
	wr_bytes(&w, icmp, len);
	if (!wr_ok(&w))
		return;
	if (t->fam->kernel_icmp_cksum && len >= 4) {
		uint8_t *ck = p->viewbuf + icmp_off + 2;
		be16_put(ck, 0);
		uint32_t sum = cksum_pseudo(src, dst, (uint8_t)t->fam->icmp_proto, (uint32_t)len);
		be16_put(ck, cksum_finish(cksum_add(sum, p->viewbuf + icmp_off, len)));
	}
	p->view = p->viewbuf;
	p->view_len = wr_len(&w);
}

/* Show the current packet view with a label (-v). */
static void show(struct ping *p, const char *label)
{
	if (p->dec.out && p->view_len)
		decode_packet(&p->dec, label, DECODE_FROM_IP, NULL, p->view, p->view_len);
}

static void record(struct ping *p, nsec_t ts)
{
	if (pcap_is_open(&p->pcap) && p->view_len)
		pcap_write(&p->pcap, ts, p->view, p->view_len);
}

static void finish_target(struct ping *p, struct ping_target *t)
{
	if (t->finished)
		return;
	t->finished = true;
	loop_cancel(p->loop, tick, t);
	loop_cancel(p->loop, linger_done, t);
	loop_fd_remove(p->loop, t->fd);
	out_summary(p, t);
	if (--p->running == 0)
		loop_exit(p->loop, 0);
}

static void linger_done(void *arg)
{
	struct ping_target *t = arg;
	finish_target(ping_of(t), t);
}

/* After the last probe: wait twice the longest RTT (at least one
 * interval) when replies came, else -W — iputils' rule. */
static void start_linger(struct ping *p, struct ping_target *t)
{
	nsec_t wait = p->conf->linger;
	if (t->nreceived) {
		wait = 2 * t->rtt.tmax * NS_PER_US;
		if (wait < p->conf->interval)
			wait = p->conf->interval;
	}
	loop_timer(p->loop, wait, linger_done, t);
}

/* -c reached (iputils counts errors as answers here). */
static bool count_done(const struct ping *p, const struct ping_target *t)
{
	return p->conf->count && t->nreceived + t->nerrors >= p->conf->count;
}

/* iputils' "pipe": the most probes ever in flight at once. */
static void acknowledge(struct ping_target *t, uint16_t seq)
{
	uint16_t diff = (uint16_t)((uint16_t)t->ntransmitted - seq);
	if (diff <= 0x7fff && diff + 1 > t->pipesize)
		t->pipesize = diff + 1;
}

static void send_probe(struct ping *p, struct ping_target *t)
{
	const struct ping_conf *c = p->conf;
	uint16_t seq = ++t->next_seq;
	if (c->outstanding && t->ntransmitted > 0) {
		const struct ping_sent *prev = sent_of(t, (uint16_t)(seq - 1));
		if (prev && !prev->replies && !prev->error)
			out_no_answer(p, t, (uint16_t)(seq - 1));
	}
	uint8_t pkt[65536 + ICMP_HDR_LEN];
	nsec_t now_real = clock_real();
	size_t len = build_probe(p, t, seq, now_real, pkt, sizeof(pkt));
	struct ping_sent *s = &t->sent[seq % PING_WINDOW];
	*s = (struct ping_sent){ .tx = now_real, .seq = seq, .used = true };
	ssize_t n = sock_sendto(t->fd, pkt, len, &t->addr, 0);
	int send_errno = errno;
	nsec_t now = clock_mono();
	if (!t->ntransmitted)
		t->first_tx = now;
	t->last_tx = now;
	t->ntransmitted++;
	if (n >= 0) {
		t->outstanding++;
		if (t->tx_stamps)
			t->txkey_seq[t->txkey++ % PING_WINDOW] = seq;
		if (c->flood && !c->quiet)
			out_flood_sent(p);
		set_view(p, t, &t->local, &t->addr, c->ttl, c->pmtu != PMTU_DONT, pkt, len);
		/* The kernel writes the IP header of what we send; this one is
		 * rebuilt, and the kernel's identification is not known to us. */
		show(p, "sent");
		if (p->dec.out && t->fam->family == AF_INET)
			decode_line(&p->dec, 9, "", "(IP header rebuilt: the kernel chooses the real id)");
		record(p, now_real);
		return;
	}
	/* A failed send still counts as transmitted (iputils: "pretend we
	 * sent the packet"); the error queue may say more (EMSGSIZE with
	 * the path MTU), otherwise the errno is reported. */
	s->error = true;
	t->nerrors++;
	const char *what = "sendmsg";
	uint32_t mtu = 0;
	if (send_errno == EMSGSIZE) {
		struct rxmeta m;
		uint8_t tmp[512];
		while (sock_recv(t->fd, tmp, sizeof(tmp), NULL, NULL, &m, true) >= 0) {
			if (m.is_error && m.ee_origin == SO_EE_ORIGIN_LOCAL) {
				what = "local error";
				mtu = m.ee_info;
				break;
			}
		}
	}
	out_local_error(p, t, what, send_errno, mtu);
	after_answer(p, t);
}

static void tick(void *arg)
{
	struct ping_target *t = arg;
	struct ping *p = ping_of(t);
	const struct ping_conf *c = p->conf;
	nsec_t now = clock_mono();

	if (c->count && t->ntransmitted >= c->count && !c->deadline) {
		t->sending_done = true;
		start_linger(p, t);
		return;
	}
	if (c->interval == 0 && t->outstanding >= c->preload && t->ntransmitted &&
	    now - t->last_tx < PING_IDLE_PACE) {
		/* Paced by replies (a reply re-arms us sooner), else 100/s. */
		loop_timer_at(p->loop, t->last_tx + PING_IDLE_PACE, tick, t);
		return;
	}
	send_probe(p, t);
	if (t->finished)
		return;
	if (c->count && t->ntransmitted >= c->count && !c->deadline) {
		t->sending_done = true;
		start_linger(p, t);
		return;
	}
	if (t->ntransmitted < c->preload) {
		loop_timer(p->loop, 0, tick, t);
		return;
	}
	if (c->interval == 0) {
		loop_timer(p->loop, t->outstanding < c->preload ? 0 : PING_IDLE_PACE, tick, t);
		/* On a fast link the reply is often queued by the time
		 * sendto() returns: look once before going back to poll(). */
		on_readable(t, t->fd, 0);
		return;
	}
	/* Drift-free schedule: probe n goes at start + n × interval. */
	t->next_tick += c->interval;
	if (t->next_tick < now - c->interval)
		t->next_tick = now;
	loop_timer_at(p->loop, t->next_tick, tick, t);
}

static void after_answer(struct ping *p, struct ping_target *t)
{
	if (count_done(p, t)) {
		finish_target(p, t);
		return;
	}
	if (p->conf->interval == 0 && !t->sending_done)
		loop_timer(p->loop, 0, tick, t);
}

static void drain_errqueue(struct ping *p, struct ping_target *t);

static void on_echo_reply(struct ping *p, struct ping_target *t, const struct icmp_msg *m,
			  const uint8_t *icmp, const struct addr *from, int ttl, nsec_t rx)
{
	struct ping_sent *s = sent_of(t, m->seq);
	if (!s) {
		t->nignored++;
		show(p, "ignored: not a probe we sent");
		return;
	}
	show(p, "recv");
	/* The kernel queues the transmit stamp before the reply can arrive;
	 * read it now if poll() has not told us about it yet. */
	if (t->tx_stamps && !s->stamped)
		drain_errqueue(p, t);
	/* Raw IPv4 sockets get the reply as it arrived: verify its checksum
	 * (ping sockets and ICMPv6 have the kernel drop bad ones). */
	bool bad_cksum = t->raw && t->fam->family == AF_INET && cksum(icmp, m->len) != 0;
	nsec_t rtt = rx - s->tx;
	struct ping_reply r = {
		.from = from, .seq = m->seq, .bytes = m->len, .ttl = ttl,
		.rtt_us = rtt > 0 ? rtt / NS_PER_US : 0,
		.dup = s->replies > 0, .bad_cksum = bad_cksum,
		.truncated = m->len < p->conf->datalen + ICMP_HDR_LEN,
		.different_addr = !addr_is_multicast(&t->addr) && !addr_eq(from, &t->addr),
		.payload = m->body, .payload_len = m->body_len,
	};
	acknowledge(t, m->seq);
	if (bad_cksum) {
		/* Damaged: shown, counted as corrupted, not as a reply. */
		t->ncorrupted++;
		out_reply(p, t, &r);
		return;
	}
	if (s->replies < UINT16_MAX)
		s->replies++;
	if (r.dup) {
		t->nrepeats++;
	} else {
		t->nreceived++;
		if (!s->error)
			t->outstanding--;
	}
	stats_add(&t->rtt, r.rtt_us);
	/* iputils' EWMA (alpha = 1/8, fixed point x8), for ipg/ewma. */
	t->ewma8 = t->ewma8 ? t->ewma8 + r.rtt_us - t->ewma8 / 8 : r.rtt_us * 8;
	out_reply(p, t, &r);
	after_answer(p, t);
}

static void on_error(struct ping *p, struct ping_target *t, uint16_t seq, const struct addr *from,
		     uint8_t type, uint8_t code, uint32_t info)
{
	struct ping_sent *s = sent_of(t, seq);
	if (!s) {
		t->nignored++;
		return;
	}
	/* iputils' IPv6 error path never acknowledges, so its "pipe" counts
	 * only replies there; match it. */
	if (t->fam->family == AF_INET)
		acknowledge(t, seq);
	if (!s->replies && !s->error)
		t->outstanding--;
	s->error = true;
	t->nerrors++;
	out_icmp_error(p, t, from, seq, type, code, info, true);
	after_answer(p, t);
}

/* Raw socket: an ICMP error is ours when it quotes one of our echo
 * requests to this target. */
static void on_raw_error(struct ping *p, struct ping_target *t, const struct icmp_msg *m,
			 const struct addr *from, nsec_t rx)
{
	struct icmp_quote q;
	struct icmp_msg inner;
	if (icmp_quote_decode(m, &q) != 0 || q.ip.proto != t->fam->icmp_proto ||
	    !addr_eq(&q.ip.dst, &t->addr))
		return;      /* someone else's error: not even counted */
	struct rd r = rd_init(q.l4, q.l4_len);
	if (icmp_decode(&r, t->fam, &inner) != 0 || inner.type != t->fam->echo_request ||
	    inner.id != t->ident)
		return;
	show(p, "recv");
	record(p, rx);
	enum icmp_kind k = icmp_kind(m);
	if (k == ICMPK_REDIRECT || k == ICMPK_SOURCE_QUENCH) {
		/* Advice, not an answer: shown, not counted (iputils' raw path). */
		if (sent_of(t, inner.seq))
			out_icmp_error(p, t, from, inner.seq, m->type, m->code, m->info, false);
		return;
	}
	on_error(p, t, inner.seq, from, m->type, m->code, m->info);
}

static void on_packet(struct ping *p, struct ping_target *t, const uint8_t *buf, size_t len,
		      const struct addr *from_sock, const struct rxmeta *meta)
{
	struct rd r = rd_init(buf, len);
	struct addr from = *from_sock;
	int ttl = meta->ttl;
	nsec_t rx = meta->ts ? meta->ts : clock_real();
	bool have_ip = t->raw && t->fam->raw_rx_has_ip_header;
	if (have_ip) {
		struct ip_hdr ip;
		p->view = buf;
		p->view_len = len;
		if (ip_decode(&r, &ip) != 0 || ip.proto != t->fam->icmp_proto) {
			t->nignored++;
			show(p, "ignored: malformed");
			return;
		}
		from = ip.src;
		ttl = ip.ttl;
	}
	const uint8_t *icmp = rd_peek(&r);
	struct icmp_msg m;
	int bad = icmp_decode(&r, t->fam, &m);
	if (!have_ip)
		set_view(p, t, &from, addr_is_set(&meta->local) ? &meta->local : &t->local, ttl,
			 false, icmp, bad ? rd_left(&r) : m.len);
	if (bad) {
		t->nignored++;
		show(p, "ignored: malformed");
		return;
	}
	enum icmp_kind k = icmp_kind(&m);
	if (t->raw && k == ICMPK_ECHO_REPLY && m.id != t->ident)
		return;  /* another program's ping */
	if (k == ICMPK_ECHO_REPLY) {
		record(p, rx);
		on_echo_reply(p, t, &m, icmp, &from, ttl, rx);
	} else if (t->raw && icmp_kind_is_error(k)) {
		on_raw_error(p, t, &m, &from, rx);
	}
}

/* The error queue: transmit timestamps, local errors and (ping sockets)
 * ICMP errors. */
static void drain_errqueue(struct ping *p, struct ping_target *t)
{
	uint8_t buf[2048];
	struct rxmeta m;
	struct addr dst;
	ssize_t n;
	while ((n = sock_recv(t->fd, buf, sizeof(buf), &dst, NULL, &m, true)) >= 0) {
		if (m.is_txstamp) {
			struct ping_sent *s = sent_of(t, t->txkey_seq[m.txstamp_id % PING_WINDOW]);
			if (s && !s->stamped && m.ts >= s->tx && m.ts - s->tx < PING_TXSTAMP_SLACK) {
				s->tx = m.ts;
				s->stamped = true;
			}
			continue;
		}
		if (!m.is_error)
			continue;
		if (m.ee_origin == SO_EE_ORIGIN_LOCAL) {
			t->nerrors++;
			out_local_error(p, t, "local error", m.ee_errno, m.ee_info);
			after_answer(p, t);
			if (t->finished)
				return;
			continue;
		}
		/* Raw sockets see the ICMP packet itself on the main queue. */
		if (t->raw || m.ee_origin != t->fam->ee_origin_icmp)
			continue;
		struct rd r = rd_init(buf, (size_t)n);
		struct icmp_msg echo;
		if (icmp_decode(&r, t->fam, &echo) != 0 || echo.type != t->fam->echo_request ||
		    !addr_eq(&dst, &t->addr))
			continue;
		if (p->dec.out) {
			/* A ping socket gets the error as the kernel's summary,
			 * not as the router's packet: show what there is. */
			char from[ADDR_STRLEN];
			decode_line(&p->dec, 2, "ERRQ", "%s type %u code %u (%s) from %s, about our echo seq %u",
				    t->fam->icmp_name, m.ee_type, m.ee_code,
				    icmp_code_name(t->fam, m.ee_type, m.ee_code),
				    addr_fmt(&m.offender, from, sizeof(from)), echo.seq);
			decode_line(&p->dec, 9, "", "meaning: %s", icmp_explain(t->fam, m.ee_type, m.ee_code));
		}
		on_error(p, t, echo.seq, &m.offender, m.ee_type, m.ee_code, m.ee_info);
	}
}

static void on_readable(void *arg, int fd, short revents)
{
	struct ping_target *t = arg;
	struct ping *p = ping_of(t);
	if (revents & POLLERR)
		drain_errqueue(p, t);
	/* One datagram per wakeup: poll() says at once if more are queued,
	 * and in the common case (one reply) this saves a read that would
	 * only return EAGAIN. */
	struct rxmeta m;
	struct addr from;
	ssize_t n = sock_recv(fd, p->rxbuf, PING_RX_BUF, &from, NULL, &m, false);
	if (n >= 0)
		on_packet(p, t, p->rxbuf, (size_t)n, &from, &m);
}

int ping_target_setup(struct ping *p, struct ping_target *t)
{
	const struct ping_conf *c = p->conf;
	t->sent = calloc(PING_WINDOW, sizeof(*t->sent));
	t->txkey_seq = calloc(PING_WINDOW, sizeof(*t->txkey_seq));
	if (!t->sent || !t->txkey_seq) {
		fprintf(stderr, "%s: %s\n", c->prog, strerror(ENOMEM));
		return -1;
	}
	stats_init(&t->rtt);
	/* Transmit stamps cost a read of the error queue per probe; when
	 * sending as fast as replies come (-f, -i 0) throughput matters
	 * more, and the send time is taken just before sendto() as iputils
	 * does. */
	unsigned want = SOCK_RX_TS | SOCK_RX_TTL | SOCK_RX_ERR;
	if (c->interval > 0)
		want |= SOCK_TX_TS;
	/* Our address as each reply arrived: only -v and --pcap show it. */
	if (c->verbose || c->pcap_path)
		want |= SOCK_RX_PKTINFO;
	unsigned on = sock_enable(t->fd, t->fam, want);
	t->tx_stamps = on & SOCK_TX_TS;
	/* iputils' wording for each option the kernel refuses. */
	const char *failed = NULL;
	bool v4 = t->fam->family == AF_INET;
	if (c->ttl >= 0 && sock_set_ttl(t->fd, t->fam, c->ttl) < 0)
		failed = v4 ? "cannot set unicast time-to-live" : "can't set unicast hop limit";
	else if (c->tos >= 0 && sock_set_tos(t->fd, t->fam, c->tos) < 0)
		failed = v4 ? "setsockopt(IP_TOS)" : "setsockopt(IPV6_TCLASS)";
	else if (c->pmtu >= 0 && sock_set_pmtu(t->fd, t->fam, (enum pmtu_mode)c->pmtu) < 0)
		failed = v4 ? "IP_MTU_DISCOVER" : "IPV6_MTU_DISCOVER";
	if (failed) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, failed, strerror(errno));
		return -1;
	}
	/* Room for a flood's worth of replies. */
	sock_set_bufs(t->fd, 324 * 1024, 0);
	if (t->raw) {
		uint16_t r;
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint16_t)getpid();
		t->ident = (uint16_t)(r + (t - p->targets));
	}
	return loop_fd(p->loop, t->fd, POLLIN, on_readable, t);
}

/* Probes sent less than twice the longest RTT ago when the run ends are
 * still in flight: not lost, so not counted (iputils#583). */
static long long in_flight(struct ping_target *t, nsec_t now_real)
{
	if (!t->nreceived)
		return 0;
	nsec_t window = 2 * t->rtt.tmax * NS_PER_US;
	long long n = 0;
	uint16_t seq = t->next_seq;
	for (long long i = 0; i < t->ntransmitted && i < PING_WINDOW; i++, seq--) {
		const struct ping_sent *e = sent_of(t, seq);
		if (!e || now_real - e->tx >= window)
			break;
		if (!e->replies && !e->error)
			n++;
	}
	return n;
}

static void finish_all(struct ping *p)
{
	nsec_t now = clock_real();
	for (int i = 0; i < p->ntargets; i++) {
		struct ping_target *t = &p->targets[i];
		if (t->finished)
			continue;
		t->ntransmitted -= in_flight(t, now);
		finish_target(p, t);
	}
}

static void deadline_done(void *arg)
{
	finish_all(arg);
}

void ping_on_signal(void *arg, int signo)
{
	struct ping *p = arg;
	if (signo == SIGQUIT) {
		for (int i = 0; i < p->ntargets; i++)
			if (!p->targets[i].finished)
				out_status(&p->targets[i]);
		return;
	}
	finish_all(p);
}

void ping_start(struct ping *p)
{
	p->start = clock_mono();
	p->running = p->ntargets;
	if (p->conf->deadline)
		loop_timer(p->loop, p->conf->deadline, deadline_done, p);
	for (int i = 0; i < p->ntargets; i++) {
		struct ping_target *t = &p->targets[i];
		t->next_tick = p->start;
		loop_timer_at(p->loop, p->start, tick, t);
	}
}

int ping_exit_code(const struct ping *p)
{
	/* iputils: 1 when nothing came back, or -w with -c fell short;
	 * several targets: 1 when any of them failed (fping's rule). */
	for (int i = 0; i < p->ntargets; i++) {
		const struct ping_target *t = &p->targets[i];
		if (!t->nreceived || (p->conf->deadline && p->conf->count && t->nreceived < p->conf->count))
			return 1;
	}
	return 0;
}
