/*
 * stats — RTT accumulator (see stats.h).
 *
 * The footer must match iputils ping to the character, so the arithmetic
 * is iputils' own: integer microseconds, avg = tsum / n truncated, and
 * mdev = isqrt(variance) with the variance formed in integers in the same
 * order iputils uses (the order matters for small RTTs, where the
 * truncating divisions would otherwise lose the whole answer).  iputils
 * keeps tsum2 in a double; we keep it exact in __int128, which gives the
 * same result wherever the double was exact and the right one where it
 * was not.
 *
 * Percentiles and jitter only feed --json.  Every sample is kept in a
 * geometrically grown array; if memory runs out the array is dropped and
 * percentiles are reported as NaN (json_double prints null) while the
 * iputils numbers, which need no array, carry on.
 */
#include "stats.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* samples == NULL with cap == SIZE_MAX: an allocation failed, stop trying. */
#define SAMPLES_GAVE_UP SIZE_MAX
#define SAMPLES_FIRST_CAP 64

void stats_init(struct stats *s)
{
	memset(s, 0, sizeof(*s));
}

void stats_free(struct stats *s)
{
	free(s->samples);
	stats_init(s);
}

/* xorshift64: the reservoir only needs an even spread, not secrecy. */
static uint64_t next_rand(struct stats *s)
{
	uint64_t x = s->rng ? s->rng : 0x9e3779b97f4a7c15ull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->rng = x;
	return x;
}

static void keep_sample(struct stats *s, long long us)
{
	if (s->cap == SAMPLES_GAVE_UP)
		return;
	/* Past STATS_RESERVOIR samples, keep a uniform random subset
	 * (reservoir sampling, Algorithm R) so a ping that runs for days
	 * holds a fixed amount of memory; percentiles stay exact below that. */
	if (s->n >= STATS_RESERVOIR) {
		uint64_t j = next_rand(s) % (uint64_t)(s->n + 1);
		if (j < STATS_RESERVOIR)
			s->samples[j] = us;
		return;
	}
	if ((size_t)s->n >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : SAMPLES_FIRST_CAP;
		long long *p = NULL;
		if (ncap > s->cap && ncap <= SIZE_MAX / sizeof(*p))
			p = realloc(s->samples, ncap * sizeof(*p));
		if (!p) {
			free(s->samples);
			s->samples = NULL;
			s->cap = SAMPLES_GAVE_UP;
			return;
		}
		s->samples = p;
		s->cap = ncap;
	}
	s->samples[s->n] = us;
}

void stats_add(struct stats *s, long long rtt_us)
{
	/* A hostile or broken clock can hand us anything: clamp, so the sums
	 * below stay far from overflow (CVE-2025-47268 in iputils). */
	if (rtt_us < 0)
		rtt_us = 0;
	if (rtt_us > STATS_MAX_SAMPLE_US)
		rtt_us = STATS_MAX_SAMPLE_US;
	/* tsum is a long long: with every sample clamped it overflows only
	 * after ~1.3e9 two-hour samples; stop counting rather than wrap. */
	if (s->tsum > LLONG_MAX - rtt_us)
		return;

	keep_sample(s, rtt_us);
	if (s->n == 0 || rtt_us < s->tmin)
		s->tmin = rtt_us;
	if (s->n == 0 || rtt_us > s->tmax)
		s->tmax = rtt_us;
	if (s->n > 0)
		s->jitter_sum += (double)llabs(rtt_us - s->last);
	s->last = rtt_us;
	s->tsum += rtt_us;
	s->tsum2 += (__int128)rtt_us * rtt_us;
	s->n++;
}

/*
 * Integer square root by Newton's iteration from above, stopping at the
 * first step that does not decrease, and returning that step's value as
 * iputils does.  That is floor(sqrt(a)) except when a is one less than a
 * perfect square, where the iteration bounces back up and the answer is
 * one more (a = 3 gives 2, a = 8 gives 3): iputils prints that, so do we.
 */
