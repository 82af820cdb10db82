/*
 * icmp — ICMP/ICMPv6 codec and names.
 *
 * The description strings are iputils ping's own (ping.c pr_icmph and
 * ping6_common.c), because scripts and fingers know them; the type/code
 * names and the one-line explanations are ours, for -v.
 */
#include "icmp.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cksum.h"

struct code_text {
	const char *name;      /* short name for the decoder */
	const char *iputils;   /* ping's wording */
	const char *explain;   /* for students */
};

/* ---- IPv4 (RFC 792, RFC 1812 section 5.2.7.1, RFC 1122) ---- */

static const struct code_text v4_unreach[16] = {
	{ "Net Unreachable", "Destination Net Unreachable",
	  "a router has no route to the destination network" },
	{ "Host Unreachable", "Destination Host Unreachable",
	  "the last router could not reach the host (usually: no ARP reply on its link)" },
	{ "Protocol Unreachable", "Destination Protocol Unreachable",
	  "the destination host does not speak the protocol inside the packet" },
	{ "Port Unreachable", "Destination Port Unreachable",
	  "the destination host has nothing listening on that UDP port" },
	{ "Fragmentation Needed", "Frag needed and DF set",
	  "the packet is larger than the next link's MTU and Don't Fragment was set" },
	{ "Source Route Failed", "Source Route Failed",
	  "a router could not follow the source route in the packet" },
	{ "Net Unknown", "Destination Net Unknown",
	  "the destination network is unknown to the router" },
	{ "Host Unknown", "Destination Host Unknown",
	  "the destination host is unknown to the router" },
	{ "Host Isolated", "Source Host Isolated",
	  "the source host is isolated (obsolete code)" },
	{ "Net Prohibited", "Destination Net Prohibited",
	  "communication with the destination network is administratively prohibited" },
	{ "Host Prohibited", "Destination Host Prohibited",
	  "communication with the destination host is administratively prohibited" },
	{ "Net Unreachable for TOS", "Destination Net Unreachable for Type of Service",
	  "no route to the network for this type of service" },
	{ "Host Unreachable for TOS", "Destination Host Unreachable for Type of Service",
	  "no route to the host for this type of service" },
	{ "Communication Administratively Prohibited", "Packet filtered",
	  "a firewall on the path rejected the packet" },
	{ "Host Precedence Violation", "Precedence Violation",
	  "the precedence value is not permitted for this path" },
	{ "Precedence Cutoff", "Precedence Cutoff",
	  "the packet's precedence is below the minimum the network requires" },
};

static const struct code_text v4_redirect[4] = {
	{ "Redirect Network", "Redirect Network", "a better first-hop router exists for this network" },
	{ "Redirect Host", "Redirect Host", "a better first-hop router exists for this host" },
	{ "Redirect TOS and Network", "Redirect Type of Service and Network",
	  "a better first-hop router exists for this network and type of service" },
	{ "Redirect TOS and Host", "Redirect Type of Service and Host",
	  "a better first-hop router exists for this host and type of service" },
};

static const struct code_text v4_time[2] = {
	{ "TTL Exceeded in Transit", "Time to live exceeded",
	  "a router decremented the TTL to zero and dropped the packet" },
	{ "Fragment Reassembly Time Exceeded", "Frag reassembly time exceeded",
	  "the receiver gave up waiting for the rest of a fragmented packet" },
};

static const char *const v4_type_names[19] = {
	[0] = "Echo Reply", [3] = "Destination Unreachable", [4] = "Source Quench",
	[5] = "Redirect", [8] = "Echo Request", [9] = "Router Advertisement",
	[10] = "Router Solicitation", [11] = "Time Exceeded", [12] = "Parameter Problem",
	[13] = "Timestamp", [14] = "Timestamp Reply", [15] = "Information Request",
	[16] = "Information Reply", [17] = "Address Mask Request", [18] = "Address Mask Reply",
};

/* ---- IPv6 (RFC 4443) ---- */

static const struct code_text v6_unreach[8] = {
	{ "No Route", "No route", "a router has no route to the destination" },
	{ "Administratively Prohibited", "Administratively prohibited",
	  "a firewall on the path rejected the packet" },
	{ "Beyond Scope of Source Address", "Beyond scope of source address",
	  "the source address's scope does not reach the destination" },
	{ "Address Unreachable", "Address unreachable",
	  "the last router could not reach the host (usually: no neighbour discovery reply)" },
	{ "Port Unreachable", "Port unreachable", "the destination host has nothing listening on that port" },
	{ "Source Address Failed Policy", "Source address failed ingress/egress policy",
	  "the source address is not allowed through an ingress/egress filter" },
	{ "Reject Route", "Reject route to destination", "a reject route for the destination was hit" },
	{ "Error in Source Routing Header", "Error in Source Routing Header",
	  "the routing header could not be processed" },
};

