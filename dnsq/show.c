/*
 * show — whole messages on screen: the -v teaching view (every packet
 * sent and received, in a synthesized IP/UDP or IP/TCP header, decoded by
 * common/decode with the DNS layer printed here), --pcap (the same
 * synthesized packets, so Wireshark opens exactly this run), and the
 * dig-style dump of one response for @SERVER.
 *
 * dnsq's sockets are ordinary UDP/TCP sockets, so the IP and transport
 * headers are rebuilt from what we know (addresses, ports, TTL 64); the
 * DNS bytes are the real ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsq.h"
#include "ip.h"
#include "tcp.h"
#include "udp.h"

/* Biggest synthesized packet: IPv6 + TCP + length prefix + 64 KB. */
#define SHOW_PKT_MAX (40 + 20 + 2 + DNS_MSG_MAX)

void show_dns(const struct decode *d, int ipproto, uint16_t sport, uint16_t dport,
	      const uint8_t *payload, size_t len)
{
	(void)sport;
	(void)dport;
	if (ipproto == 6) {   /* TCP: RFC 7766 8 length prefix */
		if (len < 2)
			return;
		decode_line(d, 2, "DNS", "TCP length prefix %u", be16_get(payload));
		payload += 2;
		len -= 2;
	}
	struct dns_msg m;
	enum dns_err e = dns_msg_parse(&m, payload, len);
	char f[64], rc[16], t[16], n[DNS_NAME_STRLEN];
	if (len >= DNS_HDR_LEN)
		decode_line(d, 2, "DNS", "id 0x%04x, flags %s, opcode %u, rcode %s, qd %u an %u ns %u ar %u",
			    be16_get(payload), dns_flags_str(be16_get(payload + 2), f, sizeof(f)),
			    (be16_get(payload + 2) >> 11) & 0xf,
			    dns_rcode_name(be16_get(payload + 2) & 0xf, rc, sizeof(rc)),
			    be16_get(payload + 4), be16_get(payload + 6), be16_get(payload + 8),
			    be16_get(payload + 10));
	if (e != DNS_OK) {
		decode_line(d, 2, "", "[malformed: %s]", dns_strerror(e));
		dns_msg_free(&m);
		return;
	}
	if (m.has_question)
		decode_line(d, 2, "", "question %s %s", dns_name_fmt(&m.qname, n, sizeof(n)),
			    dns_type_name(m.qtype, t, sizeof(t)));
	if (m.edns)
		decode_line(d, 2, "", "EDNS version %u, udp %u, do %u, %u options", m.edns_version,
			    m.edns_size, m.edns_do, m.edns_nopts);
	static const char *const sect[] = { "", "answer", "authority", "additional" };
	char *b = malloc(DNS_RR_STRLEN);
	for (size_t i = 0; b && i < m.nrr; i++) {
		dns_rr_fmt(&m, &m.rr[i], b, DNS_RR_STRLEN);
		decode_line(d, 2, "", "%-10s %s", sect[m.rr[i].section], b);
	}
	free(b);
	dns_msg_free(&m);
}

