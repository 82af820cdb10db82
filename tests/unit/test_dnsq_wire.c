/*
 * test_dnsq_wire — dnsq's DNS codec over real and hostile messages:
 * compression loops, forward pointers, over-long labels and names, counts
 * that lie, bad RDATA lengths, duplicate OPT; and the presentation format
 * of every type dnsq prints.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "../../dnsq/wire.h"

/* A response to www.example.lab. A: answer with a compressed owner,
 * authority NS, additional A glue and an OPT record. */
static const uint8_t good[] = {
	0x12, 0x34, 0x84, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02,
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'l', 'a', 'b', 0,
	0x00, 0x01, 0x00, 0x01,
	/* answer: www.example.lab A 192.0.2.80 */
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 192, 0, 2, 80,
	/* authority: example.lab NS ns1.example.lab */
	0xc0, 0x10, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x06,
	3, 'n', 's', '1', 0xc0, 0x10,
	/* additional: ns1.example.lab A 10.53.0.3 */
	0xc0, 0x3d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 10, 53, 0, 3,
	/* OPT 1232, DO */
	0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

static uint8_t *copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n);
	memcpy(c, p, n);
	return c;
}

static enum dns_err parse(const uint8_t *p, size_t n)
{
	struct dns_msg m;
	enum dns_err e = dns_msg_parse(&m, p, n);
	dns_msg_free(&m);
	return e;
}

UNIT_TEST(parses_a_real_response)
{
	struct dns_msg m;
	CHECK_EQ_INT(dns_msg_parse(&m, good, sizeof(good)), DNS_OK);
	CHECK_EQ_INT(m.id, 0x1234);
	CHECK(m.flags & DNS_F_AA);
	CHECK_EQ_INT(m.nrr, 3);
	CHECK_EQ_INT(m.n_an, 1);
	CHECK_EQ_INT(m.n_ns, 1);
	CHECK_EQ_INT(m.n_ar, 1);
	CHECK(m.edns);
	CHECK(m.edns_do);
	CHECK_EQ_INT(m.edns_size, 1232);
	char b[512], n[DNS_NAME_STRLEN];
	CHECK_STR(dns_name_fmt(&m.qname, n, sizeof(n)), "www.example.lab.");
	dns_rr_fmt(&m, &m.rr[0], b, sizeof(b));
	CHECK_STR(b, "www.example.lab.\t300\tIN\tA\t192.0.2.80");
	dns_rr_fmt(&m, &m.rr[1], b, sizeof(b));
	CHECK_STR(b, "example.lab.\t300\tIN\tNS\tns1.example.lab.");
	dns_rr_fmt(&m, &m.rr[2], b, sizeof(b));
	CHECK_STR(b, "ns1.example.lab.\t300\tIN\tA\t10.53.0.3");
	dns_msg_free(&m);
}

UNIT_TEST(rejects_pointer_loop)
{
	uint8_t *p = copy(good, sizeof(good));
	p[33] = 0xc0;   /* answer owner points at itself */
	p[34] = 33;
	CHECK_EQ_INT(parse(p, sizeof(good)), DNS_E_PTR_FWD);
	/* two pointers pointing at each other */
	uint8_t loop[] = { 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1 };
	CHECK_EQ_INT(parse(loop, sizeof(loop)), DNS_E_PTR_FWD);
	free(p);
}

UNIT_TEST(rejects_forward_pointer)
{
	uint8_t *p = copy(good, sizeof(good));
	p[12] = 0xc0;   /* question name points forward into the answer */
	p[13] = 40;
	CHECK_EQ_INT(parse(p, sizeof(good)), DNS_E_PTR_FWD);
	free(p);
}

