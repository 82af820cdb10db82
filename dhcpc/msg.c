/*
 * msg — the BOOTP/DHCP message codec (RFC 2131, RFC 2132, RFC 3396).
 *
 * Parsing reads the fixed header through the bounds-checked reader, then
 * the options in the order RFC 3396 section 7 gives: the options field,
 * then `file` when option 52 says so, then `sname`.  Every instance of one
 * code is concatenated (RFC 3396 applies to every option, not only to
 * those longer than 255 bytes), so a server that splits option 15 over the
 * options field and `file` reads back as one value, and each option
 * remembers which fields it came from.  Two passes: the first sums each
 * code's length, the second copies into one flat buffer at precomputed
 * offsets, so nothing grows and nothing can overflow (the total is at
 * most the bytes read).  An option whose length byte runs past its field
 * makes the whole message malformed (busybox f9beeb22e), as does an
 * overload value that is not 1..3.  Fixed-size options are checked where
 * they are used (dhcp_opt_addr/u32), never here.
 */
#include <string.h>

#include "dhcpc.h"

struct dhcp_iter dhcp_iter_init(const uint8_t *p, size_t len)
{
	return (struct dhcp_iter){ .r = rd_init(p, len) };
}

int dhcp_iter_next(struct dhcp_iter *it, uint8_t *code, struct rd *val)
{
	while (!it->ended && rd_left(&it->r) && it->steps++ < DHCP_MAX_OPT_INSTANCES) {
		uint8_t c = rd_u8(&it->r);
		*code = c;
		if (c == OPT_PAD)
			continue;
		if (c == OPT_END) {
			it->ended = true;
			return 0;
		}
		if (!rd_left(&it->r))
			return -1;          /* no length byte */
		uint8_t n = rd_u8(&it->r);
		if (rd_left(&it->r) < n)
			return -1;
		*val = rd_sub(&it->r, n);
		return 1;
	}
	return 0;
}

struct scan {
	struct dhcp_msg *m;
	uint16_t total[256];
	uint16_t fill[256];
	uint8_t parts[256];
};

/* Pass 1 (copy false) sums lengths; pass 2 copies.  -1 when malformed. */
static int scan_field(struct scan *s, const uint8_t *p, size_t len, uint8_t where, bool copy,
		      bool *ended)
{
	struct dhcp_iter it = dhcp_iter_init(p, len);
	uint8_t code;
	struct rd val;
	int rc;
	while ((rc = dhcp_iter_next(&it, &code, &val)) == 1) {
		struct dhcp_optv *o = &s->m->opt[code];
		size_t n = rd_left(&val);
		if (!copy) {
			if (!o->present) {
				o->present = true;
				s->m->order[s->m->norder++] = code;
			}
			s->total[code] = (uint16_t)(s->total[code] + n);
			if (s->parts[code] < 255)
				s->parts[code]++;
			o->where |= where;
			continue;
		}
		if (n)
			memcpy(s->m->data + o->off + s->fill[code], rd_ptr(&val, n), n);
		s->fill[code] = (uint16_t)(s->fill[code] + n);
	}
	if (ended)
		*ended = it.ended;
	return rc < 0 ? -1 : 0;
}

int dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *m, const char **why)
{
	memset(m, 0, sizeof(*m));
	*why = NULL;
	if (len > DHCP_MSG_MAX) {
		*why = "message longer than 1500 bytes";
		return -1;
	}
	struct rd r = rd_init(p, len);
	m->op = rd_u8(&r);
	m->htype = rd_u8(&r);
	m->hlen = rd_u8(&r);
	m->hops = rd_u8(&r);
	m->xid = rd_u32(&r);
	m->secs = rd_u16(&r);
	m->flags = rd_u16(&r);
	uint8_t a[4];
	rd_bytes(&r, a, 4);
	addr_from_bytes(&m->ciaddr, AF_INET, a);
	rd_bytes(&r, a, 4);
	addr_from_bytes(&m->yiaddr, AF_INET, a);
	rd_bytes(&r, a, 4);
	addr_from_bytes(&m->siaddr, AF_INET, a);
	rd_bytes(&r, a, 4);
	addr_from_bytes(&m->giaddr, AF_INET, a);
	rd_bytes(&r, m->chaddr, sizeof(m->chaddr));
	rd_bytes(&r, m->sname, sizeof(m->sname));
	rd_bytes(&r, m->file, sizeof(m->file));
	uint32_t cookie = rd_u32(&r);
	if (!rd_ok(&r)) {
		*why = "shorter than a BOOTP header and magic cookie";
		return -1;
	}
	if (cookie != DHCP_COOKIE) {
		*why = "no DHCP magic cookie";
		return -1;
	}
	m->len = len;
	const uint8_t *opts = rd_peek(&r);
	size_t opts_len = rd_left(&r);

	struct scan s;
	memset(&s, 0, sizeof(s));
	s.m = m;
	const uint8_t *fields[3] = { opts, m->file, m->sname };
	size_t flens[3] = { opts_len, sizeof(m->file), sizeof(m->sname) };
	static const uint8_t where[3] = { DHCP_IN_OPTIONS, DHCP_IN_FILE, DHCP_IN_SNAME };
	bool ended = false;

	/* Pass 1 over the options field decides whether file/sname hold options. */
	if (scan_field(&s, opts, opts_len, DHCP_IN_OPTIONS, false, &ended) < 0) {
		*why = "an option runs past the end of the options field";
		return -1;
	}
	m->no_end = !ended;
	if (m->opt[OPT_OVERLOAD].present) {
		/* Only the options field may carry option 52 (RFC 2131 4.1). */
		if (s.total[OPT_OVERLOAD] != 1) {
			*why = "option 52 (overload) is not 1 byte";
			return -1;
		}
		struct dhcp_iter it = dhcp_iter_init(opts, opts_len);
		uint8_t code;
		struct rd val;
		while (dhcp_iter_next(&it, &code, &val) == 1)
			if (code == OPT_OVERLOAD && rd_left(&val) == 1)
				m->overload = rd_u8(&val);
		if (m->overload < 1 || m->overload > 3) {
			*why = "option 52 (overload) is not 1, 2 or 3";
			return -1;
		}
	}
	/* RFC 2131 4.1: 1 = file, 2 = sname, 3 = both; file is read first. */
	bool use[3] = { true, (m->overload & 1) != 0, (m->overload & 2) != 0 };
	for (int f = 1; f < 3; f++) {
		if (!use[f])
			continue;
		uint16_t before = s.total[OPT_OVERLOAD];
		if (scan_field(&s, fields[f], flens[f], where[f], false, NULL) < 0) {
			*why = f == 1 ? "an option runs past the end of the file field (overload)"
				      : "an option runs past the end of the sname field (overload)";
			return -1;
		}
		if (s.total[OPT_OVERLOAD] != before) {
			*why = "option 52 (overload) inside an overloaded field";
			return -1;
		}
	}
	/* Offsets: the sum of all instances is at most the bytes read. */
	size_t off = 0;
	for (int i = 0; i < m->norder; i++) {
		uint8_t c = m->order[i];
		m->opt[c].off = (uint16_t)off;
		m->opt[c].len = s.total[c];
		m->opt[c].parts = s.parts[c];
		off += s.total[c];
	}
	if (off > sizeof(m->data)) {
		*why = "options larger than the message";
		return -1;
	}
	for (int f = 0; f < 3; f++)
		if (use[f])
			scan_field(&s, fields[f], flens[f], where[f], true, NULL);
	if (m->opt[OPT_MSGTYPE].present && m->opt[OPT_MSGTYPE].len == 1)
		m->type = m->data[m->opt[OPT_MSGTYPE].off];
	return 0;
}

const uint8_t *dhcp_opt(const struct dhcp_msg *m, uint8_t code, size_t *len)
{
	const struct dhcp_optv *o = &m->opt[code];
	if (!o->present)
		return NULL;
	*len = o->len;
	return m->data + o->off;
}

bool dhcp_opt_addr(const struct dhcp_msg *m, uint8_t code, struct addr *a)
{
	size_t n;
	const uint8_t *p = dhcp_opt(m, code, &n);
	if (!p || n != 4)
		return false;
	addr_from_bytes(a, AF_INET, p);
	return true;
}

bool dhcp_opt_u32(const struct dhcp_msg *m, uint8_t code, uint32_t *v)
{
	size_t n;
	const uint8_t *p = dhcp_opt(m, code, &n);
	if (!p || n != 4)
		return false;
	struct rd r = rd_init(p, n);
	*v = rd_u32(&r);
	return true;
}

/* One option, split into 255-byte instances (RFC 3396 section 5). */
static void put_opt(struct wr *w, uint8_t code, const void *val, size_t len)
{
	const uint8_t *p = val;
	do {
		size_t n = len > DHCP_OPT_PART_MAX ? DHCP_OPT_PART_MAX : len;
		wr_u8(w, code);
		wr_u8(w, (uint8_t)n);
		wr_bytes(w, p, n);
		p += n;
		len -= n;
	} while (len > 0);
}

static void put_addr(struct wr *w, const struct addr *a)
{
	static const uint8_t zero[4];
	wr_bytes(w, a->family == AF_INET ? a->bytes : zero, 4);
}

