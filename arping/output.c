/*
 * output — arping's lines exactly as iputils prints them, and the JSON
 * events.
 *
 * Text: "ARPING 10.0.0.2 from 10.0.0.1 eth0", then per answer
 * "Unicast reply from 10.0.0.2 [AA:BB:CC:DD:EE:FF]  0.052ms" (with iputils'
 * "for ADDR [MAC]" when the answer was addressed elsewhere), then
 * "Sent N probes (M broadcast(s))" and "Received N response(s)".  The RTT
 * is the true one (iputils prints it 0.5 ms high).  An address conflict
 * and the scan lines are netdiag's own.  With --json every event is one
 * object on stdout and nothing else goes there.
 */
#include <stdio.h>
#include <string.h>

#include "arping.h"
#include "json.h"

const char *out_ms(long long us, char *buf, size_t len)
{
	snprintf(buf, len, "%lld.%03lld", us / 1000, us % 1000);
	return buf;
}

static const char *mode_name(const struct arping_conf *c)
{
	if (c->scan_text)
		return "scan";
	if (c->dad)
		return "dad";
	if (c->advert)
		return "advert";
	if (c->unsolicited)
		return "unsolicited";
	return "probe";
}

static void json_mac(struct json *j, const char *key, const uint8_t *mac)
{
	char b[24];
	json_str(j, key, ether_fmt(mac, b, sizeof(b)));
}

void out_header(struct arping *a)
{
	if (a->conf->quiet || a->conf->json)
		return;
	char d[ADDR_STRLEN], s[ADDR_STRLEN];
	fprintf(a->out, "ARPING %s from %s %s\n", addr_fmt(&a->dst, d, sizeof(d)),
		addr_fmt(&a->src, s, sizeof(s)), a->ifname);
	fflush(a->out);
}

void out_reply(struct arping *a, const struct arping_reply *r)
{
	const struct arping_conf *c = a->conf;
	const struct arp_msg *m = r->arp;
	char ip[ADDR_STRLEN], mac[24], ms[32];
	if (c->json) {
		struct json j;
		json_begin(&j, a->out, "reply");
		json_addr(&j, "dst", &a->dst);
		json_addr(&j, "from", &m->spa);
		json_mac(&j, "mac", m->sha);
		json_str(&j, "op", m->op == ARP_REPLY ? "reply" : "request");
		json_str(&j, "frame", r->broadcast ? "broadcast" : "unicast");
		json_addr(&j, "for", &m->tpa);
		json_mac(&j, "for_mac", m->tha);
		if (r->rtt_us >= 0)
			json_ms(&j, "rtt_ms", r->rtt_us * NS_PER_US);
		else
			json_null(&j, "rtt_ms");
		json_bool(&j, "conflict", r->new_mac && r->first_mac != NULL);
		json_end(&j);
		return;
	}
	if (c->quiet)
		return;
	fprintf(a->out, "%s %s from %s [%s] ", r->broadcast ? "Broadcast" : "Unicast",
		m->op == ARP_REPLY ? "reply" : "request", addr_fmt(&m->spa, ip, sizeof(ip)),
		ether_fmt(m->sha, mac, sizeof(mac)));
	bool for_printed = false;
	if (!addr_eq(&m->tpa, &a->src) && !(addr_is_any(&a->src) && addr_is_any(&m->tpa))) {
		fprintf(a->out, "for %s ", addr_fmt(&m->tpa, ip, sizeof(ip)));
		for_printed = true;
	}
	if (memcmp(m->tha, a->mymac, ETHER_ADDR_LEN) != 0)
		fprintf(a->out, "%s[%s]", for_printed ? "" : "for ", ether_fmt(m->tha, mac, sizeof(mac)));
	if (r->rtt_us >= 0)
		fprintf(a->out, " %sms\n", out_ms(r->rtt_us, ms, sizeof(ms)));
	else
		fprintf(a->out, " UNSOLICITED?\n");
	fflush(a->out);
}

void out_conflict(struct arping *a, const uint8_t *mac, const uint8_t *first)
{
	char ip[ADDR_STRLEN], m1[24], m2[24];
	if (a->conf->json) {
		struct json j;
		json_begin(&j, a->out, "conflict");
		json_addr(&j, "addr", &a->dst);
		json_mac(&j, "mac", mac);
		json_mac(&j, "first_mac", first);
		json_end(&j);
		return;
	}
	/* A conflict is news even with -q: the one line -q keeps. */
	fprintf(a->out, "Address conflict: %s is also at [%s] (first answer from [%s])\n",
		addr_fmt(&a->dst, ip, sizeof(ip)), ether_fmt(mac, m1, sizeof(m1)),
		ether_fmt(first, m2, sizeof(m2)));
	fflush(a->out);
}

