/*
 * fsm — the RFC 2131 client state machine (figure 5), explicit:
 * an enum with a name table, set_state() the one place that changes state
 * (and logs the transition with -v), one retransmission timer, one
 * deadline, the lease timers T1/T2/expiry, one message handler.
 *
 *   INIT -> SELECTING (DISCOVER) -> REQUESTING (REQUEST) -> [ARP check] -> BOUND
 *   INIT-REBOOT (--reboot: REQUEST for -r ADDR, no server id) -> BOUND
 *   BOUND -T1-> RENEWING (unicast REQUEST, ciaddr) -T2-> REBINDING (broadcast)
 *         -expiry-> INIT;  NAK anywhere -> INIT (-f) or exit 1 (one-shot)
 *
 * Retransmission (RFC 2131 4.1): 4 s, doubling to 64 s, each +-1 s chosen
 * at random; the xid stays the same across retransmissions of one
 * exchange (every client measured does so).  --timeout bounds an exchange;
 * when it is shorter than 16 s the schedule is scaled to it (first wait
 * timeout/4, jitter a quarter of that) so --retries still happen inside
 * it.  RENEWING and REBINDING retransmit at half the time left to T2 /
 * expiry, no sooner than 60 s (RFC 2131 4.4.5).  Every reply must match
 * our xid and chaddr (and be BOOTREPLY from Ethernet/6) before anything in
 * it is looked at.
 */
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "dhcpc.h"
#include "nl.h"

const char *const dhcpc_state_names[] = {
	[ST_INIT] = "INIT", [ST_SELECTING] = "SELECTING", [ST_REQUESTING] = "REQUESTING",
	[ST_BOUND] = "BOUND", [ST_RENEWING] = "RENEWING", [ST_REBINDING] = "REBINDING",
	[ST_INIT_REBOOT] = "INIT-REBOOT", [ST_ARP_CHECK] = "ARP-CHECK", [ST_RELEASED] = "RELEASED",
	[ST_DONE] = "DONE",
};

/* Wait after a run of failures before -f starts over (udhcpc -A: 20 s). */
#define DHCPC_RETRY_WAIT (20 * NS_PER_S)
/* A NAK restarts at once per RFC 2131; a short pause keeps a server that
 * NAKs everything from turning -f into a flood (sd-dhcp-client waits too). */
#define DHCPC_NAK_WAIT (1 * NS_PER_S)
/* Timers of a lease without a lease time: udhcpc's floor. */
#define DHCPC_MIN_LEASE 30

static const uint8_t bcast_mac[ETHER_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void rtx_tick(void *arg);
static void deadline_hit(void *arg);
static void restart_tick(void *arg);
static void t1_hit(void *arg);
static void t2_hit(void *arg);
static void expiry_hit(void *arg);
static void readable(void *arg, int fd, short revents);

static uint32_t rand32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)clock_real() ^ (uint32_t)clock_mono() * 2654435761u;
	return v;
}

static void set_state(struct dhcpc *d, enum dhcpc_state st)
{
	if (d->conf->verbose && d->state != st)
		out_note(d, "state %s -> %s", dhcpc_state_names[d->state], dhcpc_state_names[st]);
	d->state = st;
}

static void finish(struct dhcpc *d, int code, const char *result)
{
	d->exit_code = code;
	d->result = result;
	set_state(d, ST_DONE);
	loop_cancel(d->loop, rtx_tick, d);
	loop_cancel(d->loop, deadline_hit, d);
	loop_exit(d->loop, code);
}

/* ------------------------------------------------------------- sending */

