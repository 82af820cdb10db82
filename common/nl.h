/*
 * nl — what the kernel knows about routes and links, through rtnetlink
 * (libmnl).
 *
 * nl_route_get() asks the kernel the question `ip route get` asks: which
 * interface, which source address, which gateway, and what MTU a packet
 * to dst would use.  nl_link_get() reads an interface's name, index, MTU,
 * hardware address and flags.  Replies are validated attribute by
 * attribute (type and length) before use.
 */
#ifndef ND_NL_H
#define ND_NL_H

#include <net/if.h>
#include <stdint.h>

#include "addr.h"

struct nl_route {
	int oif;                  /* outgoing interface index */
	char ifname[IF_NAMESIZE];
	struct addr src;          /* preferred source address (may be unset) */
	struct addr gw;           /* next-hop gateway (unset when on-link) */
	uint32_t mtu;             /* route MTU if set, else the interface MTU */
	int type;                 /* RTN_UNICAST, RTN_LOCAL, RTN_UNREACHABLE, ... */
};

struct nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	uint32_t mtu;
	uint8_t hwaddr[32];
	uint8_t brdaddr[32];
	size_t hwaddr_len;
	unsigned flags;           /* IFF_UP, IFF_LOOPBACK, ... */
	unsigned short hwtype;    /* ARPHRD_ETHER, ... */
};

/* Route to dst (optionally from src / out of oif, 0 = any).  Returns 0,
 * or -1 with errno (ENETUNREACH, EHOSTUNREACH, ... as the kernel says). */
int nl_route_get(const struct addr *dst, const struct addr *src, int oif, struct nl_route *out);
/* Link by index (name NULL) or by name (ifindex 0). */
int nl_link_get(int ifindex, const char *name, struct nl_link *out);

#endif
