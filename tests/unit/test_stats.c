/*
 * test_stats — iputils' footer arithmetic to the digit, the per-reply
 * time= format at its band edges, loss, percentiles, jitter, and hostile
 * samples.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>

#include "stats.h"
#include "unit.h"

static const char *footer(const long long *us, size_t n, char *buf, size_t len)
{
	struct stats s;
	struct stats_summary sum;
	stats_init(&s);
	for (size_t i = 0; i < n; i++)
		stats_add(&s, us[i]);
	if (!stats_summarize(&s, &sum))
		snprintf(buf, len, "none");
	else
		stats_fmt_rtt(&sum, buf, len);
	stats_free(&s);
	return buf;
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

UNIT_TEST(iputils_example)
{
	char b[128];
	const long long us[] = { 76, 55, 50 };
	CHECK_STR(footer(us, 3, b, sizeof(b)), "0.050/0.060/0.076/0.011");
}

UNIT_TEST(spec_footer_example)
{
	/* SPEC.md's "0.045/0.052/0.060/0.006": avg 157/3 = 52, var = 38 -> 6 */
	char b[128];
	const long long us[] = { 45, 52, 60 };
	CHECK_STR(footer(us, 3, b, sizeof(b)), "0.045/0.052/0.060/0.006");
}

UNIT_TEST(one_sample_mdev_zero)
{
	char b[128];
	const long long us[] = { 12345 };
	CHECK_STR(footer(us, 1, b, sizeof(b)), "12.345/12.345/12.345/0.000");
}

UNIT_TEST(no_samples)
{
	struct stats s;
	struct stats_summary sum;
	stats_init(&s);
	CHECK(!stats_summarize(&s, &sum));
	stats_free(&s);
}

UNIT_TEST(truncation_not_rounding)
{
	char b[128];
	/* avg = 2999/2 = 1499.5 µs -> 1.499, never 1.500 */
	const long long us[] = { 1000, 1999 };
	CHECK_STR(footer(us, 2, b, sizeof(b)), "1.000/1.499/1.999/0.499");
	/* var = 0.25 -> 0 in integers */
	const long long us2[] = { 1, 2 };
	CHECK_STR(footer(us2, 2, b, sizeof(b)), "0.001/0.001/0.002/0.000");
}

UNIT_TEST(iputils_isqrt_quirk)
{
	/* {0, 0, 6}: var = (36 - 36/3) / 3 = 8 µs².  iputils' Newton loop
	 * answers 3 there (one below a perfect square), not floor(sqrt 8) = 2,
	 * and the footer must show what iputils shows. */
	char b[128];
	const long long us[] = { 0, 0, 6 };
	CHECK_STR(footer(us, 3, b, sizeof(b)), "0.000/0.002/0.006/0.003");
}

UNIT_TEST(large_sums_use_second_formula)
{
	/* tsum >= INT_MAX switches iputils to tsum2/n - avg². */
	char b[128];
	const long long us[] = { 2000000000LL, 2000000000LL, 1000000000LL };
	/* avg 1666666666, var = 9e18/3 - avg² (integers), mdev = isqrt = 471404523 */
	CHECK_STR(footer(us, 3, b, sizeof(b)),
		  "1000000.000/1666666.666/2000000.000/471404.523");
}

UNIT_TEST(fmt_ms_bands)
{
	char b[32];
	CHECK_STR(stats_fmt_ms(0, b, sizeof(b)), "0.000");
	CHECK_STR(stats_fmt_ms(52, b, sizeof(b)), "0.052");
	CHECK_STR(stats_fmt_ms(999, b, sizeof(b)), "0.999");          /* truncated µs */
	CHECK_STR(stats_fmt_ms(1000, b, sizeof(b)), "1.00");
	CHECK_STR(stats_fmt_ms(1234, b, sizeof(b)), "1.23");
	CHECK_STR(stats_fmt_ms(1235, b, sizeof(b)), "1.24");          /* rounded half up */
	CHECK_STR(stats_fmt_ms(9994, b, sizeof(b)), "9.99");          /* last of the 2-decimal band */
	CHECK_STR(stats_fmt_ms(9995, b, sizeof(b)), "10.0");          /* would round to 10.00 */
	CHECK_STR(stats_fmt_ms(10000, b, sizeof(b)), "10.0");
	CHECK_STR(stats_fmt_ms(12345, b, sizeof(b)), "12.3");
	CHECK_STR(stats_fmt_ms(12350, b, sizeof(b)), "12.4");
	CHECK_STR(stats_fmt_ms(99949, b, sizeof(b)), "99.9");         /* last of the 1-decimal band */
	CHECK_STR(stats_fmt_ms(99950, b, sizeof(b)), "100");          /* would round to 100.0 */
	CHECK_STR(stats_fmt_ms(100499, b, sizeof(b)), "100");
	CHECK_STR(stats_fmt_ms(100500, b, sizeof(b)), "101");
	CHECK_STR(stats_fmt_ms(-5, b, sizeof(b)), "0.000");
}