static int send_msg(struct dhcpc *d, uint8_t type)
{
	const struct dhcpc_conf *c = d->conf;
	struct dhcp_out o = {
		.type = type, .xid = d->xid, .max_size = DHCP_MSG_MAX,
		.client_id = d->client_id, .client_id_len = d->client_id_len,
	};
	memcpy(o.chaddr, d->chaddr, ETHER_ADDR_LEN);
	nsec_t since = clock_mono() - d->xchg_start;
	o.secs = since / NS_PER_S > 0xffff ? 0xffff : (uint16_t)(since / NS_PER_S);
	if (c->broadcast)
		o.flags = DHCP_FLAG_BROADCAST;
	struct addr any = { .family = AF_INET }, bcast;
	addr_parse(&bcast, "255.255.255.255", AF_INET);
	const struct addr *src = &any, *dst = &bcast;
	const uint8_t *dmac = bcast_mac;

	if (type == DHCPDISCOVER || type == DHCPREQUEST) {
		o.prl = d->prl;
		o.prl_len = d->prl_len;
		o.hostname = c->hostname;
		o.vendor_class = c->vendor_class;
	}
	switch (d->state) {
	case ST_SELECTING:
		o.req_ip = c->req_ip;
		break;
	case ST_REQUESTING:
		o.req_ip = d->offers[d->chosen].msg.yiaddr;
		o.server_id = d->server_id;
		break;
	case ST_INIT_REBOOT:
		o.req_ip = c->req_ip;
		break;
	case ST_RENEWING:
		/* RFC 2131 4.3.2: unicast to the server, ciaddr set, no 50/54. */
		o.ciaddr = d->lease.addr;
		src = &d->lease.addr;
		dst = &d->server_id;
		dmac = d->server_mac;
		break;
	case ST_REBINDING:
		o.ciaddr = d->lease.addr;
		src = &d->lease.addr;
		break;
	case ST_ARP_CHECK:      /* DECLINE: 50 and 54, ciaddr 0, broadcast */
		o.req_ip = d->lease.addr;
		o.server_id = d->server_id;
		o.message = "address in use (ARP)";
		o.prl_len = 0;
		break;
	default:                /* RELEASE: unicast, ciaddr set, 54 */
		o.ciaddr = d->lease.addr;
		o.server_id = d->server_id;
		o.flags = 0;
		src = &d->lease.addr;
		dst = &d->server_id;
		dmac = d->server_mac;
		break;
	}
	uint8_t buf[DHCP_MSG_MAX];
	size_t n = dhcp_build(buf, sizeof(buf), &o);
	if (!n) {
		out_warn(d, "message does not fit in %d bytes", DHCP_MSG_MAX);
		return -1;
	}
	if (link_send(d, dmac, src, dst, buf, n) < 0) {
		out_warn(d, "send %s: %s", dhcp_type_name(type), strerror(errno));
		return -1;
	}
	d->last_tx = clock_mono();
	out_step_sent(d, &o, src, dst, dmac == bcast_mac);
	return 0;
}

/* The wait before retransmission number `tries` (0-based). */
static nsec_t rtx_wait(const struct dhcpc *d)
{
	nsec_t base = DHCPC_RTX_BASE, jitter = NS_PER_S;
	if (d->conf->timeout < 4 * DHCPC_RTX_BASE) {
		base = d->conf->timeout / 4;
		jitter = base / 4;
	}
	nsec_t w = base;
	for (int i = 0; i < d->tries && w < DHCPC_RTX_MAX; i++)
		w *= 2;
	if (w > DHCPC_RTX_MAX)
		w = DHCPC_RTX_MAX;
	if (jitter > 0)
		w += (nsec_t)(rand32() % (uint64_t)(2 * jitter + 1)) - jitter;
	return w > NS_PER_MS ? w : NS_PER_MS;
}

static void new_exchange(struct dhcpc *d, enum dhcpc_state st)
{
	d->xid = rand32();
	d->tries = 0;
	d->xchg_start = clock_mono();
	set_state(d, st);
}

/* Send for the current state and arm the retransmission. */
static void transmit(struct dhcpc *d)
{
	uint8_t type = DHCPREQUEST;
	if (d->state == ST_SELECTING)
		type = DHCPDISCOVER;
	nsec_t now = clock_mono();
	if (type == DHCPDISCOVER && !d->t_discover)
		d->t_discover = now;
	if (type == DHCPREQUEST && !d->t_request)
		d->t_request = now;
	send_msg(d, type);
	nsec_t wait;
	if (d->state == ST_RENEWING || d->state == ST_REBINDING) {
		/* RFC 2131 4.4.5: half the time left, at least 60 s. */
		nsec_t end = d->bound_at + (nsec_t)(d->state == ST_RENEWING ? d->lease.t2 : d->lease.lease) * NS_PER_S;
		wait = (end - now) / 2;
		if (wait < DHCPC_RENEW_MIN)
			wait = DHCPC_RENEW_MIN;
		if (now + wait >= end)
			return;   /* the T2 / expiry timer takes over */
	} else {
		if (d->tries >= d->conf->retries)
			return;   /* no more sends: the deadline ends the exchange */
		wait = rtx_wait(d);
	}
	d->tries++;
	loop_timer(d->loop, wait, rtx_tick, d);
}