static const struct code_text v6_time[2] = {
	{ "Hop Limit Exceeded in Transit", "Hop limit",
	  "a router decremented the hop limit to zero and dropped the packet" },
	{ "Fragment Reassembly Time Exceeded", "Defragmentation failure",
	  "the receiver gave up waiting for the rest of a fragmented packet" },
};

static const struct code_text v6_param[3] = {
	{ "Erroneous Header Field", "Wrong header field ", "a header field could not be understood" },
	{ "Unrecognized Next Header", "Unknown header ", "the next-header value is not known to the receiver" },
	{ "Unrecognized IPv6 Option", "Unknown option ", "an IPv6 option is not known to the receiver" },
};

static const char *v6_type_name(uint8_t type)
{
	switch (type) {
	case 1: return "Destination Unreachable";
	case 2: return "Packet Too Big";
	case 3: return "Time Exceeded";
	case 4: return "Parameter Problem";
	case 128: return "Echo Request";
	case 129: return "Echo Reply";
	case 130: return "Multicast Listener Query";
	case 131: return "Multicast Listener Report";
	case 132: return "Multicast Listener Done";
	case 133: return "Router Solicitation";
	case 134: return "Router Advertisement";
	case 135: return "Neighbor Solicitation";
	case 136: return "Neighbor Advertisement";
	case 137: return "Redirect";
	case 143: return "Multicast Listener Report v2";
	default: return NULL;
	}
}

#define LOOKUP(tab, code) ((code) < sizeof(tab) / sizeof((tab)[0]) ? &(tab)[code] : NULL)

static const struct code_text *code_text(const struct ipfam *fam, uint8_t type, uint8_t code)
{
	if (fam->family == AF_INET) {
		switch (type) {
		case 3: return LOOKUP(v4_unreach, code);
		case 5: return LOOKUP(v4_redirect, code);
		case 11: return LOOKUP(v4_time, code);
		default: return NULL;
		}
	}
	switch (type) {
	case 1: return LOOKUP(v6_unreach, code);
	case 3: return LOOKUP(v6_time, code);
	case 4: return LOOKUP(v6_param, code);
	default: return NULL;
	}
}

int icmp_decode(struct rd *r, const struct ipfam *fam, struct icmp_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->fam = fam;
	m->len = rd_left(r);
	m->type = rd_u8(r);
	m->code = rd_u8(r);
	m->cksum = rd_u16(r);
	m->info = rd_u32(r);
	m->id = (uint16_t)(m->info >> 16);
	m->seq = (uint16_t)m->info;
	if (!rd_ok(r))
		return -1;
	struct rd body = rd_rest(r);
	m->body = rd_peek(&body);
	m->body_len = rd_left(&body);
	return 0;
}

enum icmp_kind icmp_kind(const struct icmp_msg *m)
{
	if (m->type == m->fam->echo_reply)
		return ICMPK_ECHO_REPLY;
	if (m->type == m->fam->echo_request)
		return ICMPK_ECHO_REQUEST;
	if (m->fam->family == AF_INET) {
		switch (m->type) {
		case 3: return m->code == 4 ? ICMPK_TOO_BIG : ICMPK_UNREACH;
		case 4: return ICMPK_SOURCE_QUENCH;
		case 5: return ICMPK_REDIRECT;
		case 11: return ICMPK_TIME_EXCEEDED;
		case 12: return ICMPK_PARAM_PROBLEM;
		default: return ICMPK_OTHER;
		}
	}
	switch (m->type) {
	case 1: return ICMPK_UNREACH;
	case 2: return ICMPK_TOO_BIG;
	case 3: return ICMPK_TIME_EXCEEDED;
	case 4: return ICMPK_PARAM_PROBLEM;
	default: return ICMPK_OTHER;
	}
}

bool icmp_kind_is_error(enum icmp_kind k)
{
	return k != ICMPK_ECHO_REPLY && k != ICMPK_ECHO_REQUEST && k != ICMPK_OTHER;
}

uint32_t icmp_mtu(const struct icmp_msg *m)
{
	if (icmp_kind(m) != ICMPK_TOO_BIG)
		return 0;
	/* RFC 1191: the next-hop MTU is the low 16 bits for IPv4. */
	return m->fam->family == AF_INET ? (m->info & 0xffff) : m->info;
}

int icmp_quote_decode(const struct icmp_msg *m, struct icmp_quote *q)
{
	memset(q, 0, sizeof(*q));
	struct rd r = rd_init(m->body, m->body_len);
	if (ip_decode(&r, &q->ip) != 0 || q->ip.fam != m->fam)
		return -1;
	q->l4 = rd_peek(&r);
	q->l4_len = rd_left(&r);
	q->truncated = q->ip.total_len > m->body_len;
	return 0;
}

int icmp_echo_encode(struct wr *w, const struct ipfam *fam, uint8_t type, uint16_t id,
		     uint16_t seq, const void *payload, size_t len)
{
	size_t start = wr_len(w);
	wr_u8(w, type);
	wr_u8(w, 0);
	uint8_t *ck = wr_reserve(w, 2);
	wr_u16(w, id);
	wr_u16(w, seq);
	wr_bytes(w, payload, len);
	if (!wr_ok(w))
		return -1;
	if (!fam->kernel_icmp_cksum)
		be16_put(ck, cksum(w->base + start, wr_len(w) - start));
	return 0;
}

