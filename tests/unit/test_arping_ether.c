/*
 * test_arping_ether — common/ether.c: Ethernet and ARP encode/decode
 * round trips, the exact bytes of an iputils-style request, MAC text, and
 * hostile input (short, non-Ethernet, non-IPv4, odd lengths).
 */
#include <sys/socket.h>

#include "ether.h"
#include "unit.h"

static const uint8_t req_bytes[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 10, 9, 0, 1,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 10, 9, 0, 2,
};

UNIT_TEST(encode_request)
{
	uint8_t buf[64];
	struct ether_hdr h = { .type = ETHERTYPE_ARP };
	struct arp_msg m = { .op = ARP_REQUEST };
	CHECK(ether_parse(h.src, "02:00:00:00:00:01") == 0);
	memset(h.dst, 0xff, 6);
	memcpy(m.sha, h.src, 6);
	memset(m.tha, 0xff, 6);
	CHECK(addr_parse(&m.spa, "10.9.0.1", AF_INET) == 0);
	CHECK(addr_parse(&m.tpa, "10.9.0.2", AF_INET) == 0);
	struct wr w = wr_init(buf, sizeof(buf));
	CHECK(ether_encode(&w, &h) == 0);
	CHECK(arp_encode(&w, &m) == 0);
	CHECK_EQ_INT(wr_len(&w), sizeof(req_bytes));
	CHECK(memcmp(buf, req_bytes, sizeof(req_bytes)) == 0);
}

UNIT_TEST(decode_round_trip)
{
	struct rd r = rd_init(req_bytes, sizeof(req_bytes));
	struct ether_hdr h;
	struct arp_msg m;
	char b[64];
	CHECK(ether_decode(&r, &h) == 0);
	CHECK_EQ_INT(h.type, ETHERTYPE_ARP);
	CHECK(ether_is_broadcast(h.dst));
	CHECK(!ether_is_broadcast(h.src));
	CHECK(arp_decode(&r, &m) == 0);
	CHECK_EQ_INT(m.op, ARP_REQUEST);
	CHECK_STR(addr_fmt(&m.spa, b, sizeof(b)), "10.9.0.1");
	CHECK_STR(addr_fmt(&m.tpa, b, sizeof(b)), "10.9.0.2");
	CHECK_STR(ether_fmt(m.sha, b, sizeof(b)), "02:00:00:00:00:01");
	CHECK_EQ_INT(rd_left(&r), 0);
}

UNIT_TEST(unset_addresses_are_zero)
{
	uint8_t buf[ARP_LEN];
	struct arp_msg m = { .op = ARP_REQUEST };   /* DAD probe: spa 0.0.0.0 */
	CHECK(addr_parse(&m.tpa, "10.0.0.7", AF_INET) == 0);
	struct wr w = wr_init(buf, sizeof(buf));
	CHECK(arp_encode(&w, &m) == 0);
	CHECK(buf[14] == 0 && buf[15] == 0 && buf[16] == 0 && buf[17] == 0);
	struct arp_msg v6 = { .op = ARP_REQUEST };
	CHECK(addr_parse(&v6.tpa, "fd00::1", AF_INET6) == 0);
	w = wr_init(buf, sizeof(buf));
	CHECK(arp_encode(&w, &v6) < 0);
	w = wr_init(buf, ARP_LEN - 1);       /* too small */
	CHECK(arp_encode(&w, &m) < 0);
}

UNIT_TEST(hostile_arp)
{
	struct arp_msg m;
	uint8_t b[ARP_LEN];
	memcpy(b, req_bytes + ETHER_HDR_LEN, ARP_LEN);
	for (size_t n = 0; n < ARP_LEN; n++) {      /* every truncation */
		struct rd r = rd_init(b, n);
		CHECK(arp_decode(&r, &m) < 0);
	}
	static const struct { size_t off; uint8_t val; } bad[] = {
		{ 1, 6 },      /* htype 6 (IEEE 802) */
		{ 2, 0x86 },   /* ptype 0x86dd */
		{ 4, 8 },      /* hlen 8 */
		{ 5, 16 },     /* plen 16 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t c[ARP_LEN];
		memcpy(c, b, sizeof(c));
		c[bad[i].off] = bad[i].val;
		struct rd r = rd_init(c, sizeof(c));
		CHECK(arp_decode(&r, &m) < 0);
	}
	struct rd r = rd_init(req_bytes, ETHER_HDR_LEN - 1);
	struct ether_hdr h;
	CHECK(ether_decode(&r, &h) < 0);
}

UNIT_TEST(mac_text)
{
	uint8_t mac[6];
	char b[24];
	CHECK(ether_parse(mac, "aa:bb:cc:dd:ee:0f") == 0);
	CHECK_STR(ether_fmt(mac, b, sizeof(b)), "AA:BB:CC:DD:EE:0F");
	CHECK(ether_parse(mac, "FF-FF-FF-FF-FF-FF") == 0);
	CHECK(ether_is_broadcast(mac));
	CHECK(ether_parse(mac, "aa:bb:cc:dd:ee") < 0);
	CHECK(ether_parse(mac, "aa:bb:cc:dd:ee:ff:00") < 0);
	CHECK(ether_parse(mac, "aa:bb-cc:dd:ee:ff") < 0);
	CHECK(ether_parse(mac, "a:bb:cc:dd:ee:ff") < 0);
	CHECK(ether_parse(mac, "gg:bb:cc:dd:ee:ff") < 0);
	CHECK(ether_parse(mac, "") < 0);
}

int main(void)
{
	RUN(encode_request);
	RUN(decode_round_trip);
	RUN(unset_addresses_are_zero);
	RUN(hostile_arp);
	RUN(mac_text);
	return unit_done();
}