static void rtx_tick(void *arg)
{
	transmit(arg);
}

static void arm_deadline(struct dhcpc *d)
{
	d->deadline = clock_mono() + d->conf->timeout;
	loop_timer_at(d->loop, d->deadline, deadline_hit, d);
}

static void start_discover(struct dhcpc *d)
{
	d->chosen = -1;
	d->offer_lint.n = 0;
	d->noffers = 0;
	d->t_discover = d->t_request = 0;
	memset(&d->server_id, 0, sizeof(d->server_id));
	if (d->conf->reboot && !d->have_lease) {
		new_exchange(d, ST_INIT_REBOOT);
	} else {
		new_exchange(d, ST_SELECTING);
	}
	arm_deadline(d);
	transmit(d);
}

static void restart_tick(void *arg)
{
	start_discover(arg);
}

/* ------------------------------------------------------------ the lease */

static void lose_lease(struct dhcpc *d)
{
	loop_cancel(d->loop, t1_hit, d);
	loop_cancel(d->loop, t2_hit, d);
	loop_cancel(d->loop, expiry_hit, d);
	if (!d->have_lease)
		return;
	if (d->applied)
		apply_deconfig(d);
	hook_run(d, "deconfig");
	d->have_lease = false;
}

static void send_release(struct dhcpc *d)
{
	set_state(d, ST_RELEASED);
	d->xid = rand32();
	send_msg(d, DHCPRELEASE);
}

/* TunnelVision needs the routing table: an option 121 route that the
 * kernel now sends out of another interface (a VPN's tunnel, say) would
 * take that traffic away from it. */
static void lint_existing_routes(const struct dhcpc *d, const struct dhcp_lease *l, struct dhcp_lint *lint)
{
	char a[ADDR_STRLEN], ifn[IF_NAMESIZE + 2];
	for (int i = 0; i < l->nroutes; i++) {
		const struct dhcp_route *rt = &l->routes[i];
		struct nl_route cur;
		if (rt->prefix == 0 || nl_route_get(&rt->dst, NULL, 0, &cur) < 0)
			continue;
		if (cur.type != 1 /* RTN_UNICAST */ || cur.oif == d->ifindex || cur.oif == 0)
			continue;
		snprintf(ifn, sizeof(ifn), "%s", cur.ifname);
		dhcp_lint_add(lint, "option 121 route %s/%u would take traffic that now leaves through %s "
					"onto %s (TunnelVision, CVE-2024-3661)",
			      addr_fmt(&rt->dst, a, sizeof(a)), rt->prefix, ifn, d->ifname);
	}
}

static void arm_lease_timers(struct dhcpc *d)
{
	if (d->lease.lease == DHCP_INFINITE)
		return;
	nsec_t base = d->bound_at;
	loop_timer_at(d->loop, base + (nsec_t)d->lease.t1 * NS_PER_S, t1_hit, d);
	loop_timer_at(d->loop, base + (nsec_t)d->lease.t2 * NS_PER_S, t2_hit, d);
	loop_timer_at(d->loop, base + (nsec_t)d->lease.lease * NS_PER_S, expiry_hit, d);
}

static void bound(struct dhcpc *d, bool renewal)
{
	const struct dhcpc_conf *c = d->conf;
	loop_cancel(d->loop, rtx_tick, d);
	loop_cancel(d->loop, deadline_hit, d);
	set_state(d, ST_BOUND);
	d->have_lease = true;
	char a[ADDR_STRLEN];
	if (renewal)
		out_note(d, "lease of %s renewed, lease time %u", addr_fmt(&d->lease.addr, a, sizeof(a)),
			 d->lease.lease);
	else
		out_lease(d);
	out_lint(d, &d->lint);
	if (!renewal) {
		out_offer_lint(d, &d->offer_lint, &d->lint);
		d->offer_lint.n = 0;
	}
	if (c->apply && apply_lease(d) == 0)
		d->applied = true;
	hook_run(d, renewal ? "renew" : "bound");
	if (!c->foreground) {
		if (c->release) {
			send_release(d);
			if (d->applied)
				apply_deconfig(d);
			d->have_lease = false;
		}
		finish(d, 0, "lease");
		return;
	}
	arm_lease_timers(d);
}

