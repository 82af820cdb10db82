/*
 * output — tcpprobe's lines (SPEC.md), the -S transcript, the statistics
 * footer as ping prints it, the JSON events, and the -v / --pcap view.
 *
 * One row per probe, printed the moment the probe is decided:
 *   10.0.0.2:80 open  syn-ack  time=0.211 ms  win=65160 mss=1460 sack ts wscale=7
 *   10.0.0.2:82 filtered  icmp 3/13 (communication administratively prohibited) from 10.0.0.1  time=0.140 ms
 * The ICMP code is named in lower case after the common table's name.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "buf.h"
#include "icmp.h"
#include "json.h"
#include "tcpprobe.h"

static const char *const class_names[] = {
	[TP_NONE] = "none", [TP_FILTERED] = "filtered", [TP_CLOSED] = "closed", [TP_OPEN] = "open",
};
static const char *const reason_names[] = {
	[TP_R_NONE] = "none", [TP_R_SYNACK] = "syn-ack", [TP_R_RST] = "rst",
	[TP_R_ICMP] = "icmp", [TP_R_TIMEOUT] = "timeout",
};

const char *out_target(const struct tp *t, uint16_t port, char *buf, size_t len)
{
	char a[ADDR_STRLEN];
	addr_fmt(&t->target, a, sizeof(a));
	snprintf(buf, len, t->target.family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

static const char *endpoint(const struct addr *a, uint16_t port, char *buf, size_t len)
{
	char s[ADDR_STRLEN];
	addr_fmt(a, s, sizeof(s));
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s, port);
	return buf;
}

const char *out_opts(const struct tcp_opts *o, char *buf, size_t len)
{
	buf[0] = '\0';
	size_t used = 0;
	int n;
	if (o->has_mss && (n = snprintf(buf + used, len - used, "%smss=%u", used ? " " : "", o->mss)) > 0)
		used += (size_t)n < len - used ? (size_t)n : 0;
	if (o->sack_ok && (n = snprintf(buf + used, len - used, "%ssack", used ? " " : "")) > 0)
		used += (size_t)n < len - used ? (size_t)n : 0;
	if (o->has_ts && (n = snprintf(buf + used, len - used, "%sts", used ? " " : "")) > 0)
		used += (size_t)n < len - used ? (size_t)n : 0;
	if (o->has_wscale &&
	    (n = snprintf(buf + used, len - used, "%swscale=%u", used ? " " : "", o->wscale)) > 0)
		used += (size_t)n < len - used ? (size_t)n : 0;
	return buf;
}

/* "communication administratively prohibited" */
static const char *code_text(const struct tp *t, uint8_t type, uint8_t code, char *buf, size_t len)
{
	snprintf(buf, len, "%s", icmp_code_name(t->fam, type, code));
	for (char *c = buf; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return buf;
}

/* "10.0.0.1", or "name (10.0.0.1)" without -n when a name is known. */
static const char *router(const struct tp *t, const struct addr *a, char *buf, size_t len)
{
	char num[ADDR_STRLEN], name[256];
	addr_fmt(a, num, sizeof(num));
	if (t->conf->numeric || !strcmp(addr_name(a, name, sizeof(name)), num)) {
		snprintf(buf, len, "%s", num);
		return buf;
	}
	/* A name longer than the line has room for is cut, never overrun. */
	int n = snprintf(buf, len, "%.200s (", name);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s)", num);
	return buf;
}

static void json_result(struct tp *t, const struct tp_probe *p, const struct tp_result *r)
{
	struct json j;
	json_begin(&j, t->out, "probe");
	json_addr(&j, "dst", &t->target);
	json_int(&j, "port", t->conf->ports[p->pidx]);
	json_int(&j, "seq", (long long)p->round + 1);
	json_str(&j, "state", class_names[r->cls]);
	json_str(&j, "reason", reason_names[r->reason]);
	json_str(&j, "mode", t->method->name);
	if (r->rtt_us >= 0)
		json_ms(&j, "rtt_ms", r->rtt_us * NS_PER_US);
	if (r->ttl >= 0)
		json_int(&j, "ttl", r->ttl);
	if (t->method == &tp_method_raw)
		json_uint(&j, "isn", p->isn);
	if (r->reason == TP_R_ICMP) {
		char msg[96];
		json_int(&j, "icmp_type", r->icmp_type);
		json_int(&j, "icmp_code", r->icmp_code);
		json_str(&j, "message", code_text(t, r->icmp_type, r->icmp_code, msg, sizeof(msg)));
		if (addr_is_set(&r->from))
			json_addr(&j, "from", &r->from);
	}
	if (r->have_tcp) {
		const struct tcp_opts *o = &r->tcp.opts;
		json_uint(&j, "peer_seq", r->tcp.seq);
		json_uint(&j, "ack", r->tcp.ack);
		json_int(&j, "win", r->tcp.window);
		if (r->cls == TP_OPEN) {
			if (o->has_mss)
				json_int(&j, "mss", o->mss);
			json_bool(&j, "sack", o->sack_ok);
			json_bool(&j, "ts", o->has_ts);
			if (o->has_wscale)
				json_int(&j, "wscale", o->wscale);
			if (o->has_mss)
				json_bool(&j, "mss_clamped", o->mss != t->our_mss);
		}
	} else if (r->have_info) {
		json_bool(&j, "sack", r->info_sack);
		json_bool(&j, "ts", r->info_ts);
		if (r->info_wscale >= 0)
			json_int(&j, "wscale", r->info_wscale);
	}
	json_end(&j);
}

