/*
 * stats — RTT accumulator shared by ping, tcpprobe, traceroute and arping.
 *
 * min/avg/max/mdev follow iputils exactly: samples are integer
 * microseconds, sums are integers, avg = tsum/n truncated, mdev is the
 * population standard deviation through an integer square root, and the
 * footer prints each as %ld.%03ld of µs (truncation, never rounding).
 * Percentiles and jitter (RFC 3550 style mean |Δ| of consecutive samples)
 * feed --json.  Overflow-safe: sums are bounded by clamping each sample
 * (iputils' CVE-2025-47268 came from an unchecked sum).
 */
#ifndef ND_STATS_H
#define ND_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Samples above this (about 2 hours) are clamped: no real RTT is that
 * long, and the bound keeps sum of squares far from overflow. */
#define STATS_MAX_SAMPLE_US (7200LL * 1000 * 1000)

/* Percentiles are exact up to this many samples and estimated from a
 * uniform sample of this size beyond (32 KiB). */
#define STATS_RESERVOIR 4096

struct stats {
	long long n;          /* samples */
	long long tsum;       /* µs */
	__int128 tsum2;       /* µs² */
	long long tmin, tmax; /* µs */
	long long last;       /* previous sample, for jitter */
	double jitter_sum;    /* Σ |x_i − x_{i−1}| */
	long long *samples;   /* samples for percentiles: all of them up to
				 STATS_RESERVOIR, then a uniform subset */
	size_t cap;
	uint64_t rng;         /* reservoir sampling state */
};

void stats_init(struct stats *s);
void stats_free(struct stats *s);
void stats_add(struct stats *s, long long rtt_us);

struct stats_summary {
	long long min, avg, max, mdev;  /* µs, iputils arithmetic */
	double p50, p90, p99;           /* ms */
	double jitter;                  /* ms */
};

/* false when there are no samples. */
bool stats_summarize(const struct stats *s, struct stats_summary *out);

/* "0.045/0.052/0.060/0.006" (µs printed as %ld.%03ld) into buf. */
const char *stats_fmt_rtt(const struct stats_summary *sum, char *buf, size_t len);

/* iputils' loss: (sent − received) × 100 / sent, printed with %g. */
double stats_loss_pct(long long sent, long long received);

/* iputils' per-reply RTT display: ≥100 ms integer, ≥10 ms one decimal,
 * ≥1 ms two decimals, else three; input µs, output e.g. "0.052". */
const char *stats_fmt_ms(long long us, char *buf, size_t len);

#endif