void fsm_arp_done(struct dhcpc *d, bool conflict)
{
	if (!conflict) {
		char a[ADDR_STRLEN];
		out_note(d, "ARP check: nobody answered for %s", addr_fmt(&d->lease.addr, a, sizeof(a)));
		bound(d, false);
		return;
	}
	char mac[24];
	ether_fmt(d->arp_conflict_mac, mac, sizeof(mac));
	out_warn(d, "ARP check: the offered address is in use by %s: sending DECLINE", mac);
	send_msg(d, DHCPDECLINE);
	if (!d->conf->foreground) {
		finish(d, 1, "declined");
		return;
	}
	/* RFC 2131 3.1.5: at least 10 s before starting over. */
	set_state(d, ST_INIT);
	loop_timer(d->loop, DHCPC_DECLINE_WAIT, restart_tick, d);
}

static void got_ack(struct dhcpc *d, const struct dhcp_msg *m, bool renewal)
{
	d->ack_rtt = clock_mono() - d->last_tx;
	d->ack = *m;
	memset(&d->lint, 0, sizeof(d->lint));
	dhcp_lease_from(m, &d->lease, &d->lint, d->prl, d->prl_len);
	lint_existing_routes(d, &d->lease, &d->lint);
	if (!d->lease.has_lease) {
		d->lease.lease = DHCPC_MIN_LEASE;
		d->lease.t1 = DHCPC_MIN_LEASE / 2;
		d->lease.t2 = DHCPC_MIN_LEASE * 7 / 8;
	}
	if (d->lease.has_server_id)
		d->server_id = d->lease.server_id;
	/* The lease runs from the REQUEST that got it (RFC 2131 4.4.1). */
	d->bound_at = d->t_request ? d->t_request : clock_mono();
	if (!renewal && d->conf->arp_check && d->arp_fd >= 0) {
		set_state(d, ST_ARP_CHECK);
		arp_check_start(d);
		return;
	}
	bound(d, renewal);
}

static void got_nak(struct dhcpc *d, const struct dhcp_msg *m)
{
	d->naks++;
	size_t n;
	const uint8_t *p = dhcp_opt(m, OPT_MESSAGE, &n);
	char msg[256] = "";
	if (p)
		dhcp_escape(p, n, msg, sizeof(msg));
	if (d->state == ST_REQUESTING) {
		out_offer_lint(d, &d->offer_lint, NULL);
		d->offer_lint.n = 0;
	}
	hook_run(d, "nak");
	lose_lease(d);
	if (!d->conf->foreground) {
		out_warn(d, "NAK from the server%s%s%s", *msg ? ": \"" : "", msg, *msg ? "\"" : "");
		finish(d, 1, "nak");
		return;
	}
	out_warn(d, "NAK%s%s%s: starting over", *msg ? ": \"" : "", msg, *msg ? "\"" : "");
	set_state(d, ST_INIT);
	loop_cancel(d->loop, rtx_tick, d);
	loop_cancel(d->loop, deadline_hit, d);
	loop_timer(d->loop, DHCPC_NAK_WAIT, restart_tick, d);
}