void out_result(struct tp *t, const struct tp_probe *p, const struct tp_result *r)
{
	if (t->conf->json) {
		json_result(t, p, r);
		return;
	}
	char tgt[ADDR_STRLEN + 16], tm[32], extra[160] = "";
	out_target(t, t->conf->ports[p->pidx], tgt, sizeof(tgt));
	if (r->rtt_us >= 0)
		snprintf(tm, sizeof(tm), "  time=%s ms", stats_fmt_ms(r->rtt_us, (char[24]){ 0 }, 24));
	else
		tm[0] = '\0';
	switch (r->reason) {
	case TP_R_SYNACK: {
		char o[96];
		if (r->have_tcp)
			snprintf(extra, sizeof(extra), "  win=%u%s%s", r->tcp.window,
				 r->tcp.opts.has_mss || r->tcp.opts.sack_ok || r->tcp.opts.has_ts ||
				 r->tcp.opts.has_wscale ? " " : "",
				 out_opts(&r->tcp.opts, o, sizeof(o)));
		else if (r->have_info) {
			struct tcp_opts io = { .sack_ok = r->info_sack, .has_ts = r->info_ts,
					       .has_wscale = r->info_wscale >= 0,
					       .wscale = (uint8_t)(r->info_wscale >= 0 ? r->info_wscale : 0) };
			out_opts(&io, o, sizeof(o));
			if (o[0])
				snprintf(extra, sizeof(extra), "  %s", o);
		}
		fprintf(t->out, "%s open  syn-ack%s%s\n", tgt, tm, extra);
		break;
	}
	case TP_R_RST:
		fprintf(t->out, "%s closed  rst%s\n", tgt, tm);
		break;
	case TP_R_ICMP: {
		char msg[96], from[300] = "";
		if (addr_is_set(&r->from)) {
			char rb[290];
			snprintf(from, sizeof(from), " from %s", router(t, &r->from, rb, sizeof(rb)));
		}
		fprintf(t->out, "%s filtered  icmp %u/%u (%s)%s%s\n", tgt, r->icmp_type, r->icmp_code,
			code_text(t, r->icmp_type, r->icmp_code, msg, sizeof(msg)), from, tm);
		break;
	}
	default:
		fprintf(t->out, "%s filtered  timeout\n", tgt);
		break;
	}
	fflush(t->out);
}

/* ---- -S: the handshake transcript ---- */

void out_syn_sent(struct tp *t, const struct tp_probe *p, const struct tcp_hdr *syn)
{
	if (t->conf->json)
		return;
	char a[ADDR_STRLEN + 16], b[ADDR_STRLEN + 16], o[96];
	fprintf(t->out, "SYN      %s > %s  seq=%u  win=%u  %s\n",
		endpoint(&t->local, t->sport, a, sizeof(a)),
		endpoint(&t->target, t->conf->ports[p->pidx], b, sizeof(b)), syn->seq, syn->window,
		out_opts(&syn->opts, o, sizeof(o)));
}

void out_handshake_reply(struct tp *t, const struct tp_probe *p, const struct tcp_hdr *h)
{
	if (t->conf->json)
		return;
	char a[ADDR_STRLEN + 16], b[ADDR_STRLEN + 16], fl[48];
	uint16_t port = t->conf->ports[p->pidx];
	endpoint(&t->target, port, a, sizeof(a));
	endpoint(&t->local, t->sport, b, sizeof(b));
	bool synack = (h->flags & TCP_SYN) != 0;
	fprintf(t->out, "%-8s %s > %s  seq=%u ack=%u (our seq + 1: verified)  win=%u  [%s]\n",
		synack ? "SYN-ACK" : "RST-ACK", a, b, h->seq, h->ack, h->window,
		tcp_flags_str(h->flags, fl, sizeof(fl)));
	if (!synack)
		return;
	const struct tcp_opts *o = &h->opts;
	fprintf(t->out, "         options:");
	if (!o->has_mss && !o->sack_ok && !o->has_ts && !o->has_wscale)
		fprintf(t->out, " none");
	if (o->has_mss)
		fprintf(t->out, " MSS %u;", o->mss);
	if (o->sack_ok)
		fprintf(t->out, " SACK permitted;");
	if (o->has_ts)
		fprintf(t->out, " timestamps val=%u ecr=%u;", o->ts_val, o->ts_ecr);
	if (o->has_wscale)
		fprintf(t->out, " window scale %u (x%u)", o->wscale, 1u << o->wscale);
	if (o->malformed)
		fprintf(t->out, " [malformed option ignored]");
	fprintf(t->out, "\n");
	if (o->has_mss && o->mss != t->our_mss)
		fprintf(t->out, "         MSS %u differs from ours (%u): MSS clamping on the path, "
			"or a smaller MTU at the peer\n", o->mss, t->our_mss);
	fprintf(t->out, "RST      %s > %s  seq=%u  (sent by our kernel: no socket owns this "
		"connection, so the server drops its half-open state)\n", b, a, p->isn + 1);
}