static long long isqrt(unsigned __int128 a)
{
	if (a == 0)
		return 0;
	unsigned __int128 x = a, prev;
	do {
		prev = x;
		x = (x + a / x) / 2;
	} while (x < prev);
	return (long long)x;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least p% of samples <= it,
 * i.e. sorted[ceil(p/100 * n) - 1]. */
static double percentile_ms(const long long *sorted, long long n, int p)
{
	long long rank = ((long long)p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return (double)sorted[rank - 1] / 1000.0;
}

bool stats_summarize(const struct stats *s, struct stats_summary *out)
{
	memset(out, 0, sizeof(*out));
	if (s->n <= 0)
		return false;
	long long n = s->n;
	out->min = s->tmin;
	out->max = s->tmax;
	out->avg = s->tsum / n;

	/* iputils: below INT_MAX the "clumsy" order (tsum2 - tsum²/n) / n keeps
	 * precision for tiny RTTs; above it, tsum2/n - avg². */
	__int128 var;
	if (s->tsum < INT_MAX)
		var = (s->tsum2 - (__int128)s->tsum * s->tsum / n) / n;
	else
		var = s->tsum2 / n - (__int128)out->avg * out->avg;
	out->mdev = var > 0 ? isqrt((unsigned __int128)var) : 0;

	out->jitter = n >= 2 ? s->jitter_sum / (double)(n - 1) / 1000.0 : 0.0;

	out->p50 = out->p90 = out->p99 = NAN;
	if (s->samples && s->cap != SAMPLES_GAVE_UP) {
		long long kept = n < STATS_RESERVOIR ? n : STATS_RESERVOIR;
		long long *sorted = malloc((size_t)kept * sizeof(*sorted));
		if (sorted) {
			memcpy(sorted, s->samples, (size_t)kept * sizeof(*sorted));
			qsort(sorted, (size_t)kept, sizeof(*sorted), cmp_ll);
			out->p50 = percentile_ms(sorted, kept, 50);
			out->p90 = percentile_ms(sorted, kept, 90);
			out->p99 = percentile_ms(sorted, kept, 99);
			free(sorted);
		}
	}
	return true;
}

const char *stats_fmt_rtt(const struct stats_summary *sum, char *buf, size_t len)
{
	snprintf(buf, len, "%lld.%03lld/%lld.%03lld/%lld.%03lld/%lld.%03lld",
		 sum->min / 1000, sum->min % 1000, sum->avg / 1000, sum->avg % 1000,
		 sum->max / 1000, sum->max % 1000, sum->mdev / 1000, sum->mdev % 1000);
	return buf;
}

/*
 * Exact quotient as a double.  iputils narrows it to float before "%g";
 * the six significant digits of %g hide that narrowing except when the
 * value sits within float precision of a rounding boundary, so a text
 * printer that must match iputils to the last digit in such a case
 * prints (float)stats_loss_pct(...).
 */
double stats_loss_pct(long long sent, long long received)
{
	if (sent <= 0)
		return 0.0;
	return (double)(sent - received) * 100.0 / (double)sent;
}

/*
 * iputils' per-reply "time=" field.  The precision shrinks as the RTT
 * grows and the value is rounded half up at the shown precision; the
 * switch points are placed so that a value which rounds up into the next
 * band is already printed in that band's format: from 99.950 ms (which
 * rounds to 100) whole milliseconds, from 9.995 ms (rounds to 10.0) one
 * decimal, from exactly 1 ms two decimals, and below 1 ms all three
 * decimals, truncated rather than rounded since they are whole µs.
 */
const char *stats_fmt_ms(long long us, char *buf, size_t len)
{
	if (us < 0)
		us = 0;
	if (us >= 99950)
		snprintf(buf, len, "%lld", (us + 500) / 1000);
	else if (us >= 9995)
		snprintf(buf, len, "%lld.%01lld", (us + 50) / 1000, ((us + 50) % 1000) / 100);
	else if (us >= 1000)
		snprintf(buf, len, "%lld.%02lld", (us + 5) / 1000, ((us + 5) % 1000) / 10);
	else
		snprintf(buf, len, "%lld.%03lld", us / 1000, us % 1000);
	return buf;
}