static void got_offer(struct dhcpc *d, const struct dhcpc_rx *rx, const struct dhcp_msg *m)
{
	struct addr sid = { 0 };
	bool has_sid = dhcp_opt_addr(m, OPT_SERVER_ID, &sid);
	int idx = -1;
	bool dup = false;
	for (int i = 0; i < d->noffers && d->conf->offers; i++)
		if (addr_eq(&d->offers[i].server_id, &sid) &&
		    memcmp(d->offers[i].l2src, rx->l2src, ETHER_ADDR_LEN) == 0)
			dup = true;
	if (d->conf->offers)
		loop_cancel(d->loop, rtx_tick, d);   /* someone answers: no more DISCOVERs */
	if (dup) {
		out_step_recv(d, rx, m, "again from the same server");
		return;
	}
	if (d->noffers < DHCPC_MAX_OFFERS) {
		idx = d->noffers++;
		struct dhcpc_offer *o = &d->offers[idx];
		o->msg = *m;
		o->server_id = sid;
		memcpy(o->l2src, rx->l2src, ETHER_ADDR_LEN);
		o->at = clock_mono();
		o->chosen = false;
	} else {
		d->offers_dropped++;
	}
	const char *note = NULL;
	if (d->state != ST_SELECTING)
		note = "not chosen: arrived after the choice";
	else if (!has_sid)
		note = "unusable: no server identifier";
	else if (addr_is_any(&m->yiaddr))
		note = "unusable: no address offered";
	out_step_recv(d, rx, m, note);
	if (d->conf->offers || d->state != ST_SELECTING || note || idx < 0)
		return;
	/* The first usable offer wins: waiting for more would only slow the
	 * exchange (--offers lists them all). */
	d->chosen = idx;
	d->offers[idx].chosen = true;
	/* Its lint is printed with the ACK's (or when no ACK comes): a
	 * server may promise one thing and grant another. */
	struct dhcp_lease ol;
	memset(&d->offer_lint, 0, sizeof(d->offer_lint));
	dhcp_lease_from(m, &ol, &d->offer_lint, d->prl, d->prl_len);
	lint_existing_routes(d, &ol, &d->offer_lint);
	d->offer_rtt = clock_mono() - d->last_tx;
	d->server_id = sid;
	memcpy(d->server_mac, rx->l2src, ETHER_ADDR_LEN);
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	bool wanted = addr_is_set(&d->conf->req_ip) && addr_eq(&d->conf->req_ip, &m->yiaddr);
	out_note(d, "chose the offer of %s from %s (%s)", addr_fmt(&m->yiaddr, a, sizeof(a)),
		 addr_fmt(&sid, b, sizeof(b)),
		 wanted ? "it offers the requested address" : "first usable offer");
	if (addr_is_set(&d->conf->req_ip) && !wanted)
		out_warn(d, "requested %s but was offered %s", addr_fmt(&d->conf->req_ip, b, sizeof(b)), a);
	d->tries = 0;
	set_state(d, ST_REQUESTING);
	d->xchg_start = clock_mono();
	arm_deadline(d);
	loop_cancel(d->loop, rtx_tick, d);
	transmit(d);
}

static void on_reply(struct dhcpc *d, const struct dhcpc_rx *rx)
{
	struct dhcp_msg *m = &d->offers[DHCPC_MAX_OFFERS].msg;   /* scratch slot */
	const char *why = NULL;
	if (dhcp_parse(rx->payload, rx->payload_len, m, &why) < 0) {
		d->malformed++;
		out_ignored(d, rx->frame, rx->frame_len, why);
		return;
	}
	if (m->op != 2 || m->htype != 1 || m->hlen != ETHER_ADDR_LEN)
		why = "not a BOOTREPLY for Ethernet";
	else if (m->xid != d->xid)
		why = "wrong xid";
	else if (memcmp(m->chaddr, d->chaddr, ETHER_ADDR_LEN) != 0)
		why = "wrong chaddr";
	else if (m->type != DHCPOFFER && m->type != DHCPACK && m->type != DHCPNAK)
		why = "not an OFFER, ACK or NAK";
	if (why) {
		d->ignored++;
		out_ignored(d, rx->frame, rx->frame_len, why);
		return;
	}
	struct addr sid;
	bool has_sid = dhcp_opt_addr(m, OPT_SERVER_ID, &sid);
	bool from_ours = !addr_is_set(&d->server_id) || !has_sid || addr_eq(&sid, &d->server_id);
	d->received++;
	switch (d->state) {
	case ST_SELECTING:
	case ST_REQUESTING:
		if (m->type == DHCPOFFER) {
			got_offer(d, rx, m);
			return;
		}
		if (d->state == ST_SELECTING || !from_ours)
			break;
		out_step_recv(d, rx, m, NULL);
		if (m->type == DHCPACK)
			got_ack(d, m, false);
		else
			got_nak(d, m);
		return;
	case ST_INIT_REBOOT:
	case ST_RENEWING:
	case ST_REBINDING:
		if (m->type == DHCPOFFER || (d->state == ST_RENEWING && !from_ours))
			break;
		out_step_recv(d, rx, m, NULL);
		if (m->type == DHCPACK) {
			/* RENEWING asked our server; otherwise whoever
			 * answered is the server the next renewal goes to. */
			if (d->state != ST_RENEWING)
				memcpy(d->server_mac, rx->l2src, ETHER_ADDR_LEN);
			got_ack(d, m, d->state != ST_INIT_REBOOT);
		} else {
			got_nak(d, m);
		}
		return;
	default:
		break;
	}
	d->received--;
	d->ignored++;
	out_ignored(d, rx->frame, rx->frame_len, "unexpected in this state");
}

