/*
 * match — what a packet on the raw ICMP socket says, and which probe it
 * answers.
 *
 * The raw socket sees every ICMP message the host receives, most of them
 * nothing to do with us.  A packet counts only when every check passes:
 * a sound (v4) IP header carrying ICMP, a sound ICMP header, and either
 * an error whose quoted packet is one of ours (sent to our destination,
 * our protocol, and the method recognises the quoted L4 header as a probe
 * it sent) or an echo reply the ICMP method recognises.  The quoted bytes
 * are the router's, so nothing in them is trusted further than that: the
 * slot and send number are checked against the table by the caller.
 * A ping socket (-I without CAP_NET_RAW) delivers echo replies the same
 * way, without the IPv4 header.
 *
 * An error-queue message (IP_RECVERR on the UDP or ping socket) arrives
 * already matched to our socket by the kernel: type, code, info and the
 * router's address in the extended error, the probe's destination in the
 * name, and the quoted bytes after the probe's own L4 header as data;
 * the method reads the probe's identity from those bytes.
 *
 * The annotations are Butskoy's (parse_icmp_res): !H !N !P !S !F-<mtu>
 * !X !V !C !<code> and !<type-code> for anything else that is not a
 * time exceeded.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sock.h"
#include "traceroute.h"

void trt_annotation(const struct ipfam *fam, uint8_t type, uint8_t code, uint32_t info,
		    char *buf, size_t len, bool *final)
{
	const char *s = NULL;
	*final = true;
	buf[0] = '\0';
	if (fam->family == AF_INET) {
		if (type == 11 && code == 0) {
			*final = false;
			return;
		}
		if (type == 3) {
			switch (code) {
			case 0: case 6: case 8: case 11: s = "!N"; break;
			case 1: case 7: case 12: s = "!H"; break;
			case 9: case 10: case 13: s = "!X"; break;
			case 3: s = ""; break;             /* the destination is reached */
			case 2: s = "!P"; break;
			case 4: snprintf(buf, len, "!F-%u", (unsigned)(info & 0xffff)); return;
			case 5: s = "!S"; break;
			case 14: s = "!V"; break;
			case 15: s = "!C"; break;
			default: snprintf(buf, len, "!<%u>", code); return;
			}
		}
	} else {
		if (type == 3 && code == 0) {
			*final = false;
			return;
		}
		if (type == 1) {
			switch (code) {
			case 0: s = "!N"; break;
			case 2: case 3: s = "!H"; break;
			case 1: s = "!X"; break;
			case 4: s = ""; break;
			default: snprintf(buf, len, "!<%u>", code); return;
			}
		} else if (type == 2) {
			snprintf(buf, len, "!F-%u", (unsigned)info);
			return;
		}
	}
	if (!s) {
		snprintf(buf, len, "!<%u-%u>", type, code);
		return;
	}
	snprintf(buf, len, "%s", s);
}

static bool slot_ok(const struct trt *t, int slot, int send)
{
	/* the table, or the black-hole search's extra slot while it runs */
	bool in_table = slot >= 0 && (slot < t->nprobes || (slot == t->nprobes && t->bh.active));
	return in_table && send >= 0 && send < t->probes[slot].sends;
}

