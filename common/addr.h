/*
 * addr — one address type for IPv4 and IPv6.
 *
 * struct addr carries the family and the raw bytes (network order), plus an
 * IPv6 scope id for link-local peers.  Everything else (sockaddr
 * conversion, text, comparison, CIDR) goes through here so the tools never
 * branch on the family to handle an address.
 */
#ifndef ND_ADDR_H
#define ND_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#define ADDR_STRLEN 64  /* INET6_ADDRSTRLEN plus a %scope suffix */

struct addr {
	int family;          /* AF_INET, AF_INET6, or 0 for "none" */
	uint8_t bytes[16];   /* network order; 4 used for AF_INET */
	uint32_t scope_id;   /* IPv6 link-local scope, else 0 */
};

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

size_t addr_len(const struct addr *a);          /* 4, 16 or 0 */
bool addr_is_set(const struct addr *a);
bool addr_eq(const struct addr *a, const struct addr *b);
bool addr_is_any(const struct addr *a);          /* 0.0.0.0 or :: */
bool addr_is_multicast(const struct addr *a);
void addr_from_bytes(struct addr *a, int family, const void *bytes);

/* Numeric text -> address (family 0 accepts either).  0 or -1. */
int addr_parse(struct addr *a, const char *text, int family);
/* Text form into buf (at least ADDR_STRLEN); returns buf. */
const char *addr_fmt(const struct addr *a, char *buf, size_t len);

/* sockaddr conversion; port is host order. */
socklen_t addr_to_sockaddr(const struct addr *a, uint16_t port, union sockaddr_any *sa);
int addr_from_sockaddr(struct addr *a, uint16_t *port, const struct sockaddr *sa, socklen_t len);

/*
 * Resolve a host name or numeric address.  family is AF_UNSPEC, AF_INET or
 * AF_INET6; on success *canon holds the canonical name when one was found.
 * Returns 0, or a getaddrinfo EAI_* code (describe it with gai_strerror()).
 * A numeric address never touches the resolver.
 */
int addr_resolve(struct addr *a, const char *host, int family, char *canon, size_t canon_len);
/* Reverse lookup for display: name into buf or the numeric text. */
const char *addr_name(const struct addr *a, char *buf, size_t len);

/* Reverse names looked up so far: a router on every row is asked once
 * (the oldest-but-last entry is reused when it is full). */
#define ADDR_NAME_CACHE 64
struct addr_names {
	struct {
		struct addr addr;
		char name[256];
	} e[ADDR_NAME_CACHE];
	int n;
};
/* "name (address)" as iputils and traceroute print it, or "address" when
 * numeric; written to buf, which is returned. */
const char *addr_names_fmt(struct addr_names *c, const struct addr *a, bool numeric, char *buf,
			   size_t len);

/* "10.0.0.0/24", "fd00::/64"; a bare address gets the full length. */
int addr_cidr_parse(struct addr *a, unsigned *prefix, const char *text, int family);
bool addr_in_prefix(const struct addr *a, const struct addr *net, unsigned prefix);

#endif