UNIT_TEST(rejects_long_label_and_name)
{
	uint8_t m[600] = { 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t o = 12;
	m[o++] = 64;   /* 0x40: not a valid length, an obsolete label type */
	memset(m + o, 'a', 64);
	o += 64;
	m[o++] = 0;
	m[o++] = 0; m[o++] = 1; m[o++] = 0; m[o++] = 1;
	CHECK_EQ_INT(parse(m, o), DNS_E_LABEL_TYPE);
	/* 5 labels of 63 = 320 bytes > 255 */
	o = 12;
	for (int i = 0; i < 5; i++) {
		m[o++] = 63;
		memset(m + o, 'b', 63);
		o += 63;
	}
	m[o++] = 0;
	m[o++] = 0; m[o++] = 1; m[o++] = 0; m[o++] = 1;
	CHECK_EQ_INT(parse(m, o), DNS_E_NAME_LONG);
	/* exactly 255 bytes is fine: 3 x 63 + 61 + 4 length bytes + root */
	o = 12;
	int ls[4] = { 63, 63, 63, 61 };
	for (int i = 0; i < 4; i++) {
		m[o++] = (uint8_t)ls[i];
		memset(m + o, 'c', (size_t)ls[i]);
		o += (size_t)ls[i];
	}
	m[o++] = 0;
	m[o++] = 0; m[o++] = 1; m[o++] = 0; m[o++] = 1;
	CHECK_EQ_INT(parse(m, o), DNS_OK);
	m[12 + 64 * 3] = 62;   /* one more byte: 256 */
	CHECK(parse(m, o) != DNS_OK);
}

UNIT_TEST(rejects_lying_counts)
{
	uint8_t *p = copy(good, sizeof(good));
	p[7] = 5;   /* ANCOUNT 5 */
	CHECK(parse(p, sizeof(good)) != DNS_OK);
	p[7] = 1;
	p[6] = 0xff;   /* 65281 answers in 100 bytes */
	CHECK_EQ_INT(parse(p, sizeof(good)), DNS_E_COUNT);
	free(p);
	/* truncated in the middle of the glue */
	CHECK_EQ_INT(parse(good, sizeof(good) - 15), DNS_E_SHORT);
	CHECK_EQ_INT(parse(good, 5), DNS_E_SHORT);
}

UNIT_TEST(rejects_bad_rdata)
{
	uint8_t *p = copy(good, sizeof(good));
	p[44] = 3;   /* A with RDLENGTH 3: the rest shifts, must not parse as A */
	CHECK(parse(p, sizeof(good)) != DNS_OK);
	free(p);
	p = copy(good, sizeof(good));
	/* NS rdata's pointer reaching past its RDLENGTH: rdlen 6 -> 5 */
	p[60] = 5;
	CHECK(parse(p, sizeof(good)) != DNS_OK);
	free(p);
}

UNIT_TEST(rejects_second_opt)
{
	uint8_t m[sizeof(good) + 11];
	memcpy(m, good, sizeof(good));
	memcpy(m + sizeof(good), good + sizeof(good) - 11, 11);
	m[11] = 3;
	CHECK_EQ_INT(parse(m, sizeof(m)), DNS_E_OPT);
}

UNIT_TEST(names_from_text)
{
	struct dns_name n, z, p;
	char b[DNS_NAME_STRLEN];
	CHECK_EQ_INT(dns_name_from_text("WWW.Example.LAB", &n), DNS_OK);
	CHECK_EQ_INT(n.len, 17);
	CHECK_EQ_INT(dns_name_from_text("example.lab.", &z), DNS_OK);
	CHECK(dns_name_under(&n, &z));
	CHECK(!dns_name_under(&z, &n));
	CHECK_EQ_INT(dns_name_labels(&n), 3);
	dns_name_parent(&n, &p);
	CHECK(dns_name_eq(&p, &z));
	CHECK_EQ_INT(dns_name_from_text(".", &n), DNS_OK);
	CHECK_EQ_INT(n.len, 1);
	CHECK(dns_name_under(&z, &n));
	CHECK_EQ_INT(dns_name_from_text("a..b", &n), DNS_E_TEXT);
	CHECK_EQ_INT(dns_name_from_text("", &n), DNS_E_TEXT);
	char lab[80];
	memset(lab, 'x', 64);
	lab[64] = 0;
	CHECK_EQ_INT(dns_name_from_text(lab, &n), DNS_E_LABEL_LONG);
	CHECK_EQ_INT(dns_name_from_text("a\\.b\\000.c", &n), DNS_OK);
	CHECK_STR(dns_name_fmt(&n, b, sizeof(b)), "a\\.b\\000.c.");
	/* sibling that only shares a suffix string, not a label boundary */
	CHECK_EQ_INT(dns_name_from_text("badexample.lab", &n), DNS_OK);
	CHECK(!dns_name_under(&n, &z));
	uint8_t v4[4] = { 192, 0, 2, 1 };
	CHECK_EQ_INT(dns_name_reverse(4, v4, &n), DNS_OK);
	CHECK_STR(dns_name_fmt(&n, b, sizeof(b)), "1.2.0.192.in-addr.arpa.");
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	v6[15] = 1;
	CHECK_EQ_INT(dns_name_reverse(6, v6, &n), DNS_OK);
	CHECK_STR(dns_name_fmt(&n, b, sizeof(b)),
		  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
}

/* One record of the given type and RDATA in an otherwise empty reply. */
static void fmt_one(uint16_t type, const uint8_t *rd, size_t rdlen, char *out, size_t outlen)
{
	uint8_t m[1024] = { 0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 'x', 0 };
	size_t o = 15;
	m[o++] = (uint8_t)(type >> 8); m[o++] = (uint8_t)type;
	m[o++] = 0; m[o++] = 1;
	m[o++] = 0; m[o++] = 0; m[o++] = 0x0e; m[o++] = 0x10;
	m[o++] = (uint8_t)(rdlen >> 8); m[o++] = (uint8_t)rdlen;
	memcpy(m + o, rd, rdlen);
	o += rdlen;
	struct dns_msg msg;
	out[0] = 0;
	if (dns_msg_parse(&msg, m, o) == DNS_OK && msg.nrr == 1)
		dns_rdata_fmt(&msg, &msg.rr[0], out, outlen);
	else
		snprintf(out, outlen, "PARSE ERROR");
	dns_msg_free(&msg);
}

UNIT_TEST(presentation_formats)
{
	char b[512];
	const uint8_t aaaa[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
	fmt_one(DNS_T_AAAA, aaaa, 16, b, sizeof(b));
	CHECK_STR(b, "2001:db8::53");
	const uint8_t mx[] = { 0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 12 };
	fmt_one(DNS_T_MX, mx, sizeof(mx), b, sizeof(b));
	CHECK_STR(b, "10 mail.x.");
	const uint8_t txt[] = { 5, 'h', 'e', '"', 'l', 1, 0, 'o' };
	fmt_one(DNS_T_TXT, txt, 7, b, sizeof(b));
	CHECK_STR(b, "\"he\\\"l\\001\" \"\"");
	const uint8_t srv[] = { 0, 1, 0, 2, 0x01, 0xbb, 0 };
	fmt_one(DNS_T_SRV, srv, sizeof(srv), b, sizeof(b));
	CHECK_STR(b, "1 2 443 .");
	const uint8_t soa[] = { 2, 'n', 's', 0xc0, 12, 1, 'h', 0xc0, 12, 0, 0, 0, 7, 0, 0, 0, 1,
				0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4 };
	fmt_one(DNS_T_SOA, soa, sizeof(soa), b, sizeof(b));
	CHECK_STR(b, "ns.x. h.x. 7 1 2 3 4");
	const uint8_t caa[] = { 0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a', '.', 'l', 'a', 'b' };
	fmt_one(DNS_T_CAA, caa, sizeof(caa), b, sizeof(b));
	CHECK_STR(b, "0 issue \"ca.lab\"");
	const uint8_t ds[] = { 0x30, 0x39, 13, 2, 0xab, 0xcd };
	fmt_one(DNS_T_DS, ds, sizeof(ds), b, sizeof(b));
	CHECK_STR(b, "12345 13 2 ABCD");
	const uint8_t key[] = { 1, 1, 3, 13, 'M', 'a', 'n' };
	fmt_one(DNS_T_DNSKEY, key, sizeof(key), b, sizeof(b));
	CHECK_STR(b, "257 3 13 TWFu");
	const uint8_t unk[] = { 0xde, 0xad };
	fmt_one(65, unk, 2, b, sizeof(b));
	CHECK_STR(b, "\\# 2 DEAD");
	fmt_one(65, unk, 0, b, sizeof(b));
	CHECK_STR(b, "\\# 0");
	const uint8_t a3[] = { 1, 2, 3 };
	fmt_one(DNS_T_A, a3, 3, b, sizeof(b));
	CHECK_STR(b, "PARSE ERROR");
	const uint8_t ptr[] = { 3, 'a', 0x07, 'b', 0 };
	fmt_one(DNS_T_PTR, ptr, sizeof(ptr), b, sizeof(b));
	CHECK_STR(b, "a\\007b.");
}

UNIT_TEST(types_and_query)
{
	uint16_t t;
	char b[32];
	CHECK(dns_type_parse("aaaa", &t) == 0 && t == DNS_T_AAAA);
	CHECK(dns_type_parse("TYPE65", &t) == 0 && t == 65);
	CHECK(dns_type_parse("TYPE65536", &t) < 0);
	CHECK(dns_type_parse("BOGUS", &t) < 0);
	CHECK_STR(dns_type_name(65, b, sizeof(b)), "TYPE65");
	CHECK_STR(dns_rcode_name(3, b, sizeof(b)), "NXDOMAIN");
	struct dns_name n;
	dns_name_from_text("www.example.lab", &n);
	uint8_t q[512];
	struct dns_query dq = { .id = 7, .qname = &n, .qtype = DNS_T_A, .edns = true, .bufsize = 1232 };
	size_t len = dns_query_build(q, sizeof(q), &dq);
	CHECK_EQ_INT(len, 12 + 17 + 4 + 11);
	struct dns_msg m;
	CHECK_EQ_INT(dns_msg_parse(&m, q, len), DNS_OK);
	CHECK(m.edns && !m.edns_do && m.edns_size == 1232);
	CHECK(dns_name_eq(&m.qname, &n));
	dns_msg_free(&m);
	CHECK_EQ_INT(dns_query_build(q, 20, &dq), 0);
}

int main(void)
{
	RUN(parses_a_real_response);
	RUN(rejects_pointer_loop);
	RUN(rejects_forward_pointer);
	RUN(rejects_long_label_and_name);
	RUN(rejects_lying_counts);
	RUN(rejects_bad_rdata);
	RUN(rejects_second_opt);
	RUN(names_from_text);
	RUN(presentation_formats);
	RUN(types_and_query);
	return unit_done();
}
