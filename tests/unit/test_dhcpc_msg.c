/*
 * test_dhcpc_msg — dhcpc's codec, lease checks and frame checks over built
 * and hostile fixtures: overload (52), RFC 3396 split options, options
 * running past their field, missing End, wrong sizes, hostile strings,
 * option 121, the hook environment, and the link-layer checks.
 */
#include <string.h>

#include "../../dhcpc/dhcpc.h"
#include "ip.h"
#include "udp.h"
#include "unit.h"

static const uint8_t mac[6] = { 2, 0, 0, 0, 0x60, 1 };

/* A BOOTREPLY header + cookie with the given file/sname; options appended by the caller. */
static size_t reply(uint8_t *p, const uint8_t *file, size_t fl, const uint8_t *sname, size_t sl)
{
	memset(p, 0, DHCP_MSG_MAX);
	p[0] = 2;
	p[1] = 1;
	p[2] = 6;
	p[4] = 0x12, p[5] = 0x34, p[6] = 0x56, p[7] = 0x78;
	p[16] = 10, p[17] = 67, p[18] = 0, p[19] = 107;   /* yiaddr */
	memcpy(p + 28, mac, 6);
	if (sname)
		memcpy(p + 44, sname, sl);
	if (file)
		memcpy(p + 108, file, fl);
	p[236] = 0x63, p[237] = 0x82, p[238] = 0x53, p[239] = 0x63;
	return 240;
}

static size_t add(uint8_t *p, size_t n, const void *bytes, size_t len)
{
	memcpy(p + n, bytes, len);
	return n + len;
}

UNIT_TEST(build_and_parse_discover)
{
	uint8_t buf[DHCP_MSG_MAX], prl[] = { 1, 3, 6 };
	struct dhcp_out o = { .type = DHCPDISCOVER, .xid = 0xdeadbeef, .flags = DHCP_FLAG_BROADCAST,
			      .prl = prl, .prl_len = 3, .hostname = "lab1", .max_size = 1500 };
	memcpy(o.chaddr, mac, 6);
	addr_parse(&o.req_ip, "10.67.0.140", AF_INET);
	size_t n = dhcp_build(buf, sizeof(buf), &o);
	CHECK_EQ_INT(n, DHCP_MIN_LEN);
	struct dhcp_msg m;
	const char *why;
	CHECK_EQ_INT(dhcp_parse(buf, n, &m, &why), 0);
	CHECK_EQ_INT(m.op, 1);
	CHECK_EQ_INT(m.xid, 0xdeadbeef);
	CHECK_EQ_INT(m.flags, DHCP_FLAG_BROADCAST);
	CHECK_EQ_INT(m.type, DHCPDISCOVER);
	CHECK(!m.no_end);
	CHECK(memcmp(m.chaddr, mac, 6) == 0);
	struct addr a;
	char s[ADDR_STRLEN];
	CHECK(dhcp_opt_addr(&m, OPT_REQ_IP, &a));
	CHECK_STR(addr_fmt(&a, s, sizeof(s)), "10.67.0.140");
	size_t l;
	const uint8_t *p = dhcp_opt(&m, OPT_HOSTNAME, &l);
	CHECK(p && l == 4 && memcmp(p, "lab1", 4) == 0);
	p = dhcp_opt(&m, OPT_PRL, &l);
	CHECK(p && l == 3 && p[2] == 6);
	CHECK(dhcp_opt(&m, OPT_SERVER_ID, &l) == NULL);
}

UNIT_TEST(long_option_split_and_joined)
{
	uint8_t buf[DHCP_MSG_MAX], cid[300];
	for (size_t i = 0; i < sizeof(cid); i++)
		cid[i] = (uint8_t)i;
	struct dhcp_out o = { .type = DHCPREQUEST, .client_id = cid, .client_id_len = sizeof(cid) };
	size_t n = dhcp_build(buf, sizeof(buf), &o);
	CHECK(n > 240 + 300);
	/* two instances on the wire: 61/255 then 61/45 */
	CHECK_EQ_INT(buf[243], OPT_CLIENT_ID);
	CHECK_EQ_INT(buf[244], 255);
	CHECK_EQ_INT(buf[245 + 255], OPT_CLIENT_ID);
	CHECK_EQ_INT(buf[246 + 255], 45);
	struct dhcp_msg m;
	const char *why;
	CHECK_EQ_INT(dhcp_parse(buf, n, &m, &why), 0);
	size_t l;
	const uint8_t *p = dhcp_opt(&m, OPT_CLIENT_ID, &l);
	CHECK(p && l == 300 && memcmp(p, cid, 300) == 0);
	CHECK_EQ_INT(m.opt[OPT_CLIENT_ID].parts, 2);
}

