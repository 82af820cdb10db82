/*
 * test_buf — the bounds-checked reader and writer every packet goes
 * through: exact ends, one past, sub-readers, the sticky error, writer
 * overflow and reserve.
 */
#include <stdint.h>

#include "buf.h"
#include "unit.h"

static const uint8_t seven[7] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

UNIT_TEST(reads_network_order)
{
	struct rd r = rd_init(seven, sizeof(seven));
	CHECK_EQ_INT(rd_u8(&r), 0x01);
	CHECK_EQ_INT(rd_u16(&r), 0x0203);
	CHECK_EQ_INT(rd_u32(&r), 0x04050607);
	CHECK(rd_ok(&r));
	CHECK_EQ_INT(rd_left(&r), 0);
}

UNIT_TEST(exact_end_is_fine)
{
	struct rd r = rd_init(seven, 4);
	CHECK_EQ_INT(rd_u32(&r), 0x01020304);
	CHECK(rd_ok(&r));
	CHECK_EQ_INT(rd_left(&r), 0);
	/* zero-length operations at the end are not errors */
	rd_skip(&r, 0);
	CHECK(rd_ptr(&r, 0) != NULL);
	CHECK(rd_ok(&r));
}

UNIT_TEST(one_past_end_u8)
{
	struct rd r = rd_init(seven, 1);
	CHECK_EQ_INT(rd_u8(&r), 1);
	CHECK_EQ_INT(rd_u8(&r), 0);
	CHECK(!rd_ok(&r));
	CHECK_EQ_INT(rd_left(&r), 0);
}

UNIT_TEST(one_past_end_u16_u32)
{
	struct rd r = rd_init(seven, 1);
	CHECK_EQ_INT(rd_u16(&r), 0);
	CHECK(!rd_ok(&r));

	r = rd_init(seven, 3);
	CHECK_EQ_INT(rd_u32(&r), 0);
	CHECK(!rd_ok(&r));
	CHECK_EQ_INT(rd_left(&r), 0);
}

UNIT_TEST(sticky_error)
{
	struct rd r = rd_init(seven, sizeof(seven));
	CHECK_EQ_INT(rd_u32(&r), 0x01020304);
	CHECK_EQ_INT(rd_u32(&r), 0);     /* only 3 left: fails */
	CHECK(!rd_ok(&r));
	/* the failure poisons the reader: later reads that would have fit fail */
	CHECK_EQ_INT(rd_u8(&r), 0);
	CHECK_EQ_INT(rd_u16(&r), 0);
	CHECK(rd_ptr(&r, 0) == NULL);
	CHECK(!rd_ok(&r));
}

UNIT_TEST(bytes_short_zeroes_destination)
{
	struct rd r = rd_init(seven, sizeof(seven));
	uint8_t dst[8];
	memset(dst, 0xaa, sizeof(dst));
	rd_bytes(&r, dst, 8);
	CHECK(!rd_ok(&r));
	for (size_t i = 0; i < sizeof(dst); i++)
		CHECK_EQ_INT(dst[i], 0);

	r = rd_init(seven, sizeof(seven));
	rd_bytes(&r, dst, 7);
	CHECK(rd_ok(&r));
	CHECK_EQ_INT(dst[6], 7);
}

UNIT_TEST(ptr_and_skip)
{
	struct rd r = rd_init(seven, sizeof(seven));
	const uint8_t *p = rd_ptr(&r, 2);
	CHECK(p == seven);
	rd_skip(&r, 3);
	CHECK_EQ_INT(rd_left(&r), 2);
	CHECK(rd_peek(&r) == seven + 5);
	CHECK(rd_ptr(&r, 3) == NULL);
	CHECK(!rd_ok(&r));

	r = rd_init(seven, sizeof(seven));
	rd_skip(&r, 8);
	CHECK(!rd_ok(&r));
	/* a huge skip must not wrap the pointer */
	r = rd_init(seven, sizeof(seven));
	rd_skip(&r, SIZE_MAX);
	CHECK(!rd_ok(&r));
	CHECK_EQ_INT(rd_left(&r), 0);
}

UNIT_TEST(null_buffer)
{
	struct rd r = rd_init(NULL, 100);
	CHECK_EQ_INT(rd_left(&r), 0);
	CHECK_EQ_INT(rd_u8(&r), 0);
	CHECK(!rd_ok(&r));
}

UNIT_TEST(sub_reader_confines_inner_parser)
{
	struct rd r = rd_init(seven, sizeof(seven));
	rd_u8(&r);
	struct rd s = rd_sub(&r, 2);
	CHECK(rd_ok(&s));
	CHECK_EQ_INT(rd_left(&s), 2);
	CHECK_EQ_INT(rd_left(&r), 4);       /* parent advanced past the sub */
	CHECK_EQ_INT(rd_u16(&s), 0x0203);
	CHECK_EQ_INT(rd_u8(&s), 0);         /* cannot read into the parent's bytes */
	CHECK(!rd_ok(&s));
	CHECK(rd_ok(&r));                   /* the sub's error does not leak out */
	CHECK_EQ_INT(rd_u8(&r), 0x04);
}

