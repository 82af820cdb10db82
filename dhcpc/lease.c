/*
 * lease — from a parsed OFFER/ACK to a checked lease, and its lint.
 *
 * Every value is taken only if it has the size its RFC gives (busybox
 * CVE-2018-20679 and CVE-2019-5747 were "a 4-byte option that is not 4
 * bytes"); a wrong size drops the option with a warning.  Strings that
 * reach a hook or a terminal are checked: a host or domain name that is
 * not a valid name is withheld (dhclient CVE-2011-0997 and CVE-2018-1111
 * "DynoRoot" came from passing such strings to a shell), and anything
 * printed is escaped (dhcpcd e636ba2b: "they could contain anything").
 *
 * The lint is SPEC.md's list: no server identifier, T1 >= T2 or T2 >=
 * lease, an address that is its subnet's network or broadcast address or a
 * router outside the subnet, option 121 alongside option 3 (RFC 3442 says
 * ignore 3), option 121 routes that take over the default route or half of
 * the address space (the TunnelVision attack, CVE-2024-3661), and options
 * that were never requested (option 108 included, RFC 8925).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dhcpc.h"

void dhcp_lint_add(struct dhcp_lint *lint, const char *fmt, ...)
{
	if (!lint || lint->n >= DHCP_LINT_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lint->msg[lint->n++], DHCP_LINT_LEN, fmt, ap);
	va_end(ap);
}

const char *dhcp_escape(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return out;
	for (size_t i = 0; i < len; i++) {
		char tmp[5];
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
			tmp[0] = (char)c;
			tmp[1] = 0;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		}
		size_t n = strlen(tmp);
		if (o + n + 1 > cap)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = 0;
	return out;
}

/* RFC 1123 2.1 host names, RFC 1035 labels: letters, digits, hyphens
 * inside; labels 1..63; at most 253 characters; one trailing dot allowed.
 * Underscores are refused: nothing here needs them and a hook must not
 * get anything a shell could read as more than a word. */
bool dhcp_valid_name(const char *s, size_t len)
{
	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && !(c == '-' && label > 0))
			return false;
		if (++label > 63)
			return false;
	}
	return s[len - 1] != '-';
}

/* A text option into out if it is a valid name; else withheld + lint. */
static void take_name(const struct dhcp_msg *m, uint8_t code, char *out, bool *withheld,
		      struct dhcp_lint *lint)
{
	size_t n;
	const uint8_t *p = dhcp_opt(m, code, &n);
	out[0] = 0;
	*withheld = false;
	if (!p)
		return;
	/* Some servers NUL-terminate (RFC 2132 says they should not). */
	while (n && p[n - 1] == 0)
		n--;
	if (n && n < DHCP_NAME_MAX && memchr(p, 0, n) == NULL && dhcp_valid_name((const char *)p, n)) {
		memcpy(out, p, n);
		out[n] = 0;
		return;
	}
	char esc[DHCP_LINT_LEN - 80];
	dhcp_escape(p, n, esc, sizeof(esc));
	*withheld = true;
	dhcp_lint_add(lint, "option %u (%s) withheld: \"%s\" is not a valid name", code,
		      dhcp_opt_name(code), esc);
}

static int take_addrs(const struct dhcp_msg *m, uint8_t code, struct addr *out, int max,
		      struct dhcp_lint *lint)
{
	size_t n;
	const uint8_t *p = dhcp_opt(m, code, &n);
	if (!p)
		return 0;
	if (n == 0 || n % 4) {
		dhcp_lint_add(lint, "option %u (%s) has length %zu, not a multiple of 4: ignored", code,
			      dhcp_opt_name(code), n);
		return 0;
	}
	int k = 0;
	for (size_t i = 0; i + 4 <= n && k < max; i += 4)
		addr_from_bytes(&out[k++], AF_INET, p + i);
	return k;
}

static bool take_addr(const struct dhcp_msg *m, uint8_t code, struct addr *a, struct dhcp_lint *lint)
{
	size_t n;
	if (!dhcp_opt(m, code, &n))
		return false;
	if (dhcp_opt_addr(m, code, a))
		return true;
	dhcp_lint_add(lint, "option %u (%s) has length %zu, expected 4: ignored", code,
		      dhcp_opt_name(code), n);
	return false;
}

static bool take_u32(const struct dhcp_msg *m, uint8_t code, uint32_t *v, struct dhcp_lint *lint)
{
	size_t n;
	if (!dhcp_opt(m, code, &n))
		return false;
	if (dhcp_opt_u32(m, code, v))
		return true;
	dhcp_lint_add(lint, "option %u (%s) has length %zu, expected 4: ignored", code,
		      dhcp_opt_name(code), n);
	return false;
}