const char *icmp_type_name(const struct ipfam *fam, uint8_t type)
{
	const char *n = NULL;
	if (fam->family == AF_INET)
		n = type < sizeof(v4_type_names) / sizeof(v4_type_names[0]) ? v4_type_names[type] : NULL;
	else
		n = v6_type_name(type);
	return n ? n : "Unknown Type";
}

const char *icmp_code_name(const struct ipfam *fam, uint8_t type, uint8_t code)
{
	const struct code_text *t = code_text(fam, type, code);
	if (t)
		return t->name;
	return code == 0 ? "" : "Unknown Code";
}

const char *icmp_explain(const struct ipfam *fam, uint8_t type, uint8_t code)
{
	const struct code_text *t = code_text(fam, type, code);
	if (t)
		return t->explain;
	struct icmp_msg m = { .fam = fam, .type = type, .code = code };
	switch (icmp_kind(&m)) {
	case ICMPK_ECHO_REPLY: return "the destination answered our echo request";
	case ICMPK_ECHO_REQUEST: return "a request asking the destination to echo the data back";
	case ICMPK_TOO_BIG: return "the packet is larger than the next link's MTU; the message carries that MTU";
	case ICMPK_PARAM_PROBLEM: return "a router or host could not process a header field (the pointer shows which byte)";
	case ICMPK_SOURCE_QUENCH: return "a congested router asked the sender to slow down (deprecated, RFC 6633)";
	default: return "a message the tool does not interpret";
	}
}

static const char *describe_v4(const struct icmp_msg *m, char *buf, size_t len)
{
	const struct code_text *t = code_text(m->fam, m->type, m->code);
	switch (m->type) {
	case 3:
		if (m->code == 4)
			snprintf(buf, len, "Frag needed and DF set (mtu = %u)", icmp_mtu(m));
		else if (t)
			snprintf(buf, len, "%s", t->iputils);
		else
			snprintf(buf, len, "Dest Unreachable, Bad Code: %u", m->code);
		break;
	case 4:
		snprintf(buf, len, "Source Quench");
		break;
	case 5: {
		struct addr gw;
		uint8_t b[4] = { (uint8_t)(m->info >> 24), (uint8_t)(m->info >> 16),
				 (uint8_t)(m->info >> 8), (uint8_t)m->info };
		char gws[ADDR_STRLEN];
		addr_from_bytes(&gw, AF_INET, b);
		if (t)
			snprintf(buf, len, "%s(New nexthop: %s)", t->iputils, addr_fmt(&gw, gws, sizeof(gws)));
		else
			snprintf(buf, len, "Redirect, Bad Code: %u(New nexthop: %s)", m->code,
				 addr_fmt(&gw, gws, sizeof(gws)));
		break;
	}
	case 11:
		if (t)
			snprintf(buf, len, "%s", t->iputils);
		else
			snprintf(buf, len, "Time exceeded, Bad Code: %u", m->code);
		break;
	case 12:
		snprintf(buf, len, "Parameter problem: pointer = %u", m->info >> 24);
		break;
	default:
		if (m->type < sizeof(v4_type_names) / sizeof(v4_type_names[0]) && v4_type_names[m->type])
			snprintf(buf, len, "%s", v4_type_names[m->type]);
		else
			snprintf(buf, len, "Bad ICMP type: %u", m->type);
	}
	return buf;
}

static const char *describe_v6(const struct icmp_msg *m, char *buf, size_t len)
{
	const struct code_text *t = code_text(m->fam, m->type, m->code);
	switch (m->type) {
	case 1:
		if (t)
			snprintf(buf, len, "Destination unreachable: %s", t->iputils);
		else
			snprintf(buf, len, "Destination unreachable: Unknown code %u", m->code);
		break;
	case 2:
		snprintf(buf, len, "Packet too big: mtu=%u", m->info);
		if (m->code)
			snprintf(buf + strlen(buf), len - strlen(buf), ", code=%u", m->code);
		break;
	case 3:
		if (t)
			snprintf(buf, len, "Time exceeded: %s", t->iputils);
		else
			snprintf(buf, len, "Time exceeded: code %u", m->code);
		break;
	case 4:
		if (t)
			snprintf(buf, len, "Parameter problem: %sat %u", t->iputils, m->info);
		else
			snprintf(buf, len, "Parameter problem: code %u at %u", m->code, m->info);
		break;
	default: {
		const char *n = v6_type_name(m->type);
		if (n)
			snprintf(buf, len, "%s", n);
		else
			snprintf(buf, len, "unknown icmp type: %u", m->type);
	}
	}
	return buf;
}

const char *icmp_describe(const struct icmp_msg *m, char *buf, size_t len)
{
	return m->fam->family == AF_INET ? describe_v4(m, buf, len) : describe_v6(m, buf, len);
}
