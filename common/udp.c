/*
 * udp — the UDP header (RFC 768), see udp.h.
 *
 * Encoding writes the header and payload, then patches the checksum over
 * the finished bytes and the pseudo-header (RFC 768 for IPv4, RFC 8200
 * section 8.1 for IPv6).  A computed checksum of 0 is sent as 0xffff:
 * 0 on the wire means "no checksum" (IPv4) and is illegal for IPv6.
 */
#include "udp.h"

#include <netinet/in.h>

#include "cksum.h"

int udp_decode(struct rd *r, struct udp_hdr *h)
{
	h->sport = rd_u16(r);
	h->dport = rd_u16(r);
	h->len = rd_u16(r);
	h->cksum = rd_u16(r);
	return rd_ok(r) ? 0 : -1;
}

int udp_encode(struct wr *w, const struct addr *src, const struct addr *dst, uint16_t sport,
	       uint16_t dport, const void *payload, size_t len)
{
	if (len > 0xffff - UDP_HDR_LEN)
		return -1;
	size_t start = wr_len(w);
	uint16_t total = (uint16_t)(UDP_HDR_LEN + len);
	wr_u16(w, sport);
	wr_u16(w, dport);
	wr_u16(w, total);
	uint8_t *ck = wr_reserve(w, 2);
	if (len)
		wr_bytes(w, payload, len);
	if (!wr_ok(w) || !ck)
		return -1;
	be16_put(ck, 0);
	uint32_t sum = cksum_pseudo(src, dst, IPPROTO_UDP, total);
	sum = cksum_add(sum, w->base + start, total);
	uint16_t c = cksum_finish(sum);
	be16_put(ck, c ? c : 0xffff);
	return 0;
}

bool udp_cksum_ok(const struct addr *src, const struct addr *dst, const uint8_t *udp, size_t len)
{
	if (len < UDP_HDR_LEN || len > 0xffff)
		return false;
	uint16_t stored = be16_get(udp + 6);
	if (stored == 0)
		return src->family == AF_INET;
	uint32_t sum = cksum_pseudo(src, dst, IPPROTO_UDP, (uint32_t)len);
	sum = cksum_add(sum, udp, len);
	/* Over the whole datagram including the checksum field, a valid sum
	 * folds to 0xffff, so its complement is 0. */
	return cksum_finish(sum) == 0;
}