UNIT_TEST(overload_file_and_sname_in_rfc3396_order)
{
	uint8_t p[DHCP_MSG_MAX];
	static const uint8_t file[] = { 15, 10, 'd', 'o', 'm', 'a', 'i', 'n', '.', 'l', 'a', 'b', 3, 4, 10, 67, 0, 1, 255 };
	static const uint8_t sname[] = { 12, 4, 'h', 'o', 's', 't', 15, 2, '.', 'x', 255 };
	size_t n = reply(p, file, sizeof(file), sname, sizeof(sname));
	static const uint8_t opts[] = { 53, 1, 2, 52, 1, 3, 0, 0, 15, 6, 's', 'p', 'l', 'i', 't', '-', 255 };
	n = add(p, n, opts, sizeof(opts));
	struct dhcp_msg m;
	const char *why;
	CHECK_EQ_INT(dhcp_parse(p, n, &m, &why), 0);
	CHECK_EQ_INT(m.overload, 3);
	size_t l;
	const uint8_t *v = dhcp_opt(&m, OPT_DOMAIN, &l);
	CHECK(v && l == 18 && memcmp(v, "split-domain.lab.x", 18) == 0);
	CHECK_EQ_INT(m.opt[OPT_DOMAIN].parts, 3);
	CHECK_EQ_INT(m.opt[OPT_DOMAIN].where, DHCP_IN_OPTIONS | DHCP_IN_FILE | DHCP_IN_SNAME);
	v = dhcp_opt(&m, OPT_HOSTNAME, &l);
	CHECK(v && l == 4 && memcmp(v, "host", 4) == 0);
	struct addr a;
	CHECK(dhcp_opt_addr(&m, OPT_ROUTER, &a));
	/* without option 52 the same fields are only names */
	n = reply(p, file, sizeof(file), sname, sizeof(sname));
	static const uint8_t plain[] = { 53, 1, 2, 255 };
	n = add(p, n, plain, sizeof(plain));
	CHECK_EQ_INT(dhcp_parse(p, n, &m, &why), 0);
	CHECK(dhcp_opt(&m, OPT_HOSTNAME, &l) == NULL);
}

UNIT_TEST(hostile_messages_rejected)
{
	uint8_t p[DHCP_MSG_MAX + 10];
	struct dhcp_msg m;
	const char *why;
	size_t n = reply(p, NULL, 0, NULL, 0);
	/* option running past the end */
	static const uint8_t past[] = { 53, 1, 2, 15, 200, 'x', 'y' };
	CHECK_EQ_INT(dhcp_parse(p, add(p, n, past, sizeof(past)), &m, &why), -1);
	CHECK_STR(why, "an option runs past the end of the options field");
	/* a code with no length byte at the very end */
	static const uint8_t nolen[] = { 53, 1, 2, 12 };
	CHECK_EQ_INT(dhcp_parse(p, add(p, n, nolen, sizeof(nolen)), &m, &why), -1);
	/* overload 0, 4, 7 */
	for (uint8_t ov = 0; ov < 8; ov += (uint8_t)(ov == 0 ? 4 : 3)) {
		uint8_t bad[] = { 53, 1, 2, 52, 1, ov, 255 };
		CHECK_EQ_INT(dhcp_parse(p, add(p, n, bad, sizeof(bad)), &m, &why), -1);
	}
	/* overload pointing at garbage */
	uint8_t garbage[128];
	memset(garbage, 0x0c, sizeof(garbage));
	n = reply(p, garbage, sizeof(garbage), NULL, 0);
	static const uint8_t ov1[] = { 53, 1, 2, 52, 1, 1, 255 };
	CHECK_EQ_INT(dhcp_parse(p, add(p, n, ov1, sizeof(ov1)), &m, &why), -1);
	CHECK_STR(why, "an option runs past the end of the file field (overload)");
	/* option 52 inside an overloaded field (a loop, if it were obeyed) */
	static const uint8_t f52[] = { 52, 1, 3, 255 };
	n = reply(p, f52, sizeof(f52), NULL, 0);
	CHECK_EQ_INT(dhcp_parse(p, add(p, n, ov1, sizeof(ov1)), &m, &why), -1);
	/* two-byte overload */
	n = reply(p, NULL, 0, NULL, 0);
	static const uint8_t ov2[] = { 53, 1, 2, 52, 2, 1, 1, 255 };
	CHECK_EQ_INT(dhcp_parse(p, add(p, n, ov2, sizeof(ov2)), &m, &why), -1);
	/* bad cookie, short, huge */
	n = reply(p, NULL, 0, NULL, 0);
	p[236] = 0;
	CHECK_EQ_INT(dhcp_parse(p, n, &m, &why), -1);
	CHECK_EQ_INT(dhcp_parse(p, 239, &m, &why), -1);
	CHECK_EQ_INT(dhcp_parse(p, DHCP_MSG_MAX + 1, &m, &why), -1);
	CHECK_EQ_INT(dhcp_parse(NULL, 0, &m, &why), -1);
}

