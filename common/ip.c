/*
 * ip — IPv4 (RFC 791) and IPv6 (RFC 8200) headers and the family table.
 */
#include "ip.h"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <string.h>

#include "cksum.h"

static const struct ipfam ipv4 = {
	.name = "IPv4", .icmp_name = "ICMP",
	.family = AF_INET, .version = 4, .addr_len = 4, .hdr_len = 20,
	.icmp_proto = IPPROTO_ICMP, .echo_request = 8, .echo_reply = 0,
	.sol = IPPROTO_IP, .so_ttl = IP_TTL, .so_mcast_ttl = IP_MULTICAST_TTL,
	.so_recvttl = IP_RECVTTL, .cmsg_ttl = IP_TTL,
	.so_tos = IP_TOS, .so_recvtos = IP_RECVTOS, .so_recverr = IP_RECVERR,
	.so_mtu_discover = IP_MTU_DISCOVER, .so_mtu = IP_MTU,
	.so_pktinfo = IP_PKTINFO, .cmsg_pktinfo = IP_PKTINFO,
	.pmtu_mode = { [PMTU_DO] = IP_PMTUDISC_DO, [PMTU_DONT] = IP_PMTUDISC_DONT,
		       [PMTU_WANT] = IP_PMTUDISC_WANT, [PMTU_PROBE] = IP_PMTUDISC_PROBE },
	.ee_origin_icmp = SO_EE_ORIGIN_ICMP,
	.raw_rx_has_ip_header = true, .kernel_icmp_cksum = false,
	.max_payload = 65535 - 20 - 8,
};

static const struct ipfam ipv6 = {
	.name = "IPv6", .icmp_name = "ICMPv6",
	.family = AF_INET6, .version = 6, .addr_len = 16, .hdr_len = 40,
	.icmp_proto = IPPROTO_ICMPV6, .echo_request = 128, .echo_reply = 129,
	.sol = IPPROTO_IPV6, .so_ttl = IPV6_UNICAST_HOPS, .so_mcast_ttl = IPV6_MULTICAST_HOPS,
	.so_recvttl = IPV6_RECVHOPLIMIT, .cmsg_ttl = IPV6_HOPLIMIT,
	.so_tos = IPV6_TCLASS, .so_recvtos = IPV6_RECVTCLASS, .so_recverr = IPV6_RECVERR,
	.so_mtu_discover = IPV6_MTU_DISCOVER, .so_mtu = IPV6_MTU,
	.so_pktinfo = IPV6_RECVPKTINFO, .cmsg_pktinfo = IPV6_PKTINFO,
	.pmtu_mode = { [PMTU_DO] = IPV6_PMTUDISC_DO, [PMTU_DONT] = IPV6_PMTUDISC_DONT,
		       [PMTU_WANT] = IPV6_PMTUDISC_WANT, [PMTU_PROBE] = IPV6_PMTUDISC_PROBE },
	.ee_origin_icmp = SO_EE_ORIGIN_ICMP6,
	.raw_rx_has_ip_header = false, .kernel_icmp_cksum = true,
	.max_payload = 65535 - 8,
};

const struct ipfam *ipfam_get(int family)
{
	if (family == AF_INET)
		return &ipv4;
	if (family == AF_INET6)
		return &ipv6;
	return NULL;
}

static int ip4_decode(struct rd *r, struct ip_hdr *h)
{
	const uint8_t *start = rd_peek(r);
	size_t avail = rd_left(r);
	uint8_t vihl = rd_u8(r);
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	h->fam = &ipv4;
	h->tos = rd_u8(r);
	h->total_len = rd_u16(r);
	h->id = rd_u16(r);
	uint16_t frag = rd_u16(r);
	h->df = frag & 0x4000;
	h->mf = frag & 0x2000;
	h->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	h->ttl = rd_u8(r);
	h->proto = rd_u8(r);
	h->cksum = rd_u16(r);
	uint8_t a[4];
	rd_bytes(r, a, 4);
	addr_from_bytes(&h->src, AF_INET, a);
	rd_bytes(r, a, 4);
	addr_from_bytes(&h->dst, AF_INET, a);
	/* RFC 791: IHL counts 32-bit words and is at least 5. */
	if (!rd_ok(r) || ihl < 20 || ihl > avail)
		return -1;
	h->opt_len = ihl - 20;
	rd_skip(r, h->opt_len);
	h->hdr_len = ihl;
	h->cksum_ok = cksum(start, ihl) == 0;
	return rd_ok(r) ? 0 : -1;
}