int trt_match_icmp(const struct trt *t, const uint8_t *pkt, size_t len, const struct addr *from,
		   int recv_ttl, struct trt_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->slot = -1;
	r->recv_ttl = recv_ttl;
	struct rd rd = rd_init(pkt, len);
	if (from)
		r->from = *from;
	if (t->fam->raw_rx_has_ip_header && !t->icmp_dgram) {
		struct ip_hdr outer;
		if (ip_decode(&rd, &outer) < 0 || outer.fam != t->fam || outer.proto != t->fam->icmp_proto)
			return -1;
		r->from = outer.src;
		r->recv_ttl = outer.ttl;
	}
	if (r->from.family != t->fam->family)
		return -1;
	const uint8_t *icmp_start = rd_peek(&rd);
	size_t icmp_len = rd_left(&rd);
	struct icmp_msg m;
	if (icmp_decode(&rd, t->fam, &m) < 0)
		return -1;
	enum icmp_kind k = icmp_kind(&m);
	int send = 0, slot;
	if (k == ICMPK_ECHO_REPLY) {
		if (!t->m->match_direct || !addr_eq(&r->from, &t->dst))
			return -1;
		slot = t->m->match_direct(t, &r->from, IPPROTO_ICMP, icmp_start, icmp_len, &send,
					  r->ext, sizeof(r->ext));
		if (!slot_ok(t, slot, send))
			return -1;
		r->slot = slot;
		r->send = send;
		r->final = true;
		r->type = m.type;
		return 0;
	}
	if (k != ICMPK_UNREACH && k != ICMPK_TOO_BIG && k != ICMPK_TIME_EXCEEDED &&
	    k != ICMPK_PARAM_PROBLEM)
		return -1;
	struct icmp_quote q;
	if (icmp_quote_decode(&m, &q) < 0)
		return -1;
	/* Our probe: to our destination, from us, our protocol.  The
	 * quote's own checksums are not checked: routers rewrite TTL and
	 * NAT boxes addresses in flight. */
	uint8_t proto = t->m->proto ? t->m->proto : (uint8_t)t->fam->icmp_proto;
	if (!addr_eq(&q.ip.dst, &t->dst) || q.ip.proto != proto ||
	    q.ip.frag_off != 0)
		return -1;
	if (addr_is_set(&t->src) && !addr_eq(&q.ip.src, &t->src))
		return -1;
	slot = t->m->match_quote(t, q.l4, q.l4_len, &send);
	if (!slot_ok(t, slot, send))
		return -1;
	r->slot = slot;
	r->send = send;
	r->is_icmp_error = true;
	r->type = m.type;
	r->code = m.code;
	r->mtu = icmp_mtu(&m);
	r->too_big = k == ICMPK_TOO_BIG;
	r->quote = m.body;
	r->quote_len = m.body_len;
	r->l4_quoted = q.l4_len;
	trt_annotation(t->fam, m.type, m.code, k == ICMPK_TOO_BIG ? r->mtu : m.info, r->annot,
		       sizeof(r->annot), &r->final);
	return 0;
}

/* The error types a probe can draw (the kernel queues no others on a
 * UDP or ping socket, but the check costs nothing). */
static bool errq_kind_ok(const struct ipfam *fam, uint8_t type, uint8_t code, bool *too_big)
{
	if (fam->family == AF_INET) {
		*too_big = type == 3 && code == 4;
		return type == 3 || type == 11 || type == 12;
	}
	*too_big = type == 2;
	return type >= 1 && type <= 4;
}

int trt_match_errq(const struct trt *t, const uint8_t *data, size_t len, const struct rxmeta *meta,
		   const struct addr *to, uint16_t port, struct trt_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->slot = -1;
	r->recv_ttl = meta->ttl;
	/* Local errors (EMSGSIZE of our own send) name no router. */
	if (!meta->is_error || meta->ee_origin != t->fam->ee_origin_icmp || !t->m->match_errq)
		return -1;
	if (meta->offender.family != t->fam->family || !to || !addr_eq(to, &t->dst))
		return -1;
	bool too_big;
	if (!errq_kind_ok(t->fam, meta->ee_type, meta->ee_code, &too_big))
		return -1;
	int send = 0;
	int slot = t->m->match_errq(t, data, len, port, &send);
	if (!slot_ok(t, slot, send))
		return -1;
	r->slot = slot;
	r->send = send;
	r->from = meta->offender;
	r->is_icmp_error = true;
	r->type = meta->ee_type;
	r->code = meta->ee_code;
	r->too_big = too_big;
	r->mtu = too_big ? meta->ee_info : 0;
	trt_annotation(t->fam, r->type, r->code, meta->ee_info, r->annot, sizeof(r->annot), &r->final);
	return 0;
}