static unsigned mask_prefix(const struct addr *mask, bool *contiguous)
{
	uint32_t v = (uint32_t)mask->bytes[0] << 24 | (uint32_t)mask->bytes[1] << 16 |
		     (uint32_t)mask->bytes[2] << 8 | mask->bytes[3];
	unsigned n = 0;
	while (n < 32 && (v & (0x80000000u >> n)))
		n++;
	*contiguous = n == 32 || (v << n) == 0;
	return n;
}

static uint32_t a32(const struct addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 |
	       a->bytes[3];
}

int dhcp_parse_classless(const uint8_t *p, size_t len, struct dhcp_route *out, int max, int *n)
{
	/* RFC 3442: width (0..32), the significant octets of the destination,
	 * then a 4-byte router.  Bounded by len: each route takes >= 5 bytes. */
	struct rd r = rd_init(p, len);
	*n = 0;
	int total = 0;
	while (rd_left(&r)) {
		uint8_t width = rd_u8(&r);
		if (width > 32)
			return -1;
		uint8_t dst[4] = { 0 }, gw[4];
		rd_bytes(&r, dst, (size_t)(width + 7) / 8);
		rd_bytes(&r, gw, 4);
		if (!rd_ok(&r))
			return -1;
		total++;
		if (*n < max) {
			struct dhcp_route *rt = &out[(*n)++];
			addr_from_bytes(&rt->dst, AF_INET, dst);
			addr_from_bytes(&rt->gw, AF_INET, gw);
			rt->prefix = width;
		}
	}
	return total;
}

static bool requested(uint8_t code, const uint8_t *prl, size_t prl_len)
{
	/* What every server sends whatever was asked (RFC 2131 table 3). */
	static const uint8_t always[] = { OPT_MSGTYPE, OPT_SERVER_ID, OPT_LEASE, OPT_T1, OPT_T2,
					  OPT_OVERLOAD, OPT_CLIENT_ID, OPT_MESSAGE, OPT_SUBNET,
					  OPT_RELAY_AGENT, OPT_REQ_IP };
	if (memchr(always, code, sizeof(always)))
		return true;
	return prl && memchr(prl, code, prl_len) != NULL;
}

static void lint_routes(struct dhcp_lease *l, struct dhcp_lint *lint)
{
	char a[ADDR_STRLEN], g[ADDR_STRLEN];
	for (int i = 0; i < l->nroutes; i++) {
		const struct dhcp_route *rt = &l->routes[i];
		addr_fmt(&rt->dst, a, sizeof(a));
		addr_fmt(&rt->gw, g, sizeof(g));
		if (rt->prefix == 0)
			dhcp_lint_add(lint, "option 121 route %s/0 via %s replaces the default route", a, g);
		else if (rt->prefix == 1)
			dhcp_lint_add(lint, "option 121 route %s/1 via %s covers half the address space and "
					    "overrides the default route and any VPN's (TunnelVision, CVE-2024-3661)",
				      a, g);
	}
	if (l->has_classless && l->nrouters)
		dhcp_lint_add(lint, "option 121 (classless routes) and option 3 (router) both present: "
				    "RFC 3442 says the router option is ignored");
}