UNIT_TEST(loss_pct)
{
	CHECK(near(stats_loss_pct(3, 3), 0.0));
	CHECK(near(stats_loss_pct(3, 0), 100.0));
	CHECK(near(stats_loss_pct(4, 3), 25.0));
	CHECK(near(stats_loss_pct(0, 0), 0.0));
	char b[32];
	snprintf(b, sizeof(b), "%g", stats_loss_pct(3, 2));
	CHECK_STR(b, "33.3333");
	snprintf(b, sizeof(b), "%g", stats_loss_pct(3, 1));
	CHECK_STR(b, "66.6667");
}

UNIT_TEST(percentiles_nearest_rank)
{
	struct stats s;
	struct stats_summary sum;
	stats_init(&s);
	/* 1..100 ms added in a scrambled order */
	for (int i = 0; i < 100; i++)
		stats_add(&s, (long long)((i * 37) % 100 + 1) * 1000);
	CHECK(stats_summarize(&s, &sum));
	CHECK(near(sum.p50, 50.0));
	CHECK(near(sum.p90, 90.0));
	CHECK(near(sum.p99, 99.0));
	CHECK_EQ_INT(sum.min, 1000);
	CHECK_EQ_INT(sum.max, 100000);
	stats_free(&s);

	stats_init(&s);
	const long long us[] = { 76, 55, 50 };
	for (int i = 0; i < 3; i++)
		stats_add(&s, us[i]);
	CHECK(stats_summarize(&s, &sum));
	CHECK(near(sum.p50, 0.055));        /* rank ceil(1.5) = 2 */
	CHECK(near(sum.p90, 0.076));
	CHECK(near(sum.p99, 0.076));
	stats_free(&s);

	stats_init(&s);
	stats_add(&s, 42);
	CHECK(stats_summarize(&s, &sum));
	CHECK(near(sum.p50, 0.042) && near(sum.p99, 0.042));
	stats_free(&s);
}

UNIT_TEST(jitter_mean_abs_delta)
{
	struct stats s;
	struct stats_summary sum;
	stats_init(&s);
	stats_add(&s, 1000);
	CHECK(stats_summarize(&s, &sum));
	CHECK(near(sum.jitter, 0.0));
	stats_add(&s, 3000);
	stats_add(&s, 2000);
	stats_add(&s, 2000);
	CHECK(stats_summarize(&s, &sum));
	CHECK(near(sum.jitter, (2.0 + 1.0 + 0.0) / 3.0));
	stats_free(&s);
}

UNIT_TEST(clamp_hostile_values)
{
	struct stats s;
	struct stats_summary sum;
	stats_init(&s);
	stats_add(&s, LLONG_MAX);
	stats_add(&s, LLONG_MIN);
	stats_add(&s, -1);
	stats_add(&s, 9223372036854775000LL);
	CHECK_EQ_INT(s.n, 4);
	CHECK(stats_summarize(&s, &sum));
	CHECK_EQ_INT(sum.max, STATS_MAX_SAMPLE_US);
	CHECK_EQ_INT(sum.min, 0);
	CHECK_EQ_INT(sum.avg, STATS_MAX_SAMPLE_US / 2);
	CHECK_EQ_INT(sum.mdev, STATS_MAX_SAMPLE_US / 2);   /* two at max, two at 0 */
	CHECK(near(sum.p99, STATS_MAX_SAMPLE_US / 1000.0));
	char b[128];
	stats_fmt_rtt(&sum, b, sizeof(b));
	CHECK_STR(b, "0.000/3600000.000/7200000.000/3600000.000");
	stats_free(&s);
}

UNIT_TEST(many_samples_bounded)
{
	struct stats s;
	struct stats_summary sum;
	stats_init(&s);
	for (long long i = 0; i < 100000; i++)
		stats_add(&s, i);
	CHECK(stats_summarize(&s, &sum));
	CHECK_EQ_INT(sum.avg, 49999);
	/* Beyond STATS_RESERVOIR samples the percentiles come from a uniform
	 * subset: memory stays fixed, the median stays close. */
	CHECK(s.cap <= STATS_RESERVOIR);
	CHECK(sum.p50 > 47.5 && sum.p50 < 52.5);
	CHECK(sum.p99 > 97.0 && sum.p99 < 100.0);
	CHECK(near(sum.jitter, 0.001));
	/* population SD of 0..N-1 is 28867.51, but tsum >= INT_MAX takes
	 * iputils' tsum2/n - avg² with avg truncated: 28868 */
	CHECK_EQ_INT(sum.mdev, 28868);
	stats_free(&s);
	CHECK(s.samples == NULL && s.n == 0);
}

int main(void)
{
	RUN(iputils_example);
	RUN(spec_footer_example);
	RUN(one_sample_mdev_zero);
	RUN(no_samples);
	RUN(truncation_not_rounding);
	RUN(iputils_isqrt_quirk);
	RUN(large_sums_use_second_formula);
	RUN(fmt_ms_bands);
	RUN(loss_pct);
	RUN(percentiles_nearest_rank);
	RUN(jitter_mean_abs_delta);
	RUN(clamp_hostile_values);
	RUN(many_samples_bounded);
	return unit_done();
}
