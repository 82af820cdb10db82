/*
 * addr — family-agnostic address handling (see addr.h).
 */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t addr_len(const struct addr *a)
{
	switch (a->family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

bool addr_is_set(const struct addr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}

bool addr_eq(const struct addr *a, const struct addr *b)
{
	return a->family == b->family && addr_len(a) &&
	       memcmp(a->bytes, b->bytes, addr_len(a)) == 0;
}

bool addr_is_any(const struct addr *a)
{
	static const uint8_t zero[16];
	return addr_len(a) && memcmp(a->bytes, zero, addr_len(a)) == 0;
}

bool addr_is_multicast(const struct addr *a)
{
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xf0) == 0xe0;
	if (a->family == AF_INET6)
		return a->bytes[0] == 0xff;
	return false;
}

void addr_from_bytes(struct addr *a, int family, const void *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, bytes, family == AF_INET ? 4 : 16);
}

int addr_parse(struct addr *a, const char *text, int family)
{
	memset(a, 0, sizeof(*a));
	if (family != AF_INET6 && inet_pton(AF_INET, text, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (family == AF_INET)
		return -1;
	/* Accept "fe80::1%eth0" as getaddrinfo does. */
	char tmp[ADDR_STRLEN];
	const char *pct = strchr(text, '%');
	size_t n = pct ? (size_t)(pct - text) : strlen(text);
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, text, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET6, tmp, a->bytes) != 1)
		return -1;
	a->family = AF_INET6;
	if (pct) {
		a->scope_id = if_nametoindex(pct + 1);
		if (!a->scope_id) {
			char *end;
			unsigned long v = strtoul(pct + 1, &end, 10);
			if (*end || end == pct + 1 || v > UINT32_MAX)
				return -1;
			a->scope_id = (uint32_t)v;
		}
	}
	return 0;
}

const char *addr_fmt(const struct addr *a, char *buf, size_t len)
{
	if (!addr_is_set(a) || !inet_ntop(a->family, a->bytes, buf, (socklen_t)len)) {
		snprintf(buf, len, "?");
		return buf;
	}
	return buf;
}

socklen_t addr_to_sockaddr(const struct addr *a, uint16_t port, union sockaddr_any *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (a->family == AF_INET) {
		sa->in.sin_family = AF_INET;
		sa->in.sin_port = htons(port);
		memcpy(&sa->in.sin_addr, a->bytes, 4);
		return sizeof(sa->in);
	}
	if (a->family == AF_INET6) {
		sa->in6.sin6_family = AF_INET6;
		sa->in6.sin6_port = htons(port);
		sa->in6.sin6_scope_id = a->scope_id;
		memcpy(&sa->in6.sin6_addr, a->bytes, 16);
		return sizeof(sa->in6);
	}
	return 0;
}

int addr_from_sockaddr(struct addr *a, uint16_t *port, const struct sockaddr *sa, socklen_t len)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		addr_from_bytes(a, AF_INET, &in->sin_addr);
		if (port)
			*port = ntohs(in->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		addr_from_bytes(a, AF_INET6, &in6->sin6_addr);
		a->scope_id = in6->sin6_scope_id;
		if (port)
			*port = ntohs(in6->sin6_port);
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

int addr_resolve(struct addr *a, const char *host, int family, char *canon, size_t canon_len)
{
	if (canon && canon_len)
		canon[0] = '\0';
	if (addr_parse(a, host, family == AF_UNSPEC ? 0 : family) == 0)
		return 0;
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_CANONNAME,
	};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc == EAI_NONAME && family != AF_UNSPEC) {
		/* The name exists only in the other family: say so, as
		 * iputils does ("Address family for hostname not supported"). */
		hints.ai_family = AF_UNSPEC;
		if (getaddrinfo(host, NULL, &hints, &res) == 0) {
			freeaddrinfo(res);
			return EAI_ADDRFAMILY;
		}
		return rc;
	}
	if (rc != 0)
		return rc;
	rc = EAI_NONAME;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (addr_from_sockaddr(a, NULL, ai->ai_addr, ai->ai_addrlen) == 0) {
			if (canon && canon_len && res->ai_canonname)
				snprintf(canon, canon_len, "%s", res->ai_canonname);
			rc = 0;
			break;
		}
	}
	freeaddrinfo(res);
	return rc;
}

const char *addr_name(const struct addr *a, char *buf, size_t len)
{
	union sockaddr_any sa;
	socklen_t sl = addr_to_sockaddr(a, 0, &sa);
	if (!sl || getnameinfo(&sa.sa, sl, buf, (socklen_t)len, NULL, 0, 0) != 0)
		return addr_fmt(a, buf, len);
	return buf;
}

const char *addr_names_fmt(struct addr_names *c, const struct addr *a, bool numeric, char *buf,
			   size_t len)
{
	char num[ADDR_STRLEN];
	addr_fmt(a, num, sizeof(num));
	if (numeric) {
		snprintf(buf, len, "%s", num);
		return buf;
	}
	int i = 0;
	while (i < c->n && !addr_eq(&c->e[i].addr, a))
		i++;
	if (i == c->n) {
		i = c->n < ADDR_NAME_CACHE ? c->n++ : ADDR_NAME_CACHE - 1;
		c->e[i].addr = *a;
		addr_name(a, c->e[i].name, sizeof(c->e[i].name));
	}
	snprintf(buf, len, "%s (%s)", c->e[i].name, num);
	return buf;
}

int addr_cidr_parse(struct addr *a, unsigned *prefix, const char *text, int family)
{
	char tmp[ADDR_STRLEN];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, text, n);
	tmp[n] = '\0';
	if (addr_parse(a, tmp, family) != 0)
		return -1;
	unsigned max = (unsigned)addr_len(a) * 8;
	if (!slash) {
		*prefix = max;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || v > max || slash[1] == '-' || slash[1] == '+')
		return -1;
	*prefix = (unsigned)v;
	return 0;
}

bool addr_in_prefix(const struct addr *a, const struct addr *net, unsigned prefix)
{
	if (a->family != net->family || prefix > addr_len(a) * 8)
		return false;
	unsigned full = prefix / 8, rem = prefix % 8;
	if (memcmp(a->bytes, net->bytes, full) != 0)
		return false;
	if (!rem)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rem));
	return (a->bytes[full] & mask) == (net->bytes[full] & mask);
}