static void readable(void *arg, int fd, short revents)
{
	struct dhcpc *d = arg;
	(void)fd;
	(void)revents;
	/* Bounded per wakeup so timers still run under a flood. */
	for (int i = 0; i < 64 && d->state != ST_DONE; i++) {
		struct dhcpc_rx rx;
		const char *why;
		int rc = link_recv(d, &rx, &why);
		if (rc == 0)
			return;
		if (rc == -2)
			continue;
		out_packet(d, "recv", rx.frame, rx.frame_len, rx.ts);
		if (rc < 0) {
			d->malformed++;
			out_ignored(d, rx.frame, rx.frame_len, why);
			continue;
		}
		on_reply(d, &rx);
	}
}

/* ------------------------------------------------------------- timers */

static void deadline_hit(void *arg)
{
	struct dhcpc *d = arg;
	const struct dhcpc_conf *c = d->conf;
	loop_cancel(d->loop, rtx_tick, d);
	if (c->offers) {
		out_offers(d);
		finish(d, d->noffers ? 0 : 1, d->noffers ? "offers" : "no offer");
		return;
	}
	const char *what = d->state == ST_SELECTING ? "no offer" :
			   d->state == ST_INIT_REBOOT ? "no answer" : "no ack";
	if (d->state == ST_REQUESTING) {
		out_offer_lint(d, &d->offer_lint, NULL);
		d->offer_lint.n = 0;
	}
	hook_run(d, "leasefail");
	if (!c->foreground) {
		out_warn(d, "%s within %.1f s", what, (double)c->timeout / NS_PER_S);
		finish(d, 1, what);
		return;
	}
	out_warn(d, "%s within %.1f s: trying again in %d s", what, (double)c->timeout / NS_PER_S,
		 (int)(DHCPC_RETRY_WAIT / NS_PER_S));
	set_state(d, ST_INIT);
	loop_timer(d->loop, DHCPC_RETRY_WAIT, restart_tick, d);
}

static void t1_hit(void *arg)
{
	struct dhcpc *d = arg;
	if (d->state != ST_BOUND)
		return;
	char a[ADDR_STRLEN];
	out_note(d, "T1 (%u s): renewing with %s (unicast)", d->lease.t1,
		 addr_fmt(&d->server_id, a, sizeof(a)));
	new_exchange(d, ST_RENEWING);
	d->t_request = 0;
	transmit(d);
}

static void t2_hit(void *arg)
{
	struct dhcpc *d = arg;
	if (d->state != ST_BOUND && d->state != ST_RENEWING)
		return;
	out_note(d, "T2 (%u s): rebinding (broadcast)", d->lease.t2);
	loop_cancel(d->loop, rtx_tick, d);
	new_exchange(d, ST_REBINDING);
	d->t_request = 0;
	transmit(d);
}

static void expiry_hit(void *arg)
{
	struct dhcpc *d = arg;
	out_warn(d, "lease expired (%u s): deconfiguring and starting over", d->lease.lease);
	loop_cancel(d->loop, rtx_tick, d);
	lose_lease(d);
	set_state(d, ST_INIT);
	start_discover(d);
}

/* ------------------------------------------------------------ signals */

void fsm_on_signal(void *arg, int signo)
{
	struct dhcpc *d = arg;
	switch (signo) {
	case SIGUSR1:   /* udhcpc: renew now */
		if (d->have_lease && d->state == ST_BOUND) {
			out_note(d, "SIGUSR1: renewing now");
			new_exchange(d, ST_RENEWING);
			d->t_request = 0;
			transmit(d);
		} else if (d->state == ST_RELEASED || d->state == ST_INIT) {
			out_note(d, "SIGUSR1: starting over");
			loop_cancel(d->loop, restart_tick, d);
			start_discover(d);
		}
		return;
	case SIGUSR2:   /* udhcpc: release, wait for SIGUSR1 */
		if (d->have_lease) {
			out_note(d, "SIGUSR2: releasing");
			loop_cancel(d->loop, rtx_tick, d);
			send_release(d);
			lose_lease(d);
		}
		return;
	default:        /* SIGTERM, SIGINT */
		if (d->have_lease && d->conf->release) {
			send_release(d);
			lose_lease(d);
		}
		finish(d, d->have_lease || d->bound_at ? 0 : 1, "interrupted");
		return;
	}
}

void fsm_start(struct dhcpc *d)
{
	d->start = clock_mono();
	d->chosen = -1;
	set_state(d, ST_INIT);
	loop_fd(d->loop, d->fd, POLLIN, readable, d);
	if (!d->conf->offers)
		hook_run(d, "deconfig");
	start_discover(d);
}
