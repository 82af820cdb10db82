/*
 * ether — Ethernet II frames and ARP (RFC 826) for arping and dhcpc:
 * encode/decode, MAC parse/format.
 */
#ifndef ND_ETHER_H
#define ND_ETHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"

#define ETHER_ADDR_LEN 6
#define ETHER_HDR_LEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define ARP_LEN 28            /* Ethernet/IPv4 ARP body */
#define ARP_REQUEST 1
#define ARP_REPLY 2

struct ether_hdr {
	uint8_t dst[ETHER_ADDR_LEN], src[ETHER_ADDR_LEN];
	uint16_t type;
};

/* Ethernet/IPv4 ARP only; anything else fails to decode. */
struct arp_msg {
	uint16_t op;
	uint8_t sha[ETHER_ADDR_LEN];
	struct addr spa;
	uint8_t tha[ETHER_ADDR_LEN];
	struct addr tpa;
};

int ether_decode(struct rd *r, struct ether_hdr *h);
int ether_encode(struct wr *w, const struct ether_hdr *h);
int arp_decode(struct rd *r, struct arp_msg *m);
int arp_encode(struct wr *w, const struct arp_msg *m);

bool ether_is_broadcast(const uint8_t mac[ETHER_ADDR_LEN]);
/* "aa:bb:cc:dd:ee:ff" (also '-' separated); 0 or -1. */
int ether_parse(uint8_t mac[ETHER_ADDR_LEN], const char *text);
/* Upper-case colon form as iputils arping prints: "AA:BB:CC:DD:EE:FF". */
const char *ether_fmt(const uint8_t mac[ETHER_ADDR_LEN], char *buf, size_t len);

#endif