UNIT_TEST(pad_no_end_and_empty_options)
{
	uint8_t p[DHCP_MSG_MAX];
	struct dhcp_msg m;
	const char *why;
	size_t n = reply(p, NULL, 0, NULL, 0);
	static const uint8_t o[] = { 0, 0, 53, 1, 5, 0, 12, 0, 0 };
	n = add(p, n, o, sizeof(o));
	CHECK_EQ_INT(dhcp_parse(p, n, &m, &why), 0);
	CHECK(m.no_end);
	CHECK_EQ_INT(m.type, DHCPACK);
	size_t l;
	CHECK(dhcp_opt(&m, OPT_HOSTNAME, &l) != NULL && l == 0);
	struct dhcp_lease lease;
	struct dhcp_lint lint = { 0 };
	dhcp_lease_from(&m, &lease, &lint, NULL, 0);
	CHECK(lint.n >= 3);   /* no server id, no lease time, no End, empty 12 */
	CHECK(!lease.has_server_id);
	CHECK_STR(lease.hostname, "");
}

UNIT_TEST(lease_sizes_names_and_lint)
{
	uint8_t p[DHCP_MSG_MAX];
	struct dhcp_msg m;
	const char *why;
	size_t n = reply(p, NULL, 0, NULL, 0);
	static const uint8_t o[] = {
		53, 1, 5, 54, 3, 10, 67, 0,                      /* server id of 3 bytes */
		1, 4, 255, 255, 255, 0, 3, 6, 10, 67, 0, 1, 0, 0, /* router of 6 bytes */
		6, 8, 10, 67, 0, 1, 10, 67, 0, 2,
		51, 4, 0, 0, 2, 88, 58, 4, 0, 0, 1, 0x2c, 59, 4, 0, 0, 1, 0x2c, /* T1 == T2 = 300 */
		12, 11, 'h', ';', 'r', 'e', 'b', 'o', 'o', 't', ' ', '\'', 'x',
		15, 9, 'l', 'a', 'b', '.', 't', 'e', 's', 't', 0,      /* NUL-terminated: fine */
		121, 10, 0, 10, 67, 0, 9, 24, 192, 168, 7, 0,        /* broken: 24-bit dst then 3 */
		108, 4, 0, 0, 7, 8, 255,
	};
	n = add(p, n, o, sizeof(o));
	CHECK_EQ_INT(dhcp_parse(p, n, &m, &why), 0);
	struct dhcp_lease l;
	struct dhcp_lint lint = { 0 };
	uint8_t prl[] = { 1, 3, 6, 12, 15, 121 };
	dhcp_lease_from(&m, &l, &lint, prl, sizeof(prl));
	CHECK(!l.has_server_id);
	CHECK_EQ_INT(l.nrouters, 0);
	CHECK_EQ_INT(l.ndns, 2);
	CHECK_EQ_INT(l.prefix, 24);
	CHECK_STR(l.domain, "lab.test");
	CHECK_STR(l.hostname, "");
	CHECK(l.hostname_withheld);
	CHECK_EQ_INT(l.lease, 600);
	CHECK(l.t1 < l.t2);
	CHECK_EQ_INT(l.nroutes, 0);
	char all[DHCP_LINT_MAX * DHCP_LINT_LEN] = "";
	for (int i = 0; i < lint.n; i++)
		strcat(strcat(all, lint.msg[i]), "\n");
	CHECK(strstr(all, "option 54 (server-id) has length 3, expected 4: ignored") != NULL);
	CHECK(strstr(all, "no server identifier") != NULL);
	CHECK(strstr(all, "option 3 (router) has length 6") != NULL);
	CHECK(strstr(all, "withheld: \"h;reboot 'x\"") != NULL);
	CHECK(strstr(all, "T1 (300 s) >= T2 (300 s)") != NULL);
	CHECK(strstr(all, "option 121 (classless routes) is malformed") != NULL);
	CHECK(strstr(all, "option 108 (IPv6-only preferred) present though not requested") != NULL);
}