void out_foreign(struct tp *t, const struct tcp_hdr *h, uint32_t expect_ack)
{
	if (t->conf->json)
		return;
	char a[ADDR_STRLEN + 16], fl[48];
	fprintf(t->out, "ignored  %s  [%s] seq=%u ack=%u: not our seq + 1 (%u): a stale or foreign segment\n",
		endpoint(&t->target, h->sport, a, sizeof(a)), tcp_flags_str(h->flags, fl, sizeof(fl)),
		h->seq, h->ack, expect_ack);
	fflush(t->out);
}

/* ---- the footer ---- */

void out_summary(struct tp *t)
{
	long long nopen = 0, nclosed = 0, nfilt = 0;
	for (size_t i = 0; i < t->conf->nports; i++) {
		nopen += t->best[i] == TP_OPEN;
		nclosed += t->best[i] == TP_CLOSED;
		nfilt += t->best[i] == TP_FILTERED;
	}
	struct stats_summary s;
	bool have = stats_summarize(&t->rtt, &s);
	double loss = t->sent ? stats_loss_pct(t->sent, t->answered) : 0;
	if (t->conf->json) {
		struct json j;
		json_begin(&j, t->out, "summary");
		json_str(&j, "dst", t->conf->host);
		json_addr(&j, "addr", &t->target);
		json_str(&j, "mode", t->method->name);
		json_int(&j, "sent", t->sent);
		json_int(&j, "answered", t->answered);
		json_double(&j, "loss_pct", loss);
		json_int(&j, "open", nopen);
		json_int(&j, "closed", nclosed);
		json_int(&j, "filtered", nfilt);
		json_int(&j, "ignored", t->ignored);
		json_int(&j, "late", t->late);
		json_ms(&j, "time_ms", clock_mono() - t->t0);
		if (have) {
			json_ms(&j, "rtt_min_ms", s.min * NS_PER_US);
			json_ms(&j, "rtt_avg_ms", s.avg * NS_PER_US);
			json_ms(&j, "rtt_max_ms", s.max * NS_PER_US);
			json_ms(&j, "rtt_mdev_ms", s.mdev * NS_PER_US);
			json_double(&j, "rtt_p50_ms", s.p50);
			json_double(&j, "rtt_p90_ms", s.p90);
			json_double(&j, "rtt_p99_ms", s.p99);
			json_double(&j, "jitter_ms", s.jitter);
		}
		json_end(&j);
		return;
	}
	fprintf(t->out, "\n--- %s tcpprobe statistics ---\n", t->conf->host);
	fprintf(t->out, "%lld probes sent, %lld answered, %g%% loss\n", t->sent, t->answered, loss);
	fprintf(t->out, "ports: %lld open, %lld closed, %lld filtered\n", nopen, nclosed, nfilt);
	if (have) {
		char buf[96];
		fprintf(t->out, "rtt min/avg/max/mdev = %s ms\n", stats_fmt_rtt(&s, buf, sizeof(buf)));
	}
	fflush(t->out);
}

/* ---- -v and --pcap: every packet, with an IP header where the kernel
 * built it (sends, IPv6 receives) rebuilt from what we know ---- */

void out_packet_ip(struct tp *t, const char *what, const uint8_t *pkt, size_t len, nsec_t ts)
{
	if (t->conf->verbose)
		decode_packet(&t->dec, what, DECODE_FROM_IP, t->fam, pkt, len);
	if (pcap_is_open(&t->pcap))
		pcap_write(&t->pcap, ts ? ts : clock_real(), pkt, len);
}

void out_packet(struct tp *t, const char *what, const struct addr *src, const struct addr *dst,
		uint8_t proto, int ttl, const uint8_t *l4, size_t len, nsec_t ts)
{
	if (!t->conf->verbose && !pcap_is_open(&t->pcap))
		return;
	struct ip_hdr h = {
		.fam = t->fam, .ttl = (uint8_t)(ttl >= 0 ? ttl : 64), .proto = proto,
		.df = true, .src = *src, .dst = *dst,
	};
	struct wr w = wr_init(t->viewbuf, TP_RX_BUF);
	if (ip_encode(&w, &h, len) != 0)
		return;
	wr_bytes(&w, l4, len);
	if (!wr_ok(&w))
		return;
	out_packet_ip(t, what, t->viewbuf, wr_len(&w), ts);
}