void out_packet(struct dnsq *q, bool sent, const uint8_t *p, size_t len, const char *what,
		const struct addr *peer, uint16_t peer_port)
{
	if (!q->conf->verbose && !pcap_is_open(&q->pcap))
		return;
	const struct xfer *x = &q->x;
	const struct ipfam *fam = ipfam_get(peer->family);
	if (!fam)
		return;
	struct addr local = x->local;
	if (local.family != peer->family)
		addr_from_bytes(&local, peer->family, (const uint8_t[16]){ 0 });
	const struct addr *src = sent ? &local : peer, *dst = sent ? peer : &local;
	uint16_t sport = sent ? x->lport : peer_port, dport = sent ? peer_port : x->lport;
	uint8_t *pkt = malloc(SHOW_PKT_MAX), *l4 = malloc(SHOW_PKT_MAX);
	if (!pkt || !l4)
		goto out;
	struct wr w4 = wr_init(l4, SHOW_PKT_MAX);
	if (x->tcp) {
		uint8_t *framed = malloc(len + 2);
		if (!framed)
			goto out;
		be16_put(framed, (uint16_t)len);
		memcpy(framed + 2, p, len);
		struct tcp_hdr th = { .sport = sport, .dport = dport, .seq = 1, .ack = 1,
				      .doff = TCP_HDR_LEN, .flags = TCP_PSH | TCP_ACK, .window = 65535 };
		tcp_encode(&w4, src, dst, &th, framed, len + 2);
		free(framed);
	} else {
		udp_encode(&w4, src, dst, sport, dport, p, len);
	}
	struct ip_hdr h = { .fam = fam, .ttl = 64, .proto = x->tcp ? 6 : 17, .src = *src, .dst = *dst };
	struct wr w = wr_init(pkt, SHOW_PKT_MAX);
	if (!wr_ok(&w4) || ip_encode(&w, &h, wr_len(&w4)) < 0)
		goto out;
	wr_bytes(&w, l4, wr_len(&w4));
	if (!wr_ok(&w))
		goto out;
	if (pcap_is_open(&q->pcap))
		pcap_write(&q->pcap, clock_real(), pkt, wr_len(&w));
	if (q->conf->verbose) {
		char label[128];
		bool ignored = strcmp(what, "sent") != 0 && strcmp(what, "recv") != 0;
		snprintf(label, sizeof(label), "%s%s%s", sent ? "sent" : "recv",
			 ignored ? ", ignored: " : "", ignored ? what : "");
		decode_packet(&q->dec, label, DECODE_FROM_IP, fam, pkt, wr_len(&w));
	}
out:
	free(pkt);
	free(l4);
}

static void section(struct dnsq *q, const struct dns_msg *m, int s, const char *title, char *b)
{
	bool any = false;
	for (size_t i = 0; i < m->nrr; i++) {
		if (m->rr[i].section != s)
			continue;
		if (!any)
			fprintf(q->out, "\n;; %s SECTION:\n", title);
		any = true;
		dns_rr_fmt(m, &m->rr[i], b, DNS_RR_STRLEN);
		fprintf(q->out, "%s\n", b);
	}
}

void out_direct(struct dnsq *q, const struct dns_msg *m, size_t len, nsec_t rtt)
{
	char f[64], rc[16], n[DNS_NAME_STRLEN], t[16], a[ADDR_STRLEN];
	FILE *o = q->out;
	fprintf(o, ";; Got answer:\n;; ->>HEADER<<- opcode: %s, status: %s, id: %u\n",
		m->opcode == 0 ? "QUERY" : "OTHER", dns_rcode_name(m->rcode, rc, sizeof(rc)), m->id);
	fprintf(o, ";; flags: %s; QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u\n",
		dns_flags_str(m->flags, f, sizeof(f)), m->qdcount, m->ancount, m->nscount, m->arcount);
	if (m->edns)
		fprintf(o, "\n;; OPT PSEUDOSECTION:\n; EDNS: version: %u, flags:%s; udp: %u\n",
			m->edns_version, m->edns_do ? " do" : "", m->edns_size);
	if (m->has_question)
		fprintf(o, ";; QUESTION SECTION:\n;%s\t\tIN\t%s\n", dns_name_fmt(&m->qname, n, sizeof(n)),
			dns_type_name(m->qtype, t, sizeof(t)));
	char *b = malloc(DNS_RR_STRLEN);
	if (b) {
		section(q, m, 1, "ANSWER", b);
		section(q, m, 2, "AUTHORITY", b);
		section(q, m, 3, "ADDITIONAL", b);
		free(b);
	}
	fprintf(o, "\n;; Query time: %lld msec\n;; SERVER: %s#%u(%s) (%s)\n;; MSG SIZE  rcvd: %zu\n\n",
		(long long)(rtt / NS_PER_MS), addr_fmt(&q->x.server, a, sizeof(a)), q->x.port, a,
		q->x.tcp ? "TCP" : "UDP", len);
	fflush(o);
}