UNIT_TEST(sub_reader_exact_and_short)
{
	struct rd r = rd_init(seven, sizeof(seven));
	struct rd s = rd_sub(&r, 7);
	CHECK(rd_ok(&s) && rd_ok(&r));
	CHECK_EQ_INT(rd_left(&s), 7);
	CHECK_EQ_INT(rd_left(&r), 0);

	r = rd_init(seven, sizeof(seven));
	s = rd_sub(&r, 8);
	CHECK(!rd_ok(&s));
	CHECK(!rd_ok(&r));
	CHECK_EQ_INT(rd_left(&s), 0);
	CHECK_EQ_INT(rd_u8(&s), 0);

	r = rd_init(seven, sizeof(seven));
	s = rd_sub(&r, 0);
	CHECK(rd_ok(&s));
	CHECK_EQ_INT(rd_left(&s), 0);
	CHECK_EQ_INT(rd_left(&r), 7);
}

UNIT_TEST(rest_takes_everything)
{
	struct rd r = rd_init(seven, sizeof(seven));
	rd_u16(&r);
	struct rd rest = rd_rest(&r);
	CHECK_EQ_INT(rd_left(&rest), 5);
	CHECK_EQ_INT(rd_left(&r), 0);
	CHECK(rd_ok(&r));
	CHECK_EQ_INT(rd_u8(&rest), 3);
}

UNIT_TEST(writer_network_order)
{
	uint8_t b[7];
	struct wr w = wr_init(b, sizeof(b));
	wr_u8(&w, 0x01);
	wr_u16(&w, 0x0203);
	wr_u32(&w, 0x04050607);
	CHECK(wr_ok(&w));
	CHECK_EQ_INT(wr_len(&w), 7);
	CHECK(memcmp(b, seven, 7) == 0);
}

UNIT_TEST(writer_overflow_is_sticky)
{
	uint8_t b[8];
	memset(b, 0xee, sizeof(b));
	struct wr w = wr_init(b, 3);
	wr_u16(&w, 0x1122);
	wr_u16(&w, 0x3344);          /* one byte short: refused whole */
	CHECK(!wr_ok(&w));
	CHECK_EQ_INT(wr_len(&w), 2);
	CHECK_EQ_INT(b[2], 0xee);    /* nothing written past the first field */
	wr_u8(&w, 0x55);             /* would fit, but the error is sticky */
	CHECK(!wr_ok(&w));
	CHECK_EQ_INT(wr_len(&w), 2);
	CHECK_EQ_INT(b[2], 0xee);
	CHECK_EQ_INT(b[3], 0xee);
}

UNIT_TEST(writer_exact_fill)
{
	uint8_t b[4];
	struct wr w = wr_init(b, sizeof(b));
	wr_u32(&w, 0xdeadbeef);
	CHECK(wr_ok(&w));
	CHECK_EQ_INT(wr_len(&w), 4);
	wr_bytes(&w, seven, 0);
	wr_zero(&w, 0);
	CHECK(wr_ok(&w));
	wr_u8(&w, 0);
	CHECK(!wr_ok(&w));
}

UNIT_TEST(writer_bytes_zero_and_huge)
{
	uint8_t b[16];
	memset(b, 0xff, sizeof(b));
	struct wr w = wr_init(b, sizeof(b));
	wr_bytes(&w, seven, 3);
	wr_zero(&w, 2);
	CHECK(wr_ok(&w));
	CHECK_EQ_INT(b[2], 3);
	CHECK_EQ_INT(b[3], 0);
	CHECK_EQ_INT(b[4], 0);
	CHECK_EQ_INT(b[5], 0xff);
	wr_zero(&w, SIZE_MAX);       /* must not wrap len + n */
	CHECK(!wr_ok(&w));
	CHECK_EQ_INT(wr_len(&w), 5);
}

UNIT_TEST(writer_reserve_and_patch)
{
	uint8_t b[8];
	memset(b, 0xff, sizeof(b));
	struct wr w = wr_init(b, sizeof(b));
	wr_u16(&w, 0x0102);
	uint8_t *ck = wr_reserve(&w, 2);
	CHECK(ck == b + 2);
	CHECK_EQ_INT(b[2], 0);       /* reserved bytes are zeroed */
	CHECK_EQ_INT(b[3], 0);
	wr_u32(&w, 0x0a0b0c0d);
	be16_put(ck, 0xbeef);
	CHECK_EQ_INT(be16_get(b + 2), 0xbeef);
	CHECK(wr_ok(&w));
	CHECK(wr_reserve(&w, 1) == NULL);
	CHECK(!wr_ok(&w));
}

UNIT_TEST(writer_reserve_overflow)
{
	uint8_t b[3];
	struct wr w = wr_init(b, sizeof(b));
	CHECK(wr_reserve(&w, 4) == NULL);
	CHECK(!wr_ok(&w));
	CHECK_EQ_INT(wr_len(&w), 0);
}

int main(void)
{
	RUN(reads_network_order);
	RUN(exact_end_is_fine);
	RUN(one_past_end_u8);
	RUN(one_past_end_u16_u32);
	RUN(sticky_error);
	RUN(bytes_short_zeroes_destination);
	RUN(ptr_and_skip);
	RUN(null_buffer);
	RUN(sub_reader_confines_inner_parser);
	RUN(sub_reader_exact_and_short);
	RUN(rest_takes_everything);
	RUN(writer_network_order);
	RUN(writer_overflow_is_sticky);
	RUN(writer_exact_fill);
	RUN(writer_bytes_zero_and_huge);
	RUN(writer_reserve_and_patch);
	RUN(writer_reserve_overflow);
	return unit_done();
}