UNIT_TEST(tunnelvision_and_subnet_lint)
{
	uint8_t p[DHCP_MSG_MAX];
	struct dhcp_msg m;
	const char *why;
	size_t n = reply(p, NULL, 0, NULL, 0);
	p[19] = 255;   /* yiaddr 10.67.0.255: the broadcast address of a /24 */
	static const uint8_t o[] = {
		53, 1, 2, 54, 4, 10, 67, 0, 1, 51, 4, 0, 0, 2, 88, 1, 4, 255, 255, 255, 0,
		3, 4, 10, 68, 0, 1,
		121, 15, 0, 10, 67, 0, 1, 1, 128, 10, 67, 0, 1, 24, 10, 1, 2, /* truncated last */
		255,
	};
	n = add(p, n, o, sizeof(o));
	CHECK_EQ_INT(dhcp_parse(p, n, &m, &why), 0);
	struct dhcp_lease l;
	struct dhcp_lint lint = { 0 };
	dhcp_lease_from(&m, &l, &lint, NULL, 0);
	char all[DHCP_LINT_MAX * DHCP_LINT_LEN] = "";
	for (int i = 0; i < lint.n; i++)
		strcat(strcat(all, lint.msg[i]), "\n");
	CHECK(strstr(all, "is the broadcast address of its own subnet") != NULL);
	CHECK(strstr(all, "router 10.68.0.1 is outside the offered subnet") != NULL);
	CHECK(strstr(all, "option 121 (classless routes) is malformed") != NULL);
	/* a well-formed 0/0 + 128/1 */
	static const uint8_t r[] = { 0, 10, 67, 0, 1, 1, 128, 10, 67, 0, 1, 24, 10, 1, 2, 10, 67, 0, 9 };
	struct dhcp_route rts[4];
	int k;
	CHECK_EQ_INT(dhcp_parse_classless(r, sizeof(r), rts, 4, &k), 3);
	CHECK_EQ_INT(k, 3);
	CHECK_EQ_INT(rts[0].prefix, 0);
	CHECK_EQ_INT(rts[1].prefix, 1);
	CHECK_EQ_INT(rts[1].dst.bytes[0], 128);
	CHECK_EQ_INT(rts[2].dst.bytes[2], 2);
	static const uint8_t w33[] = { 33, 1, 2, 3, 4, 5, 1, 2, 3, 4 };
	CHECK_EQ_INT(dhcp_parse_classless(w33, sizeof(w33), rts, 4, &k), -1);
}

UNIT_TEST(names_and_escaping)
{
	CHECK(dhcp_valid_name("lab.test", 8));
	CHECK(dhcp_valid_name("a-b.c0.", 7));
	CHECK(!dhcp_valid_name("-a", 2));
	CHECK(!dhcp_valid_name("a-", 2));
	CHECK(!dhcp_valid_name("a..b", 4));
	CHECK(!dhcp_valid_name("", 0));
	CHECK(!dhcp_valid_name("a b", 3));
	CHECK(!dhcp_valid_name("$(id)", 5));
	CHECK(!dhcp_valid_name("x;reboot", 8));
	char big[300];
	memset(big, 'a', sizeof(big));
	CHECK(!dhcp_valid_name(big, 64));   /* one 64-byte label */
	char out[64];
	CHECK_STR(dhcp_escape((const uint8_t *)"a\x1b[31m\"\\", 8, out, sizeof(out)), "a\\x1b[31m\\x22\\x5c");
	CHECK_STR(dhcp_escape((const uint8_t *)"abcdef", 6, out, 4), "abc");
}