static bool ip6_is_ext_header(uint8_t nh)
{
	/* Hop-by-hop, routing, fragment, destination options, AH. */
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

static int ip6_decode(struct rd *r, struct ip_hdr *h)
{
	uint32_t vtf = rd_u32(r);
	h->fam = &ipv6;
	h->tos = (uint8_t)(vtf >> 20);
	h->flow = vtf & 0xfffff;
	h->total_len = 40u + rd_u16(r);
	uint8_t nh = rd_u8(r);
	h->ttl = rd_u8(r);
	uint8_t a[16];
	rd_bytes(r, a, 16);
	addr_from_bytes(&h->src, AF_INET6, a);
	rd_bytes(r, a, 16);
	addr_from_bytes(&h->dst, AF_INET6, a);
	h->hdr_len = 40;
	h->cksum_ok = true;
	for (int i = 0; rd_ok(r) && ip6_is_ext_header(nh); i++) {
		if (i == IP6_MAX_EXT_HEADERS)
			return -1;
		uint8_t next = rd_u8(r);
		uint8_t len8 = rd_u8(r);
		size_t len;
		if (nh == 44) {            /* fragment header: fixed 8 bytes */
			uint16_t off = rd_u16(r);
			uint32_t ident = rd_u32(r);
			h->frag_off = off & 0xfff8;
			h->mf = off & 1;
			h->id = (uint16_t)ident;
			len = 8;
		} else if (nh == 51) {     /* AH: length in 4-byte units minus 2 */
			len = ((size_t)len8 + 2) * 4;
			rd_skip(r, len - 2);
		} else {                   /* 8-byte units, not counting the first 8 */
			len = ((size_t)len8 + 1) * 8;
			rd_skip(r, len - 2);
		}
		h->hdr_len += len;
		nh = next;
	}
	h->proto = nh;
	return rd_ok(r) ? 0 : -1;
}

int ip_decode(struct rd *r, struct ip_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (rd_left(r) < 1)
		return -1;
	switch (rd_peek(r)[0] >> 4) {
	case 4:
		return ip4_decode(r, h);
	case 6:
		return ip6_decode(r, h);
	default:
		return -1;
	}
}

int ip_encode(struct wr *w, const struct ip_hdr *h, size_t payload_len)
{
	if (h->fam->family == AF_INET) {
		if (payload_len > 65535 - 20)
			return -1;
		size_t start = wr_len(w);
		wr_u8(w, 0x45);
		wr_u8(w, h->tos);
		wr_u16(w, (uint16_t)(20 + payload_len));
		wr_u16(w, h->id);
		wr_u16(w, (uint16_t)((h->df ? 0x4000 : 0) | (h->mf ? 0x2000 : 0) | (h->frag_off / 8)));
		wr_u8(w, h->ttl);
		wr_u8(w, h->proto);
		uint8_t *ck = wr_reserve(w, 2);
		wr_bytes(w, h->src.bytes, 4);
		wr_bytes(w, h->dst.bytes, 4);
		if (!wr_ok(w))
			return -1;
		be16_put(ck, cksum(w->base + start, 20));
		return 0;
	}
	if (payload_len > 65535)
		return -1;
	wr_u32(w, 6u << 28 | (uint32_t)h->tos << 20 | (h->flow & 0xfffff));
	wr_u16(w, (uint16_t)payload_len);
	wr_u8(w, h->proto);
	wr_u8(w, h->ttl);
	wr_bytes(w, h->src.bytes, 16);
	wr_bytes(w, h->dst.bytes, 16);
	return wr_ok(w) ? 0 : -1;
}
