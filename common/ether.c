/*
 * ether — Ethernet II headers and Ethernet/IPv4 ARP bodies (RFC 826), for
 * arping and dhcpc's --arp-check (see ether.h).
 *
 * Decoding goes through the bounds-checked reader and refuses anything
 * that is not exactly Ethernet/IPv4 ARP (htype 1, ptype 0x0800, hlen 6,
 * plen 4): the tools compare addresses byte for byte, so an odd hardware
 * or protocol length must never be read as a shorter or longer address.
 * Trailing bytes (the padding to the 60-byte Ethernet minimum) are left
 * in the reader for the caller to ignore or show.
 */
#include "ether.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* RFC 826 / IANA: hardware type 1 is Ethernet (10 Mb and up). */
#define ARP_HTYPE_ETHER 1
#define ARP_PLEN_IPV4 4

int ether_decode(struct rd *r, struct ether_hdr *h)
{
	rd_bytes(r, h->dst, ETHER_ADDR_LEN);
	rd_bytes(r, h->src, ETHER_ADDR_LEN);
	h->type = rd_u16(r);
	return rd_ok(r) ? 0 : -1;
}

int ether_encode(struct wr *w, const struct ether_hdr *h)
{
	wr_bytes(w, h->dst, ETHER_ADDR_LEN);
	wr_bytes(w, h->src, ETHER_ADDR_LEN);
	wr_u16(w, h->type);
	return wr_ok(w) ? 0 : -1;
}

int arp_decode(struct rd *r, struct arp_msg *m)
{
	uint8_t spa[4], tpa[4];
	uint16_t htype = rd_u16(r);
	uint16_t ptype = rd_u16(r);
	uint8_t hlen = rd_u8(r);
	uint8_t plen = rd_u8(r);
	m->op = rd_u16(r);
	if (!rd_ok(r) || htype != ARP_HTYPE_ETHER || ptype != ETHERTYPE_IPV4 ||
	    hlen != ETHER_ADDR_LEN || plen != ARP_PLEN_IPV4)
		return -1;
	rd_bytes(r, m->sha, ETHER_ADDR_LEN);
	rd_bytes(r, spa, sizeof(spa));
	rd_bytes(r, m->tha, ETHER_ADDR_LEN);
	rd_bytes(r, tpa, sizeof(tpa));
	if (!rd_ok(r))
		return -1;
	addr_from_bytes(&m->spa, AF_INET, spa);
	addr_from_bytes(&m->tpa, AF_INET, tpa);
	return 0;
}

int arp_encode(struct wr *w, const struct arp_msg *m)
{
	static const uint8_t zero4[4];
	/* An unset protocol address is 0.0.0.0 (RFC 5227 probes). */
	const uint8_t *spa = m->spa.family == AF_INET ? m->spa.bytes : zero4;
	const uint8_t *tpa = m->tpa.family == AF_INET ? m->tpa.bytes : zero4;
	if ((m->spa.family && m->spa.family != AF_INET) || (m->tpa.family && m->tpa.family != AF_INET))
		return -1;
	wr_u16(w, ARP_HTYPE_ETHER);
	wr_u16(w, ETHERTYPE_IPV4);
	wr_u8(w, ETHER_ADDR_LEN);
	wr_u8(w, ARP_PLEN_IPV4);
	wr_u16(w, m->op);
	wr_bytes(w, m->sha, ETHER_ADDR_LEN);
	wr_bytes(w, spa, 4);
	wr_bytes(w, m->tha, ETHER_ADDR_LEN);
	wr_bytes(w, tpa, 4);
	return wr_ok(w) ? 0 : -1;
}

bool ether_is_broadcast(const uint8_t mac[ETHER_ADDR_LEN])
{
	for (int i = 0; i < ETHER_ADDR_LEN; i++)
		if (mac[i] != 0xff)
			return false;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ether_parse(uint8_t mac[ETHER_ADDR_LEN], const char *text)
{
	/* Exactly six groups of two hex digits, one separator kind. */
	uint8_t out[ETHER_ADDR_LEN];
	char sep = 0;
	const char *p = text;
	for (int i = 0; i < ETHER_ADDR_LEN; i++) {
		int hi = hexval(p[0]);
		int lo = hi < 0 ? -1 : hexval(p[1]);
		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (i == ETHER_ADDR_LEN - 1)
			break;
		if (*p != ':' && *p != '-')
			return -1;
		if (sep && *p != sep)
			return -1;
		sep = *p++;
	}
	if (*p)
		return -1;
	memcpy(mac, out, sizeof(out));
	return 0;
}

const char *ether_fmt(const uint8_t mac[ETHER_ADDR_LEN], char *buf, size_t len)
{
	snprintf(buf, len, "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
