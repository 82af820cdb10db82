/*
 * output — Butskoy's lines to the character, the JSON events, and the
 * -v / --pcap view of every packet.
 *
 * A hop line is printed a probe at a time as the table completes
 * (print_probe in Butskoy's traceroute.c): "%2d " at the start of a hop,
 * the address only when it differs from the previous answered probe of
 * the same hop (so ECMP shows up inline), "  %.3f ms" per answer, " *"
 * per silence, then the annotation.  Reverse lookups are cached per
 * router.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cksum.h"
#include "json.h"
#include "sock.h"
#include "udp.h"
#include "traceroute.h"

const char *out_name(struct trt *t, const struct addr *a, char *buf, size_t len)
{
	return addr_names_fmt(&t->names, a, t->conf->numeric, buf, len);
}

void out_header(struct trt *t)
{
	if (t->conf->json) {
		struct json j;
		json_begin(&j, t->out, "start");
		json_str(&j, "host", t->conf->host);
		json_addr(&j, "dst", &t->dst);
		json_addr(&j, "src", &t->src);
		json_str(&j, "method", t->m->name);
		json_int(&j, "first_ttl", t->conf->first_ttl);
		json_int(&j, "max_hops", t->conf->max_ttl);
		json_int(&j, "queries", t->conf->nqueries);
		json_uint(&j, "packet_len", t->size);
		json_int(&j, "sport", t->sport);
		json_int(&j, "dport", t->dport);
		json_end(&j);
		return;
	}
	char num[ADDR_STRLEN];
	fprintf(t->out, "traceroute to %s (%s), %d hops max, %zu byte packets\n", t->dst_name,
		addr_fmt(&t->dst, num, sizeof(num)), t->conf->max_ttl, t->size);
	fflush(t->out);
}

/* Index of the previous answered probe of the same hop, or -1. */
static int prev_answered(const struct trt *t, int slot)
{
	int hop0 = slot - slot % t->conf->nqueries;
	for (int i = slot - 1; i >= hop0; i--)
		if (t->probes[i].answered)
			return i;
	return -1;
}

void out_probe(struct trt *t, int slot)
{
	const struct trt_probe *p = &t->probes[slot];
	if (slot % t->conf->nqueries == 0)
		t->line_ttl = p->ttl;
	if (t->conf->json)
		return;
	if (slot % t->conf->nqueries == 0)
		fprintf(t->out, "%2d ", p->ttl);
	if (!p->answered) {
		fputs(" *", t->out);
	} else {
		int prev = prev_answered(t, slot);
		if (prev < 0 || !addr_eq(&t->probes[prev].from, &p->from)) {
			char name[ADDR_STRLEN + 300];
			fprintf(t->out, " %s", out_name(t, &p->from, name, sizeof(name)));
		}
		fprintf(t->out, "  %.3f ms", (double)p->rtt / NS_PER_MS);
		if (p->annot[0])
			fprintf(t->out, " %s", p->annot);
		if (p->mtu_shown)
			fprintf(t->out, " F=%u", p->mtu_shown);
	}
	fflush(t->out);
}

void out_end_line(struct trt *t)
{
	if (!t->line_ttl)
		return;
	t->line_ttl = 0;
	if (t->conf->json)
		return;
	fputc('\n', t->out);
	fflush(t->out);
}