static void json_summary(struct arping *a)
{
	struct json j;
	json_begin(&j, a->out, "summary");
	json_addr(&j, "dst", &a->dst);
	json_addr(&j, "src", &a->src);
	json_str(&j, "iface", a->ifname);
	json_str(&j, "mode", mode_name(a->conf));
	json_int(&j, "sent", a->sent);
	json_int(&j, "broadcasts", a->brd_sent);
	json_int(&j, "received", a->received);
	json_int(&j, "requests", a->req_recv);
	json_int(&j, "broadcast_replies", a->brd_recv);
	json_int(&j, "ignored", a->ignored);
	json_arr_open(&j, "macs");
	for (int i = 0; i < a->nmacs; i++) {
		char b[24];
		json_str(&j, NULL, ether_fmt(a->macs[i].mac, b, sizeof(b)));
	}
	json_arr_close(&j);
	json_bool(&j, "conflict", a->conflict);
	json_ms(&j, "time_ms", clock_mono() - a->start);
	struct stats_summary s;
	if (stats_summarize(&a->rtt, &s)) {
		json_ms(&j, "rtt_min_ms", s.min * NS_PER_US);
		json_ms(&j, "rtt_avg_ms", s.avg * NS_PER_US);
		json_ms(&j, "rtt_max_ms", s.max * NS_PER_US);
		json_ms(&j, "rtt_mdev_ms", s.mdev * NS_PER_US);
	}
	json_int(&j, "exit_code", a->exit_code);
	json_end(&j);
}

void out_summary(struct arping *a)
{
	const struct arping_conf *c = a->conf;
	if (c->json) {
		json_summary(a);
		return;
	}
	if (c->quiet)
		return;
	fprintf(a->out, "Sent %lld probes (%lld broadcast(s))\n", a->sent, a->brd_sent);
	fprintf(a->out, "Received %lld response(s)", a->received);
	if (a->brd_recv || a->req_recv) {
		fprintf(a->out, " (");
		if (a->req_recv)
			fprintf(a->out, "%lld request(s)", a->req_recv);
		if (a->brd_recv)
			fprintf(a->out, "%s%lld broadcast(s)", a->req_recv ? ", " : "", a->brd_recv);
		fprintf(a->out, ")");
	}
	fprintf(a->out, "\n");
	fflush(a->out);
}

void out_scan_header(struct arping *a, long long nhosts)
{
	const struct arping_conf *c = a->conf;
	if (c->quiet || c->json)
		return;
	char s[ADDR_STRLEN];
	fprintf(a->out, "ARPING scan %s (%lld addresses) from %s %s, %lld probes/s, %d retries\n",
		c->scan_text, nhosts, addr_fmt(&a->src, s, sizeof(s)), a->ifname, c->rate, c->retries);
	fflush(a->out);
}

void out_scan_host(struct arping *a, const struct addr *ip, const uint8_t *mac, long long rtt_us, int dup)
{
	const struct arping_conf *c = a->conf;
	char b[ADDR_STRLEN], m[24], ms[32];
	if (c->json) {
		struct json j;
		json_begin(&j, a->out, "host");
		json_addr(&j, "ip", ip);
		json_mac(&j, "mac", mac);
		json_ms(&j, "rtt_ms", rtt_us * NS_PER_US);
		json_int(&j, "dup", dup);
		json_bool(&j, "conflict", dup > 1);
		json_end(&j);
		return;
	}
	if (c->quiet && dup <= 1)
		return;
	fprintf(a->out, "%s\t%s\t%s ms", addr_fmt(ip, b, sizeof(b)), ether_fmt(mac, m, sizeof(m)),
		out_ms(rtt_us, ms, sizeof(ms)));
	if (dup > 1)
		fprintf(a->out, "\t(DUP: %d) address conflict", dup);
	fprintf(a->out, "\n");
	fflush(a->out);
}

void out_scan_summary(struct arping *a, long long nhosts, long long sent, long long responded,
		      long long conflicts, nsec_t elapsed)
{
	const struct arping_conf *c = a->conf;
	if (c->json) {
		struct json j;
		json_begin(&j, a->out, "summary");
		json_str(&j, "scan", c->scan_text);
		json_addr(&j, "src", &a->src);
		json_str(&j, "iface", a->ifname);
		json_int(&j, "addresses", nhosts);
		json_int(&j, "sent", sent);
		json_int(&j, "responded", responded);
		json_int(&j, "conflicts", conflicts);
		json_int(&j, "ignored", a->ignored);
		json_ms(&j, "time_ms", elapsed);
		json_end(&j);
		return;
	}
	if (c->quiet)
		return;
	char ms[32];
	fprintf(a->out, "%lld addresses scanned in %s s (%lld probes): %lld responded", nhosts,
		out_ms(elapsed / NS_PER_MS, ms, sizeof(ms)), sent, responded);
	if (conflicts)
		fprintf(a->out, ", %lld address conflict(s)", conflicts);
	fprintf(a->out, "\n");
	fflush(a->out);
}
