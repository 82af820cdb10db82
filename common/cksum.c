/*
 * cksum — RFC 1071 one's-complement sum.
 *
 * The sum is carried in 32 bits and folded at the end; a 64 KiB packet adds
 * at most 32768 16-bit words, which cannot overflow 32 bits before folding.
 */
#include "cksum.h"

uint32_t cksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t cksum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t cksum(const void *data, size_t len)
{
	return cksum_finish(cksum_add(0, data, len));
}

uint32_t cksum_pseudo(const struct addr *src, const struct addr *dst, uint8_t proto, uint32_t len)
{
	uint32_t sum = cksum_add(0, src->bytes, addr_len(src));
	sum = cksum_add(sum, dst->bytes, addr_len(dst));
	uint8_t tail[8] = {
		(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
		0, 0, 0, proto,
	};
	/* IPv4's pseudo-header has a 16-bit length; the sum is the same
	 * because the high half is zero for any IPv4 length. */
	return cksum_add(sum, tail, sizeof(tail));
}