void out_hop_json(struct trt *t, int ttl)
{
	if (!t->conf->json)
		return;
	int nq = t->conf->nqueries, hop0 = (ttl - t->conf->first_ttl) * nq;
	struct json j;
	json_begin(&j, t->out, "hop");
	json_int(&j, "ttl", ttl);
	json_arr_open(&j, "probes");
	for (int i = hop0; i < hop0 + nq; i++) {
		const struct trt_probe *p = &t->probes[i];
		json_obj_open(&j, NULL);
		json_bool(&j, "answered", p->answered);
		if (p->answered) {
			char name[300];
			json_addr(&j, "from", &p->from);
			if (!t->conf->numeric)
				json_str(&j, "name", addr_name(&p->from, name, sizeof(name)));
			json_ms(&j, "rtt_ms", p->rtt);
			if (p->icmp_type || p->icmp_code || t->m->proto != IPPROTO_TCP) {
				json_int(&j, "icmp_type", p->icmp_type);
				json_int(&j, "icmp_code", p->icmp_code);
			}
			if (p->recv_ttl >= 0)
				json_int(&j, "reply_ttl", p->recv_ttl);
			if (p->annot[0])
				json_str(&j, "annotation", p->annot);
			if (p->ext[0])
				json_str(&j, "tcp_flags", p->ext);
			if (p->mtu_shown)
				json_uint(&j, "mtu", p->mtu_shown);
			json_bool(&j, "final", p->final);
		}
		json_int(&j, "sends", p->sends);
		json_uint(&j, "size", p->size);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_end(&j);
}

void out_summary_json(struct trt *t)
{
	if (!t->conf->json)
		return;
	struct json j;
	json_begin(&j, t->out, "summary");
	json_addr(&j, "dst", &t->dst);
	json_bool(&j, "reached", trt_exit_code(t) == 0);
	json_int(&j, "hops", t->final_ttl != __INT_MAX__ ? t->final_ttl
			      : (t->next_print ? trt_slot_ttl(t, t->next_print - 1) : 0));
	json_int(&j, "probes_sent", t->sent);
	json_int(&j, "retries", t->retries);
	json_int(&j, "ignored", t->ignored);
	json_ms(&j, "time_ms", clock_mono() - t->start);
	if (t->conf->mtu) {
		json_uint(&j, "path_mtu", t->pmtu);
		json_uint(&j, "tcp_mss", t->pmtu - t->fam->hdr_len - 20);
		if (t->bh.found) {
			json_obj_open(&j, "black_hole");
			json_int(&j, "after_hop", t->bh.ttl - 1);
			json_int(&j, "hop", t->bh.ttl);
			if (t->bh.have_before)
				json_addr(&j, "after_addr", &t->bh.before);
			if (t->bh.have_after)
				json_addr(&j, "hop_addr", &t->bh.after);
			json_uint(&j, "largest_ok", t->bh.lo);
			json_obj_close(&j);
		}
	}
	json_end(&j);
}

/*
 * -v and --pcap: every packet as it was on the wire.  A packet we only
 * have from L4 up (UDP and TCP probes the kernel framed, ICMPv6 from a
 * raw socket) gets a rebuilt IP header with the addresses we know.
 */
void out_packet(struct trt *t, const char *what, const uint8_t *pkt, size_t len, bool l4_only,
		uint8_t proto, int ttl, bool outgoing)
{
	if (!t->conf->verbose && !pcap_is_open(&t->pcap))
		return;
	const uint8_t *view = pkt;
	size_t vlen = len;
	if (l4_only) {
		struct ip_hdr h = {
			.fam = t->fam, .ttl = (uint8_t)(ttl < 0 ? 64 : ttl), .proto = proto,
			.src = outgoing ? t->src : t->rx_from, .dst = outgoing ? t->dst : t->src,
			.df = outgoing && t->conf->dontfrag,
		};
		struct wr w = wr_init(t->viewbuf, TRT_BUF);
		if (len <= TRT_BUF - 64 && ip_encode(&w, &h, len) == 0) {
			wr_bytes(&w, pkt, len);
			view = t->viewbuf;
			vlen = wr_len(&w);
		}
	}
	if (t->conf->verbose) {
		char label[64];
		if (outgoing)
			snprintf(label, sizeof(label), "%s (ttl %d)", what, ttl);
		else
			snprintf(label, sizeof(label), "%s", what);
		decode_packet(&t->dec, label, DECODE_FROM_IP, t->fam, view, vlen);
	}
	if (pcap_is_open(&t->pcap))
		pcap_write(&t->pcap, clock_real(), view, vlen);
}

/*
 * -v / --pcap without a raw socket: the error queue gives type, code,
 * info, the router's address and the quoted bytes after the probe's L4
 * header, not the packet.  The ICMP error is rebuilt around them so the
 * decoder and the capture show what arrived; the quoted IP and UDP
 * headers are the ones we sent (the quoted TTL on arrival is unknown: 0),
 * and the label says so.
 */
void out_errq(struct trt *t, const struct rxmeta *m, const uint8_t *data, size_t len)
{
	if (!t->conf->verbose && !pcap_is_open(&t->pcap))
		return;
	uint8_t pkt[1024];
	bool udp = t->m->proto == IPPROTO_UDP;
	uint8_t qproto = t->m->proto ? t->m->proto : (uint8_t)t->fam->icmp_proto;
	if (len > sizeof(pkt) - 128)
		len = sizeof(pkt) - 128;
	struct wr w = wr_init(pkt, sizeof(pkt));
	wr_u8(&w, m->ee_type);
	wr_u8(&w, m->ee_code);
	wr_u16(&w, 0);
	bool v4_frag = t->fam->family == AF_INET && m->ee_type == 3 && m->ee_code == 4;
	bool v6_big = t->fam->family == AF_INET6 && m->ee_type == 2;
	wr_u32(&w, v6_big ? m->ee_info : v4_frag ? (m->ee_info & 0xffff) : 0);
	size_t l4 = len + (udp ? UDP_HDR_LEN : 0);
	struct ip_hdr q = { .fam = t->fam, .ttl = 0, .proto = qproto, .src = t->src, .dst = t->dst,
			    .df = t->conf->dontfrag || t->conf->mtu };
	if (ip_encode(&w, &q, l4) < 0)
		return;
	if (udp) {
		wr_u16(&w, t->sport);
		wr_u16(&w, t->dport);
		wr_u16(&w, (uint16_t)l4);
		wr_u16(&w, len >= 4 ? be16_get(data + 2) : 0);   /* the checksum we sent is the identity */
	}
	wr_bytes(&w, data, len);
	if (!wr_ok(&w))
		return;
	uint32_t sum = t->fam->family == AF_INET6 ?
		cksum_pseudo(&m->offender, &t->src, (uint8_t)t->fam->icmp_proto, (uint32_t)wr_len(&w)) : 0;
	be16_put(pkt + 2, cksum_finish(cksum_add(sum, pkt, wr_len(&w))));
	t->rx_from = m->offender;
	out_packet(t, "recv (rebuilt from the error queue, quoted TTL unknown)", pkt, wr_len(&w), true,
		   (uint8_t)t->fam->icmp_proto, m->ttl, false);
}