void dhcp_lease_from(const struct dhcp_msg *m, struct dhcp_lease *l, struct dhcp_lint *lint,
		     const uint8_t *prl, size_t prl_len)
{
	memset(l, 0, sizeof(*l));
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	l->addr = m->yiaddr;
	l->siaddr = m->siaddr;
	l->giaddr = m->giaddr;
	l->has_server_id = take_addr(m, OPT_SERVER_ID, &l->server_id, lint);
	if (!l->has_server_id)
		dhcp_lint_add(lint, "no server identifier (option 54): RFC 2131 requires one in an OFFER and ACK");
	l->has_mask = take_addr(m, OPT_SUBNET, &l->mask, lint);
	if (l->has_mask) {
		bool contiguous;
		l->prefix = mask_prefix(&l->mask, &contiguous);
		if (!contiguous) {
			dhcp_lint_add(lint, "subnet mask %s is not contiguous: ignored", addr_fmt(&l->mask, a, sizeof(a)));
			l->has_mask = false;
		}
	}
	if (!l->has_mask) {
		/* RFC 2131 leaves the default to the client; a host route is
		 * the one that cannot capture anybody else's traffic. */
		l->prefix = 32;
		addr_parse(&l->mask, "255.255.255.255", AF_INET);
	}
	l->has_broadcast = take_addr(m, OPT_BROADCAST, &l->broadcast, lint);
	l->nrouters = take_addrs(m, OPT_ROUTER, l->routers, DHCP_MAX_ADDRS, lint);
	l->ndns = take_addrs(m, OPT_DNS, l->dns, DHCP_MAX_ADDRS, lint);
	l->nntp = take_addrs(m, OPT_NTP, l->ntp, DHCP_MAX_ADDRS, lint);
	take_name(m, OPT_DOMAIN, l->domain, &l->domain_withheld, lint);
	take_name(m, OPT_HOSTNAME, l->hostname, &l->hostname_withheld, lint);
	size_t n;
	const uint8_t *p = dhcp_opt(m, OPT_MESSAGE, &n);
	if (p)
		dhcp_escape(p, n, l->message, sizeof(l->message));
	p = dhcp_opt(m, OPT_MTU, &n);
	if (p && n == 2)
		l->mtu = (uint32_t)p[0] << 8 | p[1];
	p = dhcp_opt(m, OPT_CLASSLESS, &n);
	if (p) {
		int total = dhcp_parse_classless(p, n, l->routes, DHCP_MAX_ROUTES, &l->nroutes);
		if (total < 0) {
			dhcp_lint_add(lint, "option 121 (classless routes) is malformed: ignored");
			l->nroutes = 0;
		} else {
			l->has_classless = true;
			if (total > DHCP_MAX_ROUTES)
				dhcp_lint_add(lint, "option 121 has %d routes; the first %d are kept", total,
					      DHCP_MAX_ROUTES);
		}
	}

	l->has_lease = take_u32(m, OPT_LEASE, &l->lease, lint);
	if (!l->has_lease && m->type != DHCPNAK)
		dhcp_lint_add(lint, "no lease time (option 51)");
	uint32_t t1 = 0, t2 = 0;
	l->t1_given = take_u32(m, OPT_T1, &t1, lint);
	l->t2_given = take_u32(m, OPT_T2, &t2, lint);
	/* RFC 2131 4.4.5: defaults 0.5 and 0.875 of the lease. */
	uint32_t d1 = l->lease / 2, d2 = (uint32_t)((uint64_t)l->lease * 7 / 8);
	if (l->lease == DHCP_INFINITE)
		d1 = d2 = DHCP_INFINITE;
	l->t1 = l->t1_given ? t1 : d1;
	l->t2 = l->t2_given ? t2 : d2;
	if (l->has_lease && l->lease != DHCP_INFINITE) {
		if (l->t2_given && l->t2 >= l->lease) {
			dhcp_lint_add(lint, "T2 (%u s) >= lease time (%u s): using %u s", l->t2, l->lease, d2);
			l->t2 = d2;
		}
		if (l->t1_given && l->t1 >= l->t2) {
			dhcp_lint_add(lint, "T1 (%u s) >= T2 (%u s): using %u s", l->t1, l->t2,
				      l->t2 / 2 < d1 ? l->t2 / 2 : d1);
			l->t1 = l->t2 / 2 < d1 ? l->t2 / 2 : d1;
		}
		if (l->lease < 60)
			dhcp_lint_add(lint, "lease time %u s is shorter than a minute", l->lease);
	}

	if (m->type == DHCPOFFER || m->type == DHCPACK) {
		if (addr_is_any(&l->addr))
			dhcp_lint_add(lint, "no address offered (yiaddr 0.0.0.0)");
		else if (l->has_mask && l->prefix < 31) {
			uint32_t v = a32(&l->addr), mk = a32(&l->mask);
			if ((v & ~mk) == 0 || (v | mk) == 0xffffffffu)
				dhcp_lint_add(lint, "address %s is the %s address of its own subnet /%u",
					      addr_fmt(&l->addr, a, sizeof(a)),
					      (v & ~mk) == 0 ? "network" : "broadcast", l->prefix);
		}
		if (l->has_mask && !addr_is_any(&l->addr)) {
			for (int i = 0; i < l->nrouters; i++)
				if (!addr_in_prefix(&l->routers[i], &l->addr, l->prefix))
					dhcp_lint_add(lint, "router %s is outside the offered subnet %s/%u",
						      addr_fmt(&l->routers[i], a, sizeof(a)),
						      addr_fmt(&l->addr, b, sizeof(b)), l->prefix);
			if (l->has_broadcast) {
				uint32_t want = a32(&l->addr) | ~a32(&l->mask);
				if (a32(&l->broadcast) != want)
					dhcp_lint_add(lint, "broadcast address %s does not match the subnet mask",
						      addr_fmt(&l->broadcast, a, sizeof(a)));
			}
		}
	}
	lint_routes(l, lint);
	if (m->no_end)
		dhcp_lint_add(lint, "the options field has no End option");
	for (int i = 0; i < m->norder; i++) {
		uint8_t c = m->order[i];
		if (m->opt[c].len == 0 && c != OPT_RAPID_COMMIT)
			dhcp_lint_add(lint, "option %u is empty: ignored", c);
	}
	for (int i = 0; prl && i < m->norder; i++) {
		uint8_t c = m->order[i];
		if (requested(c, prl, prl_len))
			continue;
		const char *name = dhcp_opt_name(c);
		if (c == OPT_V6ONLY)
			dhcp_lint_add(lint, "option 108 (IPv6-only preferred) present though not requested "
					    "(RFC 8925: ignored)");
		else
			dhcp_lint_add(lint, "option %u%s%s%s present though never requested", c,
				      name ? " (" : "", name ? name : "", name ? ")" : "");
	}
}