UNIT_TEST(iterator_walks_pad_and_end)
{
	static const uint8_t f[] = { 0, 0, 1, 1, 9, 0, 255, 3, 200 };
	struct dhcp_iter it = dhcp_iter_init(f, sizeof(f));
	uint8_t code;
	struct rd v;
	CHECK_EQ_INT(dhcp_iter_next(&it, &code, &v), 1);
	CHECK_EQ_INT(code, 1);
	CHECK_EQ_INT(rd_left(&v), 1);
	CHECK_EQ_INT(dhcp_iter_next(&it, &code, &v), 0);   /* pad, then End: what follows is ignored */
	CHECK(it.ended);
	static const uint8_t g[] = { 3, 200, 1 };
	it = dhcp_iter_init(g, sizeof(g));
	CHECK_EQ_INT(dhcp_iter_next(&it, &code, &v), -1);
}

static size_t frame(uint8_t *buf, size_t cap, const char *src, const char *dst, uint16_t dport,
		    const uint8_t *payload, size_t len)
{
	struct wr w = wr_init(buf, cap);
	struct ether_hdr eh = { .type = ETHERTYPE_IPV4 };
	memset(eh.dst, 0xff, 6);
	memcpy(eh.src, mac, 6);
	struct ip_hdr ih = { .fam = ipfam_get(AF_INET), .ttl = 64, .proto = IPPROTO_UDP };
	addr_parse(&ih.src, src, AF_INET);
	addr_parse(&ih.dst, dst, AF_INET);
	ether_encode(&w, &eh);
	ip_encode(&w, &ih, UDP_HDR_LEN + len);
	udp_encode(&w, &ih.src, &ih.dst, 67, dport, payload, len);
	return wr_len(&w);
}

UNIT_TEST(link_frame_checks)
{
	uint8_t buf[600], pl[300];
	memset(pl, 0x5a, sizeof(pl));
	struct dhcpc_rx rx;
	const char *why = NULL;
	size_t n = frame(buf, sizeof(buf), "10.67.0.1", "255.255.255.255", 68, pl, sizeof(pl));
	CHECK_EQ_INT(link_parse_frame(buf, n, false, &rx, &why), 0);
	CHECK_EQ_INT(rx.payload_len, 300);
	CHECK(rx.l2_broadcast);
	CHECK_EQ_INT(rx.sport, 67);
	/* Ethernet padding after the IP packet is not payload */
	CHECK_EQ_INT(link_parse_frame(buf, n + 0, false, &rx, &why), 0);
	buf[n - 1] ^= 1;   /* payload byte: UDP checksum fails */
	CHECK_EQ_INT(link_parse_frame(buf, n, false, &rx, &why), -1);
	CHECK_STR(why, "bad UDP checksum");
	CHECK_EQ_INT(link_parse_frame(buf, n, true, &rx, &why), 0);   /* CSUMNOTREADY */
	n = frame(buf, sizeof(buf), "10.67.0.1", "255.255.255.255", 69, pl, sizeof(pl));
	CHECK_EQ_INT(link_parse_frame(buf, n, false, &rx, &why), -1);
	CHECK_STR(why, "not to UDP port 68");
	n = frame(buf, sizeof(buf), "10.67.0.1", "255.255.255.255", 68, pl, sizeof(pl));
	CHECK_EQ_INT(link_parse_frame(buf, n - 10, false, &rx, &why), -1);   /* cut short */
	CHECK_STR(why, "IPv4 total length larger than the frame");
	buf[14 + 6] = 0x20;   /* MF: the header checksum now fails first */
	CHECK_EQ_INT(link_parse_frame(buf, n, false, &rx, &why), -1);
	n = frame(buf, sizeof(buf), "10.67.0.1", "255.255.255.255", 68, pl, sizeof(pl));
	buf[14 + 20 + 4] = 0x00, buf[14 + 20 + 5] = 0x04;   /* UDP length 4 */
	CHECK_EQ_INT(link_parse_frame(buf, n, true, &rx, &why), -1);
	CHECK_STR(why, "bad UDP length");
	CHECK_EQ_INT(link_parse_frame(buf, 10, false, &rx, &why), -1);
}

int main(void)
{
	RUN(build_and_parse_discover);
	RUN(long_option_split_and_joined);
	RUN(overload_file_and_sname_in_rfc3396_order);
	RUN(hostile_messages_rejected);
	RUN(pad_no_end_and_empty_options);
	RUN(lease_sizes_names_and_lint);
	RUN(tunnelvision_and_subnet_lint);
	RUN(names_and_escaping);
	RUN(iterator_walks_pad_and_end);
	RUN(link_frame_checks);
	return unit_done();
}