size_t dhcp_build(uint8_t *buf, size_t cap, const struct dhcp_out *o)
{
	struct wr w = wr_init(buf, cap);
	struct addr none = { 0 };
	wr_u8(&w, 1);                       /* op BOOTREQUEST */
	wr_u8(&w, 1);                       /* htype Ethernet */
	wr_u8(&w, ETHER_ADDR_LEN);
	wr_u8(&w, 0);                       /* hops */
	wr_u32(&w, o->xid);
	wr_u16(&w, o->secs);
	wr_u16(&w, o->flags);
	put_addr(&w, &o->ciaddr);
	put_addr(&w, &none);                /* yiaddr */
	put_addr(&w, &none);                /* siaddr */
	put_addr(&w, &none);                /* giaddr */
	wr_bytes(&w, o->chaddr, ETHER_ADDR_LEN);
	wr_zero(&w, 16 - ETHER_ADDR_LEN + DHCP_SNAME_LEN + DHCP_FILE_LEN);
	wr_u32(&w, DHCP_COOKIE);
	put_opt(&w, OPT_MSGTYPE, &o->type, 1);
	if (o->client_id_len)
		put_opt(&w, OPT_CLIENT_ID, o->client_id, o->client_id_len);
	if (addr_is_set(&o->req_ip))
		put_opt(&w, OPT_REQ_IP, o->req_ip.bytes, 4);
	if (addr_is_set(&o->server_id))
		put_opt(&w, OPT_SERVER_ID, o->server_id.bytes, 4);
	if (o->max_size) {
		uint8_t ms[2] = { (uint8_t)(o->max_size >> 8), (uint8_t)o->max_size };
		put_opt(&w, OPT_MAX_SIZE, ms, 2);
	}
	if (o->hostname && *o->hostname)
		put_opt(&w, OPT_HOSTNAME, o->hostname, strlen(o->hostname));
	if (o->vendor_class && *o->vendor_class)
		put_opt(&w, OPT_VENDOR_CLASS, o->vendor_class, strlen(o->vendor_class));
	if (o->message && *o->message)
		put_opt(&w, OPT_MESSAGE, o->message, strlen(o->message));
	if (o->prl_len)
		put_opt(&w, OPT_PRL, o->prl, o->prl_len);
	wr_u8(&w, OPT_END);
	if (wr_len(&w) < DHCP_MIN_LEN)
		wr_zero(&w, DHCP_MIN_LEN - wr_len(&w));
	return wr_ok(&w) ? wr_len(&w) : 0;
}

const char *dhcp_type_name(uint8_t type)
{
	static const char *const names[] = {
		[DHCPDISCOVER] = "DISCOVER", [DHCPOFFER] = "OFFER", [DHCPREQUEST] = "REQUEST",
		[DHCPDECLINE] = "DECLINE", [DHCPACK] = "ACK", [DHCPNAK] = "NAK",
		[DHCPRELEASE] = "RELEASE", [DHCPINFORM] = "INFORM",
	};
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return type ? "UNKNOWN" : "BOOTP";
}

const char *dhcp_opt_name(uint8_t code)
{
	/* RFC 2132 and later (IANA BOOTP/DHCP parameters), as dhcpcd and
	 * Wireshark spell them, lower case with dashes. */
	static const struct { uint8_t code; const char *name; } names[] = {
		{ 1, "subnet-mask" }, { 2, "time-offset" }, { 3, "router" }, { 4, "time-server" },
		{ 6, "dns" }, { 7, "log-server" }, { 12, "hostname" }, { 13, "boot-size" },
		{ 15, "domain-name" }, { 17, "root-path" }, { 19, "ip-forwarding" },
		{ 23, "default-ttl" }, { 26, "mtu" }, { 28, "broadcast" }, { 33, "static-routes" },
		{ 40, "nis-domain" }, { 41, "nis-servers" }, { 42, "ntp" }, { 43, "vendor-specific" },
		{ 44, "netbios-ns" }, { 46, "netbios-node-type" }, { 47, "netbios-scope" },
		{ 50, "requested-ip" }, { 51, "lease-time" }, { 52, "overload" },
		{ 53, "message-type" }, { 54, "server-id" }, { 55, "parameter-list" },
		{ 56, "message" }, { 57, "max-size" }, { 58, "renewal-time" }, { 59, "rebinding-time" },
		{ 60, "vendor-class" }, { 61, "client-id" }, { 66, "tftp-server" },
		{ 67, "bootfile" }, { 80, "rapid-commit" }, { 81, "client-fqdn" },
		{ 82, "relay-agent" }, { 100, "posix-tz" }, { 101, "tz-database" },
		{ 108, "ipv6-only-preferred" }, { 114, "captive-portal" }, { 119, "domain-search" },
		{ 121, "classless-routes" }, { 249, "ms-classless-routes" }, { 252, "wpad" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return NULL;
}