const char *dhcp_opt_text(const struct dhcp_msg *m, uint8_t code, char *out, size_t cap)
{
	size_t n;
	const uint8_t *p = dhcp_opt(m, code, &n);
	char a[ADDR_STRLEN];
	out[0] = 0;
	if (!p)
		return out;
	struct addr ad;
	size_t o = 0;
	switch (code) {
	case OPT_SUBNET: case OPT_SERVER_ID: case OPT_REQ_IP: case OPT_BROADCAST:
	case OPT_ROUTER: case OPT_DNS: case OPT_NTP: case 4: case 7: case 41: case 44:
		if (n == 0 || n % 4)
			break;
		for (size_t i = 0; i + 4 <= n && o + ADDR_STRLEN + 2 < cap; i += 4) {
			addr_from_bytes(&ad, AF_INET, p + i);
			o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "", addr_fmt(&ad, a, sizeof(a)));
		}
		return out;
	case OPT_LEASE: case OPT_T1: case OPT_T2:
		if (n != 4)
			break;
		{
			uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
			if (v == DHCP_INFINITE)
				snprintf(out, cap, "infinite");
			else
				snprintf(out, cap, "%u", v);
		}
		return out;
	case OPT_MSGTYPE:
		if (n != 1)
			break;
		snprintf(out, cap, "%u (%s)", p[0], dhcp_type_name(p[0]));
		return out;
	case OPT_OVERLOAD:
		if (n != 1)
			break;
		snprintf(out, cap, "%u (%s)", p[0], p[0] == 1 ? "file" : p[0] == 2 ? "sname" : p[0] == 3 ? "file+sname" : "invalid");
		return out;
	case OPT_MTU: case OPT_MAX_SIZE:
		if (n != 2)
			break;
		snprintf(out, cap, "%u", (unsigned)(p[0] << 8 | p[1]));
		return out;
	case OPT_HOSTNAME: case OPT_DOMAIN: case OPT_MESSAGE: case OPT_VENDOR_CLASS: case 17: case 40:
	case 47: case 66: case 67: case 100: case 101: case 114: case 252: {
		if (cap < 3)
			return out;
		out[0] = '"';
		dhcp_escape(p, n, out + 1, cap - 2);
		size_t k = strlen(out);
		out[k] = '"';
		out[k + 1] = 0;
		return out;
	}
	case OPT_PRL:
		for (size_t i = 0; i < n && o + 5 < cap; i++)
			o += (size_t)snprintf(out + o, cap - o, "%s%u", i ? "," : "", p[i]);
		return out;
	case OPT_CLASSLESS: {
		struct dhcp_route rts[DHCP_MAX_ROUTES];
		int k;
		if (dhcp_parse_classless(p, n, rts, DHCP_MAX_ROUTES, &k) < 0)
			break;
		char g[ADDR_STRLEN];
		for (int i = 0; i < k && o + 2 * ADDR_STRLEN + 12 < cap; i++)
			o += (size_t)snprintf(out + o, cap - o, "%s%s/%u via %s", i ? ", " : "",
					      addr_fmt(&rts[i].dst, a, sizeof(a)), rts[i].prefix,
					      addr_fmt(&rts[i].gw, g, sizeof(g)));
		return out;
	}
	default:
		break;
	}
	/* Hex for everything else (and for a malformed known option). */
	for (size_t i = 0; i < n && o + 4 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%02x", i ? ":" : "", p[i]);
	if (n == 0)
		snprintf(out, cap, "(empty)");
	return out;
}
