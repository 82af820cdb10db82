/*
 * cksum — the Internet checksum (RFC 1071), incremental, with the IPv4 and
 * IPv6 pseudo-headers that UDP, TCP and ICMPv6 cover.
 */
#ifndef ND_CKSUM_H
#define ND_CKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Add bytes to a running 32-bit sum.  Chunks after the first must start
 * at an even offset of the covered data (all callers add headers whole). */
uint32_t cksum_add(uint32_t sum, const void *data, size_t len);
/* Fold and complement: the value to put in the header (host order). */
uint16_t cksum_finish(uint32_t sum);
/* Checksum of one buffer. */
uint16_t cksum(const void *data, size_t len);
/* Sum of the pseudo-header for upper-layer protocol proto carrying len
 * bytes between src and dst (RFC 768 / RFC 8200 section 8.1). */
uint32_t cksum_pseudo(const struct addr *src, const struct addr *dst, uint8_t proto, uint32_t len);

#endif
